//! 2 사례: a case's header, stage bar and timeline grouped by date (newest or oldest first),
//! corrections marked 정정됨 with their history on demand, follow-ups highlighted. Keys add,
//! correct, change stage, refer (via the resource pane), filter by kind and export.
//! Without an open case it lists cases, most recently active first.

use super::{Effect, FormPurpose, ListState, below, cell};
use crate::model::{EntryKind, REFERRAL_STATUSES, Stage};
use crate::store::Store;
use crate::timeline::rules::{CLOSURE_REASONS, CRISIS_DOMAINS, StageMove, next_stages};
use crate::timeline::{self, CaseFilter, CaseRow, EntryData, NewEntry, Timeline, TimelineError};
use crate::tui::app::{App, PaneId};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::{Action, theme::Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, TimelineError>;

/// Kinds offered by the add-entry form (stage changes have their own key).
const ENTRY_KINDS: [EntryKind; 10] = [
    EntryKind::Visit,
    EntryKind::Call,
    EntryKind::OfficeVisit,
    EntryKind::InitialConsult,
    EntryKind::Assessment,
    EntryKind::Conference,
    EntryKind::Plan,
    EntryKind::Monitoring,
    EntryKind::Memo,
    EntryKind::Referral,
];

/// One row of the timeline list: a date heading or an entry (index into `items`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Date(usize),
    Entry(usize),
}

#[derive(Default)]
pub struct TimelinePane {
    /// Cases listed when no case is open (or the resident's cases).
    cases: Vec<CaseRow>,
    case_list: ListState,
    /// The resident whose cases are listed, if any.
    resident: Option<String>,
    open: Option<Timeline>,
    rows: Vec<Row>,
    list: ListState,
    newest_first: bool,
    kind_filter: Option<EntryKind>,
    show_history: bool,
    show_full: bool,
    loaded: bool,
}

impl TimelinePane {
    /// The open case, if any (the resource pane's `r` refers it).
    pub fn current_case(&self) -> Option<&str> {
        self.open.as_ref().map(|t| t.header.case.id.as_str())
    }

    pub fn load(&mut self, store: &mut Store) -> Result<()> {
        if let Some(t) = &self.open {
            let id = t.header.case.id.clone();
            self.open = Some(timeline::load(store, &id)?);
            self.relayout();
        } else {
            self.cases = store.list_cases(&CaseFilter {
                resident: self.resident.clone(),
                limit: Some(500),
                ..CaseFilter::default()
            })?;
        }
        self.loaded = true;
        Ok(())
    }

    /// Opens a resident: their only case directly, else the list of their cases.
    pub fn open_resident(&mut self, resident_id: &str, store: &mut Store) -> Result<()> {
        self.resident = Some(resident_id.to_string());
        self.open = None;
        self.cases = store.cases_of_resident(resident_id)?;
        self.case_list = ListState::default();
        self.loaded = true;
        match self.cases.as_slice() {
            [one] => {
                let id = one.id.clone();
                self.open_case(&id, store)
            }
            _ => {
                // Viewing the resident's case list is a view of the resident.
                store.audit(&crate::audit::Event {
                    action: crate::model::AuditAction::View,
                    resident_id: Some(resident_id),
                    subject: &format!("resident:{resident_id}"),
                    detail: "사례 목록",
                })?;
                Ok(())
            }
        }
    }

    /// Opens a case's timeline (audited as 조회).
    pub fn open_case(&mut self, case_id: &str, store: &mut Store) -> Result<()> {
        self.open = Some(timeline::view(store, case_id)?);
        self.list = ListState::default();
        self.show_history = false;
        self.show_full = false;
        self.relayout();
        Ok(())
    }

    /// Rebuilds the visible rows from the open timeline, order and kind filter.
    fn relayout(&mut self) {
        self.rows.clear();
        let Some(t) = &self.open else {
            return;
        };
        let mut idx: Vec<usize> = (0..t.items.len())
            .filter(|i| {
                self.kind_filter
                    .is_none_or(|k| t.items[*i].original.kind == k)
            })
            .collect();
        if self.newest_first {
            idx.reverse();
        }
        let mut last_date = "";
        for i in idx {
            let date = t.items[i].original.at.get(..10).unwrap_or("");
            if date != last_date {
                self.rows.push(Row::Date(i));
                last_date = date;
            }
            self.rows.push(Row::Entry(i));
        }
        // Keep the selection on an entry.
        if !matches!(self.rows.get(self.list.selected), Some(Row::Entry(_))) {
            self.list.selected = self
                .rows
                .iter()
                .position(|r| matches!(r, Row::Entry(_)))
                .unwrap_or(0);
        }
    }

