//! 통계 (#15): the 월별 실적 of a month on one screen — the figures as a table and bar charts of
//! the cases open at the month's end by 단계 and by 대상자 구분, the contacts by kind, and the
//! open cases by 동, and (issue #16) each 발굴 회차 at the month's end: 처리 / 대상, 이달 처리,
//! 기한 경과 and the answers by outcome. ←/→ change the month, ↑/↓ the group (전체, then each 담당), esc closes.
//! Opened with `t` from 오늘 (F8 anywhere, or the palette). The figures are the same as
//! `dolbom report monthly` (one definition each, [`crate::paper::monthly::DEFINITIONS`]); they are
//! counts per worker and 동, no one's personal data, so viewing them is not audited (exporting
//! them is, as 출력, by the CLI).

use crate::paper::monthly::{self, Figures, MonthlyReport, SCALAR_FIGURES};
use crate::tui::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit, pad};
use chrono::{Datelike, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Direction, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

/// The 통계 screen's state.
pub struct StatsScreen {
    /// The first day of the month shown.
    month: NaiveDate,
    report: Option<MonthlyReport>,
    error: Option<String>,
    /// 0 = 전체, i > 0 = the i-th worker of `report.by_worker`.
    group: usize,
    /// Bumped by every load request; a result for an older one is dropped.
    generation: u64,
    /// A load for `month` runs (the report shown, if any, is another month's: not drawn).
    loading: bool,
}

impl StatsScreen {
    /// The screen for the month of `today`; the app then loads it ([`StatsScreen::begin_load`]).
    pub fn new(today: NaiveDate) -> StatsScreen {
        StatsScreen {
            month: today.with_day(1).unwrap_or(today),
            report: None,
            error: None,
            group: 0,
            generation: 0,
            loading: false,
        }
    }

    /// Starts a load of the month shown: the generation and month (`YYYY-MM`) the caller
    /// computes [`crate::paper::monthly::monthly`] for, then hands to
    /// [`StatsScreen::finish_load`]. At 100k residents a month took 1.5 s (release build, on a
    /// loaded 2-core machine), so the app runs it on a worker thread.
    pub fn begin_load(&mut self) -> (u64, String) {
        self.generation += 1;
        self.loading = true;
        (self.generation, self.month())
    }

    /// A load finished; a result of a superseded request is dropped.
    pub fn finish_load(&mut self, generation: u64, result: Result<MonthlyReport, String>) {
        if generation != self.generation {
            return;
        }
        self.loading = false;
        match result {
            Ok(r) => {
                self.group = self.group.min(r.by_worker.len());
                self.report = Some(r);
                self.error = None;
            }
            Err(e) => {
                self.report = None;
                self.error = Some(e);
            }
        }
    }

    /// Whether a load runs.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// `YYYY-MM` of the month shown.
    pub fn month(&self) -> String {
        self.month.format("%Y-%m").to_string()
    }

    /// The report shown, once computed.
    pub fn report(&self) -> Option<&MonthlyReport> {
        self.report.as_ref()
    }

    /// The group shown: `None` for 전체, else the worker.
    pub fn group(&self) -> Option<&str> {
        let r = self.report.as_ref()?;
        r.by_worker
            .keys()
            .nth(self.group.checked_sub(1)?)
            .map(String::as_str)
    }

    /// The figures of the group shown (none while another month loads).
    fn figures(&self) -> Option<&Figures> {
        if self.loading {
            return None;
        }
        let r = self.report.as_ref()?;
        match self.group() {
            Some(w) => r.by_worker.get(w),
            None => Some(&r.total),
        }
    }

    /// ←/→ months, ↑/↓ groups; anything else is not for this screen. Returns whether the month
    /// changed (the app then loads it).
    pub fn on_action(&mut self, action: Action) -> bool {
        match action {
            Action::Left | Action::PrevCategory => {
                if let Some(m) = self.month.pred_opt().and_then(|d| d.with_day(1)) {
                    self.month = m;
                    return true;
                }
            }
            Action::Right | Action::NextCategory => {
                let next = self
                    .month
                    .with_day(28)
                    .and_then(|d| d.checked_add_days(chrono::Days::new(4)))
                    .and_then(|d| d.with_day(1));
                if let Some(m) = next {
                    self.month = m;
                    return true;
                }
            }
            Action::Down | Action::Up => {
                let n = self.report.as_ref().map_or(0, |r| r.by_worker.len()) + 1;
                self.group = if action == Action::Down {
                    (self.group + 1) % n
                } else {
                    (self.group + n - 1) % n
                };
            }
            Action::Top => self.group = 0,
            _ => {}
        }
        false
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        if area.height < 3 || area.width < 20 {
            return;
        }
        let group = self
            .group()
            .map_or("전체".to_string(), |w| format!("담당 {w}"));
        let title = format!("통계 · 월별 실적 {} · {group}", self.month());
        let keys = "←/→ 달  ↑/↓ 담당  esc 닫기";
        let room = usize::from(area.width);
        let head = if title.width() + keys.width() + 2 <= room {
            format!("{}{keys}", pad(&title, room - keys.width()))
        } else {
            fit(&title, 0, room)
        };
        f.render_widget(
            Paragraph::new(Line::styled(head, t.title)),
            Rect::new(area.x, area.y, area.width, 1),
        );
        let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        let Some(fig) = self.figures() else {
            let msg = match &self.error {
                Some(e) if !self.loading => e.as_str(),
                _ => "계산하는 중…",
            };
            f.render_widget(Paragraph::new(Line::styled(msg.to_string(), t.warn)), body);
            return;
        };
        // The figures: three columns of `label  value`.
        let cols = 3usize;
        let col_w = usize::from(body.width) / cols;
        let table_rows = SCALAR_FIGURES.len().div_ceil(cols);
        let mut lines = Vec::new();
        for r in 0..table_rows {
            let mut line = String::new();
            for c in 0..cols {
                if let Some(code) = SCALAR_FIGURES.get(c * table_rows + r) {
                    let value = fig.get(code).to_string();
                    let label = fit(
                        monthly::label(code),
                        0,
                        col_w.saturating_sub(value.len() + 2),
                    );
                    let gap = col_w.saturating_sub(label.width() + value.len() + 2);
                    line.push_str(&format!("{label}{} {value}  ", " ".repeat(gap)));
                }
            }
            lines.push(Line::raw(line));
        }
        let table_h = u16::try_from(table_rows)
            .unwrap_or(u16::MAX)
            .min(body.height);
        f.render_widget(
            Paragraph::new(lines),
            Rect::new(body.x, body.y, body.width, table_h),
        );
        let found = self.discovery_lines(usize::from(body.width), t);
        let found_h = u16::try_from(found.len())
            .unwrap_or(u16::MAX)
            .min(body.height - table_h);
        f.render_widget(
            Paragraph::new(found),
            Rect::new(body.x, body.y + table_h, body.width, found_h),
        );
        let table_h = table_h + found_h;
        let charts = Rect::new(body.x, body.y + table_h, body.width, body.height - table_h);
        if charts.height < 5 {
            return;
        }
        // Left: 단계별 (top) and 구분별 | 접촉 (bottom); right: 동별 (horizontal bars).
        let left_w = charts.width.saturating_mul(2) / 3;
        let left = Rect::new(charts.x, charts.y, left_w, charts.height);
        let right = Rect::new(
            charts.x + left_w,
            charts.y,
            charts.width - left_w,
            charts.height,
        );
        let top_h = left.height / 2 + left.height % 2;
        let stages: Vec<(String, u64)> = crate::model::Stage::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| {
                let short = match s {
                    crate::model::Stage::InitialConsult => "초기",
                    crate::model::Stage::Conference => "회의",
                    other => other.short(),
                };
                let n = fig.by_stage.get(s.label()).copied().unwrap_or(0);
                (short.chars().take(2).collect(), n)
            })
            .collect();
        vertical_chart(
            f,
            Rect::new(left.x, left.y, left.width, top_h),
            " 월말 단계별 사례 ",
            &stages,
            t,
        );
        let bottom = Rect::new(left.x, left.y + top_h, left.width, left.height - top_h);
        // 구분 labels have three syllables (미구분, 고난도): that chart gets the wider part.
        let half = bottom.width * 4 / 7;
        let categories: Vec<(String, u64)> = fig
            .by_category
            .iter()
            .map(|(k, v)| (short_category(k), *v))
            .collect();
        vertical_chart(
            f,
            Rect::new(bottom.x, bottom.y, half, bottom.height),
            " 대상자 구분 ",
            &categories,
            t,
        );
        let contacts = vec![
            ("방문".to_string(), fig.visits),
            ("전화".to_string(), fig.calls),
            ("내방".to_string(), fig.office_visits),
            ("회의".to_string(), fig.conferences),
        ];
        vertical_chart(
            f,
            Rect::new(
                bottom.x + half,
                bottom.y,
                bottom.width - half,
                bottom.height,
            ),
            " 접촉·회의 ",
            &contacts,
            t,
        );
        let mut dongs: Vec<(String, u64)> = self
            .report
            .as_ref()
            .map(|r| {
                r.by_dong
                    .iter()
                    .map(|(d, fg)| (d.clone(), fg.open_at_end))
                    .collect()
            })
            .unwrap_or_default();
        dongs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        dongs.truncate(usize::from(right.height.saturating_sub(2)));
        // Per 동 the figures are everyone's (the report has no 담당 × 동 table).
        let title = if self.group().is_some() {
            " 동별 진행 사례 · 전체 "
        } else {
            " 동별 진행 사례 "
        };
        horizontal_chart(f, right, title, &dongs, t);
    }
}

