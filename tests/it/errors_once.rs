//! Errors reach the person once and in words (#21 item 9): no cause printed twice
//! (`dolbom: X: X`), no raw SQLite text for a read-only database, and a read-only database
//! refuses, with the reason, every read it cannot record.

use crate::common::dolbom_at;
#[cfg(unix)]
use crate::common::{BIN, import_fixture};
use rusqlite::Connection;
use std::path::Path;
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that `o` failed with exit 1 and `needle` appears exactly once in its message.
fn once(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches(needle).count(), 1, "{needle:?} in {err}");
    assert_eq!(err.matches("dolbom:").count(), 1, "{err}");
    assert!(!err.contains("Error code"), "rusqlite's inner error: {err}");
}

fn demo(db: &Path) {
    let o = dolbom_at(db)
        .args(["demo", "--residents", "30", "--no-tui"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn each_cause_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    demo(&db);
    let missing = dir.path().join("missing.bundle");
    let o = dolbom_at(&db)
        .args(["sync", "import"])
        .arg(&missing)
        .output()
        .unwrap();
    once(&o, "(os error 2)");
    let o = dolbom_at(&db)
        .args(["resources", "import"])
        .arg(dir.path().join("missing.csv"))
        .output()
        .unwrap();
    once(&o, "(os error 2)");
    let garbage = dir.path().join("g.db");
    std::fs::write(&garbage, b"not a database at all").unwrap();
    let o = dolbom_at(&garbage).args(["search", "김"]).output().unwrap();
    once(&o, "SQLite 데이터베이스 파일이 아닙니다");
    // A damaged database: a table gone.
    Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TABLE referrals")
        .unwrap();
    let case: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM cases LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let o = dolbom_at(&db).args(["timeline", &case]).output().unwrap();
    once(&o, "no such table: referrals");
    // And the folder of a new file missing.
    let o = dolbom_at(&dir.path().join("nope/x.db"))
        .args(["search", "김"])
        .output()
        .unwrap();
    once(&o, "폴더가 없습니다");
    // The TUI's xlsx writer and the CLI share the one formatter.
    let e = anyhow::Error::new(std::io::Error::other("disk full")).context("saving");
    assert_eq!(dolbom::cli::error_text(&e), "saving: disk full");
}

/// Runs as `nobody` (root may write any file); `None` where that is not possible.
#[cfg(unix)]
fn as_nobody(db: &Path, args: &[&str]) -> Option<Output> {
    use std::process::Command;
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !as_root || Command::new("setpriv").arg("--help").output().is_err() {
        return None;
    }
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DOLBOM_DB")
        .env("DOLBOM_USER", "tester")
        .output()
        .unwrap();
    let err = stderr(&o);
    (!err.contains("Permission denied") || err.contains("r.db")).then_some(o)
}

/// A read-only database (file 0444 in a folder nobody may write): every read of personal data
/// must leave a 조회 row (#20), and making a copy read-only must not be a way to read without
/// one — so search, lists and a case's timeline are refused with the reason in Korean, once,
/// without SQLite's own words (#21); nothing in the file changes.
#[cfg(unix)]
#[test]
fn a_read_only_database_refuses_reads_it_cannot_record_and_stays_unchanged() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new().prefix("ro").tempdir().unwrap();
    let db = dir.path().join("r.db");
    demo(&db);
    let case: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM cases LIMIT 1", [], |r| r.get(0))
        .unwrap();
    // Writable, the same reads are served (and recorded).
    for args in [["search", "김"], ["timeline", "--list"]] {
        let o = dolbom_at(&db).args(args).output().unwrap();
        assert!(o.status.success() && !o.stdout.is_empty(), "{}", stderr(&o));
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    if as_nobody(&db, &["search", "김"]).is_none() {
        eprintln!("skipped: needs root and setpriv to run as another user");
        return;
    }
    for args in [
        vec!["search", "김"],
        vec!["timeline", "--list"],
        vec!["timeline", case.as_str()],
        vec![
            "resources",
            "import",
            import_fixture("resources.json").to_str().unwrap(),
        ],
    ] {
        let o = as_nobody(&db, &args).unwrap();
        once(&o, "읽기 전용이라");
        let err = stderr(&o);
        assert!(err.contains("감사 로그"), "{err}");
        assert!(o.stdout.is_empty());
        assert!(
            !err.contains("readonly") && !err.contains("attempt to write"),
            "{err}"
        );
    }
    assert!(std::fs::read(&db).unwrap() == before, "the file changed");
}
