//! A form: labelled fields (single-line text, multi-line text, date, choice) with Hangul-safe editing.
//!
//! Text is edited by grapheme cluster (`unicode-segmentation`) and measured by display width
//! (`unicode-width`), so a Hangul syllable (width 2) moves the cursor two columns. Characters arrive
//! already composed from the terminal's IME.
//!
//! **Routing.** While a form has focus the app gives every key to [`Form::handle_key`] *before* its
//! own keymap resolution: printable keys (no ctrl/alt) are typed into the focused field, so `q` or
//! `j` in a form are text, never commands. Other keys are resolved in the `form` context, then
//! `global`; form actions (next-field, submit, …) are applied here and any other action comes back as
//! [`FormOutcome::Unhandled`] for the app to run or ignore. The keymap parser refuses printable keys in
//! the `form` context, so a user keymap cannot break typing.
//!
//! Esc on a changed form asks first (`변경 내용을 버릴까요?`): Enter or `y` discards, Esc or `n` returns
//! to the form.

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::tui::action::Action;
use crate::tui::key::{Key, KeyCode};
use crate::tui::keymap::{Context, Keymap};

use super::{draw_line, fit};

/// What a field holds and how it is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines; Enter inserts a line break. `rows` is the height shown.
    MultiLine {
        /// Rows shown on screen.
        rows: u16,
    },
    /// A `YYYY-MM-DD` date, validated when the field is left and on submit.
    Date,
    /// One of fixed options, cycled with left/right or space.
    Choice(Vec<String>),
    /// One line typed but never shown: one `*` per character (a passphrase).
    Secret,
}

/// One labelled field.
#[derive(Debug, Clone)]
pub struct Field {
    label: String,
    kind: FieldKind,
    required: bool,
    text: String,
    /// Byte offset into `text`, always on a grapheme boundary.
    cursor: usize,
    choice: usize,
    error: Option<String>,
    /// Multi-line fields: the width text wraps at, set when the field is laid out (until then,
    /// no wrapping: one row per line).
    wrap: std::cell::Cell<usize>,
}

impl Field {
    fn new(label: &str, kind: FieldKind) -> Field {
        Field {
            label: label.to_string(),
            kind,
            required: false,
            text: String::new(),
            cursor: 0,
            choice: 0,
            error: None,
            wrap: std::cell::Cell::new(usize::MAX),
        }
    }

    /// A single-line text field.
    pub fn text(label: &str) -> Field {
        Field::new(label, FieldKind::Text)
    }

    /// A multi-line text field shown `rows` rows high.
    pub fn multiline(label: &str, rows: u16) -> Field {
        Field::new(label, FieldKind::MultiLine { rows: rows.max(1) })
    }

    /// A single-line field whose text is masked on screen (a passphrase).
    pub fn secret(label: &str) -> Field {
        Field::new(label, FieldKind::Secret)
    }

