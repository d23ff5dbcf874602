//! The audit review (F7, admin only): this month's summary per operator (the monthly check the
//! 안전성 확보조치 기준 asks for), the chain check, and the latest rows.

use super::{ListState, cell};
use crate::audit::{AuditFilter, AuditRow, OperatorSummary};
use crate::store::{Role, Store};
use crate::tui::Action;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Rows shown (newest first).
const SHOWN: usize = 1000;

pub struct AuditScreen {
    month: String,
    summary: Vec<OperatorSummary>,
    chain: String,
    rows: Vec<AuditRow>,
    list: ListState,
}

impl AuditScreen {
    /// Loads the review; staff are refused (and the refusal is audited).
    pub fn open(store: &Store) -> Result<AuditScreen, String> {
        if store.role() != Role::Admin {
            let _ = store.require_admin("audit log (TUI)");
            return Err(format!(
                "감사 로그는 관리자만 볼 수 있습니다 ({}: staff)",
                store.operator()
            ));
        }
        let month = store.clock().today().format("%Y-%m").to_string();
        let summary = store.audit_month(&month).map_err(|e| e.to_string())?;
        let verify = store.audit_verify().map_err(|e| e.to_string())?;
        let chain = match verify.broken {
            None => format!("해시 체인 정상 ({}행)", verify.checked),
            Some((seq, why)) => format!("해시 체인 손상: {seq}행 — {why}"),
        };
        let mut rows = store
            .audit_rows(&AuditFilter::default())
            .map_err(|e| e.to_string())?;
        rows.reverse();
        rows.truncate(SHOWN);
        Ok(AuditScreen {
            month,
            summary,
            chain,
            rows,
            list: ListState::default(),
        })
    }

    pub fn on_action(&mut self, action: Action, page: usize) {
        if self.list.apply(action, self.rows.len(), page) {
            self.list.scroll_to(self.rows.len(), page);
        }
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        let mut lines = vec![
            Line::styled(
                format!("감사 로그 — {} 월간 점검 · esc 닫기", self.month),
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
        lines.push(Line::raw(""));
        let head = lines.len() as u16;
        let rows = usize::from(area.height.saturating_sub(head));
        let from = self.list.visible_from(self.rows.len(), rows);
        for (i, r) in self.rows.iter().enumerate().skip(from).take(rows) {
            let style = if i == self.list.selected {
                t.selected
            } else {
                t.base
            };
            lines.push(Line::styled(
                format!(
                    "{} {}{}{}{}",
                    r.at,
                    cell(&r.operator, 10),
                    cell(&r.action, 6),
                    cell(&r.subject, 30),
                    r.detail
                ),
                style,
            ));
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}
