//! 발굴 대상 (issue #16 item 5): the queue of a 복지사각지대 발굴 round on one screen — rows by 동
//! and address with the days left, names masked. ↑/↓ move, `o` sets the outcome and a note
//! (a choice form), `enter` opens the matched resident's case or, for a new candidate, the
//! intake (접수) form prefilled from the row; esc closes. Opened with `b` from 오늘 (or the
//! palette). Loads at most [`MAX_ROWS`] rows at once (the index gives them in order).

use super::Effect;
use super::fields::{FieldId, PaneForm};
use super::{FormPurpose, ListState, cell};
use crate::model::{DiscoveryItem, Outcome, RoundProgress};
use crate::privacy::mask_name;
use crate::store::{DiscoveryFilter, Store};
use crate::tui::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit;
use crate::tui::widgets::form::Field;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Rows loaded at once.
pub const MAX_ROWS: usize = 500;

/// The 발굴 queue screen's state.
#[derive(Default)]
pub struct DiscoveryScreen {
    items: Vec<DiscoveryItem>,
    /// Rows in the queue (may exceed `items`).
    total: u64,
    rounds: Vec<RoundProgress>,
    list: ListState,
    /// Only rows without an outcome.
    open_only: bool,
    today: chrono::NaiveDate,
    error: Option<String>,
}

/// One line for 오늘: the newest round's progress, or None when there is no round.
pub fn summary(store: &Store) -> Option<String> {
    let today = store.clock().today().format("%Y-%m-%d").to_string();
    let rounds = store.discovery_progress(&today).ok()?;
    let r = rounds.first()?;
    let overdue = if r.overdue > 0 {
        format!(" · 기한 지남 {}", r.overdue)
    } else {
        String::new()
    };
    Some(format!(
        "발굴 {} 회차: 처리 {}/{} · 기한 {}{overdue}  (g 발굴 대상)",
        r.round, r.checked, r.total, r.deadline
    ))
}

impl DiscoveryScreen {
    /// The screen, loaded at once.
    pub fn open(store: &Store) -> DiscoveryScreen {
        let mut s = DiscoveryScreen::default();
        s.reload(store);
        s
    }

    /// The rows loaded.
    pub fn items(&self) -> &[DiscoveryItem] {
        &self.items
    }

    /// The selected row.
    pub fn selected(&self) -> Option<&DiscoveryItem> {
        self.items.get(self.list.selected)
    }

