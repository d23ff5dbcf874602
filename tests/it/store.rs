//! The store: creation, migrations, refusal of foreign files, append-only entries, the op log.

use dolbom::clock::Clock;
use dolbom::store::schema::{CURRENT_VERSION, MIGRATIONS};
use dolbom::store::{OpenOptions, Store, StoreError, Val};
use rusqlite::Connection;
use std::path::Path;

fn opts() -> OpenOptions {
    let mut o = OpenOptions::new("tester");
    o.site_name = Some("테스트 센터".into());
    o.clock = Clock::fixed(dolbom::clock::parse_datetime("2026-03-01 10:00").unwrap());
    o
}

fn user_version(path: &Path) -> u32 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn fresh_file_gets_current_schema_site_and_admin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/dir/new.db");
    let store = Store::open(&path, &opts()).unwrap();
    assert_eq!(store.site().name, "테스트 센터");
    assert_eq!(store.site().id.len(), 36);
    assert_eq!(store.role(), dolbom::store::Role::Admin);
    let site = store.site().clone();
    drop(store);
    assert_eq!(user_version(&path), CURRENT_VERSION);
    // Reopening keeps the same site identity; a second operator is staff.
    let mut o = opts();
    o.operator = "other".into();
    let again = Store::open(&path, &o).unwrap();
    assert_eq!(again.site(), &site);
    assert_eq!(again.role(), dolbom::store::Role::Staff);
    let mode: String = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(m & 0o777, 0o600, "database must be private to its owner");
    }
}

#[test]
fn older_version_migrates_keeps_rows_and_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        dolbom::store::migrate_to(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('site_id', 'S1'), ('site_name', '옛 센터')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO residents (id, site_id, hlc, name, birth_date) VALUES ('r1', 'S1', 1, '김민수', '1950-01-01')",
            [],
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 1);
    assert!(MIGRATIONS.len() > 1, "this test needs a migration to run");
    let store = Store::open(&path, &opts()).unwrap();
    assert_eq!(store.site().name, "옛 센터");
    assert_eq!(store.counts().unwrap().residents, 1);
    drop(store);
    assert_eq!(user_version(&path), CURRENT_VERSION);
    let bak = dir.path().join("old.db.bak-v1");
    assert!(bak.exists(), "a backup is taken before migrating");
    assert_eq!(user_version(&bak), 1);
    let kept: String = Connection::open(&bak)
        .unwrap()
        .query_row("SELECT name FROM residents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "김민수");
}

fn assert_refused_untouched(path: &Path, check: impl Fn(&StoreError) -> bool) {
    let before = std::fs::read(path).unwrap();
    let err = match Store::open(path, &opts()) {
        Ok(_) => panic!("{} must be refused", path.display()),
        Err(e) => e,
    };
    assert!(check(&err), "unexpected error: {err}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "file must be byte-for-byte untouched"
    );
}

#[test]
fn newer_version_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    drop(Store::open(&path, &opts()).unwrap());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
    }
    assert_refused_untouched(&path, |e| matches!(e, StoreError::TooNew { .. }));
}

#[test]
fn text_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "이름,전화\n김민수,010-1234-5678\n").unwrap();
    assert_refused_untouched(&path, |e| matches!(e, StoreError::NotSqlite { .. }));
    let short = dir.path().join("short.db");
    std::fs::write(&short, "SQLite").unwrap();
    assert_refused_untouched(&short, |e| matches!(e, StoreError::NotSqlite { .. }));
}

#[test]
fn foreign_sqlite_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
            .unwrap();
    }
    assert_refused_untouched(
        &path,
        |e| matches!(e, StoreError::Foreign { tables, .. } if tables.contains("invoices")),
    );
}

