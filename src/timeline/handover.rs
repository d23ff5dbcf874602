//! 인계 (issue #16): cases move from one worker to another with a handover note — one case, a
//! marked set, or everything a departing worker holds, in one transaction. Each case gets a
//! 인계 entry on its timeline (synced like any entry) and its worker changes; the audit log
//! gets one summary row for the whole handover. The new worker sees the cases in 오늘 marked
//! 인계받음 until they first write on them.

use super::ops::{Ctx, entry_text, new_id};
use super::types::TimelineError;
use crate::audit::Event;
use crate::model::{AuditAction, Entry, EntryKind};
use crate::store::{Role, Store};
use serde_json::json;

type Result<T> = std::result::Result<T, TimelineError>;

fn invalid(msg: impl Into<String>) -> TimelineError {
    TimelineError::Invalid(msg.into())
}

/// What a handover did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverReport {
    /// Shared by the entries of one handover (`data.batch`) and named in its audit row.
    pub batch: String,
    /// Cases moved.
    pub moved: usize,
    /// Cases already with the new worker (left as they were).
    pub unchanged: usize,
}

/// Hands `case_ids` over to `to` with `note`, in one transaction. The operator must be each
/// case's worker, or a 팀장 / 관리자. `to` must be a known operator (`dolbom users add`).
pub fn hand_over(
    store: &mut Store,
    case_ids: &[String],
    to: &str,
    note: &str,
) -> Result<HandoverReport> {
    let to = to.trim();
    if to.is_empty() {
        return Err(invalid("인계받을 작업자를 적으세요 (no worker)"));
    }
    if case_ids.is_empty() {
        return Err(invalid("인계할 사례가 없습니다 (no cases)"));
    }
    let note = entry_text(note);
    if note.is_empty() {
        return Err(invalid(
            "인계 메모를 적으세요: 진행 상황, 다음 할 일 (a handover note is required)",
        ));
    }
    if !store.users()?.iter().any(|(n, _)| n == to) {
        return Err(invalid(format!(
            "{to}: 등록된 작업자가 아닙니다 — 먼저 `dolbom users add {to}` (unknown operator)"
        )));
    }
    let lead = store.role() >= Role::Lead;
    let ctx = Ctx::of(store);
    let batch = new_id();
    let mut tx = store.write()?;
    let mut moved = 0usize;
    let mut unchanged = 0usize;
    let mut froms: Vec<String> = Vec::new();
    let mut resident: Option<String> = None;
    for case_id in case_ids {
        let header = tx.case_header(case_id)?;
        let from = header.case.worker.clone();
        if from == to {
            unchanged += 1;
            continue;
        }
        if !lead && from != ctx.operator {
            drop(tx);
            store.audit(&Event {
                action: AuditAction::Denied,
                resident_id: Some(&header.case.resident_id),
                subject: &format!("case:{case_id}"),
                detail: "handover: not the worker; lead only",
            })?;
            return Err(invalid(format!(
                "다른 작업자({from})의 사례는 팀장이나 관리자만 인계할 수 있습니다 (lead only)"
            )));
        }
        super::transfer::refuse_if_transferred(&tx, case_id)?;
        tx.set_case_worker(case_id, to)?;
        let entry = Entry {
            id: new_id(),
            case_id: case_id.clone(),
            kind: EntryKind::Handover,
            author: ctx.operator.clone(),
            at: ctx.at.clone(),
            body: format!("인계 {from} → {to}: {note}"),
            due_on: None,
            data: json!({ "from": from, "to": to, "batch": batch }),
            corrects: None,
            voids: false,
        };
        tx.insert_entry(&entry)?;
        tx.touch_case(case_id, &ctx.at)?;
        if !froms.contains(&from) {
            froms.push(from);
        }
        resident = Some(header.case.resident_id.clone());
        moved += 1;
    }
    if moved > 0 {
        let single = (moved == 1).then_some(resident).flatten();
        ctx.audit(
            &tx,
            &Event {
                action: AuditAction::Update,
                resident_id: single.as_deref(),
                subject: &format!("handover:{batch}"),
                detail: &format!("인계 {moved}건 {} → {to}", froms.join(",")),
            },
        )?;
    }
    tx.commit()?;
    Ok(HandoverReport {
        batch,
        moved,
        unchanged,
    })
}

/// Hands every case `from` holds (open and closed) over to `to`: one transaction, one audit
/// row. 팀장 or 관리자 only, unless `from` is the operator.
pub fn hand_over_all(
    store: &mut Store,
    from: &str,
    to: &str,
    note: &str,
) -> Result<HandoverReport> {
    let from = from.trim();
    if from == to.trim() {
        return Err(invalid("같은 작업자에게 인계할 수 없습니다 (same worker)"));
    }
    let ids = store.cases_of_worker(from)?;
    if ids.is_empty() {
        return Err(invalid(format!("{from}: 맡은 사례가 없습니다 (no cases)")));
    }
    hand_over(store, &ids, to, note)
}
