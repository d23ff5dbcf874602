//! The SQLite engine is SQLite3 Multiple Ciphers (vendor/libsqlite3-sys), and an encrypted file
//! holds no readable personal data, refuses a wrong key without changing a byte, and works the
//! way the store uses SQLite (WAL, 16 KiB pages). Plain files keep working as before.

use dolbom::crypto::engine::{self, FileKind};
use dolbom::crypto::{DbKey, KdfParams, KeySlots};
use dolbom::store::cipher::{self, EngineError};
use rusqlite::{Connection, ErrorCode, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const NAME: &str = "김민수";
const PHONE: &str = "010-9876-5432";
const NOTE: &str = "가족 갈등으로 위기 상담 요청, 기초수급 탈락 우려 NOTE-7f3a";

/// The pragmas `src/store/open.rs` `configure` sets.
fn configure(conn: &Connection) {
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.pragma_update(None, "page_size", 16_384).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn.pragma_update(None, "cache_size", -32_768).unwrap();
}

fn open(path: &Path, key: Option<&DbKey>) -> Connection {
    let conn = Connection::open(path).unwrap();
    if let Some(key) = key {
        cipher::apply_key(&conn, key).unwrap();
    }
    configure(&conn);
    conn
}

/// Creates the table and writes the resident plus enough filler to spread over several pages.
fn write_rows(conn: &mut Connection) {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS residents (
             id INTEGER PRIMARY KEY, name TEXT NOT NULL, phone TEXT, note TEXT);
         CREATE INDEX IF NOT EXISTS residents_name ON residents(name);",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute(
        "INSERT INTO residents (name, phone, note) VALUES (?1, ?2, ?3)",
        params![NAME, PHONE, NOTE],
    )
    .unwrap();
    for i in 0..500 {
        tx.execute(
            "INSERT INTO residents (name, phone, note) VALUES (?1, ?2, ?3)",
            params![
                format!("주민{i}"),
                format!("010-0000-{i:04}"),
                "메모 ".repeat(20)
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Every file in the folder and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn engine_is_sqlite3mc() {
    let conn = Connection::open_in_memory().unwrap();
    let version: String = conn
        .query_row("SELECT sqlite3mc_version()", [], |r| r.get(0))
        .unwrap();
    assert!(
        version.starts_with("SQLite3 Multiple Ciphers"),
        "unexpected engine: {version}"
    );
    assert_eq!(cipher::engine_version(&conn).unwrap(), version);
    // Temp tables and sorter spills are never encrypted, so they must stay in memory.
    let options: Vec<String> = conn
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        options.iter().any(|o| o == "TEMP_STORE=3"),
        "compile options: {options:?}"
    );
    // rusqlite's own bundled options are still there.
    for wanted in [
        "ENABLE_FTS5",
        "ENABLE_API_ARMOR",
        "DEFAULT_FOREIGN_KEYS",
        "THREADSAFE=1",
    ] {
        assert!(
            options.iter().any(|o| o.starts_with(wanted)),
            "missing {wanted}: {options:?}"
        );
    }
}

#[test]
fn encrypted_file_and_wal_hold_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enc.db");
    let key = DbKey::generate().unwrap();
    let mut conn = open(&path, Some(&key));
    write_rows(&mut conn);
    // The writes sit in the WAL while the connection is open.
    let wal = sidecar(&path, "-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0, "no WAL written");
    let mut checked = 0;
    for (name, bytes) in snapshot(dir.path()) {
        for secret in [NAME, PHONE, NOTE, "residents"] {
            assert!(!contains(&bytes, secret), "{secret:?} readable in {name}");
        }
        checked += 1;
    }
    assert!(checked >= 2, "expected the database and its WAL");
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 16_384);
    drop(conn);

    // After the last connection closes (checkpoint), the main file still holds nothing.
    assert_eq!(engine::file_kind(&path).unwrap(), FileKind::Encrypted);
    let bytes = std::fs::read(&path).unwrap();
    for secret in [NAME, PHONE, NOTE] {
        assert!(
            !contains(&bytes, secret),
            "{secret:?} readable after checkpoint"
        );
    }

    // And the key opens it again: the rows, an index lookup, a sort bigger than the cache.
    let conn = open(&path, Some(&key));
    let (phone, note): (String, String) = conn
        .query_row(
            "SELECT phone, note FROM residents WHERE name = ?1",
            [NAME],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((phone.as_str(), note.as_str()), (PHONE, NOTE));
    let count: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT note FROM residents ORDER BY note, phone DESC)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 501);
}

#[test]
fn the_same_writes_without_a_key_are_readable() {
    // The control for the test above: the byte search does find plain data.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    let mut conn = open(&path, None);
    write_rows(&mut conn);
    let wal = std::fs::read(sidecar(&path, "-wal")).unwrap();
    assert!(contains(&wal, NAME) && contains(&wal, PHONE) && contains(&wal, NOTE));
    drop(conn);
    assert_eq!(engine::file_kind(&path).unwrap(), FileKind::Plain);
    assert!(contains(&std::fs::read(&path).unwrap(), NOTE));
}

#[test]
fn wrong_key_or_no_key_fails_cleanly_and_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enc.db");
    let key = DbKey::generate().unwrap();
    let mut conn = open(&path, Some(&key));
    write_rows(&mut conn);
    drop(conn);
    let before = snapshot(dir.path());
    assert_eq!(before.len(), 1, "closed cleanly: {:?}", before.keys());

    let wrong = DbKey::generate().unwrap();
    let conn = Connection::open(&path).unwrap();
    assert!(matches!(
        cipher::apply_key(&conn, &wrong),
        Err(EngineError::WrongKey)
    ));
    drop(conn);
    // No key at all: SQLite says the file is not a database.
    let conn = Connection::open(&path).unwrap();
    let err = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert_eq!(err.sqlite_error_code(), Some(ErrorCode::NotADatabase));
    assert!(matches!(
        cipher::check_readable(&conn),
        Err(EngineError::WrongKey)
    ));
    drop(conn);
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a failed open changed the files"
    );

    // The right key still works afterwards.
    let conn = open(&path, Some(&key));
    let n: i64 = conn
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 501);
}

