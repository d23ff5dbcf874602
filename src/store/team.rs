//! Teamwork reads and writes (issue #16): centre settings in `meta`, a case's 결재 and 동의
//! entries, the 결재 대기 / 동의 만료 / 인계받음 lists for 오늘, and the worker of a case.
//! Every query is driven by a partial index of migration `V_TEAM` (its WHERE terms are spelled
//! here exactly as there); see `Store::team_query_plans`.

use super::entries::{ENTRY_COLS, read_entry};
use super::{Result, Role, Store, Tx, bad};
use crate::model::{ApprovalFact, ConsentFact, ConsentScope, Entry, HandoverFact, Scope, Stage};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// The kinds of `entries_approval`, as its WHERE spells them.
const APPROVAL_KINDS: &str =
    "(e.kind = 'approval_request' OR e.kind = 'approval_approve' OR e.kind = 'approval_return')";
/// The kinds of `entries_consent`, as its WHERE spells them.
const CONSENT_KINDS: &str = "(e.kind = 'consent' OR e.kind = 'consent_withdrawal')";

fn case_approval_sql() -> String {
    format!(
        "SELECT {ENTRY_COLS} FROM entries e
         WHERE e.case_id = ?1 AND {APPROVAL_KINDS} AND e.deleted = 0 ORDER BY e.at, e.hlc"
    )
}

fn stage_changes_sql() -> String {
    format!(
        "SELECT {ENTRY_COLS} FROM entries e
         WHERE e.case_id = ?1 AND e.kind = 'stage_change' AND e.deleted = 0 ORDER BY e.at, e.hlc"
    )
}

fn resident_consents_sql() -> String {
    format!(
        "SELECT {ENTRY_COLS} FROM cases c JOIN entries e ON e.case_id = c.id
         WHERE c.resident_id = ?1 AND {CONSENT_KINDS} AND e.deleted = 0 ORDER BY e.at, e.hlc"
    )
}

/// Requests without a decision, from `approval_pending` (kept by triggers of migration
/// `V_TEAM`: a request goes in, the decision that names it takes it out), so the list costs
/// the waiting requests only, never the history. `?1`: a worker (scope "mine": cases assigned
/// to them or requests they made) or NULL. CROSS JOIN keeps `approval_pending` the outer loop
/// (SQLite does not reorder it), whatever the planner guesses of the tables' sizes.
const PENDING_SQL: &str =
    "SELECT c.id, r.name, c.worker, q.id, json_extract(q.data, '$.stage'), q.author, q.at, q.body
     FROM approval_pending p
     CROSS JOIN entries q ON q.id = p.request_id
     CROSS JOIN cases c ON c.id = p.case_id
     CROSS JOIN residents r ON r.id = c.resident_id
     WHERE q.deleted = 0 AND c.deleted = 0
       AND (?1 IS NULL OR c.worker = ?1 OR q.author = ?1)
     ORDER BY p.at, p.request_id";

/// Consents ending in `[?1, ?2]`, not withdrawn and not renewed (a later consent on the case
/// that ends later or never). `?3`: the worker (scope "mine") or NULL.
const EXPIRING_SQL: &str = "SELECT c.id, r.name, c.worker, x.id, json_extract(x.data, '$.scopes'), json_extract(x.data, '$.expires')
     FROM entries x
     JOIN cases c ON c.id = x.case_id
     JOIN residents r ON r.id = c.resident_id
     WHERE x.kind = 'consent' AND json_extract(x.data, '$.expires') >= ?1
       AND json_extract(x.data, '$.expires') <= ?2
       AND x.deleted = 0 AND c.deleted = 0 AND (?3 IS NULL OR c.worker = ?3)
       AND NOT EXISTS (SELECT 1 FROM entries e
                       WHERE e.case_id = x.case_id
                         AND (e.kind = 'consent' OR e.kind = 'consent_withdrawal')
                         AND ((e.kind = 'consent_withdrawal' AND json_extract(e.data, '$.consent') = x.id)
                           OR (e.kind = 'consent' AND e.at >= x.at AND e.id <> x.id
                               AND coalesce(json_extract(e.data, '$.expires'), '9999') > json_extract(x.data, '$.expires'))))
     ORDER BY 6, c.id";

