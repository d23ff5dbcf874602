//! Laying a form out and drawing it. Pure: the layout is a function of the form's state and the
//! area it is given; drawing writes to the buffer only, never to the form.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::Form;
use super::field::{Field, FieldKey, FieldKind};
use crate::tui::widgets::{draw_line, fit};

/// Where one field lands on screen.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    pub(super) field: usize,
    label: Rect,
    pub(super) value: Rect,
    error: Option<Rect>,
    help: Option<Rect>,
}

pub(super) struct FormLayout {
    pub(super) slots: Vec<Slot>,
    footer: Option<Rect>,
}

impl<K: FieldKey> Form<K> {
    fn label_width(&self, inner: Rect) -> u16 {
        let widest = self
            .fields
            .iter()
            .map(|f| f.label.width() + usize::from(f.required) + 1)
            .max()
            .unwrap_or(0);
        let widest = u16::try_from(widest).unwrap_or(u16::MAX);
        widest.min(inner.width / 3)
    }

    fn inner(area: Rect) -> Rect {
        Block::default().borders(Borders::ALL).inner(area)
    }

    /// Lays the fields out in `area` (the widget's whole area), scrolled so the focus is visible.
    pub(super) fn layout(&self, area: Rect) -> FormLayout {
        let inner = Self::inner(area);
        let footer_h = u16::from(inner.height >= 3);
        let body_h = inner.height.saturating_sub(footer_h);
        let label_w = self.label_width(inner);
        // Virtual rows of each field: (first row, rows incl. error line).
        let mut rows = Vec::with_capacity(self.fields.len());
        let mut y: u32 = 0;
        for f in &self.fields {
            let h =
                u32::from(f.height()) + u32::from(f.error.is_some()) + u32::from(f.help.is_some());
            rows.push((y, h));
            y += h;
        }
        let scroll = match rows.get(self.focus) {
            Some((top, h)) if top + h > u32::from(body_h) => {
                (top + h).saturating_sub(u32::from(body_h))
            }
            _ => 0,
        };
        let mut slots = Vec::new();
        for (i, (top, _)) in rows.iter().enumerate() {
            let f = &self.fields[i];
            let Some(vy) = top.checked_sub(scroll) else {
                continue;
            };
            if vy >= u32::from(body_h) {
                break;
            }
            let y = inner
                .y
                .saturating_add(u16::try_from(vy).unwrap_or(u16::MAX));
            let avail = body_h.saturating_sub(u16::try_from(vy).unwrap_or(u16::MAX));
            let h = f.height().min(avail);
            let value_x = inner.x.saturating_add(label_w);
            let value_w = inner.width.saturating_sub(label_w);
            let error =
                (f.error.is_some() && avail > h).then(|| Rect::new(value_x, y + h, value_w, 1));
            let below = h + u16::from(error.is_some());
            let help_h = help_rows(f, value_w).min(avail.saturating_sub(below));
            let help = (help_h > 0).then(|| Rect::new(value_x, y + below, value_w, help_h));
            let slot = Slot {
                field: i,
                label: Rect::new(inner.x, y, label_w, 1),
                value: Rect::new(value_x, y, value_w, h),
                error,
                help,
            };
            slots.push(slot);
        }
        let footer = (footer_h > 0).then(|| Rect::new(inner.x, inner.y + body_h, inner.width, 1));
        FormLayout { slots, footer }
    }

    /// Where the terminal cursor belongs when the form is drawn in `area`, if the focused field is
    /// a visible text field and no question is shown.
    pub fn cursor_position(&self, area: Rect) -> Option<Position> {
        if self.confirm_discard {
            return None;
        }
        let f = self.fields.get(self.focus).filter(|f| f.is_text())?;
        let slot = self
            .layout(area)
            .slots
            .into_iter()
            .find(|s| s.field == self.focus)?;
        let (row, col) = visible_cursor(f, slot.value);
        (slot.value.width > 0 && row < slot.value.height && col < slot.value.width)
            .then(|| Position::new(slot.value.x + col, slot.value.y + row))
    }
}

/// First visible line and the horizontal scroll (in columns) of the cursor line, so the cursor
/// stays inside `value`.
fn scroll_of<K: FieldKey>(f: &Field<K>, value: Rect) -> (usize, usize) {
    let wrap = f.wrap_at(Some(value.width));
    let line = f.cursor_line(wrap);
    let first = line.saturating_sub(usize::from(value.height.saturating_sub(1)));
    let col = f.cursor_column(wrap);
    let hscroll = col.saturating_sub(usize::from(value.width.saturating_sub(1)));
    (first, hscroll)
}

/// Cursor (row, column) inside the value rectangle, after scrolling.
fn visible_cursor<K: FieldKey>(f: &Field<K>, value: Rect) -> (u16, u16) {
    let wrap = f.wrap_at(Some(value.width));
    let (first, _) = scroll_of(f, value);
    let line = f.cursor_line(wrap) - first;
    let skip = skipped_width(f, value);
    let col = f.cursor_column(wrap).saturating_sub(skip);
    (
        u16::try_from(line).unwrap_or(u16::MAX),
        u16::try_from(col).unwrap_or(u16::MAX),
    )
}

/// Width actually skipped on the cursor line (whole graphemes only).
fn skipped_width<K: FieldKey>(f: &Field<K>, value: Rect) -> usize {
    let (_, hscroll) = scroll_of(f, value);
    let shown = f.shown();
    let line = if f.kind == FieldKind::Secret {
        &shown
    } else {
        &f.text[f.line_start()..f.line_end()]
    };
    let mut skipped = 0;
    for g in line.graphemes(true) {
        if skipped >= hscroll {
            break;
        }
        skipped += g.width();
    }
    skipped
}

