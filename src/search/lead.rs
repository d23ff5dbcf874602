//! The first screenfuls of a one-character query on a large index, without ranking every match.
//!
//! A one-unit query (`ㄱ`, `기`, `김`, `a`: the first keystrokes) matches a large share of a
//! big index, but its best matches all start with it: every match at the name's first
//! character outranks every match further in (see [`super::rank::classify`]). [`Lead`] is a
//! permutation of the records grouped by their first character (and whether the name has more
//! than one), each group in the result order's tie-break order (activity, name, record), so the
//! best rows of a tier are a merge of a few already-sorted runs: tens of microseconds instead of
//! ranking hundreds of thousands of matches.
//!
//! Built only for large indexes ([`LEAD_MIN`] records, 4 bytes each); records pushed after it was
//! built (the tail) are scanned directly.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::hangul::{CHOSEONG, SYLLABLE_BASE, cho_index, consonant_cho_index};
use super::query::{NameQuery, Unit};
use super::rank::{MatchClass, structured};

/// What the groups need of the index (kept as a trait so this module does not import it).
pub(crate) trait Records {
    /// Number of records.
    fn count(&self) -> usize;
    /// A record's folded name units.
    fn units_of(&self, r: u32) -> &[char];
    /// The result order among equal scores.
    fn tie(&self, a: u32, b: u32) -> Ordering;
}

/// Indexes with fewer records rank every match (a full scan there takes a few milliseconds).
pub(crate) const LEAD_MIN: usize = 300_000;

/// Adjacent pairs of a stored order checked for grouping (checking all 1M costs 14 ms of
/// random reads at start; a few thousand spread ones catch an order that is not grouped).
const ORDER_CHECKS: usize = 4096;

/// Records visited in the runs before giving up (a filter that passes few of them): the caller
/// then ranks every match instead.
const WALK_MAX: usize = 60_000;

/// The records grouped by [`group`], each group in tie-break order.
#[derive(Debug, Default)]
pub(crate) struct Lead {
    order: Vec<u32>,
    /// The grouped records whose name holds an ASCII digit (few): every match of a query with a
    /// digit is one of them, so a lone digit (`1`, the first keystroke of a phone tail) reads
    /// them instead of the whole index (a digit's signature bit is shared with syllables).
    digits: Vec<u32>,
    /// Per grouped record, [`pair_sig`] of its name: a second one-AND pre-check of a scan for a
    /// query of two or more Hangul units (the first such keystroke has no earlier matches to
    /// refine from and scans every record).
    pairs: Vec<u32>,
    /// Rows a lazy ranking holds (fewer in tests, to exercise completion).
    rows: usize,
}

/// A record's group: its first unit, and whether it has more than one (0 for an empty name).
#[inline]
fn group(units: &[char]) -> u32 {
    match units {
        [] => 0,
        [c] => (*c as u32 + 1) << 1,
        [c, ..] => ((*c as u32 + 1) << 1) | 1,
    }
}

/// The 초성 index of a name character as the signature reads it (a syllable's, or a lone
/// consonant's own).
fn name_cho(c: char) -> Option<u8> {
    cho_index(c).or_else(|| consonant_cho_index(c))
}

/// One of 32 bits for an ordered pair of 초성.
#[inline]
fn pair_bit(a: u8, b: u8) -> u32 {
    let h = (u32::from(a) * 19 + u32::from(b)).wrapping_mul(0x9E37_79B1);
    1 << (h >> 27)
}

/// A name's pair signature: the OR of [`pair_bit`] over its adjacent characters' 초성 pairs.
pub(crate) fn pair_sig(units: &[char]) -> u32 {
    units
        .windows(2)
        .fold(0, |s, w| match (name_cho(w[0]), name_cho(w[1])) {
            (Some(a), Some(b)) => s | pair_bit(a, b),
            _ => s,
        })
}

/// The pair bits every structural match of `q` has: adjacent query units match adjacent name
/// characters with the same 초성 (a syllable, whole, partial or spilled, keeps its 초성; a lone
/// consonant matches a syllable with it or itself). 0 for a query of one unit.
pub(crate) fn pair_need(q: &NameQuery) -> u32 {
    let cho = |u: Unit| match u {
        Unit::Syl(c) => cho_index(c),
        Unit::Cons(i) => Some(i),
        Unit::Lit(_) => None,
    };
    q.units
        .windows(2)
        .fold(0, |s, w| match (cho(w[0]), cho(w[1])) {
            (Some(a), Some(b)) => s | pair_bit(a, b),
            _ => s,
        })
}

