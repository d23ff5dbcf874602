//! 방문 계획 (issue #16 item 6): the week view — one row per 동, seven day columns (월–일), each
//! cell the day's count and the first name, masked — and a day's visit list in walking order
//! (동, then address). Opened with `w` from 오늘 (or the palette). In the week: ←/→ move the
//! day (past Sunday or Monday into the next or previous week), `[`/`]` a whole week, ↑/↓ the
//! 동, `m` mine / everyone, enter the day's list (at the selected 동's first visit). In the day list: ↑/↓, ←/→ the day before or
//! after, enter opens the case, `a` records the visit done (the 방문 entry), `p` writes a print file (HTML), `x` an XLSX file (names masked,
//! phones cut to four digits; audited as 출력), esc back to the week.
//!
//! The plan form (`v` in a case or on a 발굴 row) lives here too: 방문일 (default tomorrow),
//! 시간, 목적, checked by [`crate::timeline::visits::VisitInput`], refused with the message at
//! the field it names.

use super::fields::{FieldId, PaneForm};
use super::{Effect, FormPurpose, ListState, cell};
use crate::model::{PlannedVisit, Scope};
use crate::paper::visits::{self as list, ListFormat};
use crate::privacy::mask_name;
use crate::store::Store;
use crate::timeline::visits::{self as plans, DiscoveryPlan, VisitField, VisitInput, Week};
use crate::tui::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::fit;
use crate::tui::widgets::form::Field;
use chrono::{Duration, NaiveDate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Width of the 동 column and of each day column of the week view.
const DONG_W: usize = 12;
const DAY_W: usize = 9;

/// The week view and the day list.
pub struct VisitsScreen {
    /// Monday of the week shown.
    start: NaiveDate,
    /// The selected day (0 = Monday).
    day: usize,
    /// The selected 동 row of the week.
    row: usize,
    week: Week,
    /// The day list, when open.
    day_list: Option<Vec<PlannedVisit>>,
    list: ListState,
    scope: Scope,
    error: Option<String>,
}

impl VisitsScreen {
    /// The week holding today, loaded, today selected.
    pub fn open(store: &Store, scope: Scope) -> VisitsScreen {
        let today = store.clock().today();
        let mut s = VisitsScreen {
            start: plans::week_start(today),
            day: usize::try_from((today - plans::week_start(today)).num_days()).unwrap_or(0),
            row: 0,
            week: Week::default(),
            day_list: None,
            list: ListState::default(),
            scope,
            error: None,
        };
        s.reload(store);
        s
    }

    /// The selected day.
    pub fn selected_day(&self) -> NaiveDate {
        self.start + Duration::days(i64::try_from(self.day).unwrap_or(0))
    }

    /// The week shown.
    pub fn week(&self) -> &Week {
        &self.week
    }

    /// The day list, when open.
    pub fn day_list(&self) -> Option<&[PlannedVisit]> {
        self.day_list.as_deref()
    }

    /// The selected visit of the day list.
    pub fn selected(&self) -> Option<&PlannedVisit> {
        self.day_list.as_ref()?.get(self.list.selected)
    }

    pub fn reload(&mut self, store: &Store) {
        match plans::week(store, self.start, self.scope) {
            Ok(w) => {
                self.week = w;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.row = self.row.min(self.week.rows.len().saturating_sub(1));
        if self.day_list.is_some() {
            self.load_day(store);
        }
    }

    fn load_day(&mut self, store: &Store) {
        match plans::day(store, self.selected_day(), self.scope) {
            Ok(v) => {
                self.list.selected = self.list.selected.min(v.len().saturating_sub(1));
                self.day_list = Some(v);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Moves the selected day by `days`, into other weeks as needed.
    fn move_day(&mut self, days: i64, store: &Store) {
        let d = self.selected_day() + Duration::days(days);
        let start = plans::week_start(d);
        self.day = usize::try_from((d - start).num_days()).unwrap_or(0);
        let reload = start != self.start;
        self.start = start;
        if reload {
            self.reload(store);
        } else if self.day_list.is_some() {
            self.list = ListState::default();
            self.load_day(store);
        }
        if self.day_list.is_some() && reload {
            self.list = ListState::default();
            self.load_day(store);
        }
    }

    /// esc: from the day list back to the week (true); from the week, not handled (false).
    pub fn back(&mut self) -> bool {
        if self.day_list.is_some() {
            self.day_list = None;
            true
        } else {
            false
        }
    }

    pub fn on_action(&mut self, action: Action, page: usize, store: &Store) -> Effect {
        if let Some(items) = &self.day_list {
            let len = items.len();
            if self.list.apply(action, len, page) {
                self.list.scroll_to(len, page);
                return Effect::None;
            }
        } else {
            match action {
                Action::Up => {
                    self.row = self.row.saturating_sub(1);
                    return Effect::None;
                }
                Action::Down => {
                    self.row = (self.row + 1).min(self.week.rows.len().saturating_sub(1));
                    return Effect::None;
                }
                _ => {}
            }
        }
        match action {
            Action::Left => self.move_day(-1, store),
            Action::Right => self.move_day(1, store),
            Action::PrevWeek => self.move_day(-7, store),
            Action::NextWeek => self.move_day(7, store),
            Action::ToggleScope => {
                self.scope = match self.scope {
                    Scope::Mine => Scope::All,
                    Scope::All => Scope::Mine,
                };
                self.reload(store);
                return Effect::Message(match self.scope {
                    Scope::Mine => "내 방문만 봅니다".into(),
                    Scope::All => "모든 방문을 봅니다".into(),
                });
            }
            Action::Refresh => self.reload(store),
            Action::Select if self.day_list.is_none() => {
                self.list = ListState::default();
                self.load_day(store);
                // The list starts at the selected 동's first visit of the day.
                let dong = self.week.rows.keys().nth(self.row).cloned();
                if let (Some(dong), Some(items)) = (dong, &self.day_list)
                    && let Some(i) = items.iter().position(|v| v.dong == dong)
                {
                    self.list.selected = i;
                    self.list.scroll_to(items.len(), page);
                }
            }
            Action::Select => {
                return match self.selected() {
                    Some(v) => match v.case_id() {
                        Some(c) => Effect::OpenCase(c.to_string()),
                        None => Effect::Message(
                            "발굴 대상의 방문입니다: 발굴 대상 목록(오늘에서 g)에서 처리하세요"
                                .into(),
                        ),
                    },
                    None => Effect::Message("이 날 방문 계획이 없습니다".into()),
                };
            }
            Action::AddEntry if self.day_list.is_some() => {
                return match self.selected() {
                    Some(v) if v.done => Effect::Message("이미 완료된 방문입니다".into()),
                    Some(v) if v.case_id().is_some() => Effect::OpenForm(
                        FormPurpose::VisitDone {
                            plan_id: v.id.clone(),
                        },
                        PaneForm::new(
                            &format!("방문 기록 · {} {}", mask_name(&v.name), v.on),
                            vec![
                                Field::multiline(FieldId::Body, "내용", 5)
                                    .required()
                                    .with_help("다녀온 방문의 내용: 사례에 방문 기록으로 남고 계획은 완료"),
                            ],
                        ),
                    ),
                    Some(_) => Effect::Message(
                        "발굴 대상의 방문은 발굴 대상 목록에서 처리 결과로 남기세요 (오늘에서 g, o)"
                            .into(),
                    ),
                    None => Effect::None,
                };
            }
            Action::Print | Action::Export => {
                let format = if action == Action::Print {
                    ListFormat::Html
                } else {
                    ListFormat::Xlsx
                };
                if self.day_list.is_none() {
                    self.list = ListState::default();
                    self.load_day(store);
                }
                return Effect::OpenForm(
                    FormPurpose::ExportVisits {
                        day: self.selected_day().format("%Y-%m-%d").to_string(),
                        format: format.code().to_string(),
                    },
                    export_form(self.selected_day(), format),
                );
            }
            _ => {}
        }
        Effect::None
    }

    /// The visit-record form was saved: the 방문 entry linked to the plan (완료).
    pub fn on_done(&mut self, plan_id: &str, form: &PaneForm, store: &mut Store) -> Effect {
        let body = form.value(FieldId::Body).unwrap_or("");
        let result = plans::complete(store, plan_id, body);
        self.reload(store);
        match result {
            Ok(_) => Effect::Message("방문을 기록했습니다 (계획 완료)".into()),
            Err(e) => Effect::Message(e.to_string()),
        }
    }

    /// The export form was saved: write the day's list (audited as 출력).
    pub fn on_export(&mut self, day: &str, format: &str, form: &PaneForm, store: &Store) -> Effect {
        let path = std::path::PathBuf::from(form.value(FieldId::File).unwrap_or("").trim());
        // A refusal keeps the form open with the typed path.
        let refuse = |message: String| {
            let purpose = FormPurpose::ExportVisits {
                day: day.to_owned(),
                format: format.to_owned(),
            };
            Effect::FormError(purpose, Box::new(form.clone()), FieldId::File, message)
        };
        if path.as_os_str().is_empty() {
            return refuse("저장할 파일 이름을 입력하세요".into());
        }
        if let Some(dir) = crate::files::missing_folder(&path) {
            return refuse(format!("폴더가 없습니다: {}", dir.display()));
        }
        let Some(format) = ListFormat::parse(format) else {
            return Effect::None;
        };
        let Some(on) = plans::parse_date(day, store.clock().today()) else {
            return Effect::None;
        };
        let visits = match plans::day(store, on, self.scope) {
            Ok(v) => v,
            Err(e) => return Effect::Message(e.to_string()),
        };
        let title = format!("방문 목록 {on} ({})", plans::weekday_label(on));
        match list::write(store, &path, &visits, &title, format) {
            Ok(n) => Effect::Message(format!(
                "{}에 {n}건을 저장했습니다 ({})",
                path.display(),
                format.code()
            )),
            Err(e) => Effect::Message(format!("저장하지 못했습니다: {e}")),
        }
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        if area.height < 3 || area.width < 20 {
            return;
        }
        let width = usize::from(area.width);
        let mut lines = Vec::new();
        let scope = match self.scope {
            Scope::Mine => "내 방문",
            Scope::All => "전체",
        };
        if let Some(e) = &self.error {
            lines.push(Line::styled(fit(e, 0, width), t.danger));
        }
        match &self.day_list {
            None => self.render_week(&mut lines, area, t, width, scope),
            Some(items) => self.render_day(&mut lines, items, area, t, width, scope),
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn render_week(
        &self,
        lines: &mut Vec<Line<'static>>,
        area: Rect,
        t: &Theme,
        width: usize,
        scope: &str,
    ) {
        let end = self.start + Duration::days(6);
        let head = format!(
            "방문 계획 · {} ~ {} · {scope} · ←/→ 날짜 [/] 주 enter 그날 목록",
            self.start.format("%Y-%m-%d"),
            end.format("%m-%d")
        );
        lines.push(Line::styled(fit(&head, 0, width), t.title));
        let mut header = vec![Span::styled(cell("동", DONG_W), t.dim)];
        for i in 0..7 {
            let d = self.start + Duration::days(i);
            let label = format!("{} {}", plans::weekday_label(d), d.format("%m-%d"));
            let style = if usize::try_from(i).unwrap_or(0) == self.day {
                t.selected
            } else {
                t.dim
            };
            header.push(Span::styled(cell(&label, DAY_W), style));
        }
        lines.push(Line::from(header));
        if self.week.rows.is_empty() {
            lines.push(Line::styled(
                "이 주에는 방문 계획이 없습니다 (사례나 발굴 대상에서 v 로 계획)",
                t.dim,
            ));
        }
        let rows = usize::from(area.height).saturating_sub(lines.len() + 1);
        let skip = self.row.saturating_sub(rows.saturating_sub(1));
        for (r, (dong, days)) in self.week.rows.iter().enumerate().skip(skip).take(rows) {
            let row_style = if r == self.row { t.selected } else { t.base };
            let mut spans = vec![Span::styled(cell(dong, DONG_W), row_style)];
            for (i, visits) in days.iter().enumerate() {
                let text = match visits.first() {
                    None => "·".to_string(),
                    Some(v) => format!("{} {}", visits.len(), mask_name(&v.name)),
                };
                let style = if r == self.row && i == self.day {
                    t.accent.patch(t.selected)
                } else if visits.is_empty() {
                    t.dim
                } else {
                    t.base
                };
                spans.push(Span::styled(cell(&text, DAY_W), style));
            }
            lines.push(Line::from(spans));
        }
        let totals = self.week.totals();
        let mut spans = vec![Span::styled(cell("합계", DONG_W), t.title)];
        for n in totals {
            spans.push(Span::styled(cell(&n.to_string(), DAY_W), t.title));
        }
        lines.push(Line::from(spans));
    }

    fn render_day(
        &self,
        lines: &mut Vec<Line<'static>>,
        items: &[PlannedVisit],
        area: Rect,
        t: &Theme,
        width: usize,
        scope: &str,
    ) {
        let d = self.selected_day();
        let head = format!(
            "방문 목록 {} ({}) · {}건 · {scope} · 동·주소 순",
            d.format("%Y-%m-%d"),
            plans::weekday_label(d),
            items.len()
        );
        lines.push(Line::styled(fit(&head, 0, width), t.title));
        if items.is_empty() {
            lines.push(Line::styled("이 날 방문 계획이 없습니다", t.dim));
        }
        let rows = usize::from(area.height).saturating_sub(lines.len());
        let from = self.list.visible_from(items.len(), rows);
        for (i, v) in items.iter().enumerate().skip(from).take(rows) {
            let base = if i == self.list.selected {
                t.selected
            } else {
                t.base
            };
            let time = if v.time.is_empty() { "--:--" } else { &v.time };
            let head = format!(
                "{} {}{}{}{} ",
                cell(time, 5),
                cell(&v.dong, 9),
                cell(&list::street(&v.address), 22),
                cell(&mask_name(&v.name), 7),
                cell(&list::phone_tail(v.phone.as_deref()), 9),
            );
            let status = if v.done { "완료" } else { "예정" };
            let used = unicode_width::UnicodeWidthStr::width(head.as_str()) + 5;
            lines.push(Line::from(vec![
                Span::styled(head, base),
                Span::styled(
                    cell(status, 5),
                    if v.done { t.ok } else { t.warn }.patch(base),
                ),
                Span::styled(fit(&v.purpose, 0, width.saturating_sub(used)), base),
            ]));
        }
    }
}

/// The path form of an export: `<documents>/방문목록_<day>.<ext>`.
fn export_form(day: NaiveDate, format: ListFormat) -> PaneForm {
    let path = super::timeline::paper::export_dir().join(format!(
        "방문목록_{}.{}",
        day.format("%Y-%m-%d"),
        format.code()
    ));
    let title = match format {
        ListFormat::Html => "방문 목록 인쇄용 파일 (HTML)",
        _ => "방문 목록 엑셀 저장 (xlsx)",
    };
    PaneForm::new(
        title,
        vec![
            Field::text(FieldId::File, "파일")
                .required()
                .with_value(&path.to_string_lossy()),
        ],
    )
}

/// The plan form: 방문일 (default `default_day`), 시간, 목적.
pub fn plan_form(title: &str, default_day: NaiveDate) -> PaneForm {
    PaneForm::new(
        title,
        vec![
            Field::date(FieldId::VisitDate, "방문일")
                .required()
                .with_value(&default_day.format("%Y-%m-%d").to_string()),
            Field::text(FieldId::VisitTime, "시간").with_help("24시 기준, 예 14:30 (비워도 됨)"),
            Field::text(FieldId::Purpose, "목적")
                .required()
                .with_help("예: 안부 확인, 서비스 점검, 초기 상담"),
        ],
    )
}

/// The plan form for the open case.
pub fn plan_case_form(case_id: &str, store: &Store) -> Effect {
    let name = store
        .case_header(case_id)
        .map(|h| mask_name(&h.resident_name))
        .unwrap_or_default();
    let tomorrow = store.clock().today() + Duration::days(1);
    Effect::OpenForm(
        FormPurpose::PlanVisit {
            case_id: case_id.to_string(),
        },
        plan_form(&format!("방문 계획 · {name}"), tomorrow),
    )
}

fn field_of(f: VisitField) -> FieldId {
    match f {
        VisitField::Date => FieldId::VisitDate,
        VisitField::Time => FieldId::VisitTime,
        VisitField::Purpose => FieldId::Purpose,
    }
}

/// A submitted plan form (for a case or a 발굴 row): the plan written, or the form back with
/// the message at its field.
pub fn submit_plan(purpose: FormPurpose, form: PaneForm, store: &mut Store) -> Effect {
    let today = store.clock().today();
    let input = match VisitInput::parse(
        form.value(FieldId::VisitDate).unwrap_or(""),
        form.value(FieldId::VisitTime).unwrap_or(""),
        form.value(FieldId::Purpose).unwrap_or(""),
        today,
    ) {
        Ok(i) => i,
        Err(e) => {
            return Effect::FormError(purpose, Box::new(form), field_of(e.field), e.message);
        }
    };
    let when = format!(
        "{}{}",
        input.on.format("%Y-%m-%d"),
        if input.time.is_empty() {
            String::new()
        } else {
            format!(" {}", input.time)
        }
    );
    let result = match &purpose {
        FormPurpose::PlanVisit { case_id } => plans::plan(store, case_id, &input)
            .map(|_| format!("방문 계획을 저장했습니다: {when} (오늘에서 w 주간 보기)")),
        FormPurpose::PlanVisitDiscovery { id } => {
            plans::plan_discovery(store, id, &input).map(|p| match p {
                DiscoveryPlan::OnCase(_) => {
                    format!("방문 계획을 사례에 저장했습니다: {when}")
                }
                DiscoveryPlan::OnRow => {
                    format!("방문 계획을 발굴 대상에 저장했습니다: {when}")
                }
            })
        }
        _ => return Effect::None,
    };
    match result {
        Ok(m) => Effect::Message(m),
        Err(e) => Effect::FormError(purpose, Box::new(form), FieldId::VisitDate, e.to_string()),
    }
}
