//! 3 자원: categories on the left, resources on the right with Hangul-aware search
//! (`ㅍㄷㅂㅋ` finds 푸드뱅크), a detail view with capacity and current load.

use super::fields::{FieldId, ImportEncoding, ImportTarget, PaneForm};
use super::{Effect, FormPurpose, ImportJob, ListState, RenderCtx, below, cell};
use crate::model::RESOURCE_CATEGORIES;
use crate::resources::upsert::ImportReport;
use crate::search::rank_names;
use crate::store::{ResourceRow, Result, Store, StoreError};
use crate::tui::widgets::form::Field;
use crate::tui::{Action, Key, KeyCode};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

const LEFT_WIDTH: u16 = 16;

#[derive(Default)]
pub struct ResourcesPane {
    all: Vec<ResourceRow>,
    /// 0 = 전체, then `RESOURCE_CATEGORIES[i - 1]`.
    category: usize,
    query: String,
    typing: bool,
    /// Indices into `all` shown, best first, with highlight positions.
    shown: Vec<(usize, Vec<usize>)>,
    list: ListState,
    detail: bool,
    loaded: bool,
    import: ImportState,
}

/// The import flow: file form → dry run (preview) → confirm → import, with a gauge meanwhile.
#[derive(Default)]
pub enum ImportState {
    #[default]
    Idle,
    Running {
        job: ImportJob,
        done: u64,
        total: u64,
    },
    Preview {
        job: ImportJob,
        report: ImportReport,
    },
}

impl ResourcesPane {
    pub fn load(&mut self, store: &Store) -> Result<()> {
        self.all = store.resources()?;
        self.loaded = true;
        self.refilter();
        Ok(())
    }

