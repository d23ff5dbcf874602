//! The read record of the list views (issue #20): which residents a list showed, recorded
//! once it has settled or been left (the timing lives in [`crate::tui::reads`]).

use super::{App, PaneId};

impl App {
    /// The list of residents on screen now, for the read record (issue #20).
    fn shown(&self) -> Option<crate::tui::reads::Shown> {
        if self.sync_open || self.audit.is_some() {
            return None;
        }
        let (view, shown) = match self.pane {
            PaneId::Search => ("tui:search", self.search.shown()),
            PaneId::Timeline => ("tui:cases", self.timeline.shown()),
            PaneId::Today => ("tui:today", self.today.shown()),
            PaneId::Resources => return None,
        };
        shown.map(|(query, residents)| crate::tui::reads::Shown {
            view,
            query,
            residents,
        })
    }

    /// After a batch of events: records a list that has settled or been left (see
    /// [`super::reads`]).
    pub fn observe_reads(&mut self) {
        let now = std::time::Instant::now();
        let current = self.shown();
        if let Some(s) = self.reads.observe(now, current) {
            self.record_read(&s);
        }
    }

    /// At exit (and in tests): records what is on screen and not yet recorded.
    pub fn flush_reads(&mut self) {
        self.observe_reads();
        if let Some(s) = self.reads.flush() {
            self.record_read(&s);
        }
    }

    fn record_read(&mut self, s: &crate::tui::reads::Shown) {
        let read = crate::store::reads::Read {
            view: s.view,
            query: &s.query,
            residents: s.residents,
            reason: None,
        };
        if let Err(e) = self.store.record_read(&read) {
            self.message = Some(format!("조회 기록을 남기지 못했습니다: {e}"));
            self.dirty = true;
        }
    }
}
