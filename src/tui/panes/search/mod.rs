//! 1 주민 검색: the query line, filter chips, results with matched syllables highlighted, a detail
//! panel (audited), Enter → the resident's timeline, `n` → intake with a duplicate check.

//!
//! Modules: `intake` (the 접수 form and registering a resident).

mod intake;

use super::fields::{FieldId, PaneForm};
use super::{Effect, FormPurpose, ListState, RenderCtx, below, cell, highlighted, mask_phone};
use crate::model::Stage;
use crate::search::Searcher;
use crate::search::residents::{Filters, ResidentHit, ResidentIndex, find};
use crate::store::{NewResident, ResidentDetail, Store};
use crate::tui::widgets::form::Field;
use crate::tui::{Action, Key, KeyCode};
use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Results kept for one query (the list scrolls through these).
const LIMIT: usize = 200;
const ANY: &str = "(전체)";

pub struct SearchPane {
    index: Option<ResidentIndex>,
    searcher: Searcher,
    pub query: String,
    /// The query line has focus: printable keys are typed into it.
    typing: bool,
    pub filters: Filters,
    pub hits: Vec<ResidentHit>,
    list: ListState,
    detail: Option<ResidentDetail>,
    error: Option<String>,
    /// A new resident waiting for the duplicate confirmation.
    pending_intake: Option<(NewResident, bool)>,
}

impl SearchPane {
    pub fn new() -> SearchPane {
        SearchPane {
            index: None,
            searcher: Searcher::new(),
            query: String::new(),
            typing: true,
            filters: Filters::default(),
            hits: Vec::new(),
            list: ListState::default(),
            detail: None,
            error: None,
            pending_intake: None,
        }
    }

    /// Residents in the index (0 while loading).
    pub fn index_len(&self) -> usize {
        self.index.as_ref().map_or(0, ResidentIndex::len)
    }

    /// Heap bytes of the index.
    pub fn index_bytes(&self) -> usize {
        self.index.as_ref().map_or(0, ResidentIndex::heap_bytes)
    }

    pub fn is_loading(&self) -> bool {
        self.index.is_none()
    }

    pub fn set_index(&mut self, index: ResidentIndex, store: &mut Store) {
        self.index = Some(index);
        self.searcher.invalidate();
        self.run(store);
    }

