//! Matching one name against a [`NameQuery`]: syllable alignment, rank class, score, highlight
//! positions, and the fuzzy fallback.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::hangul::fold_indexed;
use super::query::{NameQuery, cons_matches};

/// How a record matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchClass {
    /// The query has no name term (digits only, or empty): the record passed the other terms.
    Any,
    /// The whole name, syllable for syllable.
    Exact,
    /// The start of the name (the last query syllable may be partial).
    Prefix,
    /// A syllable-aligned run inside the name.
    Substring,
    /// The query uses lone consonants (초성) at some position.
    Initials,
    /// Nothing else matched; the query's characters appear in order (fuzzy-matcher).
    Fuzzy,
}

impl MatchClass {
    /// Larger is better.
    pub fn rank(self) -> u32 {
        match self {
            MatchClass::Any => 6,
            MatchClass::Exact => 5,
            MatchClass::Prefix => 4,
            MatchClass::Substring => 3,
            MatchClass::Initials => 2,
            MatchClass::Fuzzy => 1,
        }
    }
}

/// Where a query sits in a name (unit indices, whitespace excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alignment {
    pub(crate) start: usize,
    pub(crate) len: usize,
    /// The last query syllable's final consonant was read as the next syllable's 초성.
    pub(crate) spill: bool,
}

/// A name that matched, with its class, sortable score (larger is better) and the char
/// positions (in the NFC name) to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// The rank class.
    pub class: MatchClass,
    /// Sort key: class rank in the high bits, then in-class bonuses or the fuzzy score.
    pub score: u32,
    /// Char indices of the matched characters in the NFC name.
    pub positions: Vec<usize>,
}

/// The best syllable-aligned placement of `q` in the folded units `t`: the leftmost start,
/// a direct match preferred over a final-consonant spill at the same start.
pub(crate) fn align(q: &NameQuery, t: &[char]) -> Option<Alignment> {
    let m = q.units.len();
    let (&first, _) = q.units.split_first()?;
    if t.len() < m {
        return None;
    }
    let (init, _) = q.units.split_at(m - 1);
    for s in 0..=t.len() - m {
        if m > 1 && !first.matches_whole(t[s]) {
            continue;
        }
        if !init[1.min(init.len())..]
            .iter()
            .zip(&t[s + 1..])
            .all(|(u, &c)| u.matches_whole(c))
        {
            continue;
        }
        let last = s + m - 1;
        if q.last_matches(t[last]) {
            return Some(Alignment {
                start: s,
                len: m,
                spill: false,
            });
        }
        if let Some(sp) = q.spill
            && t[last] == sp.head
            && t.get(last + 1).is_some_and(|&n| cons_matches(sp.cho, n))
        {
            return Some(Alignment {
                start: s,
                len: m + 1,
                spill: true,
            });
        }
    }
    None
}

/// The class and score of an alignment.
pub(crate) fn classify(q: &NameQuery, t: &[char], a: Alignment) -> (MatchClass, u32) {
    let class = if q.has_initials {
        MatchClass::Initials
    } else if a.start > 0 {
        MatchClass::Substring
    } else if !a.spill && t == q.chars() {
        MatchClass::Exact
    } else {
        MatchClass::Prefix
    };
    let bonus = (u32::from(a.start == 0) << 1) | u32::from(!a.spill);
    (class, (class.rank() << 24) | bonus)
}

/// Structured (non-fuzzy) match of folded units.
#[inline]
pub(crate) fn structured(q: &NameQuery, t: &[char]) -> Option<(MatchClass, u32, Alignment)> {
    let a = align(q, t)?;
    let (class, score) = classify(q, t, a);
    Some((class, score, a))
}

/// Whether `q` occurs in `t` as a subsequence: a cheap necessary condition for fuzzy-matcher.
#[inline]
pub(crate) fn is_subsequence(q: &[char], t: &[char]) -> bool {
    let mut rest = t.iter();
    q.iter().all(|c| rest.any(|x| x == c))
}

/// A reusable fuzzy scorer (fuzzy-matcher's SkimMatcherV2, case-insensitive).
pub(crate) struct Fuzzy {
    matcher: SkimMatcherV2,
    buf: String,
}

impl Fuzzy {
    pub(crate) fn new() -> Self {
        Self {
            matcher: SkimMatcherV2::default().ignore_case(),
            buf: String::new(),
        }
    }

    /// Score and unit positions of a fuzzy match of `q` in units `t`.
    pub(crate) fn score(&mut self, q: &NameQuery, t: &[char]) -> Option<(u32, Vec<usize>)> {
        if q.is_empty() || !is_subsequence(q.chars(), t) {
            return None;
        }
        self.buf.clear();
        self.buf.extend(t.iter());
        let (score, idx) = self.matcher.fuzzy_indices(&self.buf, q.text())?;
        let score = score.clamp(0, (1 << 24) - 1) as u32;
        Some(((MatchClass::Fuzzy.rank() << 24) | score, idx))
    }
}

/// Matches one string against a name query (structured classes only, no fuzzy): usable for
/// any name, e.g. resource names (`ㅍㄷㅂㅋ` → 푸드뱅크, `푸드` → 강남푸드뱅크).
pub fn match_name(q: &NameQuery, target: &str) -> Option<NameMatch> {
    let (pos, units): (Vec<usize>, Vec<char>) = fold_indexed(target).unzip();
    let (class, score, a) = structured(q, &units)?;
    Some(NameMatch {
        class,
        score,
        positions: pos[a.start..a.start + a.len].to_vec(),
    })
}

/// Ranks `names` against `query` (whitespace ignored), fuzzy hits filling up when fewer than
/// `limit` names match structurally. Returns `(index into names, match)`, best first, ties by
/// name then index. An empty query matches nothing.
pub fn rank_names<S: AsRef<str>>(
    query: &str,
    names: &[S],
    limit: usize,
) -> Vec<(usize, NameMatch)> {
    let q = NameQuery::new(query);
    if q.is_empty() {
        return Vec::new();
    }
    let folded: Vec<(Vec<usize>, Vec<char>)> = names
        .iter()
        .map(|n| fold_indexed(n.as_ref()).unzip())
        .collect();
    let mut hits: Vec<(usize, NameMatch)> = Vec::new();
    let mut matched = vec![false; names.len()];
    for (i, (pos, units)) in folded.iter().enumerate() {
        if let Some((class, score, a)) = structured(&q, units) {
            matched[i] = true;
            let positions = pos[a.start..a.start + a.len].to_vec();
            hits.push((
                i,
                NameMatch {
                    class,
                    score,
                    positions,
                },
            ));
        }
    }
    if hits.len() < limit {
        let mut fuzzy = Fuzzy::new();
        for (i, (pos, units)) in folded.iter().enumerate() {
            if matched[i] {
                continue;
            }
            if let Some((score, idx)) = fuzzy.score(&q, units) {
                let positions = idx.iter().map(|&k| pos[k]).collect();
                let class = MatchClass::Fuzzy;
                hits.push((
                    i,
                    NameMatch {
                        class,
                        score,
                        positions,
                    },
                ));
            }
        }
    }
    hits.sort_by(|a, b| {
        b.1.score
            .cmp(&a.1.score)
            .then_with(|| folded[a.0].1.cmp(&folded[b.0].1))
            .then(a.0.cmp(&b.0))
    });
    hits.truncate(limit);
    hits
}