    fn category_name(&self) -> Option<&'static str> {
        self.category
            .checked_sub(1)
            .and_then(|i| RESOURCE_CATEGORIES.get(i).copied())
    }

    fn refilter(&mut self) {
        let in_cat: Vec<usize> = (0..self.all.len())
            .filter(|i| {
                self.category_name()
                    .is_none_or(|c| self.all[*i].resource.category == c)
            })
            .collect();
        self.shown = if self.query.trim().is_empty() {
            in_cat.into_iter().map(|i| (i, Vec::new())).collect()
        } else {
            let names: Vec<&str> = in_cat
                .iter()
                .map(|i| self.all[*i].resource.name.as_str())
                .collect();
            rank_names(&self.query, &names, 200)
                .into_iter()
                .map(|(j, m)| (in_cat[j], m.positions))
                .collect()
        };
        self.list = ListState::default();
    }

    /// The resource under the cursor.
    pub fn selected(&self) -> Option<&ResourceRow> {
        self.shown
            .get(self.list.selected)
            .and_then(|(i, _)| self.all.get(*i))
    }

    /// The import is running: progress (done, total).
    pub fn import_progress(&mut self, done: u64, total: u64) {
        if let ImportState::Running {
            done: d, total: t, ..
        } = &mut self.import
        {
            *d = done;
            *t = total;
        }
    }

    /// The import (or its dry run) finished.
    pub fn import_done(&mut self, result: Result<ImportReport, String>, store: &Store) -> Effect {
        let job = match std::mem::take(&mut self.import) {
            ImportState::Running { job, .. } => job,
            _ => return Effect::None,
        };
        match result {
            Ok(report) if job.dry_run => {
                self.import = ImportState::Preview { job, report };
                Effect::None
            }
            Ok(report) => {
                let _ = self.load(store);
                Effect::Message(format!(
                    "가져오기 완료: 추가 {} · 변경 {} · 그대로 {} · 거부 {}",
                    report.inserted, report.updated, report.unchanged, report.rejected
                ))
            }
            Err(e) => Effect::Message(e),
        }
    }

    /// Marks an import as started (the app runs it).
    pub fn import_started(&mut self, job: ImportJob) {
        self.import = ImportState::Running {
            job,
            done: 0,
            total: 0,
        };
    }

    /// Typed text while the query line has focus.
    pub fn on_text(&mut self, key: Key) -> Option<Effect> {
        if !self.typing {
            return None;
        }
        match key.code {
            KeyCode::Char(c) if key.text_char().is_some() => self.query.push(c),
            KeyCode::Backspace => {
                self.query.pop();
            }
            KeyCode::Enter | KeyCode::Esc => self.typing = false,
            _ => return None,
        }
        self.refilter();
        Some(Effect::None)
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        if !self.loaded
            && let Err(e) = self.load(store)
        {
            return Effect::Message(e.to_string());
        }
        match &self.import {
            ImportState::Running { .. } => {
                return Effect::Message("가져오는 중입니다…".into());
            }
            ImportState::Preview { job, .. } => {
                let job = job.clone();
                return match action {
                    Action::Select | Action::Detail | Action::Submit | Action::Confirm => {
                        Effect::Import(ImportJob {
                            dry_run: false,
                            ..job
                        })
                    }
                    Action::Back | Action::Cancel | Action::Deny => {
                        self.import = ImportState::Idle;
                        Effect::Message("가져오기를 취소했습니다 (아무것도 바뀌지 않음)".into())
                    }
                    _ => Effect::None,
                };
            }
            ImportState::Idle => {}
        }
        if self.list.apply(action, self.shown.len(), page) {
            self.list.scroll_to(self.shown.len(), page);
            return Effect::None;
        }
        let categories = RESOURCE_CATEGORIES.len() + 1;
        match action {
            Action::FocusSearch => self.typing = true,
            Action::ClearQuery => {
                self.query.clear();
                self.refilter();
            }
            Action::NextCategory | Action::Right => {
                self.category = (self.category + 1) % categories;
                self.refilter();
            }
            Action::PrevCategory | Action::Left => {
                self.category = (self.category + categories - 1) % categories;
                self.refilter();
            }
            Action::Detail | Action::Select => self.detail = !self.detail,
            Action::Back => {
                if self.detail {
                    self.detail = false
                } else if !self.query.is_empty() {
                    self.query.clear();
                    self.refilter();
                }
            }
            Action::Import => {
                if let Some(refused) = import_refused(store) {
                    return Effect::Message(refused);
                }
                return Effect::OpenForm(
                    FormPurpose::ImportFile,
                    PaneForm::new(
                        "가져오기 — 먼저 미리보기(변경 없음)를 보여 줍니다",
                        vec![
                            Field::text(FieldId::File, "파일").required(),
                            Field::choice_of::<ImportTarget>(FieldId::ImportTarget, "대상"),
                            Field::choice_of::<ImportEncoding>(FieldId::Encoding, "인코딩"),
                        ],
                    ),
                );
            }
            Action::Export => {
                return Effect::OpenForm(
                    FormPurpose::ExportResources,
                    PaneForm::new(
                        "자원 목록 내보내기",
                        vec![
                            Field::text(FieldId::File, "파일")
                                .required()
                                .with_value("resources.csv"),
                        ],
                    ),
                );
            }
            Action::Refer => {
                if let Some(r) = self.selected() {
                    return Effect::ReferTo(r.resource.id.clone(), r.resource.name.clone());
                }
            }
            _ => {}
        }
        Effect::None
    }

    pub fn on_form(&mut self, purpose: FormPurpose, form: &PaneForm, store: &mut Store) -> Effect {
        if purpose == FormPurpose::ImportFile {
            let encoding = form
                .chosen::<ImportEncoding>(FieldId::Encoding)
                .unwrap_or(ImportEncoding::Auto)
                .encoding();
            return Effect::Import(ImportJob {
                path: std::path::PathBuf::from(form.value(FieldId::File).unwrap_or("").trim()),
                residents: form.chosen(FieldId::ImportTarget) == Some(ImportTarget::Residents),
                encoding,
                dry_run: true,
            });
        }
        if purpose != FormPurpose::ExportResources {
            return Effect::None;
        }
        let path = std::path::PathBuf::from(form.value(FieldId::File).unwrap_or("resources.csv"));
        match crate::resources::export::write_csv(store, &path) {
            Ok(n) => Effect::Message(format!("자원 {n}건을 {}에 저장했습니다", path.display())),
            Err(e) => Effect::Message(e.to_string()),
        }
    }

    pub fn on_click(&mut self, row: u16) -> Effect {
        // Rows: 0 query, 1 header; the list starts at row 2.
        if row >= 2 {
            self.list.click(usize::from(row - 2), self.shown.len());
        }
        Effect::None
    }

    pub fn cursor(&self, area: Rect) -> Option<Position> {
        if !self.typing || area.width <= LEFT_WIDTH + 8 {
            return None;
        }
        let right = Rect::new(area.x + LEFT_WIDTH, area.y, area.width - LEFT_WIDTH, 1);
        let x = right.x + 6 + unicode_width::UnicodeWidthStr::width(self.query.as_str()) as u16;
        Some(Position::new(
            x.min(right.right().saturating_sub(1)),
            right.y,
        ))
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, cx: &RenderCtx<'_>) {
        let t = cx.theme;
        if area.width <= LEFT_WIDTH + 8 || area.height < 3 {
            return;
        }
        match &self.import {
            ImportState::Running { job, done, total } => {
                let ratio = if *total > 0 {
                    (*done as f64 / *total as f64).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let label = format!(
                    "{} {} {:.0}%",
                    if job.dry_run {
                        "미리보기"
                    } else {
                        "가져오는 중"
                    },
                    job.path.display(),
                    ratio * 100.0
                );
                f.render_widget(
                    ratatui::widgets::Gauge::default()
                        .block(Block::new().borders(Borders::ALL).border_style(t.border))
                        .gauge_style(t.accent)
                        .ratio(ratio)
                        .label(label),
                    Rect::new(area.x, area.y, area.width, 3.min(area.height)),
                );
                return;
            }
            ImportState::Preview { report, .. } => {
                let mut lines = vec![
                    Line::styled(
                        "가져오기 미리보기 — 아직 아무것도 바뀌지 않았습니다",
                        t.title,
                    ),
                    Line::styled("Enter 가져오기 실행 · Esc 취소", t.accent),
                    Line::raw(""),
                ];
                lines.extend(
                    crate::cli::resources::report_text(report)
                        .lines()
                        .map(|l| Line::raw(l.to_string())),
                );
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
                return;
            }
            ImportState::Idle => {}
        }
        // Categories.
        let left = Rect::new(area.x, area.y, LEFT_WIDTH, area.height);
        let mut cats: Vec<Line> = Vec::new();
        for i in 0..=RESOURCE_CATEGORIES.len() {
            let name = if i == 0 {
                "전체"
            } else {
                RESOURCE_CATEGORIES[i - 1]
            };
            let count = self
                .all
                .iter()
                .filter(|r| i == 0 || r.resource.category == name)
                .count();
            let text = cell(&format!("{name} {count}"), usize::from(LEFT_WIDTH - 1));
            cats.push(Line::styled(
                text,
                if i == self.category {
                    t.selected
                } else {
                    t.base
                },
            ));
        }
        f.render_widget(
            Paragraph::new(cats).block(Block::new().borders(Borders::RIGHT).border_style(t.border)),
            left,
        );

        let right = Rect::new(
            area.x + LEFT_WIDTH + 1,
            area.y,
            area.width - LEFT_WIDTH - 1,
            area.height,
        );
        crate::tui::widgets::input_line(f, right, "검색:", &self.query, self.typing, t.accent);
        let w = usize::from(right.width);
        let name_w = w.saturating_sub(30).max(10);
        let header = format!(
            "{}{}{}{}",
            cell("자원명", name_w),
            cell("구분", 5),
            cell("전화", 14),
            cell("이용/정원", 10)
        );
        f.render_widget(
            Paragraph::new(Line::styled(header, t.dim)),
            Rect::new(right.x, right.y + 1, right.width, 1),
        );
        let detail_h = if self.detail {
            8.min(right.height.saturating_sub(4))
        } else {
            0
        };
        let list_area = below(right, 2);
        let list_area = Rect::new(
            list_area.x,
            list_area.y,
            list_area.width,
            list_area.height.saturating_sub(detail_h),
        );
        let rows = usize::from(list_area.height);
        let from = self.list.visible_from(self.shown.len(), rows);
        let mut lines = Vec::new();
        if self.shown.is_empty() {
            lines.push(Line::styled(
                if self.all.is_empty() {
                    "자원이 없습니다. 관리자는 `dolbom resources import 파일`로 자원 목록을 가져오세요."
                } else {
                    "찾는 자원이 없습니다."
                },
                t.dim,
            ));
        }
        for (row, (i, pos)) in self.shown.iter().enumerate().skip(from).take(rows) {
            let r = &self.all[*i];
            let selected = row == self.list.selected;
            let style = if selected { t.selected } else { t.base };
            // A long name is cut with … by display width; the columns after it never shift.
            let mut spans = crate::tui::panes::search::name_cell(
                &r.resource.name,
                pos,
                name_w,
                style,
                t.matched.patch(style),
            );
            let load = match r.resource.capacity {
                Some(c) => format!("{}/{}", r.load, c),
                None => r.load.to_string(),
            };
            spans.push(Span::styled(
                format!(
                    "{}{}{}",
                    cell(&r.resource.provider_type, 5),
                    cell(&r.resource.phone, 14),
                    cell(&load, 10)
                ),
                style,
            ));
            lines.push(Line::from(spans));
        }
        f.render_widget(Paragraph::new(lines), list_area);

        if detail_h > 0
            && let Some(r) = self.selected()
        {
            let d = &r.resource;
            let area = Rect::new(right.x, list_area.bottom(), right.width, detail_h);
            let capacity = d.capacity.map_or("-".to_string(), |c| c.to_string());
            let text = vec![
                Line::styled(
                    format!("{} ({} · {})", d.name, d.provider_type, d.category),
                    t.title,
                ),
                Line::raw(format!("주소 {}", d.address)),
                Line::raw(format!("전화 {} · 운영 {}", d.phone, d.hours)),
                Line::raw(format!("대상 {}", d.eligibility)),
                Line::raw(format!("정원 {capacity} · 진행 중 연계 {}", r.load)),
                Line::styled(
                    format!(
                        "출처 {} {} · 가져온 날 {}",
                        d.source,
                        d.source_key.as_deref().unwrap_or(""),
                        d.imported_at.as_deref().unwrap_or("-")
                    ),
                    t.dim,
                ),
            ];
            f.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: true })
                    .block(Block::new().borders(Borders::TOP).border_style(t.border)),
                area,
            );
        }
    }
}

