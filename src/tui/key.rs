//! Keys and key sequences: parsed from keymap strings (`"ctrl-p"`, `"G"`, `"g g"`), printed back the
//! same way, and built from crossterm key events.
//!
//! Normalisation keeps one spelling per physical key so that a keymap entry and a terminal event
//! compare equal:
//! - a character key never carries `shift`: `shift-g`, `Char('G')` and `Char('G')`+SHIFT are all `G`,
//!   and `G` stays distinct from `g`;
//! - `shift-tab` and crossterm's `BackTab` (with or without SHIFT) are `backtab`;
//! - `ctrl-`/`alt-` letters keep their case (`ctrl-p`), except that ctrl+shift+letter is the uppercase
//!   letter (`ctrl-P`).

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode as CtKeyCode, KeyEvent, KeyModifiers};

/// The key itself, without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCode {
    /// A printable character (`' '` is written `space`).
    Char(char),
    /// Function key `F1`..`F24`.
    F(u8),
    /// Enter / Return.
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Insert.
    Insert,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
}

/// Modifier keys held with a key. `shift` is only kept for non-character keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Modifiers {
    /// Control.
    pub ctrl: bool,
    /// Alt / Option / Meta.
    pub alt: bool,
    /// Shift (never set on a `Char` key after normalisation).
    pub shift: bool,
}

impl Modifiers {
    /// No modifier held.
    pub const NONE: Modifiers = Modifiers {
        ctrl: false,
        alt: false,
        shift: false,
    };
}

/// One key press: a key code and its modifiers, normalised (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Held modifiers.
    pub mods: Modifiers,
}

/// Why a key string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    /// Nothing to parse.
    #[error("빈 키 문자열")]
    Empty,
    /// A name that is not a known key.
    #[error("알 수 없는 키 \"{0}\"")]
    Unknown(String),
}

/// Named keys: (name used in `Display`, extra accepted spellings, code).
const NAMED: &[(&str, &[&str], KeyCode)] = &[
    ("enter", &["return", "cr"], KeyCode::Enter),
    ("esc", &["escape"], KeyCode::Esc),
    ("tab", &[], KeyCode::Tab),
    ("backtab", &[], KeyCode::BackTab),
    ("backspace", &["bs"], KeyCode::Backspace),
    ("delete", &["del"], KeyCode::Delete),
    ("insert", &["ins"], KeyCode::Insert),
    ("up", &[], KeyCode::Up),
    ("down", &[], KeyCode::Down),
    ("left", &[], KeyCode::Left),
    ("right", &[], KeyCode::Right),
    ("home", &[], KeyCode::Home),
    ("end", &[], KeyCode::End),
    ("pgup", &["pageup"], KeyCode::PageUp),
    ("pgdn", &["pagedown", "pgdown"], KeyCode::PageDown),
    ("space", &[], KeyCode::Char(' ')),
];

/// 2-beolsik (두벌식) jamo and the Latin key they sit on (shifted forms where the layout has them).
const TWO_BEOLSIK: &[(char, char)] = &[
    ('ㅂ', 'q'),
    ('ㅈ', 'w'),
    ('ㄷ', 'e'),
    ('ㄱ', 'r'),
    ('ㅅ', 't'),
    ('ㅛ', 'y'),
    ('ㅕ', 'u'),
    ('ㅑ', 'i'),
    ('ㅐ', 'o'),
    ('ㅔ', 'p'),
    ('ㅁ', 'a'),
    ('ㄴ', 's'),
    ('ㅇ', 'd'),
    ('ㄹ', 'f'),
    ('ㅎ', 'g'),
    ('ㅗ', 'h'),
    ('ㅓ', 'j'),
    ('ㅏ', 'k'),
    ('ㅣ', 'l'),
    ('ㅋ', 'z'),
    ('ㅌ', 'x'),
    ('ㅊ', 'c'),
    ('ㅍ', 'v'),
    ('ㅠ', 'b'),
    ('ㅜ', 'n'),
    ('ㅡ', 'm'),
    ('ㅃ', 'Q'),
    ('ㅉ', 'W'),
    ('ㄸ', 'E'),
    ('ㄲ', 'R'),
    ('ㅆ', 'T'),
    ('ㅒ', 'O'),
    ('ㅖ', 'P'),
];

impl Key {
    /// A key with modifiers, normalised.
    pub fn new(code: KeyCode, mods: Modifiers) -> Key {
        Key { code, mods }.normalised()
    }

    /// A plain key without modifiers.
    pub fn plain(code: KeyCode) -> Key {
        Key::new(code, Modifiers::NONE)
    }

    /// A plain character key.
    pub fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    /// `ctrl-` + a character.
    pub fn ctrl(c: char) -> Key {
        Key::new(
            KeyCode::Char(c),
            Modifiers {
                ctrl: true,
                ..Modifiers::NONE
            },
        )
    }

