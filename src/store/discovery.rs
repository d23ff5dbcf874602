//! The 복지사각지대 발굴 queue (issue #16 item 5): the reads behind `dolbom discovery` and the
//! queue pane, and the look-ups an import needs. Rows are written through [`Tx`] (synced,
//! RRN-masked); see `crate::discovery`.

use super::{Result, Store, Tx, bad};
use crate::model::{DiscoveryItem, Outcome, RoundAtMonthEnd, RoundProgress, split_list};
use rusqlite::{OptionalExtension, Row, params};

const ITEM_COLS: &str = "id, round, name, birth_date, phone, address, dong, signals, deadline,
     resident_id, outcome, note, checked_on, line";

fn read_item(r: &Row<'_>) -> rusqlite::Result<DiscoveryItem> {
    let outcome: Option<String> = r.get(10)?;
    let outcome = match outcome {
        None => None,
        Some(o) => Some(Outcome::parse(&o).ok_or_else(|| bad("outcome", &o))?),
    };
    let signals: String = r.get(7)?;
    Ok(DiscoveryItem {
        id: r.get(0)?,
        round: r.get(1)?,
        name: r.get(2)?,
        birth_date: r.get(3)?,
        phone: r.get(4)?,
        address: r.get(5)?,
        dong: r.get(6)?,
        signals: split_list(&signals),
        deadline: r.get(8)?,
        resident_id: r.get(9)?,
        outcome,
        note: r.get(11)?,
        checked_on: r.get(12)?,
        line: r.get::<_, i64>(13)?.max(0) as u64,
    })
}

/// Which rows of the queue to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveryFilter {
    /// One 회차 only.
    pub round: Option<String>,
    /// One 읍면동 only.
    pub dong: Option<String>,
    /// Only rows without an outcome.
    pub open_only: bool,
    /// At most this many rows (0: no limit).
    pub limit: usize,
}

/// The WHERE of a filter, with only the terms it sets (so the planner can use the indexes).
fn filter_sql(filter: &DiscoveryFilter) -> (String, Vec<String>) {
    let mut cond = String::from("deleted = 0");
    let mut args = Vec::new();
    if let Some(d) = &filter.dong {
        args.push(d.clone());
        cond.push_str(&format!(" AND dong = ?{}", args.len()));
    }
    if let Some(r) = &filter.round {
        args.push(r.clone());
        cond.push_str(&format!(" AND round = ?{}", args.len()));
    }
    if filter.open_only {
        cond.push_str(" AND outcome IS NULL");
    }
    (cond, args)
}

/// What a bulk import adds to one round's counts in `discovery_rounds`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundCount {
    pub round: String,
    /// New live rows (none answered yet).
    pub total: u64,
    /// Of those, matched to a resident.
    pub matched: u64,
    /// Earliest and latest deadline of the new rows (empty while `total` is 0).
    pub min_deadline: String,
    pub max_deadline: String,
}

impl RoundCount {
    /// Counts one new row.
    pub fn add(&mut self, deadline: &str, matched: bool) {
        if self.total == 0 || deadline < self.min_deadline.as_str() {
            self.min_deadline = deadline.to_string();
        }
        if self.total == 0 || deadline > self.max_deadline.as_str() {
            self.max_deadline = deadline.to_string();
        }
        self.total += 1;
        self.matched += u64::from(matched);
    }
}

/// The page cache of a bulk 발굴 import, in KiB as `PRAGMA cache_size` takes it (negative).
const BULK_CACHE_KIB: i64 = -262_144;

/// The secondary indexes of `discovery` that every new queue row enters (`discovery_visit`
/// holds only rows with a planned visit, which new rows have not).
const BULK_INDEXES: [&str; 2] = ["discovery_queue", "discovery_progress"];

