//! Teamwork in the TUI (issue #16): the 오늘 sections 결재 대기, 인계받음 and 동의 만료 예정,
//! and the forms and one-key steps the case pane and 오늘 offer — 결재 요청 (K), 승인 (y),
//! 반려 (b), 동의 기록 (C), 동의 철회 (W), 인계 (A; in the case list, space marks several),
//! 이관 (T: pick a partner site, then a confirm step naming it).
//! The rules live in `timeline::{approval, consent, handover}`; this module only builds forms,
//! calls them and draws rows.

use super::fields::{FieldId, PaneForm, YesNo};
use super::{Effect, FormPurpose, cell};
use crate::model::team::approval_label;
use crate::model::{
    ApprovalFact, ConsentFact, ConsentScope, Entry, EntryKind, HandoverFact, Scope, Stage,
};
use crate::store::Store;
use crate::timeline::consent::{EXPIRY_WARNING_DAYS, NewConsent};
use crate::timeline::undo::Change;
use crate::timeline::{Timeline, TimelineError, approval, consent, handover, transfer};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::Field;
use chrono::Duration;
use ratatui::text::{Line, Span};

type Result<T> = std::result::Result<T, TimelineError>;

/// The team sections of 오늘, read with the rest of its data (on the worker thread).
#[derive(Debug, Clone, Default)]
pub struct TeamToday {
    pub approvals: Vec<ApprovalFact>,
    pub handed_over: Vec<HandoverFact>,
    pub consents: Vec<ConsentFact>,
}

/// One row of a team section.
#[derive(Debug, Clone)]
pub enum TeamItem {
    Approval(ApprovalFact),
    HandedOver(HandoverFact),
    Consent(ConsentFact),
}

impl TeamItem {
    pub fn case_id(&self) -> &str {
        match self {
            TeamItem::Approval(a) => &a.case.case_id,
            TeamItem::HandedOver(h) => &h.case.case_id,
            TeamItem::Consent(c) => &c.case.case_id,
        }
    }
}

/// Reads the team sections for `scope` (reads only).
pub fn fetch(store: &Store, scope: Scope) -> Result<TeamToday> {
    let today = store.clock().today();
    let fmt = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(TeamToday {
        approvals: store.pending_approvals(scope)?,
        handed_over: store.handed_over(scope)?,
        consents: store.expiring_consents(
            scope,
            &fmt(today),
            &fmt(today + Duration::days(EXPIRY_WARNING_DAYS)),
        )?,
    })
}

impl TeamToday {
    /// The non-empty sections, in order: (title, rows).
    pub fn sections(&self) -> Vec<(&'static str, Vec<TeamItem>)> {
        let mut out = Vec::new();
        if !self.approvals.is_empty() {
            out.push((
                "결재 대기",
                self.approvals
                    .iter()
                    .cloned()
                    .map(TeamItem::Approval)
                    .collect(),
            ));
        }
        if !self.handed_over.is_empty() {
            out.push((
                "인계받음",
                self.handed_over
                    .iter()
                    .cloned()
                    .map(TeamItem::HandedOver)
                    .collect(),
            ));
        }
        if !self.consents.is_empty() {
            out.push((
                "동의 만료 예정 (30일 안)",
                self.consents
                    .iter()
                    .cloned()
                    .map(TeamItem::Consent)
                    .collect(),
            ));
        }
        out
    }
}

/// A team row of 오늘: name, worker, then what it is.
pub fn item_line(item: &TeamItem, selected: bool, t: &Theme, width: usize) -> Line<'static> {
    let base = if selected { t.selected } else { t.base };
    let name = |n: &str, w: usize| crate::tui::panes::search::name_text(n, w);
    let (head, tag, tag_style, detail) = match item {
        TeamItem::Approval(a) => (
            format!(
                "  {}{}",
                name(&a.case.resident_name, 9),
                name(&a.case.worker, 8)
            ),
            approval_label(a.stage).to_string(),
            t.warn.patch(base),
            format!(
                "{} 요청 {} {}",
                a.requested_by,
                a.requested_at.get(5..).unwrap_or(&a.requested_at),
                after_colon(&a.note)
            ),
        ),
        TeamItem::HandedOver(h) => (
            format!(
                "  {}{}",
                name(&h.case.resident_name, 9),
                name(&h.case.worker, 8)
            ),
            "인계받음".to_string(),
            t.accent.patch(base),
            format!("{}에게서: {}", h.from, after_colon(&h.note)),
        ),
        TeamItem::Consent(c) => (
            format!(
                "  {}{}",
                name(&c.case.resident_name, 9),
                name(&c.case.worker, 8)
            ),
            format!("~{}", c.expires.get(5..).unwrap_or(&c.expires)),
            t.warn.patch(base),
            c.scopes
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", ")
                + " 동의 만료",
        ),
    };
    let used = unicode_width::UnicodeWidthStr::width(head.as_str()) + 12;
    Line::from(vec![
        Span::styled(head, base),
        Span::styled(cell(&tag, 12), tag_style),
        Span::styled(
            crate::tui::widgets::fit(&detail, 0, width.saturating_sub(used)),
            base,
        ),
    ])
}

