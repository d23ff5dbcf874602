//! 4 오늘: follow-ups due today and overdue, guide deadlines, quiet cases, 사후관리 and waiting
//! referrals — for the operator or everyone (`m`). Charts above: cases by stage, entries per week,
//! overdue count. Enter jumps to the case.

use super::{Effect, ListState, RenderCtx, below, cell};
use crate::store::Store;
use crate::timeline::{self, Charts, DueItem, DueKind, Scope, Today};
use crate::tui::Action;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

const CHART_HEIGHT: u16 = 7;

/// A row of the list: a section title or an item (a due item, or a team item: 결재 대기,
/// 인계받음, 동의 만료 — see `panes::team`).
enum Row {
    Section(&'static str, usize),
    /// Below a list the pane shows only the first of: how many more it has (the export `x`
    /// writes them all).
    More(usize),
    Item(DueItem),
    Team(super::team::TeamItem),
}

pub struct TodayPane {
    scope: Scope,
    rows: Vec<Row>,
    charts: Option<Charts>,
    list: ListState,
    /// The rows are current (false before the first load and while a reload runs; render then
    /// shows "불러오는 중…" above the previous rows).
    loaded: bool,
    /// The scope asked for last (differs from `scope`, the one shown, while its load runs).
    want: Scope,
    /// Bumped by every load request; a result for an older one is dropped.
    generation: u64,
    /// A reload was asked for by an action; the app starts it (see [`TodayPane::take_stale`]).
    stale: bool,
    /// Rows the charts took at the last layout (0 on small screens).
    chart_rows: std::cell::Cell<u16>,
    /// Entry ids (any version of one follow-up) the next finished load selects: the item an
    /// undo brought back (see [`TodayPane::focus_entry`]).
    focus: Vec<String>,
    /// #16: the 발굴 round's progress, one line above the lists (set by the app).
    pub discovery_line: Option<String>,
    /// Distinct cases in `rows`, counted once per load: [`TodayPane::shown`] is asked after
    /// every batch of keys, and the everyone lists have thousands of rows.
    cases_shown: usize,
}

impl Default for TodayPane {
    fn default() -> Self {
        TodayPane {
            scope: Scope::Mine,
            rows: Vec::new(),
            charts: None,
            list: ListState::default(),
            loaded: false,
            want: Scope::Mine,
            generation: 0,
            stale: false,
            chart_rows: std::cell::Cell::new(CHART_HEIGHT),
            focus: Vec::new(),
            discovery_line: None,
            cases_shown: 0,
        }
    }
}

/// What a 오늘 load produces; built on the worker thread (everyone at 100k residents: see
/// `benches/timeline.rs`).
pub type TodayData = (Today, Charts, super::team::TeamToday);

/// The 오늘 lists and charts for `scope`. Reads only, so it may run on a worker's connection.
pub fn fetch(store: &Store, scope: Scope) -> Result<TodayData, timeline::TimelineError> {
    // The first items of each list and their counts: everyone's lists at a million
    // residents run to tens of thousands (issue #18).
    let today: Today = timeline::ops::today_page(store, scope, timeline::due::SHOWN_PER_SECTION)?;
    let charts = timeline::charts(store, scope, &today)?;
    let team = super::team::fetch(store, scope)?;
    Ok((today, charts, team))
}

impl TodayPane {
    /// Sets the scope the pane starts with (a 팀장 starts with everyone's cases).
    pub fn set_scope(&mut self, scope: Scope) {
        self.want = scope;
        if !self.loaded {
            self.scope = scope;
        }
    }

    /// Loads inline (tests, and apps without a job channel).
    pub fn load(&mut self, store: &Store) -> Result<(), timeline::TimelineError> {
        let (generation, scope) = self.begin_load();
        let data = fetch(store, scope)?;
        self.finish_load(generation, Ok(data));
        Ok(())
    }

    /// Starts a load: the generation and scope the caller fetches for, then hands to
    /// [`TodayPane::finish_load`]. The previous rows stay shown meanwhile.
    pub fn begin_load(&mut self) -> (u64, Scope) {
        self.generation += 1;
        self.loaded = false;
        self.stale = false;
        (self.generation, self.want)
    }

