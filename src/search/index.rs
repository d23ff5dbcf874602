//! The compact in-memory index: one arena of folded name characters plus a few small
//! integers per record, and the full-scan search over it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::hangul::{fold_char, nfc};
use super::lead::{LEAD_MIN, Lead, Records, pair_need};
use super::persist::{Reader, Writer, le_u16, le_u32, le_u64};
use super::query::{BirthDate, DigitTerm, Query, Unit, cons_matches, sig_bits};
use super::rank::{Fuzzy, MatchClass, is_subsequence, structured};
use super::residents::Filters;

mod ranking;
mod replan;
pub use ranking::Ranking;
#[cfg(test)]
use ranking::best_first;

/// What the index needs to know about one resident (or any named record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonKey {
    /// The name as stored; normalised to NFC by the index.
    pub name: String,
    /// Birth date, when known.
    pub birth: Option<BirthDate>,
    /// The last four digits of the phone number (`010-5678-1234` → 1234), when known.
    pub phone_tail: Option<u16>,
    /// Recency of case activity; larger sorts first among equally good matches
    /// (e.g. Unix seconds of the last entry).
    pub activity: i64,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the record in the order it was given to [`SearchIndex::build`] / `push`.
    pub record: u32,
    /// How it matched.
    pub class: MatchClass,
    /// Sort key (larger is better), see [`super::NameMatch::score`].
    pub score: u32,
    /// Char indices in the NFC name to highlight.
    pub positions: Vec<usize>,
}

const NO_PHONE: u16 = u16::MAX;
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// A compact, immutable-by-default search index over named records.
#[derive(Debug)]
pub struct SearchIndex {
    uid: u64,
    /// Folded name units (NFC, lowercase, whitespace removed) of every record, back to back.
    units: Vec<char>,
    /// `offsets[r]..offsets[r + 1]` are record `r`'s units.
    offsets: Vec<u32>,
    /// Packed [`BirthDate`], 0 when unknown.
    births: Vec<u32>,
    /// Phone tail, `NO_PHONE` when unknown.
    phones: Vec<u16>,
    activity: Vec<i64>,
    /// Per record, the OR of [`sig_bits`] over its units: a one-AND pre-check in every scan
    /// (derived, not persisted).
    sigs: Vec<u32>,
    /// Records whose units are not 1:1 with the name's chars (whitespace): unit → char index.
    char_pos: HashMap<u32, Box<[u32]>>,
    /// Large indexes only: the records grouped by first character, for the first screenfuls of
    /// a one-character query (see [`seal`](Self::seal)); a stored index keeps their order.
    lead: Option<Lead>,
    /// A stored index's group order, checked but not yet made into groups: [`ensure_sealed`]
    /// makes them (8 ms at 1M instead of a 270 ms sort), a one-shot query never needs them, and
    /// a refresh takes it as it is.
    ///
    /// [`ensure_sealed`]: Self::ensure_sealed
    stored_order: Option<Vec<u32>>,
}

/// The candidate lists a refined [`SearchIndex::rank_over`] may restrict its passes to.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Over<'a> {
    pub(crate) structural: Option<&'a [u32]>,
    pub(crate) subsequence: Option<&'a [u32]>,
}

/// What a ranking found, for the next keystroke: the structural matches and the records the
/// query's characters are a subsequence of (both sorted, filter and digit terms applied).
pub(crate) struct Sets {
    /// `None` when the ranking did not find them all (a lazy ranking).
    pub(crate) structural: Option<Vec<u32>>,
    /// `None` when the ranking did not compute it (a one-character query ranked lazily).
    pub(crate) subsequence: Option<Vec<u32>>,
}

/// Whether a ranking may be lazy (see [`Ranking::is_lazy`]), and whether its filter passes every
/// record (then its count is a closer lower bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lazy {
    No,
    Filtered,
    Unfiltered,
}

/// Rows a lazy ranking holds in final order before it must be completed (the search pane's
/// first screenful plus its first "more" page).
pub(crate) const FAST_ROWS: usize = 264;

/// Everything a scan produces: the sorted top hits and the structural matches (the candidate
/// set a refined query may restrict itself to).
pub(crate) struct Outcome {
    pub(crate) hits: Vec<Hit>,
    pub(crate) candidates: Vec<u32>,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            units: Vec::new(),
            offsets: vec![0],
            births: Vec::new(),
            phones: Vec::new(),
            activity: Vec::new(),
            sigs: Vec::new(),
            char_pos: HashMap::new(),
            lead: None,
            stored_order: None,
        }
    }
}

