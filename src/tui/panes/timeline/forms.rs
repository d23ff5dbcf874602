//! The timeline's forms: building each one (add, correct, change stage, refer, referral status,
//! export) and applying it when submitted. Values are read by [`FieldId`] and typed choices.

use super::super::FormPurpose;
use super::super::fields::{CorrectionMode, FieldId, PaneForm};
use super::Result;
use crate::model::{EntryKind, REFERRAL_STATUSES, Stage};
use crate::store::Store;
use crate::timeline::rules::RuleError;
use crate::timeline::rules::{CLOSURE_REASONS, CRISIS_DOMAINS, StageMove, next_stages};
use crate::timeline::undo::Change;
use crate::timeline::{self, EntryData, NewEntry, TimelineError, TimelineItem};
use crate::tui::widgets::form::Field;
use std::collections::BTreeMap;

/// Kinds offered by the add-entry form, in order (stage changes have their own key).
const ENTRY_KINDS: [EntryKind; 10] = [
    EntryKind::Visit,
    EntryKind::Call,
    EntryKind::OfficeVisit,
    EntryKind::InitialConsult,
    EntryKind::Assessment,
    EntryKind::Conference,
    EntryKind::Plan,
    EntryKind::Monitoring,
    EntryKind::Memo,
    EntryKind::Referral,
];

/// A referral in the status form's choice list (numbered: two referrals to one resource with
/// the same status stay distinct).
fn referral_label(i: usize, r: &timeline::types::ReferralView) -> String {
    format!(
        "{}. {} ({}, {})",
        i + 1,
        r.resource_name,
        r.referral.status,
        r.referral.requested_on
    )
}

/// The add-entry form.
pub(super) fn add_form() -> PaneForm {
    let kinds: Vec<&str> = ENTRY_KINDS.iter().map(|k| k.label()).collect();
    let fields = vec![
        Field::choice(FieldId::EntryKind, "종류", &kinds),
        Field::multiline(FieldId::Body, "내용", 5).required(),
        Field::date(FieldId::Due, "후속 일정"),
        Field::text(FieldId::Attendees, "참석자·목표")
            .with_help("사례회의 참석자, 계획 목표: 쉼표로 나눔"),
        Field::text(FieldId::CrisisScores, "위기도").with_help(&format!(
            "조사만: 1-5 점수 {}개, 쉼표로 ({}) 예 3,2,4,1,5,3,2",
            CRISIS_DOMAINS.len(),
            CRISIS_DOMAINS.join("·")
        )),
    ];
    PaneForm::new("기록 추가", fields)
}

/// Correcting (or voiding) `item`: its text and follow-up date to start from.
pub(super) fn correct_form(item: &TimelineItem) -> PaneForm {
    PaneForm::new(
        "기록 정정 (원본은 그대로 남습니다)",
        vec![
            Field::choice_of::<CorrectionMode>(FieldId::CorrectionMode, "정정 방식"),
            Field::multiline(FieldId::Body, "내용 또는 사유", 5)
                .required()
                .with_value(item.text()),
            Field::date(FieldId::Due, "후속 일정").with_value(item.due_on().unwrap_or("")),
        ],
    )
}

/// Changing the stage from `from`: the usual next stages first, then every other one; 종결
/// first when the user asked to close the case.
pub(super) fn stage_form(from: Stage, closing: bool) -> PaneForm {
    let mut options: Vec<&str> = next_stages(from).iter().map(|s| s.label()).collect();
    for s in Stage::ALL {
        if s != from && !options.contains(&s.label()) {
            options.push(s.label());
        }
    }
    if closing && let Some(i) = options.iter().position(|s| *s == Stage::Closed.label()) {
        options.swap(0, i);
    }
    let mut reasons = vec!["(해당 없음)"];
    reasons.extend(CLOSURE_REASONS);
    PaneForm::new(
        &format!("단계 변경 — 지금: {}", from.label()),
        vec![
            Field::choice(FieldId::Stage, "새 단계", &options),
            Field::text(FieldId::StageReason, "사유").with_help("순서를 건너뛰거나 재개할 때 필수"),
            Field::choice(FieldId::ClosureReason, "종결 사유", &reasons),
        ],
    )
}

