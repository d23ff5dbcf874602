//! The facts the 오늘 lists and charts are computed from. They are read from tables kept
//! current by triggers in the transaction of every write (`case_today`, `follow_up_today`,
//! `case_stage_counts`, `entry_days`: migration V_TODAY), each list one index range, so a load
//! costs what it returns, for everyone as for "mine" (none reads `entries`; see
//! `Store::today_query_plans`). The rules live in `crate::timeline::due`.

use super::{Result, Store, bad};
use crate::model::{
    CaseRef, ContactFact, ContactRow, EntryKind, FollowUpFact, FollowUpRow, ReferralFact, Scope,
    Stage, StageFact, StageRow,
};
use rusqlite::types::{Type, Value as SqlValue};
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

/// `AND {col} = ?N` for scope "mine", else a no-op on the same parameter.
fn scope_on(col: &str, mine: bool, n: usize) -> String {
    if mine {
        format!("AND {col} = ?{n}")
    } else {
        format!("AND ?{n} IS NULL")
    }
}

/// The open follow-ups due by `?1`, from `follow_up_today` (migration V_TODAY), which holds
/// exactly the rows the per-case computation kept (see [`reference::follow_up_sql`]), in the
/// list's order: a range of its key for everyone, of `follow_up_today_worker` for "mine". The
/// order within one case and day (by time written, then id) was unspecified before.
fn follow_up_sql(mine: bool) -> String {
    let (table, scope) = if mine {
        (
            "follow_up_today f INDEXED BY follow_up_today_worker",
            "AND f.worker = ?2",
        )
    } else {
        ("follow_up_today f", "AND ?2 IS NULL")
    };
    format!(
        "SELECT f.case_id, f.name, f.worker, f.entry_id, f.kind, f.at, f.due_on, f.line, f.last_contact
         FROM {table}
         WHERE f.due_on <= ?1 {scope}
         ORDER BY f.due_on, f.case_id, f.at, f.entry_id"
    )
}

/// The first `?3` follow-ups of one of the two lists, in the list's order: due on `?1`
/// (`due_today`), or before it. A range of `follow_up_today`'s key (everyone) or of
/// `follow_up_today_worker` ("mine"), read no further than the page.
fn follow_up_page_sql(mine: bool, due_today: bool) -> String {
    let (table, scope) = if mine {
        (
            "follow_up_today f INDEXED BY follow_up_today_worker",
            "AND f.worker = ?2",
        )
    } else {
        ("follow_up_today f", "AND ?2 IS NULL")
    };
    let due = if due_today { "=" } else { "<" };
    format!(
        "SELECT f.case_id, f.name, f.worker, f.entry_id, f.kind, f.at, f.due_on, f.line, f.last_contact
         FROM {table}
         WHERE f.due_on {due} ?1 {scope}
         ORDER BY f.due_on, f.case_id, f.at, f.entry_id
         LIMIT ?3"
    )
}

/// How many follow-ups are due on `?1` and before it, from the per-day counts
/// `follow_up_counts` keeps (migration V_TODAY_1M): a range of days, not of follow-ups.
fn follow_up_count_sql(mine: bool) -> &'static str {
    if mine {
        "SELECT coalesce(sum(CASE WHEN due_on = ?1 THEN n END), 0),
                coalesce(sum(CASE WHEN due_on < ?1 THEN n END), 0)
         FROM follow_up_counts INDEXED BY follow_up_counts_worker
         WHERE worker = ?2 AND due_on <= ?1"
    } else {
        "SELECT coalesce(sum(CASE WHEN due_on = ?1 THEN n END), 0),
                coalesce(sum(CASE WHEN due_on < ?1 THEN n END), 0)
         FROM follow_up_counts
         WHERE due_on <= ?1 AND ?2 IS NULL"
    }
}

/// Live cases in the stages with guide deadlines, with their stage changes, from `case_today`
/// (one range of its key per stage).
fn stage_sql(mine: bool) -> String {
    format!(
        "SELECT t.case_id, t.name, t.worker, t.stage, t.opened_on, t.stage_changes
         FROM case_today t
         WHERE t.stage IN ('intake', 'assessment', 'conference', 'selection') AND t.name IS NOT NULL
           {}",
        scope_on("t.worker", mine, 1)
    )
}

