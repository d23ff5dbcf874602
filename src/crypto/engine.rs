//! Telling an encrypted database file from a plain one without opening it. The SQL that keys a
//! connection lives in `crate::store::cipher` (crypto is a util layer below the store).

use std::io::Read;
use std::path::Path;

pub use super::CIPHER;

/// The first 16 bytes of a plain SQLite file. An encrypted file starts with random salt instead.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

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
