//! Hangul arithmetic: syllable decomposition, compatibility jamo, compound jamo splitting,
//! 초성/jamo keys and the input folding (NFC, lowercase) every matcher shares.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// First precomposed Hangul syllable, `가`.
pub const SYLLABLE_BASE: u32 = 0xAC00;
/// Number of precomposed Hangul syllables (`가` ..= `힣`).
pub const SYLLABLE_COUNT: u32 = 11_172;
const JUNG_COUNT: u32 = 21;
const JONG_COUNT: u32 = 28;
const CHO_STRIDE: u32 = JUNG_COUNT * JONG_COUNT; // 588

/// The 19 initial consonants (초성) as compatibility jamo, in syllable order.
pub const CHOSEONG: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];
/// The 21 medial vowels (중성) as compatibility jamo, in syllable order.
pub const JUNGSEONG: [char; 21] = [
    'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ', 'ㅞ',
    'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ',
];
/// The 27 final consonants (종성) as compatibility jamo; index 0 of a syllable means "no final",
/// so final `k` (1..=27) is `JONGSEONG[k - 1]`.
pub const JONGSEONG: [char; 27] = [
    'ㄱ', 'ㄲ', 'ㄳ', 'ㄴ', 'ㄵ', 'ㄶ', 'ㄷ', 'ㄹ', 'ㄺ', 'ㄻ', 'ㄼ', 'ㄽ', 'ㄾ', 'ㄿ', 'ㅀ', 'ㅁ',
    'ㅂ', 'ㅄ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
];

/// A precomposed syllable split into its 초성, 중성 and 종성 indices (종성 0 = none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syllable {
    /// Initial consonant index, `0..19`.
    pub cho: u8,
    /// Vowel index, `0..21`.
    pub jung: u8,
    /// Final consonant index, `0..28` (0 = no final).
    pub jong: u8,
}

/// Splits a precomposed Hangul syllable; `None` for any other character.
pub fn decompose(c: char) -> Option<Syllable> {
    let i = (c as u32).checked_sub(SYLLABLE_BASE)?;
    if i >= SYLLABLE_COUNT {
        return None;
    }
    Some(Syllable {
        cho: (i / CHO_STRIDE) as u8,
        jung: ((i % CHO_STRIDE) / JONG_COUNT) as u8,
        jong: (i % JONG_COUNT) as u8,
    })
}

/// Builds a precomposed syllable from indices; `None` when an index is out of range.
pub fn compose(cho: u8, jung: u8, jong: u8) -> Option<char> {
    if cho >= 19 || u32::from(jung) >= JUNG_COUNT || u32::from(jong) >= JONG_COUNT {
        return None;
    }
    let code = SYLLABLE_BASE
        + u32::from(cho) * CHO_STRIDE
        + u32::from(jung) * JONG_COUNT
        + u32::from(jong);
    char::from_u32(code)
}

/// Whether `c` is a precomposed Hangul syllable.
pub fn is_syllable(c: char) -> bool {
    (c as u32).wrapping_sub(SYLLABLE_BASE) < SYLLABLE_COUNT
}

/// The 초성 index of a syllable, without building the whole [`Syllable`].
#[inline]
pub fn cho_index(c: char) -> Option<u8> {
    let i = (c as u32).wrapping_sub(SYLLABLE_BASE);
    (i < SYLLABLE_COUNT).then_some((i / CHO_STRIDE) as u8)
}

/// The index in [`CHOSEONG`] of a compatibility consonant that can start a syllable
/// (`ㄱ` → 0, `ㄲ` → 1 …); `None` for compound finals such as `ㄳ` and for anything else.
pub fn consonant_cho_index(c: char) -> Option<u8> {
    CHOSEONG.iter().position(|&j| j == c).map(|i| i as u8)
}

/// Whether `c` is a compatibility consonant (`ㄱ` ..= `ㅎ`, compounds included).
pub fn is_compat_consonant(c: char) -> bool {
    ('\u{3131}'..='\u{314E}').contains(&c)
}

