//! Issue #20 item 3: an audit trail that cannot be quietly trimmed or rewritten. Each test plays
//! one tampering from the issue on the database file (with plain SQLite, the way someone with
//! the file but without dolbom's key would) and expects `audit verify` to report it.

use dolbom::audit::Event;
use dolbom::clock::Clock;
use dolbom::model::AuditAction;
use dolbom::store::{OpenOptions, Store};
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};
use std::path::Path;

fn opts() -> OpenOptions {
    let mut o = OpenOptions::new("tester");
    o.site_name = Some("감사 센터".into());
    o.clock = Clock::fixed(dolbom::clock::parse_datetime("2026-03-01 10:00").unwrap());
    o
}

/// A database with `n` audited views.
fn with_rows(path: &Path, n: usize) {
    let store = Store::open(path, &opts()).unwrap();
    for i in 0..n {
        store
            .audit(&Event {
                action: AuditAction::View,
                resident_id: Some(&format!("r{i}")),
                subject: &format!("resident:r{i}"),
                detail: "",
            })
            .unwrap();
    }
    let report = store.audit_verify().unwrap();
    assert_eq!(report.broken, None, "{report:?}");
}

fn verify(path: &Path) -> dolbom::audit::VerifyReport {
    Store::open(path, &opts()).unwrap().audit_verify().unwrap()
}

/// The rows' (seq, hash) as stored.
fn chain(conn: &Connection) -> Vec<(i64, String)> {
    conn.prepare("SELECT seq, hash FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The plain SHA-256 chain dolbom used before the key (what anyone can recompute).
fn plain_hash(prev: &str, r: &rusqlite::Row<'_>) -> String {
    let mut h = Sha256::new();
    let seq: i64 = r.get(0).unwrap();
    let parts: Vec<String> = vec![
        prev.to_string(),
        seq.to_string(),
        r.get(1).unwrap(),
        r.get(2).unwrap(),
        r.get(3).unwrap(),
        r.get(4).unwrap(),
        r.get::<_, Option<String>>(5).unwrap().unwrap_or_default(),
        r.get(6).unwrap(),
        r.get(7).unwrap(),
    ];
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Recomputes every row's prev_hash and hash with plain SHA-256, in seq order.
fn rechain_plain(conn: &Connection) {
    let rows: Vec<(i64, String)> = {
        let mut stmt = conn
            .prepare(
                "SELECT seq, at, operator, host, action, resident_id, subject, detail
                 FROM audit_log ORDER BY seq",
            )
            .unwrap();
        let mut out = Vec::new();
        let mut rows = stmt.query([]).unwrap();
        let mut prev = "0".repeat(64);
        while let Some(r) = rows.next().unwrap() {
            let h = plain_hash(&prev, r);
            out.push((r.get(0).unwrap(), prev.clone()));
            prev = h;
        }
        out
    };
    let mut prev = "0".repeat(64);
    for (seq, _) in rows {
        let mut stmt = conn
            .prepare(
                "SELECT seq, at, operator, host, action, resident_id, subject, detail
                 FROM audit_log WHERE seq = ?1",
            )
            .unwrap();
        let h = stmt.query_row([seq], |r| Ok(plain_hash(&prev, r))).unwrap();
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![prev, h, seq],
        )
        .unwrap();
        prev = h;
    }
}

fn untriggered(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    conn
}

#[test]
fn deleting_the_last_rows_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    with_rows(&path, 10);
    let conn = untriggered(&path);
    let last = chain(&conn).last().unwrap().0;
    conn.execute("DELETE FROM audit_log WHERE seq > ?1", [last - 3])
        .unwrap();
    drop(conn);
    let report = verify(&path);
    assert!(report.broken.is_some(), "{report:?}");
}

#[test]
fn deleting_every_row_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    with_rows(&path, 10);
    let conn = untriggered(&path);
    conn.execute("DELETE FROM audit_log", []).unwrap();
    drop(conn);
    let report = verify(&path);
    assert!(report.broken.is_some(), "{report:?}");
}

