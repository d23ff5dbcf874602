//! The command palette (`:` / `ctrl-p`): fuzzy search over every bindable action by its Korean and
//! English names and its kebab-case name, showing the keys that run it in the current context.
//! Enter returns the chosen action; this is how a newcomer discovers shortcuts.
//!
//! Routing is as for forms: while open, every key goes to [`Palette::handle_key`] first; printable
//! keys edit the query, others are resolved in the `palette` context.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

use crate::tui::action::Action;
use crate::tui::key::{Key, KeyCode};
use crate::tui::keymap::{Context, Keymap};

use super::{centered, draw_line, fit, pad};

/// One action the palette can offer, with its key text for the context it was opened from.
#[derive(Debug, Clone)]
struct Item {
    action: Action,
    keys: String,
}

/// What the palette did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaletteOutcome {
    /// Used (query or selection changed); keep it open.
    Consumed,
    /// Not used.
    Ignored,
    /// Close the palette and run this action.
    Run(Action),
    /// Close the palette without running anything.
    Close,
}

/// The palette's state. Render with `&Palette` as a widget.
#[derive(Debug, Clone)]
pub struct Palette {
    items: Vec<Item>,
    query: String,
    /// Indices into `items`, best match first.
    matches: Vec<usize>,
    selected: usize,
}

/// Rows the palette list shows at most (also the page size).
const LIST_ROWS: usize = 12;

impl Palette {
    /// A palette opened from `ctx`: every action, with its keys in `ctx` (and global).
    pub fn new(keymap: &Keymap, ctx: Context) -> Palette {
        let items = Action::ALL
            .iter()
            .copied()
            .filter(|a| *a != Action::CommandPalette)
            .map(|action| {
                let keys: Vec<String> = keymap
                    .keys_in(ctx, action)
                    .iter()
                    .take(2)
                    .map(ToString::to_string)
                    .collect();
                Item {
                    action,
                    keys: keys.join(", "),
                }
            })
            .collect();
        let mut p = Palette {
            items,
            query: String::new(),
            matches: Vec::new(),
            selected: 0,
        };
        p.refilter();
        p
    }

    /// The query typed so far.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The matching actions, best first.
    pub fn matches(&self) -> Vec<Action> {
        self.matches.iter().map(|i| self.items[*i].action).collect()
    }

    /// The highlighted action, if any matches.
    pub fn selected(&self) -> Option<Action> {
        self.matches
            .get(self.selected)
            .map(|i| self.items[*i].action)
    }

    /// Replaces the query (and re-runs the search).
    pub fn set_query(&mut self, q: &str) {
        self.query = q.to_string();
        self.refilter();
    }

