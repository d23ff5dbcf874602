//! Who a new resident may already be: the intake checks for what staff type twice.
//!
//! - the same name and the same phone number;
//! - the same name and the same birth date (or the same name when no birth date was given);
//! - the same 초성, birth year and 동 (a typo in the name);
//! - a name typed with spaces (`홍 길순` is checked, and registered, as `홍길순`);
//! - a search leftover: the name is the query that was in the search box plus another name
//!   (`홍길순김민수`), or, at five syllables or more, an existing resident's name plus another.

use crate::search::Searcher;
use crate::search::hangul::choseong_key;
use crate::search::residents::{Filters, ResidentIndex, find};
use crate::store::{ResidentSummary, Result, Store};

/// Why a resident is listed as a possible duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reason {
    NamePhone,
    NameBirth,
    /// Same name; the new resident has no birth date to compare.
    NameOnly,
    InitialsYearDong,
    /// The typed name looks like this resident's name plus a search leftover.
    Leftover,
}

impl Reason {
    pub(super) fn label(self) -> &'static str {
        match self {
            Reason::NamePhone => "같은 이름·연락처",
            Reason::NameBirth => "같은 이름·생년월일",
            Reason::NameOnly => "같은 이름",
            Reason::InitialsYearDong => "같은 초성·출생연도·동",
            Reason::Leftover => "이름에 다른 이름이 붙음",
        }
    }
}

fn is_syllable(c: char) -> bool {
    ('가'..='힣').contains(&c)
}

/// The name as it should be stored: a Hangul name loses the spaces typed inside it
/// (`홍 길순` → `홍길순`); any other name keeps single spaces between words.
pub(super) fn normalize_name(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.iter().all(|w| w.chars().all(is_syllable)) {
        words.concat()
    } else {
        words.join(" ")
    }
}

/// True when a search query looks like a person's name (2–5 Hangul syllables, no jamo, digits
/// or other characters), so intake may offer it as the name.
pub(super) fn looks_like_name(q: &str) -> bool {
    let n = q.chars().count();
    (2..=5).contains(&n) && q.chars().all(is_syllable)
}

fn digits(s: Option<&str>) -> Option<String> {
    let d: String = s?.chars().filter(char::is_ascii_digit).collect();
    (d.len() >= 7).then_some(d)
}

/// What the intake check found.
#[derive(Debug, Default)]
pub(super) struct Check {
    pub candidates: Vec<(ResidentSummary, Reason)>,
    /// The part of the typed name that looks like a search leftover (`김민수` in `홍길순김민수`).
    pub leftover: Option<String>,
}

/// The new resident (name already normalized) against everyone known. `query` is what was in
/// the search box when the intake form was opened.
pub(super) fn check(
    store: &Store,
    index: Option<&ResidentIndex>,
    name: &str,
    birth: Option<&str>,
    phone: Option<&str>,
    dong: &str,
    query: &str,
) -> Result<Check> {
    let mut out = Check::default();
    let push = |out: &mut Check, s: ResidentSummary, r: Reason| {
        if !out.candidates.iter().any(|(c, _)| c.id == s.id) {
            out.candidates.push((s, r));
        }
    };
    let phone = digits(phone);
    for s in same_name(store, index, name)? {
        let reason = if phone.is_some() && digits(s.phone.as_deref()) == phone {
            Reason::NamePhone
        } else if birth.is_some() && s.birth_date.as_deref() == birth {
            Reason::NameBirth
        } else if birth.is_none() {
            Reason::NameOnly
        } else {
            continue;
        };
        push(&mut out, s, reason);
    }
    let initials = choseong_key(name);
    for s in store.duplicate_candidates(name, birth, dong)? {
        if s.name == name && s.birth_date.as_deref() == birth {
            push(&mut out, s, Reason::NameBirth);
        } else if birth.is_some() && s.dong == dong && choseong_key(&s.name) == initials {
            push(&mut out, s, Reason::InitialsYearDong);
        }
    }
    // A search leftover glued to the name: split into two names of two syllables or more.
    let chars: Vec<char> = name.chars().collect();
    let query = normalize_name(query);
    if chars.len() >= 4 && chars.iter().all(|c| is_syllable(*c)) {
        for k in 2..=chars.len() - 2 {
            let a: String = chars[..k].iter().collect();
            let b: String = chars[k..].iter().collect();
            let glued_query = !query.is_empty() && (a == query || b == query);
            if glued_query {
                out.leftover = Some(query.clone());
            }
            if !glued_query && chars.len() < 5 {
                continue;
            }
            for part in [&a, &b] {
                for s in same_name(store, index, part)? {
                    out.leftover.get_or_insert_with(|| part.clone());
                    push(&mut out, s, Reason::Leftover);
                }
            }
        }
    }
    Ok(out)
}

/// Residents whose name (normalized) is exactly `name`, from the index when it is loaded.
fn same_name(
    store: &Store,
    index: Option<&ResidentIndex>,
    name: &str,
) -> Result<Vec<ResidentSummary>> {
    let Some(ix) = index else {
        return Ok(store
            .duplicate_candidates(name, None, "")?
            .into_iter()
            .filter(|s| normalize_name(&s.name) == name)
            .collect());
    };
    Ok(find(
        store,
        ix,
        &mut Searcher::new(),
        name,
        &Filters::default(),
        200,
    )?
    .into_iter()
    .map(|h| h.summary)
    .filter(|s| normalize_name(&s.name) == name)
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_queries() {
        assert_eq!(normalize_name(" 홍 길순 "), "홍길순");
        assert_eq!(normalize_name("Nguyen  Thi   Hoa"), "Nguyen Thi Hoa");
        assert!(looks_like_name("김민수"));
        assert!(looks_like_name("남궁민수"));
        assert!(!looks_like_name("김"));
        assert!(!looks_like_name("ㄱㅁㅅ"));
        assert!(!looks_like_name("김민ㅅ"));
        assert!(!looks_like_name("민수 1234"));
        assert!(!looks_like_name("홍길순김민수"));
    }
}