    fn selected_item(&self) -> Option<&timeline::TimelineItem> {
        let t = self.open.as_ref()?;
        match self.rows.get(self.list.selected)? {
            Row::Entry(i) => t.items.get(*i),
            Row::Date(_) => None,
        }
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        if !self.loaded
            && let Err(e) = self.load(store)
        {
            return Effect::Message(e.to_string());
        }
        match self.open.is_some() {
            false => self.on_list_action(action, page, store),
            true => self.on_case_action(action, page, store),
        }
    }

    fn on_list_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        if self.case_list.apply(action, self.cases.len(), page) {
            self.case_list.scroll_to(self.cases.len(), page);
            return Effect::None;
        }
        match action {
            Action::Select | Action::Detail => {
                if let Some(c) = self.cases.get(self.case_list.selected) {
                    let id = c.id.clone();
                    if let Err(e) = self.open_case(&id, store) {
                        return Effect::Message(e.to_string());
                    }
                }
            }
            Action::Back if self.resident.is_some() => {
                self.resident = None;
                return reload(self, store);
            }
            Action::Back => return Effect::Switch(PaneId::Search),
            _ => {}
        }
        Effect::None
    }

    fn on_case_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        let before = self.list.selected;
        if self.list.apply(action, self.rows.len(), page) {
            // Skip date headings in the direction of travel.
            let down = self.list.selected >= before;
            while let Some(Row::Date(_)) = self.rows.get(self.list.selected) {
                match (down, self.list.selected) {
                    (true, s) if s + 1 < self.rows.len() => self.list.selected += 1,
                    (false, 0) | (true, _) => {
                        self.list.selected = before;
                        break;
                    }
                    (false, _) => self.list.selected -= 1,
                }
            }
            self.list.scroll_to(self.rows.len(), page);
            self.show_history = false;
            return Effect::None;
        }
        let Some(t) = &self.open else {
            return Effect::None;
        };
        let case_id = t.header.case.id.clone();
        match action {
            Action::Back | Action::CaseList => {
                self.open = None;
                return reload(self, store);
            }
            Action::ToggleOrder => {
                self.newest_first = !self.newest_first;
                self.relayout();
            }
            Action::FilterKind => {
                self.kind_filter = match self.kind_filter {
                    None => Some(EntryKind::ALL[0]),
                    Some(k) => {
                        let i = EntryKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
                        EntryKind::ALL.get(i + 1).copied()
                    }
                };
                self.list = ListState::default();
                self.relayout();
            }
            Action::ShowHistory => self.show_history = !self.show_history,
            Action::Detail | Action::Select => self.show_full = !self.show_full,
            Action::AddEntry => {
                return Effect::OpenForm(FormPurpose::AddEntry { case_id }, add_form());
            }
            Action::CorrectEntry => {
                let Some(item) = self.selected_item() else {
                    return Effect::Message("정정할 기록을 고르세요".into());
                };
                if item.original.kind == EntryKind::StageChange {
                    return Effect::Message("단계 변경 기록은 정정할 수 없습니다".into());
                }
                let entry_id = item.original.id.clone();
                let form = Form::new(
                    "기록 정정 (원본은 그대로 남습니다)",
                    vec![
                        Field::choice("정정 방식", &["내용 고침", "무효 처리"]),
                        Field::multiline("내용 또는 사유", 5)
                            .required()
                            .with_value(item.text()),
                        Field::date("후속 일정").with_value(item.due_on().unwrap_or("")),
                    ],
                );
                return Effect::OpenForm(FormPurpose::CorrectEntry { case_id, entry_id }, form);
            }
            Action::ChangeStage | Action::CloseCase | Action::ReopenCase => {
                let from = t.header.case.stage;
                let mut options: Vec<&str> = next_stages(from).iter().map(|s| s.label()).collect();
                for s in Stage::ALL {
                    if s != from && !options.contains(&s.label()) {
                        options.push(s.label());
                    }
                }
                if action == Action::CloseCase
                    && let Some(i) = options.iter().position(|s| *s == Stage::Closed.label())
                {
                    options.swap(0, i);
                }
                let mut reasons = vec!["(해당 없음)"];
                reasons.extend(CLOSURE_REASONS);
                let form = Form::new(
                    &format!("단계 변경 — 지금: {}", from.label()),
                    vec![
                        Field::choice("새 단계", &options),
                        Field::text("사유 (순서를 건너뛰거나 재개할 때 필수)"),
                        Field::choice("종결 사유", &reasons),
                    ],
                );
                return Effect::OpenForm(FormPurpose::ChangeStage { case_id }, form);
            }
            Action::Refer => return Effect::PickResource,
            Action::ReferralStatus => {
                let Some(r) = t.referrals.first() else {
                    return Effect::Message("이 사례에는 연계가 없습니다".into());
                };
                let labels: Vec<String> = t
                    .referrals
                    .iter()
                    .enumerate()
                    .map(|(i, r)| referral_label(i, r))
                    .collect();
                let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
                let form = Form::new(
                    "연계 상태 변경",
                    vec![
                        Field::choice("연계", &refs),
                        Field::choice("새 상태", &REFERRAL_STATUSES),
                        Field::text("메모"),
                    ],
                );
                return Effect::OpenForm(
                    FormPurpose::ReferralStatus {
                        case_id,
                        referral_id: r.referral.id.clone(),
                    },
                    form,
                );
            }
            Action::Export => {
                let form = Form::new(
                    "사례회의용 내보내기",
                    vec![
                        Field::choice("형식", &["md", "csv", "json"]),
                        Field::text("파일").required().with_value(&format!(
                            "case-{}.md",
                            case_id.get(..8).unwrap_or(&case_id)
                        )),
                        Field::choice("연락처", &["가림", "전체 표시 (감사 기록)"]),
                    ],
                );
                return Effect::OpenForm(FormPurpose::ExportCase { case_id }, form);
            }
            _ => {}
        }
        Effect::None
    }

    /// The referral form for `resource_id` on the open case.
    pub fn refer_form(&self, resource_id: &str, resource_name: &str) -> Option<Effect> {
        let case_id = self.current_case()?.to_string();
        let name = self
            .open
            .as_ref()
            .map_or("", |t| t.header.resident_name.as_str());
        let form = Form::new(
            &format!("{name} → {resource_name} 연계 의뢰"),
            vec![
                Field::multiline("의뢰 내용", 4).required(),
                Field::date("후속 확인일"),
            ],
        );
        Some(Effect::OpenForm(
            FormPurpose::Refer {
                case_id,
                resource_id: resource_id.to_string(),
            },
            form,
        ))
    }

    pub fn on_form(&mut self, purpose: FormPurpose, form: &Form, store: &mut Store) -> Effect {
        let result = submit(purpose, form, store);
        let message = match result {
            Ok(m) => m,
            Err(e) => return Effect::Message(e.to_string()),
        };
        if let Err(e) = self.load(store) {
            return Effect::Message(e.to_string());
        }
        Effect::Message(message)
    }

    pub fn on_click(&mut self, row: u16) -> Effect {
        if self.open.is_some() {
            if row >= 3 && self.list.click(usize::from(row - 3), self.rows.len()) {
                self.relayout();
            }
        } else if row >= 1 {
            self.case_list.click(usize::from(row - 1), self.cases.len());
        }
        Effect::None
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, app: &App) {
        match &self.open {
            Some(t) => self.render_case(f, area, app, t),
            None => self.render_list(f, area, &app.theme),
        }
    }

    fn render_list(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        if area.height == 0 {
            return;
        }
        let title = if self.resident.is_some() {
            "이 주민의 사례"
        } else {
            "최근 활동 순"
        };
        let header = format!(
            "{}{}{}{}{}",
            cell("주민", 10),
            cell("단계", 12),
            cell("담당", 8),
            cell("기록", 6),
            "최근 연락"
        );
        let mut lines = vec![Line::from(vec![
            Span::styled(cell(&header, 56), t.dim),
            Span::styled(title, t.title),
        ])];
        let rows = usize::from(area.height.saturating_sub(1));
        let from = self.case_list.visible_from(self.cases.len(), rows);
        if self.cases.is_empty() {
            lines.push(Line::styled(
                "사례가 없습니다. 1 주민 검색에서 n 으로 접수하세요.",
                t.dim,
            ));
        }
        for (i, c) in self.cases.iter().enumerate().skip(from).take(rows) {
            let style = if i == self.case_list.selected {
                t.selected
            } else {
                t.base
            };
            lines.push(Line::styled(
                format!(
                    "{}{}{}{}{}",
                    cell(&c.resident_name, 10),
                    cell(c.stage.short(), 12),
                    cell(&c.worker, 8),
                    cell(&c.entry_count.to_string(), 6),
                    c.last_contact.as_deref().unwrap_or("-")
                ),
                style,
            ));
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn render_case(&self, f: &mut Frame<'_>, area: Rect, app: &App, tl: &Timeline) {
        let t = &app.theme;
        if area.height < 4 {
            return;
        }
        let c = &tl.header.case;
        let today = app.store.clock().today();
        let crisis = match (c.crisis_score, &c.crisis_level) {
            (Some(s), Some(l)) => format!("위기도 {s} ({l})"),
            _ => "위기도 -".to_string(),
        };
        let header = Line::from(vec![
            Span::styled(tl.header.resident_name.clone(), t.title),
            Span::raw(format!(
                " · {} · 담당 {} · {} · {} · {}일째",
                if c.category.is_empty() {
                    "구분 전"
                } else {
                    &c.category
                },
                c.worker,
                c.stage.label(),
                crisis,
                tl.header.days_open(today)
            )),
        ]);
        f.render_widget(
            Paragraph::new(header),
            Rect::new(area.x, area.y, area.width, 1),
        );
        f.render_widget(
            Paragraph::new(stage_bar(c.stage, t)),
            Rect::new(area.x, area.y + 1, area.width, 1),
        );
        let info = format!(
            "{} · {} · 기록 {}건 · 연계 {}건{}",
            if self.newest_first {
                "최신순"
            } else {
                "오래된순"
            },
            self.kind_filter.map_or("전체", |k| k.label()),
            tl.items.len(),
            tl.referrals.len(),
            c.aftercare_on
                .as_deref()
                .map(|d| format!(" · 사후관리 {d}"))
                .unwrap_or_default()
        );
        f.render_widget(
            Paragraph::new(Line::styled(info, t.dim)),
            Rect::new(area.x, area.y + 2, area.width, 1),
        );

        let extra = self
            .selected_item()
            .filter(|_| self.show_history || self.show_full)
            .map(|item| {
                let mut lines = Vec::new();
                if self.show_history {
                    lines.push(Line::styled("정정 이력 (오래된 것부터)", t.title));
                    for e in item.history() {
                        let mark = if e.voids { " [무효]" } else { "" };
                        lines.push(Line::raw(format!(
                            "{} {}{mark}: {}",
                            e.at, e.author, e.body
                        )));
                    }
                } else {
                    lines.push(Line::styled(
                        format!(
                            "{} {} {}",
                            item.original.at,
                            item.original.kind.label(),
                            item.original.author
                        ),
                        t.title,
                    ));
                    lines.extend(item.text().lines().map(|l| Line::raw(l.to_string())));
                }
                lines
            });
        let extra_h = extra.as_ref().map_or(0, |l| {
            (l.len() as u16 + 1).min(area.height.saturating_sub(5) / 2)
        });
        let list = below(area, 3);
        let list = Rect::new(
            list.x,
            list.y,
            list.width,
            list.height.saturating_sub(extra_h),
        );
        let rows = usize::from(list.height);
        let from = self.list.visible_from(self.rows.len(), rows);
        let today_s = today.format("%Y-%m-%d").to_string();
        let mut lines = Vec::new();
        for (r, row) in self.rows.iter().enumerate().skip(from).take(rows) {
            match row {
                Row::Date(i) => {
                    let at = &tl.items[*i].original.at;
                    lines.push(Line::styled(
                        format!("── {}", at.get(..10).unwrap_or(at)),
                        t.accent,
                    ));
                }
                Row::Entry(i) => {
                    let item = &tl.items[*i];
                    let selected = r == self.list.selected;
                    lines.push(entry_line(
                        item,
                        selected,
                        &today_s,
                        usize::from(area.width),
                        t,
                    ));
                }
            }
        }
        f.render_widget(Paragraph::new(lines), list);
        if let Some(extra) = extra
            && extra_h > 0
        {
            f.render_widget(
                Paragraph::new(extra)
                    .wrap(Wrap { trim: false })
                    .block(Block::new().borders(Borders::TOP).border_style(t.border)),
                Rect::new(area.x, list.bottom(), area.width, extra_h),
            );
        }
    }
}

fn reload(pane: &mut TimelinePane, store: &mut Store) -> Effect {
    pane.case_list = ListState::default();
    match pane.load(store) {
        Ok(()) => Effect::None,
        Err(e) => Effect::Message(e.to_string()),
    }
}

/// `발굴›초기상담›…` with the current stage highlighted (short labels so it fits 80 columns).
fn stage_bar(current: Stage, t: &Theme) -> Line<'static> {
    let track: &[Stage] = if current == Stage::Linkage {
        &Stage::LINKAGE_TRACK
    } else {
        &Stage::MAIN_TRACK
    };
    let pos = track.iter().position(|s| *s == current);
    let mut spans = Vec::new();
    for (i, s) in track.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("›", t.dim));
        }
        let label = match s {
            Stage::InitialConsult => "초기",
            Stage::Conference => "회의",
            Stage::Aftercare => "사후",
            other => other.short(),
        };
        let style = match pos {
            Some(p) if p == i => t.tab_active,
            Some(p) if i < p => t.ok,
            _ => t.dim,
        };
        spans.push(Span::styled(label.to_string(), style));
    }
    Line::from(spans)
}

