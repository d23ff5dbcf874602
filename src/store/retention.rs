//! Retention and destruction (파기; 개인정보보호법 제21조): which closed cases are past their
//! retention period, and the purge that destroys them — rows, their op-log copies and
//! conflict copies, in one transaction — keeping only a non-identifying line for statistics
//! (`retention_stats`) and the audit row. The purge travels to peers as an op on the
//! pseudo-table [`PURGE_TABLE`] listing the destroyed row ids; a peer applies it to its own
//! copies, and the ids go to `purged` so that an older op arriving later is skipped.
//! `crate::retention` decides when; every statement is here.

use super::audit::{Event, append};
use super::sync::Actor;
use super::{Result, Store, StoreError, Tx};
use crate::model::{AuditAction, OpKind};
use chrono::{Months, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The pseudo-table of purge ops (not a row table; `fields.rows` lists `[table, id]` pairs).
pub const PURGE_TABLE: &str = "@purge";
/// Years a closed case is kept after 종결 unless configured otherwise.
pub const DEFAULT_YEARS: u32 = 5;
/// `meta` key of the per-kind retention years (JSON: kind → years; `*` for the default).
const YEARS_META: &str = "retention_years";
/// The tables a purge may name, children first (the order rows are deleted in).
const PURGE_ORDER: [&str; 5] = ["entries", "referrals", "cases", "residents", "households"];

/// Years to keep closed cases, per 대상자 구분 (case kind).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RetentionPolicy {
    pub default_years: u32,
    pub per_kind: BTreeMap<String, u32>,
}

impl RetentionPolicy {
    pub fn years(&self, kind: &str) -> u32 {
        self.per_kind
            .get(kind)
            .copied()
            .unwrap_or(self.default_years)
    }
}

/// A closed case past its retention period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueCase {
    pub case_id: String,
    pub resident_id: String,
    /// As stored: mask before showing.
    #[serde(skip)]
    pub resident_name: String,
    pub category: String,
    pub dong: String,
    pub opened_on: String,
    pub closed_on: String,
    /// The day the retention period ended.
    pub due_on: String,
    /// The resident has another case that is not being purged (open, or still kept): the
    /// resident's row stays, only this case goes.
    pub resident_kept: bool,
}

/// What a purge destroyed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PurgeReport {
    pub cases: usize,
    pub residents: usize,
    /// Residents of purged cases kept for another case.
    pub residents_kept: usize,
    pub entries: usize,
    /// Backup files (`<db>.bak-v*`) purged too.
    pub backups: usize,
}

/// Purged cases counted by kind, 동 and the year they were closed (nothing that names anyone).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatLine {
    pub category: String,
    pub dong: String,
    pub closed_year: Option<i64>,
    pub cases: i64,
}

/// A purge's rows: (table, id), children first.
pub type PurgeRows = Vec<(String, String)>;

