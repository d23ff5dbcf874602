//! The audit review (F7, admin only): this month's summary per operator (the monthly check the
//! 안전성 확보조치 기준 asks for), the chain check, and the latest rows — who did what to whose
//! record, by name (masked) — narrowed by operator, action, resident and date (`/` 거르기).
//! Enter switches to the retention review: closed cases past their retention period, names
//! masked (the purge itself is `dolbom retention purge`).

use super::fields::{FieldId, PaneForm};
use super::{Effect, FormPurpose, ListState, cell};
use crate::audit::{AuditFilter, NamedAuditRow, OperatorSummary};
use crate::cli::audit::{ACTIONS, detail_text, subject_text};
use crate::store::Store;
use crate::tui::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::Field;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Rows shown (newest first).
const SHOWN: usize = 1000;

/// The "no filter" option of the choice fields.
const ALL: &str = "(전체)";

pub struct AuditScreen {
    month: String,
    summary: Vec<OperatorSummary>,
    chain: String,
    operators: Vec<String>,
    filter: AuditFilter,
    rows: Vec<NamedAuditRow>,
    list: ListState,
    error: Option<String>,
    /// Closed cases past their retention period (loaded at open).
    due: Vec<crate::retention::DueLine>,
    /// Showing the retention review instead of the rows.
    show_due: bool,
}

impl AuditScreen {
    /// Loads the review; staff are refused (and the refusal is audited).
    pub fn open(store: &Store) -> Result<AuditScreen, String> {
        if store.require_admin("audit log (TUI)").is_err() {
            return Err(format!(
                "감사 로그는 관리자만 볼 수 있습니다 ({}: {})",
                store.operator(),
                store.role().label()
            ));
        }
        let month = store.clock().today().format("%Y-%m").to_string();
        let summary = store.audit_month(&month).map_err(|e| e.to_string())?;
        let verify = store.audit_verify().map_err(|e| e.to_string())?;
        let chain = match verify.broken {
            None => format!("해시 체인 정상 ({}행)", verify.checked),
            Some((seq, why)) => format!("해시 체인 손상: {seq}행 — {why}"),
        };
        let operators = store.audit_operators().map_err(|e| e.to_string())?;
        let due = store
            .retention_due(store.clock().today())
            .map(crate::retention::lines)
            .map_err(|e| e.to_string())?;
        let mut screen = AuditScreen {
            month,
            summary,
            chain,
            operators,
            filter: AuditFilter::default(),
            rows: Vec::new(),
            list: ListState::default(),
            error: None,
            due,
            show_due: false,
        };
        screen.reload(store);
        Ok(screen)
    }

