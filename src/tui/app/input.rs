//! Input that is not a key press: a bracketed paste and the mouse (clicks on the tabs and the
//! list rows, the wheel as up/down).

use super::{App, Overlay, PaneId};
use crate::tui::panes::{self, FormPurpose};
use crate::tui::{Action, Key};
use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

impl App {
    /// A bracketed paste: a form field or the search query takes the whole text at once (each
    /// capped at its length, with a message); anywhere else it is typed as keys, at most
    /// [`panes::search::MAX_QUERY`] of them (a palette or filter line needs no more).
    pub(super) fn on_paste(&mut self, text: &str) {
        self.dirty = true;
        self.message = None;
        match self.overlay.take() {
            Some(Overlay::Form(purpose, mut form)) => {
                if purpose == FormPurpose::Intake
                    && let Some(c) = text.chars().find(|c| !c.is_control())
                {
                    self.search.replace_prefill(&mut form, Key::char(c));
                }
                form.paste(text);
                self.overlay = Some(Overlay::Form(purpose, form));
                return;
            }
            other => self.overlay = other,
        }
        if self.overlay.is_none()
            && self.pane == PaneId::Search
            && !self.sync_open
            && self.audit.is_none()
            && self.resolver.pending().is_empty()
            && let Some(effect) = self.search.on_paste(text, &mut self.store)
        {
            self.apply(effect);
            return;
        }
        let typed = text.chars().filter(|c| !c.is_control());
        for c in typed.take(panes::search::MAX_QUERY) {
            self.on_key(KeyEvent::from(crossterm::event::KeyCode::Char(c)));
        }
    }

    pub(super) fn on_mouse(&mut self, m: MouseEvent) {
        if self.overlay.is_some() {
            return;
        }
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let layout = crate::tui::layout::layout(ratatui::layout::Rect::new(
                    0,
                    0,
                    self.size.0,
                    self.size.1,
                ));
                if m.row == layout.tabs.y {
                    if let Some(p) = crate::tui::layout::tab_at(layout.tabs, m.column) {
                        self.switch(p);
                        self.dirty = true;
                    }
                } else if layout
                    .main
                    .contains(ratatui::layout::Position::new(m.column, m.row))
                {
                    let row = m.row - layout.main.y;
                    let effect = match self.pane {
                        PaneId::Search => self.search.on_click(row, &mut self.store),
                        PaneId::Timeline => self.timeline.on_click(row),
                        PaneId::Resources => self.resources.on_click(row),
                        PaneId::Today => self.today.on_click(row),
                    };
                    self.apply(effect);
                    self.dirty = true;
                }
            }
            MouseEventKind::ScrollDown => self.dispatch(Action::Down),
            MouseEventKind::ScrollUp => self.dispatch(Action::Up),
            _ => {}
        }
    }
}
