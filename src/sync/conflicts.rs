//! Conflicts: values that lost a concurrent edit, kept for a person to review, and resolving
//! them. Either choice — keep the current value or restore the other — is a new op that
//! replaces both values (`Tx::settle`), so it syncs: every site converges on the chosen value
//! and closes its own record of the conflict (`resolution` then ends in `@sync`).

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

/// Settles conflict `id`: writes the chosen value (the current one, or the lost one) as a new
/// op over both (it syncs and wins everywhere as the newest edit); records who decided in the
/// audit log.
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
    if !crate::store::schema::SYNCED_TABLES.contains(&conflict.table.as_str()) {
        return Err(SyncError::BadOp(format!(
            "conflict {id} on table {}",
            conflict.table
        )));
    }
    let at = store.clock().stamp();
    let operator = store.operator().to_string();
    let host = store.host().to_string();
    let mut tx = store.write()?;
    // Either way the choice is an op over both values (the current one and the one that lost),
    // so every site that has the conflict sees it settled when the op arrives.
    let (current_value, current_stamp) = current(tx.conn(), &conflict)
        .map_err(|e| tx.sql_err(e))?
        .ok_or_else(|| StoreError::NotFound(format!("{} {}", conflict.table, conflict.row_id)))?;
    let value = match how {
        Resolution::KeepCurrent => current_value,
        Resolution::RestoreOther => typed_value(tx.conn(), &conflict).map_err(|e| tx.sql_err(e))?,
    };
    let lost = (conflict.lost_hlc, conflict.lost_origin.clone());
    let mut replaced = vec![lost];
    replaced.extend(current_stamp);
    tx.settle(
        &conflict.table,
        &conflict.row_id,
        &conflict.field,
        value,
        &replaced,
    )?;
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

/// The field's value in the row now and the stamp of the write it came from; `None` if the row
/// is gone.
fn current(
    conn: &rusqlite::Connection,
    c: &Conflict,
) -> rusqlite::Result<Option<(Val, Option<crate::sync::stamps::Stamp>)>> {
    let Some(fields) = crate::store::row_fields(conn, &c.table, &c.row_id)? else {
        return Ok(None);
    };
    let value = fields
        .get(&c.field)
        .map(Val::from_json)
        .unwrap_or(Val::Null);
    crate::store::materialize_insert(conn, &c.table, &c.row_id)?;
    let stamps = crate::sync::stamps::field_stamps(conn, &c.table, &c.row_id, &[&c.field])?;
    Ok(Some((value, stamps.get(&c.field).cloned())))
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
