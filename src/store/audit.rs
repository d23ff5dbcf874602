//! The audit log's storage: the append primitive (inside a write transaction or on its own),
//! the hash chain (each row stores SHA-256 over its content and the previous row's hash), and
//! the reads behind `dolbom audit` and the audit pane. Triggers (schema) refuse UPDATE/DELETE.
//! What to audit and when is decided by the callers (`crate::audit` documents the rules).

use super::{Result, Store, Tx};
use crate::model::AuditAction;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub operator: String,
    pub host: String,
    pub action: String,
    pub resident_id: Option<String>,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What a new audit row says.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub action: AuditAction,
    pub resident_id: Option<&'a str>,
    /// What was touched: `resident:ID`, `case:ID`, `bundle:FILE` …
    pub subject: &'a str,
    /// Short non-personal detail (never names, phones or 주민등록번호).
    pub detail: &'a str,
}

/// SHA-256 over a row's content and the previous row's hash (length-prefixed parts).
pub fn row_hash(prev: &str, r: &AuditRow) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &r.seq.to_string(),
        &r.at,
        &r.operator,
        &r.host,
        &r.action,
        r.resident_id.as_deref().unwrap_or(""),
        &r.subject,
        &r.detail,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one row on `conn` (use the write transaction's connection when the event is part of
/// a change, so both commit together).
pub fn append(
    conn: &Connection,
    operator: &str,
    host: &str,
    at: &str,
    ev: &Event<'_>,
) -> rusqlite::Result<i64> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (prev_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
    let mut row = AuditRow {
        seq: prev_seq + 1,
        at: at.to_string(),
        operator: operator.to_string(),
        host: host.to_string(),
        action: ev.action.label().to_string(),
        resident_id: ev.resident_id.map(String::from),
        subject: ev.subject.to_string(),
        detail: ev.detail.to_string(),
        prev_hash: prev_hash.clone(),
        hash: String::new(),
    };
    row.hash = row_hash(&prev_hash, &row);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, operator, host, action, resident_id, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        row.seq,
        row.at,
        row.operator,
        row.host,
        row.action,
        row.resident_id,
        row.subject,
        row.detail,
        row.prev_hash,
        row.hash
    ])?;
    Ok(row.seq)
}

impl Tx<'_> {
    /// Appends an audit row inside this transaction, so the event commits (or rolls back)
    /// together with the change it records.
    pub fn audit(&self, operator: &str, host: &str, at: &str, ev: &Event<'_>) -> Result<i64> {
        append(self.conn(), operator, host, at, ev).map_err(|e| self.sql_err(e))
    }
}

impl Store {
    /// Records an event by this store's operator, in its own transaction.
    pub fn audit(&self, ev: &Event<'_>) -> Result<()> {
        // Reading the last row and appending the next must not interleave with another
        // process's append: take the write lock first.
        let conn = self.conn();
        let run = || -> rusqlite::Result<()> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            match append(
                conn,
                self.operator(),
                self.host(),
                &self.clock().stamp(),
                ev,
            ) {
                Ok(_) => conn.execute_batch("COMMIT"),
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        };
        run().map_err(|e| self.sql_err(e))
    }

    /// Audit rows, oldest first, optionally filtered.
    pub fn audit_rows(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        Ok(self
            .audit_rows_named(filter, None)?
            .into_iter()
            .map(|n| n.row)
            .collect())
    }