/// Changing the status of one of `referrals` (chosen by position).
pub(super) fn referral_status_form(referrals: &[timeline::types::ReferralView]) -> PaneForm {
    let labels: Vec<String> = referrals
        .iter()
        .enumerate()
        .map(|(i, r)| referral_label(i, r))
        .collect();
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    PaneForm::new(
        "연계 상태 변경",
        vec![
            Field::choice(FieldId::Referral, "연계", &refs),
            Field::choice(FieldId::ReferralStatus, "새 상태", &REFERRAL_STATUSES),
            Field::text(FieldId::Note, "메모"),
        ],
    )
}

/// Referring `name`'s case to `resource_name`.
pub(super) fn refer_form(name: &str, resource_name: &str) -> PaneForm {
    PaneForm::new(
        &format!("{name} → {resource_name} 연계 의뢰"),
        vec![
            Field::multiline(FieldId::Body, "의뢰 내용", 4).required(),
            Field::date(FieldId::Due, "후속 확인일"),
            // #16: without a valid 제3자 제공 consent the referral is refused unless a reason
            // is given here (recorded in the audit log).
            Field::text(FieldId::ConsentOverride, "동의 예외 사유")
                .with_help("제3자 제공 동의가 없을 때만: 감사 기록에 남습니다"),
        ],
    )
}

/// Moving the follow-up of an entry due on `due` (the new date starts a week later).
pub(super) fn reschedule_form(text: &str, due: &str, today: chrono::NaiveDate) -> PaneForm {
    let start = date(due)
        .map_or(today, |d| d.max(today))
        .checked_add_days(chrono::Days::new(7))
        .unwrap_or(today);
    let first = text.lines().next().unwrap_or("");
    PaneForm::new(
        &format!(
            "후속 일정 변경 — {}",
            crate::tui::widgets::fit(first, 0, 40)
        ),
        vec![
            Field::date(FieldId::Due, "새 날짜")
                .required()
                .with_value(&start.format("%Y-%m-%d").to_string())
                .with_help(&format!("지금 {due}. 예: 2024-03-01, 20240301, 2024.3.1")),
        ],
    )
}

/// Editing a resident: the current values to start from.
pub(super) fn resident_form(name: &str, r: &crate::store::ResidentEdit) -> PaneForm {
    let mut fields = vec![
        Field::text(FieldId::Phone, "연락처").with_value(r.phone.as_deref().unwrap_or("")),
        Field::text(FieldId::Dong, "읍면동").with_value(&r.dong),
        Field::text(FieldId::Address, "주소").with_value(&r.address),
        Field::text(FieldId::Household, "세대 번호")
            .with_value(r.household_id.as_deref().unwrap_or(""))
            .with_help("같은 세대 주민의 세대 번호, 없으면 비움"),
        Field::text(FieldId::Flag, "표시")
            .with_value(&r.flags.join(", "))
            .with_help("독거, 기초수급, 차상위, 장애 … 쉼표로"),
    ];
    if let Some(w) = &r.worker {
        fields.push(Field::text(FieldId::Worker, "담당자").with_value(w));
    }
    PaneForm::new(&format!("주민 정보 수정 — {name}"), fields)
}