    /// A load finished. Returns the error to show; a result of a superseded request is dropped
    /// (returns None and changes nothing).
    pub fn finish_load(
        &mut self,
        generation: u64,
        result: Result<TodayData, String>,
    ) -> Option<String> {
        if generation != self.generation {
            return None;
        }
        self.loaded = true;
        let (today, charts, team) = match result {
            Ok(data) => data,
            Err(e) => return Some(e),
        };
        if self.scope != self.want {
            self.scope = self.want;
            self.list = ListState::default();
        }
        self.charts = Some(charts);
        self.rows.clear();
        for (title, items) in team.sections() {
            self.rows.push(Row::Section(title, items.len()));
            self.rows.extend(items.into_iter().map(Row::Team));
        }
        for (title, items, count) in today.into_sections() {
            let more = count.items.saturating_sub(items.len());
            self.rows
                .push(Row::Section(title, count.items.max(items.len())));
            self.rows.extend(items.into_iter().map(Row::Item));
            if more > 0 {
                self.rows.push(Row::More(more));
            }
        }
        self.cases_shown = self.count_cases();
        self.list.selected = self.list.selected.min(self.rows.len().saturating_sub(1));
        let at = self.list.selected;
        self.skip_sections(true, at);
        let focus = std::mem::take(&mut self.focus);
        if let Some(i) = self.rows.iter().position(|r| {
            matches!(r, Row::Item(DueItem { kind: DueKind::FollowUp { entry_id, .. }, .. })
                if focus.contains(entry_id))
        }) {
            self.list.selected = i;
            // On screen with its section title above it (the render keeps it visible).
            self.list.offset = i.saturating_sub(1);
        }
        None
    }

    /// After the next load, selects the follow-up whose entry is one of `ids` (the versions of
    /// one entry: its original and its current correction), e.g. the item an undo restored, so
    /// the cursor lands on it instead of staying at the old row number.
    pub fn focus_entry(&mut self, ids: Vec<String>) {
        self.focus = ids;
    }

    /// The follow-up entry selected, if the selection is a follow-up item.
    pub fn selected_entry(&self) -> Option<&str> {
        match self.rows.get(self.list.selected) {
            Some(Row::Item(DueItem {
                kind: DueKind::FollowUp { entry_id, .. },
                ..
            })) => Some(entry_id),
            _ => None,
        }
    }

    /// Whether the rows are current (no load pending).
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// Whether a load runs (asked for and not yet finished).
    pub fn is_loading(&self) -> bool {
        !self.loaded && self.generation > 0
    }

    /// What the 오늘 lists show, for the read record (issue #20): the scope and how many
    /// residents (one per case listed); `None` before the first load or when empty.
    pub fn shown(&self) -> Option<(String, usize)> {
        let scope = match self.scope {
            Scope::Mine => "scope=mine",
            Scope::All => "scope=all",
        };
        (self.loaded && self.cases_shown > 0).then(|| (scope.to_owned(), self.cases_shown))
    }

    /// Distinct cases among the rows.
    fn count_cases(&self) -> usize {
        self.rows
            .iter()
            .filter_map(|r| match r {
                Row::Item(i) => Some(i.case.case_id.as_str()),
                Row::Team(t) => Some(t.case_id()),
                Row::Section(..) | Row::More(_) => None,
            })
            .collect::<std::collections::HashSet<&str>>()
            .len()
    }

    /// The scope shown.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether an action asked for a reload since the last call (the app then starts it).
    pub fn take_stale(&mut self) -> bool {
        std::mem::take(&mut self.stale)
    }

