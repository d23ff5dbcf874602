//! The persisted search index (issue #18): one encoded blob in `search_index`, with the format
//! it was written in, the change count it was built at and a checksum; `search_state.changes`
//! counts every change to what the index holds (triggers on `residents` and `cases`, migration
//! V_INDEX, so each change bumps it in its own transaction). The store only keeps bytes; the
//! encoding lives in `crate::search`. Kept in the database, the blob is encrypted with it.

use super::residents::{dirty_records, read_records};
use super::{Result, SearchRecord, Store};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// Migration: the residents changed since the stored index was written (`search_dirty`, kept by
/// the same triggers that count changes, in the writing transaction), and the change count the
/// list starts from (`search_state.since`; -1 until an index is first stored with it). A stored
/// index built at `since` plus the current records of those residents is the current index, so
/// a day's changes cost a start a few reads instead of a rebuild (at 1M residents: ~0.1 s, not
/// 3.5 s). Storing an index empties the list in its transaction.
pub(super) const V_INDEX_DELTA: &str = r#"
CREATE TABLE IF NOT EXISTS search_dirty (resident INTEGER PRIMARY KEY);
ALTER TABLE search_state ADD COLUMN since INTEGER NOT NULL DEFAULT -1;
DROP TRIGGER IF EXISTS search_residents_insert;
DROP TRIGGER IF EXISTS search_residents_delete;
DROP TRIGGER IF EXISTS search_residents_update;
DROP TRIGGER IF EXISTS search_cases_insert;
DROP TRIGGER IF EXISTS search_cases_delete;
DROP TRIGGER IF EXISTS search_cases_update;
CREATE TRIGGER search_residents_insert AFTER INSERT ON residents BEGIN
    UPDATE search_state SET changes = changes + 1;
    INSERT OR IGNORE INTO search_dirty (resident) VALUES (NEW.rowid);
END;
CREATE TRIGGER search_residents_delete AFTER DELETE ON residents BEGIN
    UPDATE search_state SET changes = changes + 1;
    INSERT OR IGNORE INTO search_dirty (resident) VALUES (OLD.rowid);
END;
CREATE TRIGGER search_residents_update
    AFTER UPDATE OF name, birth_date, phone, dong, risks, flags, deleted ON residents BEGIN
    UPDATE search_state SET changes = changes + 1;
    INSERT OR IGNORE INTO search_dirty (resident) VALUES (OLD.rowid), (NEW.rowid);
END;
CREATE TRIGGER search_cases_insert AFTER INSERT ON cases BEGIN
    UPDATE search_state SET changes = changes + 1;
    INSERT OR IGNORE INTO search_dirty (resident)
        SELECT rowid FROM residents WHERE id = NEW.resident_id;
END;
CREATE TRIGGER search_cases_delete AFTER DELETE ON cases BEGIN
    UPDATE search_state SET changes = changes + 1;
    INSERT OR IGNORE INTO search_dirty (resident)
        SELECT rowid FROM residents WHERE id = OLD.resident_id;
END;
CREATE TRIGGER search_cases_update
    AFTER UPDATE OF resident_id, stage, worker, category, last_activity, deleted ON cases BEGIN
    UPDATE search_state SET changes = changes + 1;
    INSERT OR IGNORE INTO search_dirty (resident)
        SELECT rowid FROM residents WHERE id IN (OLD.resident_id, NEW.resident_id);
END;
"#;

/// Changed residents a stored index is brought up to date with at most; more than this (a
/// large import or sync) and it is rebuilt from every resident instead.
pub const DELTA_MAX: i64 = 20_000;

/// What a stored index read found: the change count it now stands for, the decoded (and
/// refreshed) value, and how many changed residents were applied to it (0: the blob was
/// current as stored).
pub type Found<T> = (i64, T, usize);

/// Brings a decoded index up to date: the rowids of the residents changed since it was stored
/// (sorted) and the live ones' current records (sorted by rowid; a rowid missing there is a
/// resident deleted since). `None`: it cannot be (rebuild it).
pub type RefreshIndex<'f, T> = &'f mut dyn FnMut(T, &[i64], Vec<SearchRecord>) -> Option<T>;

