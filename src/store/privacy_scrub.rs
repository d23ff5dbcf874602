//! The one-time scrub of 주민등록번호-shaped text (issue #20 item 1), run by the migration
//! `V_PRIVACY` (see `schema`): every stored copy of a free-text value is masked with
//! [`crate::privacy::mask_rrn_in_field`], the same function every new write passes through.
//!
//! What it rewrites: the synced tables' text columns (entries too: their append-only guard
//! triggers are dropped and re-created around the scrub), the op log's `fields` (every past
//! value of every field, local or received), and the conflict copies (`kept_value`,
//! `lost_value`). `PRAGMA secure_delete` is on, so the freed bytes of the old values are zeroed.
//! It runs inside the migration's one transaction: all of it commits with the version bump or
//! none of it does (a crash leaves the old version, and the next open runs it again; masking
//! is idempotent).
//!
//! After the migration commits, the next open ([`finish_pending`]) rewrites dolbom's own backups
//! (`<db>.bak-vN`, made before each migration, the one made just before this one included) the
//! same way and VACUUMs them, checkpoints the WAL (so the main file's old pages are replaced),
//! and writes one audit row with the counts (never a number). Backups are **rewritten, not
//! deleted**: each is the way back from a migration gone wrong, and after the scrub it differs
//! from the original only in the masked digits. A backup that cannot be read (an encrypted one
//! opened without its key) is left as it is and counted as such.

use super::audit::Event;
use super::schema::{ROW_META, SYNCED_TABLES};
use super::{Result, Store};
use crate::model::AuditAction;
use crate::privacy::mask_rrn_in_field;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `meta` key holding the scrub's counts until [`finish_pending`] has audited them.
const PENDING_KEY: &str = "privacy_scrub_pending";

/// Per table: rows (or ops, conflicts) rewritten and numbers masked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScrubCounts {
    pub per_table: BTreeMap<String, (u64, u64)>,
}

impl ScrubCounts {
    fn add(&mut self, table: &str, numbers: usize) {
        let e = self.per_table.entry(table.to_owned()).or_default();
        e.0 += 1;
        e.1 += numbers as u64;
    }
    /// Numbers masked in all.
    pub fn numbers(&self) -> u64 {
        self.per_table.values().map(|(_, n)| n).sum()
    }
    /// `residents 2/3 · ops 4/5` (rows/numbers), or `0`.
    pub fn summary(&self) -> String {
        if self.per_table.is_empty() {
            return "0".to_owned();
        }
        self.per_table
            .iter()
            .map(|(t, (rows, n))| format!("{t} {rows}/{n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// Runs inside the migration `V_PRIVACY`: scrubs and leaves the counts for [`finish_pending`].
pub(super) fn run_in_migration(conn: &Connection) -> rusqlite::Result<()> {
    let counts = scrub(conn)?;
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![PENDING_KEY, counts.summary()],
    )?;
    Ok(())
}

fn table_exists(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )
}

/// Masks every stored copy of RRN-shaped text on `conn` (call inside a transaction). Works on a
/// database of any schema version (backups are older): it reads the columns that are there.
pub fn scrub(conn: &Connection) -> rusqlite::Result<ScrubCounts> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let mut counts = ScrubCounts::default();
    for table in SYNCED_TABLES {
        if table_exists(conn, table)? {
            scrub_table(conn, table, &mut counts)?;
        }
    }
    if table_exists(conn, "ops")? {
        scrub_ops(conn, &mut counts)?;
    }
    if table_exists(conn, "conflicts")? {
        scrub_conflicts(conn, &mut counts)?;
    }
    Ok(counts)
}

/// The text columns of `table` that may hold free text.
fn text_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let cols = stmt
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(cols
        .into_iter()
        .filter(|(name, ty)| {
            ty.to_ascii_uppercase().contains("TEXT")
                && !ROW_META.contains(&name.as_str())
                && !crate::privacy::is_identifier_column(name)
        })
        .map(|(name, _)| name)
        .collect())
}

/// A row's id, its masked columns (index into the column list, new value) and the count.
type RowChanges = (String, Vec<(usize, String)>, usize);

