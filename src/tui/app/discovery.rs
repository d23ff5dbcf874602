//! The 발굴 queue as the app routes it: opening the screen, its keys, the outcome form, and the
//! intake promoted from a row (linked to the row once it saves).

use super::App;
use crate::tui::Action;
use crate::tui::panes::fields::PaneForm;
use crate::tui::panes::{self, Effect, FormPurpose};

impl App {
    /// Opens the 발굴 queue over the panes (closing any other screen).
    pub(super) fn open_discovery(&mut self) {
        self.sync_open = false;
        self.audit = None;
        self.stats = None;
        self.resolver.reset();
        self.discovery = Some(panes::discovery::DiscoveryScreen::open(&self.store));
    }

    /// An action while the 발굴 queue is open; the screen closes when the row leads elsewhere.
    pub(super) fn on_discovery_action(&mut self, action: Action) {
        let page = self.page_size();
        let effect = self
            .discovery
            .as_mut()
            .map(|d| d.on_action(action, page, &self.store));
        if let Some(effect) = effect {
            if !matches!(
                effect,
                Effect::None | Effect::Message(_) | Effect::OpenForm(..)
            ) {
                self.discovery = None;
            }
            self.apply(effect);
        }
    }

    /// The outcome form of row `id` was submitted.
    pub(super) fn submit_discovery_outcome(&mut self, id: &str, form: &PaneForm) {
        let effect = match &mut self.discovery {
            Some(d) => d.on_form(id, form, &mut self.store),
            None => Effect::None,
        };
        self.apply(effect);
    }

    /// An intake promoted from a 발굴 row finished: the row gets the resident (and 지원 연계).
    /// Only a saved intake that opened a resident or a case links; a question (duplicates)
    /// keeps the row pending, a cancel drops it.
    pub(super) fn link_discovery(&mut self, effect: &Effect) {
        let resident = match effect {
            Effect::OpenCase(c) => self.store.case_header(c).ok().map(|h| h.case.resident_id),
            Effect::OpenResident(r) | Effect::NewCase(r) => Some(r.clone()),
            Effect::OpenForm(FormPurpose::Intake, _) | Effect::FormError(..) => return,
            _ => None,
        };
        let Some(id) = self.pending_discovery.take() else {
            return;
        };
        if let Some(r) = resident
            && let Err(e) = crate::discovery::link_intake(&mut self.store, &id, &r)
        {
            self.message = Some(e.to_string());
        }
    }
}
