//! Typing on a choice field selects an option (type-to-select), so no key typed there is lost.
//!
//! Characters typed in quick succession (less than [`RUN_PAUSE`] apart) make one run, matched
//! against each option's label with spaces and brackets ignored: first an option the run spells
//! whole (`ㅈㄱ` → `종결`, not `제공·점검`), then one that *starts* with the run, then one that
//! *contains* it, each searched from the selected option on. A run
//! may be Hangul syllables (`비해` → `비해당`; the last one may be unfinished, `요` → `욕구…`), 초성
//! (`ㅂㅎ` → `비해당`), Latin letters (any case) or digits; jamo typed with the Korean IME on also
//! match Latin options by the key they sit on (`ㅗ` is `h` → `html`); a number that matches no
//! label picks the option at that position (`2` → the second).
//!
//! A fresh run (after a pause, or its first character) starts looking *after* the selected
//! option, so typing the same letter again steps through the options that start with it. A
//! character that makes the run match nothing starts a new run with itself; when even that
//! matches nothing, the field says so under the value (naming the field and what was typed)
//! and the selection stays.

use std::time::{Duration, Instant};

use super::field::{Field, FieldKey, FieldKind, Run};
use crate::hangul;
use crate::tui::key::Key;

/// A pause this long between two typed characters ends a run.
pub const RUN_PAUSE: Duration = Duration::from_millis(1000);

/// The hint drawn after a focused choice's value.
pub const CHOICE_HINT: &str = "←→ 또는 글자로 선택";

impl<K: FieldKey> Field<K> {
    /// A character typed on a choice field at `now` (see the module docs). True when an option
    /// matched (it is selected); false when nothing did (the field shows why).
    pub(super) fn type_to_select(&mut self, c: char, now: Instant) -> bool {
        if !matches!(self.kind, FieldKind::Choice(_)) {
            return false;
        }
        let fresh = self
            .run
            .at
            .is_none_or(|t| now.saturating_duration_since(t) > RUN_PAUSE);
        if fresh {
            self.run.typed.clear();
        }
        self.run.at = Some(now);
        let mut run = std::mem::take(&mut self.run.typed);
        run.push(c);
        // Extending a run keeps the selected option if it still matches.
        let extended = (run.chars().count() > 1)
            .then(|| self.find(&run, true))
            .flatten();
        let found = match extended {
            Some(i) => Some((i, run.clone())),
            None => self
                .find(c.encode_utf8(&mut [0; 4]), false)
                .map(|i| (i, c.into())),
        };
        match found {
            Some((i, kept)) => {
                self.choice = i;
                self.run.typed = kept;
                self.error = None;
                true
            }
            None => {
                self.error = Some(no_match(&self.label, &run));
                false
            }
        }
    }

    /// A pasted text on a choice field: one whole run (a fresh one).
    pub(super) fn paste_to_select(&mut self, pasted: &str) -> bool {
        let run: String = pasted.chars().filter(|c| !c.is_control()).collect();
        let run = run.trim();
        self.run = Run::default();
        if run.is_empty() {
            return false;
        }
        match self.find(run, true) {
            Some(i) => {
                self.choice = i;
                self.error = None;
                true
            }
            None => {
                self.error = Some(no_match(&self.label, run));
                false
            }
        }
    }

    /// Ends the run (an arrow, space or a focus move chose otherwise).
    pub(super) fn end_run(&mut self) {
        self.run = Run::default();
    }