/// One entry: time, kind label, author, text (first line), marks.
fn entry_line(
    item: &timeline::TimelineItem,
    selected: bool,
    today: &str,
    width: usize,
    t: &Theme,
) -> Line<'static> {
    let e = item.current();
    let base = if selected { t.selected } else { t.base };
    let kind_style: Style = match item.original.kind {
        EntryKind::StageChange => t.accent,
        EntryKind::Referral => t.ok,
        EntryKind::Assessment | EntryKind::Conference | EntryKind::Plan => t.title,
        _ => t.base,
    };
    let time = item.original.at.get(11..16).unwrap_or("").to_string();
    let mut spans = vec![
        Span::styled(format!(" {time} "), base),
        Span::styled(
            cell(item.original.kind.short_label(), 6),
            kind_style.patch(base),
        ),
        Span::styled(cell(&e.author, 7), base),
    ];
    let mut marks = String::new();
    if item.is_voided() {
        marks.push_str(" [무효]");
    } else if item.is_corrected() {
        marks.push_str(" [정정됨]");
    }
    let due = item.due_on().map(|d| {
        let style = if d < today {
            t.danger
        } else if d == today {
            t.warn
        } else {
            t.dim
        };
        (format!(" ⏰{d}"), style)
    });
    let used = 1 + 6 + 6 + 7 + marks.chars().count() * 2 + due.as_ref().map_or(0, |d| d.0.len());
    let text = item.text().lines().next().unwrap_or("").to_string();
    let text_style = if item.is_voided() {
        t.dim.patch(base)
    } else {
        base
    };
    spans.push(Span::styled(
        crate::tui::widgets::fit(&text, 0, width.saturating_sub(used)),
        text_style,
    ));
    spans.push(Span::styled(marks, t.warn.patch(base)));
    if let Some((d, style)) = due {
        spans.push(Span::styled(d, style.patch(base)));
    }
    Line::from(spans)
}

