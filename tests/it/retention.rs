//! Issue #20 item 4: retention and destruction (파기). A purge leaves no trace of the resident's
//! name in the file bytes (after its own vacuum, WAL checkpointed), in a migration backup, or at
//! the other site after sync; a resident with another open case is kept; an older op arriving
//! after the purge does not bring the name back.

use crate::common::sync::{add_resident, export, import, open_site};
use dolbom::store::{Store, Val};
use std::path::Path;

const GONE: &str = "홍길동";
const KEPT: &str = "김보존";

fn add_case(
    s: &mut Store,
    resident: &str,
    stage: &str,
    closed_on: Option<&str>,
    note: &str,
) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = s.write().unwrap();
    tx.insert(
        "cases",
        &id,
        &[
            ("resident_id", Val::text(resident)),
            ("worker", Val::text("tester")),
            ("category", Val::text("사례관리 일반")),
            ("stage", Val::text(stage)),
            ("opened_on", Val::text("2018-05-01")),
            ("closed_on", Val::opt(closed_on)),
            ("last_activity", Val::text("2019-01-10")),
        ],
    )
    .unwrap();
    tx.insert(
        "entries",
        &uuid::Uuid::now_v7().to_string(),
        &[
            ("case_id", Val::text(&id)),
            ("kind", Val::text("memo")),
            ("author", Val::text("tester")),
            ("at", Val::text("2018-06-01 10:00")),
            ("body", Val::text(note)),
        ],
    )
    .unwrap();
    tx.commit().unwrap();
    id
}

/// Whether `needle` is anywhere in the database file or its WAL.
fn in_file(db: &Path, needle: &str) -> bool {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    [db.to_path_buf(), std::path::PathBuf::from(wal)]
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
}

fn resident_names(s: &Store) -> Vec<String> {
    s.audit_verify().unwrap();
    let mut conn_names = Vec::new();
    let conn = rusqlite::Connection::open(s.path()).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM residents ORDER BY name")
        .unwrap();
    for n in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        conn_names.push(n.unwrap());
    }
    conn_names
}

#[test]
fn a_purge_destroys_the_resident_here_at_the_peer_and_against_older_ops() {
    let dir = tempfile::tempdir().unwrap();
    // 2025-03-01: a case closed 2019-01-10 is past five years.
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let gone = add_resident(&mut a, GONE, "010-1111-2222", "관악구 보라매로 1");
    add_case(
        &mut a,
        &gone,
        "closed",
        Some("2019-01-10"),
        &format!("{GONE} 어르신 방문"),
    );
    let kept = add_resident(&mut a, KEPT, "010-3333-4444", "관악구 신림로 2");
    add_case(&mut a, &kept, "closed", Some("2019-02-01"), "지난 사례");
    add_case(&mut a, &kept, "intake", None, "진행 중");
    // Closed recently: not due.
    let recent = add_resident(&mut a, "이최근", "010-5555-6666", "관악구");
    add_case(&mut a, &recent, "closed", Some("2024-12-01"), "최근 종결");

    // B has everything before the purge, and keeps a full bundle of it (older ops).
    import(
        &mut b,
        &export(&a, None, false, &dir.path().join("a1.bundle")),
    )
    .unwrap();
    assert!(resident_names(&b).contains(&GONE.to_string()));
    let old_full = export(&b, None, true, &dir.path().join("b-old-full.bundle"));
    // A migration backup made before the purge.
    let bak = dir.path().join("a.db.bak-v1");
    rusqlite::Connection::open(a.path())
        .unwrap()
        .execute("VACUUM INTO ?1", [bak.to_string_lossy()])
        .unwrap();
    assert!(in_file(&bak, GONE));

    // A search stored its index (names included) in the file before the purge (#18).
    let ix = dolbom::search::residents::ResidentIndex::open(&a).unwrap();
    assert!(!ix.is_empty());
    assert!(in_file(a.path(), GONE) && in_file(b.path(), GONE));
    let due = dolbom::retention::due(&a).unwrap();
    assert_eq!(due.len(), 2, "{due:?}");
    assert!(
        due.iter().all(|d| !d.text().contains(GONE)),
        "names are masked"
    );
    assert!(
        due.iter()
            .any(|d| d.case.resident_id == kept && d.case.resident_kept)
    );

    let report = dolbom::retention::purge(&mut a).unwrap();
    assert_eq!(
        (report.cases, report.residents, report.residents_kept),
        (2, 1, 1)
    );
    assert_eq!(report.backups, 1);
    let names = resident_names(&a);
    assert!(!names.contains(&GONE.to_string()));
    assert!(
        names.contains(&KEPT.to_string()),
        "another open case keeps the resident"
    );
    assert!(names.contains(&"이최근".to_string()));
    let a_path = a.path().to_owned();
    assert!(
        !in_file(&a_path, GONE),
        "no trace in the database file or WAL"
    );
    assert!(!in_file(&bak, GONE), "no trace in the backup");
    assert_eq!(a.audit_verify().unwrap().broken, None);
    assert_eq!(
        a.retention_stats()
            .unwrap()
            .iter()
            .map(|s| s.cases)
            .sum::<i64>(),
        2
    );
    assert!(
        a.audit_rows(&Default::default())
            .unwrap()
            .iter()
            .any(|r| r.subject == "retention purge" && r.action == "삭제")
    );

    // The purge reaches B, which destroys its own copies.
    let b_id = b.site().id.clone();
    import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("a2.bundle")),
    )
    .unwrap();
    let b_names = resident_names(&b);
    assert!(!b_names.contains(&GONE.to_string()));
    assert!(b_names.contains(&KEPT.to_string()));
    let b_path = b.path().to_owned();
    assert!(!in_file(&b_path, GONE), "no trace at the peer after sync");

    // B's old full bundle (made before the purge) arrives at A: the name does not come back.
    let r = import(&mut a, &old_full).unwrap();
    assert!(r.known > 0);
    assert!(!resident_names(&a).contains(&GONE.to_string()));
    assert!(!in_file(&a_path, GONE));
    // Nor at B, from A's bundle of before the purge arriving again.
    import(&mut b, &dir.path().join("a1.bundle")).unwrap();
    assert!(!resident_names(&b).contains(&GONE.to_string()));
    assert!(!in_file(&b_path, GONE));
}