impl Store {
    /// The retention policy (`meta`), defaults filled in.
    pub fn retention_policy(&self) -> Result<RetentionPolicy> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [YEARS_META], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_err(e))?;
        let mut per_kind: BTreeMap<String, u32> = text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let default_years = per_kind.remove("*").unwrap_or(DEFAULT_YEARS);
        Ok(RetentionPolicy {
            default_years,
            per_kind,
        })
    }

    /// Sets the years to keep closed cases of `kind` (`None`: the default); admin only, audited.
    pub fn set_retention_years(&self, kind: Option<&str>, years: u32) -> Result<()> {
        self.require_admin("retention set")?;
        let mut policy = self.retention_policy()?;
        match kind {
            Some(k) => {
                policy.per_kind.insert(k.to_string(), years);
            }
            None => policy.default_years = years,
        }
        let mut map = policy.per_kind.clone();
        map.insert("*".to_string(), policy.default_years);
        let text = serde_json::to_string(&map)
            .map_err(|e| StoreError::Invalid(format!("retention policy: {e}")))?;
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![YEARS_META, text],
        )
        .map_err(|e| self.sql_err(e))?;
        append(
            &tx,
            self.operator(),
            self.host(),
            &self.clock().stamp(),
            &Event {
                action: AuditAction::Update,
                resident_id: None,
                subject: "retention policy",
                detail: &format!("{}={years}", kind.unwrap_or("*")),
            },
        )
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))
    }

    /// Closed cases (종결 or 사후관리 after 종결) whose retention period ended by `today`,
    /// oldest first.
    pub fn retention_due(&self, today: NaiveDate) -> Result<Vec<DueCase>> {
        let policy = self.retention_policy()?;
        due_cases(self.conn(), &policy, today).map_err(|e| self.sql_err(e))
    }

    /// Destroys every case [`Store::retention_due`] lists, and its resident unless kept
    /// (admin only): one transaction for the rows, their ops and conflict copies, a stats line
    /// per case, the purge op for peers and the audit row; then the file is checkpointed and
    /// vacuumed with `secure_delete` on, and the same rows are destroyed in `<db>.bak-v*`.
    pub fn retention_purge(&mut self, today: NaiveDate) -> Result<PurgeReport> {
        self.require_admin("retention purge")?;
        let policy = self.retention_policy()?;
        let operator = self.operator().to_string();
        let host = self.host().to_string();
        let at = self.clock().stamp();
        self.conn()
            .execute_batch("PRAGMA secure_delete = ON")
            .map_err(|e| self.sql_err(e))?;
        let mut tx = self.write()?;
        let due = due_cases(tx.conn(), &policy, today).map_err(|e| tx.sql_err(e))?;
        let mut report = PurgeReport::default();
        if due.is_empty() {
            return Ok(report);
        }
        let mut rows: PurgeRows = due
            .iter()
            .map(|c| ("cases".to_string(), c.case_id.clone()))
            .collect();
        rows.extend(
            due.iter()
                .map(|c| ("residents".to_string(), c.resident_id.clone())),
        );
        let done = destroy(tx.conn(), &rows, &at).map_err(|e| tx.sql_err(e))?;
        report.cases = done.count("cases");
        report.residents = done.count("residents");
        report.entries = done.count("entries");
        let residents: BTreeSet<&str> = due.iter().map(|c| c.resident_id.as_str()).collect();
        report.residents_kept = residents.len().saturating_sub(report.residents);
        let fields = serde_json::json!({ "rows": done.rows });
        tx.log_pseudo(
            PURGE_TABLE,
            &uuid::Uuid::now_v7().to_string(),
            OpKind::Delete,
            &fields.to_string(),
        )?;
        tx.audit(
            &operator,
            &host,
            &at,
            &Event {
                action: AuditAction::Delete,
                resident_id: None,
                subject: "retention purge",
                detail: &format!(
                    "cases={} residents={} kept={} entries={}",
                    report.cases, report.residents, report.residents_kept, report.entries
                ),
            },
        )?;
        tx.commit()?;
        self.compact()?;
        report.backups = purge_backups(self.path(), &done.rows)?;
        Ok(report)
    }

    /// Rewrites the file without the freed pages: the WAL is checkpointed and truncated, the
    /// database vacuumed (with `secure_delete` on), and the WAL truncated again.
    pub fn compact(&self) -> Result<()> {
        self.conn()
            .execute_batch(
                "PRAGMA secure_delete = ON;
                 PRAGMA wal_checkpoint(TRUNCATE);
                 VACUUM;
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .map_err(|e| self.sql_err(e))
    }

    /// Every (table, id) a purge destroyed here or at a peer.
    pub fn purged_rows(&self) -> Result<HashSet<(String, String)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT tbl, row_id FROM purged")
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// What is kept of purged cases, for statistics, counted by kind, 동 and year closed.
    pub fn retention_stats(&self) -> Result<Vec<StatLine>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT category, dong, closed_year, count(*) FROM retention_stats
                 GROUP BY category, dong, closed_year ORDER BY closed_year, category, dong",
            )
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| {
            Ok(StatLine {
                category: r.get(0)?,
                dong: r.get(1)?,
                closed_year: r.get(2)?,
                cases: r.get(3)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }
}

impl Tx<'_> {
    /// Applies a peer's purge op (its `rows`) to this site's copies, inside the import's
    /// transaction; audited. Returns how many rows went.
    pub fn apply_purge(
        &self,
        from: &str,
        rows: &[(String, String)],
        who: &Actor<'_>,
    ) -> Result<usize> {
        let run = || -> rusqlite::Result<usize> {
            self.conn().execute_batch("PRAGMA secure_delete = ON")?;
            let done = destroy(self.conn(), rows, who.at)?;
            append(
                self.conn(),
                who.operator,
                who.host,
                who.at,
                &Event {
                    action: AuditAction::Delete,
                    resident_id: None,
                    subject: "retention purge (peer)",
                    detail: &format!(
                        "from {from} cases={} residents={} entries={}",
                        done.count("cases"),
                        done.count("residents"),
                        done.count("entries")
                    ),
                },
            )?;
            Ok(done.rows.len())
        };
        run().map_err(|e| self.sql_err(e))
    }
}