/// Whether a bulk insert of `new` rows into a table of `existing` rows re-creates the
/// secondary indexes instead of inserting into them: building one sorts every row once, which
/// costs about a third of a random insert per row (measured on the 150,000-row round), so it
/// pays while the table holds at most twice the new rows. Up to 1,000 rows always go in row
/// by row.
pub fn rebuild_indexes(existing: u64, new: u64) -> bool {
    new > 1_000 && existing <= new.saturating_mul(2)
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Tx<'_> {
    /// Inserts new, unanswered queue rows (`Tx::insert_rows`: synced, RRN-masked) and adds
    /// `counts` — which must be what the rows add per round — to `discovery_rounds` in one
    /// statement per round.
    ///
    /// A whole round is 150,000 rows, and most of the time of writing them went to the
    /// per-row work around the insert rather than the insert itself (measured, see
    /// benches/discovery.rs): the insert trigger `discovery_rounds_insert` (even standing aside,
    /// its sub-program ran once per row) and the random inserts into `discovery_queue` (rows go
    /// in id order, the index is in 동/address order). So, inside this transaction:
    /// - the trigger is dropped and re-created from its own text in `sqlite_master` after the
    ///   inserts (the counts are added here instead);
    /// - when the new rows are many against the rows already there ([`rebuild_indexes`]), the
    ///   secondary indexes they enter are dropped and re-created the same way: building an
    ///   index sorts once, far cheaper than as many random B-tree inserts.
    ///
    /// Schema changes inside a transaction are as atomic as the rows: a failure or a crash
    /// before the commit leaves the trigger and the indexes as they were, and no other
    /// connection ever sees them missing (it reads the last committed schema).
    pub fn discovery_bulk_insert<V: AsRef<[super::Val]>>(
        &mut self,
        columns: &[&str],
        rows: impl ExactSizeIterator<Item = (String, V)>,
        counts: &[RoundCount],
    ) -> Result<u64> {
        let err = |e| self.sql_err(e);
        let schema_sql = |kind: &str, name: &str| -> Result<Option<String>> {
            self.conn()
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = ?1 AND name = ?2 AND tbl_name = 'discovery'",
                    [kind, name],
                    |r| r.get::<_, Option<String>>(0),
                )
                .optional()
                .map(Option::flatten)
                .map_err(err)
        };
        let mut recreate: Vec<String> = Vec::new();
        let new_rows = rows.len() as u64;
        // Nothing to add (a re-import): no schema change either.
        let trigger = if new_rows == 0 {
            None
        } else {
            schema_sql("trigger", "discovery_rounds_insert")?
        };
        if let Some(sql) = trigger {
            self.conn()
                .execute_batch("DROP TRIGGER discovery_rounds_insert")
                .map_err(err)?;
            recreate.push(sql);
        }
        let existing: i64 = self
            .conn()
            .query_row("SELECT coalesce(max(rowid), 0) FROM discovery", [], |r| {
                r.get(0)
            })
            .map_err(err)?;
        if rebuild_indexes(existing.max(0) as u64, new_rows) {
            for name in BULK_INDEXES {
                if let Some(sql) = schema_sql("index", name)? {
                    self.conn()
                        .execute_batch(&format!("DROP INDEX {name}"))
                        .map_err(err)?;
                    recreate.push(sql);
                }
            }
        }
        // A whole round (150,000 rows: ~80 MB of new pages with their indexes) outgrows the
        // connection's 32 MB page cache: SQLite then spills dirty pages to the WAL mid-way and
        // writes most of them again at commit (measured: 10,163 WAL frames for 5,081 pages).
        // A larger cache for the length of the inserts keeps them in memory until the commit;
        // it is only filled as far as needed, and set back right after.
        let before: i64 = self
            .conn()
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(err)?;
        self.conn()
            .pragma_update(None, "cache_size", BULK_CACHE_KIB)
            .map_err(err)?;
        let inserted = self.insert_rows("discovery", columns, rows).and_then(|n| {
            for sql in &recreate {
                self.conn()
                    .execute_batch(sql)
                    .map_err(|e| self.sql_err(e))?;
            }
            Ok(n)
        });
        let restored = self.conn().pragma_update(None, "cache_size", before);
        let n = inserted?;
        restored.map_err(|e| self.sql_err(e))?;
        let mut stmt = self
            .conn()
            .prepare_cached(
                "INSERT INTO discovery_rounds (round, total, checked, matched, min_deadline, max_deadline)
                 VALUES (?1, ?2, 0, ?3, ?4, ?5)
                 ON CONFLICT(round) DO UPDATE SET
                     total = total + excluded.total,
                     matched = matched + excluded.matched,
                     min_deadline = min(min_deadline, excluded.min_deadline),
                     max_deadline = max(max_deadline, excluded.max_deadline)",
            )
            .map_err(|e| self.sql_err(e))?;
        for c in counts.iter().filter(|c| c.total > 0) {
            stmt.execute(params![
                c.round,
                count(c.total),
                count(c.matched),
                c.min_deadline,
                c.max_deadline
            ])
            .map_err(|e| self.sql_err(e))?;
        }
        Ok(n)
    }

    /// Every row identity a round holds (a re-import skips them without a query per row).
    pub fn discovery_keys(&self, round: &str) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT row_key FROM discovery WHERE round = ?1")
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([round], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// Calls `f(id, name, birth_date, address)` for every live resident (for matching a list).
    pub fn for_each_resident_identity(
        &self,
        mut f: impl FnMut(&str, &str, Option<&str>, &str),
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, name, birth_date, address FROM residents WHERE deleted = 0")
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sql_err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql_err(e))? {
            let text = |i| -> Result<Option<&str>> {
                let v = r.get_ref(i).map_err(|e| self.sql_err(e))?;
                Ok(v.as_str_or_null().ok().flatten())
            };
            if let (Some(id), Some(name)) = (text(0)?, text(1)?) {
                f(id, name, text(2)?, text(3)?.unwrap_or(""));
            }
        }
        Ok(())
    }

    /// One queue row, for a write that needs its current state.
    pub fn discovery_item(&self, id: &str) -> Result<Option<DiscoveryItem>> {
        item(self.conn(), id).map_err(|e| self.sql_err(e))
    }
}