#[test]
fn staff_may_not_list_or_purge() {
    let dir = tempfile::tempdir().unwrap();
    let a = open_site(dir.path(), "a", 0);
    let path = a.path().to_owned();
    drop(a);
    let mut o = dolbom::store::OpenOptions::new("staffer");
    o.clock = dolbom::clock::Clock::fixed(crate::common::sync::base_time());
    let mut staff = Store::open(&path, &o).unwrap();
    assert!(dolbom::retention::due(&staff).is_err());
    assert!(dolbom::retention::purge(&mut staff).is_err());
    assert!(
        staff
            .audit_rows(&Default::default())
            .unwrap()
            .iter()
            .any(|r| r.action == "거부" && r.subject == "retention purge")
    );
}

#[test]
fn the_period_is_configurable_per_case_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 0);
    let r = add_resident(&mut a, GONE, "010-1111-2222", "관악구");
    add_case(&mut a, &r, "closed", Some("2019-01-10"), "메모");
    assert_eq!(dolbom::retention::due(&a).unwrap().len(), 1);
    a.set_retention_years(Some("사례관리 일반"), 10).unwrap();
    assert_eq!(dolbom::retention::due(&a).unwrap().len(), 0);
    a.set_retention_years(Some("사례관리 일반"), 3).unwrap();
    a.set_retention_years(None, 10).unwrap();
    assert_eq!(dolbom::retention::due(&a).unwrap().len(), 1);
}

/// `dolbom retention purge` asks first: anything but `파기` cancels (exit 2, nothing purged).
#[test]
fn the_cli_asks_before_purging() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 0);
    let r = add_resident(&mut a, GONE, "010-1111-2222", "관악구");
    add_case(&mut a, &r, "closed", Some("2019-01-10"), "메모");
    let db = a.path().to_owned();
    drop(a);
    let run = |answer: &str, extra: &[&str]| {
        let mut child = crate::common::dolbom_at(&db)
            .env("DOLBOM_NOW", "2025-03-01T09:00:00")
            .env("DOLBOM_USER", "tester")
            .args(["retention", "purge"])
            .args(extra)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let o = run("아니오\n", &[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(in_file(&db, GONE));
    let o = run("", &["--yes"]);
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("파기 완료: 사례 1건, 주민 1명"));
    assert!(!in_file(&db, GONE));
}

/// B opens a new case for the resident before A's purge reaches it: A's import of B's bundle
/// does not fail on the missing resident, and the name does not come back at A. (B keeps the
/// resident: it has a live case there.)
#[test]
fn a_case_opened_at_a_peer_before_the_purge_arrives_does_not_break_sync() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let gone = add_resident(&mut a, GONE, "010-1111-2222", "관악구");
    add_case(&mut a, &gone, "closed", Some("2019-01-10"), "메모");
    import(
        &mut b,
        &export(&a, None, false, &dir.path().join("a1.bundle")),
    )
    .unwrap();
    add_case(&mut b, &gone, "intake", None, "다시 접수");
    dolbom::retention::purge(&mut a).unwrap();
    let a_id = a.site().id.clone();
    let r = import(
        &mut a,
        &export(&b, Some(&a_id), false, &dir.path().join("b1.bundle")),
    );
    assert!(r.is_ok(), "{r:?}");
    assert!(!resident_names(&a).contains(&GONE.to_string()));
    assert!(!in_file(a.path(), GONE));
    let b_id = b.site().id.clone();
    import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("a2.bundle")),
    )
    .unwrap();
    assert!(
        resident_names(&b).contains(&GONE.to_string()),
        "a live case keeps the resident"
    );
}

/// A purge relayed by a third site (A → B → C) is proven by A's signature like any op, and C
/// destroys its copy.
#[test]
fn a_relayed_purge_reaches_a_third_site() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let mut c = open_site(dir.path(), "c", 0);
    let gone = add_resident(&mut a, GONE, "010-1111-2222", "관악구");
    add_case(&mut a, &gone, "closed", Some("2019-01-10"), "메모");
    import(
        &mut b,
        &export(&a, None, false, &dir.path().join("a1.bundle")),
    )
    .unwrap();
    import(
        &mut c,
        &export(&b, None, false, &dir.path().join("b1.bundle")),
    )
    .unwrap();
    assert!(resident_names(&c).contains(&GONE.to_string()));
    dolbom::retention::purge(&mut a).unwrap();
    import(
        &mut b,
        &export(&a, None, false, &dir.path().join("a2.bundle")),
    )
    .unwrap();
    let c_id = c.site().id.clone();
    let r = import(
        &mut c,
        &export(&b, Some(&c_id), false, &dir.path().join("b2.bundle")),
    );
    assert!(r.is_ok(), "{r:?}");
    assert!(!resident_names(&c).contains(&GONE.to_string()));
    assert!(!in_file(c.path(), GONE));
}