#[test]
fn wrong_key_leaves_a_live_wal_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enc.db");
    let key = DbKey::generate().unwrap();
    let mut writer = open(&path, Some(&key));
    writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    write_rows(&mut writer);
    let db_before = std::fs::read(&path).unwrap();
    let wal_before = std::fs::read(sidecar(&path, "-wal")).unwrap();
    assert!(!wal_before.is_empty());

    let intruder = Connection::open(&path).unwrap();
    assert!(matches!(
        cipher::apply_key(&intruder, &DbKey::generate().unwrap()),
        Err(EngineError::WrongKey)
    ));
    drop(intruder);
    assert_eq!(std::fs::read(&path).unwrap(), db_before);
    assert_eq!(std::fs::read(sidecar(&path, "-wal")).unwrap(), wal_before);

    let n: i64 = writer
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 501);
}

#[test]
fn a_key_on_a_plain_file_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    let mut conn = open(&plain, None);
    write_rows(&mut conn);
    drop(conn);
    let before = std::fs::read(&plain).unwrap();
    let conn = Connection::open(&plain).unwrap();
    assert!(matches!(
        cipher::apply_key(&conn, &DbKey::generate().unwrap()),
        Err(EngineError::WrongKey)
    ));
    drop(conn);
    assert_eq!(std::fs::read(&plain).unwrap(), before);
}

#[test]
fn vacuum_into_a_backup_keeps_it_encrypted() {
    // open.rs makes `<db>.bak-vN` with VACUUM INTO before a migration.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enc.db");
    let key = DbKey::generate().unwrap();
    let mut conn = open(&path, Some(&key));
    write_rows(&mut conn);
    let bak = dir.path().join("enc.db.bak-v1");
    conn.execute("VACUUM INTO ?1", [bak.to_string_lossy()])
        .unwrap();
    drop(conn);
    let bytes = std::fs::read(&bak).unwrap();
    assert_eq!(engine::file_kind(&bak).unwrap(), FileKind::Encrypted);
    for secret in [NAME, PHONE, NOTE] {
        assert!(
            !contains(&bytes, secret),
            "{secret:?} readable in the backup"
        );
    }
    let copy = open(&bak, Some(&key));
    let n: i64 = copy
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 501);
}

#[test]
fn rekey_changes_the_key_in_place() {
    // `dolbom db rekey`: sqlite3mc cannot rekey in WAL mode, so the journal is switched first.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enc.db");
    let old = DbKey::generate().unwrap();
    let new = DbKey::generate().unwrap();
    let mut conn = open(&path, Some(&old));
    write_rows(&mut conn);
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    conn.execute_batch(&new.pragma_statement("rekey")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    drop(conn);
    let conn = Connection::open(&path).unwrap();
    assert!(matches!(
        cipher::apply_key(&conn, &old),
        Err(EngineError::WrongKey)
    ));
    drop(conn);
    let conn = open(&path, Some(&new));
    let n: i64 = conn
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 501);
}

#[test]
fn a_plain_database_encrypts_by_vacuum_into_a_keyed_uri() {
    // `dolbom db encrypt`: VACUUM INTO a keyed URI writes an encrypted copy (no plain copy ever
    // reaches the disk), which is then fsynced and renamed over the plain file.
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    let mut conn = open(&plain, None);
    write_rows(&mut conn);
    conn.pragma_update(None, "user_version", 7).unwrap();
    let key = DbKey::generate().unwrap();
    let enc = dir.path().join("enc.db.tmp");
    let uri = format!(
        "file:{}?cipher={}&key={}",
        enc.to_string_lossy().replace('\\', "/"),
        engine::CIPHER,
        key.raw_key_string().as_str()
    );
    conn.execute("VACUUM INTO ?1", [&uri]).unwrap();
    drop(conn);
    let bytes = std::fs::read(&enc).unwrap();
    assert_eq!(engine::file_kind(&enc).unwrap(), FileKind::Encrypted);
    for secret in [NAME, PHONE, NOTE] {
        assert!(!contains(&bytes, secret), "{secret:?} readable in the copy");
    }
    let conn = open(&enc, Some(&key));
    let n: i64 = conn
        .query_row("SELECT count(*) FROM residents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 501);
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 7);
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 16_384);
}

#[test]
fn a_key_slot_unlock_opens_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enc.db");
    let (slots, key) =
        KeySlots::create("관리자", "관리자 비밀번호", KdfParams::INSECURE_FAST).unwrap();
    let mut conn = open(&path, Some(&key));
    write_rows(&mut conn);
    drop(conn);
    slots.save(&sidecar(&path, ".keys")).unwrap();
    let slots = KeySlots::load(&sidecar(&path, ".keys")).unwrap();
    let unlocked = slots.unlock("관리자", "관리자 비밀번호").unwrap();
    let conn = open(&path, Some(&unlocked));
    let name: String = conn
        .query_row(
            "SELECT name FROM residents WHERE phone = ?1",
            [PHONE],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, NAME);
}