/// Approves request `request_id` (one key: y).
pub fn approve(request_id: &str, store: &mut Store) -> Effect {
    match approval::approve(store, request_id, "") {
        Ok(e) => Effect::Message(format!("{}했습니다", first_line(&e.body))),
        Err(e) => Effect::Message(e.to_string()),
    }
}

/// The return form for request `request_id` (b).
pub fn return_form(request_id: &str, stage: Stage, who: &str) -> Effect {
    Effect::OpenForm(
        FormPurpose::ReturnApproval {
            request_id: request_id.to_string(),
        },
        PaneForm::new(
            &format!("{} 결재 반려 — {who} 요청", approval_label(stage)),
            vec![
                Field::multiline(FieldId::Body, "반려 의견", 3)
                    .required()
                    .with_help("무엇을 고쳐 다시 요청할지"),
            ],
        ),
    )
}

fn data_str<'a>(e: &'a Entry, key: &str) -> Option<&'a str> {
    e.data.get(key).and_then(|v| v.as_str())
}

/// The waiting 결재 request of an open case: the selected entry if it is one, else the latest
/// request without a decision.
pub fn pending_request<'a>(t: &'a Timeline, selected: Option<&'a Entry>) -> Option<&'a Entry> {
    let decided = |id: &str| {
        t.items.iter().any(|i| {
            matches!(
                i.original.kind,
                EntryKind::ApprovalApprove | EntryKind::ApprovalReturn
            ) && data_str(&i.original, "request") == Some(id)
        })
    };
    if let Some(e) = selected
        && e.kind == EntryKind::ApprovalRequest
        && !decided(&e.id)
    {
        return Some(e);
    }
    t.items
        .iter()
        .rev()
        .map(|i| &i.original)
        .find(|e| e.kind == EntryKind::ApprovalRequest && !decided(&e.id))
}

/// y / b on an open case.
pub fn decide_on_case(
    t: &Timeline,
    selected: Option<&Entry>,
    approve_it: bool,
    store: &mut Store,
) -> Effect {
    let Some(req) = pending_request(t, selected) else {
        return Effect::Message("이 사례에 결재 대기 중인 요청이 없습니다".into());
    };
    if approve_it {
        approve(&req.id, store)
    } else {
        let stage = data_str(req, "stage")
            .and_then(Stage::parse)
            .unwrap_or(t.header.case.stage);
        return_form(&req.id, stage, &req.author)
    }
}

/// K on an open case: the steps that can be asked for now (this stage's, and 종결).
pub fn request_form(t: &Timeline, store: &Store) -> Effect {
    let case = &t.header.case;
    let required = match approval::required_stages(store) {
        Ok(r) => r,
        Err(e) => return Effect::Message(e.to_string()),
    };
    if required.is_empty() {
        return Effect::Message("이 기관은 결재를 쓰지 않습니다 (설정: 끔)".into());
    }
    let steps: Vec<Stage> = required
        .into_iter()
        .filter(|s| {
            if *s == Stage::Closed {
                case.stage.is_open()
            } else {
                *s == case.stage
            }
        })
        .collect();
    if steps.is_empty() {
        return Effect::Message(format!(
            "{} 단계에서는 요청할 결재가 없습니다 (욕구사정: 조사 단계, 서비스 계획: 계획 단계, 종결: 진행 중)",
            case.stage.label()
        ));
    }
    let labels: Vec<&str> = steps.iter().map(|s| approval_label(*s)).collect();
    Effect::OpenForm(
        FormPurpose::RequestApproval {
            case_id: case.id.clone(),
        },
        PaneForm::new(
            &format!("결재 요청 — {}", t.header.resident_name),
            vec![
                Field::choice(FieldId::ApprovalStep, "결재", &labels),
                Field::multiline(FieldId::Body, "요청 메모", 3),
            ],
        )
        // The step is the case's own (the first choice) nearly always: typing goes to the memo.
        .focused_on(FieldId::Body),
    )
}