impl<K: FieldKey> Widget for &Form<K> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        Clear.render(area, buf);
        Block::default()
            .borders(Borders::ALL)
            .title(self.title.as_str())
            .render(area, buf);
        let layout = self.layout(area);
        for slot in &layout.slots {
            self.render_field(slot, buf);
        }
        if let Some(footer) = layout.footer {
            let line = if self.confirm_discard {
                Line::from(Span::styled(
                    "변경 내용을 버릴까요? Enter/y 버리기 · Esc/n 계속 입력",
                    Style::default()
                        .fg(Color::Yellow)
                        .add_modifier(Modifier::BOLD),
                ))
            } else {
                Line::from(Span::styled(
                    self.hints.as_str(),
                    Style::default().add_modifier(Modifier::DIM),
                ))
            };
            draw_line(buf, footer, 0, &line);
        }
    }
}

impl<K: FieldKey> Form<K> {
    fn render_field(&self, slot: &Slot, buf: &mut Buffer) {
        let f = &self.fields[slot.field];
        let focused = slot.field == self.focus;
        let mut label_style = Style::default();
        if focused {
            label_style = label_style.add_modifier(Modifier::BOLD | Modifier::REVERSED);
        }
        let label = format!("{}{}", f.label, if f.required { "*" } else { "" });
        let label = fit(&label, 0, usize::from(slot.label.width.saturating_sub(1)));
        draw_line(
            buf,
            slot.label,
            0,
            &Line::from(Span::styled(label, label_style)),
        );
        let value_style = if focused {
            Style::default().add_modifier(Modifier::UNDERLINED)
        } else {
            Style::default()
        };
        let width = usize::from(slot.value.width);
        match &f.kind {
            FieldKind::Choice(opts) => {
                let text = if opts.is_empty() {
                    "-".to_string()
                } else {
                    format!("< {} >  ({}/{})", f.value(), f.choice + 1, opts.len())
                };
                let text = fit(&text, 0, width);
                let mut spans = vec![Span::styled(text, value_style)];
                // The focused choice says how to choose, when the whole hint fits.
                let hint = format!("  {}", super::typeahead::CHOICE_HINT);
                let used = spans[0].content.width();
                if focused && !opts.is_empty() && used + hint.width() <= width {
                    spans.push(Span::styled(
                        hint,
                        Style::default().add_modifier(Modifier::DIM),
                    ));
                }
                draw_line(buf, slot.value, 0, &Line::from(spans));
            }
            _ => {
                let wrap = f.wrap_at(Some(slot.value.width));
                let (first, _) = scroll_of(f, slot.value);
                let cursor_line = f.cursor_line(wrap);
                let shown = f.shown();
                let lines: Vec<&str> = if f.is_multiline() {
                    f.rows(wrap).iter().map(|&(a, b)| &f.text[a..b]).collect()
                } else {
                    shown.split('\n').collect()
                };
                for (row, line) in lines.into_iter().skip(first).enumerate() {
                    let Ok(row16) = u16::try_from(row) else { break };
                    if row16 >= slot.value.height {
                        break;
                    }
                    let skip = if first + row == cursor_line && focused {
                        skipped_width(f, slot.value)
                    } else {
                        0
                    };
                    let text = fit(line, skip, width);
                    draw_line(
                        buf,
                        slot.value,
                        row16,
                        &Line::from(Span::styled(text, value_style)),
                    );
                }
            }
        }
        if let (Some(r), Some(h)) = (slot.help, f.help.as_deref()) {
            let style = Style::default().add_modifier(Modifier::DIM);
            for (row, line) in wrap_words(h, usize::from(r.width)).iter().enumerate() {
                let Ok(row) = u16::try_from(row) else { break };
                if row >= r.height {
                    break;
                }
                draw_line(buf, r, row, &Line::from(Span::styled(line.clone(), style)));
            }
        }
        if let (Some(r), Some(e)) = (slot.error, f.error.as_deref()) {
            let text = super::super::korean_fit(e, usize::from(r.width));
            let style = Style::default().fg(Color::Red);
            draw_line(buf, r, 0, &Line::from(Span::styled(text, style)));
        }
    }
}

/// Rows the help line of `f` takes when wrapped at `width` (0 without help).
fn help_rows<K: FieldKey>(f: &Field<K>, width: u16) -> u16 {
    f.help.as_deref().map_or(0, |h| {
        u16::try_from(wrap_words(h, usize::from(width)).len()).unwrap_or(u16::MAX)
    })
}

/// Splits `text` into lines of at most `width` columns, at spaces where possible (a word wider
/// than the line is cut at a character).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!line.is_empty());
        if line.width() + sep + word.width() <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if line.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use crate::tui::widgets::fit;

    #[test]
    fn help_wraps_at_spaces() {
        let lines = super::wrap_words("조사만: 1-5 점수 7개, 쉼표로 나눔", 12);
        assert!(
            lines
                .iter()
                .all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= 12)
        );
        assert_eq!(
            lines.concat().replace(' ', ""),
            "조사만:1-5점수7개,쉼표로나눔"
        );
    }

    #[test]
    fn fit_never_splits_wide_chars() {
        assert_eq!(fit("김민수", 0, 5), "김민");
        assert_eq!(fit("김민수", 2, 4), "민수");
        assert_eq!(fit("김민수", 0, 1), "");
    }
}
