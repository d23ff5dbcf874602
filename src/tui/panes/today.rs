//! 4 오늘: what is due. (Interim: counts from the store.)

use super::Effect;
use crate::store::{Result, Store};
use crate::tui::Action;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Default)]
pub struct TodayPane {
    counts: Option<crate::store::queries::Counts>,
}

impl TodayPane {
    pub fn load(&mut self, store: &Store) -> Result<()> {
        self.counts = Some(store.counts()?);
        Ok(())
    }
    pub fn on_action(&mut self, _a: Action, _page: usize, store: &mut Store) -> Effect {
        if self.counts.is_none() {
            let _ = self.load(store);
        }
        Effect::None
    }
    pub fn on_click(&mut self, _row: u16) -> Effect {
        Effect::None
    }
    pub fn render(&self, f: &mut Frame<'_>, area: Rect, app: &App) {
        let lines = match &self.counts {
            Some(c) => vec![
                Line::styled("오늘", app.theme.title),
                Line::raw(format!("진행 중 사례 {} / 전체 {}", c.open_cases, c.cases)),
                Line::raw(format!(
                    "주민 {} · 기록 {} · 자원 {} · 연계 {}",
                    c.residents, c.entries, c.resources, c.referrals
                )),
            ],
            None => vec![Line::raw("불러오는 중…")],
        };
        f.render_widget(Paragraph::new(lines), area);
    }
}