    /// Reacts to an action. Loads are not run here: an action that needs fresh rows sets
    /// `stale` and the app runs the load (on the worker thread when it has one).
    pub fn on_action(&mut self, action: Action, page: usize, store: &mut Store) -> Effect {
        let rows = page.saturating_sub(usize::from(self.chart_rows.get()));
        let before = self.list.selected;
        if self.list.apply(action, self.rows.len(), rows) {
            self.skip_sections(self.list.selected >= before, before);
            self.list.scroll_to(self.rows.len(), rows);
            return Effect::None;
        }
        match action {
            Action::ToggleScope | Action::ToggleMine => {
                self.want = match self.want {
                    Scope::Mine => Scope::All,
                    Scope::All => Scope::Mine,
                };
                self.stale = true;
            }
            Action::Export => {
                let date = store.clock().today().format("%Y-%m-%d").to_string();
                let form = super::list_export::form("오늘 목록 엑셀로 저장", "오늘", &date);
                return Effect::OpenForm(super::FormPurpose::ExportTodayList, form);
            }
            Action::Approve | Action::ReturnApproval => {
                let Some(Row::Team(super::team::TeamItem::Approval(a))) =
                    self.rows.get(self.list.selected)
                else {
                    return Effect::Message("결재 대기 항목을 고르세요".into());
                };
                self.stale = action == Action::Approve;
                return if action == Action::Approve {
                    super::team::approve(&a.request_id, store)
                } else {
                    super::team::return_form(&a.request_id, a.stage, &a.requested_by)
                };
            }
            Action::Select => {
                if let Some(Row::Team(item)) = self.rows.get(self.list.selected) {
                    return Effect::OpenCase(item.case_id().to_string());
                }
                if let Some(Row::Item(item)) = self.rows.get(self.list.selected) {
                    return match &item.kind {
                        DueKind::FollowUp { entry_id, .. } => {
                            Effect::OpenCaseAt(item.case.case_id.clone(), entry_id.clone())
                        }
                        _ => Effect::OpenCase(item.case.case_id.clone()),
                    };
                }
            }
            Action::FollowUpDone | Action::Reschedule => {
                let Some(Row::Item(DueItem {
                    kind: DueKind::FollowUp { entry_id, .. },
                    ..
                })) = self.rows.get(self.list.selected)
                else {
                    return Effect::Message("후속 일정 항목을 고르세요".into());
                };
                let id = entry_id.clone();
                let effect = if action == Action::FollowUpDone {
                    super::timeline::TimelinePane::complete_follow_up(&id, store)
                } else {
                    super::timeline::TimelinePane::reschedule_form(&id, store)
                };
                self.stale = true;
                return effect;
            }
            _ => {}
        }
        Effect::None
    }

    /// Moves the selection off a section title, in the direction of travel (back to `before`
    /// when there is no item that way).
    fn skip_sections(&mut self, down: bool, before: usize) {
        let is_item = |i: usize| matches!(self.rows.get(i), Some(Row::Item(_) | Row::Team(_)));
        let mut i = self.list.selected;
        while !is_item(i) {
            match (down, i) {
                (true, i2) if i2 + 1 < self.rows.len() => i += 1,
                (false, i2) if i2 > 0 => i -= 1,
                _ => {
                    // Nothing that way: try the other direction, else stay.
                    i = if is_item(before) {
                        before
                    } else {
                        (0..self.rows.len()).find(|j| is_item(*j)).unwrap_or(0)
                    };
                    break;
                }
            }
        }
        self.list.selected = i;
    }

    /// `x`'s form submitted: the 오늘 lists of the current scope to XLSX.
    pub fn on_form(
        &mut self,
        purpose: super::FormPurpose,
        form: &super::fields::PaneForm,
        store: &Store,
    ) -> Effect {
        if purpose != super::FormPurpose::ExportTodayList {
            return Effect::None;
        }
        match timeline::today(store, self.scope) {
            Ok(t) => super::list_export::write(
                store,
                purpose,
                form,
                crate::paper::lists::today(&t),
                "list:today",
            ),
            Err(e) => Effect::Message(e.to_string()),
        }
    }

    /// Whether the selection is on a 결재 대기 item (y / b work there).
    pub fn selected_is_approval(&self) -> bool {
        matches!(
            self.rows.get(self.list.selected),
            Some(Row::Team(super::team::TeamItem::Approval(_)))
        )
    }

    /// Whether the selection is on an item (not a section title).
    pub fn selected_is_item(&self) -> bool {
        matches!(
            self.rows.get(self.list.selected),
            Some(Row::Item(_) | Row::Team(_))
        )
    }