    /// Audit rows with the name of the resident each is about (the row's resident, or the
    /// resident of the case it names), filtered; oldest first, or with `newest` the latest
    /// `newest` rows, newest first. Names come back as stored: mask them before showing.
    pub fn audit_rows_named(
        &self,
        filter: &AuditFilter,
        newest: Option<usize>,
    ) -> Result<Vec<NamedAuditRow>> {
        let order = match newest {
            Some(n) => format!("ORDER BY a.seq DESC LIMIT {n}"),
            None => "ORDER BY a.seq".to_string(),
        };
        let sql = format!(
            "SELECT a.seq, a.at, a.operator, a.host, a.action, a.resident_id, a.subject, a.detail,
                    a.prev_hash, a.hash, coalesce(r.name, cr.name)
             FROM audit_log a
             LEFT JOIN residents r ON r.id = a.resident_id
             LEFT JOIN cases c ON a.resident_id IS NULL AND a.subject LIKE 'case:%'
                               AND c.id = substr(a.subject, 6)
             LEFT JOIN residents cr ON cr.id = c.resident_id
             WHERE (?1 IS NULL OR a.resident_id = ?1)
               AND (?2 IS NULL OR a.operator = ?2)
               AND (?3 IS NULL OR a.at >= ?3)
               AND (?4 IS NULL OR a.action = ?4)
               AND (?5 IS NULL OR instr(coalesce(r.name, cr.name), ?5) > 0)
             {order}"
        );
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.sql_err(e))?;
        stmt.query_map(
            params![
                filter.resident_id,
                filter.operator,
                filter.since,
                filter.action,
                filter.resident_name
            ],
            |r| {
                Ok(NamedAuditRow {
                    row: read_row(r)?,
                    resident_name: r.get(10)?,
                })
            },
        )
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// The operators that appear in the log, by name.
    pub fn audit_operators(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT DISTINCT operator FROM audit_log ORDER BY operator")
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// Walks the chain; `Ok(None)` if intact, else the first broken link.
    pub fn audit_verify(&self) -> Result<VerifyReport> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT seq, at, operator, host, action, resident_id, subject, detail, prev_hash, hash
                 FROM audit_log ORDER BY seq",
            )
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sql_err(e))?;
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut checked = 0;
        while let Some(r) = rows.next().map_err(|e| self.sql_err(e))? {
            let row = read_row(r).map_err(|e| self.sql_err(e))?;
            let problem = if row.seq != expected_seq {
                Some(format!(
                    "row {expected_seq} is missing (next row is {})",
                    row.seq
                ))
            } else if row.prev_hash != prev {
                Some(format!(
                    "row {} does not follow row {}: previous hash differs",
                    row.seq,
                    row.seq - 1
                ))
            } else if row_hash(&prev, &row) != row.hash {
                Some(format!(
                    "row {} was altered: its hash does not match",
                    row.seq
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(VerifyReport {
                    checked,
                    broken: Some((row.seq, problem)),
                });
            }
            prev = row.hash;
            expected_seq += 1;
            checked += 1;
        }
        Ok(VerifyReport {
            checked,
            broken: None,
        })
    }
}

/// Result of [`Store::audit_verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: i64,
    /// The first broken link: row seq and what is wrong.
    pub broken: Option<(i64, String)>,
}

/// Filters for [`Store::audit_rows`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub resident_id: Option<String>,
    pub operator: Option<String>,
    /// `YYYY-MM-DD`.
    pub since: Option<String>,
    /// The action as logged (`조회`, `변경` …).
    pub action: Option<String>,
    /// Part of the resident's name (the row's resident or its case's).
    pub resident_name: Option<String>,
}

/// An audit row with the name of the resident it is about, if any (unmasked: mask it before
/// showing, e.g. with `crate::privacy::mask_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedAuditRow {
    pub row: AuditRow,
    pub resident_name: Option<String>,
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        operator: r.get(2)?,
        host: r.get(3)?,
        action: r.get(4)?,
        resident_id: r.get(5)?,
        subject: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// One operator's line in the monthly review (§8: 월 1회 이상 점검).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OperatorSummary {
    pub operator: String,
    /// Distinct residents viewed.
    pub residents_viewed: i64,
    pub views: i64,
    pub changes: i64,
    pub exports: i64,
    pub denied: i64,
}

impl Store {
    /// The monthly review: per operator, how many residents they viewed and how often they
    /// changed or exported, for the month `YYYY-MM`; busiest viewers first.
    pub fn audit_month(&self, month: &str) -> Result<Vec<OperatorSummary>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT operator,
                        count(DISTINCT CASE WHEN action = '조회' THEN resident_id END),
                        sum(action = '조회'),
                        sum(action IN ('입력', '변경', '삭제')),
                        sum(action IN ('출력', '다운로드')),
                        sum(action = '거부')
                 FROM audit_log WHERE substr(at, 1, 7) = ?1
                 GROUP BY operator
                 ORDER BY 2 DESC, 3 DESC, operator",
            )
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([month], |r| {
            Ok(OperatorSummary {
                operator: r.get(0)?,
                residents_viewed: r.get(1)?,
                views: r.get(2)?,
                changes: r.get(3)?,
                exports: r.get(4)?,
                denied: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }
}
