//! The persisted search index (issue #18): one encoded blob in `search_index`, with the format
//! it was written in, the change count it was built at and a checksum; `search_state.changes`
//! counts every change to what the index holds (triggers on `residents` and `cases`, migration
//! V_INDEX, so each change bumps it in its own transaction). The store only keeps bytes; the
//! encoding lives in `crate::search`. Kept in the database, the blob is encrypted with it.

use super::residents::read_records;
use super::{Result, SearchRecord, Store};
use rusqlite::{Connection, OptionalExtension, params};

/// A fast 64-bit checksum over `data` (8 bytes at a time): it detects damage, it is not a
/// defence against someone who can write the file (the database's own encryption is).
pub fn checksum(data: &[u8]) -> i64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = 0xD6E8_FEB8_6659_FD93u64 ^ (data.len() as u64).wrapping_mul(K);
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h ^= h >> 32;
    h as i64
}

fn changes(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT changes FROM search_state WHERE id = 1", [], |r| {
        r.get(0)
    })
    .optional()
}

/// Reads every live resident's search record in one read transaction, with the change count
/// they stand for (`None` on a database without the counter).
fn snapshot(conn: &Connection, each: impl FnMut(SearchRecord)) -> rusqlite::Result<Option<i64>> {
    let tx = conn.unchecked_transaction()?;
    let n = changes(&tx).ok().flatten();
    read_records(&tx, each)?;
    tx.commit()?;
    Ok(n)
}

/// [`Store::search_snapshot`] through a separate read-only connection, so a background thread
/// can build the index while the UI runs.
pub fn search_snapshot_at(
    file: &super::DbFile,
    mut each: impl FnMut(SearchRecord),
) -> Result<Option<i64>> {
    let err = |e| super::sql_err(file.path(), e);
    // Keyed when the file is encrypted; a WAL file in a folder we may not write is read as an
    // immutable file (as `for_each_search_record` does).
    let mut delivered = false;
    let first = file.connect_read_only(false).and_then(|conn| {
        snapshot(&conn, |r| {
            delivered = true;
            each(r)
        })
    });
    match first {
        Err(e) if super::open::is_read_only(&e) && !delivered => file
            .connect_read_only(true)
            .and_then(|conn| snapshot(&conn, each))
            .map_err(err),
        other => other.map_err(err),
    }
}

impl Store {
    /// The change count of what the search index holds (`None` before migration V_INDEX).
    pub fn search_changes(&self) -> Result<Option<i64>> {
        changes(self.conn()).map_err(|e| self.sql_err(e))
    }

    /// Every live resident's search record and the change count they stand for, read in one
    /// transaction.
    pub fn search_snapshot(&self, each: impl FnMut(SearchRecord)) -> Result<Option<i64>> {
        snapshot(self.conn(), each).map_err(|e| self.sql_err(e))
    }

    /// The stored index, decoded by `decode` straight from SQLite's buffer (no copy of the
    /// blob), if it is in `format` and its checksum holds: `(changes it was built at, decoded)`.
    /// `None` when there is none or it is damaged (the caller rebuilds it). The page cache the
    /// read filled is released afterwards (the blob is several MB and read once).
    pub fn stored_search_index<T>(
        &self,
        format: i64,
        decode: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Result<Option<(i64, T)>> {
        let row = self
            .conn()
            .query_row(
                "SELECT format, changes, checksum, data FROM search_index WHERE id = 1",
                [],
                |r| {
                    let (f, changes, sum) = (
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    );
                    let data = r.get_ref(3)?.as_blob()?;
                    if f != format || checksum(data) != sum {
                        return Ok(None);
                    }
                    Ok(decode(data).map(|t| (changes, t)))
                },
            )
            .optional();
        let _ = self.conn().execute_batch("PRAGMA shrink_memory");
        match row {
            Ok(row) => Ok(row.flatten()),
            // No table (a database from before V_INDEX opened read-only), or a damaged row.
            Err(rusqlite::Error::SqliteFailure(..))
            | Err(rusqlite::Error::InvalidColumnType(..))
            | Err(rusqlite::Error::FromSqlConversionFailure(..)) => Ok(None),
            Err(e) => Err(self.sql_err(e)),
        }
    }

    /// Stores an index built at change count `changes`, unless something changed since (then it
    /// is already stale and is not written). Returns whether it was written.
    pub fn store_search_index(&self, format: i64, changes: i64, data: &[u8]) -> Result<bool> {
        let n = self
            .conn()
            .execute(
                "INSERT OR REPLACE INTO search_index (id, format, changes, checksum, data)
                 SELECT 1, ?1, ?2, ?3, ?4 WHERE (SELECT changes FROM search_state WHERE id = 1) = ?2",
                params![format, changes, checksum(data), data],
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(n == 1)
    }

    /// Overwrites bytes of the stored blob in place (tests: simulate damage).
    #[doc(hidden)]
    pub fn damage_search_index(&self, at: usize, bytes: &[u8]) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE search_index
                 SET data = CAST(substr(data, 1, ?1) || ?2 || substr(data, ?1 + 1 + ?3) AS BLOB)
                 WHERE id = 1",
                params![at as i64, bytes, bytes.len() as i64],
            )
            .map(|_| ())
            .map_err(|e| self.sql_err(e))
    }
}