impl SearchIndex {
    /// Builds the index; record `i` is `records[i]`.
    pub fn build(records: &[PersonKey]) -> Self {
        let mut index = Self::default();
        let chars: usize = records.iter().map(|r| r.name.len() / 3 + 1).sum();
        index.units.reserve(chars);
        index.offsets.reserve(records.len());
        index.births.reserve(records.len());
        index.phones.reserve(records.len());
        index.activity.reserve(records.len());
        index.sigs.reserve(records.len());
        for r in records {
            index.push(r);
        }
        index.seal();
        index
    }

    /// Gives back what the columns reserved beyond their records (a load pushes a record at a
    /// time, so each column's last doubling is up to half empty: 68 → 52 B a resident at 100k).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.units.shrink_to_fit();
        self.offsets.shrink_to_fit();
        self.births.shrink_to_fit();
        self.phones.shrink_to_fit();
        self.activity.shrink_to_fit();
        self.sigs.shrink_to_fit();
    }

    /// Derives what a large index keeps beside its records (the first-character groups, 4 bytes
    /// a record, when it has at least 300,000): call it once every record is in. Records pushed
    /// afterwards are searched all the same (scanned directly, not grouped).
    pub fn seal(&mut self) {
        self.shrink_to_fit();
        self.stored_order = None;
        self.lead = (self.len() >= LEAD_MIN).then(|| Lead::build(self, FAST_ROWS));
    }

    /// [`seal`](Self::seal) unless it was (a stored index is decoded unsealed), from the
    /// stored group order when there is one.
    pub fn ensure_sealed(&mut self) {
        if self.lead.is_some() {
            return;
        }
        match self.stored_order.take() {
            Some(order) if order.len() == self.len() => {
                self.lead = Some(Lead::with_order(self, order, FAST_ROWS));
            }
            _ => self.seal(),
        }
    }

    /// [`seal`](Self::seal) whatever the size, a lazy ranking holding `rows` rows (tests of the
    /// large-index paths on small data).
    #[doc(hidden)]
    pub fn seal_always(&mut self, rows: usize) {
        self.stored_order = None;
        self.lead = Some(Lead::build(self, rows.max(1)));
    }

    /// `name` folded the way the index holds it (NFC, lowercase, whitespace removed).
    pub fn fold(name: &str) -> String {
        nfc(name)
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(fold_char)
            .collect()
    }

    /// Appends one record and returns its index.
    pub fn push(&mut self, key: &PersonKey) -> u32 {
        let record = self.births.len() as u32;
        let mut skipped: Option<Vec<u32>> = None;
        let start = self.units.len();
        for (i, c) in nfc(&key.name).chars().enumerate() {
            if c.is_whitespace() {
                if skipped.is_none() {
                    skipped = Some((0..(self.units.len() - start) as u32).collect());
                }
                continue;
            }
            self.units.push(fold_char(c));
            if let Some(map) = skipped.as_mut() {
                map.push(i as u32);
            }
        }
        if let Some(map) = skipped {
            self.char_pos.insert(record, map.into_boxed_slice());
        }
        self.offsets.push(self.units.len() as u32);
        self.sigs.push(sig_of(&self.units[start..]));
        self.births.push(key.birth.map_or(0, BirthDate::pack));
        self.phones
            .push(key.phone_tail.filter(|&p| p <= 9999).unwrap_or(NO_PHONE));
        self.activity.push(key.activity);
        record
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.births.len()
    }

    /// Whether the index holds no record.
    pub fn is_empty(&self) -> bool {
        self.births.is_empty()
    }

    /// Heap memory held by the index, in bytes (capacities, not lengths; the position map of
    /// names containing spaces counted at 48 bytes per entry plus its slice).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.units.capacity() * size_of::<char>()
            + self.offsets.capacity() * size_of::<u32>()
            + self.births.capacity() * size_of::<u32>()
            + self.phones.capacity() * size_of::<u16>()
            + self.activity.capacity() * size_of::<i64>()
            + self.sigs.capacity() * size_of::<u32>()
            + self.lead.as_ref().map_or(0, Lead::heap_bytes)
            + self.stored_order.as_ref().map_or(0, |o| o.capacity() * 4)
            + self
                .char_pos
                .values()
                .map(|v| 48 + v.len() * size_of::<u32>())
                .sum::<usize>()
    }

    /// Appends the index to `w` (the persisted form; see [`decode`](Self::decode)).
    pub(crate) fn encode(&self, w: &mut Writer) {
        let n = self.len();
        w.len(n);
        w.len(self.units.len());
        // Hangul and every other name character of the Basic Multilingual Plane fit in two
        // bytes; a name outside it makes the arena four bytes per character.
        if self.units.iter().all(|&c| (c as u32) <= 0xFFFF) {
            w.u8(2);
            self.units.iter().for_each(|&c| w.u16(c as u16));
        } else {
            w.u8(4);
            self.units.iter().for_each(|&c| w.u32(c as u32));
        }
        self.offsets.iter().for_each(|&o| w.u32(o));
        self.births.iter().for_each(|&b| w.u32(b));
        self.phones.iter().for_each(|&p| w.u16(p));
        self.activity.iter().for_each(|&a| w.u64(a as u64));
        let mut spaced: Vec<(&u32, &Box<[u32]>)> = self.char_pos.iter().collect();
        spaced.sort_unstable_by_key(|(r, _)| **r);
        w.len(spaced.len());
        for (r, map) in spaced {
            w.u32(*r);
            w.len(map.len());
            map.iter().for_each(|&c| w.u32(c));
        }
        // The group order of a sealed index (what sealing spends its time on), so a large
        // stored index is ready as soon as it is read; none when records were pushed after
        // sealing (they would be left out of it) or there are no groups.
        let order = match (&self.lead, &self.stored_order) {
            (Some(lead), _) if lead.covered() == n => Some(lead.order()),
            (None, Some(order)) if order.len() == n => Some(&order[..]),
            _ => None,
        };
        match order {
            Some(order) => {
                w.u8(1);
                order.iter().for_each(|&r| w.u32(r));
            }
            None => w.u8(0),
        }
    }

    /// Reads what [`encode`](Self::encode) wrote; `None` if anything is inconsistent (so a
    /// damaged blob can never make a later search index out of bounds).
    pub(crate) fn decode(r: &mut Reader<impl std::io::Read>) -> Option<Self> {
        let n = r.len(4 + 4 + 2 + 8)?;
        let n_units = r.len(2)?;
        let units = match r.u8()? {
            2 => r.vec(n_units, 2, |b| char::from_u32(u32::from(le_u16(b)?)))?,
            4 => r.vec(n_units, 4, |b| char::from_u32(le_u32(b)?))?,
            _ => return None,
        };
        let offsets = r.vec(n + 1, 4, le_u32)?;
        let ordered = offsets.first() == Some(&0)
            && offsets.windows(2).all(|w| w[0] <= w[1])
            && offsets.last().map(|&o| o as usize) == Some(units.len());
        if !ordered {
            return None;
        }
        let births = r.vec(n, 4, le_u32)?;
        let phones = r.vec(n, 2, le_u16)?;
        let activity = r.vec(n, 8, |b| le_u64(b).map(|v| v as i64))?;
        let mut char_pos = HashMap::new();
        for _ in 0..r.len(8)? {
            let record = r.u32()?;
            let len = r.len(4)?;
            let map = r.vec(len, 4, le_u32)?;
            let units_of = offsets.get(record as usize + 1)? - offsets[record as usize];
            if map.len() != units_of as usize {
                return None;
            }
            char_pos.insert(record, map.into_boxed_slice());
        }
        let sigs = offsets
            .windows(2)
            .map(|w| sig_of(&units[w[0] as usize..w[1] as usize]))
            .collect();
        let order = match r.u8()? {
            0 => None,
            1 => Some(r.vec(n, 4, le_u32)?),
            _ => return None,
        };
        let mut ix = Self {
            units,
            offsets,
            births,
            phones,
            activity,
            sigs,
            char_pos,
            ..Self::default()
        };
        // A stored group order is checked (a permutation, grouped) and kept for
        // `ensure_sealed`, which the TUI's loaders call; without one they sort.
        if let Some(order) = order {
            if !Lead::order_fits(&ix, &order) {
                return None;
            }
            ix.stored_order = Some(order);
        }
        Some(ix)
    }

    /// The folded name (NFC, lowercase, no whitespace) of a record.
    pub fn folded_name(&self, record: u32) -> String {
        self.units(record).iter().collect()
    }

    pub(crate) fn uid(&self) -> (u64, usize) {
        (self.uid, self.len())
    }

    #[inline]
    pub(crate) fn units(&self, r: u32) -> &[char] {
        let r = r as usize;
        &self.units[self.offsets[r] as usize..self.offsets[r + 1] as usize]
    }

    /// Whether record `r`'s signature has every bit of `need`.
    #[inline]
    fn has(&self, r: u32, need: u32) -> bool {
        self.sigs[r as usize] & need == need
    }

    #[inline]
    fn digits_match(&self, r: u32, terms: &[DigitTerm]) -> bool {
        if terms.is_empty() {
            return true;
        }
        let (birth, phone) = (self.births[r as usize], self.phones[r as usize]);
        terms.iter().all(|t| match *t {
            DigitTerm::PhoneTailOrYear(n) => {
                phone == n || (birth != 0 && birth >> 9 == u32::from(n))
            }
            DigitTerm::Date(d) => birth == d.pack(),
        })
    }

    fn char_index(&self, r: u32, unit: usize) -> usize {
        self.char_pos
            .get(&r)
            .and_then(|m| m.get(unit))
            .map_or(unit, |&c| c as usize)
    }

    /// Searches every record passing `filter` (called with the record index before any
    /// matching). Returns at most `limit` hits, best first: by score, then higher `activity`,
    /// then folded name, then record index.
    pub fn search(&self, query: &Query, filter: impl Fn(u32) -> bool, limit: usize) -> Vec<Hit> {
        self.run(query, &filter, limit, None).hits
    }

    /// The scan behind [`search`](Self::search); `over` restricts the structural pass to a
    /// sorted candidate list that must contain every structural match.
    pub(crate) fn run<F: Fn(u32) -> bool>(
        &self,
        query: &Query,
        filter: &F,
        limit: usize,
        over: Option<&[u32]>,
    ) -> Outcome {
        let name = &query.name;
        let terms = &query.digits;
        let mut scored: Vec<(u32, u32)> = Vec::new();
        let mut candidates = Vec::new();
        // A query with no term matches every record: its candidate list would be the whole
        // index (4 bytes a resident), and refining over it is a full scan anyway.
        let keep = !query.is_empty();
        let mut visit = |r: u32| {
            if !name.is_empty() && !self.has(r, name.structural_need) {
                return;
            }
            if !filter(r) || !self.digits_match(r, terms) {
                return;
            }
            if name.is_empty() {
                scored.push((MatchClass::Any.rank() << 24, r));
                if keep {
                    candidates.push(r);
                }
            } else if let Some((_, score, _)) = structured(name, self.units(r)) {
                scored.push((score, r));
                candidates.push(r);
            }
        };
        match over {
            Some(list) => list.iter().for_each(|&r| visit(r)),
            None => (0..self.len() as u32).for_each(&mut visit),
        }
        if !name.is_empty() && scored.len() < limit {
            self.fuzzy_pass(query, filter, &candidates, &mut scored);
        }
        let hits = self.top(query, scored, limit);
        Outcome { hits, candidates }
    }

    fn fuzzy_pass<F: Fn(u32) -> bool>(
        &self,
        query: &Query,
        filter: &F,
        structural: &[u32],
        scored: &mut Vec<(u32, u32)>,
    ) {
        let mut fuzzy = Fuzzy::new();
        let mut next = structural.iter().peekable();
        for r in 0..self.len() as u32 {
            if next.peek() == Some(&&r) {
                next.next();
                continue;
            }
            if !self.has(r, query.name.fuzzy_need)
                || !filter(r)
                || !self.digits_match(r, &query.digits)
            {
                continue;
            }
            if let Some((score, _)) = fuzzy.score(&query.name, self.units(r)) {
                scored.push((score, r));
            }
        }
    }

    /// The result order: score, then higher `activity`, then folded name, then record index
    /// (a total order, so a partial sort gives the same rows as a full one).
    #[inline]
    fn order(&self, a: &(u32, u32), b: &(u32, u32)) -> std::cmp::Ordering {
        b.0.cmp(&a.0).then_with(|| self.tie(a.1, b.1))
    }

    /// The result order among equal scores: higher `activity`, then folded name, then record.
    #[inline]
    pub(crate) fn tie(&self, a: u32, b: u32) -> std::cmp::Ordering {
        self.activity[b as usize]
            .cmp(&self.activity[a as usize])
            .then_with(|| self.units(a).cmp(self.units(b)))
            .then(a.cmp(&b))
    }

    fn top(&self, query: &Query, mut scored: Vec<(u32, u32)>, limit: usize) -> Vec<Hit> {
        let cmp = |a: &(u32, u32), b: &(u32, u32)| self.order(a, b);
        if limit == 0 {
            return Vec::new();
        }
        if scored.len() > limit {
            scored.select_nth_unstable_by(limit - 1, cmp);
            scored.truncate(limit);
        }
        scored.sort_unstable_by(cmp);
        let mut fuzzy = Fuzzy::new();
        scored
            .into_iter()
            .map(|(score, r)| self.hit(query, &mut fuzzy, score, r))
            .collect()
    }

    fn hit(&self, query: &Query, fuzzy: &mut Fuzzy, score: u32, r: u32) -> Hit {
        let units = self.units(r);
        let (class, unit_pos) = if query.name.is_empty() {
            (MatchClass::Any, Vec::new())
        } else if let Some((class, _, a)) = structured(&query.name, units) {
            (class, (a.start..a.start + a.len).collect())
        } else {
            let pos = fuzzy.score(&query.name, units).map(|f| f.1);
            (MatchClass::Fuzzy, pos.unwrap_or_default())
        };
        let positions = unit_pos
            .into_iter()
            .map(|u| self.char_index(r, u))
            .collect();
        Hit {
            record: r,
            class,
            score,
            positions,
        }
    }
}