/// C on an open case.
pub fn consent_form(t: &Timeline, store: &Store) -> Effect {
    let today = store.clock().today().format("%Y-%m-%d").to_string();
    Effect::OpenForm(
        FormPurpose::RecordConsent {
            case_id: t.header.case.id.clone(),
        },
        PaneForm::new(
            &format!("동의 기록 — {}", t.header.resident_name),
            vec![
                Field::choice_of::<YesNo>(FieldId::ConsentCollect, "수집·이용").with_value("예"),
                Field::choice_of::<YesNo>(FieldId::ConsentThirdParty, "제3자 제공")
                    .with_value("예"),
                Field::choice_of::<YesNo>(FieldId::ConsentSensitive, "민감정보"),
                Field::date(FieldId::ConsentOn, "동의일")
                    .required()
                    .with_value(&today),
                Field::date(FieldId::ConsentExpires, "만료일").with_help("비우면 철회 시까지"),
                Field::text(FieldId::Paper, "동의서 보관").with_help("예: 2026 동의서철 3권 12쪽"),
            ],
        ),
    )
}

/// W on a selected consent entry.
pub fn withdraw_form(selected: Option<&Entry>) -> Effect {
    let Some(e) = selected.filter(|e| e.kind == EntryKind::Consent) else {
        return Effect::Message("철회할 동의 기록을 고르세요".into());
    };
    Effect::OpenForm(
        FormPurpose::WithdrawConsent {
            consent_id: e.id.clone(),
        },
        PaneForm::new(
            "동의 철회",
            vec![Field::multiline(FieldId::Body, "철회 사유", 3).required()],
        ),
    )
}

/// A: the handover form for `case_ids` (the workers to choose from, but not `current`). With
/// `worker` (the selected case's worker, in the case list), the form also offers everything that
/// worker holds (`count` cases), in one step: for a departing worker.
pub fn handover_form(
    case_ids: Vec<String>,
    current: Option<&str>,
    worker: Option<(&str, usize)>,
    store: &Store,
) -> Effect {
    let users = match store.users() {
        Ok(u) => u,
        Err(e) => return Effect::Message(e.to_string()),
    };
    let names: Vec<&str> = users
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| Some(*n) != current)
        .collect();
    if names.is_empty() {
        return Effect::Message(
            "인계받을 작업자가 없습니다: 관리자가 작업자를 추가하세요 (dolbom users add)".into(),
        );
    }
    let title = if worker.is_some() {
        "인계 (담당자 바꾸기)".to_string()
    } else if case_ids.len() == 1 {
        "인계 — 이 사례".to_string()
    } else {
        format!("인계 — 사례 {}건", case_ids.len())
    };
    let mut fields = Vec::new();
    if let Some((w, n)) = worker {
        let these = if case_ids.len() == 1 {
            "이 사례".to_string()
        } else {
            format!("표시한 {}건", case_ids.len())
        };
        let all = format!("{w} 담당 전부 ({n}건)");
        fields.push(Field::choice(
            FieldId::HandoverScope,
            "대상",
            &[these.as_str(), all.as_str()],
        ));
    }
    fields.push(Field::choice(FieldId::HandoverTo, "받는 사람", &names));
    fields.push(
        Field::multiline(FieldId::Body, "인계 메모", 4)
            .required()
            .with_help("진행 상황, 다음 할 일"),
    );
    Effect::OpenForm(
        FormPurpose::Handover {
            case_ids,
            worker: worker.map(|(w, _)| w.to_string()),
        },
        PaneForm::new(&title, fields),
    )
}

