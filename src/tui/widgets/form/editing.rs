//! Editing one field: grapheme-safe insert and delete, cursor moves, wrapped rows of a
//! multi-line field, choice cycling, and the editing actions a form applies to its focused field.
//!
//! Wrapping is a pure function of the text and a width: nothing here remembers where the field
//! was last drawn. A width of `usize::MAX` means "not laid out": one row per line.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::FormOutcome;
use super::field::{Field, FieldKey, FieldKind};
use crate::tui::action::Action;
use crate::tui::key::{Key, KeyCode};

/// The most characters a one-line field (name, phone, address, date, passphrase) holds.
pub const MAX_LINE_CHARS: usize = 1_000;
/// The most characters a multi-line field (a note) holds.
pub const MAX_NOTE_CHARS: usize = 20_000;

impl<K: FieldKey> Field<K> {
    /// The most characters this field holds.
    pub(super) fn max_chars(&self) -> usize {
        if self.is_multiline() {
            MAX_NOTE_CHARS
        } else {
            MAX_LINE_CHARS
        }
    }

    /// Characters still free below [`Field::max_chars`]. Counted only near the limit (a byte
    /// count below it cannot be over), so typing stays cheap.
    fn room(&self) -> usize {
        let max = self.max_chars();
        if self.text.len() < max {
            return max - self.text.len();
        }
        max.saturating_sub(self.text.chars().count())
    }

    /// Inserts `s` at the cursor if it fits; false (and nothing inserted) when the field is full.
    pub(super) fn insert(&mut self, s: &str) -> bool {
        if s.chars().count() > self.room() {
            self.error = Some(self.full_message());
            return false;
        }
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
        self.error = None;
        true
    }

    fn full_message(&self) -> String {
        format!("{}자까지 입력할 수 있습니다", self.max_chars())
    }

    /// A pasted text, inserted at once (one copy, so a long paste costs its length, not its
    /// square). A one-line field gets line breaks and tabs as spaces; a multi-line field keeps
    /// line breaks (`\r\n` → `\n`); other control characters are dropped. What does not fit
    /// below [`Field::max_chars`] is cut, and the field says so.
    pub(super) fn paste(&mut self, pasted: &str) {
        let multiline = self.is_multiline();
        let room = self.room();
        let mut clean = String::with_capacity(pasted.len().min(room.saturating_mul(4)));
        let mut taken = 0;
        let mut cut = false;
        let mut chars = pasted.chars().peekable();
        while let Some(c) = chars.next() {
            let c = match c {
                '\r' if chars.peek() == Some(&'\n') => continue,
                '\r' | '\n' if multiline => '\n',
                '\r' | '\n' | '\t' => ' ',
                c if c.is_control() => continue,
                c => c,
            };
            if taken == room {
                cut = true;
                break;
            }
            clean.push(c);
            taken += 1;
        }
        self.text.insert_str(self.cursor, &clean);
        self.cursor += clean.len();
        self.error = cut.then(|| self.full_message());
    }

    pub(super) fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map(|(i, _)| i)
    }

    pub(super) fn next_boundary(&self) -> Option<usize> {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map(|g| self.cursor + g.len())
    }

    fn backspace(&mut self) {
        if let Some(start) = self.prev_boundary() {
            self.text.replace_range(start..self.cursor, "");
            self.cursor = start;
            self.error = None;
        }
    }

    fn delete_forward(&mut self) {
        if let Some(end) = self.next_boundary() {
            self.text.replace_range(self.cursor..end, "");
            self.error = None;
        }
    }

    pub(super) fn line_start(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    pub(super) fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    /// The width text wraps at when the value is shown `value_width` columns wide: one column
    /// short, so the cursor after a full row still has a cell to sit in. Only multi-line fields
    /// wrap; `None` (not laid out yet) means no wrapping.
    pub(super) fn wrap_at(&self, value_width: Option<u16>) -> usize {
        match value_width {
            Some(w) if self.is_multiline() => usize::from(w.saturating_sub(1)).max(1),
            _ => usize::MAX,
        }
    }

    /// The rows the text is shown in, wrapped at `wrap` columns. Byte ranges into `text`.
    pub(super) fn rows(&self, wrap: usize) -> Vec<(usize, usize)> {
        wrap_rows(&self.text, wrap)
    }

    /// Display width of the text between the start of the cursor's row and the cursor.
    pub(super) fn cursor_column(&self, wrap: usize) -> usize {
        if self.is_multiline() {
            let rows = self.rows(wrap);
            let start = rows[row_of(&rows, self.cursor)].0;
            return self.text[start..self.cursor].width();
        }
        let before = &self.text[self.line_start()..self.cursor];
        if self.kind == FieldKind::Secret {
            before.graphemes(true).count()
        } else {
            before.width()
        }
    }

    /// Index of the cursor's row (see [`Field::rows`]).
    pub(super) fn cursor_line(&self, wrap: usize) -> usize {
        row_of(&self.rows(wrap), self.cursor)
    }

    /// Moves the cursor to row `line` at the grapheme closest to (not past) display column
    /// `col`. False when that row does not exist.
    pub(super) fn move_to_line(&mut self, line: usize, col: usize, wrap: usize) -> bool {
        let Some(&(start, end)) = self.rows(wrap).get(line) else {
            return false;
        };
        let mut w = 0;
        let mut at = start;
        for g in self.text[start..end].graphemes(true) {
            let gw = g.width();
            if w + gw > col {
                break;
            }
            w += gw;
            at += g.len();
        }
        self.cursor = at;
        true
    }

    pub(super) fn cycle(&mut self, forward: bool) {
        self.end_run();
        // Whatever was said about the previous option (nothing matched, a refusal) is done.
        self.error = None;
        if let FieldKind::Choice(opts) = &self.kind
            && !opts.is_empty()
        {
            let n = opts.len();
            self.choice = if forward {
                (self.choice + 1) % n
            } else {
                (self.choice + n - 1) % n
            };
        }
    }
}