    /// The text as drawn: masked, one `*` per character, for a secret field.
    fn shown(&self) -> std::borrow::Cow<'_, str> {
        if self.kind == FieldKind::Secret {
            "*".repeat(self.text.graphemes(true).count()).into()
        } else {
            self.text.as_str().into()
        }
    }

    /// A `YYYY-MM-DD` date field.
    pub fn date(label: &str) -> Field {
        Field::new(label, FieldKind::Date)
    }

    /// A choice among `options` (the first is selected).
    pub fn choice(label: &str, options: &[&str]) -> Field {
        let options = options.iter().map(|s| s.to_string()).collect();
        Field::new(label, FieldKind::Choice(options))
    }

    /// Marks the field as required (shown with `*`; empty fails validation).
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// Sets the initial value (for a choice, selects the matching option if there is one).
    pub fn with_value(mut self, value: &str) -> Field {
        match &self.kind {
            FieldKind::Choice(opts) => {
                if let Some(i) = opts.iter().position(|o| o == value) {
                    self.choice = i;
                }
            }
            _ => {
                self.text = value.to_string();
                self.cursor = self.text.len();
            }
        }
        self
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The kind.
    pub fn kind(&self) -> &FieldKind {
        &self.kind
    }

    /// The current value (the selected option for a choice; empty for a choice without options).
    pub fn value(&self) -> &str {
        match &self.kind {
            FieldKind::Choice(opts) => opts.get(self.choice).map_or("", String::as_str),
            _ => &self.text,
        }
    }

    /// The validation error shown under the field, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn is_text(&self) -> bool {
        !matches!(self.kind, FieldKind::Choice(_))
    }

    fn is_multiline(&self) -> bool {
        matches!(self.kind, FieldKind::MultiLine { .. })
    }

    fn height(&self) -> u16 {
        match self.kind {
            FieldKind::MultiLine { rows } => rows,
            _ => 1,
        }
    }

    /// Checks the value; sets or clears `error`. True when valid.
    fn validate(&mut self) -> bool {
        self.error = check_value(&self.kind, self.required, self.value());
        self.error.is_none()
    }

    fn insert(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
        self.error = None;
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
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

    fn line_start(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    /// Lays a multi-line field out in `value`: text wraps one column short of its width, so
    /// the cursor after a full row still has a cell to sit in.
    fn fit_to(&self, value: Rect) {
        if self.is_multiline() {
            self.wrap
                .set(usize::from(value.width.saturating_sub(1)).max(1));
        }
    }

    /// The rows the text is shown in: for a multi-line field its lines wrapped at
    /// [`Field::wrap`], else one row per line. Byte ranges into `text`.
    fn rows(&self) -> Vec<(usize, usize)> {
        let width = if self.is_multiline() {
            self.wrap.get()
        } else {
            usize::MAX
        };
        wrap_rows(&self.text, width)
    }

    /// Display width of the text between the start of the cursor's row and the cursor.
    fn cursor_column(&self) -> usize {
        if self.is_multiline() {
            let rows = self.rows();
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
    fn cursor_line(&self) -> usize {
        row_of(&self.rows(), self.cursor)
    }

    /// Moves the cursor to row `line` at the grapheme closest to (not past) display column
    /// `col`. False when that row does not exist.
    fn move_to_line(&mut self, line: usize, col: usize) -> bool {
        let Some(&(start, end)) = self.rows().get(line) else {
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

    fn cycle(&mut self, forward: bool) {
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

/// Korean error message for an invalid value, `None` when valid.
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

fn check_value(kind: &FieldKind, required: bool, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return required.then(|| "필수 항목입니다".to_string());
    }
    if *kind == FieldKind::Date {
        let shape_ok = value.len() == 10
            && value.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Some("날짜는 YYYY-MM-DD 형식으로 입력하세요 (예: 2024-03-01)".to_string());
        }
        if NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err() {
            return Some(format!("없는 날짜입니다: {value}"));
        }
    }
    None
}

/// What a key or action did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    /// Used by the form (state may have changed; redraw).
    Consumed,
    /// Not used (no binding, nothing to do).
    Ignored,
    /// Every field is valid; read the values and close the form.
    Submitted,
    /// Submit was asked but a field is invalid (focus moved to the first one).
    Invalid,
    /// The user chose to close the form (discarding changes if there were any).
    Cancelled,
    /// A non-form action bound to the key (e.g. `quit`, `help`); the app decides.
    Unhandled(Action),
}

/// A form: fields, focus, and the discard-confirmation state. Render it with `&Form` as a widget.
#[derive(Debug, Clone)]
pub struct Form {
    title: String,
    fields: Vec<Field>,
    focus: usize,
    initial: Vec<String>,
    confirm_discard: bool,
    hints: String,
}

impl Form {
    /// A form with a title and fields; focus on the first field.
    pub fn new(title: &str, fields: Vec<Field>) -> Form {
        let initial = fields.iter().map(|f| f.value().to_string()).collect();
        Form {
            title: title.to_string(),
            fields,
            focus: 0,
            initial,
            confirm_discard: false,
            hints: String::new(),
        }
    }

    /// Sets the bottom hint line from the keymap (`tab 다음 칸 · ctrl-s 저장 · esc 취소`).
    pub fn with_hints(mut self, keymap: &Keymap) -> Form {
        let parts: Vec<String> = [Action::NextField, Action::Submit, Action::Cancel]
            .iter()
            .filter_map(|a| {
                keymap
                    .hint(Context::Form, *a)
                    .map(|k| format!("{k} {}", a.label_ko()))
            })
            .collect();
        self.hints = parts.join(" · ");
        self
    }

    /// The fields in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The value of the field with this label.
    pub fn value(&self, label: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(Field::value)
    }

    /// Index of the focused field.
    pub fn focus(&self) -> usize {
        self.focus
    }

    /// True when any value differs from the one the form opened with.
    pub fn is_dirty(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, v)| f.value() != v)
    }

    /// True while the "discard changes?" question is shown.
    pub fn is_confirming_discard(&self) -> bool {
        self.confirm_discard
    }

    /// Validates every field; on failure focuses the first invalid one.
    pub fn validate(&mut self) -> bool {
        let mut first_bad = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            if !f.validate() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if let Some(i) = first_bad {
            self.focus = i;
        }
        first_bad.is_none()
    }

    /// Display column of the cursor inside the focused field's value (label excluded, before any
    /// horizontal scrolling).
    pub fn cursor_column(&self) -> usize {
        self.fields.get(self.focus).map_or(0, Field::cursor_column)
    }

    /// Handles one key press (see the module docs for routing).
    pub fn handle_key(&mut self, key: Key, keymap: &Keymap) -> FormOutcome {
        if self.confirm_discard {
            return self.answer_discard(key);
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return match keymap.action_for(Context::Form, key) {
                Some(a) => self.apply(a),
                None => FormOutcome::Ignored,
            };
        };
        if field.is_multiline() && key == Key::plain(KeyCode::Enter) {
            field.insert("\n");
            return FormOutcome::Consumed;
        }
        if let Some(c) = key.text_char() {
            if field.is_text() {
                field.insert(c.encode_utf8(&mut [0; 4]));
            } else if c == ' ' {
                field.cycle(true);
            }
            return FormOutcome::Consumed;
        }
        if let Some(a) = keymap.action_for(Context::Form, key) {
            return self.apply(a);
        }
        match builtin_action(key) {
            Some(a) => self.apply(a),
            None => FormOutcome::Ignored,
        }
    }

    fn answer_discard(&mut self, key: Key) -> FormOutcome {
        match key.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y' | 'ㅛ') => {
                self.confirm_discard = false;
                FormOutcome::Cancelled
            }
            KeyCode::Esc | KeyCode::Char('n' | 'N' | 'ㅜ') => {
                self.confirm_discard = false;
                FormOutcome::Consumed
            }
            _ => FormOutcome::Consumed,
        }
    }

    /// Applies an action to the form (from the keymap or the palette).
    pub fn apply(&mut self, action: Action) -> FormOutcome {
        use FormOutcome::Consumed;
        let n = self.fields.len();
        match action {
            Action::NextField => self.move_focus((self.focus + 1) % n.max(1)),
            Action::PrevField => self.move_focus((self.focus + n.max(1) - 1) % n.max(1)),
            Action::Submit => {
                if self.validate() {
                    FormOutcome::Submitted
                } else {
                    FormOutcome::Invalid
                }
            }
            Action::Cancel | Action::Back => {
                if self.is_dirty() {
                    self.confirm_discard = true;
                    Consumed
                } else {
                    FormOutcome::Cancelled
                }
            }
            Action::Up => self.vertical(false),
            Action::Down => self.vertical(true),
            _ => match self.fields.get_mut(self.focus) {
                Some(f) => edit_field(f, action),
                None => FormOutcome::Ignored,
            },
        }
    }

    /// Moves focus, validating the field being left.
    fn move_focus(&mut self, to: usize) -> FormOutcome {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.validate();
        }
        if to < self.fields.len() {
            self.focus = to;
        }
        FormOutcome::Consumed
    }

    fn vertical(&mut self, down: bool) -> FormOutcome {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return FormOutcome::Ignored;
        };
        if f.is_multiline() {
            let (line, col) = (f.cursor_line(), f.cursor_column());
            let target = if down {
                line.checked_add(1)
            } else {
                line.checked_sub(1)
            };
            if let Some(t) = target
                && f.move_to_line(t, col)
            {
                return FormOutcome::Consumed;
            }
        }
        match (down, self.focus) {
            (true, i) if i + 1 < self.fields.len() => self.move_focus(i + 1),
            (false, i) if i > 0 => self.move_focus(i - 1),
            _ => FormOutcome::Consumed,
        }
    }
}

