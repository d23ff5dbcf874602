//! Cases, timeline entries and referrals: typed reads, the facts the 오늘 lists are computed
//! from, and the in-transaction reads and writes the timeline operations compose.
//! Rules (what may be written, what is due) live in `crate::timeline`; this module only
//! speaks SQL.

use super::{Result, Store, StoreError, Tx, Val};
use crate::model::{Case, Entry, EntryKind, Referral, Resident, Sex, Stage, split_list};
use crate::timeline::due::{CaseRef, ContactFact, FollowUpFact, ReferralFact, Scope, StageFact};
use crate::timeline::types::{CaseFilter, CaseHeader, CaseRow, ReferralView};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

const ENTRY_COLS: &str =
    "e.id, e.case_id, e.kind, e.author, e.at, e.body, e.due_on, e.data, e.corrects, e.voids";
const CASE_COLS: &str = "c.id, c.resident_id, c.household_id, c.worker, c.category, c.crisis_score, \
     c.crisis_level, c.tags, c.stage, c.opened_on, c.closed_on, c.closure_reason, c.aftercare_on, c.last_activity";

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

/// Latest contact on case `c.id`: originals only (a correction is not a new contact). Its terms
/// match the partial index `entries_contact` (migration V5), so it is one index seek.
fn last_contact_sql() -> String {
    format!(
        "(SELECT max(x.at) FROM entries x WHERE x.case_id = c.id AND x.corrects IS NULL AND {} \
           AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.corrects = x.id AND v.voids = 1))",
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

/// Follow-up candidates, driven by the open cases in scope: only entries at or after a case's
/// latest contact can be unanswered, so each case costs a seek for the contact and a short
/// range of entries.
fn follow_up_sql(mine: bool) -> String {
    format!(
        "WITH oc AS MATERIALIZED (
             SELECT c.id, c.worker, c.resident_id, {last} AS last
             FROM cases c
             WHERE c.stage NOT IN ('closed', 'aftercare') AND c.deleted = 0 {scope})
         SELECT oc.id, r.name, oc.worker, e.id, e.kind, e.at, e.due_on, e.body, oc.last
         FROM oc
         JOIN entries e ON e.case_id = oc.id AND e.at >= coalesce(oc.last, '')
         JOIN residents r ON r.id = oc.resident_id
         WHERE e.due_on IS NOT NULL AND e.due_on <= ?1 AND e.voids = 0 AND e.deleted = 0
           AND NOT EXISTS (SELECT 1 FROM entries k
                           WHERE k.corrects = coalesce(e.corrects, e.id) AND k.id <> e.id AND k.hlc > e.hlc)
         ORDER BY e.due_on, oc.id",
        last = last_contact_sql(),
        scope = scope_sql(mine, 2),
    )
}

fn stage_sql(mine: bool) -> String {
    format!(
        "SELECT c.id, r.name, c.worker, c.stage, c.opened_on,
                (SELECT group_concat(substr(x.at, 1, 10) || '=' || coalesce(json_extract(x.data, '$.to'), ''), ',')
                 FROM entries x WHERE x.case_id = c.id AND x.kind = 'stage_change' AND x.voids = 0)
         FROM cases c JOIN residents r ON r.id = c.resident_id
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
         FROM cases c JOIN residents r ON r.id = c.resident_id
         WHERE c.stage = 'monitoring' AND c.deleted = 0 {scope}
         UNION ALL
         SELECT c.id, r.name, c.worker, c.stage, c.opened_on, c.aftercare_on, {last}
         FROM cases c JOIN residents r ON r.id = c.resident_id
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
         JOIN residents r ON r.id = c.resident_id
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

fn bad(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what}: {value}").into(),
    )
}

fn read_entry(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let kind: String = r.get(2)?;
    let data: String = r.get(7)?;
    Ok(Entry {
        id: r.get(0)?,
        case_id: r.get(1)?,
        kind: EntryKind::parse(&kind).ok_or_else(|| bad("entry kind", &kind))?,
        author: r.get(3)?,
        at: r.get(4)?,
        body: r.get(5)?,
        due_on: r.get(6)?,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        corrects: r.get(8)?,
        voids: r.get::<_, i64>(9)? != 0,
    })
}

/// Reads [`CASE_COLS`] starting at column `at`.
fn read_case(r: &Row<'_>, at: usize) -> rusqlite::Result<Case> {
    let stage: String = r.get(at + 8)?;
    let tags: String = r.get(at + 7)?;
    Ok(Case {
        id: r.get(at)?,
        resident_id: r.get(at + 1)?,
        household_id: r.get(at + 2)?,
        worker: r.get(at + 3)?,
        category: r.get(at + 4)?,
        crisis_score: r.get(at + 5)?,
        crisis_level: r.get(at + 6)?,
        tags: split_list(&tags),
        stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
        opened_on: r.get(at + 9)?,
        closed_on: r.get(at + 10)?,
        closure_reason: r.get(at + 11)?,
        aftercare_on: r.get(at + 12)?,
        last_activity: r.get(at + 13)?,
    })
}

fn read_case_ref(r: &Row<'_>, at: usize) -> rusqlite::Result<CaseRef> {
    Ok(CaseRef {
        case_id: r.get(at)?,
        resident_name: r.get(at + 1)?,
        worker: r.get(at + 2)?,
    })
}

/// One case with its resident's name, on any connection (store or transaction).
pub(crate) fn case_header_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<CaseHeader>> {
    conn.prepare_cached(&format!(
        "SELECT {CASE_COLS}, r.name FROM cases c JOIN residents r ON r.id = c.resident_id
         WHERE c.id = ?1 AND c.deleted = 0"
    ))?
    .query_row([id], |r| {
        Ok(CaseHeader {
            case: read_case(r, 0)?,
            resident_name: r.get(14)?,
        })
    })
    .optional()
}

/// One entry by id, on any connection.
pub(crate) fn entry_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<Entry>> {
    conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLS} FROM entries e WHERE e.id = ?1"
    ))?
    .query_row([id], read_entry)
    .optional()
}

