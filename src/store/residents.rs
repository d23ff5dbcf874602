//! Resident reads and writes: what the search index is built from, list summaries, the detail
//! panel, and intake (registering a resident, optionally with a case).

use super::audit::{Event, append};
use super::{Result, Store, StoreError, Val};
use crate::model::{AuditAction, Resident, Sex, Stage, split_list};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// One resident as the search index needs it (built at start-up, off the UI thread).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRecord {
    pub rowid: i64,
    pub name: String,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub dong: String,
    pub risks: String,
    pub flags: String,
    /// Stage, worker and 대상자 구분 of the resident's most recently active case.
    pub stage: Option<String>,
    pub worker: Option<String>,
    pub category: Option<String>,
    /// `YYYY-MM-DD HH:MM` of the latest case activity.
    pub last_activity: Option<String>,
}

/// The latest case of a resident: (stage, worker, category, last_activity, the case's rowid).
type LatestCase = (String, String, String, String, i64);

/// Latest case per resident id, from one pass over `cases` (much cheaper than a correlated
/// subquery per resident): the latest activity, the lowest rowid on a tie (as [`record_sql`]).
fn latest_cases(conn: &Connection) -> rusqlite::Result<HashMap<String, LatestCase>> {
    let mut latest: HashMap<String, LatestCase> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT resident_id, stage, worker, category, last_activity, rowid FROM cases
         WHERE deleted = 0",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let resident: String = r.get(0)?;
        let case: LatestCase = (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        match latest.get_mut(&resident) {
            Some(prev)
                if (&prev.3, std::cmp::Reverse(prev.4)) >= (&case.3, std::cmp::Reverse(case.4)) => {
            }
            Some(prev) => *prev = case,
            None => {
                latest.insert(resident, case);
            }
        }
    }
    Ok(latest)
}

pub(super) fn read_records(
    conn: &Connection,
    mut each: impl FnMut(SearchRecord),
) -> rusqlite::Result<()> {
    let mut latest = latest_cases(conn)?;
    let mut stmt = conn.prepare(
        "SELECT rowid, id, name, birth_date, phone, dong, risks, flags FROM residents WHERE deleted = 0",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(1)?;
        let case = latest.remove(&id);
        let (stage, worker, category, last_activity) = match case {
            Some((s, w, c, a, _)) => (Some(s), Some(w), Some(c), Some(a)),
            None => (None, None, None, None),
        };
        each(SearchRecord {
            rowid: r.get(0)?,
            name: r.get(2)?,
            birth_date: r.get(3)?,
            phone: r.get(4)?,
            dong: r.get(5)?,
            risks: r.get(6)?,
            flags: r.get(7)?,
            stage,
            worker,
            category,
            last_activity,
        });
    }
    Ok(())
}

/// Live residents' search records from `source` (which names `residents r`) where `cond`
/// holds. The latest case is the one [`latest_cases`] keeps: the latest activity, the first
/// such case in table order on a tie.
fn record_sql(source: &str, cond: &str) -> String {
    format!(
        "SELECT r.rowid, r.name, r.birth_date, r.phone, r.dong, r.risks, r.flags,
                c.stage, c.worker, c.category, c.last_activity
         FROM {source}
         LEFT JOIN cases c ON c.rowid = (SELECT rowid FROM cases WHERE resident_id = r.id
                                         AND deleted = 0 ORDER BY last_activity DESC, rowid
                                         LIMIT 1)
         WHERE r.deleted = 0 {cond}"
    )
}

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SearchRecord> {
    Ok(SearchRecord {
        rowid: r.get(0)?,
        name: r.get(1)?,
        birth_date: r.get(2)?,
        phone: r.get(3)?,
        dong: r.get(4)?,
        risks: r.get(5)?,
        flags: r.get(6)?,
        stage: r.get(7)?,
        worker: r.get(8)?,
        category: r.get(9)?,
        last_activity: r.get(10)?,
    })
}

/// The search records of the live residents on the list of those changed since the stored
/// search index (`search_dirty`), in rowid order: one statement, not one per resident.
pub(super) fn dirty_records(conn: &Connection) -> rusqlite::Result<Vec<SearchRecord>> {
    let sql = record_sql(
        "search_dirty d JOIN residents r ON r.rowid = d.resident",
        "ORDER BY d.resident",
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], record_row)?;
    rows.collect()
}

