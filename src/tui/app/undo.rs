//! Undo (`u`): the last change of this session taken back by a new correcting change.

use super::App;

impl App {
    /// Takes back the last change of this session (a new correcting change; see
    /// [`crate::timeline::undo`]).
    pub(super) fn undo(&mut self) {
        let Some(undo) = self.last_change.take() else {
            self.message = Some("되돌릴 변경이 없습니다".into());
            return;
        };
        let resident = matches!(undo.change, crate::timeline::undo::Change::Resident { .. });
        match crate::timeline::undo::apply(&mut self.store, &undo) {
            Ok(m) => {
                self.message = Some(m);
                // The cursor goes to what came back (a follow-up returns to 오늘's lists).
                if let crate::timeline::undo::Change::FollowUp { entry_id, .. } = &undo.change {
                    self.today.focus_entry(self.versions_of(entry_id));
                }
            }
            Err(e) => self.message = Some(e.to_string()),
        }
        if resident {
            self.reindex();
        }
        self.refresh_status();
        self.reload_pane();
    }

    /// Every version of the entry `entry_id` belongs to (its original and each correction).
    fn versions_of(&self, entry_id: &str) -> Vec<String> {
        let Ok(e) = self.store.entry(entry_id) else {
            return vec![entry_id.to_string()];
        };
        let root = e.corrects.clone().unwrap_or_else(|| e.id.clone());
        let items = self
            .store
            .case_entries(&e.case_id)
            .map(crate::timeline::resolve)
            .unwrap_or_default();
        match items.into_iter().find(|i| i.original.id == root) {
            Some(i) => i.history().map(|x| x.id.clone()).collect(),
            None => vec![root, entry_id.to_string()],
        }
    }
}