/// 모니터링 cases and closed cases whose 사후관리 date has come, with their latest contact,
/// from `case_today`: a range of its key each for "mine"; for everyone the closed cases are a
/// range of `case_today_aftercare` (migration V_TODAY_1M), the ones whose day has come.
fn contact_sql(mine: bool) -> String {
    let scope = scope_on("t.worker", mine, 2);
    let closed = if mine {
        "case_today t"
    } else {
        "case_today t INDEXED BY case_today_aftercare"
    };
    format!(
        "SELECT t.case_id, t.name, t.worker, t.stage, t.opened_on, t.aftercare_on, t.last_contact
         FROM case_today t
         WHERE t.stage = 'monitoring' AND t.name IS NOT NULL {scope}
         UNION ALL
         SELECT t.case_id, t.name, t.worker, t.stage, t.opened_on, t.aftercare_on, t.last_contact
         FROM {closed}
         WHERE t.stage IN ('closed', 'aftercare') AND t.aftercare_on IS NOT NULL
           AND t.aftercare_on <= ?1 AND t.name IS NOT NULL {scope}"
    )
}

/// Referrals in 의뢰 requested by `?1`, on live cases of a resident on file (the cases
/// `case_today` holds with a name), in request order. Index-only but for the resource's name:
/// `referrals_waiting` holds what the list shows of a referral and `case_today_case_name` the
/// case's worker and resident's name (migration V_TODAY_1M); "mine" starts from the worker's
/// live cases (a few hundred) instead of every waiting referral.
fn referral_sql(mine: bool) -> String {
    let (from, scope) = if mine {
        (
            "cases c INDEXED BY cases_worker
             CROSS JOIN referrals f INDEXED BY referrals_case ON f.case_id = c.id
             CROSS JOIN case_today t INDEXED BY case_today_case_name ON t.case_id = c.id",
            "AND c.worker = ?2",
        )
    } else {
        (
            "referrals f INDEXED BY referrals_waiting
             CROSS JOIN case_today t INDEXED BY case_today_case_name ON t.case_id = f.case_id",
            "AND ?2 IS NULL",
        )
    };
    format!(
        "SELECT t.case_id, t.name, t.worker, f.id, coalesce(s.name, ''), f.status, f.requested_on
         FROM {from}
         LEFT JOIN resources s ON s.id = f.resource_id
         WHERE f.status = '의뢰' AND f.requested_on <= ?1 AND f.deleted = 0 AND t.name IS NOT NULL
           {scope}
         ORDER BY f.requested_on, f.case_id, f.id"
    )
}

/// Live cases per stage, from the counts `case_today`'s triggers keep.
fn by_stage_sql(mine: bool) -> String {
    format!(
        "SELECT stage, sum(n) FROM case_stage_counts WHERE n > 0 {} GROUP BY stage",
        scope_on("worker", mine, 1)
    )
}

/// Entries written in `[?1, ?2)` (days), by the operator (scope "mine") or by anyone, from the
/// per-day counts in `entry_days` (an `at` compares with a day as its first ten characters do).
fn entries_between_sql(mine: bool) -> &'static str {
    if mine {
        "SELECT coalesce(sum(n), 0) FROM entry_days INDEXED BY entry_days_author
         WHERE author = ?3 AND day >= ?1 AND day < ?2"
    } else {
        "SELECT coalesce(sum(n), 0) FROM entry_days WHERE day >= ?1 AND day < ?2 AND ?3 IS NULL"
    }
}

/// Column `i` as text, borrowed from the row.
/// A follow-up row of [`follow_up_sql`] or [`follow_up_page_sql`] (same columns), borrowed.
fn follow_up_row<'r>(r: &'r Row<'_>) -> rusqlite::Result<FollowUpRow<'r>> {
    let kind = text(r, 4)?;
    Ok(FollowUpRow {
        case_id: text(r, 0)?,
        resident_name: text(r, 1)?,
        worker: text(r, 2)?,
        entry_id: text(r, 3)?,
        kind: EntryKind::parse(kind).ok_or_else(|| bad("entry kind", kind))?,
        at: text(r, 5)?,
        due_on: text(r, 6)?,
        body: text(r, 7)?,
        last_contact: text_or_null(r, 8)?,
    })
}

fn text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// Column `i` as text or NULL, borrowed from the row.
fn text_or_null<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn stage_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Stage> {
    let s = text(r, i)?;
    Stage::parse(s).ok_or_else(|| bad("stage", s))
}

