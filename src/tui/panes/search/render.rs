//! The search pane on screen: the query line, the result table, the detail panel, and the
//! first-run help; long names cut by display width.

use super::*;

impl SearchPane {
    pub fn cursor(&self, area: Rect) -> Option<Position> {
        if !self.typing || area.height == 0 {
            return None;
        }
        let x = area.x + 6 + unicode_width::UnicodeWidthStr::width(self.query.as_str()) as u16;
        Some(Position::new(x.min(area.right().saturating_sub(1)), area.y))
    }

    /// "N건", or "N건 이상" while a one-character query on a large index is counted only as far
    /// as its first rows (the exact count comes when the list scrolls past them).
    fn total_text(&self) -> String {
        if self.ranking.is_exact() {
            format!("{}건", self.total())
        } else {
            format!("{}건 이상", self.total())
        }
    }

    pub fn render(&self, f: &mut Frame<'_>, area: Rect, cx: &RenderCtx<'_>) {
        let t = cx.theme;
        if area.height < 4 {
            return;
        }
        crate::tui::widgets::input_line(f, area, "검색:", &self.query, self.typing, t.accent);
        if self.query_selected && area.width > 7 {
            let shown = crate::tui::widgets::fit(&self.query, 0, usize::from(area.width - 7));
            f.render_widget(
                Paragraph::new(Span::styled(shown, t.selected)),
                Rect::new(area.x + 6, area.y, area.width - 7, 1),
            );
        }
        // Chips.
        let mut chips: Vec<Span> = Vec::new();
        for c in self.filters.chips() {
            chips.push(Span::styled(format!(" {c} "), t.chip));
            chips.push(Span::raw(" "));
        }
        let status = match (&self.index, &self.error) {
            (_, Some(e)) => Span::styled(e.clone(), t.danger),
            (None, _) => Span::styled("주민 색인을 만드는 중… (불러오는 중)", t.warn),
            (Some(ix), _) if self.has_more() => Span::styled(
                format!(
                    "{} 중 {}건 표시, ↓ 더 보기 (전체 {}명)",
                    self.total_text(),
                    self.hits.len(),
                    ix.len()
                ),
                t.warn,
            ),
            (Some(ix), _) => {
                Span::styled(format!("{}명 중 {}", ix.len(), self.total_text()), t.dim)
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
            lines.extend(first_run_help(
                t,
                self.key_now(&self.keys.intake),
                self.key_now(&self.keys.help),
                self.key_now(&self.keys.palette),
            ));
        } else if self.hits.is_empty() && self.index.is_some() {
            let text = match self.key_now(&self.keys.intake) {
                Some(k) => format!("찾는 주민이 없습니다. {k} 을 눌러 새로 접수하세요."),
                None => "찾는 주민이 없습니다.".to_string(),
            };
            lines.push(Line::styled(text, t.dim));
        }
        for (i, h) in self.hits.iter().enumerate().skip(from).take(rows) {
            let s = &h.summary;
            let style = if i == self.list.selected {
                t.selected
            } else {
                t.base
            };
            let mut spans = name_cell(&s.name, &h.positions, NAME_W, style, t.matched.patch(style));
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

/// What an empty database shows: the first steps.
fn first_run_help(
    t: &crate::tui::theme::Theme,
    intake: Option<&str>,
    help: Option<&str>,
    palette: Option<&str>,
) -> Vec<Line<'static>> {
    let mut last = String::from(" ");
    if let Some(k) = intake {
        last.push_str(&format!(" 또는 {k} 을 눌러 한 명씩 접수하세요."));
    }
    if let Some(k) = help {
        last.push_str(&format!("  {k} 도움말"));
    }
    if let Some(k) = palette {
        last.push_str(&format!("  {k} 명령 팔레트"));
    }
    vec![
        Line::styled("아직 주민이 없습니다. 처음 시작하는 방법:", t.title),
        Line::raw(""),
        Line::raw("  1. 관리대상자 명단 가져오기:  dolbom residents import 명단.csv"),
        Line::raw("  2. 자원 목록 가져오기:        dolbom resources import 자원.csv"),
        Line::raw("  3. 데모 데이터로 둘러보기:    dolbom demo"),
        Line::raw(""),
        Line::raw(last),
    ]
}

/// [`name_cell`] as plain text, for the other panes' lists (오늘, 사례, 자원): a long name is cut
/// with `…` by display width so the columns after it never shift.
pub(crate) fn name_text(name: &str, width: usize) -> String {
    let plain = ratatui::style::Style::default();
    name_cell(name, &[], width, plain, plain)
        .iter()
        .map(|s| s.content.as_ref())
        .collect()
}

/// A name in a column of `width` display columns (one kept blank): matched characters
/// highlighted, cut with `…` by display width when it is too long, padded with spaces.
pub(crate) fn name_cell<'a>(
    name: &str,
    positions: &[usize],
    width: usize,
    base: ratatui::style::Style,
    matched: ratatui::style::Style,
) -> Vec<Span<'a>> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let room = width.saturating_sub(1);
    let cut = name.width() > room;
    let keep = if cut { room.saturating_sub(1) } else { room };
    let mut used = 0;
    let mut kept = 0;
    for c in name.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > keep {
            break;
        }
        used += w;
        kept += 1;
    }
    let shown: String = name.chars().take(kept).collect();
    let mut spans = highlighted(&shown, positions, base, matched);
    if cut {
        spans.push(Span::styled("…", base));
        used += 1;
    }
    spans.push(Span::styled(" ".repeat(width.saturating_sub(used)), base));
    spans
}