/// One referral by id, on any connection.
pub(crate) fn referral_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<Referral>> {
    conn.prepare_cached(
        "SELECT id, case_id, resource_id, status, requested_on, updated_on, note
         FROM referrals WHERE id = ?1 AND deleted = 0",
    )?
    .query_row([id], read_referral)
    .optional()
}

/// Whether a live resource with this id exists, and its name.
pub(crate) fn resource_name_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT name FROM resources WHERE id = ?1 AND deleted = 0")?
        .query_row([id], |r| r.get(0))
        .optional()
}

fn read_referral(r: &Row<'_>) -> rusqlite::Result<Referral> {
    Ok(Referral {
        id: r.get(0)?,
        case_id: r.get(1)?,
        resource_id: r.get(2)?,
        status: r.get(3)?,
        requested_on: r.get(4)?,
        updated_on: r.get(5)?,
        note: r.get(6)?,
    })
}

impl Store {
    /// One case with its resident's name.
    pub fn case_header(&self, id: &str) -> Result<CaseHeader> {
        case_header_on(self.conn(), id)
            .map_err(|e| self.sql_err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("case {id}")))
    }

    /// One entry by id.
    pub fn entry(&self, id: &str) -> Result<Entry> {
        entry_on(self.conn(), id)
            .map_err(|e| self.sql_err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("entry {id}")))
    }

    /// Every entry of a case (corrections included), oldest first; ties in time keep the order
    /// they were written in (hybrid logical clock).
    pub fn case_entries(&self, case_id: &str) -> Result<Vec<Entry>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLS} FROM entries e WHERE e.case_id = ?1 AND e.deleted = 0 ORDER BY e.at, e.hlc"
            ))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([case_id], read_entry)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// The referrals of a case with resource names, oldest first.
    pub fn case_referrals(&self, case_id: &str) -> Result<Vec<ReferralView>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT f.id, f.case_id, f.resource_id, f.status, f.requested_on, f.updated_on, f.note,
                        coalesce(s.name, '')
                 FROM referrals f LEFT JOIN resources s ON s.id = f.resource_id
                 WHERE f.case_id = ?1 AND f.deleted = 0
                 ORDER BY f.requested_on, f.hlc",
            )
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([case_id], |r| {
            Ok(ReferralView {
                referral: read_referral(r)?,
                resource_name: r.get(7)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// Cases matching `filter`, most recently active first, with entry counts (originals only)
    /// and the latest contact.
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
        let mut wheres = vec!["c.deleted = 0".to_string()];
        let mut args: Vec<SqlValue> = Vec::new();
        let mut bind = |col: &str, v: String, wheres: &mut Vec<String>| {
            args.push(SqlValue::Text(v));
            wheres.push(format!("{col} = ?{}", args.len()));
        };
        if let Some(r) = &filter.resident {
            bind("c.resident_id", r.clone(), &mut wheres);
        }
        if let Some(s) = filter.stage {
            bind("c.stage", s.code().to_string(), &mut wheres);
        }
        if let Some(w) = &filter.worker {
            bind("c.worker", w.clone(), &mut wheres);
        }
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let sql = format!(
            "SELECT c.id, c.resident_id, r.name, c.stage, c.worker, c.category,
                    (SELECT count(*) FROM entries n WHERE n.case_id = c.id AND n.corrects IS NULL),
                    {last}, c.last_activity
             FROM cases c JOIN residents r ON r.id = c.resident_id
             WHERE {w}
             ORDER BY c.last_activity DESC, c.id
             LIMIT {limit}",
            last = last_contact_sql(),
            w = wheres.join(" AND "),
        );
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.sql_err(e))?;
        stmt.query_map(params_from_iter(args), |r| {
            let stage: String = r.get(3)?;
            Ok(CaseRow {
                id: r.get(0)?,
                resident_id: r.get(1)?,
                resident_name: r.get(2)?,
                stage: Stage::parse(&stage).ok_or_else(|| bad("stage", &stage))?,
                worker: r.get(4)?,
                category: r.get(5)?,
                entry_count: r.get(6)?,
                last_contact: r.get(7)?,
                last_activity: r.get(8)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql_err(e))
    }

    /// The resident of a case, for the case summary (full record; the export masks it).
    pub fn case_resident(&self, resident_id: &str) -> Result<Resident> {
        self.conn()
            .prepare_cached(
                "SELECT id, name, birth_date, sex, phone, sigungu, dong, address, household_id,
                        flags, risks, rrn_masked
                 FROM residents WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([resident_id], |r| {
                    let sex: Option<String> = r.get(3)?;
                    let flags: String = r.get(9)?;
                    let risks: String = r.get(10)?;
                    Ok(Resident {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        birth_date: r.get(2)?,
                        sex: sex.as_deref().and_then(Sex::parse),
                        phone: r.get(4)?,
                        sigungu: r.get(5)?,
                        dong: r.get(6)?,
                        address: r.get(7)?,
                        household_id: r.get(8)?,
                        flags: split_list(&flags),
                        risks: split_list(&risks),
                        rrn_masked: r.get(11)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.sql_err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("resident {resident_id}")))
    }

    /// Every case of one resident, most recently active first.
    pub fn cases_of_resident(&self, resident_id: &str) -> Result<Vec<CaseRow>> {
        self.list_cases(&CaseFilter {
            resident: Some(resident_id.to_string()),
            ..CaseFilter::default()
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

impl Tx<'_> {
    /// The case, read inside this transaction (so checks and writes see the same row).
    pub fn case_header(&self, id: &str) -> Result<CaseHeader> {
        case_header_on(self.conn(), id)
            .map_err(|e| self.sql_error(e))?
            .ok_or_else(|| StoreError::NotFound(format!("case {id}")))
    }

    /// One entry, read inside this transaction.
    pub fn entry(&self, id: &str) -> Result<Entry> {
        entry_on(self.conn(), id)
            .map_err(|e| self.sql_error(e))?
            .ok_or_else(|| StoreError::NotFound(format!("entry {id}")))
    }

    /// Corrections of entry `root_id`, oldest first.
    pub fn corrections_of(&self, root_id: &str) -> Result<Vec<Entry>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLS} FROM entries e WHERE e.corrects = ?1 ORDER BY e.at, e.hlc"
            ))
            .map_err(|e| self.sql_error(e))?;
        stmt.query_map([root_id], read_entry)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_error(e))
    }

    /// One referral, read inside this transaction.
    pub fn referral(&self, id: &str) -> Result<Referral> {
        referral_on(self.conn(), id)
            .map_err(|e| self.sql_error(e))?
            .ok_or_else(|| StoreError::NotFound(format!("referral {id}")))
    }

    /// The name of a live resource.
    pub fn resource_name(&self, id: &str) -> Result<String> {
        resource_name_on(self.conn(), id)
            .map_err(|e| self.sql_error(e))?
            .ok_or_else(|| StoreError::NotFound(format!("resource {id}")))
    }

    /// Appends an entry row (the id and every field as given).
    pub fn insert_entry(&mut self, e: &Entry) -> Result<()> {
        self.insert(
            "entries",
            &e.id,
            &[
                ("case_id", e.case_id.as_str().into()),
                ("kind", e.kind.code().into()),
                ("author", e.author.as_str().into()),
                ("at", e.at.as_str().into()),
                ("body", e.body.as_str().into()),
                ("due_on", e.due_on.clone().into()),
                ("data", e.data.to_string().into()),
                ("corrects", e.corrects.clone().into()),
                ("voids", Val::Int(i64::from(e.voids))),
            ],
        )
    }

    /// Inserts a referral row.
    pub fn insert_referral(&mut self, f: &Referral) -> Result<()> {
        self.insert(
            "referrals",
            &f.id,
            &[
                ("case_id", f.case_id.as_str().into()),
                ("resource_id", f.resource_id.as_str().into()),
                ("status", f.status.as_str().into()),
                ("requested_on", f.requested_on.as_str().into()),
                ("updated_on", f.updated_on.as_str().into()),
                ("note", f.note.as_str().into()),
            ],
        )
    }

    /// Moves `cases.last_activity` forward to `at` (never back).
    pub fn touch_case(&mut self, case_id: &str, at: &str) -> Result<()> {
        let current = self.case_header(case_id)?.case.last_activity;
        if at > current.as_str() {
            self.update("cases", case_id, &[("last_activity", at.into())])?;
        }
        Ok(())
    }

    // Inside an IMMEDIATE transaction the write lock is held, so a read cannot be "busy";
    // any error here is a plain SQLite failure.
    fn sql_error(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Invalid(format!("SQLite: {e}"))
    }
}
