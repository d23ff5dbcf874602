//! The help overlay (`?`): every binding of the current context and of `global`, generated from the
//! active keymap with its Korean descriptions, scrollable.
//!
//! Open it with [`Help::new`] when the key is pressed; while it is open, resolve keys in
//! [`Context::Help`] and pass the action to [`Help::apply`] (page = visible rows, e.g. the terminal
//! height minus 4).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

use crate::tui::action::Action;
use crate::tui::keymap::{Context, Keymap, Resolution};

use super::{centered, draw_line, fit, pad};

/// One line of the help text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// A section title (the context's Korean name).
    Section(String),
    /// A binding: key text and description.
    Binding {
        /// Key sequence as written in keymaps (`ctrl-p`, `g g`).
        keys: String,
        /// Korean description.
        desc: String,
    },
    /// An empty separator line.
    Blank,
}

/// What the overlay did with an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpOutcome {
    /// Scrolled (or nothing to do); keep it open.
    Consumed,
    /// Close the overlay.
    Close,
    /// Not a help action; the app may run it (e.g. `quit`) or ignore it.
    Unhandled(Action),
}

/// The help overlay's state: its lines and scroll offset. Render with `&Help` as a widget.
#[derive(Debug, Clone)]
pub struct Help {
    title: String,
    lines: Vec<HelpLine>,
    scroll: usize,
}

impl Help {
    /// Builds the help for `ctx`: its bindings, then global bindings it does not shadow.
    pub fn new(keymap: &Keymap, ctx: Context) -> Help {
        Help::for_state(keymap, ctx, false)
    }

    /// The help for `ctx` in the state the screen is in: while a query line has focus (`typing`)
    /// printable keys are typed text, so only keys that work now are listed, under a line that
    /// says so.
    pub fn for_state(keymap: &Keymap, ctx: Context, typing: bool) -> Help {
        let mut lines = Vec::new();
        if typing {
            let back = keymap
                .hint_when(ctx, Action::Back, true)
                .unwrap_or_else(|| "esc".to_string());
            lines.push(HelpLine::Section(format!(
                "검색어 입력 중: 글자는 검색어로 들어갑니다 ({back}: 목록으로, 글자 키 사용)"
            )));
        }
        let usable = |keys: &[crate::tui::Key]| {
            !typing || keys.first().is_some_and(|k| k.text_char().is_none())
        };
        let mut push_section = |c: Context, filter: &dyn Fn(&[crate::tui::Key]) -> bool| {
            let rows: Vec<HelpLine> = keymap
                .bindings(c)
                .iter()
                .filter(|b| usable(b.keys.keys()) && filter(b.keys.keys()))
                .map(|b| HelpLine::Binding {
                    keys: b.keys.to_string(),
                    desc: b.description().to_string(),
                })
                .collect();
            if !rows.is_empty() {
                if !lines.is_empty() {
                    lines.push(HelpLine::Blank);
                }
                lines.push(HelpLine::Section(c.label_ko().to_string()));
                lines.extend(rows);
            }
        };
        push_section(ctx, &|_| true);
        if ctx != Context::Global {
            // A global key is listed only if it still reaches the global binding in this context.
            push_section(Context::Global, &|keys| {
                matches!(keymap.lookup(ctx, keys), Resolution::Matched(a)
                    if keymap.lookup(Context::Global, keys) == Resolution::Matched(a))
            });
        }
        let close = keymap
            .hint(Context::Help, Action::Back)
            .unwrap_or_else(|| "esc".to_string());
        Help {
            title: format!(" 도움말 — {} ({close} 닫기) ", ctx.label_ko()),
            lines,
            scroll: 0,
        }
    }

    /// The lines shown (for tests and the status bar).
    pub fn lines(&self) -> &[HelpLine] {
        &self.lines
    }

    /// First visible line.
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Applies a key's action; `page` is the number of visible rows.
    pub fn apply(&mut self, action: Action, page: usize) -> HelpOutcome {
        let page = page.max(1);
        let max = self.lines.len().saturating_sub(page);
        let s = self.scroll;
        self.scroll = match action {
            Action::Up => s.saturating_sub(1),
            Action::Down => s + 1,
            Action::PageUp => s.saturating_sub(page),
            Action::PageDown => s + page,
            Action::HalfPageUp => s.saturating_sub(page / 2),
            Action::HalfPageDown => s + page / 2,
            Action::Top => 0,
            Action::Bottom => max,
            Action::Back | Action::Help | Action::Cancel => return HelpOutcome::Close,
            other => return HelpOutcome::Unhandled(other),
        }
        .min(max);
        HelpOutcome::Consumed
    }

    fn popup(area: Rect) -> Rect {
        centered(
            area,
            72.min(area.width),
            area.height.saturating_sub(2).max(area.height.min(3)),
        )
    }
}

impl Widget for &Help {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = Help::popup(area.intersection(buf.area));
        if area.is_empty() {
            return;
        }
        Clear.render(area, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(self.title.as_str());
        let inner = block.inner(area);
        block.render(area, buf);
        let rows = usize::from(inner.height);
        let scroll = self.scroll.min(self.lines.len().saturating_sub(rows));
        let key_w = self
            .lines
            .iter()
            .filter_map(|l| match l {
                HelpLine::Binding { keys, .. } => Some(keys.width()),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            .min(usize::from(inner.width) / 3);
        let width = usize::from(inner.width);
        for (row, line) in self.lines.iter().skip(scroll).take(rows).enumerate() {
            let Ok(row) = u16::try_from(row) else { break };
            let l = match line {
                HelpLine::Section(t) => Line::from(Span::styled(
                    fit(&format!("■ {t}"), 0, width),
                    Style::default().add_modifier(Modifier::BOLD),
                )),
                HelpLine::Binding { keys, desc } => {
                    let k = pad(&format!(" {keys}"), key_w + 1);
                    let rest = width.saturating_sub(key_w + 3);
                    Line::from(vec![
                        Span::styled(
                            fit(&k, 0, width),
                            Style::default().add_modifier(Modifier::BOLD),
                        ),
                        Span::raw(fit("  ", 0, width.saturating_sub(key_w + 1))),
                        Span::raw(fit(desc, 0, rest)),
                    ])
                }
                HelpLine::Blank => Line::default(),
            };
            draw_line(buf, inner, row, &l);
        }
        if self.lines.len() > rows && inner.width >= 8 && area.height >= 2 {
            let mark = format!(
                " {}/{} ",
                (scroll + rows).min(self.lines.len()),
                self.lines.len()
            );
            let w = u16::try_from(mark.width())
                .unwrap_or(u16::MAX)
                .min(inner.width);
            let r = Rect::new(inner.right() - w, area.bottom() - 1, w, 1);
            draw_line(buf, r, 0, &Line::from(fit(&mark, 0, usize::from(w))));
        }
    }
}