/// T on an open case: the 이관 form — the partner site (known peers, from `sync_peers`) and the
/// reason. Refused at once where the library would refuse it: a case already sent away, a
/// staff member on someone else's case (팀장 or 관리자 only), no known partner site.
pub fn transfer_form(t: &Timeline, store: &Store) -> Effect {
    let case = &t.header.case;
    match transfer::transferred_away(store, &case.id) {
        Ok(Some(e)) => {
            let (_, name, at) = transfer::pointer(&e);
            return Effect::Message(format!("이미 {at}에 {name}(으)로 이관한 사례입니다"));
        }
        Ok(None) => {}
        Err(e) => return Effect::Message(e.to_string()),
    }
    if store.role() < crate::store::Role::Lead && case.worker != store.operator() {
        return Effect::Message("다른 작업자의 사례는 팀장이나 관리자만 이관할 수 있습니다".into());
    }
    let own = store.site().id.clone();
    let peers: Vec<(String, String)> = match store.peers() {
        Ok(p) => p
            .into_iter()
            .filter(|p| p.site_id != own)
            .map(|p| {
                let name = if p.name.trim().is_empty() {
                    p.site_id.clone()
                } else {
                    p.name
                };
                (p.site_id, name)
            })
            .collect(),
        Err(e) => return Effect::Message(e.to_string()),
    };
    if peers.is_empty() {
        return Effect::Message(
            "이관할 협력 기관이 없습니다: 먼저 그 기관과 동기화 묶음을 주고받으세요 (F6)".into(),
        );
    }
    let names: Vec<&str> = peers.iter().map(|(_, n)| n.as_str()).collect();
    Effect::OpenForm(
        FormPurpose::Transfer {
            case_id: case.id.clone(),
            peers: peers.clone(),
        },
        PaneForm::new(
            &format!("이관 — {} 사례를 협력 기관으로", t.header.resident_name),
            vec![
                Field::choice(FieldId::Peer, "받는 기관", &names),
                Field::multiline(FieldId::Body, "이관 사유", 4)
                    .required()
                    .with_help("이관 사유, 진행 상황, 받는 기관이 이어 할 일"),
            ],
        )
        .focused_on(FieldId::Body),
    )
}

/// The 이관 form submitted: the confirm step naming the chosen site (nothing written yet).
fn transfer_confirm(case_id: &str, peers: &[(String, String)], form: &PaneForm) -> Effect {
    let chosen = form
        .field(FieldId::Peer)
        .and_then(|f| f.selected())
        .and_then(|i| peers.get(i));
    let Some((site_id, site_name)) = chosen else {
        return Effect::Message("받는 기관을 고르세요".into());
    };
    Effect::OpenForm(
        FormPurpose::TransferConfirm {
            case_id: case_id.to_string(),
            site_id: site_id.clone(),
            site_name: site_name.clone(),
            note: value(form, FieldId::Body),
        },
        PaneForm::new(
            &format!("{site_name}(으)로 이관할까요? 이 사본은 읽기 전용이 됩니다"),
            vec![
                Field::choice_of::<YesNo>(FieldId::TransferConfirm, "이관")
                    .with_help("예: 다음 동기화 묶음이 사례와 주민 정보를 보냅니다"),
            ],
        ),
    )
}

/// Applies a submitted 이관 form (either step); `None` if `purpose` is not one. The first step
/// opens the confirm step; "예" there writes the 이관 entry, "아니요" writes nothing.
pub fn transfer_submit(
    purpose: &FormPurpose,
    form: &PaneForm,
    store: &mut Store,
) -> Option<Effect> {
    Some(match purpose {
        FormPurpose::Transfer { case_id, peers } => {
            if value(form, FieldId::Body).is_empty() {
                return Some(Effect::FormError(
                    purpose.clone(),
                    Box::new(form.clone()),
                    FieldId::Body,
                    "이관 사유를 적으세요".into(),
                ));
            }
            transfer_confirm(case_id, peers, form)
        }
        FormPurpose::TransferConfirm {
            case_id,
            site_id,
            site_name,
            note,
        } => {
            if form.chosen::<YesNo>(FieldId::TransferConfirm) != Some(YesNo::Yes) {
                return Some(Effect::Message(
                    "이관을 취소했습니다: 아무것도 바뀌지 않았습니다".into(),
                ));
            }
            match transfer::transfer(store, case_id, site_id, note) {
                Ok(_) => Effect::Message(format!(
                    "{site_name}(으)로 이관했습니다 (읽기 전용 · F6 동기화로 보내기)"
                )),
                Err(e) => Effect::Message(e.to_string()),
            }
        }
        _ => return None,
    })
}

fn value(form: &PaneForm, id: FieldId) -> String {
    form.value(id).map(str::trim).unwrap_or("").to_string()
}

fn date(s: &str) -> Option<chrono::NaiveDate> {
    crate::resources::import::parse_date_loose(s, false)
}

