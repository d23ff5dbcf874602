//! Bulk reads for reports (the 월별 실적): every live case with its resident's 동 in one join,
//! and the entries a month needs in one scan of the table — instead of one query per case.

use super::cases::{CASE_COLS, read_case};
use super::{Result, Store, bad};
use crate::model::{Case, Entry, EntryKind};

impl Store {
    /// Every live case with its resident's 동 (one join).
    pub fn report_cases(&self) -> Result<Vec<(Case, String)>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {CASE_COLS}, r.dong FROM cases c JOIN residents r ON r.id = c.resident_id
                 WHERE c.deleted = 0"
            ))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| Ok((read_case(r, 0)?, r.get(14)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// The entries the 월별 실적 of a month ending at `end` (`YYYY-MM-DD HH:MM`) needs, in one
    /// scan of the table in storage order (no sort in SQL: the caller groups by case and sorts
    /// by time, then `hlc`, which is much cheaper than walking the case index): every live entry
    /// at or before `end`, every stage change, every correction, and every entry that has a
    /// correction (so corrections fold exactly as over the whole timeline). Entries later than
    /// `end` that are none of these cannot change the month's figures. `keep` is asked with the
    /// case id first; only entries of kept cases are read further. The rows are slim: no body
    /// or author, and `data` only for stage changes, referrals and corrections (the only data
    /// the report reads); `each` gets the entry's `hlc` and the entry.
    pub fn report_month_entries(
        &self,
        end: &str,
        mut keep: impl FnMut(&str) -> bool,
        mut each: impl FnMut(i64, Entry),
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT e.case_id, e.id, e.kind, e.at, e.due_on,
                        CASE WHEN e.kind IN ('stage_change', 'referral') OR e.corrects IS NOT NULL
                             THEN e.data END,
                        e.corrects, e.voids, e.hlc
                 FROM entries e
                 WHERE e.deleted = 0
                   AND (e.at <= ?1 OR e.kind = 'stage_change' OR e.corrects IS NOT NULL
                        OR EXISTS (SELECT 1 FROM entries c WHERE c.corrects = e.id))",
            )
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt.query([end]).map_err(|e| self.sql_err(e))?;
        let read = |r: &rusqlite::Row<'_>, case_id: String| -> rusqlite::Result<(i64, Entry)> {
            let kind: String = r.get(2)?;
            let data: Option<String> = r.get(5)?;
            Ok((
                r.get(8)?,
                Entry {
                    id: r.get(1)?,
                    case_id,
                    kind: EntryKind::parse(&kind).ok_or_else(|| bad("entry kind", &kind))?,
                    author: String::new(),
                    at: r.get(3)?,
                    body: String::new(),
                    due_on: r.get(4)?,
                    data: data
                        .and_then(|d| serde_json::from_str(&d).ok())
                        .unwrap_or(serde_json::Value::Null),
                    corrects: r.get(6)?,
                    voids: r.get::<_, i64>(7)? != 0,
                },
            ))
        };
        while let Some(r) = rows.next().map_err(|e| self.sql_err(e))? {
            let case_id = r
                .get_ref(0)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(|e| self.sql_err(e))?;
            if !keep(case_id) {
                continue;
            }
            let case_id = case_id.to_string();
            let (hlc, entry) = read(r, case_id).map_err(|e| self.sql_err(e))?;
            each(hlc, entry);
        }
        Ok(())
    }
}