    /// The character this key would type into a text field, if any (no ctrl/alt held).
    pub fn text_char(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c) if !self.mods.ctrl && !self.mods.alt && !c.is_control() => Some(c),
            _ => None,
        }
    }

    /// The Latin key under this jamo on the 2-beolsik (두벌식) layout, for command lookup while the
    /// Korean IME is on: `ㅁ` → `a`, `ㅜ` → `n`, `ㄲ` → `R`. `None` for any other key (and for keys
    /// with ctrl/alt, which the IME does not change). Never used where keys are typed text.
    pub fn latin_twin(&self) -> Option<Key> {
        let KeyCode::Char(c) = self.code else {
            return None;
        };
        if self.mods.ctrl || self.mods.alt {
            return None;
        }
        let latin = TWO_BEOLSIK.iter().find(|(j, _)| *j == c).map(|(_, l)| *l)?;
        Some(Key::char(latin))
    }

    fn normalised(mut self) -> Key {
        match self.code {
            KeyCode::Char(c) if self.mods.shift => {
                self.mods.shift = false;
                let mut upper = c.to_uppercase();
                if let (Some(u), None) = (upper.next(), upper.next()) {
                    self.code = KeyCode::Char(u);
                }
            }
            KeyCode::Tab if self.mods.shift => {
                self.code = KeyCode::BackTab;
                self.mods.shift = false;
            }
            KeyCode::BackTab => self.mods.shift = false,
            _ => {}
        }
        self
    }
}

fn parse_code(name: &str) -> Result<KeyCode, KeyParseError> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.clone().next()) {
        return Ok(KeyCode::Char(c));
    }
    let lower = name.to_ascii_lowercase();
    if let Some((_, _, code)) = NAMED
        .iter()
        .find(|(n, alts, _)| *n == lower || alts.contains(&lower.as_str()))
    {
        return Ok(*code);
    }
    if let Some(num) = lower.strip_prefix('f')
        && let Ok(n) = num.parse::<u8>()
        && (1..=24).contains(&n)
        && !num.starts_with('0')
    {
        return Ok(KeyCode::F(n));
    }
    Err(KeyParseError::Unknown(name.to_string()))
}

/// Strips one leading modifier (`ctrl-`, `control-`, `alt-`, `meta-`, `shift-`), case-insensitively.
fn strip_modifier(s: &str, mods: &mut Modifiers) -> Option<usize> {
    let (head, _) = s.split_once('-')?;
    if head.is_empty() || s.len() == head.len() + 1 {
        return None; // "-" itself, or "ctrl-" with nothing after it
    }
    match head.to_ascii_lowercase().as_str() {
        "ctrl" | "control" => mods.ctrl = true,
        "alt" | "meta" => mods.alt = true,
        "shift" => mods.shift = true,
        _ => return None,
    }
    Some(head.len() + 1)
}

impl FromStr for Key {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<Key, KeyParseError> {
        if s.is_empty() {
            return Err(KeyParseError::Empty);
        }
        let mut mods = Modifiers::NONE;
        let mut rest = s;
        while let Some(n) = strip_modifier(rest, &mut mods) {
            rest = &rest[n..];
        }
        if rest.ends_with('-') && rest.len() > 1 {
            return Err(KeyParseError::Unknown(s.to_string()));
        }
        let code = parse_code(rest).map_err(|_| KeyParseError::Unknown(s.to_string()))?;
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.mods.alt {
            f.write_str("alt-")?;
        }
        if self.mods.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            code => {
                let name = NAMED
                    .iter()
                    .find(|(_, _, c)| *c == code)
                    .map_or("?", |(n, _, _)| n);
                f.write_str(name)
            }
        }
    }
}

impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Key {
    /// Converts a crossterm key event; `None` for keys dolbom never binds (media keys, modifiers
    /// alone, key releases …).
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        if ev.kind == crossterm::event::KeyEventKind::Release {
            return None;
        }
        let code = match ev.code {
            CtKeyCode::Char(c) => KeyCode::Char(c),
            CtKeyCode::F(n) => KeyCode::F(n),
            CtKeyCode::Enter => KeyCode::Enter,
            CtKeyCode::Esc => KeyCode::Esc,
            CtKeyCode::Tab => KeyCode::Tab,
            CtKeyCode::BackTab => KeyCode::BackTab,
            CtKeyCode::Backspace => KeyCode::Backspace,
            CtKeyCode::Delete => KeyCode::Delete,
            CtKeyCode::Insert => KeyCode::Insert,
            CtKeyCode::Up => KeyCode::Up,
            CtKeyCode::Down => KeyCode::Down,
            CtKeyCode::Left => KeyCode::Left,
            CtKeyCode::Right => KeyCode::Right,
            CtKeyCode::Home => KeyCode::Home,
            CtKeyCode::End => KeyCode::End,
            CtKeyCode::PageUp => KeyCode::PageUp,
            CtKeyCode::PageDown => KeyCode::PageDown,
            _ => return None,
        };
        let m = ev.modifiers;
        let mods = Modifiers {
            ctrl: m.contains(KeyModifiers::CONTROL),
            alt: m.contains(KeyModifiers::ALT) || m.contains(KeyModifiers::META),
            shift: m.contains(KeyModifiers::SHIFT),
        };
        Some(Key::new(code, mods))
    }
}