/// Splits a compound compatibility jamo into its typed parts (`ㄳ` → `ㄱㅅ`, `ㅘ` → `ㅗㅏ`).
/// Tense consonants (`ㄲ`, `ㅆ` …) are one key on a Korean keyboard and stay whole; any other
/// character comes back as itself.
pub fn split_compound(c: char) -> (char, Option<char>) {
    let pair = match c {
        'ㄳ' => ('ㄱ', 'ㅅ'),
        'ㄵ' => ('ㄴ', 'ㅈ'),
        'ㄶ' => ('ㄴ', 'ㅎ'),
        'ㄺ' => ('ㄹ', 'ㄱ'),
        'ㄻ' => ('ㄹ', 'ㅁ'),
        'ㄼ' => ('ㄹ', 'ㅂ'),
        'ㄽ' => ('ㄹ', 'ㅅ'),
        'ㄾ' => ('ㄹ', 'ㅌ'),
        'ㄿ' => ('ㄹ', 'ㅍ'),
        'ㅀ' => ('ㄹ', 'ㅎ'),
        'ㅄ' => ('ㅂ', 'ㅅ'),
        'ㅘ' => ('ㅗ', 'ㅏ'),
        'ㅙ' => ('ㅗ', 'ㅐ'),
        'ㅚ' => ('ㅗ', 'ㅣ'),
        'ㅝ' => ('ㅜ', 'ㅓ'),
        'ㅞ' => ('ㅜ', 'ㅔ'),
        'ㅟ' => ('ㅜ', 'ㅣ'),
        'ㅢ' => ('ㅡ', 'ㅣ'),
        _ => return (c, None),
    };
    (pair.0, Some(pair.1))
}

fn push_split(c: char, out: &mut Vec<char>) {
    let (a, b) = split_compound(c);
    out.push(a);
    out.extend(b);
}

/// Appends the keystroke-level jamo of one character: a syllable becomes its 초성, 중성 and
/// 종성 with compounds split (`괆` → `ㄱㅗㅏㄹㅁ`); a compound compatibility jamo is split; any other
/// character is appended as is.
pub fn push_jamo(c: char, out: &mut Vec<char>) {
    match decompose(c) {
        Some(s) => {
            out.push(CHOSEONG[usize::from(s.cho)]);
            push_split(JUNGSEONG[usize::from(s.jung)], out);
            if s.jong > 0 {
                push_split(JONGSEONG[usize::from(s.jong) - 1], out);
            }
        }
        None => push_split(c, out),
    }
}

/// The jamo key of a string: every character through [`push_jamo`], after [`fold`].
pub fn jamo_key(s: &str) -> String {
    let mut out = Vec::new();
    for c in fold(s) {
        push_jamo(c, &mut out);
    }
    out.into_iter().collect()
}

/// The 초성 key of a string: each syllable replaced by its initial consonant, other characters
/// kept (after [`fold`]). `김민수` → `ㄱㅁㅅ`.
pub fn choseong_key(s: &str) -> String {
    fold(s)
        .map(|c| cho_index(c).map_or(c, |i| CHOSEONG[usize::from(i)]))
        .collect()
}

/// NFC-normalises `s`, borrowing when it is already NFC (the common case).
pub fn nfc(s: &str) -> std::borrow::Cow<'_, str> {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

/// Case-folds one character for matching: Hangul and other caseless characters unchanged,
/// Latin lowercased (a character whose lowercase is several characters is kept as is).
#[inline]
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if is_syllable(c) {
        return c;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// The matching units of a string: NFC, whitespace removed, each character [`fold_char`]ed.
pub fn fold(s: &str) -> impl Iterator<Item = char> + '_ {
    fold_indexed(s).map(|(_, c)| c)
}

/// Like [`fold`], paired with each unit's char index in the NFC form of `s`.
pub fn fold_indexed(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let chars: Vec<char> = nfc(s).chars().collect();
    chars
        .into_iter()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| (i, fold_char(c)))
}
