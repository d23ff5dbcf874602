//! 방문 계획 (issue #16 item 6): the planned visits of a span of days, from `visit_plan`
//! entries (folded with their corrections) and from 발굴 rows that carry a plan. Each part is
//! an index range (`entries_visit_plan`, `discovery_visit`, see migration V_VISITS) plus a few
//! seeks per plan, so a week costs the same at 100k residents as at 100.

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

    /// Plans on cases: one statement — the roots of every plan with a version on a day in range
    /// (`entries_visit_plan`; a rescheduled plan is found by its old day, then dropped if it
    /// moved away, or by its new one), each root's current version (its latest correction by
    /// `entries_corrects`, else itself), the case and resident by primary key, and whether a
    /// 방문 entry records it done (`entries_visit_done`). `CROSS JOIN` keeps that order.
    fn case_visit_plans(&self, from: &str, to: &str) -> Result<Vec<PlannedVisit>> {
        self.conn()
            .prepare_cached(
                "WITH roots AS (
                    SELECT DISTINCT coalesce(p.corrects, p.id) AS root
                    FROM entries p INDEXED BY entries_visit_plan
                    WHERE p.kind = 'visit_plan' AND json_extract(p.data, '$.on') BETWEEN ?1 AND ?2
                      AND p.deleted = 0
                 ), cur AS (
                    SELECT root, coalesce(
                        (SELECT x.id FROM entries x WHERE x.corrects = roots.root AND x.deleted = 0
                         ORDER BY x.at DESC, x.hlc DESC LIMIT 1), root) AS cid
                    FROM roots
                 )
                 SELECT cur.root, e.case_id, e.author, json_extract(e.data, '$.on'),
                        json_extract(e.data, '$.time'), json_extract(e.data, '$.purpose'),
                        c.worker, r.id, r.name, r.dong, r.address, r.phone,
                        EXISTS (SELECT 1 FROM entries d INDEXED BY entries_visit_done
                                WHERE d.kind = 'visit' AND json_extract(d.data, '$.plan_id') = cur.root
                                  AND d.deleted = 0
                                  AND NOT EXISTS (SELECT 1 FROM entries v
                                                  WHERE v.corrects = d.id AND v.voids = 1))
                 FROM cur CROSS JOIN entries e CROSS JOIN cases c CROSS JOIN residents r
                 WHERE e.id = cur.cid AND c.id = e.case_id AND r.id = c.resident_id
                   AND e.deleted = 0 AND e.voids = 0 AND e.kind = 'visit_plan' AND c.deleted = 0
                   AND json_extract(e.data, '$.on') BETWEEN ?1 AND ?2",
            )
            .and_then(|mut s| {
                s.query_map([from, to], |r| {
                    let text = |i: usize| -> rusqlite::Result<String> {
                        Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
                    };
                    Ok(PlannedVisit {
                        id: r.get(0)?,
                        source: VisitSource::Case {
                            case_id: r.get(1)?,
                        },
                        planner: r.get(2)?,
                        on: text(3)?,
                        time: text(4)?,
                        purpose: text(5)?,
                        worker: r.get(6)?,
                        resident_id: Some(r.get(7)?),
                        name: r.get(8)?,
                        dong: r.get(9)?,
                        address: r.get(10)?,
                        phone: r.get(11)?,
                        done: r.get(12)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.sql_err(e))
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
