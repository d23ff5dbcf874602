//! The facts the 오늘 lists and charts are computed from, with indexed queries (none scans
//! `entries`; see `Store::today_query_plans`). The rules live in `crate::timeline::due`.

use super::{Result, Store, bad};
use crate::model::{
    CaseRef, ContactFact, EntryKind, FollowUpFact, ReferralFact, Scope, Stage, StageFact,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Row, params, params_from_iter};

/// `(x.kind = 'initial_consult' OR x.kind = 'visit' OR …)`: the kinds that count as contact
/// with the resident, spelled as the partial index `entries_contact` (migration V5) spells them.
fn contact_kinds() -> String {
    let terms: Vec<String> = EntryKind::ALL
        .into_iter()
        .filter(|k| k.is_contact())
        .map(|k| format!("x.kind = '{}'", k.code()))
        .collect();
    format!("({})", terms.join(" OR "))
}

/// Latest contact on case `c.id`: originals only (a correction is not a new contact), voided
/// ones skipped. Its terms match the partial index `entries_contact` (migration V5), walked
/// backwards from the newest: one seek and, unless the newest was voided, one step (a `max()`
/// with the voided check would visit every contact of the case). The index holds the entry id
/// (V_INDEX), so no entry row is read; `INDEXED BY`, as the planner would rather walk
/// `entries_case` for the order and read every row.
pub(super) fn last_contact_sql() -> String {
    format!(
        "(SELECT x.at FROM entries x INDEXED BY entries_contact WHERE x.case_id = c.id AND x.corrects IS NULL AND {} \
           AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.corrects = x.id AND v.voids = 1) \
           ORDER BY x.at DESC LIMIT 1)",
        contact_kinds()
    )
}

/// `AND c.worker = ?N` for scope "mine", else a no-op on the same parameter.
fn scope_sql(mine: bool, n: usize) -> String {
    if mine {
        format!("AND c.worker = ?{n}")
    } else {
        format!("AND ?{n} IS NULL")
    }
}

/// Follow-up candidates, driven by the open cases in scope (`CROSS JOIN` keeps that order:
/// for everyone the planner would otherwise walk every due date in `entries_due` and fetch
/// each row): only entries at or after a case's latest contact can be unanswered, so each case
/// costs a seek for the contact and one in the covering `entries_follow_up` (migration
/// V_INDEX), which holds only entries with a due date and everything read here: the body comes
/// as its first line (with its line break), all the list shows, so no entry row is read.
fn follow_up_sql(mine: bool) -> String {
    format!(
        "WITH oc AS MATERIALIZED (
             SELECT c.id, c.worker, c.resident_id, {last} AS last
             FROM cases c
             WHERE c.stage NOT IN ('closed', 'aftercare') AND c.deleted = 0 {scope})
         SELECT oc.id, r.name, oc.worker, e.id, e.kind, e.at, e.due_on,
                substr(e.body, 1, instr(e.body || char(10), char(10))), oc.last
         FROM oc
         CROSS JOIN entries e INDEXED BY entries_follow_up ON e.case_id = oc.id AND e.at >= coalesce(oc.last, '')
         JOIN residents r INDEXED BY residents_id_name ON r.id = oc.resident_id
         WHERE e.due_on IS NOT NULL AND e.due_on <= ?1 AND e.voids = 0 AND e.deleted = 0
           AND NOT EXISTS (SELECT 1 FROM entries k
                           WHERE k.corrects = coalesce(e.corrects, e.id) AND k.id <> e.id AND k.hlc > e.hlc)
         ORDER BY e.due_on, oc.id",
        last = last_contact_sql(),
        scope = scope_sql(mine, 2),
    )
}

/// Index-only per case: live cases by stage from `cases_live`, the name from
/// `residents_id_name`, and the days each stage was entered from `entries_stage_to` (which
/// holds the day and the stage entered, so no entry row is read).
fn stage_sql(mine: bool) -> String {
    format!(
        "SELECT c.id, r.name, c.worker, c.stage, c.opened_on,
                (SELECT group_concat(substr(x.at, 1, 10) || '=' || coalesce(json_extract(x.data, '$.to'), ''), ',')
                 FROM entries x WHERE x.case_id = c.id AND x.kind = 'stage_change' AND x.voids = 0)
         FROM cases c JOIN residents r INDEXED BY residents_id_name ON r.id = c.resident_id
         WHERE c.stage IN ('intake', 'assessment', 'conference', 'selection') AND c.deleted = 0
           {}",
        scope_sql(mine, 1)
    )
}

