//! Cases: typed reads (header, list, resident of a case) and the in-transaction writes the
//! timeline operations compose. Rules (what may be written) live in `crate::timeline`; this
//! module only speaks SQL. Entries, referrals and the 오늘 facts have their own files.

use super::today::last_contact_sql;
use super::{Result, Store, StoreError, Tx, Val, bad};
use crate::model::{Case, CaseFilter, CaseHeader, CaseRow, Resident, Sex, Stage, split_list};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params_from_iter};

pub(super) const CASE_COLS: &str = "c.id, c.resident_id, c.household_id, c.worker, c.category, c.crisis_score, \
     c.crisis_level, c.tags, c.stage, c.opened_on, c.closed_on, c.closure_reason, c.aftercare_on, c.last_activity";

/// Reads [`CASE_COLS`] starting at column `at`.
pub(super) fn read_case(r: &Row<'_>, at: usize) -> rusqlite::Result<Case> {
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

/// One case with its resident's name, on any connection (store or transaction).
fn case_header_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<CaseHeader>> {
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

impl Store {
    /// One case with its resident's name.
    pub fn case_header(&self, id: &str) -> Result<CaseHeader> {
        case_header_on(self.conn(), id)
            .map_err(|e| self.sql_err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("case {id}")))
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
}

impl Tx<'_> {
    /// The case, read inside this transaction (so checks and writes see the same row).
    pub fn case_header(&self, id: &str) -> Result<CaseHeader> {
        case_header_on(self.conn(), id)
            .map_err(|e| self.sql_error(e))?
            .ok_or_else(|| StoreError::NotFound(format!("case {id}")))
    }

    /// Moves `cases.last_activity` forward to `at` (never back).
    pub fn touch_case(&mut self, case_id: &str, at: &str) -> Result<()> {
        let current = self.case_header(case_id)?.case.last_activity;
        if at > current.as_str() {
            self.update("cases", case_id, &[("last_activity", at.into())])?;
        }
        Ok(())
    }

    /// Records an 조사's 위기도 on the case.
    pub fn set_case_crisis(&mut self, case_id: &str, score: i64, level: &str) -> Result<()> {
        self.update(
            "cases",
            case_id,
            &[
                ("crisis_score", Val::Int(score)),
                ("crisis_level", level.into()),
            ],
        )
        .map(|_| ())
    }

    /// Closes a case: 종결일, 종결 사유 and the 사후관리 date (`YYYY-MM-DD`).
    pub fn close_case(
        &mut self,
        case_id: &str,
        closed_on: &str,
        closure_reason: &str,
        aftercare_on: &str,
    ) -> Result<()> {
        self.update(
            "cases",
            case_id,
            &[
                ("closed_on", closed_on.into()),
                ("closure_reason", closure_reason.into()),
                ("aftercare_on", aftercare_on.into()),
            ],
        )
        .map(|_| ())
    }

    /// Reopens a case (재개): clears 종결일, 종결 사유 and the 사후관리 date.
    pub fn reopen_case(&mut self, case_id: &str) -> Result<()> {
        self.update(
            "cases",
            case_id,
            &[
                ("closed_on", Val::Null),
                ("closure_reason", Val::Null),
                ("aftercare_on", Val::Null),
            ],
        )
        .map(|_| ())
    }

    /// Sets the case's current stage.
    pub fn set_case_stage(&mut self, case_id: &str, stage: Stage) -> Result<()> {
        self.update("cases", case_id, &[("stage", stage.code().into())])
            .map(|_| ())
    }

    // Inside an IMMEDIATE transaction the write lock is held, so a read cannot be "busy";
    // any error here is a plain SQLite failure.
    pub(super) fn sql_error(&self, e: rusqlite::Error) -> StoreError {
        StoreError::Invalid(format!("SQLite: {e}"))
    }
}
