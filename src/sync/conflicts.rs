//! Conflicts: values that lost a concurrent edit, kept for a person to review, and resolving
//! them. Restoring the other value is a new local edit, so the choice syncs to every site.

use super::site::{SyncError, SyncResult};
use crate::audit::{self, Event};
use crate::model::AuditAction;
use crate::store::{Store, StoreError, Val};
use rusqlite::{OptionalExtension, params};

/// One recorded conflict.
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

/// How a person settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The current value stays.
    KeepCurrent,
    /// The lost value is written back as a new local edit (which syncs).
    RestoreOther,
}

impl Resolution {
    fn code(self) -> &'static str {
        match self {
            Resolution::KeepCurrent => "keep_current",
            Resolution::RestoreOther => "restore_other",
        }
    }
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

/// Unresolved conflicts, most recently detected first.
pub fn open_conflicts(store: &Store) -> SyncResult<Vec<Conflict>> {
    list(store, "WHERE resolved_at IS NULL")
}

/// Every conflict, resolved ones included.
pub fn all_conflicts(store: &Store) -> SyncResult<Vec<Conflict>> {
    list(store, "")
}

fn list(store: &Store, filter: &str) -> SyncResult<Vec<Conflict>> {
    let sql = format!("SELECT {COLS} FROM conflicts {filter} ORDER BY detected_at DESC, id");
    let mut stmt = store.conn().prepare(&sql).map_err(|e| store.sql_err(e))?;
    let rows = stmt
        .query_map([], read)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| store.sql_err(e))?;
    Ok(rows)
}

/// Settles conflict `id`. `RestoreOther` writes the lost value as a new local update (an op that
/// syncs, and wins everywhere as the newest edit); both record who decided in the audit log.
pub fn resolve_conflict(store: &mut Store, id: &str, how: Resolution) -> SyncResult<()> {
    let conflict = store
        .conn()
        .query_row(
            &format!("SELECT {COLS} FROM conflicts WHERE id = ?1"),
            [id],
            read,
        )
        .optional()
        .map_err(|e| store.sql_err(e))?
        .ok_or_else(|| StoreError::NotFound(format!("conflict {id}")))?;
    if conflict.resolved_at.is_some() {
        return Err(SyncError::Usage(format!(
            "이미 처리된 충돌입니다 / conflict {id} is already resolved"
        )));
    }
    let at = store.clock().stamp();
    let operator = store.operator().to_string();
    let host = store.host().to_string();
    let mut tx = store.write()?;
    if how == Resolution::RestoreOther {
        let value = typed_value(tx.conn(), &conflict).map_err(|e| tx.sql_err(e))?;
        tx.update(
            &conflict.table,
            &conflict.row_id,
            &[(&conflict.field, value)],
        )?;
    }
    tx.conn()
        .execute(
            "UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1",
            params![id, at, how.code()],
        )
        .map_err(|e| tx.sql_err(e))?;
    let subject = format!("{}:{}", conflict.table, conflict.row_id);
    let detail = format!("conflict {} {} {}", id, conflict.field, how.code());
    audit::append(
        tx.conn(),
        &operator,
        &host,
        &at,
        &Event {
            action: AuditAction::Update,
            resident_id: (conflict.table == "residents").then_some(conflict.row_id.as_str()),
            subject: &subject,
            detail: &detail,
        },
    )
    .map_err(|e| tx.sql_err(e))?;
    tx.commit()?;
    Ok(())
}

/// The lost value typed as its column is (INTEGER columns hold numbers).
fn typed_value(conn: &rusqlite::Connection, c: &Conflict) -> rusqlite::Result<Val> {
    let Some(text) = &c.lost_value else {
        return Ok(Val::Null);
    };
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", c.table))?;
    let integer = stmt
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
        .filter_map(Result::ok)
        .any(|(name, ty)| name == c.field && ty.eq_ignore_ascii_case("INTEGER"));
    Ok(match text.parse::<i64>() {
        Ok(n) if integer => Val::Int(n),
        _ => Val::Text(text.clone()),
    })
}
