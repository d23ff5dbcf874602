//! Referrals (case ↔ resource): reads with resource names, the insert and status updates.

use super::{Result, Store, StoreError, Tx};
use crate::model::{Referral, ReferralView};
use rusqlite::{Connection, OptionalExtension, Row};

/// One referral by id, on any connection.
fn referral_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<Referral>> {
    conn.prepare_cached(
        "SELECT id, case_id, resource_id, status, requested_on, updated_on, note
         FROM referrals WHERE id = ?1 AND deleted = 0",
    )?
    .query_row([id], read_referral)
    .optional()
}

/// Whether a live resource with this id exists, and its name.
fn resource_name_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
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
}

impl Tx<'_> {
    /// One referral, read inside this transaction.
    pub fn referral(&self, id: &str) -> Result<Referral> {
        referral_on(self.conn(), id)
            .map_err(|e| self.sql_error(e))?
            .ok_or_else(|| StoreError::NotFound(format!("referral {id}")))
    }

    /// The name of a live resource.
    pub fn resource_name(&self, id: &str) -> Result<String> {
        self.resource_name_if_live(id)?
            .ok_or_else(|| StoreError::NotFound(format!("resource {id}")))
    }

    /// The name of a resource, or `None` if it was deleted (a tombstoned resource keeps its
    /// referrals). An SQL failure is an error, never `None`.
    pub fn resource_name_if_live(&self, id: &str) -> Result<Option<String>> {
        resource_name_on(self.conn(), id).map_err(|e| self.sql_error(e))
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

    /// Writes a referral's status, its update day and note.
    pub fn update_referral(&mut self, f: &Referral) -> Result<()> {
        self.update(
            "referrals",
            &f.id,
            &[
                ("status", f.status.as_str().into()),
                ("updated_on", f.updated_on.as_str().into()),
                ("note", f.note.as_str().into()),
            ],
        )
        .map(|_| ())
    }
}