fn item(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<DiscoveryItem>> {
    conn.prepare_cached(&format!(
        "SELECT {ITEM_COLS} FROM discovery WHERE id = ?1 AND deleted = 0"
    ))?
    .query_row([id], read_item)
    .optional()
}

impl Store {
    /// The queue in 동 and address order (the index `discovery_queue` gives the order).
    pub fn discovery_queue(&self, filter: &DiscoveryFilter) -> Result<Vec<DiscoveryItem>> {
        let (cond, args) = filter_sql(filter);
        let limit = if filter.limit == 0 {
            String::new()
        } else {
            format!(" LIMIT {}", filter.limit)
        };
        let sql = format!(
            "SELECT {ITEM_COLS} FROM discovery WHERE {cond}
             ORDER BY deleted, dong, address, name, id{limit}"
        );
        let mut stmt = self
            .conn()
            .prepare_cached(&sql)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(rusqlite::params_from_iter(args), read_item)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// How many rows [`Store::discovery_queue`] would list without a limit.
    pub fn discovery_count(&self, filter: &DiscoveryFilter) -> Result<u64> {
        let (cond, args) = filter_sql(filter);
        self.conn()
            .prepare_cached(&format!("SELECT count(*) FROM discovery WHERE {cond}"))
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(args), |r| r.get::<_, i64>(0)))
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.sql_err(e))
    }

    /// One queue row.
    pub fn discovery_item(&self, id: &str) -> Result<Option<DiscoveryItem>> {
        item(self.conn(), id).map_err(|e| self.sql_err(e))
    }

    /// Progress of every round (newest deadline first): checked / total, and unchecked rows
    /// past their deadline on `today` (`YYYY-MM-DD`). Reads `discovery_rounds` (kept by
    /// triggers); the overdue count is read from the index only when a round's deadlines
    /// straddle `today`.
    pub fn discovery_progress(&self, today: &str) -> Result<Vec<RoundProgress>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT round, min_deadline, max_deadline, total, checked, matched
                 FROM discovery_rounds WHERE total > 0 ORDER BY min_deadline DESC, round",
            )
            .map_err(|e| self.sql_err(e))?;
        let n = |r: &Row<'_>, i| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
        let rounds: Vec<(RoundProgress, String)> = stmt
            .query_map([], |r| {
                Ok((
                    RoundProgress {
                        round: r.get(0)?,
                        deadline: r.get(1)?,
                        total: n(r, 3)?,
                        checked: n(r, 4)?,
                        overdue: 0,
                        matched: n(r, 5)?,
                    },
                    r.get::<_, String>(2)?,
                ))
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))?;
        let mut out = Vec::with_capacity(rounds.len());
        for (mut p, max_deadline) in rounds {
            p.overdue = if max_deadline.as_str() < today {
                p.total.saturating_sub(p.checked)
            } else if p.deadline.as_str() >= today {
                0
            } else {
                conn.prepare_cached(
                    "SELECT count(*) FROM discovery INDEXED BY discovery_progress
                     WHERE deleted = 0 AND round = ?1 AND outcome IS NULL AND deadline < ?2",
                )
                .and_then(|mut s| s.query_row(params![p.round, today], |r| r.get::<_, i64>(0)))
                .map_err(|e| self.sql_err(e))?
                .max(0) as u64
            };
            out.push(p);
        }
        Ok(out)
    }
}

