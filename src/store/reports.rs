//! Bulk reads for reports (the 월별 실적): every live case with its resident's 동 in one join,
//! and every live entry up to a time in one scan ordered by case and time — instead of one
//! query per case.

use super::cases::{CASE_COLS, read_case};
use super::entries::{ENTRY_COLS, read_entry};
use super::{Result, Store};
use crate::model::{Case, Entry};

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

    /// Every live entry whose time is at or before `until` (`YYYY-MM-DD HH:MM`), and every
    /// correction of such an entry whatever its own time, ordered by case, then time (ties in
    /// the order written) — one scan; `each` is called per entry.
    pub fn report_entries(&self, until: &str, mut each: impl FnMut(Entry)) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLS} FROM entries e
                 WHERE e.deleted = 0
                   AND (e.at <= ?1
                        OR (e.corrects IS NOT NULL
                            AND (SELECT o.at FROM entries o WHERE o.id = e.corrects) <= ?1))
                 ORDER BY e.case_id, e.at, e.hlc"
            ))
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([until], read_entry)
            .map_err(|e| self.sql_err(e))?;
        for row in rows {
            each(row.map_err(|e| self.sql_err(e))?);
        }
        Ok(())
    }
}
