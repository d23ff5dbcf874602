//! 결재 (issue #16): a worker asks a 팀장 to approve a step — 욕구사정 (the 욕구·위기도 조사
//! stage), 서비스 계획 (the 계획 stage) and 종결 — and the case does not advance past a step that
//! needs approval until it has it. A centre picks which steps need it, or turns it off
//! (`setting.approval_stages` in `meta`: codes, comma-separated, or `off`).
//!
//! Every step is a timeline entry (결재 요청 / 승인 / 반려), so it is audited and travels in
//! sync bundles like any entry: a 팀장 at another PC approves, and the approval arrives by
//! bundle. Nobody approves their own request.
//!
//! The state of a step is read from the case's entries since it last entered the stage (for
//! 종결: since it was last reopened): the latest of request / approve / return wins.

use super::ops::{Ctx, entry_text, new_id};
use super::types::TimelineError;
use crate::audit::Event;
use crate::model::team::{APPROVAL_STAGES, approval_label};
use crate::model::{AuditAction, Case, Entry, EntryKind, Stage};
use crate::store::{Role, Store, Tx};
use serde_json::json;

type Result<T> = std::result::Result<T, TimelineError>;

/// The `meta` setting naming the steps that need 결재.
pub const SETTING: &str = "approval_stages";

fn invalid(msg: impl Into<String>) -> TimelineError {
    TimelineError::Invalid(msg.into())
}

/// Parses the setting: unset → every step of [`APPROVAL_STAGES`]; `off` or empty → none.
pub fn parse_setting(value: Option<&str>) -> Vec<Stage> {
    match value.map(str::trim) {
        None => APPROVAL_STAGES.to_vec(),
        Some("" | "off" | "none" | "끔") => Vec::new(),
        Some(list) => list
            .split(',')
            .filter_map(|s| Stage::parse(s).or_else(|| stage_of_label(s)))
            .filter(|s| APPROVAL_STAGES.contains(s))
            .collect(),
    }
}

/// `욕구사정`, `서비스 계획`, `계획`, `종결` as well as stage codes and labels.
fn stage_of_label(s: &str) -> Option<Stage> {
    let s = s.trim();
    APPROVAL_STAGES
        .into_iter()
        .find(|st| approval_label(*st) == s || approval_label(*st).replace(' ', "") == s)
}

/// Parses one step name (`assessment`, `욕구사정`, `계획`, `종결` …) that may need 결재.
pub fn parse_step(s: &str) -> Option<Stage> {
    Stage::parse(s)
        .or_else(|| stage_of_label(s))
        .filter(|st| APPROVAL_STAGES.contains(st))
}

/// The steps this centre requires 결재 for.
pub fn required_stages(store: &Store) -> Result<Vec<Stage>> {
    Ok(parse_setting(store.setting(SETTING)?.as_deref()))
}

/// Sets the steps that need 결재 (empty: off). 팀장 or 관리자 only; audited.
pub fn set_required_stages(store: &Store, stages: &[Stage]) -> Result<()> {
    if let Some(s) = stages.iter().find(|s| !APPROVAL_STAGES.contains(s)) {
        return Err(invalid(format!(
            "{}: 결재 대상이 아닙니다 (욕구사정, 서비스 계획, 종결만 고를 수 있습니다)",
            s.label()
        )));
    }
    let value = if stages.is_empty() {
        "off".to_string()
    } else {
        APPROVAL_STAGES
            .into_iter()
            .filter(|s| stages.contains(s))
            .map(Stage::code)
            .collect::<Vec<_>>()
            .join(",")
    };
    store.set_setting(SETTING, &value)?;
    Ok(())
}

/// Where a step's 결재 stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ApprovalState {
    /// Never asked (since the case entered the stage).
    None,
    /// Asked and waiting: the request entry.
    Requested(Entry),
    /// Approved: the approval entry.
    Approved(Entry),
    /// Returned with a comment: the return entry (its body holds the comment).
    Returned(Entry),
}

impl ApprovalState {
    /// A short Korean status (결재 대기, 승인, 반려, 미요청).
    pub fn label(&self) -> &'static str {
        match self {
            ApprovalState::None => "미요청",
            ApprovalState::Requested(_) => "결재 대기",
            ApprovalState::Approved(_) => "승인",
            ApprovalState::Returned(_) => "반려",
        }
    }
}

fn data_str<'a>(e: &'a Entry, key: &str) -> Option<&'a str> {
    e.data.get(key).and_then(|v| v.as_str())
}

/// The time from which `stage`'s 결재 steps count: the latest entry into the stage (for 종결,
/// the latest reopening). `changes` oldest first.
fn since(changes: &[Entry], stage: Stage) -> Option<&str> {
    changes
        .iter()
        .rev()
        .find(|e| {
            let to = data_str(e, "to").and_then(Stage::parse);
            let from = data_str(e, "from").and_then(Stage::parse);
            if stage == Stage::Closed {
                from.is_some_and(|f| !f.is_open()) && to.is_some_and(Stage::is_open)
            } else {
                to == Some(stage)
            }
        })
        .map(|e| e.at.as_str())
}