/// Why the operator may not import, if they may not: staff are refused, and the refusal is
/// written to the audit log. If that row cannot be written the user is told so (the refusal
/// itself still stands).
fn import_refused(store: &Store) -> Option<String> {
    match store.require_admin("resources import (TUI)") {
        Ok(()) => None,
        Err(StoreError::Denied {
            role,
            audited: true,
            ..
        }) => Some(format!(
            "가져오기는 관리자만 할 수 있습니다 ({}: {})",
            store.operator(),
            role.label()
        )),
        Err(StoreError::Denied { role, .. }) => Some(format!(
            "가져오기는 관리자만 할 수 있습니다 ({}: {}) — 거부 기록을 감사 로그에 남기지 못했습니다",
            store.operator(),
            role.label()
        )),
        Err(e) => Some(format!("가져오기를 확인하지 못했습니다: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::OpenOptions;

    /// A staff operator on a database whose first operator (the admin) already exists.
    fn staff_store(dir: &std::path::Path) -> Store {
        let path = dir.join("t.db");
        drop(Store::open(&path, &OpenOptions::new("관리자")).unwrap_or_else(|e| panic!("{e}")));
        let store = Store::open(&path, &OpenOptions::new("직원")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.role(), crate::store::Role::Staff);
        store
    }

    fn import_message(store: &mut Store) -> String {
        let mut pane = ResourcesPane::default();
        match pane.on_action(Action::Import, 10, store) {
            Effect::Message(m) => m,
            _ => panic!("staff got the import form"),
        }
    }

    #[test]
    fn staff_import_is_refused_and_audited() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut store = staff_store(dir.path());
        let m = import_message(&mut store);
        assert!(m.contains("관리자만"), "{m}");
        assert!(!m.contains("감사 로그"), "{m}");
        let rows = store
            .audit_rows(&Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            rows.iter()
                .any(|r| r.action == crate::model::AuditAction::Denied.label()),
            "the refusal is audited"
        );
    }

    #[test]
    fn a_denial_that_cannot_be_audited_is_shown() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut store = staff_store(dir.path());
        let raw =
            rusqlite::Connection::open(dir.path().join("t.db")).unwrap_or_else(|e| panic!("{e}"));
        raw.execute_batch(
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log full'); END;",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        drop(raw);
        let m = import_message(&mut store);
        assert!(m.contains("관리자만"), "{m}");
        assert!(
            m.contains("거부 기록을 감사 로그에 남기지 못했습니다"),
            "{m}"
        );
    }
}
