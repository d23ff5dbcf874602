//! Roles hold on every path (#13 item 3): each bypass found by trying dolbom as a hostile
//! colleague would, as a test that failed on the code before the fix. A refusal exits 2 with a
//! Korean message, changes nothing and leaves a 거부 row in the audit log.

use crate::common::{dolbom_at, import_fixture};
use dolbom::store::{OpenOptions, Role, Store, StoreError};
use rusqlite::Connection;
use std::path::Path;
use std::process::Output;

/// Runs `dolbom --db db --user user ARGS`.
fn run(db: &Path, user: &str, args: &[&str]) -> Output {
    dolbom_at(db)
        .env("DOLBOM_USER", user)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database with 20 demo residents made by `boss` (its first operator, so admin), and `kim`
/// known as staff.
fn populated(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("real.db");
    let o = run(&db, "boss", &["demo", "--residents", "20", "--no-tui"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&db, "boss", &["users", "add", "kim"]);
    assert!(o.status.success(), "{}", stderr(&o));
    db
}

fn residents(db: &Path) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap()
}

fn users(db: &Path) -> Vec<(String, String)> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, role FROM users ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The 거부 rows of the audit log: (operator, subject).
fn denials(db: &Path) -> Vec<(String, String)> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT operator, subject FROM audit_log WHERE action = '거부' ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Asserts a refusal: exit 2, the Korean message on stderr, nothing on stdout.
fn assert_refused(o: &Output) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(o));
    assert!(
        stderr(o).contains("관리자만 할 수 있습니다"),
        "stderr: {}",
        stderr(o)
    );
    assert!(stdout(o).is_empty(), "stdout: {}", stdout(o));
}

#[test]
fn staff_cannot_read_the_audit_log_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    for args in [
        &["audit"][..],
        &["audit", "--json"],
        &["audit", "verify"],
        &["audit", "summary"],
    ] {
        let o = run(&db, "kim", args);
        assert_refused(&o);
    }
    let denied = denials(&db);
    assert_eq!(
        denied,
        ["audit", "audit", "audit verify", "audit summary"]
            .iter()
            .map(|s| ("kim".to_string(), s.to_string()))
            .collect::<Vec<_>>()
    );
    // The admin still reads it, and sees the refusals (a name filter is canonical too).
    let o = run(
        &db,
        "boss",
        &["audit", "--action", "거부", "--operator", " kim "],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("감사 로그 검증"), "{}", stdout(&o));
    assert_eq!(stdout(&o).lines().count(), 5, "{}", stdout(&o));
}