/// The field a refused submission belongs next to.
pub(super) fn field_of(purpose: &FormPurpose, e: &TimelineError) -> FieldId {
    match (purpose, e) {
        (_, TimelineError::Rule(RuleError::NeedsClosureReason))
        | (_, TimelineError::Rule(RuleError::UnknownClosureReason(_))) => FieldId::ClosureReason,
        // A move that needs a reason is fixed either by another stage or by a reason: focus
        // lands on the stage choice (←/→ at once; the 사유 is one tab below).
        (_, TimelineError::Rule(RuleError::Unchanged(_)))
        | (_, TimelineError::Rule(RuleError::NeedsReason { .. }))
        | (_, TimelineError::Rule(RuleError::ReopenNeedsReason)) => FieldId::Stage,
        (_, TimelineError::Rule(_)) => FieldId::StageReason,
        (FormPurpose::ExportCase { .. }, _) => FieldId::File,
        (FormPurpose::Reschedule { .. }, _) => FieldId::Due,
        // A status move the rules refuse (완료 → 접수 …): fixed by another status.
        (FormPurpose::ReferralStatus { .. }, _) => FieldId::ReferralStatus,
        (FormPurpose::EditResident { .. }, _) => FieldId::Phone,
        (FormPurpose::ChangeStage { .. }, TimelineError::Invalid(m)) if m.contains("결재") => {
            FieldId::Stage
        }
        (FormPurpose::Refer { .. }, TimelineError::Invalid(m)) if m.contains("동의") => {
            FieldId::ConsentOverride
        }
        (FormPurpose::AddEntry { .. }, TimelineError::Invalid(m)) if m.contains("위기도") => {
            FieldId::CrisisScores
        }
        (FormPurpose::AddEntry { .. }, TimelineError::Invalid(m))
            if m.starts_with("참석자") || m.starts_with("목표") =>
        {
            FieldId::Attendees
        }
        (FormPurpose::AddEntry { .. }, TimelineError::Invalid(m)) if m.contains("종류") => {
            FieldId::EntryKind
        }
        _ => FieldId::Body,
    }
}

/// The worker's message for a refused timeline form: Korean first (an I/O error's English
/// text from the OS becomes a Korean reason with the path; other errors already read Korean
/// first with an English gloss, which the status bar and the field drop when short of room).
pub(super) fn refusal(e: &TimelineError) -> String {
    match e {
        TimelineError::Io { path, source } => {
            format!("{}: {}", io_reason(source), path.display())
        }
        other => other.to_string(),
    }
}

/// An I/O error in Korean (the OS's English text dropped).
pub(super) fn io_reason(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "파일이나 폴더가 없습니다",
        K::PermissionDenied => "권한이 없어 쓸 수 없습니다",
        K::AlreadyExists => "이미 있는 파일입니다",
        K::IsADirectory => "폴더입니다 (파일 이름을 적으세요)",
        K::StorageFull => "디스크가 가득 찼습니다",
        K::ReadOnlyFilesystem => "읽기 전용 위치입니다",
        _ => "파일을 쓰지 못했습니다",
    }
}

/// A text field's value, trimmed (empty when the form has no such field).
fn value(form: &PaneForm, id: FieldId) -> String {
    form.value(id).map(str::trim).unwrap_or("").to_string()
}

fn date(s: &str) -> Option<chrono::NaiveDate> {
    crate::resources::import::parse_date_loose(s, false)
}

