//! As-you-type refinement: reuse the previous query's matches when the new query can only
//! match a subset of them.

use super::index::{Lazy, Over, Ranking, SearchIndex};
use super::query::{DigitTerm, Query, Unit};
use super::{Hit, hangul};

/// Remembers the last query's structural matches so that typing one more jamo scans only them.
///
/// Results are always identical to [`SearchIndex::search`]; the cache is used only when the new
/// query provably matches a subset of what the old one matched (see [`refines`]). Call
/// [`invalidate`](Self::invalidate) when the filter changes; a rebuilt or grown index is
/// detected automatically.
#[derive(Debug, Default)]
pub struct Searcher {
    prev: Option<Prev>,
    /// For [`rank`](Self::rank): the records earlier queries' characters are a subsequence of,
    /// kept while those characters are a prefix of the latest query's (a chain, one entry per
    /// length at most).
    subs: Vec<Sub>,
    refined: bool,
}

/// Records (passing the filter and `digits`) whose folded name has `chars` in order. Every
/// record a query with more characters after `chars` (and at least these digit terms) matches
/// fuzzily is among them: a subsequence's prefix is a subsequence.
#[derive(Debug)]
struct Sub {
    index: (u64, usize),
    chars: Vec<char>,
    digits: Vec<DigitTerm>,
    records: Vec<u32>,
}

#[derive(Debug)]
struct Prev {
    index: (u64, usize),
    query: Query,
    candidates: Vec<u32>,
}

impl Searcher {
    /// A searcher with nothing cached.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the cached candidates (call it when the filter changes).
    pub fn invalidate(&mut self) {
        self.prev = None;
        self.subs.clear();
    }

    /// Whether the last [`search`](Self::search) reused the previous candidates.
    pub fn last_was_refined(&self) -> bool {
        self.refined
    }

    /// Same contract as [`SearchIndex::search`].
    pub fn search(
        &mut self,
        index: &SearchIndex,
        query: &Query,
        filter: impl Fn(u32) -> bool,
        limit: usize,
    ) -> Vec<Hit> {
        let over = self
            .prev
            .as_ref()
            .filter(|p| p.index == index.uid() && refines(&p.query, query))
            .map(|p| p.candidates.as_slice());
        self.refined = over.is_some();
        let outcome = index.run(query, &filter, limit, over);
        self.remember(index, query, outcome.candidates);
        outcome.hits
    }

    /// Same contract as [`SearchIndex::rank`], reusing the previous query's structural matches
    /// like [`search`](Self::search).
    pub fn rank(
        &mut self,
        index: &SearchIndex,
        query: &Query,
        filter: impl Fn(u32) -> bool,
    ) -> Ranking {
        self.rank_with(index, query, &filter, Lazy::No)
    }

    /// [`rank`](Self::rank) as a keystroke wants it: a one-character query on a large index
    /// (the first keystrokes, matching most names) ranks only its first rows, without scanning
    /// the index, and counts a lower bound ([`Ranking::is_lazy`], [`Ranking::is_exact`]); rows
    /// past them come from [`SearchIndex::page_with`], which ranks and counts every match.
    /// The rows are the same as [`rank`](Self::rank)'s.
    pub fn rank_lazy(
        &mut self,
        index: &SearchIndex,
        query: &Query,
        filter: impl Fn(u32) -> bool,
    ) -> Ranking {
        self.rank_with(index, query, &filter, Lazy::Filtered)
    }

    /// [`rank_lazy`](Self::rank_lazy) with a filter that passes every record (a closer lower
    /// bound of a lazy ranking's count).
    pub fn rank_lazy_unfiltered(&mut self, index: &SearchIndex, query: &Query) -> Ranking {
        self.rank_with(index, query, &|_| true, Lazy::Unfiltered)
    }

