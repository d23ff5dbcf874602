//! The case list's keys (no case open): moving (the next batch loads at the end), marking
//! cases for a handover of several (#16), opening a case, the resident's edit form, back.

use super::{CASE_BATCH, TimelinePane, reload};
use crate::store::Store;
use crate::tui::Action;
use crate::tui::panes::{Effect, PaneId};

impl TimelinePane {
    pub(super) fn on_list_action(
        &mut self,
        action: Action,
        page: usize,
        store: &mut Store,
    ) -> Effect {
        if self.case_list.apply(action, self.cases.len(), page) {
            // At the last loaded case, the next batch loads (the list says how many there are).
            if self.case_list.selected + 1 >= self.cases.len() && self.cases.len() < self.case_total
            {
                self.case_limit = self.cases.len() + CASE_BATCH;
                if let Err(e) = self.load(store) {
                    return Effect::Message(e.to_string());
                }
            }
            self.case_list.scroll_to(self.cases.len(), page);
            return Effect::None;
        }
        match action {
            // #16: space marks cases; A hands the marked ones (or the selected) over.
            Action::Detail | Action::ToggleMark => {
                if let Some(c) = self.cases.get(self.case_list.selected) {
                    if !self.marked.remove(&c.id) {
                        self.marked.insert(c.id.clone());
                    }
                    if self.case_list.selected + 1 < self.cases.len() {
                        self.case_list.selected += 1;
                        self.case_list.scroll_to(self.cases.len(), page);
                    }
                }
            }
            Action::Handover => {
                let ids: Vec<String> = if self.marked.is_empty() {
                    self.cases
                        .get(self.case_list.selected)
                        .map(|c| vec![c.id.clone()])
                        .unwrap_or_default()
                } else {
                    self.marked.iter().cloned().collect()
                };
                if ids.is_empty() {
                    return Effect::Message("인계할 사례를 고르세요 (space 표시)".into());
                }
                let current = (ids.len() == 1)
                    .then(|| self.cases.iter().find(|c| c.id == ids[0]))
                    .flatten()
                    .map(|c| c.worker.clone());
                // The selected case's worker: "everything they hold" is offered too.
                let worker = self
                    .cases
                    .get(self.case_list.selected)
                    .map(|c| c.worker.clone());
                let count = match &worker {
                    Some(w) => match store.cases_of_worker(w) {
                        Ok(v) => v.len(),
                        Err(e) => return Effect::Message(e.to_string()),
                    },
                    None => 0,
                };
                return crate::tui::panes::team::handover_form(
                    ids,
                    current.as_deref(),
                    worker.as_deref().map(|w| (w, count)),
                    store,
                );
            }
            Action::Select => {
                if let Some(c) = self.cases.get(self.case_list.selected) {
                    let id = c.id.clone();
                    if let Err(e) = self.open_case(&id, store) {
                        return Effect::Message(e.to_string());
                    }
                }
            }
            Action::OpenCase => match &self.resident {
                Some(r) => return Effect::NewCase(r.clone()),
                None => {
                    return Effect::Message(
                        "사례를 열 주민을 1 주민 검색에서 고르세요 (ctrl-o 사례 열기)".into(),
                    );
                }
            },
            Action::EditResident => {
                let r = self
                    .cases
                    .get(self.case_list.selected)
                    .map(|c| c.resident_id.clone())
                    .or_else(|| self.resident.clone());
                if let Some(r) = r {
                    return Self::edit_resident_form(&r, store);
                }
            }
            Action::Back if self.resident.is_some() => {
                self.resident = None;
                return reload(self, store);
            }
            Action::Back => return Effect::Switch(PaneId::Search),
            _ => {}
        }
        Effect::None
    }
}