/// Applies a submitted timeline form; returns the status message and the change made (for undo).
pub(super) fn submit(
    purpose: FormPurpose,
    form: &PaneForm,
    store: &mut Store,
) -> Result<(String, Option<Change>)> {
    match purpose {
        FormPurpose::AddEntry { case_id } => {
            let kind = form
                .field(FieldId::EntryKind)
                .and_then(|f| f.selected())
                .and_then(|i| ENTRY_KINDS.get(i).copied())
                .ok_or_else(|| TimelineError::Invalid("기록 종류를 고르세요".into()))?;
            let list: Vec<String> = crate::model::split_list(&value(form, FieldId::Attendees));
            let data = match kind {
                EntryKind::Assessment => {
                    let scores: Option<Vec<i64>> = value(form, FieldId::CrisisScores)
                        .split(',')
                        .map(|s| s.trim().parse().ok().filter(|n| (1..=5).contains(n)))
                        .collect();
                    let scores = scores.unwrap_or_default();
                    if scores.len() != CRISIS_DOMAINS.len() {
                        return Err(TimelineError::Invalid(format!(
                            "위기도: {}개 영역 점수를 쉼표로 입력하세요 ({})",
                            CRISIS_DOMAINS.len(),
                            CRISIS_DOMAINS.join(", ")
                        )));
                    }
                    EntryData::Assessment {
                        scores: CRISIS_DOMAINS
                            .iter()
                            .map(|d| d.to_string())
                            .zip(scores)
                            .collect::<BTreeMap<_, _>>(),
                    }
                }
                EntryKind::Conference => EntryData::Conference { attendees: list },
                EntryKind::Plan => EntryData::Plan {
                    goals: list,
                    services: Vec::new(),
                },
                EntryKind::Referral => {
                    return Err(TimelineError::Invalid(
                        "연계는 r 로 자원을 골라 의뢰하세요".into(),
                    ));
                }
                _ => EntryData::Plain,
            };
            let entry = NewEntry {
                kind,
                body: value(form, FieldId::Body),
                due_on: date(&value(form, FieldId::Due)),
                data,
            };
            let e = timeline::add_entry(store, &case_id, &entry)?;
            Ok((
                format!("{} 기록을 추가했습니다 (u 되돌리기)", kind.label()),
                Some(Change::Entry { entry_id: e.id }),
            ))
        }
        FormPurpose::CorrectEntry { entry_id, .. } => {
            let text = value(form, FieldId::Body);
            if form.chosen(FieldId::CorrectionMode) == Some(CorrectionMode::Void) {
                timeline::void_entry(store, &entry_id, &text)?;
                Ok(("기록을 무효 처리했습니다 (원본 보존)".into(), None))
            } else {
                timeline::correct_entry(store, &entry_id, &text, date(&value(form, FieldId::Due)))?;
                Ok(("기록을 정정했습니다 (원본 보존)".into(), None))
            }
        }
        FormPurpose::ChangeStage { case_id } => {
            let to = Stage::parse(&value(form, FieldId::Stage))
                .ok_or_else(|| TimelineError::Invalid("단계를 고르세요".into()))?;
            let reason = value(form, FieldId::StageReason);
            // Option 0 is "(해당 없음)", then the reasons in order.
            let closure = form
                .field(FieldId::ClosureReason)
                .and_then(|f| f.selected())
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| CLOSURE_REASONS.get(i))
                .map(|r| r.to_string());
            let mv = StageMove {
                to,
                reason,
                closure_reason: closure,
            };
            let from = store.case_header(&case_id)?.case.stage;
            timeline::change_stage(store, &case_id, &mv)?;
            Ok((
                format!("{} 단계로 옮겼습니다 (u 되돌리기)", to.label()),
                Some(Change::Stage { case_id, from, to }),
            ))
        }
        FormPurpose::Refer {
            case_id,
            resource_id,
        } => {
            let mut entry = NewEntry::plain(EntryKind::Referral, value(form, FieldId::Body));
            entry.data = EntryData::Referral { resource_id };
            entry.due_on = date(&value(form, FieldId::Due));
            let reason = value(form, FieldId::ConsentOverride);
            let reason = Some(reason.as_str()).filter(|r| !r.is_empty());
            timeline::add_entry_as(store, &case_id, &entry, reason)?;
            Ok(("연계를 의뢰했습니다".into(), None))
        }
        FormPurpose::ReferralStatus { case_id, .. } => {
            let tl = timeline::load(store, &case_id)?;
            let referral = form
                .field(FieldId::Referral)
                .and_then(|f| f.selected())
                .and_then(|i| tl.referrals.get(i))
                .ok_or_else(|| TimelineError::Invalid("연계를 고르세요".into()))?;
            let status = value(form, FieldId::ReferralStatus);
            timeline::set_referral_status(
                store,
                &referral.referral.id,
                &status,
                &value(form, FieldId::Note),
            )?;
            Ok((format!("연계 상태: {status}"), None))
        }
        FormPurpose::ExportCase { case_id } => {
            super::paper::submit(&case_id, form, store).map(|(m, _)| (m, None))
        }
        FormPurpose::Reschedule { entry_id } => {
            let on = date(&value(form, FieldId::Due))
                .ok_or_else(|| TimelineError::Invalid("날짜를 입력하세요".into()))?;
            let was = timeline_due(store, &entry_id)?;
            let e = timeline::reschedule_follow_up(store, &entry_id, on)?;
            Ok((
                format!("후속 일정을 {on}(으)로 옮겼습니다 (u 되돌리기)"),
                Some(Change::FollowUp {
                    entry_id: e.id,
                    due: was,
                }),
            ))
        }
        FormPurpose::EditResident { resident_id } => {
            let mut edit = store.resident_edit(&resident_id)?;
            let phone = value(form, FieldId::Phone);
            edit.phone = if phone.is_empty() {
                None
            } else {
                let p = crate::resources::import::normalize_phone(&phone)
                    .map_err(|e| TimelineError::Invalid(format!("연락처: {e}")))?;
                Some(p)
            };
            edit.dong = value(form, FieldId::Dong);
            edit.address = crate::privacy::mask_rrn_like(&value(form, FieldId::Address));
            edit.household_id = Some(value(form, FieldId::Household)).filter(|h| !h.is_empty());
            edit.flags = crate::model::split_list(&value(form, FieldId::Flag));
            if form.field(FieldId::Worker).is_some() {
                edit.worker = Some(value(form, FieldId::Worker)).filter(|w| !w.is_empty());
            }
            let (before, changed) = store.edit_resident(&resident_id, &edit)?;
            if changed.is_empty() {
                return Ok(("바뀐 내용이 없습니다".into(), None));
            }
            Ok((
                format!(
                    "주민 정보를 고쳤습니다: {} (u 되돌리기)",
                    changed.join(", ")
                ),
                Some(Change::Resident {
                    resident_id,
                    before,
                }),
            ))
        }
        _ => Ok((String::new(), None)),
    }
}