/// A referral in the status form's choice list (numbered: two referrals to one resource with
/// the same status stay distinct).
fn referral_label(i: usize, r: &timeline::types::ReferralView) -> String {
    format!(
        "{}. {} ({}, {})",
        i + 1,
        r.resource_name,
        r.referral.status,
        r.referral.requested_on
    )
}

/// The add-entry form.
fn add_form() -> Form {
    let kinds: Vec<&str> = ENTRY_KINDS.iter().map(|k| k.label()).collect();
    let fields = vec![
        Field::choice("종류", &kinds),
        Field::multiline("내용", 5).required(),
        Field::date("후속 일정"),
        Field::text("참석자·목표"),
        Field::text("위기도"),
    ];
    Form::new(
        &format!(
            "기록 추가 — 회의 참석자·계획 목표는 쉼표로, 위기도는 {} 순 1-5 (예 3,2,4,1,5,3,2)",
            CRISIS_DOMAINS.join("·")
        ),
        fields,
    )
}

fn value(form: &Form, label: &str) -> String {
    form.value(label).map(str::trim).unwrap_or("").to_string()
}

fn field_value(form: &Form, prefix: &str) -> String {
    form.fields()
        .iter()
        .find(|f| f.label().starts_with(prefix))
        .map(|f| f.value().trim().to_string())
        .unwrap_or_default()
}