pub(super) fn read_case_ref(r: &Row<'_>, at: usize) -> rusqlite::Result<CaseRef> {
    Ok(CaseRef {
        case_id: r.get(at)?,
        resident_name: r.get(at + 1)?,
        worker: r.get(at + 2)?,
    })
}

/// `day=stage,…` (as `case_today.stage_changes` holds it) as `(stage, day)` pairs.
fn parse_stage_changes(changes: Option<&str>) -> Vec<(Stage, String)> {
    changes
        .unwrap_or("")
        .split(',')
        .filter_map(|p| {
            let (on, to) = p.split_once('=')?;
            Some((Stage::parse(to)?, on.to_string()))
        })
        .collect()
}

impl Store {
    /// Runs `sql` with `params` and hands each row to `f`, which reads it in place (the 오늘
    /// lists for everyone have thousands of rows; their items keep only what they show).
    fn visit_rows(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        mut f: impl FnMut(&Row<'_>) -> rusqlite::Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached(sql)
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt.query(params).map_err(|e| self.sql_err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql_err(e))? {
            f(r).map_err(|e| self.sql_err(e))?;
        }
        Ok(())
    }

    /// [`Store::follow_up_facts`], each row borrowed and handed to `f` in the list's order.
    pub fn visit_follow_ups(
        &self,
        scope: Scope,
        today: &str,
        mut f: impl FnMut(FollowUpRow<'_>),
    ) -> Result<()> {
        let worker = self.scope_worker(scope);
        let sql = follow_up_sql(worker.is_some());
        self.visit_rows(&sql, params![today, worker], |r| {
            f(follow_up_row(r)?);
            Ok(())
        })
    }

    /// The first `cap` follow-ups due on `today` and the first `cap` due before it, each row
    /// borrowed and handed to `f` (due today first), in each list's order; returns how many
    /// there are in all in each list (due today, overdue).
    pub fn visit_follow_up_page(
        &self,
        scope: Scope,
        today: &str,
        cap: usize,
        mut f: impl FnMut(FollowUpRow<'_>),
    ) -> Result<(usize, usize)> {
        let worker = self.scope_worker(scope);
        let mine = worker.is_some();
        let limit = i64::try_from(cap).unwrap_or(i64::MAX);
        for due_today in [true, false] {
            let sql = follow_up_page_sql(mine, due_today);
            self.visit_rows(&sql, params![today, worker, limit], |r| {
                f(follow_up_row(r)?);
                Ok(())
            })?;
        }
        let (due_today, overdue): (i64, i64) = self
            .conn()
            .prepare_cached(follow_up_count_sql(mine))
            .and_then(|mut s| s.query_row(params![today, worker], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(|e| self.sql_err(e))?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok((count(due_today), count(overdue)))
    }

    /// [`Store::stage_facts`], each row borrowed and handed to `f`.
    pub fn visit_stages(&self, scope: Scope, mut f: impl FnMut(StageRow<'_>)) -> Result<()> {
        let worker = self.scope_worker(scope);
        let sql = stage_sql(worker.is_some());
        self.visit_rows(&sql, params![worker], |r| {
            f(StageRow {
                case_id: text(r, 0)?,
                resident_name: text(r, 1)?,
                worker: text(r, 2)?,
                stage: stage_at(r, 3)?,
                opened_on: text(r, 4)?,
                stage_changes: text_or_null(r, 5)?.unwrap_or(""),
            });
            Ok(())
        })
    }

    /// [`Store::contact_facts`], each row borrowed and handed to `f`.
    pub fn visit_contacts(
        &self,
        scope: Scope,
        today: &str,
        mut f: impl FnMut(ContactRow<'_>),
    ) -> Result<()> {
        let worker = self.scope_worker(scope);
        let sql = contact_sql(worker.is_some());
        self.visit_rows(&sql, params![today, worker], |r| {
            f(ContactRow {
                case_id: text(r, 0)?,
                resident_name: text(r, 1)?,
                worker: text(r, 2)?,
                stage: stage_at(r, 3)?,
                opened_on: text(r, 4)?,
                aftercare_on: text_or_null(r, 5)?,
                last_contact: text_or_null(r, 6)?,
            });
            Ok(())
        })
    }

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
        self.follow_up_rows(&follow_up_sql(worker.is_some()), today, worker)
    }

    fn follow_up_rows(
        &self,
        sql: &str,
        today: &str,
        worker: Option<String>,
    ) -> Result<Vec<FollowUpFact>> {
        let mut stmt = self
            .conn()
            .prepare_cached(sql)
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
        self.stage_rows(&stage_sql(worker.is_some()), worker)
    }

    fn stage_rows(&self, sql: &str, worker: Option<String>) -> Result<Vec<StageFact>> {
        let mut stmt = self
            .conn()
            .prepare_cached(sql)
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![worker], |r| {
            let stage: String = r.get(3)?;
            let changes: Option<String> = r.get(5)?;
            Ok(StageFact {
                case: read_case_ref(r, 0)?,
                stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
                opened_on: r.get(4)?,
                entered: parse_stage_changes(changes.as_deref()),
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Cases in scope in 모니터링, and closed cases whose 사후관리 date is on or before `today`;
    /// each with its latest contact.
    pub fn contact_facts(&self, scope: Scope, today: &str) -> Result<Vec<ContactFact>> {
        let worker = self.scope_worker(scope);
        self.contact_rows(&contact_sql(worker.is_some()), today, worker)
    }

    fn contact_rows(
        &self,
        sql: &str,
        today: &str,
        worker: Option<String>,
    ) -> Result<Vec<ContactFact>> {
        let mut stmt = self
            .conn()
            .prepare_cached(sql)
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
        let sql = referral_sql(scope == Scope::Mine);
        self.referral_rows(&sql, requested_before, scope)
    }

    fn referral_rows(
        &self,
        sql: &str,
        requested_before: &str,
        scope: Scope,
    ) -> Result<Vec<ReferralFact>> {
        let worker = self.scope_worker(scope);
        let mut stmt = self
            .conn()
            .prepare_cached(sql)
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
        self.by_stage_rows(&by_stage_sql(worker.is_some()), worker)
    }

    fn by_stage_rows(&self, sql: &str, worker: Option<String>) -> Result<Vec<(Stage, i64)>> {
        let mut stmt = self
            .conn()
            .prepare_cached(sql)
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
        let queries: [(&str, String); 9] = [
            ("follow_ups", follow_up_sql(mine)),
            ("follow_ups_due_today_page", follow_up_page_sql(mine, true)),
            ("follow_ups_overdue_page", follow_up_page_sql(mine, false)),
            ("follow_up_counts", follow_up_count_sql(mine).to_string()),
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

/// The 오늘 facts as they were computed before `case_today` (migration V_TODAY): per case,
/// from `entries`, on every load. Kept for the tests, which check the maintained tables give
/// exactly these facts (and for the figures in `benches/timeline.rs`' history). The follow-up
/// list is ordered as the maintained one is (within one case and day by time written, then
/// id; the order there was unspecified).
#[cfg(test)]
pub(crate) mod reference {
    use super::*;

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
             ORDER BY e.due_on, oc.id, e.at, e.id",
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

    /// Waiting referrals as they were read before V_TODAY_1M (from `cases` and `residents`).
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

    /// What [`Store::follow_up_facts`] and the others returned, the old way.
    pub(crate) fn facts(
        store: &Store,
        scope: Scope,
        today: &str,
        referral_before: &str,
    ) -> Result<crate::model::TodayFacts> {
        let worker = store.scope_worker(scope);
        let mine = worker.is_some();
        Ok(crate::model::TodayFacts {
            follow_ups: store.follow_up_rows(&follow_up_sql(mine), today, worker.clone())?,
            stages: store.stage_rows(&stage_sql(mine), worker.clone())?,
            contacts: store.contact_rows(&contact_sql(mine), today, worker)?,
            referrals: store.referral_rows(&referral_sql(mine), referral_before, scope)?,
        })
    }

    /// [`Store::cases_by_stage`], the old way.
    pub(crate) fn cases_by_stage(store: &Store, scope: Scope) -> Result<Vec<(Stage, i64)>> {
        let worker = store.scope_worker(scope);
        store.by_stage_rows(&by_stage_sql(worker.is_some()), worker)
    }

    /// [`Store::entries_between`], the old way.
    pub(crate) fn entries_between(
        store: &Store,
        scope: Scope,
        from: &str,
        to: &str,
    ) -> Result<i64> {
        let worker = store.scope_worker(scope);
        store
            .conn()
            .prepare_cached(entries_between_sql(worker.is_some()))
            .and_then(|mut s| s.query_row(params![from, to, worker], |r| r.get(0)))
            .map_err(|e| store.sql_err(e))
    }

    /// The maintained tables' rows, one line each, sorted (counts of zero left out).
    pub(crate) fn dump(store: &Store) -> Result<Vec<String>> {
        let queries = [
            "SELECT 'case', stage, worker, case_id, resident_id, name, opened_on, aftercare_on, last_contact, stage_changes FROM case_today",
            "SELECT 'follow_up', due_on, case_id, at, entry_id, worker, name, kind, line, last_contact FROM follow_up_today",
            "SELECT 'count', stage, worker, n, '', '', '', '', '', '' FROM case_stage_counts WHERE n <> 0",
            "SELECT 'day', day, author, n, '', '', '', '', '', '' FROM entry_days WHERE n <> 0",
            "SELECT 'due', due_on, worker, n, '', '', '', '', '', '' FROM follow_up_counts WHERE n <> 0",
            "SELECT 'refresh', case_id, '', '', '', '', '', '', '', '' FROM today_refresh",
        ];
        let mut out = Vec::new();
        for sql in queries {
            let mut stmt = store.conn().prepare(sql).map_err(|e| store.sql_err(e))?;
            let rows = stmt
                .query_map([], |r| {
                    (0..10)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => "∅".to_string(),
                                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                                v => String::from_utf8_lossy(v.as_bytes().unwrap_or_default())
                                    .into_owned(),
                            })
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()
                        .map(|v| v.join("|"))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| store.sql_err(e))?;
            out.extend(rows);
        }
        out.sort();
        Ok(out)
    }

    /// The tables recomputed from scratch as the migration fills them (in a savepoint that is
    /// rolled back, so the store is left as it was), dumped as [`dump`] does.
    pub(crate) fn rebuilt(store: &Store) -> Result<Vec<String>> {
        let conn = store.conn();
        conn.execute_batch(
            "SAVEPOINT today_rebuild;
             DELETE FROM case_today;
             DELETE FROM follow_up_today;
             DELETE FROM case_stage_counts;
             DELETE FROM follow_up_counts;
             DELETE FROM entry_days;
             INSERT INTO entry_days (day, author, n)
                 SELECT substr(at, 1, 10), author, count(*) FROM entries GROUP BY 1, 2;
             INSERT INTO today_refresh (case_id) SELECT id FROM cases;",
        )
        .map_err(|e| store.sql_err(e))?;
        let rows = dump(store);
        conn.execute_batch("ROLLBACK TO today_rebuild; RELEASE today_rebuild;")
            .map_err(|e| store.sql_err(e))?;
        rows
    }
}

#[cfg(test)]
mod tests {
    use crate::model::EntryKind;
    use std::collections::BTreeSet;

    /// The codes quoted right after each `prefix` in `sql` (`x.kind = 'visit'` → `visit`).
    fn quoted_after(sql: &str, prefix: &str) -> BTreeSet<String> {
        sql.match_indices(prefix)
            .filter_map(|(i, _)| {
                let rest = sql[i + prefix.len()..].strip_prefix('\'')?;
                Some(rest[..rest.find('\'')?].to_string())
            })
            .collect()
    }

    /// The triggers of V_TODAY spell the contact kinds as `EntryKind::is_contact` says, in
    /// each of their three spellings (a new kind that is no contact, e.g. a planned visit,
    /// needs nothing; a new contact kind needs a migration that re-creates the triggers).
    #[test]
    fn today_triggers_name_exactly_the_contact_kinds() {
        let sql = super::super::schema::V_TODAY;
        let contacts: BTreeSet<String> = EntryKind::ALL
            .into_iter()
            .filter(|k| k.is_contact())
            .map(|k| k.code().to_string())
            .collect();
        let stage = |mut s: BTreeSet<String>| {
            assert!(s.remove("stage_change"));
            s
        };
        assert_eq!(stage(quoted_after(sql, "x.kind = ")), contacts);
        assert_eq!(stage(quoted_after(sql, "NEW.kind = ")), contacts);
        let lists: Vec<BTreeSet<String>> = sql
            .match_indices("NEW.kind IN (")
            .map(|(i, _)| {
                let rest = &sql[i + "NEW.kind IN (".len()..];
                rest[..rest.find(')').unwrap_or(0)]
                    .split(',')
                    .map(|c| c.trim().trim_matches('\'').to_string())
                    .collect()
            })
            .collect();
        assert_eq!(lists.len(), 3);
        assert!(lists.iter().all(|l| *l == contacts), "{lists:?}");
    }
}
