//! The SQLite3 Multiple Ciphers engine behind rusqlite (vendor/libsqlite3-sys): keying a
//! connection with a raw 32-byte key, telling an encrypted file from a plain one, and checking
//! that the engine really is sqlite3mc.
//!
//! The key is passed raw (`PRAGMA key = 'raw:<64 hex digits>'`), so sqlite3mc runs no PBKDF2 of
//! its own on open: the slow derivation is argon2id, once, when a key slot is unlocked.

use super::keyslots::DbKey;
use rusqlite::{Connection, ErrorCode};
use std::io::Read;
use std::path::Path;

pub use super::CIPHER;

/// The first 16 bytes of a plain SQLite file. An encrypted file starts with random salt instead.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

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

/// What the first bytes of a database file say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// No file, or an empty one.
    Empty,
    /// A plain SQLite database.
    Plain,
    /// Not a plain SQLite header: an encrypted database (or some other file; only a key tells).
    Encrypted,
}

/// Looks at the first 16 bytes of `path` without writing anything.
pub fn file_kind(path: &Path) -> std::io::Result<FileKind> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Empty),
        Err(e) => return Err(e),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileKind::Empty,
        16 if &head == SQLITE_MAGIC => FileKind::Plain,
        _ => FileKind::Encrypted,
    })
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

/// Runs a pragma whose result rows (sqlite3mc answers `ok` to some) are of no interest.
fn run_pragma(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}