    /// Reads the rows the filter lets through (newest first).
    fn reload(&mut self, store: &Store) {
        match store.audit_rows_named(&self.filter, Some(SHOWN)) {
            Ok(rows) => {
                self.rows = rows;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.list = ListState::default();
    }

    /// The active filter, for the header.
    pub fn filter(&self) -> &AuditFilter {
        &self.filter
    }

    /// Rows shown now.
    pub fn rows(&self) -> &[NamedAuditRow] {
        &self.rows
    }

    pub fn on_action(&mut self, action: Action, page: usize) -> Effect {
        if self.list.apply(action, self.rows.len(), page) {
            self.list.scroll_to(self.rows.len(), page);
            return Effect::None;
        }
        match action {
            Action::Select => {
                self.show_due = !self.show_due;
                Effect::None
            }
            Action::FocusSearch | Action::Filter => {
                Effect::OpenForm(FormPurpose::AuditFilter, self.filter_form())
            }
            _ => Effect::None,
        }
    }

    /// The filter form, filled with the filter in force.
    fn filter_form(&self) -> PaneForm {
        let mut operators = vec![ALL];
        operators.extend(self.operators.iter().map(String::as_str));
        let mut actions = vec![ALL];
        actions.extend(ACTIONS);
        let f = &self.filter;
        PaneForm::new(
            "감사 로그 거르기 (비우면 전체)",
            vec![
                Field::choice(FieldId::Worker, "작업자", &operators)
                    .with_value(f.operator.as_deref().unwrap_or(ALL)),
                Field::choice(FieldId::AuditAction, "작업", &actions)
                    .with_value(f.action.as_deref().unwrap_or(ALL)),
                Field::text(FieldId::Name, "주민 이름")
                    .with_value(f.resident_name.as_deref().unwrap_or("")),
                Field::date(FieldId::Since, "이 날부터")
                    .with_value(f.since.as_deref().map_or("", |s| s.get(..10).unwrap_or(s))),
            ],
        )
    }

    /// Applies a submitted filter form.
    pub fn on_form(&mut self, form: &PaneForm, store: &Store) {
        let value = |id: FieldId| {
            form.value(id)
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != ALL)
                .map(String::from)
        };
        self.filter = AuditFilter {
            operator: value(FieldId::Worker),
            action: value(FieldId::AuditAction),
            resident_name: value(FieldId::Name),
            since: value(FieldId::Since).map(|d| format!("{d} 00:00:00")),
            resident_id: None,
        };
        self.reload(store);
    }

    /// The filter in words (`작업자 kim · 작업 조회 · 주민 김 · 2026-11-01부터`).
    fn filter_text(&self) -> String {
        let f = &self.filter;
        let mut parts = Vec::new();
        if let Some(o) = &f.operator {
            parts.push(format!("작업자 {o}"));
        }
        if let Some(a) = &f.action {
            parts.push(format!("작업 {a}"));
        }
        if let Some(n) = &f.resident_name {
            parts.push(format!("주민 '{n}'"));
        }
        if let Some(s) = &f.since {
            parts.push(format!("{}부터", s.get(..10).unwrap_or(s)));
        }
        if parts.is_empty() {
            "전체".to_string()
        } else {
            parts.join(" · ")
        }
    }

    /// The retention review: closed cases past their period, names masked.
    fn render_due(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let mut lines = vec![
            Line::styled(
                format!(
                    "보존 기한이 지난 종결 사례 {}건 · enter 감사 로그 · esc 닫기",
                    self.due.len()
                ),
                t.title,
            ),
            Line::styled(
                "검토 후 파기: dolbom retention purge (관리자, 되돌릴 수 없음)",
                t.dim,
            ),
        ];
        if self.due.is_empty() {
            lines.push(Line::styled("파기할 사례가 없습니다", t.dim));
        }
        lines.extend(self.due.iter().map(|d| Line::raw(d.text())));
        f.render_widget(Paragraph::new(lines), area);
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        if self.show_due {
            return self.render_due(f, area, t);
        }
        let mut lines = vec![
            Line::styled(
                format!(
                    "감사 로그 — {} 월간 점검 · / 거르기 · enter 파기 검토 · esc 닫기",
                    self.month
                ),
                t.title,
            ),
            Line::styled(
                self.chain.clone(),
                if self.chain.contains("손상") {
                    t.danger
                } else {
                    t.ok
                },
            ),
            Line::styled(
                format!(
                    "{}{}{}{}{}",
                    cell("작업자", 12),
                    cell("조회 주민", 10),
                    cell("조회", 7),
                    cell("입력·변경", 10),
                    "출력"
                ),
                t.dim,
            ),
        ];
        for s in self.summary.iter().take(5) {
            lines.push(Line::raw(format!(
                "{}{}{}{}{}",
                cell(&s.operator, 12),
                cell(&s.residents_viewed.to_string(), 10),
                cell(&s.views.to_string(), 7),
                cell(&s.changes.to_string(), 10),
                s.exports
            )));
        }
        lines.push(Line::styled(
            format!("거르기: {} — {}행", self.filter_text(), self.rows.len()),
            t.dim,
        ));
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), t.danger));
        }
        lines.push(Line::styled(
            format!(
                "{}{}{}{}{}",
                cell("일시", 12),
                cell("작업자", 10),
                cell("작업", 9),
                cell("대상", 22),
                "내용"
            ),
            t.dim,
        ));
        let head = lines.len() as u16;
        let rows = usize::from(area.height.saturating_sub(head));
        if self.rows.is_empty() {
            lines.push(Line::styled("해당하는 기록이 없습니다", t.dim));
        }
        let from = self.list.visible_from(self.rows.len(), rows);
        for (i, r) in self.rows.iter().enumerate().skip(from).take(rows) {
            let style = if i == self.list.selected {
                t.selected
            } else {
                t.base
            };
            // `YYYY-MM-DD HH:MM:SS` → `MM-DD HH:MM`.
            let at = r.row.at.get(5..16).unwrap_or(&r.row.at);
            lines.push(Line::styled(
                format!(
                    "{}{}{}{}{}",
                    cell(at, 12),
                    cell(&r.row.operator, 10),
                    cell(&r.row.action, 9),
                    cell(&subject_text(r), 22),
                    detail_text(&r.row.detail)
                ),
                style,
            ));
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}
