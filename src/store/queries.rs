//! Read-side queries that return domain types.

use super::schema::SYNCED_TABLES;
use super::{Result, Store};
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

/// Row counts of the main tables (live rows only).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub households: i64,
    pub residents: i64,
    pub cases: i64,
    pub open_cases: i64,
    pub entries: i64,
    pub resources: i64,
    pub referrals: i64,
}

impl Store {
    /// Live row counts of the main tables.
    pub fn counts(&self) -> Result<Counts> {
        let one = |sql: &str| -> Result<i64> {
            self.conn()
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.sql_err(e))
        };
        Ok(Counts {
            households: one("SELECT count(*) FROM households WHERE deleted = 0")?,
            residents: one("SELECT count(*) FROM residents WHERE deleted = 0")?,
            cases: one("SELECT count(*) FROM cases WHERE deleted = 0")?,
            open_cases: one(
                "SELECT count(*) FROM cases WHERE deleted = 0 AND stage NOT IN ('closed', 'aftercare')",
            )?,
            entries: one("SELECT count(*) FROM entries")?,
            resources: one("SELECT count(*) FROM resources WHERE deleted = 0")?,
            referrals: one("SELECT count(*) FROM referrals WHERE deleted = 0")?,
        })
    }
}

/// SHA-256 over the content of every synced table, in id order, leaving out `site_id` and `hlc`
/// (which say where and when a row was written, not what it holds).
pub(super) fn content_digest(store: &Store) -> Result<String> {
    let conn = store.conn();
    let mut hasher = Sha256::new();
    for table in SYNCED_TABLES {
        let cols: Vec<String> = {
            let mut stmt = conn
                .prepare(&format!("PRAGMA table_info({table})"))
                .map_err(|e| store.sql_err(e))?;
            stmt.query_map([], |r| r.get::<_, String>(1))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| store.sql_err(e))?
                .into_iter()
                // Bookkeeping that may differ between sites holding the same content.
                .filter(|c| !matches!(c.as_str(), "site_id" | "hlc" | "insert_seq"))
                .collect()
        };
        hasher.update(table.as_bytes());
        let sql = format!("SELECT {} FROM {table} ORDER BY id", cols.join(", "));
        let mut stmt = conn.prepare(&sql).map_err(|e| store.sql_err(e))?;
        let mut rows = stmt.query([]).map_err(|e| store.sql_err(e))?;
        while let Some(row) = rows.next().map_err(|e| store.sql_err(e))? {
            for i in 0..cols.len() {
                match row.get_ref(i).map_err(|e| store.sql_err(e))? {
                    ValueRef::Null => hasher.update([0u8]),
                    ValueRef::Integer(v) => {
                        hasher.update([1u8]);
                        hasher.update(v.to_le_bytes());
                    }
                    ValueRef::Real(v) => {
                        hasher.update([2u8]);
                        hasher.update(v.to_le_bytes());
                    }
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        hasher.update([3u8]);
                        hasher.update((t.len() as u64).to_le_bytes());
                        hasher.update(t);
                    }
                }
            }
        }
    }
    Ok(hex::encode(hasher.finalize()))
}
