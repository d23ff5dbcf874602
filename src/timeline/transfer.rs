//! 이관 (issue #16): a case goes to a partner centre. The 이관 entry names the receiving site;
//! the case and its resident travel to it in the ordinary sync bundles (every row and entry
//! does), and from then on only the receiving site may write on the case: everywhere else the
//! copy is read-only, and every refused write points at where the case went.

use super::ops::{Ctx, entry_text, new_id};
use super::types::TimelineError;
use crate::model::{AuditAction, Entry, EntryKind};
use crate::store::Store;
use crate::store::Tx;
use serde_json::json;

type Result<T> = std::result::Result<T, TimelineError>;

fn invalid(msg: impl Into<String>) -> TimelineError {
    TimelineError::Invalid(msg.into())
}

/// Where a transferred case went: `(site id, site name, when)`.
pub fn pointer(e: &Entry) -> (String, String, String) {
    let s = |k: &str| {
        e.data
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    (s("to_site"), s("to_site_name"), e.at.clone())
}

/// The refusal for a write on a case transferred away from this site.
fn read_only(e: &Entry) -> TimelineError {
    let (_, name, at) = pointer(e);
    invalid(format!(
        "이관된 사례입니다: {at}에 {name}(으)로 보냈습니다. 이 사본은 읽기 전용이며, 기록은 {name}에서 이어집니다 (read-only: transferred)"
    ))
}

/// Refuses, inside a write, a change to a case transferred to another site.
pub(crate) fn refuse_if_transferred(tx: &Tx<'_>, case_id: &str) -> Result<()> {
    match tx.case_transfer(case_id)? {
        Some(e) if super::transfer::pointer(&e).0 != tx.site_id() => Err(read_only(&e)),
        _ => Ok(()),
    }
}

/// Whether the case is read-only here (transferred to another site), with the 이관 entry.
pub fn transferred_away(store: &Store, case_id: &str) -> Result<Option<Entry>> {
    Ok(store
        .case_transfer(case_id)?
        .filter(|e| pointer(e).0 != store.site().id))
}

/// Transfers a case to partner site `to` (a peer's site id or name, from `sync_peers`): writes
/// the 이관 entry; the next bundle to that site carries the case, its resident and timeline.
/// 팀장 or 관리자, or the case's worker. Audited as 변경.
pub fn transfer(store: &mut Store, case_id: &str, to: &str, note: &str) -> Result<Entry> {
    let to = to.trim();
    let peer = store
        .peers()?
        .into_iter()
        .find(|p| p.site_id == to || p.name == to)
        .ok_or_else(|| {
            invalid(format!(
                "{to}: 알려진 협력 기관이 아닙니다 — 먼저 그 기관과 동기화 묶음을 주고받으세요 (unknown site)"
            ))
        })?;
    if peer.site_id == store.site().id {
        return Err(invalid("이 기관으로는 이관할 수 없습니다 (same site)"));
    }
    let note = entry_text(note);
    if note.is_empty() {
        return Err(invalid(
            "이관 사유·인계 내용을 적으세요 (a note is required)",
        ));
    }
    let lead = store.role() >= crate::store::Role::Lead;
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(case_id)?;
    if !lead && header.case.worker != ctx.operator {
        return Err(invalid(
            "다른 작업자의 사례는 팀장이나 관리자만 이관할 수 있습니다 (lead only)",
        ));
    }
    let entry = Entry {
        id: new_id(),
        case_id: case_id.to_string(),
        kind: EntryKind::Transfer,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body: format!("이관 → {}: {note}", peer.name),
        due_on: None,
        data: json!({ "to_site": peer.site_id, "to_site_name": peer.name }),
        corrects: None,
        voids: false,
    };
    let resident = header.case.resident_id.clone();
    ctx.record(
        &mut tx,
        &entry,
        case_id,
        &resident,
        AuditAction::Update,
        &format!("case:{case_id}"),
        &format!("transfer:{} entry:{}", peer.site_id, entry.id),
    )?;
    tx.commit()?;
    Ok(entry)
}
