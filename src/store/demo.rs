//! Shape statistics of a database, for checking that demo data looks real (`dolbom demo`).

use super::{Result, Store};
use chrono::Datelike;

/// Shape statistics of a database (for checking that demo data looks real).
#[derive(Debug, Clone, Default)]
pub struct DemoStats {
    pub residents: i64,
    pub over_65: i64,
    pub dongs: i64,
    pub households: i64,
    pub single_households: i64,
    pub kim: i64,
    pub with_risk: i64,
    pub phones_ok: bool,
    pub min_entries: i64,
    pub max_entries: i64,
}

impl Store {
    /// Shape statistics; see [`DemoStats`].
    pub fn demo_stats(&self) -> Result<DemoStats> {
        let year = self.clock().today().year();
        let one = |sql: &str| -> Result<i64> {
            self.conn()
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.sql_err(e))
        };
        let (min_entries, max_entries) = self
            .conn()
            .query_row(
                "SELECT coalesce(min(n), 0), coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM entries GROUP BY case_id)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(DemoStats {
            residents: one("SELECT count(*) FROM residents")?,
            over_65: one(&format!(
                "SELECT count(*) FROM residents WHERE CAST(substr(birth_date, 1, 4) AS INTEGER) <= {}",
                year - 65
            ))?,
            dongs: one("SELECT count(DISTINCT dong) FROM residents")?,
            households: one("SELECT count(*) FROM households")?,
            single_households: one(
                "SELECT count(*) FROM (SELECT household_id FROM residents GROUP BY household_id HAVING count(*) = 1)",
            )?,
            kim: one("SELECT count(*) FROM residents WHERE name LIKE '김%'")?,
            with_risk: one("SELECT count(*) FROM residents WHERE risks <> ''")?,
            phones_ok: one(
                "SELECT count(*) FROM residents WHERE phone IS NOT NULL AND phone NOT GLOB '010-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]' AND phone NOT GLOB '02-[0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]'",
            )? == 0,
            min_entries,
            max_entries,
        })
    }
}