/// A fast 64-bit checksum over `data` (8 bytes at a time): it detects damage, it is not a
/// defence against someone who can write the file (the database's own encryption is).
pub fn checksum(data: &[u8]) -> i64 {
    let mut c = Checksum::new(data.len() as u64);
    c.update(data);
    c.finish()
}

const SUM_K: u64 = 0x9E37_79B9_7F4A_7C15;

/// [`checksum`] over data that arrives in pieces (the blob read a chunk at a time); the total
/// length is known up front.
#[derive(Debug, Clone)]
pub struct Checksum {
    h: u64,
    carry: [u8; 8],
    held: usize,
}

impl Checksum {
    pub fn new(len: u64) -> Checksum {
        Checksum {
            h: 0xD6E8_FEB8_6659_FD93u64 ^ len.wrapping_mul(SUM_K),
            carry: [0; 8],
            held: 0,
        }
    }

    fn word(&mut self, w: [u8; 8]) {
        self.h = (self.h ^ u64::from_le_bytes(w))
            .wrapping_mul(SUM_K)
            .rotate_left(29);
    }

    pub fn update(&mut self, mut data: &[u8]) {
        if self.held > 0 {
            let take = (8 - self.held).min(data.len());
            self.carry[self.held..self.held + take].copy_from_slice(&data[..take]);
            self.held += take;
            data = &data[take..];
            if self.held < 8 {
                return;
            }
            self.word(self.carry);
            self.held = 0;
        }
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(w);
        }
        let rest = chunks.remainder();
        self.carry[..rest.len()].copy_from_slice(rest);
        self.held = rest.len();
    }

    pub fn finish(mut self) -> i64 {
        for i in 0..self.held {
            self.h = (self.h ^ u64::from(self.carry[i]))
                .wrapping_mul(SUM_K)
                .rotate_left(29);
        }
        self.h ^= self.h >> 32;
        self.h as i64
    }
}

/// A blob read that feeds what it reads to a [`Checksum`].
struct Summing<R> {
    inner: R,
    sum: Checksum,
}

impl<R: std::io::Read> std::io::Read for Summing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }
}

/// Bytes of the blob handed from the reading thread to the decoding one at a time.
const PIPE_CHUNK: usize = 64 * 1024;
/// Chunks read ahead of the decoder at most (so at most `PIPE_DEPTH + 2` chunks exist at once:
/// 640 KiB, whatever the size of the index).
const PIPE_DEPTH: usize = 8;
/// A blob this large or smaller is decoded on the reading thread: at 100k residents (4 MB) a
/// second thread saves nothing measurable and its heap costs 2–3 MB of RSS; at 1M (42 MB) it
/// takes a fifth off the load.
const PIPE_MIN: u64 = 8 << 20;

/// The decoding end of the pipe: reads the chunks the blob's reader sends, and hands each back
/// for reuse once consumed. The end of the data (or a reader that stopped) reads as end of file.
struct PipeReader {
    full: std::sync::mpsc::Receiver<Vec<u8>>,
    empty: std::sync::mpsc::Sender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl std::io::Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            let Ok(next) = self.full.recv() else {
                return Ok(0);
            };
            let used = std::mem::replace(&mut self.current, next);
            let _ = self.empty.send(used);
            self.at = 0;
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Decodes `len` bytes of `blob` with `decode` and checksums them: for a blob of more than
/// `pipe_min` bytes, the blob is read and summed on this thread while `decode` runs on a second
/// one (reading and decoding take about as long each; at 1M residents the TUI's index is ready
/// in 141 ms instead of 192 ms at load 6, #18). Returns the decoded value and the checksum of
/// every byte read (`None` when the blob could not be read whole or did not decode).
fn decode_blob<T: Send>(
    blob: &mut impl std::io::Read,
    len: u64,
    pipe_min: u64,
    decode: DecodeIndex<'_, T>,
) -> (Option<T>, i64) {
    if len <= pipe_min {
        let mut reader = Summing {
            inner: blob,
            sum: Checksum::new(len),
        };
        let decoded = decode(&mut reader, len);
        return (decoded, reader.sum.finish());
    }
    let mut sum = Checksum::new(len);
    let (full_tx, full) = std::sync::mpsc::sync_channel::<Vec<u8>>(PIPE_DEPTH);
    let (empty, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let decoded = std::thread::scope(|s| {
        let decoder = s.spawn(move || {
            let mut pipe = PipeReader {
                full,
                empty,
                current: Vec::new(),
                at: 0,
            };
            decode(&mut pipe, len)
        });
        let mut left = len;
        while left > 0 {
            let mut chunk = empty_rx
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(PIPE_CHUNK));
            chunk.resize(
                PIPE_CHUNK.min(usize::try_from(left).unwrap_or(PIPE_CHUNK)),
                0,
            );
            if blob.read_exact(&mut chunk).is_err() {
                break;
            }
            sum.update(&chunk);
            left -= chunk.len() as u64;
            // The decoder stopped early (damaged data): nothing more to hand it.
            if full_tx.send(chunk).is_err() {
                break;
            }
        }
        // The decoder sees the end of the data (and a short blob as a short read).
        drop(full_tx);
        let decoded = decoder.join().ok().flatten();
        (decoded, left == 0)
    });
    match decoded {
        (decoded, true) => (decoded, sum.finish()),
        (_, false) => (None, sum.finish()),
    }
}

/// Residents' names by rowid (live residents only), for checking a stored index against the
/// database it was read from, within the same read.
pub struct NameLookup<'a> {
    conn: &'a Connection,
}