#[test]
fn writes_log_ops_and_entries_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ops.db");
    let mut store = Store::open(&path, &opts()).unwrap();
    let mut tx = store.write().unwrap();
    tx.insert(
        "residents",
        "r1",
        &[
            ("name", "김민수".into()),
            ("birth_date", "1950-01-01".into()),
        ],
    )
    .unwrap();
    assert!(
        tx.update("residents", "r1", &[("phone", "010-1234-5678".into())])
            .unwrap()
    );
    assert!(
        !tx.update("residents", "r1", &[("phone", "010-1234-5678".into())])
            .unwrap()
    );
    tx.insert(
        "cases",
        "c1",
        &[
            ("resident_id", "r1".into()),
            ("worker", "tester".into()),
            ("stage", "intake".into()),
            ("opened_on", "2026-03-01".into()),
            ("last_activity", "2026-03-01 10:00".into()),
        ],
    )
    .unwrap();
    tx.insert(
        "entries",
        "e1",
        &[
            ("case_id", "c1".into()),
            ("kind", "memo".into()),
            ("author", "tester".into()),
            ("at", "2026-03-01 10:00".into()),
            ("body", "첫 기록".into()),
            ("due_on", Val::Null),
        ],
    )
    .unwrap();
    assert!(
        tx.update("entries", "e1", &[("body", "고침".into())])
            .is_err()
    );
    tx.delete("residents", "r1").unwrap();
    tx.commit().unwrap();

    let conn = Connection::open(&path).unwrap();
    let ops: Vec<(i64, String, String, Option<String>)> = conn
        .prepare("SELECT seq, tbl, kind, fields FROM ops ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<(i64, &str, &str)> = ops
        .iter()
        .map(|(s, t, k, _)| (*s, t.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (1, "residents", "insert"),
            (2, "residents", "update"),
            (3, "cases", "insert"),
            (4, "entries", "insert"),
            (5, "residents", "delete"),
        ]
    );
    assert_eq!(ops[1].3.as_deref(), Some(r#"{"phone":"010-1234-5678"}"#));
    // SQL-level protection too: the triggers refuse edits and deletes of entries.
    assert!(conn.execute("UPDATE entries SET body = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM entries", []).is_err());
    let deleted: i64 = conn
        .query_row("SELECT deleted FROM residents WHERE id = 'r1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(deleted, 1);
}

#[test]
fn a_failed_transaction_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tx.db");
    let mut store = Store::open(&path, &opts()).unwrap();
    let digest = store.content_digest().unwrap();
    {
        let mut tx = store.write().unwrap();
        tx.insert("residents", "r1", &[("name", "이영희".into())])
            .unwrap();
        // A case pointing at a resident that does not exist violates the foreign key.
        let bad = tx.insert(
            "cases",
            "c1",
            &[
                ("resident_id", "nobody".into()),
                ("worker", "t".into()),
                ("stage", "intake".into()),
                ("opened_on", "2026-03-01".into()),
                ("last_activity", "2026-03-01 10:00".into()),
            ],
        );
        assert!(bad.is_err());
        // dropped without commit
    }
    assert_eq!(store.content_digest().unwrap(), digest);
    assert_eq!(store.counts().unwrap().residents, 0);
}

#[test]
fn audit_chain_detects_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = Store::open(&path, &opts()).unwrap();
    for i in 0..5 {
        store
            .audit(&dolbom::audit::Event {
                action: dolbom::model::AuditAction::View,
                resident_id: Some(&format!("r{i}")),
                subject: &format!("resident:r{i}"),
                detail: "",
            })
            .unwrap();
    }
    assert_eq!(store.audit_verify().unwrap().broken, None);
    assert_eq!(store.audit_verify().unwrap().checked, 5);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    // A tamperer must first drop the trigger; the chain still shows the edit.
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit_log SET operator = 'someone' WHERE seq = 3;",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path, &opts()).unwrap();
    let report = store.audit_verify().unwrap();
    assert_eq!(report.broken.map(|b| b.0), Some(3));
    assert_eq!(report.checked, 2);
}

/// V5 rebuilds `ops` (and narrows `ops_row`): a V4 file keeps its op log, and an edit of a row
/// whose insert op carries its fields (as V4 wrote them) still records the replaced stamp.
#[test]
fn v4_op_log_survives_v5() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    let insert = r#"{"name":"김민수","phone":"010-1111-2222"}"#;
    {
        let mut conn = Connection::open(&path).unwrap();
        dolbom::store::migrate_to(&mut conn, 4).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO meta (key, value) VALUES ('site_id', 'S1'), ('site_name', '옛 센터');
             INSERT INTO residents (id, site_id, hlc, name, phone) VALUES ('r1', 'S1', 7, '김민수', '010-1111-2222');
             INSERT INTO ops (origin, seq, hlc, tbl, row_id, kind, fields) VALUES ('S1', 1, 7, 'residents', 'r1', 'insert', '{insert}');"
        ))
        .unwrap();
    }
    let mut store = Store::open(&path, &opts()).unwrap();
    let mut tx = store.write().unwrap();
    assert!(
        tx.update("residents", "r1", &[("phone", Val::text("010-3333-4444"))])
            .unwrap()
    );
    tx.commit().unwrap();
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let ops: Vec<(i64, String, Option<String>, Option<String>)> = conn
        .prepare("SELECT seq, kind, fields, base FROM ops ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert_eq!(ops[0].2.as_deref(), Some(insert));
    assert_eq!(ops[1].1, "update");
    assert_eq!(ops[1].3.as_deref(), Some(r#"{"phone":[7,"S1"]}"#));
}