impl Records for SearchIndex {
    fn count(&self) -> usize {
        self.len()
    }
    fn units_of(&self, r: u32) -> &[char] {
        self.units(r)
    }
    fn tie(&self, a: u32, b: u32) -> std::cmp::Ordering {
        SearchIndex::tie(self, a, b)
    }
}

/// A name's signature: the OR of [`sig_bits`] over its folded units.
fn sig_of(units: &[char]) -> u32 {
    units.iter().fold(0, |s, &c| s | sig_bits(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SearchIndex {
        let (sur, given) = (
            ["김", "이", "박", "민", "수"],
            ["민", "수", "서", "지", "미", "김"],
        );
        let mut state = 7u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        let keys: Vec<PersonKey> = (0..3000)
            .map(|i| {
                let mut name = sur[next(sur.len())].to_string();
                for _ in 0..1 + next(2) {
                    name.push_str(given[next(given.len())]);
                }
                PersonKey {
                    name,
                    birth: BirthDate::new(1940 + next(40) as u16, 1, 1 + next(28) as u8),
                    phone_tail: Some(1230 + next(10) as u16),
                    // Many ties, so the name and record tie-breaks are exercised.
                    activity: (i % 5) as i64,
                }
            })
            .collect();
        SearchIndex::build(&keys)
    }

    #[test]
    fn pages_concatenate_to_the_full_ranking() {
        let ix = index();
        for text in [
            "김민수",
            "ㄱㅁㅅ",
            "김미",
            "민수",
            "수민",
            "김",
            "ㅁ",
            "1234",
            "",
            "김 1955",
        ] {
            let q = Query::parse(text, 2025);
            let filter = |r: u32| r % 3 != 1;
            let full = ix.search(&q, filter, usize::MAX);
            let mut ranking = ix.rank(&q, filter);
            assert_eq!(ranking.len(), full.len(), "count for {text:?}");
            let mut paged = Vec::new();
            loop {
                let page = ix.page(&mut ranking, paged.len(), 37);
                if page.is_empty() {
                    break;
                }
                paged.extend(page);
            }
            assert_eq!(paged, full, "pages for {text:?}");
            // A fresh ranking's first page is what a limited search gives.
            let mut fresh = ix.rank(&q, filter);
            assert_eq!(
                ix.page(&mut fresh, 0, 20),
                ix.search(&q, filter, 20),
                "{text:?}"
            );
        }
        // "수민" finds fuzzy-only names (수…민 not aligned) after the structural ones.
        let q = Query::parse("수민", 2025);
        let all = ix.search(&q, |_| true, usize::MAX);
        assert!(all.iter().any(|h| h.class == MatchClass::Fuzzy));
        assert!(all.iter().any(|h| h.class != MatchClass::Fuzzy));
    }

    /// Encodes `ix` and decodes it again (`None` when the decoder refuses the bytes).
    fn round_trip(ix: &SearchIndex) -> Option<SearchIndex> {
        let mut w = Writer::default();
        ix.encode(&mut w);
        let mut r = Reader::new(&w.buf);
        SearchIndex::decode(&mut r).filter(|_| r.is_done())
    }

    /// The first page of every kind of one-character and longer query, lazily ranked.
    fn first_pages(ix: &SearchIndex) -> Vec<Vec<Hit>> {
        ["김", "ㅁ", "수", "ㄱㅁ", "김민", "1", "민수"]
            .iter()
            .map(|t| {
                let mut ranking = ix.rank(&Query::parse(t, 2025), |_| true);
                ix.page(&mut ranking, 0, 30)
            })
            .collect()
    }

    /// A sealed index keeps its group order when stored, so a decoded one needs no sort and
    /// answers the same; an order that is not a grouped permutation of its records is refused.
    #[test]
    fn a_stored_index_keeps_its_groups_and_refuses_a_wrong_order() {
        let mut ix = index();
        assert!(
            round_trip(&ix).expect("decodes").lead.is_none(),
            "small: no groups"
        );
        ix.seal_always(FAST_ROWS);
        let order = ix.lead.as_ref().expect("sealed").order().to_vec();
        let mut back = round_trip(&ix).expect("decodes");
        assert!(
            back.lead.is_none(),
            "decoded with its order, grouped when asked"
        );
        back.ensure_sealed();
        assert_eq!(back.lead.as_ref().expect("groups kept").order(), order);
        assert_eq!(
            back.lead.as_ref().map(Lead::pairs),
            ix.lead.as_ref().map(Lead::pairs)
        );
        assert_eq!(first_pages(&back), first_pages(&ix));

        // The order is the last n u32s of the encoding.
        let mut w = Writer::default();
        ix.encode(&mut w);
        let at = w.buf.len() - 4 * order.len();
        let with = |o: &[u32]| {
            let mut b = w.buf[..at].to_vec();
            o.iter().for_each(|r| b.extend_from_slice(&r.to_le_bytes()));
            let mut r = Reader::new(&b);
            SearchIndex::decode(&mut r).filter(|_| r.is_done())
        };
        assert!(with(&order).is_some());
        let mut twice = order.clone();
        twice[5] = twice[6];
        assert!(with(&twice).is_none(), "a record twice");
        let mut outside = order.clone();
        outside[0] = order.len() as u32;
        assert!(with(&outside).is_none(), "a record that does not exist");
        let reversed: Vec<u32> = order.iter().rev().copied().collect();
        assert!(with(&reversed).is_none(), "not grouped");
        assert!(with(&order[1..]).is_none(), "short");

        // Records pushed after sealing are not in the order: none is stored, and the decoded
        // index is unsealed (its loader seals it over every record).
        ix.push(&PersonKey {
            name: "김하나".into(),
            ..PersonKey::default()
        });
        let mut back = round_trip(&ix).expect("decodes");
        assert!(back.lead.is_none());
        back.ensure_sealed();
        assert!(back.lead.is_none(), "below the size that groups");
    }

    #[test]
    fn best_first_moves_exactly_the_best_k_to_the_front() {
        let mut state = 11u64;
        let v: Vec<(u32, u32)> = (0..2000u32)
            .map(|i| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                ((state >> 60) as u32, i)
            })
            .collect();
        let cmp = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        let mut sorted = v.clone();
        sorted.sort_by(cmp);
        for k in [1, 7, 64, 249] {
            let mut got = v.clone();
            best_first(&mut got, k, cmp);
            got[..k].sort_by(cmp);
            assert_eq!(got[..k], sorted[..k], "k = {k}");
            let mut all = got.clone();
            all.sort_by(cmp);
            assert_eq!(all, sorted, "a permutation (k = {k})");
        }
    }

    #[test]
    fn a_ranking_from_another_index_gives_nothing() {
        let (a, b) = (index(), index());
        let mut r = a.rank(&Query::parse("김", 2025), |_| true);
        assert!(!r.is_empty());
        assert!(b.page(&mut r, 0, 10).is_empty());
    }
}