/// The state of `stage`'s 결재 from a case's 결재 entries and stage changes (both oldest first):
/// the latest request since the case entered the stage, and the decision that names it. A
/// decision is found by the request it names, not by time, so entries that arrive by sync in
/// any order (or from a PC with a wrong clock) give the same state.
pub fn state_of(steps: &[Entry], changes: &[Entry], stage: Stage) -> ApprovalState {
    let from = since(changes, stage).unwrap_or("");
    let Some(request) = steps.iter().rfind(|e| {
        e.kind == EntryKind::ApprovalRequest
            && data_str(e, "stage") == Some(stage.code())
            && e.at.as_str() >= from
    }) else {
        return ApprovalState::None;
    };
    let decision = steps.iter().find(|e| {
        e.kind != EntryKind::ApprovalRequest && data_str(e, "request") == Some(request.id.as_str())
    });
    match decision {
        None => ApprovalState::Requested(request.clone()),
        Some(d) if d.kind == EntryKind::ApprovalApprove => ApprovalState::Approved(d.clone()),
        Some(d) => ApprovalState::Returned(d.clone()),
    }
}

/// The state of `stage`'s 결재 on a case.
pub fn state(store: &Store, case_id: &str, stage: Stage) -> Result<ApprovalState> {
    Ok(state_of(
        &store.case_approval_steps(case_id)?,
        &store.case_stage_changes(case_id)?,
        stage,
    ))
}

fn state_in(tx: &Tx<'_>, case_id: &str, stage: Stage) -> Result<ApprovalState> {
    Ok(state_of(
        &tx.case_approval_steps(case_id)?,
        &tx.case_stage_changes(case_id)?,
        stage,
    ))
}

/// The step whose 결재 a move from the case's stage to `to` needs, if any: closing needs
/// 종결; leaving 욕구·위기도 조사 or 계획 forward needs that step. Backward moves and 재개 need
/// none.
pub fn step_for_move(from: Stage, to: Stage) -> Option<Stage> {
    if from.is_open() && !to.is_open() {
        Some(Stage::Closed)
    } else if from.is_open()
        && to.is_open()
        && to > from
        && matches!(from, Stage::Assessment | Stage::Planning)
    {
        Some(from)
    } else {
        None
    }
}

/// The stage gate, inside a stage change's transaction: refuses a move past a step that needs
/// 결재 and does not have it.
pub(crate) fn gate(tx: &Tx<'_>, case: &Case, to: Stage) -> Result<()> {
    let Some(step) = step_for_move(case.stage, to) else {
        return Ok(());
    };
    if !parse_setting(tx.setting(SETTING)?.as_deref()).contains(&step) {
        return Ok(());
    }
    let label = approval_label(step);
    match state_in(tx, &case.id, step)? {
        ApprovalState::Approved(_) => Ok(()),
        ApprovalState::None => Err(invalid(format!(
            "{label} 결재가 없습니다: 먼저 결재를 요청하고(K) 팀장 승인을 받으세요 (approval required before {})",
            to.label()
        ))),
        ApprovalState::Requested(r) => Err(invalid(format!(
            "{label} 결재 대기 중입니다 ({} 요청, {}): 팀장이 승인하면 옮길 수 있습니다 (waiting for approval)",
            r.author, r.at
        ))),
        ApprovalState::Returned(r) => Err(invalid(format!(
            "{label} 결재가 반려되었습니다 ({}: {}): 고친 뒤 다시 요청하세요 (returned)",
            r.author,
            r.body.split_once(": ").map_or(r.body.as_str(), |(_, c)| c)
        ))),
    }
}

/// Asks for 결재 of `stage` on a case (욕구사정 and 서비스 계획 while the case is in that stage;
/// 종결 while it is open). Refused if one is already waiting or approved. Audited as 입력.
pub fn request(store: &mut Store, case_id: &str, stage: Stage, note: &str) -> Result<Entry> {
    let label = approval_label(stage);
    if !APPROVAL_STAGES.contains(&stage) {
        return Err(invalid(format!(
            "{}: 결재 대상이 아닙니다 (욕구사정, 서비스 계획, 종결만)",
            stage.label()
        )));
    }
    let required = required_stages(store)?;
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(case_id)?;
    let case = &header.case;
    if !required.contains(&stage) {
        return Err(invalid(format!(
            "이 기관은 {label} 결재를 쓰지 않습니다 (approval for this step is off)"
        )));
    }
    let fits = if stage == Stage::Closed {
        case.stage.is_open()
    } else {
        case.stage == stage
    };
    if !fits {
        return Err(invalid(format!(
            "{label} 결재는 {} 단계에서 요청합니다 (지금: {})",
            if stage == Stage::Closed {
                "진행 중인"
            } else {
                stage.label()
            },
            case.stage.label()
        )));
    }
    match state_in(&tx, case_id, stage)? {
        ApprovalState::Requested(r) => {
            return Err(invalid(format!(
                "{label} 결재가 이미 대기 중입니다 ({} 요청, {})",
                r.author, r.at
            )));
        }
        ApprovalState::Approved(a) => {
            return Err(invalid(format!(
                "{label} 결재는 이미 승인되었습니다 ({}, {})",
                a.author, a.at
            )));
        }
        ApprovalState::None | ApprovalState::Returned(_) => {}
    }
    let note = entry_text(note);
    let mut body = format!("{label} 결재 요청");
    if !note.is_empty() {
        body.push_str(&format!(": {note}"));
    }
    let entry = Entry {
        id: new_id(),
        case_id: case_id.to_string(),
        kind: EntryKind::ApprovalRequest,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body,
        due_on: None,
        data: json!({ "stage": stage.code() }),
        corrects: None,
        voids: false,
    };
    let resident = header.case.resident_id.clone();
    ctx.record(
        &mut tx,
        &entry,
        case_id,
        &resident,
        AuditAction::Create,
        &format!("case:{case_id}"),
        &format!("approval_request:{} entry:{}", stage.code(), entry.id),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// A 팀장's decision on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Return,
}

impl Decision {
    fn kind(self) -> EntryKind {
        match self {
            Decision::Approve => EntryKind::ApprovalApprove,
            Decision::Return => EntryKind::ApprovalReturn,
        }
    }
    fn word(self) -> &'static str {
        match self {
            Decision::Approve => "승인",
            Decision::Return => "반려",
        }
    }
}