impl Store {
    /// One resident's search record (to add a newly registered resident to the index).
    pub fn search_record(&self, id: &str) -> Result<Option<SearchRecord>> {
        self.conn()
            .query_row(
                &record_sql("residents r", "AND r.id = ?1"),
                [id],
                record_row,
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }
}

/// Reads every live resident's search record through a separate read-only connection, so a
/// background thread can build the index while the UI runs.
pub fn read_search_records(file: &super::DbFile) -> Result<Vec<SearchRecord>> {
    let mut out = Vec::new();
    for_each_search_record(file, |r| out.push(r))?;
    Ok(out)
}

/// Like [`read_search_records`], one record at a time (no list of them all in memory).
///
/// A WAL database in a folder we may not write cannot make its shared-memory file, so reading
/// it fails as "read-only"; it is then read as an immutable file, as [`super::Store::open`]
/// does (a read-only database serves searches).
pub fn for_each_search_record(
    file: &super::DbFile,
    mut each: impl FnMut(SearchRecord),
) -> Result<()> {
    let read = |immutable: bool, each: &mut dyn FnMut(SearchRecord)| -> rusqlite::Result<()> {
        let conn = file.connect_read_only(immutable)?;
        read_records(&conn, each)
    };
    let mut delivered = false;
    let first = read(false, &mut |r| {
        delivered = true;
        each(r)
    });
    match first {
        Err(e) if super::open::is_read_only(&e) && !delivered => {
            read(true, &mut each).map_err(|e| super::sql_err(file.path(), e))
        }
        other => other.map_err(|e| super::sql_err(file.path(), e)),
    }
}

/// A resident row for lists.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResidentSummary {
    pub rowid: i64,
    pub id: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub sex: Option<Sex>,
    pub dong: String,
    pub phone: Option<String>,
    pub risks: Vec<String>,
    pub flags: Vec<String>,
    pub stage: Option<Stage>,
}

/// The detail panel of a resident.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResidentDetail {
    pub resident: Resident,
    /// Other members of the household: (name, birth date, sex).
    pub household: Vec<(String, Option<String>, Option<Sex>)>,
    /// Cases: (id, stage, worker, opened_on).
    pub cases: Vec<(String, Stage, String, String)>,
    /// `YYYY-MM-DD HH:MM` of the latest contact entry on any case.
    pub last_contact: Option<String>,
    pub referrals: i64,
}

/// What the intake (접수) form registers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewResident {
    pub name: String,
    pub birth_date: Option<String>,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub sigungu: String,
    pub dong: String,
    pub address: String,
    /// Masked 주민등록번호 only (`500101-1******`).
    pub rrn_masked: Option<String>,
    pub flags: Vec<String>,
    pub risks: Vec<String>,
}

fn read_resident(r: &rusqlite::Row<'_>) -> rusqlite::Result<Resident> {
    Ok(Resident {
        id: r.get(0)?,
        name: r.get(1)?,
        birth_date: r.get(2)?,
        sex: r.get::<_, Option<String>>(3)?.and_then(|s| Sex::parse(&s)),
        phone: r.get(4)?,
        sigungu: r.get(5)?,
        dong: r.get(6)?,
        address: r.get(7)?,
        household_id: r.get(8)?,
        flags: split_list(&r.get::<_, String>(9)?),
        risks: split_list(&r.get::<_, String>(10)?),
        rrn_masked: r.get(11)?,
    })
}

const RESIDENT_COLS: &str = "id, name, birth_date, sex, phone, sigungu, dong, address, household_id, flags, risks, rrn_masked";

