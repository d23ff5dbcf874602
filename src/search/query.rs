//! Query parsing: digit terms (phone tail, birth year, birth date) and the compiled name query.

use super::hangul::{
    CHOSEONG, compose, consonant_cho_index, decompose, fold, is_compat_consonant, push_jamo,
    split_compound,
};

/// A birth date (proleptic Gregorian, validated by [`BirthDate::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BirthDate {
    /// Year, e.g. 1950.
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day, 1..=31.
    pub day: u8,
}

impl BirthDate {
    /// A date, or `None` when it does not exist (`1950-02-30`) or the year is outside 1..=4095.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if year == 0 || year > 4095 {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))?;
        Some(Self { year, month, day })
    }

    /// Packs the date into a non-zero `u32` (0 is free to mean "unknown").
    pub(crate) fn pack(self) -> u32 {
        (u32::from(self.year) << 9) | (u32::from(self.month) << 5) | u32::from(self.day)
    }
}

/// One digit term of a query; every term must hold for a record to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitTerm {
    /// Four digits: the last four digits of the phone number, or the birth year.
    PhoneTailOrYear(u16),
    /// `YYMMDD`, `YYYYMMDD` or `YYYY-MM-DD` (also `.` or `/` as separators): the birth date.
    Date(BirthDate),
}

/// A parsed query: digit terms plus one name query made of every other term joined without
/// spaces (`김 민수` looks for `김민수`).
#[derive(Debug, Clone)]
pub struct Query {
    pub(crate) name: NameQuery,
    pub(crate) digits: Vec<DigitTerm>,
}

impl Query {
    /// Parses `text`. `today_year` picks the century of a 6-digit date: `yy` is read as 20yy
    /// unless that lies after `today_year`, then as 19yy.
    pub fn parse(text: &str, today_year: u16) -> Self {
        let mut digits = Vec::new();
        let mut name = String::new();
        for term in text.split_whitespace() {
            match parse_digit_term(term, today_year) {
                Some(d) => digits.push(d),
                None => name.push_str(term),
            }
        }
        Self {
            name: NameQuery::new(&name),
            digits,
        }
    }

    /// The name part of the query.
    pub fn name(&self) -> &NameQuery {
        &self.name
    }

    /// The digit terms of the query.
    pub fn digit_terms(&self) -> &[DigitTerm] {
        &self.digits
    }

    /// Whether the query has no term at all.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.digits.is_empty()
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if all_digits(s) { s.parse().ok() } else { None }
}

/// Parses one whitespace-free term as a digit term, or `None` when it is a name term.
pub fn parse_digit_term(term: &str, today_year: u16) -> Option<DigitTerm> {
    if all_digits(term) {
        return match term.len() {
            4 => num(term).map(DigitTerm::PhoneTailOrYear),
            6 => {
                let yy: u16 = num(&term[0..2])?;
                let full = 2000 + yy;
                let year = if full > today_year { 1900 + yy } else { full };
                BirthDate::new(year, num(&term[2..4])?, num(&term[4..6])?).map(DigitTerm::Date)
            }
            8 => BirthDate::new(num(&term[0..4])?, num(&term[4..6])?, num(&term[6..8])?)
                .map(DigitTerm::Date),
            _ => None,
        };
    }
    let parts: Vec<&str> = term.split(['-', '.', '/']).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            BirthDate::new(num(y)?, num(m)?, num(d)?).map(DigitTerm::Date)
        }
        _ => None,
    }
}

/// One position of a name query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A precomposed syllable: matches that syllable (or, last, any syllable it is a jamo prefix of).
    Syl(char),
    /// A lone consonant (초성 index): matches any syllable starting with it.
    Cons(u8),
    /// Anything else (Latin, digits, lone vowels): matches itself, case-folded.
    Lit(char),
}

impl Unit {
    /// The keystroke jamo of a Hangul unit; `None` for a literal.
    pub(crate) fn jamo(self) -> Option<Vec<char>> {
        let mut out = Vec::with_capacity(6);
        match self {
            Unit::Syl(c) => push_jamo(c, &mut out),
            Unit::Cons(i) => out.push(CHOSEONG[usize::from(i)]),
            Unit::Lit(_) => return None,
        }
        Some(out)
    }

    /// Whether the unit matches `t` as a whole (any position but the last).
    #[inline]
    pub(crate) fn matches_whole(self, t: char) -> bool {
        match self {
            Unit::Syl(q) | Unit::Lit(q) => q == t,
            Unit::Cons(i) => cons_matches(i, t),
        }
    }
}

/// A lone consonant matches a syllable with that 초성, or the same lone consonant.
#[inline]
pub(crate) fn cons_matches(cho: u8, t: char) -> bool {
    super::hangul::cho_index(t) == Some(cho) || CHOSEONG[usize::from(cho)] == t
}

/// The final consonant of the last query syllable read as the next syllable's 초성:
/// `김` = `기` + `ㅁ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spill {
    /// The syllable without its (last) final consonant, matched whole.
    pub(crate) head: char,
    /// The 초성 index the next target syllable must start with.
    pub(crate) cho: u8,
}

/// The name part of a query, compiled for syllable-aligned matching.
#[derive(Debug, Clone)]
pub struct NameQuery {
    text: String,
    chars: Vec<char>,
    pub(crate) units: Vec<Unit>,
    pub(crate) has_initials: bool,
    /// For a syllable last unit: its 초성 and a bitset over the 588 syllables with that 초성
    /// marking those whose jamo the unit's jamo is a prefix of.
    last_set: Option<(u8, [u64; 10])>,
    pub(crate) spill: Option<Spill>,
    /// Signature bits (see [`sig_bits`]) every structural match's name has.
    pub(crate) structural_need: u32,
    /// Signature bits every name the query is a subsequence of (fuzzy candidates) has.
    pub(crate) fuzzy_need: u32,
}