#[test]
fn deleting_the_first_rows_and_renumbering_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    with_rows(&path, 30);
    let conn = untriggered(&path);
    conn.execute("DELETE FROM audit_log WHERE seq <= 20", [])
        .unwrap();
    conn.execute("UPDATE audit_log SET seq = seq - 20", [])
        .unwrap();
    rechain_plain(&conn);
    drop(conn);
    let report = verify(&path);
    assert!(report.broken.is_some(), "{report:?}");
}

#[test]
fn editing_a_row_and_recomputing_the_hashes_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    with_rows(&path, 10);
    let conn = untriggered(&path);
    conn.execute(
        "UPDATE audit_log SET operator = 'someone' WHERE seq = (SELECT max(seq) - 4 FROM audit_log)",
        [],
    )
    .unwrap();
    rechain_plain(&conn);
    drop(conn);
    let report = verify(&path);
    assert!(report.broken.is_some(), "{report:?}");
}

/// A database from before the key: its plain SHA-256 rows are re-chained under the key once,
/// at the first open, and that is recorded in an audit row.
#[test]
fn an_old_plain_chain_is_rechained_under_the_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let before_key = dolbom::store::schema::MIGRATIONS
        .iter()
        .position(|m| m.contains("audit_heads"))
        .unwrap() as u32;
    let mut conn = Connection::open(&path).unwrap();
    dolbom::store::migrate_to(&mut conn, before_key).unwrap();
    for seq in 1..=3 {
        conn.execute(
            "INSERT INTO audit_log (seq, at, operator, host, action, resident_id, subject, detail, prev_hash, hash)
             VALUES (?1, '2025-01-01 10:00:00', 'old', 'pc', '조회', NULL, 'resident:x', '', '', '')",
            [seq],
        )
        .unwrap();
    }
    conn.execute_batch("DROP TRIGGER audit_no_update;").unwrap();
    rechain_plain(&conn);
    drop(conn);
    let store = Store::open(&path, &opts()).unwrap();
    let report = store.audit_verify().unwrap();
    assert_eq!(report.broken, None, "{report:?}");
    let rows = store.audit_rows(&Default::default()).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3].detail, "rechained=3 key=site was=intact");
    drop(store);
    // Once: a second open changes nothing.
    let store = Store::open(&path, &opts()).unwrap();
    assert_eq!(store.audit_rows(&Default::default()).unwrap().len(), 4);
    // The triggers are back.
    let conn = Connection::open(&path).unwrap();
    assert!(
        conn.execute("UPDATE audit_log SET operator = 'x' WHERE seq = 1", [])
            .is_err()
    );
}

/// An old chain edited before the upgrade is re-chained, but the break is written down in the
/// audit row that records the re-chaining (the key does not launder it).
#[test]
fn an_old_chain_broken_before_the_key_is_recorded_as_broken() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let before_key = dolbom::store::schema::MIGRATIONS
        .iter()
        .position(|m| m.contains("audit_heads"))
        .unwrap() as u32;
    let mut conn = Connection::open(&path).unwrap();
    dolbom::store::migrate_to(&mut conn, before_key).unwrap();
    for seq in 1..=3 {
        conn.execute(
            "INSERT INTO audit_log (seq, at, operator, host, action, resident_id, subject, detail, prev_hash, hash)
             VALUES (?1, '2025-01-01 10:00:00', 'old', 'pc', '조회', NULL, 'resident:x', '', '', '')",
            [seq],
        )
        .unwrap();
    }
    conn.execute_batch("DROP TRIGGER audit_no_update;").unwrap();
    rechain_plain(&conn);
    conn.execute(
        "UPDATE audit_log SET operator = 'someone' WHERE seq = 2",
        [],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path, &opts()).unwrap();
    let rows = store.audit_rows(&Default::default()).unwrap();
    assert_eq!(rows[3].detail, "rechained=3 key=site was=broken@2");
}