impl NameLookup<'_> {
    pub fn names(&self, rowids: &[i64]) -> Result<HashMap<i64, String>> {
        self.read(rowids)
            .map_err(|e| super::StoreError::Invalid(format!("SQLite: {e}")))
    }

    fn read(&self, rowids: &[i64]) -> rusqlite::Result<HashMap<i64, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM residents WHERE rowid = ?1 AND deleted = 0")?;
        let mut out = HashMap::new();
        for &rowid in rowids {
            if let Some(name) = stmt
                .query_row([rowid], |r| r.get::<_, String>(0))
                .optional()?
            {
                out.insert(rowid, name);
            }
        }
        Ok(out)
    }
}

/// Decodes a stored index from a stream of `len` bytes (`None`: damaged). It runs on a thread
/// of its own while the blob is read (see [`decode_blob`]), hence `Send`.
pub type DecodeIndex<'f, T> = &'f mut (dyn FnMut(&mut dyn std::io::Read, u64) -> Option<T> + Send);
/// Checks a decoded index against the database (`false`: it does not describe it).
pub type VerifyIndex<'f, T> = &'f mut dyn FnMut(&T, &NameLookup<'_>) -> Result<bool>;

/// The stored index in one read transaction on `conn`: `Some((changes, decoded))` when it is in
/// `format`, was built at the current change count, decodes, its checksum holds and `verify`
/// accepts it. The blob is streamed (SQLite's incremental blob I/O) into the decoder a chunk at
/// a time, read on this thread and decoded on another ([`decode_blob`]), so no copy of it is
/// ever held whole; a stale index is not read at all.
fn read_stored<T: Send>(
    conn: &Connection,
    format: i64,
    decode: DecodeIndex<'_, T>,
    refresh: RefreshIndex<'_, T>,
    verify: VerifyIndex<'_, T>,
) -> rusqlite::Result<Option<Found<T>>> {
    let tx = conn.unchecked_transaction()?;
    let Some(now) = changes(&tx)? else {
        return Ok(None);
    };
    let head = tx
        .query_row(
            "SELECT format, changes, checksum, length(data) FROM search_index WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((f, built, expected, len)) = head else {
        return Ok(None);
    };
    if f != format {
        return Ok(None);
    }
    // Stale: current again with the residents changed since, when the list of them starts at
    // this blob and is short.
    let dirty = if built == now {
        Vec::new()
    } else {
        match dirty_since(&tx, built)? {
            Some(rowids) => rowids,
            None => return Ok(None),
        }
    };
    let len = u64::try_from(len).unwrap_or(0);
    let (decoded, actual) = {
        let mut blob = tx.blob_open(rusqlite::MAIN_DB, c"search_index", c"data", 1, true)?;
        decode_blob(&mut blob, len, PIPE_MIN, decode)
    };
    let Some(mut value) = decoded.filter(|_| actual == expected) else {
        return Ok(None);
    };
    if built != now {
        let records = dirty_records(&tx)?;
        match refresh(value, &dirty, records) {
            Some(v) => value = v,
            None => return Ok(None),
        }
    }
    // A check that cannot run (the database is unreadable) trusts nothing: rebuild.
    let ok = verify(&value, &NameLookup { conn: &tx }).unwrap_or(false);
    tx.commit()?;
    Ok(ok.then_some((now, value, dirty.len())))
}

/// The residents changed since change count `built` (sorted rowids), when the list starts
/// there and holds at most [`DELTA_MAX`]; `None` otherwise (or before migration V_INDEX_DELTA).
fn dirty_since(conn: &Connection, built: i64) -> rusqlite::Result<Option<Vec<i64>>> {
    let since: Option<i64> = conn
        .query_row("SELECT since FROM search_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()
        .ok()
        .flatten();
    if since != Some(built) {
        return Ok(None);
    }
    let mut stmt = conn.prepare("SELECT resident FROM search_dirty ORDER BY resident LIMIT ?1")?;
    let rowids = stmt
        .query_map([DELTA_MAX + 1], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok((rowids.len() as i64 <= DELTA_MAX).then_some(rowids))
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

/// Page cache (KiB, as `PRAGMA cache_size` takes it: negative) while a stored index is read.
const READ_CACHE_KIB: i64 = -256;

/// A missing table (a database from before V_INDEX opened read-only) or a damaged row reads as
/// "no stored index" (the caller rebuilds it).
fn quiet_missing<T>(r: rusqlite::Result<Option<T>>) -> rusqlite::Result<Option<T>> {
    match r {
        Err(rusqlite::Error::SqliteFailure(..))
        | Err(rusqlite::Error::InvalidColumnType(..))
        | Err(rusqlite::Error::FromSqlConversionFailure(..)) => Ok(None),
        other => other,
    }
}

/// The stored index through a separate read-only connection with a small page cache (gone with
/// the connection), so a worker thread can load it while the first frame shows:
/// `Some((changes, decoded))` when it is in `format`, built at the current change count,
/// decodes, its checksum holds and `verify` accepts it; `None` means "rebuild it".
pub fn stored_search_index_at<T: Send>(
    file: &super::DbFile,
    format: i64,
    decode: DecodeIndex<'_, T>,
    refresh: RefreshIndex<'_, T>,
    verify: VerifyIndex<'_, T>,
) -> Result<Option<Found<T>>> {
    let err = |e| super::sql_err(file.path(), e);
    let conn = match file.connect_read_only(false) {
        Err(e) if super::open::is_read_only(&e) => file.connect_read_only(true),
        other => other,
    }
    .map_err(err)?;
    let _ = conn.pragma_update(None, "cache_size", READ_CACHE_KIB);
    quiet_missing(read_stored(&conn, format, decode, refresh, verify)).map_err(err)
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

    /// The stored index when it is current and sound (see [`stored_search_index_at`]), read
    /// through this store's connection with its page cache held small meanwhile (the blob is
    /// MBs and read once; the cache keeps its size for everything else).
    pub fn stored_search_index<T: Send>(
        &self,
        format: i64,
        decode: DecodeIndex<'_, T>,
        refresh: RefreshIndex<'_, T>,
        verify: VerifyIndex<'_, T>,
    ) -> Result<Option<Found<T>>> {
        let conn = self.conn();
        let cache: Option<i64> = conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).ok();
        let _ = conn.pragma_update(None, "cache_size", READ_CACHE_KIB);
        let read = read_stored(conn, format, decode, refresh, verify);
        if let Some(c) = cache {
            let _ = conn.pragma_update(None, "cache_size", c);
        }
        let _ = conn.execute_batch("PRAGMA shrink_memory");
        quiet_missing(read).map_err(|e| self.sql_err(e))
    }

    /// Sets this connection's page cache to at most `kib` KiB (the store opens with 32 MiB for
    /// bulk work; the TUI's own connection only looks up rows a screenful at a time, so a
    /// smaller cache keeps its memory down, #18).
    pub fn set_page_cache_kib(&self, kib: u32) -> Result<()> {
        self.conn()
            .pragma_update(None, "cache_size", -i64::from(kib))
            .map_err(|e| self.sql_err(e))
    }

    /// Stores an index built at change count `changes`, unless something changed since (then it
    /// is already stale and is not written), and starts the list of residents changed since it
    /// (one transaction). Returns whether it was written.
    pub fn store_search_index(&self, format: i64, changes: i64, data: &[u8]) -> Result<bool> {
        let write = || -> rusqlite::Result<bool> {
            let tx = self.conn().unchecked_transaction()?;
            let n = tx.execute(
                "INSERT OR REPLACE INTO search_index (id, format, changes, checksum, data)
                 SELECT 1, ?1, ?2, ?3, ?4 WHERE (SELECT changes FROM search_state WHERE id = 1) = ?2",
                params![format, changes, checksum(data), data],
            )?;
            if n == 1 {
                tx.execute("DELETE FROM search_dirty", [])?;
                tx.execute("UPDATE search_state SET since = ?1 WHERE id = 1", [changes])?;
            }
            tx.commit()?;
            Ok(n == 1)
        };
        write().map_err(|e| self.sql_err(e))
    }

    /// Starts the list of residents changed since the stored index at `changes`, when the
    /// blob was built there, nothing changed since and the list starts elsewhere (one
    /// transaction; a no-op otherwise, without a write).
    pub fn start_search_changes(&self, changes: i64) -> Result<()> {
        let write = || -> rusqlite::Result<()> {
            let conn = self.conn();
            let since: Option<i64> = conn
                .query_row("SELECT since FROM search_state WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .optional()?;
            if since == Some(changes) {
                return Ok(());
            }
            let tx = conn.unchecked_transaction()?;
            let n = tx.execute(
                "UPDATE search_state SET since = ?1 WHERE id = 1 AND changes = ?1
                 AND (SELECT changes FROM search_index WHERE id = 1) = ?1",
                [changes],
            )?;
            if n == 1 {
                tx.execute("DELETE FROM search_dirty", [])?;
            }
            tx.commit()
        };
        write().map_err(|e| self.sql_err(e))
    }

    /// Residents on the list of those changed since the stored index (tests).
    #[doc(hidden)]
    pub fn search_dirty_count(&self) -> Result<i64> {
        self.conn()
            .query_row("SELECT count(*) FROM search_dirty", [], |r| r.get(0))
            .map_err(|e| self.sql_err(e))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// Reads the whole stream and returns it (the decoder every test below wraps).
    fn read_all(src: &mut dyn std::io::Read, len: u64) -> Option<Vec<u8>> {
        let mut out = vec![0u8; usize::try_from(len).ok()?];
        src.read_exact(&mut out).ok()?;
        Some(out)
    }

    #[test]
    fn a_blob_larger_than_a_chunk_is_decoded_on_a_second_thread_whole_and_summed() {
        for n in [10, PIPE_CHUNK, PIPE_CHUNK + 1, 9 * PIPE_CHUNK + 123] {
            let d = data(n);
            let (decoded, sum) = decode_blob(
                &mut d.as_slice(),
                n as u64,
                PIPE_CHUNK as u64,
                &mut read_all,
            );
            assert_eq!(decoded.as_deref(), Some(d.as_slice()), "{n} bytes");
            assert_eq!(sum, checksum(&d), "{n} bytes");
        }
    }

    #[test]
    fn a_decoder_that_gives_up_or_a_short_blob_gives_nothing_and_never_hangs() {
        let d = data(20 * PIPE_CHUNK);
        // Damaged data: the decoder stops after a few bytes while the reader has many chunks
        // left (it must not block on a full pipe).
        let (decoded, _) = decode_blob(&mut d.as_slice(), d.len() as u64, 0, &mut |src, _| {
            let mut b = [0u8; 16];
            src.read_exact(&mut b).ok()?;
            None::<()>
        });
        assert!(decoded.is_none());
        // The blob holds less than its stated length.
        let short = &d[..5 * PIPE_CHUNK + 7];
        let (decoded, _) = decode_blob(&mut &short[..], d.len() as u64, 0, &mut read_all);
        assert!(decoded.is_none());
        // A decoder that stops before the end: the checksum cannot cover the blob, so its
        // answer is not trusted.
        let (decoded, _) = decode_blob(&mut d.as_slice(), d.len() as u64, 0, &mut |src, _| {
            let mut b = vec![0u8; PIPE_CHUNK * 3];
            src.read_exact(&mut b).ok()?;
            Some(b.len())
        });
        assert!(decoded.is_none());
    }
}