/// Two index-driven halves: 모니터링 (cases_stage / cases_worker) and 사후관리 due
/// (cases_aftercare).
fn contact_sql(mine: bool) -> String {
    let scope = scope_sql(mine, 2);
    format!(
        "SELECT c.id, r.name, c.worker, c.stage, c.opened_on, c.aftercare_on, {last}
         FROM cases c JOIN residents r INDEXED BY residents_id_name ON r.id = c.resident_id
         WHERE c.stage = 'monitoring' AND c.deleted = 0 {scope}
         UNION ALL
         SELECT c.id, r.name, c.worker, c.stage, c.opened_on, c.aftercare_on, {last}
         FROM cases c JOIN residents r INDEXED BY residents_id_name ON r.id = c.resident_id
         WHERE c.aftercare_on IS NOT NULL AND c.aftercare_on <= ?1
           AND c.stage IN ('closed', 'aftercare') AND c.deleted = 0 {scope}",
        last = last_contact_sql(),
    )
}

fn referral_sql(mine: bool) -> String {
    format!(
        "SELECT c.id, r.name, c.worker, f.id, coalesce(s.name, ''), f.status, f.requested_on
         FROM referrals f
         JOIN cases c ON c.id = f.case_id
         JOIN residents r INDEXED BY residents_id_name ON r.id = c.resident_id
         LEFT JOIN resources s ON s.id = f.resource_id
         WHERE f.status = '의뢰' AND f.requested_on <= ?1 AND f.deleted = 0 AND c.deleted = 0
           {}
         ORDER BY f.requested_on",
        scope_sql(mine, 2)
    )
}

fn by_stage_sql(mine: bool) -> String {
    format!(
        "SELECT c.stage, count(*) FROM cases c WHERE c.deleted = 0 {} GROUP BY c.stage",
        scope_sql(mine, 1)
    )
}

/// Entries written in `[?1, ?2)`: by the operator (scope "mine") or by anyone. Index-only
/// counts over `entries_author`: for anyone, a loose scan visits each author (one seek per
/// author) and counts their range, so no index on `at` alone is kept for it (that index made
/// every entry insert — sync, demo — pay a random b-tree insert).
fn entries_between_sql(mine: bool) -> &'static str {
    if mine {
        "SELECT count(*) FROM entries WHERE author = ?3 AND at >= ?1 AND at < ?2"
    } else {
        "WITH RECURSIVE authors(a) AS (
             SELECT (SELECT min(author) FROM entries WHERE ?3 IS NULL)
             UNION ALL
             SELECT (SELECT min(author) FROM entries WHERE author > authors.a)
             FROM authors WHERE authors.a IS NOT NULL)
         SELECT count(*) FROM authors JOIN entries e ON e.author = authors.a
         WHERE e.at >= ?1 AND e.at < ?2"
    }
}

/// Every 오늘 row shows the resident's name: `residents_id_name` (migration V_INDEX) gives it
/// in one seek, where the primary key would need a second one into the table; the planner
/// prefers the unique key, hence `INDEXED BY` in the queries above.
fn read_case_ref(r: &Row<'_>, at: usize) -> rusqlite::Result<CaseRef> {
    Ok(CaseRef {
        case_id: r.get(at)?,
        resident_name: r.get(at + 1)?,
        worker: r.get(at + 2)?,
    })
}

impl Store {
    fn scope_worker(&self, scope: Scope) -> Option<String> {
        match scope {
            Scope::Mine => Some(self.operator().to_string()),
            Scope::All => None,
        }
    }