    fn refilter(&mut self) {
        let m = SkimMatcherV2::default();
        let q = self.query.trim();
        let mut scored: Vec<(i64, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| {
                if q.is_empty() {
                    return Some((0, i));
                }
                let a = it.action;
                let initials = choseong(a.label_ko());
                [a.label_ko(), a.label_en(), a.name(), initials.as_str()]
                    .iter()
                    .filter_map(|s| m.fuzzy_match(s, q))
                    .max()
                    .map(|s| (s, i))
            })
            .collect();
        scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        self.matches = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    /// Handles one key press (printable keys edit the query).
    pub fn handle_key(&mut self, key: Key, keymap: &Keymap) -> PaletteOutcome {
        if let Some(c) = key.text_char() {
            self.query.push(c);
            self.refilter();
            return PaletteOutcome::Consumed;
        }
        let action = keymap
            .action_for(Context::Palette, key)
            .or_else(|| builtin_action(key));
        match action {
            Some(a) => self.apply(a),
            None => PaletteOutcome::Ignored,
        }
    }

    /// Applies an action (from the `palette` context).
    pub fn apply(&mut self, action: Action) -> PaletteOutcome {
        let last = self.matches.len().saturating_sub(1);
        let s = self.selected;
        match action {
            Action::Up => self.selected = s.saturating_sub(1),
            Action::Down => self.selected = (s + 1).min(last),
            Action::PageUp => self.selected = s.saturating_sub(LIST_ROWS),
            Action::PageDown => self.selected = (s + LIST_ROWS).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::Select | Action::Submit => {
                return self
                    .selected()
                    .map_or(PaletteOutcome::Consumed, PaletteOutcome::Run);
            }
            Action::Back | Action::Cancel | Action::CommandPalette => return PaletteOutcome::Close,
            Action::DeleteChar => {
                self.query.pop();
                self.refilter();
            }
            Action::ClearField => {
                self.query.clear();
                self.refilter();
            }
            _ => return PaletteOutcome::Ignored,
        }
        PaletteOutcome::Consumed
    }

    fn popup(area: Rect) -> Rect {
        let h = u16::try_from(LIST_ROWS + 3).unwrap_or(u16::MAX);
        let r = centered(area, 76, h);
        // Sit in the upper part of the screen, like most palettes.
        Rect {
            y: area.y + (r.y - area.y) / 2,
            ..r
        }
    }

    /// Where the terminal cursor belongs (end of the query) when drawn in `area`.
    pub fn cursor_position(&self, area: Rect) -> Option<Position> {
        let inner = Block::default()
            .borders(Borders::ALL)
            .inner(Palette::popup(area));
        let col = 2 + self.query.width();
        let col = u16::try_from(col).ok()?;
        (inner.height > 0 && col < inner.width).then(|| Position::new(inner.x + col, inner.y))
    }
}

/// The initial consonants (초성) of Hangul syllables, other characters kept: `도움말` → `ㄷㅇㅁ`, so a
/// query typed as initials finds the action.
fn choseong(text: &str) -> String {
    const INITIALS: [char; 19] = [
        'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ',
        'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
    ];
    text.chars()
        .map(|c| match u32::from(c).checked_sub(0xAC00) {
            Some(i) if i < 11172 => INITIALS[(i / 588) as usize],
            _ => c,
        })
        .collect()
}

fn builtin_action(key: Key) -> Option<Action> {
    if key.mods.ctrl || key.mods.alt {
        return None;
    }
    Some(match key.code {
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        KeyCode::Enter => Action::Select,
        KeyCode::Esc => Action::Back,
        KeyCode::Backspace => Action::DeleteChar,
        _ => return None,
    })
}

impl Widget for &Palette {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = Palette::popup(area.intersection(buf.area));
        if area.is_empty() {
            return;
        }
        Clear.render(area, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(" 명령 팔레트 ");
        let inner = block.inner(area);
        block.render(area, buf);
        let width = usize::from(inner.width);
        let prompt = Line::from(vec![
            Span::styled(
                fit("> ", 0, width),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(fit(&self.query, 0, width.saturating_sub(2))),
        ]);
        draw_line(buf, inner, 0, &prompt);
        let rows = usize::from(inner.height.saturating_sub(1));
        if rows == 0 {
            return;
        }
        if self.matches.is_empty() {
            draw_line(
                buf,
                inner,
                1,
                &Line::from(fit("  일치하는 명령이 없습니다", 0, width)),
            );
            return;
        }
        let first = self.selected.saturating_sub(rows - 1);
        let key_w = 14.min(width / 4);
        // Korean label and key only: English stays searchable (see `items`) but is not shown —
        // no English-only text in the TUI except key names (#12 item 11).
        let ko_w = width.saturating_sub(key_w);
        for (row, idx) in self.matches.iter().skip(first).take(rows).enumerate() {
            let it = &self.items[*idx];
            let text = format!(
                "{}{}",
                pad(&format!(" {}", it.action.label_ko()), ko_w),
                pad(&it.keys, key_w),
            );
            let style = if first + row == self.selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            let Ok(r) = u16::try_from(row + 1) else { break };
            draw_line(
                buf,
                inner,
                r,
                &Line::from(Span::styled(fit(&text, 0, width), style)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::choseong;

    #[test]
    fn initials() {
        assert_eq!(choseong("도움말 (키 목록)"), "ㄷㅇㅁ (ㅋ ㅁㄹ)");
        assert_eq!(choseong("힣가"), "ㅎㄱ");
        assert_eq!(choseong("abc"), "abc");
    }
}
