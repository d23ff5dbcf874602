//! 2 사례: case timelines. (Interim: the most recently active cases and a plain entry list.)

use super::{Effect, FormPurpose, ListState, below};
use crate::store::{Result, Store};
use crate::tui::Action;
use crate::tui::app::App;
use crate::tui::widgets::form::Form;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Default)]
pub struct TimelinePane {
    rows: Vec<String>,
    list: ListState,
}

impl TimelinePane {
    pub fn load(&mut self, store: &mut Store) -> Result<()> {
        self.rows = store.recent_case_lines(200)?;
        Ok(())
    }
    pub fn open_resident(&mut self, resident_id: &str, store: &mut Store) -> Result<()> {
        store.audit(&crate::audit::Event {
            action: crate::model::AuditAction::View,
            resident_id: Some(resident_id),
            subject: &format!("resident:{resident_id}"),
            detail: "타임라인",
        })?;
        self.load(store)
    }
    pub fn open_case(&mut self, _case_id: &str, store: &mut Store) -> Result<()> {
        self.load(store)
    }
    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        if self.rows.is_empty() {
            let _ = self.load(store);
        }
        if self.list.apply(action, self.rows.len(), page) {
            self.list.scroll_to(self.rows.len(), page);
        }
        Effect::None
    }
    pub fn on_form(&mut self, _p: FormPurpose, _f: &Form, _s: &mut Store) -> Effect {
        Effect::None
    }
    pub fn on_click(&mut self, row: u16) -> Effect {
        self.list.click(usize::from(row), self.rows.len());
        Effect::None
    }
    pub fn render(&self, f: &mut Frame<'_>, area: Rect, app: &App) {
        let t = &app.theme;
        let rows = usize::from(area.height);
        let from = self.list.visible_from(self.rows.len(), rows);
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(from)
            .take(rows)
            .map(|(i, r)| {
                Line::styled(
                    r.clone(),
                    if i == self.list.selected {
                        t.selected
                    } else {
                        t.base
                    },
                )
            })
            .collect();
        f.render_widget(Paragraph::new(lines), below(area, 0));
    }
}
