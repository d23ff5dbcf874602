//! The audit log's storage: the append primitive (inside a write transaction or on its own),
//! the keyed chain (each row stores HMAC-SHA256, under [`audit_key`], over its content and the
//! previous row's value), the signed head kept outside the table ([`key`]), and the reads behind
//! `dolbom audit` and the audit pane. Triggers (schema) refuse UPDATE/DELETE.
//! What to audit and when is decided by the callers (`crate::audit` documents the rules).

mod key;
mod witness;

pub use key::{
    AuditHead, audit_key, head_file, hkdf_sha256, hmac_sha256, meta_head, read_head_file,
    write_head_file,
};
pub use witness::{HeadWarning, WitnessedHead};

use super::{Result, Store, Tx};
use crate::model::AuditAction;
use key::ChainKeys;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

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

/// `meta` key saying how the chain is computed: `sha256` (before the key; set by the V_AUDIT
/// migration for [`upgrade_chain`] to re-chain) or [`CHAIN_HMAC`].
const CHAIN_META: &str = "audit_chain";
const CHAIN_HMAC: &str = "hmac-sha256-v1";

/// HMAC-SHA256 under `key` over a row's content and the previous row's value (length-prefixed
/// parts), hex.
pub fn row_mac(key: &[u8; 32], prev: &str, r: &AuditRow) -> String {
    let seq = r.seq.to_string();
    let fields: [&str; 9] = [
        prev,
        &seq,
        &r.at,
        &r.operator,
        &r.host,
        &r.action,
        r.resident_id.as_deref().unwrap_or(""),
        &r.subject,
        &r.detail,
    ];
    let lens = fields.map(|p| (p.len() as u64).to_le_bytes());
    let mut parts: Vec<&[u8]> = Vec::with_capacity(2 * fields.len());
    for (part, len) in fields.iter().zip(&lens) {
        parts.push(len);
        parts.push(part.as_bytes());
    }
    hex::encode(hmac_sha256(key, &parts))
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
    append_head(conn, operator, host, at, ev).map(|h| h.seq)
}

/// [`append`], returning the new signed head (also stored in `meta` in the same transaction).
fn append_head(
    conn: &Connection,
    operator: &str,
    host: &str,
    at: &str,
    ev: &Event<'_>,
) -> rusqlite::Result<AuditHead> {
    let keys = ChainKeys::load(conn)?;
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
    row.hash = row_mac(&keys.mac, &prev_hash, &row);
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
    let head = keys.sign(row.seq, &row.hash);
    key::set_meta_head(conn, &head)?;
    Ok(head)
}

/// How often, at most, commits refresh the side file (it is also written when the store
/// closes): writing it costs more than an append (a file created and renamed).
const HEAD_FILE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// When this process last wrote a side file.
static HEAD_FILE_WRITTEN: std::sync::Mutex<Option<std::time::Instant>> =
    std::sync::Mutex::new(None);

/// Refreshes the side file `<db>.audit-head` after a commit, at most every
/// [`HEAD_FILE_EVERY`] (and always when the store closes). A failure to write it is not an
/// error for the caller's change: the head in `meta` is exact, and `audit verify` accepts a side
/// file that lags (and notes a missing one).
pub(super) fn refresh_head_file(db: &Path, head: Option<&AuditHead>) {
    let Some(head) = head else { return };
    let due = {
        let Ok(mut last) = HEAD_FILE_WRITTEN.lock() else {
            return;
        };
        let due = last.is_none_or(|t| t.elapsed() >= HEAD_FILE_EVERY);
        if due {
            *last = Some(std::time::Instant::now());
        }
        due
    };
    if due {
        let _ = write_head_file(db, head);
    }
}

/// Closing a store brings the side file up to the head in `meta` (if it lags).
impl Drop for Store {
    fn drop(&mut self) {
        let Ok(Some(head)) = key::meta_head(self.conn()) else {
            return;
        };
        if matches!(read_head_file(self.path()), Ok(Some(h)) if h == head) {
            return;
        }
        let _ = write_head_file(self.path(), &head);
    }
}