    fn rank_with<F: Fn(u32) -> bool>(
        &mut self,
        index: &SearchIndex,
        query: &Query,
        filter: &F,
        lazy: Lazy,
    ) -> Ranking {
        let over = self
            .prev
            .as_ref()
            .filter(|p| p.index == index.uid() && refines(&p.query, query))
            .map(|p| p.candidates.as_slice());
        self.refined = over.is_some();
        let uid = index.uid();
        let chars = query.name.chars();
        self.subs.retain(|s| {
            s.index == uid
                && chars.starts_with(&s.chars)
                && s.digits.iter().all(|d| query.digits.contains(d))
        });
        let sub = self
            .subs
            .iter()
            .max_by_key(|s| s.chars.len())
            .map(|s| s.records.as_slice());
        let (ranking, sets) = index.rank_over(
            query,
            filter,
            Over {
                structural: over,
                subsequence: sub,
            },
            lazy,
        );
        match sets.structural {
            Some(candidates) => self.remember(index, query, candidates),
            None => self.prev = None,
        }
        if let Some(records) = sets.subsequence.filter(|_| !chars.is_empty()) {
            self.subs.retain(|s| s.chars.len() != chars.len());
            self.subs.push(Sub {
                index: uid,
                chars: chars.to_vec(),
                digits: query.digits.clone(),
                records,
            });
        }
        ranking
    }

    /// Keeps a query's structural matches for the next keystroke; a query with no term matched
    /// everything, so nothing is kept (the next one scans the index, the same set).
    fn remember(&mut self, index: &SearchIndex, query: &Query, candidates: Vec<u32>) {
        self.prev = (!query.is_empty()).then(|| Prev {
            index: index.uid(),
            query: query.clone(),
            candidates,
        });
    }
}

/// Whether every record that structurally matches `new` also structurally matches `old`
/// (with the same digit terms or more), so a scan of `old`'s matches suffices.
///
/// Proof sketch for the name part, `old = a₁…aₙ`, `new = a₁…aₙ₋₁ bₙ…bₘ`, a record aligned to `new`
/// at position `j`: the shared units match the same characters; then
/// 1. `bₙ = aₙ`: `bₙ` matched `t[j]` whole or partially, so `aₙ` (last, partial allowed) does.
/// 2. jamo(`aₙ`) a strict prefix of jamo(`bₙ`) (`미` → `민`, `ㄱ` → `기`, `고` → `과`): `bₙ` matched `t[j]`
///    whole, as a jamo prefix, or by spill (`t[j]` = `bₙ` minus its final, next 초성 = that final);
///    in each case jamo(`aₙ`) is a prefix of jamo(`t[j]`).
/// 3. `aₙ` = `bₙ` + final consonant `c` and `bₙ₊₁` starts with `c` (`김` → `기미`): `t[j] = bₙ` and
///    `t[j+1]` starts with `c`, which is exactly `aₙ`'s spill match.
///
/// An empty old name matches everything. Digit terms narrow: every old term must remain.
pub fn refines(old: &Query, new: &Query) -> bool {
    if !old.digits.iter().all(|d| new.digits.contains(d)) {
        return false;
    }
    let (a, b) = (&old.name.units, &new.name.units);
    let n = a.len();
    if n == 0 {
        return true;
    }
    if b.len() < n || a[..n - 1] != b[..n - 1] {
        return false;
    }
    let (an, bn) = (a[n - 1], b[n - 1]);
    if an == bn {
        return true;
    }
    let (Some(ja), Some(jb)) = (an.jamo(), bn.jamo()) else {
        return false;
    };
    if jb.len() > ja.len() && jb.starts_with(&ja) {
        return true;
    }
    spill_refines(an, bn, b.get(n))
}

fn spill_refines(an: Unit, bn: Unit, next: Option<&Unit>) -> bool {
    let (Some(sp), Unit::Syl(head), Some(next)) = (old_spill(an), bn, next) else {
        return false;
    };
    let next_cho = next
        .jamo()
        .and_then(|j| j.first().copied())
        .and_then(hangul::consonant_cho_index);
    head == sp.0 && next_cho == Some(sp.1)
}

fn old_spill(an: Unit) -> Option<(char, u8)> {
    let Unit::Syl(c) = an else { return None };
    let q = super::query::NameQuery::new(&c.to_string());
    q.spill.map(|s| (s.head, s.cho))
}