impl TryFrom<KeyEvent> for Key {
    type Error = ();

    fn try_from(ev: KeyEvent) -> Result<Key, ()> {
        Key::from_event(&ev).ok_or(())
    }
}

/// A sequence of keys pressed one after another, written space-separated: `"g g"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySeq(pub Vec<Key>);

impl KeySeq {
    /// The keys in order.
    pub fn keys(&self) -> &[Key] {
        &self.0
    }

    /// True when `self` starts with every key of `other` (or equals it).
    pub fn starts_with(&self, other: &KeySeq) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl From<Key> for KeySeq {
    fn from(k: Key) -> KeySeq {
        KeySeq(vec![k])
    }
}

impl FromStr for KeySeq {
    type Err = KeyParseError;

    fn from_str(s: &str) -> Result<KeySeq, KeyParseError> {
        let keys = s
            .split_whitespace()
            .map(Key::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(KeyParseError::Empty);
        }
        Ok(KeySeq(keys))
    }
}

impl fmt::Display for KeySeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, k) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn k(s: &str) -> Key {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_and_round_trips() {
        for s in [
            "ctrl-p",
            "ctrl-d",
            "backtab",
            "F2",
            "F12",
            "esc",
            "enter",
            "tab",
            "up",
            "pgdn",
            "pgup",
            "home",
            "end",
            "space",
            "/",
            "?",
            ":",
            "G",
            "g",
            "alt-x",
            "-",
            "ctrl--",
            "ㄱ",
            "shift-up",
            "delete",
            "backspace",
            "ctrl-alt-x",
        ] {
            assert_eq!(k(s).to_string(), s, "round trip of {s}");
        }
    }

    #[test]
    fn aliases_normalise() {
        assert_eq!(k("shift-tab"), k("backtab"));
        assert_eq!(k("shift-g"), k("G"));
        assert_eq!(k("Ctrl-p"), k("ctrl-p"));
        assert_ne!(k("ctrl-P"), k("ctrl-p"));
        assert_eq!(k("ESC"), k("esc"));
        assert_eq!(k("f2"), k("F2"));
        assert_eq!(k("pagedown"), k("pgdn"));
        assert_ne!(k("G"), k("g"));
        assert_ne!(k("F"), k("F1"));
    }

    #[test]
    fn rejects_bad_strings() {
        for s in [
            "", "ctrl-", "hyper-x", "F0", "F25", "F01", "foo", "ctrl-foo", "x-",
        ] {
            assert!(s.parse::<Key>().is_err(), "{s:?} should fail");
        }
    }

    #[test]
    fn crossterm_uppercase_with_or_without_shift() {
        let plain = KeyEvent::new(CtKeyCode::Char('G'), KeyModifiers::NONE);
        let shifted = KeyEvent::new(CtKeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&plain), Some(k("G")));
        assert_eq!(Key::from_event(&shifted), Some(k("G")));
        let lower = KeyEvent::new(CtKeyCode::Char('g'), KeyModifiers::NONE);
        assert_eq!(Key::from_event(&lower), Some(k("g")));
        let bt = KeyEvent::new(CtKeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&bt), Some(k("shift-tab")));
        let cp = KeyEvent::new(CtKeyCode::Char('p'), KeyModifiers::CONTROL);
        assert_eq!(Key::from_event(&cp), Some(k("ctrl-p")));
    }

    #[test]
    fn jamo_have_latin_twins() {
        assert_eq!(k("ㅁ").latin_twin(), Some(k("a")));
        assert_eq!(k("ㅜ").latin_twin(), Some(k("n")));
        assert_eq!(k("ㄲ").latin_twin(), Some(k("R")));
        assert_eq!(k("a").latin_twin(), None);
        assert_eq!(k("가").latin_twin(), None);
        assert_eq!(k("ctrl-ㅁ").latin_twin(), None);
        // Every Latin letter has exactly one unshifted jamo.
        for c in 'a'..='z' {
            let n = TWO_BEOLSIK.iter().filter(|(_, l)| *l == c).count();
            assert_eq!(n, 1, "{c}");
        }
    }

    #[test]
    fn sequences() {
        let s: KeySeq = "g  g".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.to_string(), "g g");
        assert_eq!(s.keys().len(), 2);
        assert!("".parse::<KeySeq>().is_err());
        assert!("g bogus".parse::<KeySeq>().is_err());
    }
}