fn date(s: &str) -> Option<chrono::NaiveDate> {
    crate::clock::parse_date(s)
}

/// Applies a submitted timeline form; returns the status message.
fn submit(purpose: FormPurpose, form: &Form, store: &mut Store) -> Result<String> {
    match purpose {
        FormPurpose::AddEntry { case_id } => {
            let kind = EntryKind::parse(&value(form, "종류")).unwrap_or(EntryKind::Memo);
            let list: Vec<String> = crate::model::split_list(&field_value(form, "참석자"));
            let data = match kind {
                EntryKind::Assessment => {
                    let scores: Option<Vec<i64>> = field_value(form, "위기도")
                        .split(',')
                        .map(|s| s.trim().parse().ok().filter(|n| (1..=5).contains(n)))
                        .collect();
                    let scores = scores.unwrap_or_default();
                    if scores.len() != CRISIS_DOMAINS.len() {
                        return Err(TimelineError::Invalid(format!(
                            "위기도: {}개 영역 점수를 쉼표로 입력하세요 ({})",
                            CRISIS_DOMAINS.len(),
                            CRISIS_DOMAINS.join(", ")
                        )));
                    }
                    EntryData::Assessment {
                        scores: CRISIS_DOMAINS
                            .iter()
                            .map(|d| d.to_string())
                            .zip(scores)
                            .collect::<BTreeMap<_, _>>(),
                    }
                }
                EntryKind::Conference => EntryData::Conference { attendees: list },
                EntryKind::Plan => EntryData::Plan {
                    goals: list,
                    services: Vec::new(),
                },
                EntryKind::Referral => {
                    return Err(TimelineError::Invalid(
                        "연계는 r 로 자원을 골라 의뢰하세요".into(),
                    ));
                }
                _ => EntryData::Plain,
            };
            let entry = NewEntry {
                kind,
                body: value(form, "내용"),
                due_on: date(&value(form, "후속 일정")),
                data,
            };
            timeline::add_entry(store, &case_id, &entry)?;
            Ok(format!("{} 기록을 추가했습니다", kind.label()))
        }
        FormPurpose::CorrectEntry { entry_id, .. } => {
            let text = value(form, "내용 또는 사유");
            if value(form, "정정 방식") == "무효 처리" {
                timeline::void_entry(store, &entry_id, &text)?;
                Ok("기록을 무효 처리했습니다 (원본 보존)".into())
            } else {
                timeline::correct_entry(store, &entry_id, &text, date(&value(form, "후속 일정")))?;
                Ok("기록을 정정했습니다 (원본 보존)".into())
            }
        }
        FormPurpose::ChangeStage { case_id } => {
            let to = Stage::parse(&value(form, "새 단계"))
                .ok_or_else(|| TimelineError::Invalid("단계를 고르세요".into()))?;
            let reason = field_value(form, "사유");
            let closure = value(form, "종결 사유");
            let mv = StageMove {
                to,
                reason,
                closure_reason: Some(closure).filter(|c| c != "(해당 없음)"),
            };
            timeline::change_stage(store, &case_id, &mv)?;
            Ok(format!("{} 단계로 옮겼습니다", to.label()))
        }
        FormPurpose::Refer {
            case_id,
            resource_id,
        } => {
            let mut entry = NewEntry::plain(EntryKind::Referral, value(form, "의뢰 내용"));
            entry.data = EntryData::Referral { resource_id };
            entry.due_on = date(&value(form, "후속 확인일"));
            timeline::add_entry(store, &case_id, &entry)?;
            Ok("연계를 의뢰했습니다".into())
        }
        FormPurpose::ReferralStatus { case_id, .. } => {
            let tl = timeline::load(store, &case_id)?;
            let chosen = value(form, "연계");
            let referral = tl
                .referrals
                .iter()
                .enumerate()
                .find(|(i, r)| referral_label(*i, r) == chosen)
                .map(|(_, r)| r)
                .ok_or_else(|| TimelineError::Invalid("연계를 고르세요".into()))?;
            let status = value(form, "새 상태");
            timeline::set_referral_status(
                store,
                &referral.referral.id,
                &status,
                &value(form, "메모"),
            )?;
            Ok(format!("연계 상태: {status}"))
        }
        FormPurpose::ExportCase { case_id } => {
            let format = timeline::export::Format::parse(&value(form, "형식"))
                .unwrap_or(timeline::export::Format::Md);
            let path = std::path::PathBuf::from(value(form, "파일"));
            let full = value(form, "연락처") != "가림";
            timeline::export::export(store, &case_id, format, full, Some(&path))?;
            Ok(format!("{}에 저장했습니다", path.display()))
        }
        _ => Ok(String::new()),
    }
}