    /// The option `typed` selects, searched from the selected one (`inclusive`) or the one
    /// after it; `None` when none matches.
    fn find(&self, typed: &str, inclusive: bool) -> Option<usize> {
        let FieldKind::Choice(opts) = &self.kind else {
            return None;
        };
        let query = units(typed);
        if query.is_empty() || opts.is_empty() {
            return None;
        }
        let n = opts.len();
        let order: Vec<usize> = if inclusive {
            (0..n).map(|k| (self.choice + k) % n).collect()
        } else {
            (1..=n).map(|k| (self.choice + k) % n).collect()
        };
        let latin: Option<Vec<char>> = query
            .iter()
            .map(|c| {
                Key::char(*c)
                    .latin_twin()
                    .and_then(|k| k.text_char())
                    .map(|l| l.to_ascii_lowercase())
            })
            .collect();
        let labels: Vec<Vec<char>> = opts.iter().map(|o| units(o)).collect();
        let pass = |q: &[char], how: Place| {
            order
                .iter()
                .copied()
                .find(|i| labels.get(*i).is_some_and(|l| matches(l, q, how)))
        };
        let best = |q: &[char]| {
            pass(q, Place::Whole)
                .or_else(|| pass(q, Place::Start))
                .or_else(|| pass(q, Place::Anywhere))
        };
        best(&query)
            .or_else(|| best(latin.as_deref()?))
            .or_else(|| {
                let digits: String = query.iter().collect();
                let k: usize = digits.parse().ok()?;
                k.checked_sub(1).filter(|i| *i < n)
            })
    }
}

/// The message under a choice field when what was typed matches none of its options.
fn no_match(label: &str, typed: &str) -> String {
    format!("{label}: \"{typed}\"에 맞는 항목이 없습니다")
}