fn has_digit(units: &[char]) -> bool {
    units.iter().any(char::is_ascii_digit)
}

/// A tier of one-unit matches: the groups whose records may hold it, and its score.
struct Tier {
    /// Inclusive ranges of group keys.
    groups: Vec<(u32, u32)>,
    score: u32,
    /// Every record of the groups matches (not so for a final consonant read as the next
    /// syllable's 초성, which depends on the second character).
    all: bool,
}

fn single(c: char) -> (u32, u32) {
    let k = (c as u32 + 1) << 1;
    (k, k)
}

fn multi(c: char) -> (u32, u32) {
    let k = ((c as u32 + 1) << 1) | 1;
    (k, k)
}

fn both(lo: char, hi: char) -> (u32, u32) {
    (single(lo).0, multi(hi).1)
}

/// The tiers of a one-unit query's matches at the first character, best first (each score is
/// what [`structured`] gives there; matches further in score below all of them).
fn tiers(q: &NameQuery) -> Option<Vec<Tier>> {
    let rank = |class: MatchClass, bonus: u32| (class.rank() << 24) | bonus;
    let tiers = match *q.units.as_slice() {
        [Unit::Cons(cho)] => {
            let base = SYLLABLE_BASE + u32::from(cho) * 588;
            let (lo, hi) = (char::from_u32(base)?, char::from_u32(base + 587)?);
            let lone = CHOSEONG[usize::from(cho)];
            vec![Tier {
                groups: vec![both(lone, lone), both(lo, hi)],
                score: rank(MatchClass::Initials, 3),
                all: true,
            }]
        }
        [Unit::Syl(s)] => {
            // The first character is one the syllable is a jamo prefix of (a range of
            // syllables sharing its 초성 and vowel's start), or the syllable without its final
            // followed by that final as the next 초성.
            let set: Vec<char> = (0..588u32)
                .filter_map(|i| char::from_u32(q.cho_base()? + i))
                .filter(|&t| q.last_matches(t))
                .collect();
            let mut prefix = Vec::new();
            for &t in &set {
                if t == s {
                    prefix.push(multi(t));
                } else {
                    prefix.push(both(t, t));
                }
            }
            let mut v = vec![
                Tier {
                    groups: vec![single(s)],
                    score: rank(MatchClass::Exact, 3),
                    all: true,
                },
                Tier {
                    groups: merge_ranges(prefix),
                    score: rank(MatchClass::Prefix, 3),
                    all: true,
                },
            ];
            if let Some(sp) = q.spill {
                v.push(Tier {
                    groups: vec![multi(sp.head)],
                    score: rank(MatchClass::Prefix, 2),
                    all: false,
                });
            }
            v
        }
        [Unit::Lit(c)] => vec![
            Tier {
                groups: vec![single(c)],
                score: rank(MatchClass::Exact, 3),
                all: true,
            },
            Tier {
                groups: vec![multi(c)],
                score: rank(MatchClass::Prefix, 3),
                all: true,
            },
        ],
        _ => return None,
    };
    Some(tiers)
}

