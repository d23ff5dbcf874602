//! Conflicts: values that lost a concurrent edit, kept for a person to review, and resolving
//! them. Either choice — keep the current value or restore the other — is a new op that
//! replaces both values (`Tx::settle`), so it syncs: every site converges on the chosen value
//! and closes its own record of the conflict (`resolution` then ends in `@sync`).

use super::site::{SyncError, SyncResult};
use crate::audit::Event;
use crate::model::AuditAction;
use crate::store::sync::Actor;
use crate::store::{Store, StoreError, Tx, Val};

pub use crate::store::sync::Conflict;

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

/// A conflict as a person reads it: whose record, and the field and both values in Korean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictView {
    /// The resident the record belongs to (or the resource / household it is), by name.
    pub who: String,
    /// `단계: 재사정 ← 모니터링` (current value ← the value that lost).
    pub what: String,
}

/// Describes `c` by name and Korean labels (`김민수`, `단계: 재사정 ← 모니터링`). A record
/// that cannot be read any more (deleted since) is named by its kind only.
pub fn describe(store: &Store, c: &Conflict) -> ConflictView {
    use crate::model::labels::{field_label, table_label, value_label};
    let case_owner = |case_id: &str| store.case_header(case_id).ok().map(|h| h.resident_name);
    let who = match c.table.as_str() {
        "residents" => store.resident(&c.row_id).ok().flatten().map(|r| r.name),
        "cases" => case_owner(&c.row_id),
        "entries" => store
            .entry(&c.row_id)
            .ok()
            .and_then(|e| case_owner(&e.case_id)),
        "resources" => store
            .resource(&c.row_id)
            .ok()
            .flatten()
            .map(|r| r.resource.name),
        _ => None,
    }
    .unwrap_or_else(|| format!("({})", table_label(&c.table)));
    let value = |v: &Option<String>| match v.as_deref() {
        None | Some("") => "(없음)".to_string(),
        Some(v) => value_label(&c.field, v),
    };
    let what = format!(
        "{}: {} ← {}",
        field_label(&c.table, &c.field),
        value(&c.kept_value),
        value(&c.lost_value)
    );
    ConflictView { who, what }
}

/// Unresolved conflicts, most recently detected first.
pub fn open_conflicts(store: &Store) -> SyncResult<Vec<Conflict>> {
    Ok(store.conflicts(true)?)
}

/// Every conflict, resolved ones included.
pub fn all_conflicts(store: &Store) -> SyncResult<Vec<Conflict>> {
    Ok(store.conflicts(false)?)
}

/// Settles conflict `id`: writes the chosen value (the current one, or the lost one) as a new
/// op over both (it syncs and wins everywhere as the newest edit); records who decided in the
/// audit log.
pub fn resolve_conflict(store: &mut Store, id: &str, how: Resolution) -> SyncResult<()> {
    let conflict = store
        .conflict(id)?
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
    if conflict.table == "entries" {
        // Two sites corrected one entry: the timeline keeps both corrections; settling here only
        // says a person has seen them. Bringing the other text back is a new correction, written
        // in the timeline (it then supersedes both, at every site).
        if how == Resolution::RestoreOther {
            return Err(SyncError::Usage(
                "정정 충돌은 타임라인에서 새 정정을 써서 바로잡으세요 / to restore the other correction, write a new correction in the timeline".into(),
            ));
        }
        tx.resolve_conflict_row(id, &at, how.code())?;
        let who = Actor {
            operator: &operator,
            host: &host,
            at: &at,
        };
        tx.append_sync_audit(
            &who,
            &Event {
                action: AuditAction::Update,
                resident_id: None,
                subject: &format!("entries:{}", conflict.row_id),
                detail: &format!("conflict {id} {} {}", conflict.field, how.code()),
            },
        )?;
        tx.commit()?;
        return Ok(());
    }
    // Either way the choice is an op over both values (the current one and the one that lost),
    // so every site that has the conflict sees it settled when the op arrives.
    let (current_value, current_stamp) = tx
        .field_now(&conflict.table, &conflict.row_id, &conflict.field)?
        .ok_or_else(|| StoreError::NotFound(format!("{} {}", conflict.table, conflict.row_id)))?;
    let value = match how {
        Resolution::KeepCurrent => current_value,
        Resolution::RestoreOther => typed_value(&tx, &conflict)?,
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
    tx.resolve_conflict_row(id, &at, how.code())?;
    let subject = format!("{}:{}", conflict.table, conflict.row_id);
    let detail = format!("conflict {} {} {}", id, conflict.field, how.code());
    let who = Actor {
        operator: &operator,
        host: &host,
        at: &at,
    };
    tx.append_sync_audit(
        &who,
        &Event {
            action: AuditAction::Update,
            resident_id: (conflict.table == "residents").then_some(conflict.row_id.as_str()),
            subject: &subject,
            detail: &detail,
        },
    )?;
    tx.commit()?;
    Ok(())
}

/// The lost value typed as its column is (INTEGER columns hold numbers).
fn typed_value(tx: &Tx<'_>, c: &Conflict) -> SyncResult<Val> {
    let Some(text) = &c.lost_value else {
        return Ok(Val::Null);
    };
    let integer = tx.column_is_integer(&c.table, &c.field)?;
    Ok(match text.parse::<i64>() {
        Ok(n) if integer => Val::Int(n),
        _ => Val::Text(text.clone()),
    })
}
