//! `dolbom sync` end to end with the real binary: demo site → full bundle → empty site gives
//! the same search output; keys never show the secret; SIGKILL during an import leaves the
//! database either as before or as after, never half.

use crate::common::dolbom_at;
use std::path::Path;
use std::process::Output;
#[cfg(unix)]
use std::time::{Duration, Instant};

/// Runs the binary on `db` with `args`, the real clock.
fn dolbom(db: &Path, args: &[&str]) -> Output {
    dolbom_at(db).args(args).output().expect("run dolbom")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = dolbom(db, args);
    assert!(
        out.status.success(),
        "dolbom {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn digest(db: &Path) -> String {
    let store =
        dolbom::store::Store::open(db, &dolbom::store::OpenOptions::new("tester")).expect("open");
    store.content_digest().expect("digest")
}

#[test]
fn demo_site_to_empty_site_gives_same_search() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let bundle = dir.path().join("a.bundle");
    let bundle_s = bundle.to_str().expect("utf-8 path");
    ok(&a, &["demo", "--residents", "300", "--no-tui"]);
    let keys = ok(&a, &["sync", "keys"]);
    assert!(keys.contains("age1") && keys.contains("ed25519:"), "{keys}");
    assert!(!keys.contains("AGE-SECRET-KEY") && !keys.contains("ed25519-secret"));

    let out = dolbom(&a, &["sync", "export", "--out", bundle_s, "--full"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no encryption choice is a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--plain"));

    ok(
        &a,
        &["sync", "export", "--full", "--plain", "--out", bundle_s],
    );
    let out = dolbom(&b, &["sync", "import", bundle_s]);
    assert!(
        !out.status.success(),
        "unknown site refused without --trust"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trust"));
    let report = ok(&b, &["sync", "import", bundle_s, "--trust", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&report).expect("json report");
    assert!(report["applied"].as_u64().unwrap_or(0) > 300);
    assert_eq!(report["known"], 0);

    assert_eq!(
        ok(&a, &["search", "김", "--json"]),
        ok(&b, &["search", "김", "--json"])
    );
    assert_eq!(digest(&a), digest(&b));

    let again = ok(&b, &["sync", "import", bundle_s, "--json"]);
    let again: serde_json::Value = serde_json::from_str(&again).expect("json");
    assert_eq!(again["applied"], 0);
    assert_eq!(again["known"], report["applied"]);

    let status: serde_json::Value =
        serde_json::from_str(&ok(&b, &["sync", "status", "--json"])).expect("json status");
    assert_eq!(status["peers"][0]["trusted"], true);
    assert_eq!(status["peers"][0]["pending_ops"], 0);
    assert_eq!(status["unresolved_conflicts"], 0);
    let audit = ok(&a, &["audit", "--json"]);
    assert!(
        audit.contains("다운로드") && audit.contains("bundle:"),
        "export audited"
    );
}

/// splitmix64, for kill delays.
#[cfg(unix)]
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(unix)]
fn integrity_ok(db: &Path) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let r: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(r, "ok");
}

#[cfg(unix)]
fn copy_db(from: &Path, to: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    std::fs::copy(from, to).expect("copy db");
}

#[cfg(unix)]
#[test]
fn kill_9_during_import_leaves_before_or_after() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, pristine, b) = (
        dir.path().join("a.db"),
        dir.path().join("pristine.db"),
        dir.path().join("b.db"),
    );
    let bundle = dir.path().join("big.bundle");
    let bundle_s = bundle.to_str().expect("utf-8 path");
    ok(&a, &["demo", "--residents", "3000", "--no-tui"]);
    ok(
        &a,
        &["sync", "export", "--full", "--plain", "--out", bundle_s],
    );
    // An empty site with keys, checkpointed into one file so that copies are complete.
    ok(&pristine, &["sync", "keys"]);
    rusqlite::Connection::open(&pristine)
        .and_then(|c| c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())))
        .expect("checkpoint");
    let before = digest(&pristine);
    copy_db(&pristine, &b);
    let started = Instant::now();
    ok(&b, &["sync", "import", bundle_s, "--trust"]);
    let full_time = started.elapsed();
    let after = digest(&b);
    assert_ne!(before, after);

    let mut rng = 0x5EED;
    let (mut saw_before, mut saw_after) = (0, 0);
    for _ in 0..6 {
        copy_db(&pristine, &b);
        let delay = next(&mut rng) % (full_time.as_millis() as u64 + 20);
        let mut child = dolbom_at(&b)
            .args(["sync", "import", bundle_s, "--trust"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        integrity_ok(&b);
        let d = digest(&b);
        assert!(
            d == before || d == after,
            "half an import after SIGKILL at {delay} ms"
        );
        if d == before {
            saw_before += 1;
        } else {
            saw_after += 1;
        }
    }
    eprintln!("kill -9 trials: {saw_before} before, {saw_after} after (full import {full_time:?})");
}
