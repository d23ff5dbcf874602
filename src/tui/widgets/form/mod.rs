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
//! On a choice field, space cycles and other printable keys select by what is typed
//! (type-to-select, see [`typeahead`]): a syllable, a 초성 run or letters pick the first option
//! that starts with or contains them (`ㅂ` or `해당` → `비해당`); typing that matches nothing
//! says so under the field instead of vanishing. The focused choice shows the hint
//! [`typeahead::CHOICE_HINT`].
//!
//! Esc on a changed form asks first (`변경 내용을 버릴까요?`): Enter or `y` discards, Esc or `n` returns
//! to the form.
//!
//! **Keys, not labels.** Every field has a key of the form's key type `K` (an enum); values are
//! read back with [`Form::value`] / [`Form::chosen`] by key, so rewording a Korean label changes
//! nothing else.
//!
//! **No state written in render.** Up/Down in a multi-line field move by wrapped row, which
//! depends on the width the form is drawn at. The app tells the form its area with
//! [`Form::set_area`] (a pure function of the terminal size, before keys are handled); rendering
//! lays the form out from the area it is given and never writes to the form.
//!
//! Modules: [`field`] (kinds, keys, values, validation), `editing` (text editing and cursor
//! moves), [`typeahead`] (typing on a choice field), `render` (layout and drawing).

mod editing;
pub mod field;
mod render;
pub mod typeahead;

pub use field::{Choice, Field, FieldKey, FieldKind};

use ratatui::layout::Rect;

use crate::tui::action::Action;
use crate::tui::key::{Key, KeyCode};
use crate::tui::keymap::{Context, Keymap};
use editing::{builtin_action, edit_field};

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

/// A form: fields keyed by `K`, focus, and the discard-confirmation state. Render it with
/// `&Form` as a widget.
#[derive(Debug, Clone)]
pub struct Form<K> {
    title: String,
    fields: Vec<Field<K>>,
    focus: usize,
    initial: Vec<String>,
    confirm_discard: bool,
    hints: String,
    /// Where the form is drawn, as last told by [`Form::set_area`] (`None`: not yet known, so
    /// multi-line text does not wrap for Up/Down).
    area: Option<Rect>,
}

impl<K: FieldKey> Form<K> {
    /// A form with a title and fields; focus on the first field.
    pub fn new(title: &str, fields: Vec<Field<K>>) -> Form<K> {
        let initial = fields.iter().map(|f| f.value().to_string()).collect();
        Form {
            title: title.to_string(),
            fields,
            focus: 0,
            initial,
            confirm_discard: false,
            hints: String::new(),
            area: None,
        }
    }

    /// Starts with the focus on the field with this key (e.g. the text after a choice whose
    /// default is almost always right, so typing goes where the worker expects).
    pub fn focused_on(mut self, key: K) -> Form<K> {
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            self.focus = i;
        }
        self
    }

    /// Tells the form the area it is drawn in (the widget's whole area), so Up/Down move by the
    /// rows the user sees. Call it before handling keys whenever the screen size may have changed.
    pub fn set_area(&mut self, area: Rect) {
        self.area = Some(area);
    }

    /// The wrap width of field `i` in the last known area.
    fn wrap_of(&self, i: usize) -> usize {
        let width = self.area.and_then(|area| {
            self.layout(area)
                .slots
                .into_iter()
                .find(|s| s.field == i)
                .map(|s| s.value.width)
        });
        self.fields.get(i).map_or(usize::MAX, |f| f.wrap_at(width))
    }

    /// Sets the bottom hint line from the keymap (`tab 다음 칸 · ctrl-s 저장 · esc 취소`).
    pub fn with_hints(mut self, keymap: &Keymap) -> Form<K> {
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
    pub fn fields(&self) -> &[Field<K>] {
        &self.fields
    }

    /// The field with this key.
    pub fn field(&self, key: K) -> Option<&Field<K>> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The value of the field with this key.
    pub fn value(&self, key: K) -> Option<&str> {
        self.field(key).map(Field::value)
    }

    /// The selected option of the choice field with this key, as the typed value (the field
    /// must have been made with [`Field::choice_of`]`::<C>`).
    pub fn chosen<C: Choice>(&self, key: K) -> Option<C> {
        let i = self.field(key)?.selected()?;
        C::all().get(i).copied()
    }

    /// Shows `message` under the field with this key and focuses it: a refusal only the submit
    /// can find (a stage rule, two fields that must agree, a file that must exist) keeps the form
    /// open as typed, with the reason where it belongs. The next submit re-validates and clears it.
    pub fn set_error(&mut self, key: K, message: &str) {
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            self.fields[i].error = Some(message.to_string());
            self.focus = i;
        }
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
        let wrap = self.wrap_of(self.focus);
        self.fields
            .get(self.focus)
            .map_or(0, |f| f.cursor_column(wrap))
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
            let _ = field.insert("\n");
            return FormOutcome::Consumed;
        }
        if let Some(c) = key.text_char() {
            if field.is_text() {
                let _ = field.insert(c.encode_utf8(&mut [0; 4]));
            } else if c == ' ' {
                field.cycle(true);
            } else {
                // A choice selects by what is typed (or says nothing matched): no dead keys.
                field.type_to_select(c, std::time::Instant::now());
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
            f.end_run();
            f.validate();
        }
        if to < self.fields.len() {
            self.focus = to;
        }
        FormOutcome::Consumed
    }

    fn vertical(&mut self, down: bool) -> FormOutcome {
        let wrap = self.wrap_of(self.focus);
        let Some(f) = self.fields.get_mut(self.focus) else {
            return FormOutcome::Ignored;
        };
        if f.is_multiline() {
            let (line, col) = (f.cursor_line(wrap), f.cursor_column(wrap));
            let target = if down {
                line.checked_add(1)
            } else {
                line.checked_sub(1)
            };
            if let Some(t) = target
                && f.move_to_line(t, col, wrap)
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