    pub fn on_click(&mut self, row: u16) -> Effect {
        let charts = self.chart_rows.get();
        if row >= charts {
            let before = self.list.selected;
            if self.list.click(usize::from(row - charts), self.rows.len())
                && !self.selected_is_item()
            {
                self.list.selected = before;
            }
        }
        Effect::None
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, cx: &RenderCtx<'_>) {
        let t = cx.theme;
        if area.height < 3 || area.width < 10 {
            return;
        }
        let scope = match self.scope {
            Scope::Mine => format!("{} 님의 사례", cx.operator),
            Scope::All => "모든 사례".to_string(),
        };
        let chart_h = if area.height >= 16 { CHART_HEIGHT } else { 0 };
        self.chart_rows.set(chart_h);
        if chart_h > 0
            && let Some(c) = &self.charts
        {
            self.render_charts(
                f,
                Rect::new(area.x, area.y, area.width, chart_h),
                c,
                t,
                &scope,
            );
        }
        let list = below(area, chart_h);
        let rows = usize::from(list.height)
            - usize::from(self.discovery_line.is_some()).min(usize::from(list.height));
        let from = self.list.visible_from(self.rows.len(), rows);
        let mut lines = Vec::new();
        if !self.loaded {
            lines.push(Line::styled("불러오는 중…", t.dim));
        }
        if let Some(d) = &self.discovery_line {
            lines.push(Line::styled(d.clone(), t.accent));
        }
        for (i, row) in self.rows.iter().enumerate().skip(from).take(rows) {
            let selected = i == self.list.selected;
            lines.push(match row {
                Row::Section(title, n) => Line::styled(format!("■ {title} ({n})"), t.title),
                Row::More(n) => Line::styled(format!("  … 외 {n}건 (x: 전체를 엑셀로)"), t.dim),
                Row::Item(item) => item_line(item, selected, t, usize::from(area.width)),
                Row::Team(item) => {
                    super::team::item_line(item, selected, t, usize::from(area.width))
                }
            });
        }
        f.render_widget(Paragraph::new(lines), list);
    }

    fn render_charts(
        &self,
        f: &mut Frame<'_>,
        area: Rect,
        c: &Charts,
        t: &crate::tui::theme::Theme,
        scope: &str,
    ) {
        // Ten open stages × (4 + 1) columns + borders; the rest for the sparkline and the count.
        let stages_w = 52.min(area.width / 3 * 2);
        let stages = Rect::new(area.x, area.y, stages_w, area.height);
        let bars: Vec<Bar> = c
            .by_stage
            .iter()
            .filter(|(s, _)| s.is_open())
            .map(|(s, n)| {
                Bar::default()
                    .value(*n)
                    .label(Line::from(s.short().chars().take(2).collect::<String>()))
            })
            .collect();
        f.render_widget(
            BarChart::default()
                .block(
                    Block::new()
                        .borders(Borders::ALL)
                        .border_style(t.border)
                        .title(format!(" 단계별 사례 · {scope} ")),
                )
                .data(BarGroup::default().bars(&bars))
                .bar_width(4)
                .bar_gap(1)
                .bar_style(t.accent)
                .value_style(t.tab_active),
            stages,
        );
        let right_w = area.width.saturating_sub(stages.width);
        let spark = Rect::new(
            stages.right(),
            area.y,
            right_w.saturating_sub(right_w / 3),
            area.height,
        );
        f.render_widget(
            Sparkline::default()
                .block(
                    Block::new()
                        .borders(Borders::ALL)
                        .border_style(t.border)
                        .title(" 주간 기록 12주 "),
                )
                .data(c.entries_per_week.as_slice())
                .style(t.ok),
            spark,
        );
        let over = Rect::new(
            spark.right(),
            area.y,
            area.right().saturating_sub(spark.right()),
            area.height,
        );
        let style: Style = if c.overdue > 0 { t.danger } else { t.ok };
        f.render_widget(
            // Every list's overdue items (each shown as "N일 지남"), so the box and the
            // lists below agree.
            Paragraph::new(vec![
                Line::raw(""),
                Line::styled(format!("{}건", c.overdue), style),
                Line::styled("지남", style),
            ])
            .centered()
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(" 기한 지남 "),
            ),
            over,
        );
    }
}

fn item_line(
    item: &DueItem,
    selected: bool,
    t: &crate::tui::theme::Theme,
    width: usize,
) -> Line<'static> {
    let base = if selected { t.selected } else { t.base };
    let when = if item.days_over > 0 {
        (format!("{}일 지남", item.days_over), t.danger.patch(base))
    } else {
        ("오늘".to_string(), t.warn.patch(base))
    };
    let head = format!(
        "  {}{}{} ",
        crate::tui::panes::search::name_text(&item.case.resident_name, 9),
        crate::tui::panes::search::name_text(&item.case.worker, 8),
        cell(&item.due.format("%Y-%m-%d").to_string(), 11),
    );
    let used = unicode_width::UnicodeWidthStr::width(head.as_str()) + 10;
    Line::from(vec![
        Span::styled(head, base),
        Span::styled(cell(&when.0, 10), when.1),
        Span::styled(
            crate::tui::widgets::fit(&item.detail, 0, width.saturating_sub(used)),
            base,
        ),
    ])
}
