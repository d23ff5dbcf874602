//! One labelled field: what it holds ([`FieldKind`]), its key, its value and validation.
//!
//! A field is found by its key (`K`, an enum of the form's fields), never by its Korean label, so
//! a label can be reworded without breaking the code that reads the form.

use unicode_segmentation::UnicodeSegmentation;

/// A form's field keys: any small `Copy` type, usually an enum.
pub trait FieldKey: Copy + PartialEq + std::fmt::Debug {}

impl<T: Copy + PartialEq + std::fmt::Debug> FieldKey for T {}

/// A closed set of options for a choice field, read back as the typed value (see
/// [`Field::choice_of`] and [`super::Form::chosen`]).
pub trait Choice: Copy + 'static {
    /// Every option, in the order shown.
    fn all() -> &'static [Self];
    /// The text shown for the option.
    fn label(self) -> &'static str;
}

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
    /// One of fixed options, cycled with left/right or space, or picked by typing (see
    /// [`super::typeahead`]).
    Choice(Vec<String>),
    /// One line typed but never shown: one `*` per character (a passphrase).
    Secret,
}

/// The run of characters being typed on a choice field and when its last one came (read by
/// the form's type-to-select).
#[derive(Debug, Clone, Default)]
pub(super) struct Run {
    pub(super) typed: String,
    pub(super) at: Option<std::time::Instant>,
}

/// One labelled field with key type `K`.
#[derive(Debug, Clone)]
pub struct Field<K> {
    pub(super) key: K,
    pub(super) label: String,
    pub(super) kind: FieldKind,
    pub(super) required: bool,
    pub(super) text: String,
    /// Byte offset into `text`, always on a grapheme boundary.
    pub(super) cursor: usize,
    pub(super) choice: usize,
    pub(super) error: Option<String>,
    /// A line of help shown under the value (input format, when it is needed).
    pub(super) help: Option<String>,
    /// A date in the past (birth date): a two-digit year takes the century that keeps it past.
    pub(super) past: bool,
    /// What is being typed on a choice field (type-to-select; see [`super::typeahead`]).
    pub(super) run: Run,
}

impl<K: FieldKey> Field<K> {
    fn new(key: K, label: &str, kind: FieldKind) -> Field<K> {
        Field {
            key,
            label: label.to_string(),
            kind,
            required: false,
            text: String::new(),
            cursor: 0,
            choice: 0,
            error: None,
            help: None,
            past: false,
            run: Run::default(),
        }
    }

    /// A birth date field: like [`Field::date`], but `52.3.14` means 1952.
    pub fn birth_date(key: K, label: &str) -> Field<K> {
        let mut f = Field::new(key, label, FieldKind::Date);
        f.past = true;
        f
    }

    /// A help line shown under the value (e.g. the input format).
    pub fn with_help(mut self, help: &str) -> Field<K> {
        self.help = Some(help.to_string());
        self
    }

    /// The help line, if any.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// A single-line text field.
    pub fn text(key: K, label: &str) -> Field<K> {
        Field::new(key, label, FieldKind::Text)
    }

    /// A multi-line text field shown `rows` rows high.
    pub fn multiline(key: K, label: &str, rows: u16) -> Field<K> {
        Field::new(key, label, FieldKind::MultiLine { rows: rows.max(1) })
    }

    /// A single-line field whose text is masked on screen (a passphrase).
    pub fn secret(key: K, label: &str) -> Field<K> {
        Field::new(key, label, FieldKind::Secret)
    }

    /// A date field: typed as people type dates (`2024-03-01`, `20240301`, `2024.3.1`,
    /// `24.3.1`), kept as `YYYY-MM-DD` once the field is left or the form submitted.
    pub fn date(key: K, label: &str) -> Field<K> {
        Field::new(key, label, FieldKind::Date)
    }

    /// A choice among `options` (the first is selected).
    pub fn choice(key: K, label: &str, options: &[&str]) -> Field<K> {
        let options = options.iter().map(|s| s.to_string()).collect();
        Field::new(key, label, FieldKind::Choice(options))
    }

    /// A choice among every option of `C` (the first is selected); read it back with
    /// [`super::Form::chosen`].
    pub fn choice_of<C: Choice>(key: K, label: &str) -> Field<K> {
        let options: Vec<&str> = C::all().iter().map(|c| c.label()).collect();
        Field::choice(key, label, &options)
    }

    /// Marks the field as required (shown with `*`; empty fails validation).
    pub fn required(mut self) -> Field<K> {
        self.required = true;
        self
    }