/// The characters a label or a run is matched by: letters and digits (Hangul included),
/// lowercased; spaces, brackets and other marks dropped.
fn units(text: &str) -> Vec<char> {
    hangul::nfc(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where in a label a run must match.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// The whole label.
    Whole,
    /// Its start.
    Start,
    /// Anywhere in it.
    Anywhere,
}

/// Whether `query` occurs in `label` at `how`, character by character (see [`unit_matches`]).
fn matches(label: &[char], query: &[char], how: Place) -> bool {
    if query.len() > label.len() {
        return false;
    }
    let last = label.len() - query.len();
    let starts = match how {
        Place::Whole if last > 0 => return false,
        Place::Whole | Place::Start => 0..=0,
        Place::Anywhere => 0..=last,
    };
    starts.into_iter().any(|s| {
        query.iter().enumerate().all(|(k, q)| {
            label
                .get(s + k)
                .is_some_and(|l| unit_matches(*q, *l, k + 1 == query.len()))
        })
    })
}

/// One typed character against one label character: the same, a lone consonant that is the
/// syllable's 초성, or — for the run's last character, which the IME may still be building — a
/// syllable the label's syllable starts with (`요` → `욕`).
fn unit_matches(typed: char, label: char, last: bool) -> bool {
    if typed == label {
        return true;
    }
    if let Some(cho) = hangul::consonant_cho_index(typed) {
        return hangul::cho_index(label) == Some(cho);
    }
    if !last {
        return false;
    }
    match (hangul::decompose(typed), hangul::decompose(label)) {
        (Some(t), Some(l)) => {
            t.cho == l.cho && t.jung == l.jung && (t.jong == 0 || t.jong == l.jong)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTCOMES: [&str; 5] = ["지원 연계", "비해당", "조사 불가", "거부", "이미 관리 중"];

    fn outcome() -> Field<u8> {
        Field::choice(0u8, "결과", &OUTCOMES)
    }

    fn type_at(f: &mut Field<u8>, text: &str, start: Instant, gap: Duration) -> bool {
        let mut ok = true;
        for (k, c) in text.chars().enumerate() {
            let at = start + gap * u32::try_from(k).unwrap_or(0);
            ok = f.type_to_select(c, at);
        }
        ok
    }

    #[test]
    fn syllables_initials_and_contained_text_select() {
        let t0 = Instant::now();
        let quick = Duration::from_millis(100);
        for (typed, want) in [
            ("비", "비해당"),
            ("ㅂ", "비해당"),
            ("ㅂㅎㄷ", "비해당"),
            ("해당", "비해당"),
            ("조사불", "조사 불가"),
            ("조ㅅ", "조사 불가"),
            ("ㄱㅂ", "거부"),
            ("여", "지원 연계"),
            ("관리", "이미 관리 중"),
            ("1", "지원 연계"),
        ] {
            let mut f = outcome().with_value("거부");
            assert!(type_at(&mut f, typed, t0, quick), "{typed}");
            assert_eq!(f.value(), want, "{typed}");
            assert_eq!(f.error(), None, "{typed}");
        }
    }

    #[test]
    fn a_run_spelling_a_whole_option_beats_one_it_starts() {
        let mut f = Field::choice(0u8, "새 단계", &["계획", "제공·점검", "재사정", "종결"]);
        assert!(type_at(
            &mut f,
            "ㅈㄱ",
            Instant::now(),
            Duration::from_millis(50)
        ));
        assert_eq!(f.value(), "종결");
        assert!(type_at(
            &mut f,
            "제공",
            Instant::now() + Duration::from_secs(3),
            Duration::ZERO
        ));
        assert_eq!(f.value(), "제공·점검");
    }

    #[test]
    fn a_pause_starts_a_new_run_and_the_same_letter_steps_on() {
        let t0 = Instant::now();
        let mut f = outcome();
        // ㅈ then ㅇ quickly: 초성 ㅈㅇ is 지원 연계.
        assert!(type_at(&mut f, "ㅈㅇ", t0, Duration::from_millis(200)));
        assert_eq!(f.value(), "지원 연계");
        // After a pause, ㅇ alone: 이미 관리 중.
        assert!(f.type_to_select('ㅇ', t0 + Duration::from_secs(5)));
        assert_eq!(f.value(), "이미 관리 중");
        // From 거부: ㅈ, pause, ㅈ: 지원 연계, then the next option starting with ㅈ.
        let mut f = outcome().with_value("거부");
        assert!(type_at(&mut f, "ㅈㅈ", t0, Duration::from_secs(2)));
        assert_eq!(f.value(), "조사 불가");
        // Quickly ㅈㅈ: no option has ㅈㅈ, so the second ㅈ starts over and steps on too.
        let mut f = outcome().with_value("거부");
        assert!(type_at(&mut f, "ㅈㅈ", t0, Duration::from_millis(100)));
        assert_eq!(f.value(), "조사 불가");
    }

    #[test]
    fn nothing_matching_says_so_and_keeps_the_choice() {
        let mut f = outcome().with_value("거부");
        assert!(!f.type_to_select('ㅋ', Instant::now()));
        assert_eq!(f.value(), "거부");
        assert_eq!(f.error(), Some("결과: \"ㅋ\"에 맞는 항목이 없습니다"));
        assert!(f.type_to_select('ㅂ', Instant::now() + Duration::from_secs(3)));
        assert_eq!((f.value(), f.error()), ("비해당", None));
    }

    #[test]
    fn latin_options_take_jamo_typed_with_the_ime_on() {
        let mut f = Field::choice(0u8, "형식", &["HWPX", "html", "csv"]);
        let t0 = Instant::now();
        assert!(type_at(&mut f, "ㅊ", t0, Duration::ZERO));
        assert_eq!(f.value(), "csv");
        assert!(f.type_to_select('H', t0 + Duration::from_secs(3)));
        assert_eq!(f.value(), "HWPX");
        assert!(type_at(
            &mut f,
            "ㅗㅅ",
            t0 + Duration::from_secs(6),
            Duration::ZERO
        ));
        assert_eq!(f.value(), "html");
    }

    #[test]
    fn paste_selects_the_whole_text() {
        let mut f = outcome();
        assert!(f.paste_to_select("이미 관리 중\n"));
        assert_eq!(f.value(), "이미 관리 중");
        assert!(!f.paste_to_select("전화"));
        assert_eq!(f.error(), Some("결과: \"전화\"에 맞는 항목이 없습니다"));
    }
}