/// The cost of one audited event (its own transaction, MAC, signed head in `meta`, side file),
/// printed for the report: `cargo test --test it audit_chain::append_cost -- --nocapture`.
#[test]
fn append_cost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cost.db");
    let store = Store::open(&path, &opts()).unwrap();
    let n = 500;
    let ev = Event {
        action: AuditAction::View,
        resident_id: Some("r"),
        subject: "resident:r",
        detail: "",
    };
    store.audit(&ev).unwrap();
    let start = std::time::Instant::now();
    for _ in 0..n {
        store.audit(&ev).unwrap();
    }
    let per = start.elapsed() / n;
    println!("audit append: {per:?} per event over {n}");
    assert_eq!(store.audit_verify().unwrap().broken, None);
    // The side file is refreshed now and then, and always at close.
    drop(store);
    let head = dolbom::store::audit::read_head_file(&path)
        .unwrap()
        .unwrap();
    assert_eq!(head.seq, i64::from(n) + 1);
}

/// Site B's log is trimmed and rebuilt under B's own key (meta head re-signed, side file
/// rewritten), so that B's chain is consistent in itself; the head A witnessed and sent back
/// still shows it, and A warns when B's next bundle carries the shorter head.
#[test]
fn a_peers_witnessed_head_catches_a_shortened_chain_rebuilt_consistently() {
    use crate::common::sync::{add_resident, export, import, open_site};
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    add_resident(&mut b, "김민수", "010-1234-5678", "관악구");
    for i in 0..10 {
        b.audit(&Event {
            action: AuditAction::View,
            resident_id: None,
            subject: &format!("resident:r{i}"),
            detail: "",
        })
        .unwrap();
    }
    let b_head = b.audit_head().unwrap().unwrap();
    let b_id = b.site().id.clone();
    let report = import(
        &mut a,
        &export(&b, None, false, &dir.path().join("b1.bundle")),
    )
    .unwrap();
    assert!(report.audit_warnings.is_empty());
    let back = export(&a, Some(&b_id), false, &dir.path().join("a1.bundle"));
    import(&mut b, &back).unwrap();
    let witnessed = b.witnesses_of_us().unwrap();
    assert_eq!(witnessed.len(), 1);
    assert_eq!(witnessed[0].head, b_head);
    assert_eq!(b.audit_verify().unwrap().broken, None);
    let b_path = b.path().to_owned();
    drop(b);

    // Someone with B's file and key trims the last rows and rebuilds the chain consistently.
    let conn = untriggered(&b_path);
    conn.execute("DELETE FROM audit_log WHERE seq > ?1", [b_head.seq - 5])
        .unwrap();
    dolbom::audit::rechain(&conn).unwrap();
    let head = dolbom::store::audit::meta_head(&conn).unwrap().unwrap();
    dolbom::store::audit::write_head_file(&b_path, &head).unwrap();
    drop(conn);

    let mut b = open_site(dir.path(), "b", 0);
    let report = b.audit_verify().unwrap();
    let (seq, why) = report.broken.clone().expect("the witness catches it");
    assert_eq!(seq, b_head.seq, "{report:?}");
    assert!(why.contains("shorter than peer a"), "{why}");
    // Only the witness: the rebuilt chain, the head in meta and the side file agree.
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert_eq!(report.checked, b_head.seq - 5);

    // A sees B's next bundle carry a shorter head: a warning, audited.
    add_resident(&mut b, "이영희", "010-2222-3333", "관악구");
    let later = export(&b, None, false, &dir.path().join("b2.bundle"));
    let report = import(&mut a, &later).unwrap();
    assert_eq!(report.audit_warnings.len(), 1, "{report:?}");
    let warnings = a.head_warnings().unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].witnessed_seq, b_head.seq);
    assert!(warnings[0].got_seq < b_head.seq);
    assert!(
        a.audit_rows(&Default::default())
            .unwrap()
            .iter()
            .any(|r| r.detail.starts_with("audit head of peer went back"))
    );
    // A keeps the highest head it saw.
    let again = export(&a, Some(&b_id), false, &dir.path().join("a2.bundle"));
    import(&mut b, &again).unwrap();
    assert!(b.audit_verify().unwrap().broken.is_some());
}

/// The site keys the audit chain makes (before any sync) are the ones sync uses.
#[test]
fn the_audit_key_hangs_off_the_site_keys_sync_uses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    with_rows(&path, 2);
    let store = Store::open(&path, &opts()).unwrap();
    let keys = dolbom::sync::site_keys(&store).unwrap();
    let head = store.audit_head().unwrap().unwrap();
    assert!(head.verify(&keys.verifying_key()));
}
