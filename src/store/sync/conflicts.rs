//! The `conflicts` table: reading recorded conflicts, and what settling one needs to read.

use crate::store::oplog::stamps::{Stamp, field_stamps};
use crate::store::{Result, Store, Tx, Val, materialize_insert, row_fields};
use rusqlite::OptionalExtension;

/// One recorded conflict: a value that lost a concurrent edit, kept for a person to review.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    pub id: String,
    pub table: String,
    pub row_id: String,
    pub field: String,
    /// The value in the row (the winner when it was detected).
    pub kept_value: Option<String>,
    pub kept_hlc: i64,
    pub kept_origin: String,
    /// The value that lost.
    pub lost_value: Option<String>,
    pub lost_hlc: i64,
    pub lost_origin: String,
    pub detected_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
}

const COLS: &str =
    "id, tbl, row_id, field, kept_value, kept_hlc, kept_origin, lost_value, lost_hlc,
    lost_origin, detected_at, resolved_at, resolution";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Conflict> {
    Ok(Conflict {
        id: r.get(0)?,
        table: r.get(1)?,
        row_id: r.get(2)?,
        field: r.get(3)?,
        kept_value: r.get(4)?,
        kept_hlc: r.get(5)?,
        kept_origin: r.get(6)?,
        lost_value: r.get(7)?,
        lost_hlc: r.get(8)?,
        lost_origin: r.get(9)?,
        detected_at: r.get(10)?,
        resolved_at: r.get(11)?,
        resolution: r.get(12)?,
    })
}

impl Store {
    /// Recorded conflicts, most recently detected first: the unresolved ones only, or all.
    pub fn conflicts(&self, unresolved_only: bool) -> Result<Vec<Conflict>> {
        let filter = if unresolved_only {
            "WHERE resolved_at IS NULL"
        } else {
            ""
        };
        let sql = format!("SELECT {COLS} FROM conflicts {filter} ORDER BY detected_at DESC, id");
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.sql_err(e))?;
        stmt.query_map([], read)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql_err(e))
    }

    /// Conflict `id`, if recorded.
    pub fn conflict(&self, id: &str) -> Result<Option<Conflict>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLS} FROM conflicts WHERE id = ?1"),
                [id],
                read,
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }
}

impl Tx<'_> {
    /// A field's value in its row now and the stamp of the write it came from; `None` if the
    /// row is gone. Materializes the row's insert op first (see [`materialize_insert`]).
    pub fn field_now(
        &self,
        table: &str,
        id: &str,
        field: &str,
    ) -> Result<Option<(Val, Option<Stamp>)>> {
        super::check_synced(table)?;
        let conn = self.conn();
        (|| -> rusqlite::Result<Option<(Val, Option<Stamp>)>> {
            let Some(fields) = row_fields(conn, table, id)? else {
                return Ok(None);
            };
            let value = fields.get(field).map(Val::from_json).unwrap_or(Val::Null);
            materialize_insert(conn, table, id)?;
            let stamps = field_stamps(conn, table, id, &[field])?;
            Ok(Some((value, stamps.get(field).cloned())))
        })()
        .map_err(|e| self.sql_err(e))
    }

    /// Whether `column` of synced `table` is declared INTEGER (its values are numbers).
    pub fn column_is_integer(&self, table: &str, column: &str) -> Result<bool> {
        super::check_synced(table)?;
        let err = |e| self.sql_err(e);
        let mut stmt = self
            .conn()
            .prepare(&format!("PRAGMA table_info({table})"))
            .map_err(err)?;
        let columns = stmt
            .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err)?;
        Ok(columns
            .iter()
            .any(|(name, ty)| name == column && ty.eq_ignore_ascii_case("INTEGER")))
    }

    /// Marks conflict `id` resolved at `at` by `resolution` (a person's choice).
    pub fn resolve_conflict_row(&self, id: &str, at: &str, resolution: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1",
                rusqlite::params![id, at, resolution],
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }
}