    /// Re-runs the query (after typing or a filter change).
    fn run(&mut self, store: &Store) {
        let Some(index) = &self.index else {
            return;
        };
        match find(
            store,
            index,
            &mut self.searcher,
            &self.query,
            &self.filters,
            LIMIT,
        ) {
            Ok(hits) => {
                self.hits = hits;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.list = ListState::default();
        self.detail = None;
    }

    /// Rebuilds the index from the database (after residents were added or imported).
    pub fn rebuild_index(&mut self, store: &mut Store) {
        match ResidentIndex::load(store.path()) {
            Ok(ix) => self.set_index(ix, store),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    pub fn selected(&self) -> Option<&ResidentHit> {
        self.hits.get(self.list.selected)
    }

    /// Printable keys while the query line has focus.
    pub fn on_text(&mut self, key: Key, store: &mut Store) -> Option<Effect> {
        if !self.typing {
            return None;
        }
        match key.code {
            KeyCode::Char(c) if key.text_char().is_some() => self.query.push(c),
            KeyCode::Backspace => {
                self.query.pop();
            }
            KeyCode::Esc => {
                self.typing = false;
                return Some(Effect::None);
            }
            _ => return None,
        }
        self.run(store);
        Some(Effect::None)
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        if self.list.apply(action, self.hits.len(), page) {
            self.list.scroll_to(self.hits.len(), page);
            self.detail = None;
            return Effect::None;
        }
        match action {
            Action::Export => {
                let date = store.clock().today().format("%Y-%m-%d").to_string();
                let form = super::list_export::form("검색 결과 엑셀로 저장", "검색결과", &date);
                return Effect::OpenForm(FormPurpose::ExportSearchList, form);
            }
            Action::FocusSearch => self.typing = true,
            Action::Back => {
                if self.detail.is_some() {
                    self.detail = None;
                } else {
                    self.typing = false;
                }
            }
            Action::ClearQuery => {
                self.query.clear();
                self.typing = true;
                self.run(store);
            }
            Action::Select => {
                if let Some(h) = self.selected() {
                    return Effect::OpenResident(h.summary.id.clone());
                }
            }
            Action::Detail => {
                if self.detail.is_some() {
                    self.detail = None;
                } else if let Some(h) = self.selected() {
                    match store.view_resident(&h.summary.id) {
                        Ok(d) => self.detail = Some(d),
                        Err(e) => return Effect::Message(e.to_string()),
                    }
                }
            }
            Action::ToggleMine => {
                self.filters.worker = match self.filters.worker {
                    Some(_) => None,
                    None => Some(store.operator().to_string()),
                };
                self.searcher.invalidate();
                self.run(store);
            }
            Action::ClearFilter => {
                self.filters = Filters::default();
                self.searcher.invalidate();
                self.run(store);
            }
            Action::Filter => return self.filter_form(),
            Action::NewIntake => {
                return Effect::OpenForm(
                    FormPurpose::Intake,
                    intake::intake_form(self.index.as_ref(), &self.query),
                );
            }
            _ => {}
        }
        Effect::None
    }

    fn filter_form(&self) -> Effect {
        let Some(ix) = &self.index else {
            return Effect::Message("주민 색인을 만드는 중입니다".into());
        };
        let choices = |items: &[String]| {
            let mut v: Vec<&str> = vec![ANY];
            let mut sorted: Vec<&str> = items.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            v.extend(sorted);
            v.into_iter().map(String::from).collect::<Vec<_>>()
        };
        let stages: Vec<String> = std::iter::once(ANY.to_string())
            .chain(Stage::ALL.iter().map(|s| s.label().to_string()))
            .collect();
        let field = |id: FieldId, label: &str, opts: Vec<String>, current: Option<String>| {
            let refs: Vec<&str> = opts.iter().map(String::as_str).collect();
            let f = Field::choice(id, label, &refs);
            match current {
                Some(c) if opts.contains(&c) => f.with_value(&c),
                _ => f,
            }
        };
        Effect::OpenForm(
            FormPurpose::SearchFilter,
            PaneForm::new(
                "검색 필터",
                vec![
                    field(
                        FieldId::Dong,
                        "읍면동",
                        choices(ix.dongs()),
                        self.filters.dong.clone(),
                    ),
                    field(
                        FieldId::Stage,
                        "단계",
                        stages,
                        self.filters.stage.map(|s| s.label().to_string()),
                    ),
                    field(
                        FieldId::Flag,
                        "위기·표시",
                        choices(ix.flags()),
                        self.filters.flag.clone(),
                    ),
                    field(
                        FieldId::Category,
                        "대상자 구분",
                        choices(ix.categories()),
                        self.filters.category.clone(),
                    ),
                    field(
                        FieldId::Worker,
                        "담당자",
                        choices(ix.workers()),
                        self.filters.worker.clone(),
                    ),
                ],
            ),
        )
    }

    pub fn on_form(&mut self, purpose: FormPurpose, form: &PaneForm, store: &mut Store) -> Effect {
        match purpose {
            FormPurpose::ExportSearchList => {
                let table = crate::paper::lists::search_results(&self.hits, false);
                Effect::Message(super::list_export::write(store, form, table, "list:search"))
            }
            FormPurpose::SearchFilter => {
                let get = |id: FieldId| form.value(id).filter(|v| *v != ANY).map(String::from);
                self.filters = Filters {
                    dong: get(FieldId::Dong),
                    stage: get(FieldId::Stage).and_then(|s| Stage::parse(&s)),
                    flag: get(FieldId::Flag),
                    category: get(FieldId::Category),
                    worker: get(FieldId::Worker),
                };
                self.searcher.invalidate();
                self.run(store);
                Effect::None
            }
            FormPurpose::Intake => self.submit_intake(form, store),
            _ => Effect::None,
        }
    }

    pub fn on_click(&mut self, row: u16, store: &mut Store) -> Effect {
        if row == 0 {
            self.typing = true;
        } else if row >= 3 && self.list.click(usize::from(row - 3), self.hits.len()) {
            self.detail = None;
        }
        let _ = store;
        Effect::None
    }

    pub fn cursor(&self, area: Rect) -> Option<Position> {
        if !self.typing || area.height == 0 {
            return None;
        }
        let x = area.x + 6 + unicode_width::UnicodeWidthStr::width(self.query.as_str()) as u16;
        Some(Position::new(x.min(area.right().saturating_sub(1)), area.y))
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, cx: &RenderCtx<'_>) {
        let t = cx.theme;
        if area.height < 4 {
            return;
        }
        crate::tui::widgets::input_line(f, area, "검색:", &self.query, self.typing, t.accent);
        // Chips.
        let mut chips: Vec<Span> = Vec::new();
        for c in self.filters.chips() {
            chips.push(Span::styled(format!(" {c} "), t.chip));
            chips.push(Span::raw(" "));
        }
        let status = match (&self.index, &self.error) {
            (_, Some(e)) => Span::styled(e.clone(), t.danger),
            (None, _) => Span::styled("주민 색인을 만드는 중… (불러오는 중)", t.warn),
            (Some(ix), _) => {
                Span::styled(format!("{}명 중 {}건", ix.len(), self.hits.len()), t.dim)
            }
        };
        chips.push(status);
        f.render_widget(
            Paragraph::new(Line::from(chips)),
            Rect::new(area.x, area.y + 1, area.width, 1),
        );

        let w = usize::from(area.width);
        let header = format!(
            "{}{}{}{}{}{}",
            cell("이름", 10),
            cell("나이", 7),
            cell("읍면동", 10),
            cell("연락처", 15),
            cell("단계", 10),
            "위기·표시"
        );
        f.render_widget(
            Paragraph::new(Line::styled(crate::tui::widgets::fit(&header, 0, w), t.dim)),
            Rect::new(area.x, area.y + 2, area.width, 1),
        );
        let detail_h: u16 = if self.detail.is_some() {
            8.min(area.height.saturating_sub(5))
        } else {
            0
        };
        let list = below(area, 3);
        let list = Rect::new(
            list.x,
            list.y,
            list.width,
            list.height.saturating_sub(detail_h),
        );
        let rows = usize::from(list.height);
        let from = self.list.visible_from(self.hits.len(), rows);
        let year = cx.today.year();
        let mut lines = Vec::new();
        if self.hits.is_empty() && self.index.as_ref().is_some_and(|ix| ix.is_empty()) {
            lines.extend(first_run_help(t));
        } else if self.hits.is_empty() && self.index.is_some() {
            lines.push(Line::styled(
                "찾는 주민이 없습니다. n 을 눌러 새로 접수하세요.",
                t.dim,
            ));
        }
        for (i, h) in self.hits.iter().enumerate().skip(from).take(rows) {
            let s = &h.summary;
            let style = if i == self.list.selected {
                t.selected
            } else {
                t.base
            };
            let mut spans = highlighted(&s.name, &h.positions, style, t.matched.patch(style));
            let nw = unicode_width::UnicodeWidthStr::width(s.name.as_str());
            spans.push(Span::styled(
                " ".repeat(10usize.saturating_sub(nw).max(1)),
                style,
            ));
            let age = s
                .birth_date
                .as_deref()
                .and_then(|b| b.get(..4)?.parse::<i32>().ok())
                .map(|y| (year - y).to_string())
                .unwrap_or_else(|| "-".into());
            let sex = s.sex.map_or("", |x| x.label());
            let phone = s.phone.as_deref().map(mask_phone).unwrap_or_default();
            let stage = s.stage.map_or("", |x| x.short());
            spans.push(Span::styled(
                format!(
                    "{}{}{}{}",
                    cell(&format!("{age} {sex}"), 7),
                    cell(&s.dong, 10),
                    cell(&phone, 15),
                    cell(stage, 10)
                ),
                style,
            ));
            for r in &s.risks {
                spans.push(Span::styled(r.clone(), t.danger.patch(style)));
                spans.push(Span::styled(" ", style));
            }
            for r in &s.flags {
                spans.push(Span::styled(r.clone(), t.warn.patch(style)));
                spans.push(Span::styled(" ", style));
            }
            lines.push(Line::from(spans));
        }
        f.render_widget(Paragraph::new(lines), list);
        if let (Some(d), true) = (&self.detail, detail_h > 0) {
            let r = &d.resident;
            let members: Vec<String> = d
                .household
                .iter()
                .map(|(n, b, s)| {
                    format!(
                        "{n}({}{})",
                        b.as_deref().and_then(|b| b.get(..4)).unwrap_or("?"),
                        s.map_or("", |s| s.label())
                    )
                })
                .collect();
            let cases: Vec<String> = d
                .cases
                .iter()
                .map(|(_, st, w, o)| format!("{} {w} {o}~", st.label()))
                .collect();
            let text = vec![
                Line::styled(
                    format!(
                        "{} · {} · {} · {}",
                        r.name,
                        r.birth_date.as_deref().unwrap_or("-"),
                        r.phone.as_deref().unwrap_or("연락처 없음"),
                        r.rrn_masked.as_deref().unwrap_or("")
                    ),
                    t.title,
                ),
                Line::raw(format!("주소 {} {}", r.dong, r.address)),
                Line::raw(format!(
                    "세대원 {}명: {}",
                    d.household.len(),
                    if members.is_empty() {
                        "없음 (1인 가구)".into()
                    } else {
                        members.join(", ")
                    }
                )),
                Line::raw(format!(
                    "표시 {} · 위기 {}",
                    if r.flags.is_empty() {
                        "-".into()
                    } else {
                        r.flags.join(", ")
                    },
                    if r.risks.is_empty() {
                        "-".into()
                    } else {
                        r.risks.join(", ")
                    }
                )),
                Line::raw(format!(
                    "사례 {}건: {}",
                    d.cases.len(),
                    if cases.is_empty() {
                        "-".into()
                    } else {
                        cases.join(" / ")
                    }
                )),
                Line::raw(format!(
                    "최근 연락 {} · 연계 {}건",
                    d.last_contact.as_deref().unwrap_or("-"),
                    d.referrals
                )),
            ];
            f.render_widget(
                Paragraph::new(text).wrap(Wrap { trim: true }).block(
                    Block::new()
                        .borders(Borders::TOP)
                        .border_style(t.border)
                        .title(" 상세 (조회 기록됨) "),
                ),
                Rect::new(area.x, list.bottom(), area.width, detail_h),
            );
        }
    }
}

impl Default for SearchPane {
    fn default() -> Self {
        SearchPane::new()
    }
}

/// What an empty database shows: the first steps.
fn first_run_help(t: &crate::tui::theme::Theme) -> Vec<Line<'static>> {
    vec![
        Line::styled("아직 주민이 없습니다. 처음 시작하는 방법:", t.title),
        Line::raw(""),
        Line::raw("  1. 관리대상자 명단 가져오기:  dolbom residents import 명단.csv"),
        Line::raw("  2. 자원 목록 가져오기:        dolbom resources import 자원.csv"),
        Line::raw("  3. 데모 데이터로 둘러보기:    dolbom demo"),
        Line::raw(""),
        Line::raw("  또는 n 을 눌러 한 명씩 접수하세요.  ? 도움말  : 명령 팔레트"),
    ]
}
