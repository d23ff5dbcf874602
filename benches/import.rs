//! End-to-end import speed: the release binary imports a generated CP949 CSV into a fresh
//! database (`dolbom resources import`), and the same with `--dry-run`.
//!
//! ```text
//! cargo bench --bench import                      # 200k rows (IMPORT_BENCH_ROWS to change)
//! IMPORT_BENCH_ROWS=1000000 cargo bench --bench import
//! ```
//!
//! The generated file stays at `target/import-bench/resources_<N>_cp949.csv`, so peak memory can
//! be measured on it directly:
//!
//! ```text
//! cargo build --release
//! DOLBOM_USER=admin /usr/bin/time -v target/release/dolbom --db /tmp/b.db \
//!     resources import target/import-bench/resources_1000000_cp949.csv
//! ```

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn rows() -> u64 {
    std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000)
}

/// The generated file, written once per row count.
fn input(n: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/import-bench");
    std::fs::create_dir_all(&dir).expect("create target/import-bench");
    let path = dir.join(format!("resources_{n}_cp949.csv"));
    if !path.exists() {
        dolbom::resources::import::write_cp949_resources(&path, n).expect("generate input");
    }
    path
}

/// Runs one import into a fresh database and returns its wall time.
fn import_once(file: &Path, dry_run: bool) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bench.db");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dolbom"));
    cmd.env("DOLBOM_USER", "admin")
        .arg("--db")
        .arg(&db)
        .args(["resources", "import"])
        .arg(file);
    if dry_run {
        cmd.arg("--dry-run");
    }
    // Open (and create) the database first, so only the import is timed.
    let made = Command::new(env!("CARGO_BIN_EXE_dolbom"))
        .env("DOLBOM_USER", "admin")
        .arg("--db")
        .arg(&db)
        .args(["users", "list"])
        .output()
        .expect("run dolbom");
    assert!(made.status.success());
    let started = Instant::now();
    let out = cmd.output().expect("run dolbom");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn bench(c: &mut Criterion) {
    let n = rows();
    let file = input(n);
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(n));
    for (name, dry) in [("cp949_csv", false), ("cp949_csv_dry_run", true)] {
        group.bench_function(format!("{name}/{n}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| import_once(&file, dry)).sum())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