#[test]
fn staff_cannot_replace_a_populated_database_with_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    let before = std::fs::metadata(&db).unwrap().len();
    let o = run(
        &db,
        "kim",
        &["demo", "--force", "--residents", "5", "--no-tui"],
    );
    assert_refused(&o);
    assert_eq!(residents(&db), 20);
    assert!(std::fs::metadata(&db).unwrap().len() >= before);
    assert_eq!(denials(&db), [("kim".into(), "demo --force".into())]);
    // The admin may.
    let o = run(
        &db,
        "boss",
        &["demo", "--force", "--residents", "5", "--no-tui"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(residents(&db), 5);
}

#[test]
fn a_typed_name_never_makes_an_admin_of_a_database_with_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    // An unknown name on a database with operators is staff.
    let o = run(&db, "root", &["users", "add", "eve", "--role", "admin"]);
    assert_refused(&o);
    // A database from before roles: no operators, but an audit log that boss began.
    Connection::open(&db)
        .unwrap()
        .execute("DELETE FROM users", [])
        .unwrap();
    let o = run(&db, "root", &["users", "add", "eve", "--role", "admin"]);
    assert_refused(&o);
    let names: Vec<String> = users(&db).into_iter().map(|(n, _)| n).collect();
    assert!(!names.contains(&"eve".to_string()), "{names:?}");
    assert!(users(&db).contains(&("root".into(), "staff".into())));
    // Its first operator is its admin again.
    let o = run(&db, "boss", &["users", "add", "eve"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(users(&db).contains(&("boss".into(), "admin".into())));
}

#[test]
fn a_leading_space_is_the_same_operator_and_control_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    // " boss" is boss (admin), not a look-alike staff member.
    let o = run(&db, " boss", &["users", "add", "lee"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&db, "boss\t", &["users", "add", " park "]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = users(&db).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["boss", "kim", "lee", "park"]);
    // Decomposed Hangul (NFD) is the same name as composed.
    let o = run(&db, "boss", &["users", "add", "김민수"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&db, "\u{1100}\u{1175}\u{11B7}민수", &["search", "김"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(users(&db).len(), 5, "{:?}", users(&db));
    // Newlines, ESC codes, bidi overrides: refused, exit 2, nothing recorded.
    let before = users(&db);
    for bad in ["kim\nadmin", "kim\u{1b}[2K", "root\u{202E}", "ro\u{200B}ot"] {
        let o = run(&db, bad, &["search", "김"]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("작업자 이름"), "{}", stderr(&o));
        assert!(!stderr(&o).contains('\u{1b}'));
        let o = run(&db, "boss", &["users", "add", bad]);
        assert_eq!(o.status.code(), Some(1), "{bad:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("작업자 이름"), "{}", stderr(&o));
    }
    assert_eq!(users(&db), before);
}

#[test]
fn a_forged_name_cannot_forge_an_audit_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    let forged = "kim\n99999  2026-01-01 00:00:00  boss  office  조회  주민 김*수\u{1b}[2K";
    // The name is refused before anything is written.
    let o = run(&db, forged, &["users", "add", "x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // One written by an older dolbom (or straight into the file) prints on one line.
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO audit_log (at, operator, host, action, subject, detail, prev_hash, hash)
         VALUES ('2026-01-01 00:00:01', ?1, 'h\r', '거부', 'users add', 'x\u{9b}31m', '', '')",
        [forged],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO users (name, role, created_at) VALUES (?1, 'staff', '2026-01-01')",
        [forged],
    )
    .unwrap();
    drop(conn);
    for args in [&["audit"][..], &["users", "list"]] {
        let o = run(&db, "boss", args);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            !out.chars()
                .any(|c| c != '\n' && c != '\t' && dolbom::privacy::is_terminal_unsafe(c)),
            "{out:?}"
        );
        assert!(
            !out.lines().any(|l| l.starts_with("99999")),
            "a forged line: {out}"
        );
        assert!(out.lines().any(|l| l.contains("kim\u{FFFD}99999")), "{out}");
    }
}

#[test]
fn every_import_and_user_change_is_admin_only_with_one_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = populated(dir.path());
    let csv = import_fixture("residents_sample_utf8bom.csv");
    let json = import_fixture("resources.json");
    for args in [
        vec!["residents", "import", csv.to_str().unwrap()],
        vec!["residents", "import", "--dry-run", csv.to_str().unwrap()],
        vec!["resources", "import", json.to_str().unwrap()],
        vec!["users", "add", "eve", "--role", "admin"],
        vec!["users", "add", "kim", "--role", "admin"],
        vec!["users", "remove", "boss"],
    ] {
        let o = run(&db, "kim", &args);
        assert_refused(&o);
    }
    assert_eq!(denials(&db).len(), 6, "{:?}", denials(&db));
    assert_eq!(residents(&db), 20);
    assert!(users(&db).contains(&("kim".into(), "staff".into())));
    // The last admin stays.
    let o = run(&db, "boss", &["users", "remove", "boss"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("마지막 관리자"), "{}", stderr(&o));
    let o = run(&db, "boss", &["users", "add", "boss", "--role", "staff"]);
    assert!(stderr(&o).contains("마지막 관리자"), "{}", stderr(&o));
    let o = run(&db, "boss", &["users", "remove", "kim"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(users(&db), [("boss".to_string(), "admin".to_string())]);
}

#[test]
fn trusting_a_new_site_at_import_is_admin_only_in_the_library_the_tui_shares() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = crate::common::sync::open_site(dir.path(), "a", 0);
    crate::common::sync::add_resident(&mut a, "김민수", "010-1234-5678", "신사동");
    let bundle = crate::common::sync::export(&a, None, true, &dir.path().join("a.bundle"));
    let db = dir.path().join("b.db");
    drop(Store::open(&db, &OpenOptions::new("boss")).unwrap());
    let mut b = Store::open(&db, &OpenOptions::new("kim")).unwrap();
    assert_eq!(b.role(), Role::Staff);
    let err = crate::common::sync::import(&mut b, &bundle).unwrap_err();
    assert!(
        matches!(
            err,
            dolbom::sync::SyncError::Store(StoreError::Denied { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("관리자만"), "{err}");
    drop(b);
    assert_eq!(denials(&db), [("kim".into(), "sync import".into())]);
    // Once the admin trusted site A, the staff member merges A's next bundle (the daily
    // exchange between colleagues' PCs needs no admin).
    let mut boss = Store::open(&db, &OpenOptions::new("boss")).unwrap();
    crate::common::sync::import(&mut boss, &bundle).unwrap();
    drop(boss);
    crate::common::sync::add_resident(&mut a, "이영희", "010-2222-3333", "신사동");
    let next = crate::common::sync::export(&a, None, false, &dir.path().join("a2.bundle"));
    let mut b = Store::open(&db, &OpenOptions::new("kim")).unwrap();
    let report = crate::common::sync::import(&mut b, &next).unwrap();
    assert!(report.applied > 0);
}

#[test]
fn roles_are_ordered_so_a_role_between_slots_in() {
    assert!(Role::Staff < Role::Admin);
    assert!(Role::Admin.allows(Role::Staff));
    assert!(!Role::Staff.allows(Role::Admin));
    assert_eq!(Role::Admin.label(), "관리자");
}