/// Editing actions on one field.
fn edit_field(f: &mut Field, action: Action) -> FormOutcome {
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
        Action::NewLine if f.is_multiline() => f.insert("\n"),
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
fn builtin_action(key: Key) -> Option<Action> {
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

// ---------------------------------------------------------------------------------------------
// Rendering

/// Where one field lands on screen.
#[derive(Debug, Clone, Copy)]
struct Slot {
    field: usize,
    label: Rect,
    value: Rect,
    error: Option<Rect>,
}

struct FormLayout {
    slots: Vec<Slot>,
    footer: Option<Rect>,
}

impl Form {
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
    fn layout(&self, area: Rect) -> FormLayout {
        let inner = Form::inner(area);
        let footer_h = u16::from(inner.height >= 3);
        let body_h = inner.height.saturating_sub(footer_h);
        let label_w = self.label_width(inner);
        // Virtual rows of each field: (first row, rows incl. error line).
        let mut rows = Vec::with_capacity(self.fields.len());
        let mut y: u32 = 0;
        for f in &self.fields {
            let h = u32::from(f.height()) + u32::from(f.error.is_some());
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
            let slot = Slot {
                field: i,
                label: Rect::new(inner.x, y, label_w, 1),
                value: Rect::new(value_x, y, inner.width.saturating_sub(label_w), h),
                error: (f.error.is_some() && avail > h)
                    .then(|| Rect::new(value_x, y + h, inner.width.saturating_sub(label_w), 1)),
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
        f.fit_to(slot.value);
        let (row, col) = visible_cursor(f, slot.value);
        (slot.value.width > 0 && row < slot.value.height && col < slot.value.width)
            .then(|| Position::new(slot.value.x + col, slot.value.y + row))
    }
}

/// First visible line and the horizontal scroll (in columns) of the cursor line, so the cursor
/// stays inside `value`.
fn scroll_of(f: &Field, value: Rect) -> (usize, usize) {
    let line = f.cursor_line();
    let first = line.saturating_sub(usize::from(value.height.saturating_sub(1)));
    let col = f.cursor_column();
    let hscroll = col.saturating_sub(usize::from(value.width.saturating_sub(1)));
    (first, hscroll)
}

/// Cursor (row, column) inside the value rectangle, after scrolling.
fn visible_cursor(f: &Field, value: Rect) -> (u16, u16) {
    let (first, _) = scroll_of(f, value);
    let line = f.cursor_line() - first;
    let skip = skipped_width(f, value);
    let col = f.cursor_column().saturating_sub(skip);
    (
        u16::try_from(line).unwrap_or(u16::MAX),
        u16::try_from(col).unwrap_or(u16::MAX),
    )
}

/// Width actually skipped on the cursor line (whole graphemes only).
fn skipped_width(f: &Field, value: Rect) -> usize {
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

impl Widget for &Form {
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

impl Form {
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
                draw_line(
                    buf,
                    slot.value,
                    0,
                    &Line::from(Span::styled(text, value_style)),
                );
            }
            _ => {
                f.fit_to(slot.value);
                let (first, _) = scroll_of(f, slot.value);
                let cursor_line = f.cursor_line();
                let shown = f.shown();
                let lines: Vec<&str> = if f.is_multiline() {
                    f.rows().iter().map(|&(a, b)| &f.text[a..b]).collect()
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
        if let (Some(r), Some(e)) = (slot.error, f.error.as_deref()) {
            let text = fit(e, 0, usize::from(r.width));
            let style = Style::default().fg(Color::Red);
            draw_line(buf, r, 0, &Line::from(Span::styled(text, style)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_rules() {
        assert_eq!(check_value(&FieldKind::Date, false, ""), None);
        assert!(check_value(&FieldKind::Date, true, "").is_some());
        assert_eq!(check_value(&FieldKind::Date, false, "2024-02-29"), None);
        assert!(
            check_value(&FieldKind::Date, false, "2023-02-29")
                .is_some_and(|e| e.contains("없는 날짜"))
        );
        assert!(
            check_value(&FieldKind::Date, false, "2024-2-9")
                .is_some_and(|e| e.contains("YYYY-MM-DD"))
        );
        assert!(check_value(&FieldKind::Date, false, "２０２４-01-01").is_some());
    }

    #[test]
    fn fit_never_splits_wide_chars() {
        assert_eq!(fit("김민수", 0, 5), "김민");
        assert_eq!(fit("김민수", 2, 4), "민수");
        assert_eq!(fit("김민수", 0, 1), "");
    }
}
