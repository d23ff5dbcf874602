//! Reusable widgets: the form, the help overlay and the command palette.
//!
//! Every widget renders without panicking at any size (down to 1×1): all drawing is clipped to
//! the given area and the buffer.

pub mod form;
pub mod help;
pub mod palette;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::widgets::Widget;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The part of `text` after `skip` display columns that fits in `width` columns, never splitting a
/// grapheme (a wide character that would not fit is left out). Control characters and bidi
/// overrides in stored text are dropped here, so they neither reach the terminal nor shift
/// the columns (ratatui drops controls too, but only after the padding was counted).
pub(crate) fn fit(text: &str, skip: usize, width: usize) -> String {
    let mut out = String::new();
    let (mut pos, mut used) = (0, 0);
    for g in text.graphemes(true) {
        if g.chars().any(crate::privacy::is_terminal_unsafe) {
            continue;
        }
        let w = g.width();
        if pos < skip {
            pos += w;
            continue;
        }
        if used + w > width {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out
}

/// A message for the worker in at most `width` columns, Korean first: when it does not fit, the
/// English glosses in parentheses (`… (out-of-order move needs a reason)`, the house style of
/// error texts) are dropped first, from the end; what still does not fit is cut at a character
/// and ends in `…`. So the visible message never ends mid-English.
pub fn korean_fit(text: &str, width: usize) -> String {
    let mut s = text.trim_end().to_string();
    while s.width() > width {
        match english_gloss(&s) {
            Some(at) => s = format!("{}{}", s[..at.0].trim_end(), &s[at.1..]),
            None => break,
        }
    }
    if s.width() <= width {
        return s;
    }
    let mut cut = fit(&s, 0, width.saturating_sub(1));
    cut.push('…');
    cut
}

/// The byte range of the last ` (…)` group whose text has Latin letters and no Hangul.
fn english_gloss(s: &str) -> Option<(usize, usize)> {
    let mut end = s.len();
    while let Some(close) = s[..end].rfind(')') {
        let open = s[..close].rfind('(')?;
        let inner = &s[open + 1..close];
        let hangul = inner.chars().any(|c| {
            ('\u{AC00}'..='\u{D7A3}').contains(&c) || ('\u{3131}'..='\u{318E}').contains(&c)
        });
        if !hangul && inner.chars().any(|c| c.is_ascii_alphabetic()) {
            return Some((open, close + 1));
        }
        end = open;
    }
    None
}

/// Pads (or cuts) `text` to exactly `width` display columns.
pub(crate) fn pad(text: &str, width: usize) -> String {
    let mut s = fit(text, 0, width);
    let w = s.width();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    s
}

/// Draws `line` on row `row` of `area`, clipped to the area and the buffer.
pub(crate) fn draw_line(buf: &mut Buffer, area: Rect, row: u16, line: &Line<'_>) {
    if row < area.height && area.width > 0 {
        let r = Rect::new(area.x, area.y.saturating_add(row), area.width, 1).intersection(buf.area);
        if !r.is_empty() {
            line.clone().render(r, buf);
        }
    }
}

/// A `width`×`height` rectangle centred in `area` (shrunk to fit).
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// A one-line text input drawn as `label: text▏`, returning where the cursor goes.
pub fn input_line(
    f: &mut Frame<'_>,
    area: Rect,
    label: &str,
    text: &str,
    focused: bool,
    style: Style,
) -> Option<Position> {
    if area.height == 0 || area.width == 0 {
        return None;
    }
    let label = format!("{label} ");
    let lw = label.width();
    let room = usize::from(area.width).saturating_sub(lw + 1);
    let tw = text.width();
    let shown = if tw > room {
        fit(text, tw - room, room)
    } else {
        text.to_string()
    };
    let line = Line::from(vec![Span::styled(label, style), Span::raw(shown.clone())]);
    f.render_widget(
        Paragraph::new(line),
        Rect::new(area.x, area.y, area.width, 1),
    );
    focused.then(|| {
        let x = area.x + (lw + shown.width()).min(usize::from(area.width.saturating_sub(1))) as u16;
        Position::new(x, area.y)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_drop_control_characters_and_bidi_overrides_before_padding() {
        let name = "김\u{1b}[31m민수\r\n\u{202E}\u{9b}";
        assert_eq!(fit(name, 0, 20), "김[31m민수");
        assert_eq!(pad(name, 12), "김[31m민수  ");
        assert_eq!(pad(name, 12).width(), 12);
    }
}
