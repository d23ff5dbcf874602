//! An open case's keys: moving between entries (date headings skipped), order and kind filter,
//! history and detail, and the writing keys (add, correct, stage, refer, 결재, 동의, 이관, 인계,
//! follow-ups, export), refused at once on a case transferred to another site (#16 이관).

use super::{Row, TimelinePane, forms, paper, reload};
use crate::model::EntryKind;
use crate::store::Store;
use crate::tui::Action;
use crate::tui::panes::{Effect, FormPurpose, ListState};

impl TimelinePane {
    pub(super) fn on_case_action(
        &mut self,
        action: Action,
        page: usize,
        store: &mut Store,
    ) -> Effect {
        let before = self.list.selected;
        if self.list.apply(action, self.rows.len(), page) {
            // Skip date headings in the direction of travel.
            let down = self.list.selected >= before;
            while let Some(Row::Date(_)) = self.rows.get(self.list.selected) {
                match (down, self.list.selected) {
                    (true, s) if s + 1 < self.rows.len() => self.list.selected += 1,
                    (false, 0) | (true, _) => {
                        self.list.selected = before;
                        break;
                    }
                    (false, _) => self.list.selected -= 1,
                }
            }
            self.list.scroll_to(self.rows.len(), page);
            self.show_history = false;
            return Effect::None;
        }
        let Some(t) = &self.open else {
            return Effect::None;
        };
        let case_id = t.header.case.id.clone();
        // A case transferred to another site is read-only here: say so at the key, before a
        // form is typed into, not at its save (#16 이관).
        let writes = matches!(
            action,
            Action::AddEntry
                | Action::CorrectEntry
                | Action::ChangeStage
                | Action::CloseCase
                | Action::ReopenCase
                | Action::Refer
                | Action::RequestApproval
                | Action::Approve
                | Action::ReturnApproval
                | Action::RecordConsent
                | Action::WithdrawConsent
                | Action::Handover
                | Action::FollowUpDone
                | Action::Reschedule
                | Action::ReferralStatus
                | Action::PlanVisit
        );
        if writes && let Ok(Some(e)) = crate::timeline::transfer::transferred_away(store, &case_id)
        {
            let (_, name, at) = crate::timeline::transfer::pointer(&e);
            return Effect::Message(format!(
                "{at}에 {name}(으)로 이관한 사례라 읽기 전용입니다 (기록은 {name}에서)"
            ));
        }
        match action {
            Action::Back | Action::CaseList => {
                self.open = None;
                return reload(self, store);
            }
            Action::ToggleOrder => {
                self.newest_first = !self.newest_first;
                self.relayout();
            }
            Action::FilterKind => {
                self.kind_filter = match self.kind_filter {
                    None => Some(EntryKind::ALL[0]),
                    Some(k) => {
                        let i = EntryKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
                        EntryKind::ALL.get(i + 1).copied()
                    }
                };
                self.list = ListState::default();
                self.relayout();
            }
            Action::ShowHistory => self.show_history = !self.show_history,
            Action::Detail | Action::Select => self.show_full = !self.show_full,
            Action::AddEntry => {
                return Effect::OpenForm(FormPurpose::AddEntry { case_id }, forms::add_form());
            }
            Action::CorrectEntry => {
                let Some(item) = self.selected_item() else {
                    return Effect::Message("정정할 기록을 고르세요".into());
                };
                if item.original.kind == EntryKind::StageChange {
                    return Effect::Message("단계 변경 기록은 정정할 수 없습니다".into());
                }
                let entry_id = item.original.id.clone();
                let form = forms::correct_form(item);
                return Effect::OpenForm(FormPurpose::CorrectEntry { case_id, entry_id }, form);
            }
            Action::ChangeStage | Action::CloseCase | Action::ReopenCase => {
                let form = forms::stage_form(t.header.case.stage, action == Action::CloseCase);
                return Effect::OpenForm(FormPurpose::ChangeStage { case_id }, form);
            }
            Action::Refer => return Effect::PickResource,
            Action::RequestApproval => return crate::tui::panes::team::request_form(t, store),
            Action::Approve | Action::ReturnApproval => {
                let selected = self.selected_item().map(|i| i.original.clone());
                let Some(t) = &self.open else {
                    return Effect::None;
                };
                let effect = crate::tui::panes::team::decide_on_case(
                    t,
                    selected.as_ref(),
                    action == Action::Approve,
                    store,
                );
                if action == Action::Approve
                    && let Err(e) = self.load(store)
                {
                    return Effect::Message(e.to_string());
                }
                return effect;
            }
            Action::RecordConsent => return crate::tui::panes::team::consent_form(t, store),
            Action::WithdrawConsent => {
                return crate::tui::panes::team::withdraw_form(
                    self.selected_item().map(|i| &i.original),
                );
            }
            Action::TransferCase => return crate::tui::panes::team::transfer_form(t, store),
            Action::Handover => {
                let worker = t.header.case.worker.clone();
                return crate::tui::panes::team::handover_form(
                    vec![case_id],
                    Some(&worker),
                    None,
                    store,
                );
            }
            Action::FollowUpDone | Action::Reschedule => {
                let Some(item) = self.selected_item() else {
                    return Effect::Message("후속 일정이 있는 기록을 고르세요".into());
                };
                if item.due_on().is_none() {
                    return Effect::Message("이 기록에는 후속 일정이 없습니다".into());
                }
                let id = item.original.id.clone();
                return if action == Action::FollowUpDone {
                    Self::complete_follow_up(&id, store)
                } else {
                    Self::reschedule_form(&id, store)
                };
            }
            Action::EditResident => {
                let r = t.header.case.resident_id.clone();
                return Self::edit_resident_form(&r, store);
            }
            Action::OpenCase => {
                let r = t.header.case.resident_id.clone();
                return Effect::NewCase(r);
            }
            Action::ReferralStatus => {
                let Some(r) = t.referrals.first() else {
                    return Effect::Message("이 사례에는 연계가 없습니다".into());
                };
                let form = forms::referral_status_form(&t.referrals);
                return Effect::OpenForm(
                    FormPurpose::ReferralStatus {
                        case_id,
                        referral_id: r.referral.id.clone(),
                    },
                    form,
                );
            }
            Action::Export => {
                let date = store.clock().today().format("%Y-%m-%d").to_string();
                let form = paper::export_form(&t.header.resident_name, &date);
                return Effect::OpenForm(FormPurpose::ExportCase { case_id }, form);
            }
            Action::OpenExport => {
                let Some(path) = &self.last_export else {
                    return Effect::Message("먼저 e로 인쇄용 서식(html)을 내보내세요".into());
                };
                let open = self.opener.unwrap_or(paper::open_with_system);
                return Effect::Message(match open(path) {
                    Ok(()) => format!("{}을 여는 중", path.display()),
                    Err(e) => format!(
                        "열지 못했습니다: {} ({})",
                        path.display(),
                        forms::io_reason(&e)
                    ),
                });
            }
            _ => {}
        }
        Effect::None
    }
}