/// `text`'s lines cut into rows of at most `width` display columns, at grapheme boundaries (a
/// grapheme wider than `width` gets a row of its own). Byte ranges; an empty line is one empty
/// row, and the line break itself belongs to no row.
fn wrap_rows(text: &str, width: usize) -> Vec<(usize, usize)> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let (mut start, mut at, mut w) = (line_start, line_start, 0);
        for g in line.graphemes(true) {
            let gw = g.width();
            if w + gw > width && at > start {
                rows.push((start, at));
                start = at;
                w = 0;
            }
            w += gw;
            at += g.len();
        }
        rows.push((start, at));
        line_start = at + 1;
    }
    rows
}

/// The row holding byte offset `cursor`; at a wrap point, the row that starts there.
fn row_of(rows: &[(usize, usize)], cursor: usize) -> usize {
    rows.iter().rposition(|&(s, _)| s <= cursor).unwrap_or(0)
}

impl<K: FieldKey> super::Form<K> {
    /// A bracketed paste into the focused field (see [`Field::paste`]); a choice field selects
    /// the option the text names (see [`super::typeahead`]).
    pub fn paste(&mut self, text: &str) -> super::FormOutcome {
        if self.confirm_discard {
            return super::FormOutcome::Consumed;
        }
        match self.fields.get_mut(self.focus) {
            Some(f) if f.is_text() => {
                f.paste(text);
                super::FormOutcome::Consumed
            }
            Some(f) => {
                f.paste_to_select(text);
                super::FormOutcome::Consumed
            }
            None => super::FormOutcome::Ignored,
        }
    }
}

/// Editing actions on one field.
pub(super) fn edit_field<K: FieldKey>(f: &mut Field<K>, action: Action) -> FormOutcome {
    let text = f.is_text();
    match action {
        Action::DeleteChar if text => f.backspace(),
        Action::DeleteForward if text => f.delete_forward(),
        Action::Left if text => f.cursor = f.prev_boundary().unwrap_or(f.cursor),
        Action::Right if text => f.cursor = f.next_boundary().unwrap_or(f.cursor),
        Action::Left | Action::Right => f.cycle(action == Action::Right),
        Action::LineStart if text => f.cursor = f.line_start(),
        Action::LineEnd if text => f.cursor = f.line_end(),
        Action::ClearField if text => {
            f.text.clear();
            f.cursor = 0;
        }
        Action::NewLine if f.is_multiline() => {
            f.insert("\n");
        }
        Action::DeleteChar
        | Action::DeleteForward
        | Action::LineStart
        | Action::LineEnd
        | Action::ClearField
        | Action::NewLine => {}
        other => return FormOutcome::Unhandled(other),
    }
    FormOutcome::Consumed
}

/// Editing keys that work even if a user keymap unbinds them.
pub(super) fn builtin_action(key: Key) -> Option<Action> {
    if key.mods.ctrl || key.mods.alt {
        return None;
    }
    Some(match key.code {
        KeyCode::Tab => Action::NextField,
        KeyCode::BackTab => Action::PrevField,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Backspace => Action::DeleteChar,
        KeyCode::Delete => Action::DeleteForward,
        KeyCode::Left => Action::Left,
        KeyCode::Right => Action::Right,
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        KeyCode::Home => Action::LineStart,
        KeyCode::End => Action::LineEnd,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_rows_cut_at_width_and_keep_empty_lines() {
        assert_eq!(wrap_rows("가나다", 4), vec![(0, 6), (6, 9)]);
        assert_eq!(wrap_rows("a\n\nb", 10), vec![(0, 1), (2, 2), (3, 4)]);
        assert_eq!(row_of(&wrap_rows("가나다", 4), 6), 1);
    }
}
