//! Resource directory reads.

use super::{Result, Store};
use crate::model::Resource;
use rusqlite::params;

/// A resource with its current load (open referrals).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResourceRow {
    pub resource: Resource,
    /// Open referrals (의뢰, 접수, 제공 중).
    pub load: i64,
}

const COLS: &str = "r.id, r.name, r.category, r.detail_type, r.provider_type, r.address, r.phone, r.hours, \
                    r.eligibility, r.capacity, r.source, r.source_key, r.imported_at";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<ResourceRow> {
    Ok(ResourceRow {
        resource: Resource {
            id: r.get(0)?,
            name: r.get(1)?,
            category: r.get(2)?,
            detail_type: r.get(3)?,
            provider_type: r.get(4)?,
            address: r.get(5)?,
            phone: r.get(6)?,
            hours: r.get(7)?,
            eligibility: r.get(8)?,
            capacity: r.get(9)?,
            source: r.get(10)?,
            source_key: r.get(11)?,
            imported_at: r.get(12)?,
        },
        load: r.get(13)?,
    })
}

impl Store {
    /// Every live resource, by category then name, with its open-referral load.
    pub fn resources(&self) -> Result<Vec<ResourceRow>> {
        let sql = format!(
            "SELECT {COLS}, (SELECT count(*) FROM referrals f WHERE f.resource_id = r.id AND f.deleted = 0
                               AND f.status IN ('의뢰', '접수', '제공 중'))
             FROM resources r WHERE r.deleted = 0 ORDER BY r.category, r.name"
        );
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.sql_err(e))?;
        stmt.query_map([], read)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }

    /// One resource by id.
    pub fn resource(&self, id: &str) -> Result<Option<ResourceRow>> {
        let sql = format!(
            "SELECT {COLS}, (SELECT count(*) FROM referrals f WHERE f.resource_id = r.id AND f.deleted = 0
                               AND f.status IN ('의뢰', '접수', '제공 중'))
             FROM resources r WHERE r.id = ?1"
        );
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.sql_err(e))?;
        let mut rows = stmt
            .query_map(params![id], read)
            .map_err(|e| self.sql_err(e))?;
        rows.next().transpose().map_err(|e| self.sql_err(e))
    }

    /// Local ops not yet known to be at every peer (all local ops when there is no peer yet).
    pub fn pending_sync(&self) -> Result<i64> {
        let site = &self.site().id;
        self.conn()
            .query_row(
                "SELECT coalesce((SELECT max(seq) FROM ops WHERE origin = ?1), 0)
                      - coalesce((SELECT min(coalesce(v.seq, 0)) FROM sync_peers p
                                  LEFT JOIN sync_vv v ON v.peer = p.site_id AND v.origin = ?1), 0)",
                params![site],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
    }
}