impl StatsScreen {
    /// The 발굴 section: two lines per round (at most [`MAX_ROUNDS`], newest deadline first),
    /// then how many more the report has. Empty when the month has no round.
    fn discovery_lines(&self, width: usize, t: &Theme) -> Vec<Line<'static>> {
        let Some(r) = self.report.as_ref().filter(|_| !self.loading) else {
            return Vec::new();
        };
        let mut lines = Vec::new();
        for d in r.discovery.iter().take(MAX_ROUNDS) {
            // The rounds are the centre's, whichever 담당 the figures above show.
            let whose = if self.group().is_some() {
                "(전체) "
            } else {
                ""
            };
            let head = format!(
                "발굴 {whose}{}회차 (기한 {})  처리 {}/{} · 이달 처리 {} · 기한 경과 {}",
                d.round,
                d.deadline.get(5..).unwrap_or(&d.deadline),
                d.checked,
                d.total,
                d.checked_in_month,
                d.overdue
            );
            let style = if d.overdue > 0 { t.warn } else { t.accent };
            lines.push(Line::styled(fit(&head, 0, width), style));
            let outcomes = crate::model::Outcome::ALL
                .iter()
                .zip(d.outcomes)
                .map(|(o, n)| format!("{} {n}", o.label()))
                .collect::<Vec<_>>()
                .join("  ");
            lines.push(Line::raw(fit(&format!("  {outcomes}"), 0, width)));
        }
        if r.discovery.len() > MAX_ROUNDS {
            lines.push(Line::styled(
                fit(
                    &format!(
                        "  외 {}회차: dolbom report monthly에 모두 있습니다",
                        r.discovery.len() - MAX_ROUNDS
                    ),
                    0,
                    width,
                ),
                t.dim,
            ));
        }
        lines
    }
}