/// The purge op's rows, if it is one and well formed (only tables a purge may name).
pub fn purge_rows_of(fields: &BTreeMap<String, serde_json::Value>) -> Option<PurgeRows> {
    fields
        .get("rows")?
        .as_array()?
        .iter()
        .map(|pair| {
            let pair = pair.as_array()?;
            let (table, id) = (pair.first()?.as_str()?, pair.get(1)?.as_str()?);
            PURGE_ORDER
                .contains(&table)
                .then(|| (table.to_string(), id.to_string()))
        })
        .collect()
}

fn due_cases(
    conn: &Connection,
    policy: &RetentionPolicy,
    today: NaiveDate,
) -> rusqlite::Result<Vec<DueCase>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.resident_id, r.name, c.category, r.dong, c.opened_on, c.closed_on
         FROM cases c JOIN residents r ON r.id = c.resident_id
         WHERE c.deleted = 0 AND c.closed_on IS NOT NULL
           AND (c.stage = 'closed' OR c.stage = 'aftercare')
         ORDER BY c.closed_on, c.id",
    )?;
    let mut due: Vec<DueCase> = stmt
        .query_map([], |r| {
            Ok(DueCase {
                case_id: r.get(0)?,
                resident_id: r.get(1)?,
                resident_name: r.get(2)?,
                category: r.get(3)?,
                dong: r.get(4)?,
                opened_on: r.get(5)?,
                closed_on: r.get(6)?,
                due_on: String::new(),
                resident_kept: false,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|mut c| {
            let closed = NaiveDate::parse_from_str(c.closed_on.get(..10)?, "%Y-%m-%d").ok()?;
            let due = closed.checked_add_months(Months::new(12 * policy.years(&c.category)))?;
            c.due_on = due.format("%Y-%m-%d").to_string();
            (due <= today).then_some(c)
        })
        .collect();
    let going: HashSet<String> = due.iter().map(|c| c.case_id.clone()).collect();
    let mut others =
        conn.prepare_cached("SELECT id FROM cases WHERE resident_id = ?1 AND deleted = 0")?;
    for c in &mut due {
        let ids: Vec<String> = others
            .query_map([&c.resident_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        c.resident_kept = ids.iter().any(|id| !going.contains(id));
    }
    Ok(due)
}

/// The rows a purge destroyed, children first.
struct Destroyed {
    rows: PurgeRows,
}

impl Destroyed {
    fn count(&self, table: &str) -> usize {
        self.rows.iter().filter(|(t, _)| t == table).count()
    }
}

/// Destroys the named rows and what hangs off them here: a case's entries and referrals; a
/// resident only if no other live case of theirs stays, a household only if no resident or case
/// left refers to it. Keeps a stats line per case; deletes the rows' ops and conflict copies;
/// records the ids in `purged`. The caller holds the transaction.
fn destroy(
    conn: &Connection,
    requested: &[(String, String)],
    at: &str,
) -> rusqlite::Result<Destroyed> {
    let wanted = |t: &str| -> BTreeSet<String> {
        requested
            .iter()
            .filter(|(tbl, _)| tbl == t)
            .map(|(_, id)| id.clone())
            .collect()
    };
    let ids_of = |sql: &str, key: &str| -> rusqlite::Result<Vec<String>> {
        conn.prepare_cached(sql)?
            .query_map([key], |r| r.get(0))?
            .collect()
    };
    let mut cases = wanted("cases");
    // A resident goes only if every live case of theirs goes; their tombstoned cases go along.
    let mut residents = BTreeSet::new();
    for r in wanted("residents") {
        let live = ids_of(
            "SELECT id FROM cases WHERE resident_id = ?1 AND deleted = 0",
            &r,
        )?;
        if live.iter().all(|id| cases.contains(id)) {
            residents.insert(r);
        }
    }
    for r in &residents {
        cases.extend(ids_of("SELECT id FROM cases WHERE resident_id = ?1", r)?);
    }
    let mut entries = wanted("entries");
    let mut referrals = wanted("referrals");
    for c in &cases {
        entries.extend(ids_of("SELECT id FROM entries WHERE case_id = ?1", c)?);
        referrals.extend(ids_of("SELECT id FROM referrals WHERE case_id = ?1", c)?);
    }
    let mut households = wanted("households");
    for r in &residents {
        households.extend(
            conn.query_row(
                "SELECT household_id FROM residents WHERE id = ?1",
                [r],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten(),
        );
    }
    households.retain(|h| {
        let users =
            ids_of("SELECT id FROM residents WHERE household_id = ?1", h).unwrap_or_default();
        let case_users =
            ids_of("SELECT id FROM cases WHERE household_id = ?1", h).unwrap_or_default();
        users.iter().all(|r| residents.contains(r)) && case_users.iter().all(|c| cases.contains(c))
    });
    // Statistics first, while the rows are here: nothing that names anyone.
    for c in &cases {
        conn.execute(
            "INSERT OR IGNORE INTO retention_stats
                (case_id, category, dong, opened_year, closed_year, stages, purged_at)
             SELECT c.id, c.category, coalesce(r.dong, ''),
                    CAST(substr(c.opened_on, 1, 4) AS INTEGER),
                    CAST(substr(c.closed_on, 1, 4) AS INTEGER),
                    (SELECT coalesce(json_group_object(kind, n), '{}') FROM
                        (SELECT kind, count(*) AS n FROM entries WHERE case_id = c.id GROUP BY kind)),
                    ?2
             FROM cases c LEFT JOIN residents r ON r.id = c.resident_id WHERE c.id = ?1",
            params![c, at],
        )?;
    }
    let mut rows: PurgeRows = Vec::new();
    for (table, ids) in [
        ("entries", &entries),
        ("referrals", &referrals),
        ("cases", &cases),
        ("residents", &residents),
        ("households", &households),
    ] {
        rows.extend(ids.iter().map(|id| (table.to_string(), id.clone())));
    }
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS purge_now (tbl TEXT NOT NULL, row_id TEXT NOT NULL,
             PRIMARY KEY (tbl, row_id)) WITHOUT ROWID;
         DELETE FROM temp.purge_now;",
    )?;
    {
        let mut put =
            conn.prepare_cached("INSERT OR IGNORE INTO temp.purge_now VALUES (?1, ?2)")?;
        for (t, id) in &rows {
            put.execute(params![t, id])?;
        }
    }
    // Entries are append-only: the purge is the one sanctioned exception.
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS entries_no_update;
         DROP TRIGGER IF EXISTS entries_no_delete;",
    )?;
    for table in PURGE_ORDER {
        conn.execute(
            &format!(
                "DELETE FROM {table} WHERE id IN (SELECT row_id FROM temp.purge_now WHERE tbl = ?1)"
            ),
            [table],
        )?;
    }
    conn.execute_batch(
        "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
         BEGIN SELECT RAISE(ABORT, 'entries are append-only: add a correction instead'); END;
         CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
         BEGIN SELECT RAISE(ABORT, 'entries are append-only: add a correction instead'); END;
         DELETE FROM ops WHERE (tbl, row_id) IN (SELECT tbl, row_id FROM temp.purge_now);
         DELETE FROM conflicts WHERE (tbl, row_id) IN (SELECT tbl, row_id FROM temp.purge_now);
         -- The stored search index holds names: dropped, rebuilt without them on the next search.
         DELETE FROM search_index;",
    )?;
    conn.execute(
        "INSERT OR IGNORE INTO purged (tbl, row_id, purged_at) SELECT tbl, row_id, ?1 FROM temp.purge_now",
        [at],
    )?;
    conn.execute("DELETE FROM temp.purge_now", [])?;
    Ok(Destroyed { rows })
}

/// The migration backups beside the database (`<db>.bak-v<N>`).
fn backups(db: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (db.parent(), db.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.bak-v", name.to_string_lossy());
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    read.filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .collect()
}

/// Destroys the same rows in each migration backup (each in one transaction, then vacuumed);
/// returns how many backups were purged.
fn purge_backups(db: &Path, rows: &[(String, String)]) -> Result<usize> {
    let mut n = 0;
    for bak in backups(db) {
        let run = || -> rusqlite::Result<()> {
            let conn = Connection::open(&bak)?;
            conn.execute_batch("PRAGMA secure_delete = ON; BEGIN IMMEDIATE;")?;
            conn.execute_batch(
                "DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete;",
            )?;
            for (table, id) in rows {
                if !PURGE_ORDER.contains(&table.as_str()) {
                    continue;
                }
                conn.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
                conn.execute(
                    "DELETE FROM ops WHERE tbl = ?1 AND row_id = ?2",
                    params![table, id],
                )?;
                // Older backups may predate `conflicts`.
                let _ = conn.execute(
                    "DELETE FROM conflicts WHERE tbl = ?1 AND row_id = ?2",
                    params![table, id],
                );
            }
            conn.execute_batch(
                "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
                 BEGIN SELECT RAISE(ABORT, 'entries are append-only: add a correction instead'); END;
                 CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
                 BEGIN SELECT RAISE(ABORT, 'entries are append-only: add a correction instead'); END;
                 COMMIT; VACUUM;",
            )
        };
        run().map_err(|e| StoreError::Sqlite {
            path: bak.clone(),
            source: e,
        })?;
        n += 1;
    }
    Ok(n)
}