/// Records a refusal in the audit log and returns it as the error.
fn denied(store: &Store, case: &Case, detail: &str, msg: String) -> TimelineError {
    if let Err(e) = store.audit(&Event {
        action: AuditAction::Denied,
        resident_id: Some(&case.resident_id),
        subject: &format!("case:{}", case.id),
        detail,
    }) {
        return e.into();
    }
    invalid(msg)
}

/// Approves a waiting request. 팀장 or 관리자 only, never one's own request. Audited as 변경.
pub fn approve(store: &mut Store, request_id: &str, comment: &str) -> Result<Entry> {
    decide(store, request_id, Decision::Approve, comment)
}

/// Returns a waiting request with a comment (required). 팀장 or 관리자 only, never one's own
/// request. Audited as 변경.
pub fn send_back(store: &mut Store, request_id: &str, comment: &str) -> Result<Entry> {
    if comment.trim().is_empty() {
        return Err(invalid(
            "반려 사유를 적으세요: 무엇을 고쳐야 하는지 (a comment is required)",
        ));
    }
    decide(store, request_id, Decision::Return, comment)
}

/// Approves or returns a waiting request.
pub fn decide(
    store: &mut Store,
    request_id: &str,
    decision: Decision,
    comment: &str,
) -> Result<Entry> {
    let request = store.entry(request_id)?;
    if request.kind != EntryKind::ApprovalRequest {
        return Err(invalid(
            "결재 요청 기록이 아닙니다 (not an approval request)",
        ));
    }
    let stage = data_str(&request, "stage")
        .and_then(Stage::parse)
        .ok_or_else(|| invalid("결재 요청에 단계가 없습니다 (request without a stage)"))?;
    let label = approval_label(stage);
    let case = store.case_header(&request.case_id)?.case;
    if store.role() < Role::Lead {
        return Err(denied(
            store,
            &case,
            &format!("approval_{}: lead only", decision.word()),
            format!(
                "결재는 팀장이나 관리자만 할 수 있습니다 ({}님은 {}) — 팀장에게 요청하세요",
                store.operator(),
                store.role().label()
            ),
        ));
    }
    if request.author == store.operator() {
        return Err(denied(
            store,
            &case,
            &format!("approval_{}: own request", decision.word()),
            format!(
                "자기 결재 요청은 {}할 수 없습니다: 다른 팀장이 결재합니다 (no self-approval)",
                decision.word()
            ),
        ));
    }
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    // A request is decided once, by the decision that names it (whatever the clocks say).
    let steps = tx.case_approval_steps(&case.id)?;
    if let Some(d) = steps.iter().find(|e| {
        e.kind != EntryKind::ApprovalRequest && data_str(e, "request") == Some(&request.id)
    }) {
        return Err(invalid(format!(
            "{label} 결재는 이미 {}되었습니다 ({}, {})",
            if d.kind == EntryKind::ApprovalApprove {
                "승인"
            } else {
                "반려"
            },
            d.author,
            d.at
        )));
    }
    let comment = entry_text(comment);
    let mut body = format!("{label} 결재 {}", decision.word());
    if !comment.is_empty() {
        body.push_str(&format!(": {comment}"));
    }
    let entry = Entry {
        id: new_id(),
        case_id: case.id.clone(),
        kind: decision.kind(),
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body,
        due_on: None,
        data: json!({ "stage": stage.code(), "request": request.id, "requested_by": request.author }),
        corrects: None,
        voids: false,
    };
    ctx.record(
        &mut tx,
        &entry,
        &case.id,
        &case.resident_id,
        AuditAction::Update,
        &format!("case:{}", case.id),
        &format!(
            "{}:{} request:{} entry:{}",
            decision.kind().code(),
            stage.code(),
            request.id,
            entry.id
        ),
    )?;
    tx.commit()?;
    Ok(entry)
}
