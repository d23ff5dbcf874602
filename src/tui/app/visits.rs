//! 방문 계획 as the app routes it: the week view and day list screen, planning a visit from an
//! open case (refused on a case transferred away), and the plan, done and export forms.

use super::App;
use crate::tui::Action;
use crate::tui::panes::fields::PaneForm;
use crate::tui::panes::{self, Effect, FormPurpose};

impl App {
    /// Opens the 방문 계획 screen over the panes (closing any other screen).
    pub(super) fn open_visits(&mut self) {
        self.sync_open = false;
        self.audit = None;
        self.stats = None;
        self.discovery = None;
        self.resolver.reset();
        self.visits = Some(panes::visits::VisitsScreen::open(
            &self.store,
            crate::model::Scope::All,
        ));
    }

    /// An action while the 방문 계획 screen is open; the screen closes when it leads elsewhere.
    pub(super) fn on_visits_action(&mut self, action: Action) {
        let page = self.page_size();
        let effect = self
            .visits
            .as_mut()
            .map(|v| v.on_action(action, page, &self.store));
        if let Some(effect) = effect {
            if !matches!(
                effect,
                Effect::None | Effect::Message(_) | Effect::OpenForm(..)
            ) {
                self.visits = None;
            }
            self.apply(effect);
        }
    }

    /// `PlanVisit` on the case pane: the plan form for the open case.
    pub(super) fn plan_visit_on_case(&mut self) {
        match self.timeline.current_case().map(str::to_string) {
            Some(case_id) => {
                // A transferred case is read-only here (the pane says so for its keys).
                let effect = match crate::timeline::transfer::transferred_away(
                    &self.store,
                    &case_id,
                ) {
                    Ok(Some(e)) => {
                        let (_, name, at) = crate::timeline::transfer::pointer(&e);
                        panes::Effect::Message(format!(
                            "{at}에 {name}(으)로 이관한 사례라 읽기 전용입니다 (기록은 {name}에서)"
                        ))
                    }
                    _ => panes::visits::plan_case_form(&case_id, &self.store),
                };
                self.apply(effect);
            }
            None => self.message = Some("방문을 계획할 사례를 먼저 여세요".into()),
        }
    }

    /// A submitted visit form (plan, done, export; any other purpose does nothing).
    pub(super) fn submit_visit_form(&mut self, purpose: FormPurpose, form: PaneForm) {
        match purpose {
            FormPurpose::PlanVisit { .. } | FormPurpose::PlanVisitDiscovery { .. } => {
                let effect = panes::visits::submit_plan(purpose, form, &mut self.store);
                let saved = matches!(effect, Effect::Message(_));
                self.apply(effect);
                if saved {
                    if let Some(d) = &mut self.discovery {
                        d.reload(&self.store);
                    }
                    if let Some(v) = &mut self.visits {
                        v.reload(&self.store);
                    }
                    if self.discovery.is_none() && self.visits.is_none() {
                        self.reload_pane();
                    }
                }
            }
            FormPurpose::VisitDone { plan_id } => {
                let effect = match &mut self.visits {
                    Some(v) => v.on_done(&plan_id, &form, &mut self.store),
                    None => Effect::None,
                };
                self.apply(effect);
            }
            FormPurpose::ExportVisits { day, format } => {
                let effect = match &mut self.visits {
                    Some(v) => v.on_export(&day, &format, &form, &self.store),
                    None => Effect::None,
                };
                self.apply(effect);
            }
            _ => {}
        }
    }
}