/// Handovers to the case's current worker that the worker has not yet acted on (no entry of
/// theirs on the case since). `?1`: the worker (scope "mine") or NULL. For one worker it is
/// driven by their cases (`cases_worker`), for everyone by the 인계 entries
/// (`entries_handover`), so neither reads the whole history.
fn handed_over_sql(mine: bool) -> String {
    let from = if mine {
        "FROM cases c CROSS JOIN entries h ON h.case_id = c.id AND h.kind = 'handover'
         JOIN residents r ON r.id = c.resident_id
         WHERE c.worker = ?1"
    } else {
        "FROM entries h JOIN cases c ON c.id = h.case_id
         JOIN residents r ON r.id = c.resident_id
         WHERE h.kind = 'handover' AND ?1 IS NULL"
    };
    format!(
        "SELECT c.id, r.name, c.worker, json_extract(h.data, '$.from'), h.at, h.body
         {from}
           AND h.deleted = 0 AND c.deleted = 0 AND json_extract(h.data, '$.to') = c.worker
           AND NOT EXISTS (SELECT 1 FROM entries e
                           WHERE e.case_id = h.case_id AND e.kind = 'handover' AND e.at >= h.at AND e.hlc > h.hlc)
           AND NOT EXISTS (SELECT 1 FROM entries n
                           WHERE n.case_id = h.case_id AND n.at >= h.at AND n.author = c.worker
                             AND n.kind <> 'handover')
         ORDER BY h.at DESC, c.id"
    )
}

fn entries_on(conn: &Connection, sql: &str, arg: &str) -> rusqlite::Result<Vec<Entry>> {
    conn.prepare_cached(sql)?
        .query_map([arg], read_entry)?
        .collect()
}

/// Scopes stored on a consent entry (`["collect", "third_party"]`); unknown codes are skipped.
pub fn scopes_of(json: Option<&str>) -> Vec<ConsentScope> {
    json.and_then(|j| serde_json::from_str::<Vec<String>>(j).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|s| ConsentScope::parse(s))
        .collect()
}

impl Store {
    fn team_worker(&self, scope: Scope) -> Option<String> {
        match scope {
            Scope::Mine => Some(self.operator().to_string()),
            Scope::All => None,
        }
    }

