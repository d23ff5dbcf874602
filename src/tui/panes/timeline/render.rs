//! Drawing the timeline pane: the case list, or an open case's header, stage bar, entries grouped
//! by date and the detail/history panel. Reads state only.

use super::{Row, TimelinePane};
use crate::model::{EntryKind, Stage};
use crate::timeline::{self, Timeline};
use crate::tui::panes::{RenderCtx, below, cell};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

impl TimelinePane {
    pub fn render(&self, f: &mut Frame<'_>, area: Rect, cx: &RenderCtx<'_>) {
        match &self.open {
            Some(t) => self.render_case(f, area, cx, t),
            None => self.render_list(f, area, cx.theme),
        }
    }

    fn render_list(&self, f: &mut Frame<'_>, area: Rect, t: &Theme) {
        if area.height == 0 {
            return;
        }
        let mut title = String::from(if self.resident.is_some() {
            "이 주민의 사례"
        } else {
            "최근 활동 순"
        });
        if self.cases.len() < self.case_total {
            // #12 item 9: a cut list says so, and how to see more.
            title = format!(
                "{}건 중 {}건 표시, ↓ 더 보기",
                self.case_total,
                self.cases.len()
            );
        }
        if !self.marked.is_empty() {
            // #16: marked cases for a handover of several.
            title = format!("표시 {}건 · A 인계 · space 해제", self.marked.len());
        }
        let header = format!(
            "{}{}{}{}{}",
            cell("주민", 10),
            cell("단계", 12),
            cell("담당", 8),
            cell("기록", 6),
            "최근 연락"
        );
        let mut lines = vec![Line::from(vec![
            Span::styled(cell(&header, 48), t.dim),
            Span::styled(title, t.title),
        ])];
        let rows = usize::from(area.height.saturating_sub(1));
        let from = self.case_list.visible_from(self.cases.len(), rows);
        if self.cases.is_empty() {
            // #12: a registered resident gets a case here, not a second registration.
            let hint = if self.resident.is_some() {
                "이 주민의 사례가 없습니다. ctrl-o (또는 : 팔레트 → 사례 열기)로 사례를 여세요."
            } else {
                "사례가 없습니다. 1 주민 검색에서 ctrl-n 으로 접수하세요."
            };
            lines.push(Line::styled(hint, t.dim));
        }
        for (i, c) in self.cases.iter().enumerate().skip(from).take(rows) {
            let style = if i == self.case_list.selected {
                t.selected
            } else {
                t.base
            };
            let name = if self.marked.contains(&c.id) {
                format!("*{}", c.resident_name)
            } else {
                c.resident_name.clone()
            };
            lines.push(Line::styled(
                format!(
                    "{}{}{}{}{}",
                    crate::tui::panes::search::name_text(&name, 10),
                    cell(c.stage.short(), 12),
                    crate::tui::panes::search::name_text(&c.worker, 8),
                    cell(&c.entry_count.to_string(), 6),
                    c.last_contact.as_deref().unwrap_or("-")
                ),
                style,
            ));
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn render_case(&self, f: &mut Frame<'_>, area: Rect, cx: &RenderCtx<'_>, tl: &Timeline) {
        let t = cx.theme;
        if area.height < 4 {
            return;
        }
        let c = &tl.header.case;
        let today = cx.today;
        let header = Line::from(vec![
            Span::styled(tl.header.resident_name.clone(), t.title),
            Span::raw(header_rest(
                tl,
                today,
                usize::from(area.width).saturating_sub(tl.header.resident_name.width()),
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
        // #16 이관: where the case went (a copy left behind is read-only; writes say so).
        let info = match tl
            .items
            .iter()
            .rev()
            .find(|i| i.original.kind == EntryKind::Transfer)
        {
            Some(i) => format!(
                "이관 → {} ({}) · {info}",
                crate::timeline::transfer::pointer(&i.original).1,
                i.original.at.get(..10).unwrap_or("")
            ),
            None => info,
        };
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

/// The case header after the resident's name, fitted to `width` display columns: the full text
/// when it fits, else the least important parts go first (the 대상자 구분, then the worker), the
/// stage gets its short label (the stage bar below shows the track) and 위기도 its short form;
/// `N일째` (how long the case has been open) is kept to the last.
pub(super) fn header_rest(tl: &Timeline, today: chrono::NaiveDate, width: usize) -> String {
    let c = &tl.header.case;
    let category = if c.category.is_empty() {
        "구분 전"
    } else {
        c.category.as_str()
    };
    let days = format!("{}일째", tl.header.days_open(today));
    let crisis = match (c.crisis_score, &c.crisis_level) {
        (Some(s), Some(l)) => format!("위기도 {s} ({l})"),
        _ => "위기도 -".to_string(),
    };
    let crisis_short = match c.crisis_score {
        Some(s) => format!("위기 {s}"),
        None => "위기 -".to_string(),
    };
    let worker = format!("담당 {}", c.worker);
    let (stage, short) = (c.stage.label(), c.stage.short());
    let candidates: [Vec<&str>; 6] = [
        vec![category, &worker, stage, &crisis, &days],
        vec![category, &worker, short, &crisis, &days],
        vec![&worker, short, &crisis, &days],
        vec![short, &crisis, &days],
        vec![short, &crisis_short, &days],
        vec![short, &days],
    ];
    let text = |parts: &[&str]| parts.iter().map(|p| format!(" · {p}")).collect::<String>();
    candidates
        .iter()
        .map(|p| text(p))
        .find(|s| s.width() <= width)
        .unwrap_or_else(|| crate::tui::widgets::fit(&text(&[&days]), 0, width))
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
    } else if item.is_edited() {
        marks.push_str(" [정정됨]");
    }
    if let Some(done) = item.follow_up_done() {
        marks.push_str(&format!(" [후속 완료 {}]", done.get(5..).unwrap_or(done)));
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