    pub fn reload(&mut self, store: &Store) {
        self.today = store.clock().today();
        let filter = DiscoveryFilter {
            open_only: self.open_only,
            limit: MAX_ROWS,
            ..DiscoveryFilter::default()
        };
        let today = self.today.format("%Y-%m-%d").to_string();
        // The total comes from the rounds' progress (one covering-index pass), not a count.
        let open_only = self.open_only;
        let result = store.discovery_queue(&filter).and_then(|items| {
            let rounds = store.discovery_progress(&today)?;
            let total = rounds
                .iter()
                .map(|r| {
                    if open_only {
                        r.total - r.checked
                    } else {
                        r.total
                    }
                })
                .sum();
            Ok((items, total, rounds))
        });
        match result {
            Ok((items, total, rounds)) => {
                self.items = items;
                self.total = total;
                self.rounds = rounds;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.list.selected = self.list.selected.min(self.items.len().saturating_sub(1));
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &Store) -> Effect {
        if self.list.apply(action, self.items.len(), page) {
            self.list.scroll_to(self.items.len(), page);
            return Effect::None;
        }
        match action {
            Action::Select => match self.selected() {
                Some(i) => match &i.resident_id {
                    Some(r) => Effect::OpenResident(r.clone()),
                    None => Effect::DiscoveryIntake(Box::new(i.clone())),
                },
                None => Effect::Message("발굴 대상이 없습니다 (dolbom discovery import)".into()),
            },
            Action::SetOutcome => match self.selected() {
                Some(i) => Effect::OpenForm(
                    FormPurpose::DiscoveryOutcome { id: i.id.clone() },
                    outcome_form(i),
                ),
                None => Effect::None,
            },
            Action::PlanVisit => match self.selected() {
                Some(i) => Effect::OpenForm(
                    FormPurpose::PlanVisitDiscovery { id: i.id.clone() },
                    super::visits::plan_form(
                        &format!("방문 계획 · {} {}", mask_name(&i.name), i.dong),
                        store.clock().today() + chrono::Duration::days(1),
                    ),
                ),
                None => Effect::None,
            },
            Action::ToggleScope => {
                self.open_only = !self.open_only;
                self.list = ListState::default();
                self.reload(store);
                Effect::Message(if self.open_only {
                    "처리하지 않은 대상만 봅니다".into()
                } else {
                    "모든 대상을 봅니다".into()
                })
            }
            Action::Refresh => {
                self.reload(store);
                Effect::None
            }
            _ => Effect::None,
        }
    }

    /// The outcome form was saved: record it (audited) and reload.
    pub fn on_form(&mut self, id: &str, form: &PaneForm, store: &mut Store) -> Effect {
        let Some(outcome) = form.chosen::<Outcome>(FieldId::Outcome) else {
            return Effect::Message("결과를 고르세요".into());
        };
        let note = form.value(FieldId::Note).unwrap_or("");
        let result = crate::discovery::mark(store, id, outcome, Some(note));
        self.reload(store);
        match result {
            Ok(i) => Effect::Message(format!("{} → {}", mask_name(&i.name), outcome.label())),
            Err(e) => Effect::Message(e.to_string()),
        }
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        if area.height < 3 || area.width < 20 {
            return;
        }
        let width = usize::from(area.width);
        let mut lines = Vec::new();
        let head = match self.rounds.first() {
            Some(r) => format!(
                "발굴 대상 · {} 회차 처리 {}/{} · 기한 지남 {}{}",
                r.round,
                r.checked,
                r.total,
                r.overdue,
                if self.open_only {
                    " · 미처리만"
                } else {
                    ""
                }
            ),
            None => "발굴 대상 · 가져온 명단이 없습니다 (dolbom discovery import)".into(),
        };
        lines.push(Line::styled(fit(&head, 0, width), t.title));
        if let Some(e) = &self.error {
            lines.push(Line::styled(fit(e, 0, width), t.danger));
        }
        let rows = usize::from(area.height).saturating_sub(lines.len() + 1);
        let from = self.list.visible_from(self.items.len(), rows);
        for (i, item) in self.items.iter().enumerate().skip(from).take(rows) {
            lines.push(self.row(item, i == self.list.selected, t, width));
        }
        if self.total > self.items.len() as u64 {
            lines.push(Line::styled(
                format!("… 외 {}건", self.total - self.items.len() as u64),
                t.dim,
            ));
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn row(&self, i: &DiscoveryItem, selected: bool, t: &Theme, width: usize) -> Line<'static> {
        let base = if selected { t.selected } else { t.base };
        let (days, style) = match i.days_left(self.today) {
            _ if i.outcome.is_some() => (String::new(), t.ok),
            Some(d) if d < 0 => (format!("{}일 지남", -d), t.danger),
            Some(0) => ("오늘".into(), t.warn),
            Some(d) => (format!("D-{d}"), t.base),
            None => (String::new(), t.base),
        };
        let who = if i.resident_id.is_some() {
            "기존"
        } else {
            "신규"
        };
        let head = format!(
            "{}{}{}{} ",
            cell(&i.dong, 11),
            cell(&address_tail(&i.address), 22),
            cell(&mask_name(&i.name), 8),
            cell(who, 5),
        );
        let outcome = i.outcome.map_or("미처리", Outcome::label);
        let used = unicode_width::UnicodeWidthStr::width(head.as_str()) + 11 + 13;
        Line::from(vec![
            Span::styled(head, base),
            Span::styled(cell(&days, 11), style.patch(base)),
            Span::styled(cell(outcome, 13), base),
            Span::styled(
                fit(&i.signals.join(","), 0, width.saturating_sub(used)),
                t.dim.patch(base),
            ),
        ])
    }
}

/// The outcome (and note) form for one row.
fn outcome_form(i: &DiscoveryItem) -> PaneForm {
    let current = i.outcome.unwrap_or(Outcome::Linked);
    PaneForm::new(
        &format!("처리 결과 · {} {}", mask_name(&i.name), i.dong),
        vec![
            Field::choice_of::<Outcome>(FieldId::Outcome, "결과").with_value(current.label()),
            Field::text(FieldId::Note, "메모").with_value(&i.note),
        ],
    )
}

/// The address without its leading 도/시/군/구 (the screen is one 시군구's queue).
fn address_tail(address: &str) -> String {
    let tokens: Vec<&str> = address.split_whitespace().collect();
    let skip = tokens
        .iter()
        .take_while(|t| {
            t.chars().count() >= 2
                && (t.ends_with('도')
                    || t.ends_with('시')
                    || t.ends_with('군')
                    || t.ends_with('구'))
        })
        .count();
    tokens[skip.min(tokens.len())..].join(" ")
}
