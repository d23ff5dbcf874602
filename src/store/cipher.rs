//! Keying SQLite connections with SQLite3 Multiple Ciphers (vendor/libsqlite3-sys): the SQL
//! half of at-rest encryption (the key slots and file sniffing live in `crate::crypto`).
//!
//! The key is passed raw (`PRAGMA key = 'raw:<64 hex digits>'`), so sqlite3mc runs no PBKDF2 of
//! its own on open: the slow derivation is argon2id, once, when a key slot is unlocked.

use crate::crypto::{CIPHER, DbKey};
use rusqlite::{Connection, ErrorCode, OpenFlags};

/// Errors while keying a connection.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The key does not open this file (or the file is not a database at all).
    #[error("the key does not open this database")]
    WrongKey,
    /// The linked SQLite is not SQLite3 Multiple Ciphers: the `[patch.crates-io]` did not apply.
    #[error("the SQLite engine has no encryption (SQLite3 Multiple Ciphers is not linked)")]
    NotSqlite3mc,
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

impl From<EngineError> for rusqlite::Error {
    fn from(e: EngineError) -> rusqlite::Error {
        match e {
            EngineError::Sql(e) => e,
            EngineError::WrongKey => rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
                Some("the key does not open this database".into()),
            ),
            EngineError::NotSqlite3mc => rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISUSE),
                Some("SQLite3 Multiple Ciphers is not linked".into()),
            ),
        }
    }
}

/// The sqlite3mc release linked in (e.g. `SQLite3 Multiple Ciphers 2.6.1`), or
/// [`EngineError::NotSqlite3mc`] when the plain SQLite is linked instead.
pub fn engine_version(conn: &Connection) -> Result<String, EngineError> {
    match conn.query_row("SELECT sqlite3mc_version()", [], |r| r.get::<_, String>(0)) {
        Ok(v) => Ok(v),
        Err(rusqlite::Error::SqliteFailure(_, Some(msg))) if msg.contains("no such function") => {
            Err(EngineError::NotSqlite3mc)
        }
        Err(e) => Err(e.into()),
    }
}

/// The engine's version, asked of a throw-away in-memory connection (`--version`).
pub fn linked_engine() -> Option<String> {
    let conn = Connection::open_in_memory().ok()?;
    engine_version(&conn).ok()
}

/// Keys a freshly opened connection: must run before any other statement touches the file.
///
/// Selects [`CIPHER`] for a new file (an existing file's scheme must match: sqlite3mc does not
/// detect it), passes the raw key (no key derivation), then reads the schema once, so a wrong
/// key fails here with [`EngineError::WrongKey`] and nothing has been written. A new, empty
/// file is encrypted from its first page on.
pub fn apply_key(conn: &Connection, key: &DbKey) -> Result<(), EngineError> {
    // Nothing may run before the key: even `SELECT sqlite3mc_version()` loads the schema, which
    // fails on an encrypted file and sticks to the connection.
    run_pragma(conn, &format!("PRAGMA cipher = '{CIPHER}'"))?;
    let pragma = key.pragma_statement("key");
    run_pragma(conn, &pragma)?;
    check_readable(conn)?;
    // A plain SQLite ignores both pragmas and would store a new file unencrypted: refuse it.
    engine_version(conn)?;
    Ok(())
}

/// Reads the schema once; a wrong key (or a plain file opened with a key, or an encrypted one
/// opened without) shows up here as [`EngineError::WrongKey`].
pub fn check_readable(conn: &Connection) -> Result<(), EngineError> {
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
            Err(EngineError::WrongKey)
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens `target` (a path or a `file:` URI with [`OpenFlags::SQLITE_OPEN_URI`]) and, when a key
/// is given, keys it before anything else runs. Temp tables and sorts stay in memory (they are
/// never encrypted).
pub fn connect(
    target: impl AsRef<std::path::Path>,
    flags: OpenFlags,
    key: Option<&DbKey>,
) -> Result<Connection, EngineError> {
    let conn = Connection::open_with_flags(target, flags)?;
    if let Some(key) = key {
        apply_key(&conn, key)?;
    }
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// Changes the key of an open encrypted database in place (`dolbom db rekey`). sqlite3mc cannot
/// rekey a WAL database, so the journal is switched to DELETE around it.
pub fn rekey(conn: &Connection, new: &DbKey) -> Result<(), EngineError> {
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    let result = run_pragma(conn, &new.pragma_statement("rekey"));
    conn.pragma_update(None, "journal_mode", "WAL")?;
    result?;
    Ok(())
}

/// Runs a pragma whose result rows (sqlite3mc answers `ok` to some) are of no interest.
fn run_pragma(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// `file:` URI of a path (SQLite URI rules: `/` separators, `%XX` for anything unusual),
/// optionally `?immutable=1`.
pub fn file_uri(path: &std::path::Path, immutable: bool) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file:");
    if text.as_bytes().get(1) == Some(&b':') {
        uri.push('/'); // C:/… → file:/C:/…
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    if immutable {
        uri.push_str("?immutable=1");
    }
    uri
}

/// Runs `f` on a keyed read-write connection to `file` (maintenance and tests).
pub fn with_connection<T>(
    file: &super::DbFile,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> super::Result<T> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = connect(&file.path, flags, file.key.as_ref())
        .map_err(|e| super::sql_err(&file.path, e.into()))?;
    conn.busy_timeout(super::BUSY_TIMEOUT)
        .map_err(|e| super::sql_err(&file.path, e))?;
    f(&conn).map_err(|e| super::sql_err(&file.path, e))
}