    /// Sets the initial value (for a choice, selects the matching option if there is one).
    pub fn with_value(mut self, value: &str) -> Field<K> {
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

    /// The key.
    pub fn key(&self) -> K {
        self.key
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

    /// Index of the selected option of a choice field (`None` for other kinds or no options).
    pub fn selected(&self) -> Option<usize> {
        match &self.kind {
            FieldKind::Choice(opts) if self.choice < opts.len() => Some(self.choice),
            _ => None,
        }
    }

    /// The validation error shown under the field, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The text as drawn: masked, one `*` per character, for a secret field.
    pub(super) fn shown(&self) -> std::borrow::Cow<'_, str> {
        if self.kind == FieldKind::Secret {
            "*".repeat(self.text.graphemes(true).count()).into()
        } else {
            self.text.as_str().into()
        }
    }

    pub(super) fn is_text(&self) -> bool {
        !matches!(self.kind, FieldKind::Choice(_))
    }

    pub(super) fn is_multiline(&self) -> bool {
        matches!(self.kind, FieldKind::MultiLine { .. })
    }

    pub(super) fn height(&self) -> u16 {
        match self.kind {
            FieldKind::MultiLine { rows } => rows,
            _ => 1,
        }
    }

    /// Checks the value; sets or clears `error`. True when valid. A valid date is rewritten
    /// as `YYYY-MM-DD`, so whoever reads the form gets one spelling.
    pub(super) fn validate(&mut self) -> bool {
        self.error = check_value(&self.kind, self.required, self.value(), self.past);
        if self.error.is_none()
            && self.kind == FieldKind::Date
            && let Some(d) = crate::resources::import::parse_date_loose(&self.text, self.past)
        {
            self.text = d.format("%Y-%m-%d").to_string();
            self.cursor = self.text.len();
        }
        self.error.is_none()
    }
}

/// Korean error message for an invalid value, `None` when valid.
pub(super) fn check_value(
    kind: &FieldKind,
    required: bool,
    value: &str,
    past: bool,
) -> Option<String> {
    if value.trim().is_empty() {
        return required.then(|| "필수 항목입니다".to_string());
    }
    if *kind == FieldKind::Date && crate::resources::import::parse_date_loose(value, past).is_none()
    {
        let v = value.trim();
        let digits_only = v
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '/' | ' '));
        return Some(
            if digits_only && v.chars().filter(char::is_ascii_digit).count() >= 6 {
                format!("없는 날짜입니다: {v}")
            } else {
                "날짜는 2024-03-01, 20240301, 2024.3.1 처럼 입력하세요".to_string()
            },
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_rules() {
        let check = |required, v| check_value(&FieldKind::Date, required, v, false);
        assert_eq!(check(false, ""), None);
        assert!(check(true, "").is_some());
        assert_eq!(check(false, "2024-02-29"), None);
        assert!(check(false, "2023-02-29").is_some_and(|e| e.contains("없는 날짜")));
        for typed in ["2024-2-9", "20240209", "2024.2.9", "24.2.9", "2024. 2. 9."] {
            assert_eq!(check(false, typed), None, "{typed}");
        }
        assert!(check(false, "２０２４-01-01").is_some());
        assert!(check(false, "내일").is_some());
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Mode {
        Fix,
        Void,
    }

    impl Choice for Mode {
        fn all() -> &'static [Mode] {
            &[Mode::Fix, Mode::Void]
        }
        fn label(self) -> &'static str {
            match self {
                Mode::Fix => "고침",
                Mode::Void => "무효",
            }
        }
    }

    #[test]
    fn dates_are_kept_in_one_spelling() {
        for (typed, past, want) in [
            ("19520314", true, "1952-03-14"),
            ("1952.3.14", true, "1952-03-14"),
            ("52.3.14", true, "1952-03-14"),
            ("1952-3-14", true, "1952-03-14"),
            ("27.1.5", false, "2027-01-05"),
        ] {
            let mut f = if past {
                Field::birth_date(0u8, "생년월일")
            } else {
                Field::date(0u8, "후속 일정")
            }
            .with_value(typed);
            assert!(f.validate(), "{typed}");
            assert_eq!(f.value(), want, "{typed}");
        }
    }

    #[test]
    fn typed_choice_reads_back_by_index() {
        let f = Field::choice_of::<Mode>(0u8, "방식").with_value(Mode::Void.label());
        assert_eq!(f.selected(), Some(1));
        assert_eq!(f.value(), "무효");
        assert_eq!(Field::text(0u8, "t").selected(), None);
    }
}