impl Store {
    /// Summaries of the residents with these rowids, in the same order (missing ones skipped).
    pub fn resident_summaries(&self, rowids: &[i64]) -> Result<Vec<ResidentSummary>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT r.rowid, r.id, r.name, r.birth_date, r.sex, r.dong, r.phone, r.risks, r.flags,
                        (SELECT stage FROM cases WHERE resident_id = r.id AND deleted = 0
                         ORDER BY last_activity DESC LIMIT 1)
                 FROM residents r WHERE r.rowid = ?1 AND r.deleted = 0",
            )
            .map_err(|e| self.sql_err(e))?;
        let mut out = Vec::with_capacity(rowids.len());
        for rowid in rowids {
            let mut rows = stmt
                .query_map([rowid], |r| {
                    Ok(ResidentSummary {
                        rowid: r.get(0)?,
                        id: r.get(1)?,
                        name: r.get(2)?,
                        birth_date: r.get(3)?,
                        sex: r.get::<_, Option<String>>(4)?.and_then(|s| Sex::parse(&s)),
                        dong: r.get(5)?,
                        phone: r.get(6)?,
                        risks: split_list(&r.get::<_, String>(7)?),
                        flags: split_list(&r.get::<_, String>(8)?),
                        stage: r
                            .get::<_, Option<String>>(9)?
                            .and_then(|s| Stage::parse(&s)),
                    })
                })
                .map_err(|e| self.sql_err(e))?;
            if let Some(row) = rows.next() {
                out.push(row.map_err(|e| self.sql_err(e))?);
            }
        }
        Ok(out)
    }

    /// A resident by id.
    pub fn resident(&self, id: &str) -> Result<Option<Resident>> {
        let sql = format!("SELECT {RESIDENT_COLS} FROM residents WHERE id = ?1 AND deleted = 0");
        let mut stmt = self
            .conn()
            .prepare_cached(&sql)
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt
            .query_map([id], read_resident)
            .map_err(|e| self.sql_err(e))?;
        rows.next().transpose().map_err(|e| self.sql_err(e))
    }

    /// The detail panel of a resident; writes an audit row (조회), since it shows the phone.
    pub fn view_resident(&self, id: &str) -> Result<ResidentDetail> {
        let resident = self
            .resident(id)?
            .ok_or_else(|| StoreError::NotFound(format!("resident {id}")))?;
        let conn = self.conn();
        let household = match &resident.household_id {
            Some(h) => conn
                .prepare_cached(
                    "SELECT name, birth_date, sex FROM residents
                     WHERE household_id = ?1 AND id <> ?2 AND deleted = 0 ORDER BY birth_date",
                )
                .and_then(|mut s| {
                    s.query_map(params![h, id], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get::<_, Option<String>>(2)?.and_then(|s| Sex::parse(&s)),
                        ))
                    })?
                    .collect()
                })
                .map_err(|e| self.sql_err(e))?,
            None => Vec::new(),
        };
        let cases = conn
            .prepare_cached(
                "SELECT id, stage, worker, opened_on FROM cases
                 WHERE resident_id = ?1 AND deleted = 0 ORDER BY last_activity DESC",
            )
            .and_then(|mut s| {
                s.query_map([id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        Stage::parse(&r.get::<_, String>(1)?).unwrap_or(Stage::Intake),
                        r.get(2)?,
                        r.get(3)?,
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.sql_err(e))?;
        let (last_contact, referrals) = conn
            .query_row(
                "SELECT (SELECT max(e.at) FROM entries e JOIN cases c ON c.id = e.case_id
                         WHERE c.resident_id = ?1 AND e.kind IN
                         ('initial_consult', 'visit', 'call', 'office_visit', 'assessment', 'monitoring')),
                        (SELECT count(*) FROM referrals f JOIN cases c ON c.id = f.case_id
                         WHERE c.resident_id = ?1 AND f.deleted = 0)",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.sql_err(e))?;
        self.audit(&Event {
            action: AuditAction::View,
            resident_id: Some(id),
            subject: &format!("resident:{id}"),
            detail: "상세",
        })?;
        Ok(ResidentDetail {
            resident,
            household,
            cases,
            last_contact,
            referrals,
        })
    }

    /// Residents born in `year` living in `dong`, or with exactly this name and birth date
    /// (candidates for the duplicate check at intake).
    pub fn duplicate_candidates(
        &self,
        name: &str,
        birth_date: Option<&str>,
        dong: &str,
    ) -> Result<Vec<ResidentSummary>> {
        let year = birth_date.and_then(|b| b.get(..4)).unwrap_or("");
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT rowid FROM residents WHERE deleted = 0 AND
                 ((name = ?1 AND birth_date IS ?2) OR (?3 <> '' AND dong = ?4 AND substr(birth_date, 1, 4) = ?3))
                 LIMIT 200",
            )
            .map_err(|e| self.sql_err(e))?;
        let rowids: Vec<i64> = stmt
            .query_map(params![name, birth_date, year, dong], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))?;
        self.resident_summaries(&rowids)
    }

    /// Registers a resident (접수), optionally opening a case at 접수 for the operator, in one
    /// transaction with its audit row. Returns (resident id, case id).
    pub fn register_resident(
        &mut self,
        r: &NewResident,
        open_case: bool,
    ) -> Result<(String, Option<String>)> {
        let name = r.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "이름이 비어 있습니다 (name is required)".into(),
            ));
        }
        use unicode_normalization::UnicodeNormalization;
        let name: String = name.nfc().collect();
        let operator = self.operator().to_string();
        let host = self.host().to_string();
        let now = self.clock().now();
        let stamp = self.clock().stamp();

        let mut tx = self.write()?;
        let id = uuid::Uuid::now_v7().to_string();
        tx.insert(
            "residents",
            &id,
            &[
                ("name", name.into()),
                ("birth_date", r.birth_date.clone().into()),
                ("sex", Val::opt(r.sex.map(|s| s.code()))),
                ("phone", r.phone.clone().into()),
                ("sigungu", r.sigungu.clone().into()),
                ("dong", r.dong.clone().into()),
                ("address", r.address.clone().into()),
                ("flags", r.flags.join(",").into()),
                ("risks", r.risks.join(",").into()),
                ("rrn_masked", r.rrn_masked.clone().into()),
            ],
        )?;
        let case_id = if open_case {
            Some(insert_new_case(&mut tx, &id, &operator, now)?)
        } else {
            None
        };
        append(
            tx.conn(),
            &operator,
            &host,
            &stamp,
            &Event {
                action: AuditAction::Create,
                resident_id: Some(&id),
                subject: &format!("resident:{id}"),
                detail: if open_case {
                    "접수 (사례 생성)"
                } else {
                    "접수"
                },
            },
        )
        .map_err(|e| tx.sql_err(e))?;
        tx.commit()?;
        Ok((id, case_id))
    }
}