impl Store {
    /// Every round whose latest deadline is on or after `first` (`YYYY-MM-DD`), as it stood at
    /// the end of `last`: answered rows are those with an outcome checked by `last` (an outcome
    /// without a date counts as answered), overdue rows are the rest with a deadline before
    /// `last`. Newest deadline first. The unanswered rows are counted on the
    /// `discovery_progress` index alone; only answered rows are read for their date.
    pub fn discovery_rounds_at(&self, first: &str, last: &str) -> Result<Vec<RoundAtMonthEnd>> {
        let conn = self.conn();
        let err = |e| self.sql_err(e);
        let rounds: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT round, min_deadline FROM discovery_rounds
                 WHERE total > 0 AND max_deadline >= ?1 ORDER BY min_deadline DESC, round",
            )
            .and_then(|mut s| {
                s.query_map([first], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(err)?;
        let n = |v: i64| v.max(0) as u64;
        let mut out = Vec::with_capacity(rounds.len());
        for (round, deadline) in rounds {
            let mut p = RoundAtMonthEnd {
                round,
                deadline,
                ..RoundAtMonthEnd::default()
            };
            let (open, late): (i64, i64) = conn
                .prepare_cached(
                    "SELECT count(*), coalesce(sum(deadline < ?2), 0) FROM discovery
                     INDEXED BY discovery_progress
                     WHERE round = ?1 AND deleted = 0 AND outcome IS NULL",
                )
                .and_then(|mut s| {
                    s.query_row(params![p.round, last], |r| Ok((r.get(0)?, r.get(1)?)))
                })
                .map_err(err)?;
            p.total = n(open);
            p.overdue = n(late);
            let mut stmt = conn
                .prepare_cached(
                    "SELECT outcome, coalesce(checked_on, '') <= ?2, coalesce(checked_on, '') >= ?3,
                            deadline < ?2, count(*)
                     FROM discovery
                     WHERE round = ?1 AND deleted = 0 AND outcome IS NOT NULL
                     GROUP BY 1, 2, 3, 4",
                )
                .map_err(err)?;
            let mut rows = stmt.query(params![p.round, last, first]).map_err(err)?;
            while let Some(r) = rows.next().map_err(err)? {
                let outcome: String = r.get(0).map_err(err)?;
                let by_end: bool = r.get(1).map_err(err)?;
                let in_month: bool = r.get(2).map_err(err)?;
                let late: bool = r.get(3).map_err(err)?;
                let count = n(r.get(4).map_err(err)?);
                p.total += count;
                let index = Outcome::parse(&outcome)
                    .and_then(|o| Outcome::ALL.iter().position(|x| *x == o));
                match index {
                    Some(i) if by_end => {
                        p.checked += count;
                        p.outcomes[i] += count;
                        if in_month {
                            p.checked_in_month += count;
                        }
                    }
                    _ if late => p.overdue += count,
                    _ => {}
                }
            }
            out.push(p);
        }
        Ok(out)
    }
}