/// Re-computes every row's chain under [`audit_key`], in seq order, and re-signs the head;
/// returns how many rows it re-chained. The caller holds the write transaction. Used once by
/// [`upgrade_chain`]; it is also exactly what someone holding the key could do to a trimmed
/// table, which is why the head is also kept outside the table and witnessed by peers.
pub fn rechain(conn: &Connection) -> rusqlite::Result<i64> {
    let keys = ChainKeys::load(conn)?;
    let rows: Vec<AuditRow> = {
        let mut stmt = conn.prepare(
            "SELECT seq, at, operator, host, action, resident_id, subject, detail, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )?;
        stmt.query_map([], read_row)?
            .collect::<rusqlite::Result<_>>()?
    };
    conn.execute_batch("DROP TRIGGER IF EXISTS audit_no_update;")?;
    let mut prev = GENESIS.to_string();
    let mut last = None;
    let count = rows.len() as i64;
    for mut row in rows {
        let mac = row_mac(&keys.mac, &prev, &row);
        conn.prepare_cached("UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3")?
            .execute(params![prev, mac, row.seq])?;
        row.hash = mac;
        prev = row.hash.clone();
        last = Some(row.seq);
    }
    conn.execute_batch(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
    )?;
    match last {
        Some(seq) => key::set_meta_head(conn, &keys.sign(seq, &prev))?,
        None => {
            conn.execute("DELETE FROM meta WHERE key = ?1", [key::HEAD_META])?;
        }
    }
    Ok(count)
}

/// The first row at which the chain as written before the key (plain SHA-256, seqs from 1)
/// breaks, if any.
fn plain_chain_break(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    use sha2::{Digest, Sha256};
    let mut stmt = conn.prepare(
        "SELECT seq, at, operator, host, action, resident_id, subject, detail, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )?;
    let rows = stmt.query_map([], read_row)?;
    let mut prev = GENESIS.to_string();
    for (expected, row) in (1..).zip(rows) {
        let r = row?;
        let seq = r.seq.to_string();
        let mut h = Sha256::new();
        for part in [
            prev.as_str(),
            &seq,
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
        if r.seq != expected || r.prev_hash != prev || hex::encode(h.finalize()) != r.hash {
            return Ok(Some(expected));
        }
        prev = r.hash;
    }
    Ok(None)
}

/// Once per database (after the V_AUDIT migration marks the chain `sha256`): re-chains the
/// rows made before the key under [`audit_key`] and records that in an audit row. Runs in its
/// own write transaction; a no-op on a database already keyed.
pub(super) fn upgrade_chain(
    conn: &Connection,
    db: &Path,
    operator: &str,
    host: &str,
    at: &str,
) -> rusqlite::Result<()> {
    let marked = |conn: &Connection| -> rusqlite::Result<bool> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [CHAIN_META], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .is_some_and(|v| v != CHAIN_HMAC))
    };
    if !marked(conn)? {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let run = || -> rusqlite::Result<Option<AuditHead>> {
        if !marked(conn)? {
            return Ok(None);
        }
        // The old chain is checked first, so that re-chaining cannot launder an edit made
        // before the key: a break is written into the audit row that records the re-chaining.
        let was = match plain_chain_break(conn)? {
            None => "intact".to_string(),
            Some(seq) => format!("broken@{seq}"),
        };
        let n = rechain(conn)?;
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![CHAIN_META, CHAIN_HMAC],
        )?;
        if n == 0 {
            return key::meta_head(conn);
        }
        append_head(
            conn,
            operator,
            host,
            at,
            &Event {
                action: AuditAction::Update,
                resident_id: None,
                subject: "audit log",
                detail: &format!("rechained={n} key=site was={was}"),
            },
        )
        .map(Some)
    };
    match run() {
        Ok(head) => {
            conn.execute_batch("COMMIT")?;
            refresh_head_file(db, head.as_ref());
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
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
            match append_head(
                conn,
                self.operator(),
                self.host(),
                &self.clock().stamp(),
                ev,
            ) {
                Ok(head) => {
                    conn.execute_batch("COMMIT")?;
                    refresh_head_file(self.path(), Some(&head));
                    Ok(())
                }
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

    /// Walks the chain: seqs contiguous from 1, each row's value the keyed MAC over its content
    /// and the previous value; then the signed head in `meta`, the side file `<db>.audit-head`
    /// and every head of this site's chain that a peer witnessed must each name a row of the
    /// chain with the same value (the last row, for `meta`).
    pub fn audit_verify(&self) -> Result<VerifyReport> {
        self.audit_verify_inner().map_err(|e| self.sql_err(e))
    }

    fn audit_verify_inner(&self) -> rusqlite::Result<VerifyReport> {
        let conn = self.conn();
        let keys = ChainKeys::load(conn)?;
        let mut report = VerifyReport::default();
        let mut stmt = conn.prepare(
            "SELECT seq, at, operator, host, action, resident_id, subject, detail, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut last: Option<(i64, String)> = None;
        while let Some(r) = rows.next()? {
            let row = read_row(r)?;
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
            } else if row_mac(&keys.mac, &prev, &row) != row.hash {
                Some(format!(
                    "row {} was altered: its hash does not match",
                    row.seq
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                report.problems.push((row.seq, problem));
                break;
            }
            prev = row.hash.clone();
            last = Some((row.seq, row.hash));
            expected_seq += 1;
            report.checked += 1;
        }
        drop(rows);
        let own = key::own_verifying_key(conn)?;
        let hash_at = |seq: i64| -> rusqlite::Result<Option<String>> {
            conn.query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()
        };
        let last_seq = last.as_ref().map_or(0, |l| l.0);
        // The head in `meta`, updated with every append in the same transaction.
        match key::meta_head(conn)? {
            None if last_seq > 0 || !report.problems.is_empty() => report.problems.push((
                last_seq,
                "the signed head is missing from the database".to_string(),
            )),
            None => {}
            Some(h) if !h.verify(&own) || h.site != keys.site => report.problems.push((
                h.seq,
                format!("the signed head (row {}) does not verify", h.seq),
            )),
            Some(h) if report.problems.is_empty() && Some((h.seq, h.chain.clone())) != last => {
                report.problems.push((
                    h.seq.min(last_seq + 1),
                    if h.seq > last_seq {
                        format!(
                            "rows {}–{} were removed: the signed head says the log reached row {}",
                            last_seq + 1,
                            h.seq,
                            h.seq
                        )
                    } else {
                        format!(
                            "the signed head (row {}) differs from the log's last row {last_seq}",
                            h.seq
                        )
                    },
                ));
            }
            Some(h) => report.head = Some(h),
        }
        if report.head.is_none() && report.problems.is_empty() {
            report.head = key::meta_head(conn)?;
        }
        // The side file: it may lag behind the table, never disagree with it.
        match read_head_file(self.path()) {
            Ok(None) if last_seq > 0 => report
                .notes
                .push("no side file (.audit-head) beside the database".to_string()),
            Ok(None) => {}
            Err(e) => report.problems.push((
                0,
                format!("the side file (.audit-head) cannot be read: {e}"),
            )),
            Ok(Some(h)) if h.site != keys.site => report
                .notes
                .push("the side file (.audit-head) belongs to another site's database".to_string()),
            Ok(Some(h)) if !h.verify(&own) => report.problems.push((
                h.seq,
                "the side file (.audit-head) does not verify".to_string(),
            )),
            Ok(Some(h)) => {
                if let Some(p) = head_problem(&h, hash_at(h.seq)?, "the side file (.audit-head)") {
                    report.problems.push(p);
                }
            }
        }
        // Heads of this chain that peers witnessed and sent back.
        for w in witness::witnessed_of(conn, &keys.site)? {
            if !w.head.verify(&own) {
                continue; // never stored unverified; ignore a row that no longer verifies
            }
            let by = format!("peer {} (witnessed {})", w.witness_name(), w.seen_at);
            if let Some(p) = head_problem(&w.head, hash_at(w.head.seq)?, &by) {
                report.problems.push(p);
            }
        }
        report.broken = report.problems.first().cloned();
        Ok(report)
    }
}

/// What is wrong, if anything, when a head names row `head.seq` and the table holds `found` there.
fn head_problem(head: &AuditHead, found: Option<String>, who: &str) -> Option<(i64, String)> {
    match found {
        Some(h) if h == head.chain => None,
        Some(_) => Some((
            head.seq,
            format!(
                "row {} diverges from the chain {who} saw: the log was rewritten",
                head.seq
            ),
        )),
        None => Some((
            head.seq,
            format!(
                "the log is shorter than {who} saw: it reached row {}",
                head.seq
            ),
        )),
    }
}

/// Result of [`Store::audit_verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Rows whose link checked out, from row 1.
    pub checked: i64,
    /// The first problem: row seq and what is wrong (the first of `problems`).
    pub broken: Option<(i64, String)>,
    /// Every problem found (the chain's first broken link, then head and witness mismatches).
    pub problems: Vec<(i64, String)>,
    /// What is worth knowing but proves nothing (e.g. no side file yet).
    pub notes: Vec<String>,
    /// The signed head in `meta`, when it matches the chain.
    pub head: Option<AuditHead>,
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