    /// A centre setting (`meta` key), if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        setting_on(self.conn(), key).map_err(|e| self.sql_err(e))
    }

    /// Sets a centre setting (팀장 or 관리자 only); audited.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.require(Role::Lead, &format!("setting:{key}"))?;
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![format!("setting.{key}"), value],
        )
        .map_err(|e| self.sql_err(e))?;
        super::audit::append(
            &tx,
            self.operator(),
            self.host(),
            &self.clock().stamp(),
            &super::audit::Event {
                action: crate::model::AuditAction::Update,
                resident_id: None,
                subject: &format!("setting:{key}"),
                detail: value,
            },
        )
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))
    }

    /// A case's 결재 entries (requests and decisions), oldest first.
    pub fn case_approval_steps(&self, case_id: &str) -> Result<Vec<Entry>> {
        entries_on(self.conn(), &case_approval_sql(), case_id).map_err(|e| self.sql_err(e))
    }

    /// A case's stage-change entries, oldest first.
    pub fn case_stage_changes(&self, case_id: &str) -> Result<Vec<Entry>> {
        entries_on(self.conn(), &stage_changes_sql(), case_id).map_err(|e| self.sql_err(e))
    }

    /// 동의 and 동의 철회 entries on every case of a resident, oldest first.
    pub fn resident_consents(&self, resident_id: &str) -> Result<Vec<Entry>> {
        entries_on(self.conn(), &resident_consents_sql(), resident_id).map_err(|e| self.sql_err(e))
    }

    /// The 결재 대기 list: requests without a decision, oldest first. Scope "all" (a lead)
    /// lists everyone's; "mine" the operator's cases and requests.
    pub fn pending_approvals(&self, scope: Scope) -> Result<Vec<ApprovalFact>> {
        let worker = self.team_worker(scope);
        let mut stmt = self
            .conn()
            .prepare_cached(PENDING_SQL)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![worker], |r| {
            let stage: Option<String> = r.get(4)?;
            let stage = stage.unwrap_or_default();
            Ok(ApprovalFact {
                case: super::today::read_case_ref(r, 0)?,
                request_id: r.get(3)?,
                stage: Stage::parse(&stage).ok_or_else(|| bad("approval stage", &stage))?,
                requested_by: r.get(5)?,
                requested_at: r.get(6)?,
                note: r.get(7)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Consents in scope ending between `from` and `to` (`YYYY-MM-DD`, inclusive), not
    /// withdrawn or renewed; soonest first.
    pub fn expiring_consents(
        &self,
        scope: Scope,
        from: &str,
        to: &str,
    ) -> Result<Vec<ConsentFact>> {
        let worker = self.team_worker(scope);
        let mut stmt = self
            .conn()
            .prepare_cached(EXPIRING_SQL)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![from, to, worker], |r| {
            let scopes: Option<String> = r.get(4)?;
            Ok(ConsentFact {
                case: super::today::read_case_ref(r, 0)?,
                consent_id: r.get(3)?,
                scopes: scopes_of(scopes.as_deref()),
                expires: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Cases handed over to their worker who has not yet written on them (인계받음), newest
    /// first. Scope "mine": the operator's.
    pub fn handed_over(&self, scope: Scope) -> Result<Vec<HandoverFact>> {
        let worker = self.team_worker(scope);
        let mut stmt = self
            .conn()
            .prepare_cached(&handed_over_sql(worker.is_some()))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![worker], |r| {
            Ok(HandoverFact {
                case: super::today::read_case_ref(r, 0)?,
                from: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                at: r.get(4)?,
                note: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Ids of every live case assigned to `worker` (open and closed), oldest first.
    pub fn cases_of_worker(&self, worker: &str) -> Result<Vec<String>> {
        self.conn()
            .prepare_cached(
                "SELECT id FROM cases WHERE worker = ?1 AND deleted = 0 ORDER BY opened_on, id",
            )
            .and_then(|mut s| s.query_map([worker], |r| r.get(0))?.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// `EXPLAIN QUERY PLAN` of the team lists (name, plan lines), for checking that none scans
    /// `entries` or `cases`.
    pub fn team_query_plans(&self) -> Result<Vec<(String, Vec<String>)>> {
        let queries = [
            ("pending_approvals", PENDING_SQL.to_string()),
            ("expiring_consents", EXPIRING_SQL.to_string()),
            ("handed_over_mine", handed_over_sql(true)),
            ("handed_over_all", handed_over_sql(false)),
        ];
        queries
            .into_iter()
            .map(|(name, sql)| {
                let mut stmt = self
                    .conn()
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .map_err(|e| self.sql_err(e))?;
                let nulls = vec![SqlValue::Null; stmt.parameter_count()];
                let lines = stmt
                    .query_map(params_from_iter(nulls), |r| r.get::<_, String>(3))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                    .map_err(|e| self.sql_err(e))?;
                Ok((name.to_string(), lines))
            })
            .collect()
    }
}

fn setting_on(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        [format!("setting.{key}")],
        |r| r.get(0),
    )
    .optional()
}

fn transfer_sql() -> String {
    format!(
        "SELECT {ENTRY_COLS} FROM entries e
         WHERE e.case_id = ?1 AND e.kind = 'transfer' AND e.deleted = 0 ORDER BY e.at DESC, e.hlc DESC LIMIT 1"
    )
}

impl Store {
    /// The latest 이관 entry of a case, if it was transferred.
    pub fn case_transfer(&self, case_id: &str) -> Result<Option<Entry>> {
        entries_on(self.conn(), &transfer_sql(), case_id)
            .map(|mut v| v.pop())
            .map_err(|e| self.sql_err(e))
    }
}

impl Tx<'_> {
    /// The latest 이관 entry of a case, inside this transaction.
    pub fn case_transfer(&self, case_id: &str) -> Result<Option<Entry>> {
        entries_on(self.conn(), &transfer_sql(), case_id)
            .map(|mut v| v.pop())
            .map_err(|e| self.sql_error(e))
    }

    /// A centre setting, read inside this transaction.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        setting_on(self.conn(), key).map_err(|e| self.sql_error(e))
    }

    /// A case's 결재 entries, oldest first, inside this transaction.
    pub fn case_approval_steps(&self, case_id: &str) -> Result<Vec<Entry>> {
        entries_on(self.conn(), &case_approval_sql(), case_id).map_err(|e| self.sql_error(e))
    }

    /// A case's stage-change entries, oldest first.
    pub fn case_stage_changes(&self, case_id: &str) -> Result<Vec<Entry>> {
        entries_on(self.conn(), &stage_changes_sql(), case_id).map_err(|e| self.sql_error(e))
    }

    /// 동의 and 동의 철회 entries of a resident, inside this transaction.
    pub fn resident_consents(&self, resident_id: &str) -> Result<Vec<Entry>> {
        entries_on(self.conn(), &resident_consents_sql(), resident_id)
            .map_err(|e| self.sql_error(e))
    }

    /// Assigns a case to another worker.
    pub fn set_case_worker(&mut self, case_id: &str, worker: &str) -> Result<()> {
        self.update("cases", case_id, &[("worker", worker.into())])
            .map(|_| ())
    }
}