fn scrub_table(conn: &Connection, table: &str, counts: &mut ScrubCounts) -> rusqlite::Result<()> {
    let cols = text_columns(conn, table)?;
    if cols.is_empty() {
        return Ok(());
    }
    let mut changes: Vec<RowChanges> = Vec::new();
    {
        let sql = format!("SELECT id, {} FROM {table}", cols.join(", "));
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let mut row_changes = Vec::new();
            let mut numbers = 0;
            for (i, col) in cols.iter().enumerate() {
                let Some(value) = r.get::<_, Option<String>>(i + 1)? else {
                    continue;
                };
                let (masked, n) = mask_rrn_in_field(col, &value);
                if n > 0 {
                    row_changes.push((i, masked.into_owned()));
                    numbers += n;
                }
            }
            if !row_changes.is_empty() {
                changes.push((r.get(0)?, row_changes, numbers));
            }
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    // Append-only guards (`RAISE(ABORT …)` triggers, e.g. on entries) would refuse the scrub:
    // drop them for it and put them back exactly as they were.
    let guards: Vec<(String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'trigger' AND tbl_name = ?1 AND sql LIKE '%RAISE(ABORT%'",
        )?;
        stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    for (name, _) in &guards {
        conn.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")))?;
    }
    for (id, row_changes, numbers) in changes {
        for (i, value) in row_changes {
            conn.execute(
                &format!("UPDATE {table} SET {} = ?2 WHERE id = ?1", cols[i]),
                params![id, value],
            )?;
        }
        counts.add(table, numbers);
    }
    for (_, sql) in &guards {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

fn scrub_ops(conn: &Connection, counts: &mut ScrubCounts) -> rusqlite::Result<()> {
    let mut changes: Vec<(String, i64, String, usize)> = Vec::new();
    {
        let mut stmt =
            conn.prepare("SELECT origin, seq, fields FROM ops WHERE fields IS NOT NULL")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let text: String = r.get(2)?;
            // Cheap test first: most ops hold no RRN-shaped run at all.
            if crate::privacy::mask_rrn_counted(&text).1 == 0 {
                continue;
            }
            let Ok(mut map) =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text)
            else {
                continue; // not ours to repair; the merge reports a corrupt op
            };
            let mut numbers = 0;
            for (k, v) in map.iter_mut() {
                if let serde_json::Value::String(s) = v {
                    let (m, n) = mask_rrn_in_field(k, s);
                    if n > 0 {
                        *s = m.into_owned();
                        numbers += n;
                    }
                }
            }
            if numbers > 0
                && let Ok(json) = serde_json::to_string(&map)
            {
                changes.push((r.get(0)?, r.get(1)?, json, numbers));
            }
        }
    }
    let mut update = conn.prepare("UPDATE ops SET fields = ?3 WHERE origin = ?1 AND seq = ?2")?;
    for (origin, seq, json, numbers) in changes {
        update.execute(params![origin, seq, json])?;
        counts.add("ops", numbers);
    }
    Ok(())
}

fn scrub_conflicts(conn: &Connection, counts: &mut ScrubCounts) -> rusqlite::Result<()> {
    let mut changes: Vec<(String, Option<String>, Option<String>, usize)> = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT id, field, kept_value, lost_value FROM conflicts")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let field: String = r.get(1)?;
            let mut numbers = 0;
            let mut mask = |v: Option<String>| {
                v.map(|v| {
                    let (m, n) = mask_rrn_in_field(&field, &v);
                    numbers += n;
                    m.into_owned()
                })
            };
            let kept = mask(r.get(2)?);
            let lost = mask(r.get(3)?);
            if numbers > 0 {
                changes.push((r.get(0)?, kept, lost, numbers));
            }
        }
    }
    for (id, kept, lost, numbers) in changes {
        conn.execute(
            "UPDATE conflicts SET kept_value = ?2, lost_value = ?3 WHERE id = ?1",
            params![id, kept, lost],
        )?;
        counts.add("conflicts", numbers);
    }
    Ok(())
}

/// dolbom's backups of the database at `path`: `<file>.bak-v<N>` beside it.
fn backups(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.bak-v", name.to_string_lossy());
    let Ok(list) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = list
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_prefix(&prefix)
                .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Scrubs one backup in place and VACUUMs it (so no freed page keeps an old value).
fn scrub_backup(path: &Path) -> rusqlite::Result<ScrubCounts> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Readable at all? (An encrypted backup without its key is not.)
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    let tx = conn.transaction()?;
    let counts = scrub(&tx)?;
    tx.commit()?;
    if counts.numbers() > 0 {
        conn.execute_batch("VACUUM")?;
    }
    Ok(counts)
}

/// After a migration ran the scrub: scrubs the backups, checkpoints the WAL and records one
/// audit row with the counts (nothing when nothing was found). A no-op otherwise.
pub(super) fn finish_pending(store: &Store) -> Result<()> {
    let pending: Option<String> = store
        .conn()
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [PENDING_KEY],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| store.sql_err(e))?;
    let Some(db_summary) = pending else {
        return Ok(());
    };
    let mut rewritten = 0;
    let mut unreadable = 0;
    let mut backup_numbers = 0;
    for bak in backups(store.path()) {
        match scrub_backup(&bak) {
            Ok(c) => {
                if c.numbers() > 0 {
                    rewritten += 1;
                    backup_numbers += c.numbers();
                }
            }
            Err(_) => unreadable += 1,
        }
    }
    // The old pages are still in the main file until a checkpoint copies the new ones over.
    store
        .conn()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(|e| store.sql_err(e))?;
    if db_summary != "0" || backup_numbers > 0 || unreadable > 0 {
        let detail = format!(
            "주민등록번호 형태 일괄 가림 (RRN scrub, rows/numbers): {db_summary} · 백업 {rewritten}개 다시 씀 ({backup_numbers}건), 읽을 수 없는 백업 {unreadable}개"
        );
        store.audit(&Event {
            action: AuditAction::Update,
            resident_id: None,
            subject: "privacy:rrn-scrub",
            detail: &detail,
        })?;
    }
    store
        .conn()
        .execute("DELETE FROM meta WHERE key = ?1", [PENDING_KEY])
        .map_err(|e| store.sql_err(e))?;
    Ok(())
}