/// The field a refused team form's message belongs next to.
pub fn field_of(purpose: &FormPurpose, e: &TimelineError) -> FieldId {
    let m = e.to_string();
    match purpose {
        FormPurpose::RecordConsent { .. } if m.contains("범위") => FieldId::ConsentThirdParty,
        FormPurpose::RecordConsent { .. } if m.contains("만료") => FieldId::ConsentExpires,
        FormPurpose::RecordConsent { .. } => FieldId::ConsentOn,
        FormPurpose::RequestApproval { .. } if !m.contains("메모") => FieldId::ApprovalStep,
        FormPurpose::Handover { .. } if m.contains("작업자") || m.contains("팀장") => {
            FieldId::HandoverTo
        }
        _ => FieldId::Body,
    }
}

/// Applies a submitted team form; `None` if `purpose` is not one.
pub fn submit(
    purpose: &FormPurpose,
    form: &PaneForm,
    store: &mut Store,
) -> Option<Result<(String, Option<Change>)>> {
    let done = |m: String| Ok((m, None));
    Some(match purpose {
        FormPurpose::RequestApproval { case_id } => {
            let step = form
                .field(FieldId::ApprovalStep)
                .map(|f| f.value().to_string())
                .and_then(|v| approval::parse_step(&v));
            match step {
                None => Err(TimelineError::Invalid("결재를 고르세요".into())),
                Some(s) => approval::request(store, case_id, s, &value(form, FieldId::Body))
                    .and_then(|e| done(format!("{}했습니다", first_line(&e.body)))),
            }
        }
        FormPurpose::ReturnApproval { request_id } => {
            approval::send_back(store, request_id, &value(form, FieldId::Body))
                .and_then(|e| done(format!("{}했습니다", first_line(&e.body))))
        }
        FormPurpose::RecordConsent { case_id } => {
            let yes = |id| form.chosen::<YesNo>(id) == Some(YesNo::Yes);
            let scopes: Vec<ConsentScope> = [
                (FieldId::ConsentCollect, ConsentScope::Collect),
                (FieldId::ConsentThirdParty, ConsentScope::ThirdParty),
                (FieldId::ConsentSensitive, ConsentScope::Sensitive),
            ]
            .into_iter()
            .filter(|(id, _)| yes(*id))
            .map(|(_, s)| s)
            .collect();
            let on = date(&value(form, FieldId::ConsentOn));
            let expires_text = value(form, FieldId::ConsentExpires);
            let expires = date(&expires_text);
            match on {
                None => Err(TimelineError::Invalid("동의일을 입력하세요".into())),
                Some(_) if !expires_text.is_empty() && expires.is_none() => Err(
                    TimelineError::Invalid("만료일을 날짜로 입력하세요 (예 2027-03-01)".into()),
                ),
                Some(on) => consent::record(
                    store,
                    case_id,
                    &NewConsent {
                        scopes,
                        on,
                        expires,
                        paper: value(form, FieldId::Paper),
                        note: String::new(),
                    },
                )
                .and_then(|_| done("동의를 기록했습니다".into())),
            }
        }
        FormPurpose::WithdrawConsent { consent_id } => {
            consent::withdraw(store, consent_id, &value(form, FieldId::Body))
                .and_then(|_| done("동의 철회를 기록했습니다".into()))
        }
        FormPurpose::Handover { case_ids, worker } => {
            let to = value(form, FieldId::HandoverTo);
            let note = value(form, FieldId::Body);
            let everything = form
                .field(FieldId::HandoverScope)
                .and_then(|f| f.selected())
                == Some(1);
            let result = match worker {
                Some(w) if everything => handover::hand_over_all(store, w, &to, &note),
                _ => handover::hand_over(store, case_ids, &to, &note),
            };
            result.and_then(|r| {
                done(if r.unchanged > 0 {
                    format!(
                        "{}건을 {to}에게 인계했습니다 (이미 {to} 담당 {}건)",
                        r.moved, r.unchanged
                    )
                } else {
                    format!("{}건을 {to}에게 인계했습니다", r.moved)
                })
            })
        }
        _ => return None,
    })
}

/// The part of an entry's body after its `…: ` head (the note itself), or "".
fn after_colon(s: &str) -> &str {
    s.split_once(": ").map_or("", |(_, n)| n)
}

fn first_line(s: &str) -> &str {
    s.split(':').next().unwrap_or(s)
}