/// A name's signature: bit `i < 19` when some character is a syllable with 초성 `i` or the
/// lone consonant [`CHOSEONG`]`[i]`; bit `19 + c % 13` for every character `c`. A query's
/// `*_need` bits are a subset of the signature of every name it can match, so a scan skips
/// a name whose signature lacks one with a single AND.
#[inline]
pub(crate) fn sig_bits(c: char) -> u32 {
    let cho = super::hangul::cho_index(c).or_else(|| consonant_cho_index(c));
    char_bit(c) | cho.map_or(0, cho_bit)
}

#[inline]
fn char_bit(c: char) -> u32 {
    1 << (19 + (c as u32 % 13))
}

#[inline]
fn cho_bit(cho: u8) -> u32 {
    1 << u32::from(cho)
}

/// The bits a structural match needs: every unit matches a character with its 초성 (a
/// syllable, whole, partial or spilled, keeps the 초성; a lone consonant matches its 초성),
/// every unit but a partial last syllable matches its own character, and a literal is itself.
fn structural_need(units: &[Unit]) -> u32 {
    let last = units.len().saturating_sub(1);
    units.iter().enumerate().fold(0, |need, (i, u)| {
        need | match *u {
            Unit::Cons(c) => cho_bit(c),
            Unit::Syl(c) => {
                let cho = super::hangul::cho_index(c).map_or(0, cho_bit);
                if i < last { cho | char_bit(c) } else { cho }
            }
            Unit::Lit(c) => char_bit(c),
        }
    })
}

impl NameQuery {
    /// Compiles a name query: NFC, whitespace dropped, Latin lowercased, compound lone
    /// consonants split into two 초성 (`ㄳ` → `ㄱ`, `ㅅ`).
    pub fn new(text: &str) -> Self {
        let chars: Vec<char> = fold(text).collect();
        let mut units = Vec::with_capacity(chars.len());
        for &c in &chars {
            if decompose(c).is_some() {
                units.push(Unit::Syl(c));
            } else if is_compat_consonant(c) {
                let (a, b) = split_compound(c);
                for part in std::iter::once(a).chain(b) {
                    units.push(consonant_cho_index(part).map_or(Unit::Lit(part), Unit::Cons));
                }
            } else {
                units.push(Unit::Lit(c));
            }
        }
        let has_initials = units.iter().any(|u| matches!(u, Unit::Cons(_)));
        let last = units.last().copied();
        Self {
            text: chars.iter().collect(),
            has_initials,
            last_set: last.and_then(last_syllable_set),
            spill: last.and_then(spill_of),
            structural_need: structural_need(&units),
            fuzzy_need: chars.iter().fold(0, |need, &c| need | char_bit(c)),
            chars,
            units,
        }
    }

    /// The folded query text (no spaces), as used for exact and fuzzy matching.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The folded query characters.
    pub(crate) fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Whether the name query is empty.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The first syllable of the 초성 block a syllable last unit's matches lie in.
    pub(crate) fn cho_base(&self) -> Option<u32> {
        self.last_set
            .as_ref()
            .map(|(cho, _)| u32::from(*cho) * 588 + super::hangul::SYLLABLE_BASE)
    }

    /// Whether the last unit matches target character `t` (partially allowed).
    #[inline]
    pub(crate) fn last_matches(&self, t: char) -> bool {
        match &self.last_set {
            Some((cho, set)) => {
                let base = u32::from(*cho) * 588 + super::hangul::SYLLABLE_BASE;
                let i = (t as u32).wrapping_sub(base);
                i < 588 && set[(i / 64) as usize] & (1 << (i % 64)) != 0
            }
            None => self.units.last().is_some_and(|u| u.matches_whole(t)),
        }
    }
}

fn last_syllable_set(u: Unit) -> Option<(u8, [u64; 10])> {
    let Unit::Syl(q) = u else { return None };
    let s = decompose(q)?;
    let q_jamo = u.jamo()?;
    let mut set = [0u64; 10];
    let mut t_jamo = Vec::with_capacity(6);
    for i in 0..588u32 {
        let t = compose(s.cho, (i / 28) as u8, (i % 28) as u8)?;
        t_jamo.clear();
        push_jamo(t, &mut t_jamo);
        if t_jamo.starts_with(&q_jamo) {
            set[(i / 64) as usize] |= 1 << (i % 64);
        }
    }
    Some((s.cho, set))
}

fn spill_of(u: Unit) -> Option<Spill> {
    let Unit::Syl(q) = u else { return None };
    let s = decompose(q)?;
    if s.jong == 0 {
        return None;
    }
    let final_jamo = super::hangul::JONGSEONG[usize::from(s.jong) - 1];
    let (first, second) = split_compound(final_jamo);
    let (kept, moved) = match second {
        Some(second) => (Some(first), second),
        None => (None, first),
    };
    let kept_jong = match kept {
        Some(k) => super::hangul::JONGSEONG.iter().position(|&j| j == k)? as u8 + 1,
        None => 0,
    };
    Some(Spill {
        head: compose(s.cho, s.jung, kept_jong)?,
        cho: consonant_cho_index(moved)?,
    })
}