/// Sorted, adjacent ranges joined.
fn merge_ranges(mut v: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    v.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(v.len());
    for (lo, hi) in v {
        match out.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// One run's cursor in the merge: the record at the head of `order[at..end]`.
struct Head<'a, I: Records> {
    ix: &'a I,
    record: u32,
    at: usize,
    end: usize,
}

impl<I: Records> PartialEq for Head<'_, I> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<I: Records> Eq for Head<'_, I> {}
impl<I: Records> PartialOrd for Head<'_, I> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<I: Records> Ord for Head<'_, I> {
    /// Reversed tie-break order (the heap pops the best).
    fn cmp(&self, other: &Self) -> Ordering {
        self.ix.tie(other.record, self.record)
    }
}

impl Lead {
    /// Groups every record of `ix`.
    ///
    /// The sort is most of the cost (about 270 ms at 1M records, comparing names), so a stored
    /// index keeps [`order`](Self::order) and is read back with [`with_order`](Self::with_order).
    pub(crate) fn build(ix: &impl Records, rows: usize) -> Lead {
        let n = ix.count() as u32;
        let mut keys: Vec<(u32, u32)> = (0..n).map(|r| (group(ix.units_of(r)), r)).collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| ix.tie(a.1, b.1)));
        let order: Vec<u32> = keys.iter().map(|k| k.1).collect();
        drop(keys);
        Self::derive(ix, order, rows)
    }

    /// Whether `order`, read from a stored index, can be the groups' order of `ix`: a
    /// permutation of every record, grouped (group keys never decrease) at [`ORDER_CHECKS`]
    /// spread positions. The stored blob is checksummed; this refuses an order made for other
    /// records, and makes sure a wrong one could never index out of bounds (it could only
    /// leave out or reorder rows).
    pub(crate) fn order_fits(ix: &impl Records, order: &[u32]) -> bool {
        let n = ix.count();
        if order.len() != n {
            return false;
        }
        let mut seen = vec![0u64; n.div_ceil(64)];
        for &r in order {
            if r as usize >= n {
                return false;
            }
            let (slot, bit) = (&mut seen[r as usize / 64], 1u64 << (r % 64));
            if *slot & bit != 0 {
                return false;
            }
            *slot |= bit;
        }
        let step = (n / ORDER_CHECKS).max(1);
        (step..n)
            .step_by(step)
            .all(|at| group(ix.units_of(order[at - 1])) <= group(ix.units_of(order[at])))
    }

    /// The groups of `ix` in `order`, which [`order_fits`](Self::order_fits) accepted.
    pub(crate) fn with_order(ix: &impl Records, order: Vec<u32>, rows: usize) -> Lead {
        Self::derive(ix, order, rows)
    }

    /// The groups of `ix` from `kept`, records already in group order, and `added`, records
    /// in no order: each added one is placed by binary search (`added` is small next to `kept`:
    /// the residents changed since a stored index was written).
    pub(crate) fn merged(
        ix: &impl Records,
        kept: Vec<u32>,
        mut added: Vec<u32>,
        rows: usize,
    ) -> Lead {
        let cmp = |a: u32, b: u32| {
            group(ix.units_of(a))
                .cmp(&group(ix.units_of(b)))
                .then_with(|| ix.tie(a, b))
        };
        added.sort_unstable_by(|&a, &b| cmp(a, b));
        let mut order = Vec::with_capacity(kept.len() + added.len());
        let mut at = 0;
        for x in added {
            let end = at + kept[at..].partition_point(|&k| cmp(k, x) == Ordering::Less);
            order.extend_from_slice(&kept[at..end]);
            order.push(x);
            at = end;
        }
        order.extend_from_slice(&kept[at..]);
        drop(kept);
        Self::derive(ix, order, rows)
    }

    /// The digit list and pair signatures (one pass over the names) beside `order`.
    fn derive(ix: &impl Records, mut order: Vec<u32>, rows: usize) -> Lead {
        let n = ix.count() as u32;
        order.shrink_to_fit();
        let mut digits = Vec::new();
        let mut pairs = Vec::with_capacity(n as usize);
        for r in 0..n {
            let units = ix.units_of(r);
            if has_digit(units) {
                digits.push(r);
            }
            pairs.push(pair_sig(units));
        }
        digits.shrink_to_fit();
        Lead {
            order,
            digits,
            pairs,
            rows,
        }
    }

    /// The grouped records in group order (what a stored index keeps).
    pub(crate) fn order(&self) -> &[u32] {
        &self.order
    }

    /// Per grouped record, its name's [`pair_sig`].
    pub(crate) fn pairs(&self) -> &[u32] {
        &self.pairs
    }

    /// When the query holds an ASCII digit: every record (sorted) whose name holds one, a
    /// superset of its structural and fuzzy matches (the records pushed after the groups were
    /// made included).
    pub(crate) fn digit_names(&self, ix: &impl Records, q: &NameQuery) -> Option<Vec<u32>> {
        let digit = q
            .units
            .iter()
            .any(|u| matches!(u, Unit::Lit(c) if c.is_ascii_digit()));
        if !digit {
            return None;
        }
        let tail =
            (self.order.len() as u32..ix.count() as u32).filter(|&r| has_digit(ix.units_of(r)));
        Some(self.digits.iter().copied().chain(tail).collect())
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Records grouped (the rest of the index, pushed later, is the tail).
    pub(crate) fn covered(&self) -> usize {
        self.order.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        (self.order.capacity() + self.digits.capacity() + self.pairs.capacity()) * 4
    }

    fn key(&self, ix: &impl Records, at: usize) -> u32 {
        group(ix.units_of(self.order[at]))
    }

    /// The runs (one per group) of the groups in `lo..=hi`.
    fn runs(&self, ix: &impl Records, lo: u32, hi: u32, out: &mut Vec<(usize, usize)>) {
        let n = self.order.len();
        let mut at = self.order.partition_point(|&r| group(ix.units_of(r)) < lo);
        while at < n {
            let k = self.key(ix, at);
            if k > hi {
                break;
            }
            let end = at + self.order[at..].partition_point(|&r| group(ix.units_of(r)) <= k);
            out.push((at, end));
            at = end;
        }
    }

    /// The best `k` structural matches of a one-unit query among the grouped records passing
    /// `keep`, as `(score, record)` in result order, when at least `k` of them match at the
    /// first character; `None` otherwise (or when too many records fail `keep`), and the caller
    /// ranks every match. Also the number of grouped records that match whatever the filter
    /// (those of the groups whose every record matches; a lower bound of the unfiltered count).
    pub(crate) fn top<I: Records>(
        &self,
        ix: &I,
        q: &NameQuery,
        keep: &impl Fn(u32) -> bool,
        k: usize,
    ) -> Option<(Vec<(u32, u32)>, usize)> {
        let tiers = tiers(q)?;
        let runs: Vec<Vec<(usize, usize)>> = tiers
            .iter()
            .map(|tier| {
                let mut runs = Vec::new();
                for &(lo, hi) in &tier.groups {
                    self.runs(ix, lo, hi, &mut runs);
                }
                runs
            })
            .collect();
        let sure: usize = tiers
            .iter()
            .zip(&runs)
            .filter(|(t, _)| t.all)
            .flat_map(|(_, runs)| runs.iter().map(|(a, b)| b - a))
            .sum();
        let mut out = Vec::with_capacity(k);
        let mut visited = 0usize;
        for (tier, runs) in tiers.iter().zip(&runs) {
            let mut heap: BinaryHeap<Head<'_, I>> = runs
                .iter()
                .map(|&(at, end)| Head {
                    ix,
                    record: self.order[at],
                    at,
                    end,
                })
                .collect();
            while let Some(mut head) = heap.pop() {
                let r = head.record;
                visited += 1;
                if visited > WALK_MAX {
                    return None;
                }
                if keep(r)
                    && let Some((_, score, _)) = structured(q, ix.units_of(r))
                    && score == tier.score
                {
                    out.push((score, r));
                    if out.len() == k {
                        return Some((out, sure));
                    }
                }
                head.at += 1;
                if head.at < head.end {
                    head.record = self.order[head.at];
                    heap.push(head);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchIndex;

    /// Every structural match of a query has the query's pair bits in its name's pair
    /// signature (the pre-check never drops a match), and most names lack them.
    #[test]
    fn pair_bits_of_a_query_are_in_every_match() {
        let names = [
            "김민수",
            "김미",
            "ㄱㅁ",
            "이김민",
            "기민",
            "김ㅁ수",
            "박 민수",
            "a김민",
            "김1민",
            "곽명",
            "감마",
            "김밍",
            "긺",
            "기미수",
            "깁스",
        ];
        let queries = [
            "김ㅁ",
            "ㄱㅁ",
            "김미",
            "김민",
            "김민ㅅ",
            "김민수",
            "민ㅅ",
            "민수",
            "기",
            "김",
            "ㄱㅁㅅ",
            "기ㅁ",
            "1민",
            "김1",
            "a김",
        ];
        let mut seen = 0;
        for q in queries {
            let nq = NameQuery::new(q);
            let need = pair_need(&nq);
            for n in names {
                let units: Vec<char> = SearchIndex::fold(n).chars().collect();
                if structured(&nq, &units).is_some() {
                    seen += 1;
                    assert_eq!(pair_sig(&units) & need, need, "{q:?} in {n:?}");
                }
            }
        }
        assert!(seen > 20, "{seen}");
        assert_ne!(pair_need(&NameQuery::new("김ㅁ")), 0);
        assert_eq!(pair_need(&NameQuery::new("김")), 0);
    }
}
