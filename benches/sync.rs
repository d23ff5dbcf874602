//! Sync throughput: full export of a demo site, and import of that bundle into an empty site.
//! `cargo bench --bench sync` (the 100k-resident figures come from the CLI; see the report).

use criterion::{Criterion, criterion_group, criterion_main};
use dolbom::store::{OpenOptions, Store};
use dolbom::sync::bundle::Encryption;
use dolbom::sync::{ExportOptions, ImportOptions, export_bundle, import_bundle};
use std::path::Path;

const RESIDENTS: usize = 2_000;

fn demo_site(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join("a.db"), &OpenOptions::new("bench")).expect("open");
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
            residents: RESIDENTS,
            seed: 1,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    store
}

fn export(store: &Store, out: &Path) -> u64 {
    let opts = ExportOptions {
        out: out.to_owned(),
        to: None,
        full: true,
        encryption: Encryption::Plain,
    };
    export_bundle(store, &opts, &mut |_| {})
        .expect("export")
        .ops
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("dir");
    let a = demo_site(dir.path());
    let bundle = dir.path().join("a.bundle");
    let ops = export(&a, &bundle);
    let mut g = c.benchmark_group(format!("sync_{RESIDENTS}_residents_{ops}_ops"));
    g.sample_size(10);
    g.bench_function("export_full_plain", |b| b.iter(|| export(&a, &bundle)));
    let mut n = 0;
    g.bench_function("import_into_empty", |b| {
        b.iter(|| {
            n += 1;
            let path = dir.path().join(format!("b{n}.db"));
            let mut store = Store::open(&path, &OpenOptions::new("bench")).expect("open");
            let opts = ImportOptions {
                trust: true,
                ..ImportOptions::default()
            };
            let r = import_bundle(&mut store, &bundle, &opts, &mut |_, _| {}).expect("import");
            drop(store);
            let _ = std::fs::remove_file(&path);
            r.applied
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