    /// Current versions of entries with a follow-up due on or before `today` (`YYYY-MM-DD`) on
    /// open cases in scope, each with its case's latest contact.
    pub fn follow_up_facts(&self, scope: Scope, today: &str) -> Result<Vec<FollowUpFact>> {
        let worker = self.scope_worker(scope);
        let sql = follow_up_sql(worker.is_some());
        let mut stmt = self
            .conn()
            .prepare_cached(&sql)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![today, worker], |r| {
            let kind: String = r.get(4)?;
            Ok(FollowUpFact {
                case: read_case_ref(r, 0)?,
                entry_id: r.get(3)?,
                kind: EntryKind::parse(&kind).ok_or_else(|| bad("entry kind", &kind))?,
                at: r.get(5)?,
                due_on: r.get(6)?,
                body: r.get(7)?,
                last_contact: r.get(8)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Cases in scope between 접수 and 선정 (the stages with guide deadlines), each with the
    /// days it entered each stage (from its stage-change entries).
    pub fn stage_facts(&self, scope: Scope) -> Result<Vec<StageFact>> {
        let worker = self.scope_worker(scope);
        let sql = stage_sql(worker.is_some());
        let mut stmt = self
            .conn()
            .prepare_cached(&sql)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![worker], |r| {
            let stage: String = r.get(3)?;
            let changes: Option<String> = r.get(5)?;
            let entered = changes
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter_map(|p| {
                    let (on, to) = p.split_once('=')?;
                    Some((Stage::parse(to)?, on.to_string()))
                })
                .collect();
            Ok(StageFact {
                case: read_case_ref(r, 0)?,
                stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
                opened_on: r.get(4)?,
                entered,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Cases in scope in 모니터링, and closed cases whose 사후관리 date is on or before `today`;
    /// each with its latest contact.
    pub fn contact_facts(&self, scope: Scope, today: &str) -> Result<Vec<ContactFact>> {
        let worker = self.scope_worker(scope);
        let sql = contact_sql(worker.is_some());
        let mut stmt = self
            .conn()
            .prepare_cached(&sql)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![today, worker], |r| {
            let stage: String = r.get(3)?;
            Ok(ContactFact {
                case: read_case_ref(r, 0)?,
                stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
                opened_on: r.get(4)?,
                aftercare_on: r.get(5)?,
                last_contact: r.get(6)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Referrals still in 의뢰 requested on or before `requested_before`, on cases in scope.
    pub fn waiting_referral_facts(
        &self,
        scope: Scope,
        requested_before: &str,
    ) -> Result<Vec<ReferralFact>> {
        let worker = self.scope_worker(scope);
        let sql = referral_sql(worker.is_some());
        let mut stmt = self
            .conn()
            .prepare_cached(&sql)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![requested_before, worker], |r| {
            Ok(ReferralFact {
                case: read_case_ref(r, 0)?,
                referral_id: r.get(3)?,
                resource_name: r.get(4)?,
                status: r.get(5)?,
                requested_on: r.get(6)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Number of cases in scope per stage code.
    pub fn cases_by_stage(&self, scope: Scope) -> Result<Vec<(Stage, i64)>> {
        let worker = self.scope_worker(scope);
        let sql = by_stage_sql(worker.is_some());
        let mut stmt = self
            .conn()
            .prepare_cached(&sql)
            .map_err(|e| self.sql_err(e))?;
        let rows: Vec<(String, i64)> = stmt
            .query_map(params![worker], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| Some((Stage::parse(&s)?, n)))
            .collect())
    }

    /// Entries written in `[from, to)` (`YYYY-MM-DD`, corrections included): by the operator
    /// for scope "mine", by anyone for "all".
    pub fn entries_between(&self, scope: Scope, from: &str, to: &str) -> Result<i64> {
        let worker = self.scope_worker(scope);
        self.conn()
            .prepare_cached(entries_between_sql(worker.is_some()))
            .and_then(|mut s| s.query_row(params![from, to, worker], |r| r.get(0)))
            .map_err(|e| self.sql_err(e))
    }

    /// `EXPLAIN QUERY PLAN` of every 오늘 query for `scope` (name, plan lines), for checking
    /// that none scans `entries`.
    pub fn today_query_plans(&self, scope: Scope) -> Result<Vec<(String, Vec<String>)>> {
        let mine = scope == Scope::Mine;
        let queries: [(&str, String); 6] = [
            ("follow_ups", follow_up_sql(mine)),
            ("deadlines", stage_sql(mine)),
            ("no_contact_aftercare", contact_sql(mine)),
            ("referrals", referral_sql(mine)),
            ("by_stage", by_stage_sql(mine)),
            ("entries_per_week", entries_between_sql(mine).to_string()),
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
