//! Ranking: every match of a query counted at once, ranked a page at a time (and lazily, on a
//! large index, for the first keystrokes). A child of `index`, which owns the records.

use super::*;
/// Every match of one query, counted at once and ranked a page at a time: what a list that
/// says "N건 중 200건 표시" and loads more on scroll needs, without ranking (or fuzzy-scoring)
/// all N on every keystroke.
///
/// Pages concatenate to exactly what [`SearchIndex::search`] returns with an unbounded limit:
/// the structural matches in [`SearchIndex::search`]'s order, then the fuzzy ones (every fuzzy
/// score sorts below every structural one). The count is exact without scoring: fuzzy-matcher's
/// skim matcher scores a name exactly when the query is a subsequence of it, which is the
/// cheap test used here.
#[derive(Debug)]
pub struct Ranking {
    index: (u64, usize),
    query: Query,
    /// Structural matches `(score, record)`; `structural[..sorted]` is in final order and holds
    /// the best `sorted` of them.
    structural: Vec<(u32, u32)>,
    sorted: usize,
    /// Records that match only fuzzily, scored and sorted when a page first reaches them.
    fuzzy: Vec<u32>,
    fuzzy_scored: Option<Vec<(u32, u32)>>,
    /// A lazy ranking (a one-character query on a large index): a lower bound of the number of
    /// matches, of which `structural` holds only the best, in final order; rows past them need
    /// [`SearchIndex::page_with`], which ranks (and counts) every match.
    lazy_known: Option<usize>,
    /// The filters the ranking was made with (set by the residents' index, which completes a
    /// lazy ranking with them).
    pub(crate) filters: Filters,
}

impl Default for Ranking {
    /// Nothing matched (on no index).
    fn default() -> Self {
        Self {
            index: (0, 0),
            query: Query::parse("", 2000),
            structural: Vec::new(),
            sorted: 0,
            fuzzy: Vec::new(),
            fuzzy_scored: None,
            lazy_known: None,
            filters: Filters::default(),
        }
    }
}

impl Ranking {
    /// Matches in all (structural and fuzzy); of a lazy ranking, a lower bound ("N건 이상"),
    /// at least the rows it holds plus one.
    pub fn len(&self) -> usize {
        self.lazy_known
            .unwrap_or(self.structural.len() + self.fuzzy.len())
    }

    /// Whether [`len`](Self::len) is the exact count (not so for a lazy ranking).
    pub fn is_exact(&self) -> bool {
        self.lazy_known.is_none()
    }