/// The open follow-up date of an entry (before it is moved or completed).
pub(super) fn timeline_due(store: &Store, entry_id: &str) -> Result<Option<chrono::NaiveDate>> {
    let e = store.entry(entry_id)?;
    let root = e.corrects.clone().unwrap_or(e.id);
    let items = timeline::resolve(store.case_entries(&e.case_id)?);
    Ok(items
        .iter()
        .find(|i| i.original.id == root)
        .and_then(|i| i.due_on())
        .and_then(date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::Action;

    /// Choices come back as the typed values shown, in order, whatever their labels say.
    #[test]
    fn typed_choices_follow_the_selection() {
        use super::super::super::fields::ContactDisplay;
        use super::super::paper::{ExportFormat, export_form};
        let mut form = export_form("김민수", "2026-11-29");
        assert_eq!(
            form.chosen::<ExportFormat>(FieldId::Format),
            Some(ExportFormat::Hwpx)
        );
        form.apply(Action::Right);
        assert_eq!(
            form.chosen::<ExportFormat>(FieldId::Format),
            Some(ExportFormat::Html)
        );
        assert_eq!(
            form.chosen(FieldId::PaperForm),
            Some(crate::paper::Form::InitialConsult)
        );
        assert_eq!(form.chosen(FieldId::Contacts), Some(ContactDisplay::Masked));
        assert!(value(&form, FieldId::File).ends_with("초기상담기록지_김민수_2026-11-29.hwpx"));

        let mut form = add_form();
        for (i, kind) in ENTRY_KINDS.iter().enumerate() {
            let field = form.field(FieldId::EntryKind);
            assert_eq!(field.and_then(|f| f.selected()), Some(i));
            assert_eq!(field.map(|f| f.value()), Some(kind.label()));
            form.apply(Action::Right);
        }
    }
}
