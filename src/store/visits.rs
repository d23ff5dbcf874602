//! 방문 계획 (issue #16 item 6): the planned visits of a span of days, from `visit_plan`
//! entries (folded with their corrections) and from 발굴 rows that carry a plan. Each part is
//! an index range (`entries_visit_plan`, `discovery_visit`, see migration V_VISITS) plus a few
//! seeks per plan, so a week costs the same at 100k residents as at 100.

use super::entries::{ENTRY_COLS, read_entry};
use super::{Result, Store};
use crate::model::{Entry, PlannedVisit, VisitSource};

/// The `data` field of a plan entry as text (empty when missing).
pub fn plan_field<'a>(e: &'a Entry, key: &str) -> &'a str {
    e.data.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

impl Store {
    /// Planned visits whose current day is in `from..=to` (`YYYY-MM-DD`), cancelled ones left
    /// out, in no particular order (see `timeline::visits` for the orders the views use).
    pub fn planned_visits(&self, from: &str, to: &str) -> Result<Vec<PlannedVisit>> {
        let mut out = self.case_visit_plans(from, to)?;
        out.extend(self.discovery_visit_plans(from, to)?);
        Ok(out)
    }

    fn case_visit_plans(&self, from: &str, to: &str) -> Result<Vec<PlannedVisit>> {
        let conn = self.conn();
        let err = |e| self.sql_err(e);
        // Roots of every plan with a version on a day in range: a rescheduled plan is found by
        // its old day (then dropped below if it moved away) or by its new one.
        let mut roots: Vec<String> = conn
            .prepare_cached(
                "SELECT DISTINCT coalesce(e.corrects, e.id) FROM entries e INDEXED BY entries_visit_plan
                 WHERE e.kind = 'visit_plan' AND json_extract(e.data, '$.on') BETWEEN ?1 AND ?2
                   AND e.deleted = 0",
            )
            .and_then(|mut s| {
                s.query_map([from, to], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(err)?;
        roots.sort();
        let mut chain = conn
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLS} FROM entries e WHERE (e.id = ?1 OR e.corrects = ?1) AND e.deleted = 0
                 ORDER BY e.corrects IS NOT NULL, e.at, e.hlc"
            ))
            .map_err(err)?;
        let mut case = conn
            .prepare_cached(
                "SELECT c.worker, r.id, r.name, r.dong, r.address, r.phone
                 FROM cases c JOIN residents r ON r.id = c.resident_id
                 WHERE c.id = ?1 AND c.deleted = 0",
            )
            .map_err(err)?;
        let mut done = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM entries x INDEXED BY entries_visit_done
                   WHERE x.kind = 'visit' AND json_extract(x.data, '$.plan_id') = ?1 AND x.deleted = 0
                     AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.corrects = x.id AND v.voids = 1))",
            )
            .map_err(err)?;
        let mut out = Vec::with_capacity(roots.len());
        for root in roots {
            let versions: Vec<Entry> = chain
                .query_map([&root], read_entry)
                .and_then(|rows| rows.collect())
                .map_err(err)?;
            let Some(current) = versions.last() else {
                continue;
            };
            if current.voids || current.kind != crate::model::EntryKind::VisitPlan {
                continue;
            }
            let on = plan_field(current, "on");
            if on < from || on > to {
                continue;
            }
            let who = case
                .query_row([&current.case_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                })
                .map_err(err);
            let Ok((worker, resident_id, name, dong, address, phone)) = who else {
                continue;
            };
            let is_done = done
                .query_row([&root], |r| r.get::<_, bool>(0))
                .map_err(err)?;
            out.push(PlannedVisit {
                id: root.clone(),
                source: VisitSource::Case {
                    case_id: current.case_id.clone(),
                },
                on: on.to_string(),
                time: plan_field(current, "time").to_string(),
                purpose: plan_field(current, "purpose").to_string(),
                planner: current.author.clone(),
                worker,
                resident_id: Some(resident_id),
                name,
                dong,
                address,
                phone,
                done: is_done,
            });
        }
        Ok(out)
    }

    fn discovery_visit_plans(&self, from: &str, to: &str) -> Result<Vec<PlannedVisit>> {
        self.conn()
            .prepare_cached(
                "SELECT id, visit_on, visit_time, visit_purpose, visit_by, resident_id, name, dong,
                        address, phone, outcome IS NOT NULL
                 FROM discovery INDEXED BY discovery_visit
                 WHERE visit_on BETWEEN ?1 AND ?2 AND deleted = 0",
            )
            .and_then(|mut s| {
                s.query_map([from, to], |r| {
                    Ok(PlannedVisit {
                        id: r.get(0)?,
                        source: VisitSource::Discovery,
                        on: r.get(1)?,
                        time: r.get(2)?,
                        purpose: r.get(3)?,
                        planner: r.get(4)?,
                        worker: String::new(),
                        resident_id: r.get(5)?,
                        name: r.get(6)?,
                        dong: r.get(7)?,
                        address: r.get(8)?,
                        phone: r.get(9)?,
                        done: r.get(10)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.sql_err(e))
    }

    /// Whether a 방문 entry already records plan `plan_id` as done.
    pub fn visit_plan_done(&self, plan_id: &str) -> Result<bool> {
        self.conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM entries x INDEXED BY entries_visit_done
                   WHERE x.kind = 'visit' AND json_extract(x.data, '$.plan_id') = ?1 AND x.deleted = 0)",
            )
            .and_then(|mut s| s.query_row([plan_id], |r| r.get(0)))
            .map_err(|e| self.sql_err(e))
    }
}
