//! Conflicts: values that lost a concurrent edit, kept for a person to review, and resolving
//! them. Either choice — keep the current value or restore the other — is a new op that
//! replaces both values (`Tx::settle`), so it syncs: every site converges on the chosen value
//! and closes its own record of the conflict (`resolution` then ends in `@sync`). Two sites
//! correcting one entry are settled the same way, by a new correction restating the version
//! chosen (entries are append-only), so a settled conflict is closed everywhere.

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
/// op over both (it syncs and wins everywhere as the newest edit) — for two corrections of one
/// entry, a new correction restating the chosen one; records who decided in the audit log.
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
    let minute = store.clock().now().format("%Y-%m-%d %H:%M").to_string();
    let operator = store.operator().to_string();
    let host = store.host().to_string();
    let mut tx = store.write()?;
    if conflict.table == "entries" {
        restate_correction(&mut tx, &conflict, how, &operator, &minute)?;
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

/// Two sites corrected one entry (`c.row_id`); the timeline keeps both corrections. A person's
/// choice is a new correction of the entry restating the version chosen — the current one
/// (the latest, as the timeline shows it) or the one that lost — by the operator, now, written
/// in `tx` after seeing every correction of the entry here (its base, `Tx::insert`). Like every
/// correction it syncs, closes the entry's correction conflicts here at once, and closes them
/// wherever it arrives (a site that receives it with the corrections it saw never opens them),
/// so the open conflicts stay a function of the ops held (issue #19). A settlement that was
/// only a local mark kept the conflict open at every other site. Unlike a timeline correction it
/// does not move the case's last activity (settling is review, not casework).
///
/// `minute` is the time written (`YYYY-MM-DD HH:MM`, as every entry's `at`).
fn restate_correction(
    tx: &mut Tx<'_>,
    c: &Conflict,
    how: Resolution,
    operator: &str,
    minute: &str,
) -> SyncResult<()> {
    let root = tx.entry(&c.row_id)?;
    crate::timeline::transfer::refuse_if_transferred(tx, &root.case_id).map_err(|e| match e {
        crate::timeline::TimelineError::Store(e) => SyncError::Store(e),
        other => SyncError::Usage(other.to_string()),
    })?;
    let versions = tx.corrections_of(&root.id)?;
    let version = match how {
        Resolution::KeepCurrent => versions.last(),
        Resolution::RestoreOther => {
            let lost = (c.lost_hlc, c.lost_origin.clone());
            let lost_id = tx
                .corrections_seen(&root.id)?
                .into_iter()
                .find(|k| k.stamp == lost)
                .map(|k| k.id);
            versions.iter().find(|e| Some(&e.id) == lost_id.as_ref())
        }
    }
    .ok_or_else(|| StoreError::NotFound(format!("correction of entry {}", root.id)))?;
    let entry = crate::model::Entry {
        id: uuid::Uuid::now_v7().to_string(),
        kind: root.kind,
        author: operator.to_string(),
        at: minute.to_string(),
        corrects: Some(root.id.clone()),
        ..version.clone()
    };
    tx.insert_entry(&entry)?;
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