/// Inserts a new case at 접수 for `resident_id` (worker: `operator`, opened now) with its
/// opening stage entry, inside `tx`. Returns the case id.
fn insert_new_case(
    tx: &mut super::Tx<'_>,
    resident_id: &str,
    operator: &str,
    now: chrono::NaiveDateTime,
) -> Result<String> {
    let case_id = uuid::Uuid::now_v7().to_string();
    let today = now.format("%Y-%m-%d").to_string();
    let at = now.format("%Y-%m-%d %H:%M").to_string();
    tx.insert(
        "cases",
        &case_id,
        &[
            ("resident_id", resident_id.into()),
            ("worker", operator.into()),
            ("stage", Stage::Intake.code().into()),
            ("opened_on", today.into()),
            ("last_activity", at.clone().into()),
        ],
    )?;
    tx.insert(
        "entries",
        &uuid::Uuid::now_v7().to_string(),
        &[
            ("case_id", case_id.as_str().into()),
            ("kind", "stage_change".into()),
            ("author", operator.into()),
            ("at", at.into()),
            ("body", "접수".into()),
            ("data", r#"{"from":null,"to":"intake"}"#.into()),
        ],
    )?;
    Ok(case_id)
}

impl Store {
    /// Opens a case at 접수 for an existing resident (사례 열기), for the operator, in one
    /// transaction with its audit row (입력). Refused while the resident has a case that is not
    /// closed: that one is the case to work on. Returns the new case id.
    pub fn open_case_for(&mut self, resident_id: &str) -> Result<String> {
        let open = self
            .cases_of_resident(resident_id)?
            .into_iter()
            .find(|c| c.stage.is_open());
        if let Some(c) = open {
            return Err(StoreError::Invalid(format!(
                "이미 진행 중인 사례가 있습니다 ({}) (case {} is open)",
                c.stage.label(),
                c.id
            )));
        }
        let operator = self.operator().to_string();
        let host = self.host().to_string();
        let now = self.clock().now();
        let stamp = self.clock().stamp();
        let mut tx = self.write()?;
        // The resident must exist (and not be a tombstone).
        let live: bool = tx
            .conn()
            .query_row(
                "SELECT count(*) FROM residents WHERE id = ?1 AND deleted = 0",
                [resident_id],
                |r| r.get::<_, i64>(0),
            )
            .map_err(|e| tx.sql_err(e))?
            > 0;
        if !live {
            return Err(StoreError::NotFound(format!("resident {resident_id}")));
        }
        let case_id = insert_new_case(&mut tx, resident_id, &operator, now)?;
        append(
            tx.conn(),
            &operator,
            &host,
            &stamp,
            &Event {
                action: AuditAction::Create,
                resident_id: Some(resident_id),
                subject: &format!("case:{case_id}"),
                detail: "사례 열기 (기존 주민)",
            },
        )
        .map_err(|e| tx.sql_err(e))?;
        tx.commit()?;
        Ok(case_id)
    }
}