    /// Whether only the first rows are ranked (see [`SearchIndex::page_with`]).
    pub fn is_lazy(&self) -> bool {
        self.lazy_known.is_some()
    }

    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SearchIndex {
    /// Finds every match of `query` among records passing `filter` (counted, not yet ranked);
    /// take rows with [`page`](Self::page).
    pub fn rank(&self, query: &Query, filter: impl Fn(u32) -> bool) -> Ranking {
        self.rank_over(query, &filter, Over::default(), Lazy::No).0
    }

    /// [`rank`](Self::rank) with the passes restricted: `over.structural` must contain every
    /// structural match of `query` (sorted), `over.subsequence` every record passing the filter
    /// and digit terms whose folded name has the query's characters in order (sorted). Returns
    /// the ranking and both sets for `query`, for the next keystroke to refine over.
    /// `lazy` allows a lazy ranking (see [`Ranking::is_lazy`]).
    pub(crate) fn rank_over<F: Fn(u32) -> bool>(
        &self,
        query: &Query,
        filter: &F,
        over: Over<'_>,
        lazy: Lazy,
    ) -> (Ranking, Sets) {
        if lazy != Lazy::No
            && query.digits.is_empty()
            && query.name.units.len() == 1
            && let Some(lead) = self.lead.as_ref()
            && let Some(out) = self.rank_lazily(query, filter, lead, lazy)
        {
            return out;
        }
        // A query with a digit reads only the names holding one.
        let digit_names = match &self.lead {
            Some(lead) if over.structural.is_none() || over.subsequence.is_none() => {
                lead.digit_names(self, &query.name)
            }
            _ => None,
        };
        let over = match digit_names.as_deref() {
            Some(list) => Over {
                structural: over.structural.or(Some(list)),
                subsequence: over.subsequence.or(Some(list)),
            },
            None => over,
        };
        let name = &query.name;
        let terms = &query.digits;
        let (sneed, fneed) = (name.structural_need, name.fuzzy_need);
        let mut structural: Vec<(u32, u32)> = Vec::new();
        let mut candidates = Vec::new();
        let mut subsequence = Vec::new();
        let mut fuzzy = Vec::new();
        // Without any restriction, one pass finds every kind (the scan is memory-bound at 1M).
        // On a large index, a keystroke with more structural matches than a lazy ranking holds
        // leaves the fuzzy ones (every one ranks after them) for a page that reaches them.
        let lazy_rows = match (&self.lead, lazy) {
            (Some(lead), Lazy::Filtered | Lazy::Unfiltered) if !name.is_empty() => {
                Some(lead.rows())
            }
            _ => None,
        };
        // A one-unit query has no fuzzy-only match (a name holding its character holds it
        // somewhere, a structural match): its subsequence set comes from the structural one.
        let one = name.units.len() == 1;
        let fuse =
            over.structural.is_none() && over.subsequence.is_none() && lazy_rows.is_none() && !one;
        let keep = !query.is_empty();
        let lone_cho = match name.units.as_slice() {
            [Unit::Cons(c)] => Some(*c),
            _ => None,
        };
        let phone_or_year = match (name.is_empty(), terms.as_slice()) {
            (true, [DigitTerm::PhoneTailOrYear(n)]) => Some(*n),
            _ => None,
        };
        let lone_score = (MatchClass::Initials.rank() << 24) | 1;
        // A large index's pair signatures (records pushed after them pass).
        let pairs = self.lead.as_ref().map_or(&[][..], Lead::pairs);
        let pneed = if pairs.is_empty() { 0 } else { pair_need(name) };
        let may = |r: u32| {
            self.has(r, sneed)
                && (pneed == 0 || pairs.get(r as usize).is_none_or(|&p| p & pneed == pneed))
        };
        let mut visit = |r: u32| {
            // The signature first: one AND rejects most records before the filter is read.
            let wanted = may(r) || (fuse && self.has(r, fneed));
            if !name.is_empty() && !wanted {
                return;
            }
            if !filter(r) || !self.digits_match(r, terms) {
                return;
            }
            if name.is_empty() {
                structural.push((MatchClass::Any.rank() << 24, r));
                if keep {
                    candidates.push(r);
                }
                return;
            }
            let mut is_structural = false;
            if let Some(cho) = lone_cho {
                // A lone consonant (the usual first keystroke): it matches exactly the names
                // whose signature has its 초성 bit; `structured`'s score, without aligning.
                if may(r) {
                    let at_start = self.units(r).first().is_some_and(|&c| cons_matches(cho, c));
                    structural.push((lone_score | (u32::from(at_start) << 1), r));
                    candidates.push(r);
                    is_structural = true;
                }
            } else if may(r)
                && let Some((_, score, _)) = structured(name, self.units(r))
            {
                structural.push((score, r));
                candidates.push(r);
                is_structural = true;
            }
            if fuse && self.has(r, fneed) && is_subsequence(name.chars(), self.units(r)) {
                subsequence.push(r);
                if !is_structural {
                    // Same records as `fuzzy_pass` scores (Fuzzy::score is Some exactly then).
                    fuzzy.push(r);
                }
            }
        };
        match over.structural {
            Some(list) => list.iter().for_each(|&r| visit(r)),
            // Only the structural kind wanted: the signatures alone, in one tight pass, pick
            // the records to visit (a full scan of 1M records is memory-bound).
            None if !fuse && !name.is_empty() => {
                let covered = pairs.len().min(self.len());
                let (sigs, tail) = self.sigs.split_at(covered);
                for (r, (&sig, &pair)) in sigs.iter().zip(&pairs[..covered]).enumerate() {
                    if sig & sneed == sneed && pair & pneed == pneed {
                        visit(r as u32);
                    }
                }
                for (r, &sig) in (covered..).zip(tail) {
                    if sig & sneed == sneed {
                        visit(r as u32);
                    }
                }
            }
            // A lone four-digit term (a phone tail or a birth year): the same, over the phone
            // tails and birth dates.
            None if phone_or_year.is_some() => {
                let n = phone_or_year.unwrap_or_default();
                let year = u32::from(n);
                for (r, (&phone, &birth)) in self.phones.iter().zip(&self.births).enumerate() {
                    if phone == n || (birth != 0 && birth >> 9 == year) {
                        visit(r as u32);
                    }
                }
            }
            None => (0..self.len() as u32).for_each(&mut visit),
        }
        if let Some(rows) = lazy_rows
            && structural.len() > rows
        {
            let known = structural.len();
            let ranking = Ranking {
                index: self.uid(),
                query: query.clone(),
                structural,
                lazy_known: Some(known),
                ..Ranking::default()
            };
            let sets = Sets {
                structural: Some(candidates),
                subsequence: None,
            };
            return (ranking, sets);
        }
        if one {
            subsequence = candidates
                .iter()
                .copied()
                .filter(|&r| is_subsequence(name.chars(), self.units(r)))
                .collect();
        } else if !name.is_empty() && !fuse {
            let mut next = candidates.iter().peekable();
            let mut fuzzy_visit = |r: u32| {
                if !self.has(r, fneed)
                    || !filter(r)
                    || !self.digits_match(r, terms)
                    || !is_subsequence(name.chars(), self.units(r))
                {
                    return;
                }
                subsequence.push(r);
                while next.peek().is_some_and(|&&c| c < r) {
                    next.next();
                }
                if next.peek() != Some(&&r) {
                    fuzzy.push(r);
                }
            };
            match over.subsequence {
                Some(list) => list.iter().for_each(|&r| fuzzy_visit(r)),
                None => (0..self.len() as u32).for_each(&mut fuzzy_visit),
            }
        }
        let ranking = Ranking {
            index: self.uid(),
            query: query.clone(),
            structural,
            sorted: 0,
            fuzzy,
            ..Ranking::default()
        };
        let sets = Sets {
            structural: Some(candidates),
            subsequence: Some(subsequence),
        };
        (ranking, sets)
    }

    /// A lazy ranking of a one-unit name query without digit terms on a large index, when at
    /// least a lazy ranking's rows match at the first character: those rows from the
    /// first-character groups (with the records pushed after the groups were made), and no scan
    /// of the index. `None`: rank every match.
    fn rank_lazily<F: Fn(u32) -> bool>(
        &self,
        query: &Query,
        filter: &F,
        lead: &Lead,
        lazy: Lazy,
    ) -> Option<(Ranking, Sets)> {
        let name = &query.name;
        // One row more than kept: then at least one match lies past them.
        let (mut top, sure) = lead.top(self, name, filter, lead.rows() + 1)?;
        let found = top.len();
        let covered = lead.covered() as u32;
        for r in covered..self.len() as u32 {
            if self.has(r, name.structural_need)
                && let Some((_, score, _)) = structured(name, self.units(r))
                && filter(r)
            {
                top.push((score, r));
            }
        }
        let tail = top.len() - found;
        top.sort_unstable_by(|a, b| self.order(a, b));
        let known = match lazy {
            Lazy::Unfiltered => sure.max(found),
            _ => found,
        } + tail;
        top.truncate(lead.rows());
        let ranking = Ranking {
            index: self.uid(),
            query: query.clone(),
            sorted: top.len(),
            structural: top,
            lazy_known: Some(known),
            ..Ranking::default()
        };
        let sets = Sets {
            structural: None,
            subsequence: None,
        };
        Some((ranking, sets))
    }

    /// Rows `from..from + n` of a ranking (fewer at the end), ranking only as far as needed:
    /// a partial sort of the structural matches, the fuzzy ones scored once when reached.
    /// A ranking made on another index (or before the index grew) gives nothing.
    /// Of a lazy ranking, only the rows already ranked (see [`page_with`](Self::page_with)).
    pub fn page(&self, ranking: &mut Ranking, from: usize, n: usize) -> Vec<Hit> {
        if ranking.index != self.uid() || n == 0 {
            return Vec::new();
        }
        let known = if ranking.is_lazy() {
            ranking.structural.len()
        } else {
            ranking.len()
        };
        let end = from.saturating_add(n).min(known);
        if from >= end {
            return Vec::new();
        }
        let cmp = |a: &(u32, u32), b: &(u32, u32)| self.order(a, b);
        let slen = ranking.structural.len();
        let s_end = end.min(slen);
        if s_end > ranking.sorted {
            let rest = &mut ranking.structural[ranking.sorted..];
            let k = s_end - ranking.sorted;
            if k.saturating_mul(8) < rest.len() {
                best_first(rest, k, cmp);
            } else if k < rest.len() {
                rest.select_nth_unstable_by(k - 1, cmp);
            }
            rest[..k].sort_unstable_by(cmp);
            ranking.sorted = s_end;
        }
        if end > slen && ranking.fuzzy_scored.is_none() {
            let mut fz = Fuzzy::new();
            let mut scored: Vec<(u32, u32)> = ranking
                .fuzzy
                .iter()
                .filter_map(|&r| {
                    fz.score(&ranking.query.name, self.units(r))
                        .map(|f| (f.0, r))
                })
                .collect();
            scored.sort_unstable_by(cmp);
            ranking.fuzzy_scored = Some(scored);
        }
        let fuzzy_rows = ranking.fuzzy_scored.as_deref().unwrap_or(&[]);
        let rows = ranking.structural[..s_end]
            .iter()
            .chain(fuzzy_rows)
            .skip(from)
            .take(end - from);
        let mut fz = Fuzzy::new();
        rows.map(|&(score, r)| self.hit(&ranking.query, &mut fz, score, r))
            .collect()
    }
}

impl SearchIndex {
    /// [`page`](Self::page), ranking every match of a lazy ranking first when the rows asked
    /// for go past its ranked ones; `filter` must be the one the ranking was made with.
    pub fn page_with(
        &self,
        ranking: &mut Ranking,
        from: usize,
        n: usize,
        filter: impl Fn(u32) -> bool,
    ) -> Vec<Hit> {
        if ranking.is_lazy()
            && ranking.index == self.uid()
            && from.saturating_add(n) > ranking.structural.len()
        {
            let filters = std::mem::take(&mut ranking.filters);
            *ranking = self
                .rank_over(&ranking.query, &filter, Over::default(), Lazy::No)
                .0;
            ranking.filters = filters;
        }
        self.page(ranking, from, n)
    }
}

/// Moves the best `k` (`0 < k < v.len()`) of `v` under the total order `cmp` to its front, in
/// two sequential passes (a page of a few screenfuls out of many matches): the `k`-th best
/// through a small sorted buffer, then a partition around it. Unlike a selection over the whole
/// list, the record lookups of the order's tie-breaks stay in record order (cache-friendly).
pub(super) fn best_first<T: Copy>(
    v: &mut [T],
    k: usize,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    use std::cmp::Ordering::{Greater, Less};
    let mut best: Vec<T> = Vec::with_capacity(k + 1);
    for x in v.iter() {
        if best.len() == k && best.last().is_some_and(|w| cmp(x, w) != Less) {
            continue;
        }
        let at = best.partition_point(|b| cmp(b, x) == Less);
        best.insert(at, *x);
        best.truncate(k);
    }
    let Some(&kth) = best.last() else { return };
    let mut front = 0;
    for i in 0..v.len() {
        if cmp(&v[i], &kth) != Greater {
            v.swap(front, i);
            front += 1;
        }
    }
    debug_assert_eq!(front, k);
}