/// How many 발굴 rounds the screen shows (the report lists them all).
const MAX_ROUNDS: usize = 2;

/// 사례관리 고난도 → 고난도, 서비스연계 → 연계, 미구분 → 미구분 (two syllables fit a 4-column bar).
fn short_category(k: &str) -> String {
    let k = k.trim_start_matches("사례관리").trim();
    let k = k.strip_prefix("서비스").unwrap_or(k);
    k.chars().take(3).collect()
}

/// Bars with their values on top, labels (Hangul, two syllables) below.
fn vertical_chart(f: &mut Frame<'_>, area: Rect, title: &str, data: &[(String, u64)], t: &Theme) {
    if area.height < 3 || area.width < 6 {
        return;
    }
    let inner_w = usize::from(area.width.saturating_sub(2));
    let n = data.len().max(1);
    // Widest bars that fit: n bars and n-1 gaps of one column; at least 4 (two syllables).
    let bar_w = ((inner_w + 1) / n).saturating_sub(1).clamp(1, 6);
    let bars: Vec<Bar> = data
        .iter()
        .map(|(label, v)| {
            Bar::default()
                .value(*v)
                .text_value(compact(*v, bar_w))
                .label(Line::from(fit(label, 0, bar_w)))
        })
        .collect();
    f.render_widget(
        BarChart::default()
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .border_style(t.border)
                    .title(title.to_string()),
            )
            .data(BarGroup::default().bars(&bars))
            .bar_width(u16::try_from(bar_w).unwrap_or(1))
            .bar_gap(1)
            .bar_style(t.accent)
            .value_style(t.tab_active),
        area,
    );
}

/// `v` for a bar `width` columns wide: as is when it fits, else rounded down to 만 (ten
/// thousands) or 천 (the exact figure is in the table above the charts).
pub fn compact(v: u64, width: usize) -> String {
    let plain = v.to_string();
    if plain.len() <= width {
        plain
    } else if v >= 10_000 {
        format!("{}만", v / 10_000)
    } else {
        format!("{}천", v / 1_000)
    }
}

/// One bar per row, the label (a 동's name) on the left.
fn horizontal_chart(f: &mut Frame<'_>, area: Rect, title: &str, data: &[(String, u64)], t: &Theme) {
    if area.height < 3 || area.width < 8 {
        return;
    }
    let bars: Vec<Bar> = data
        .iter()
        .map(|(label, v)| {
            // The count in the label column (right-aligned), so it never covers the bar.
            Bar::default()
                .value(*v)
                .label(Line::from(format!(
                    "{}{:>6}",
                    pad(label, 8),
                    compact(*v, 6)
                )))
                .text_value(String::new())
        })
        .collect();
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(title.to_string());
    if data.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled("자료 없음", t.dim)).block(block),
            area,
        );
        return;
    }
    f.render_widget(
        BarChart::default()
            .block(block)
            .direction(Direction::Horizontal)
            .data(BarGroup::default().bars(&bars))
            .bar_width(1)
            .bar_gap(0)
            .bar_style(t.ok)
            .value_style(t.tab_active),
        area,
    );
}
