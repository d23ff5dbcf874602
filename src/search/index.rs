//! The compact in-memory index: one arena of folded name characters plus a few small
//! integers per record, and the full-scan search over it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::hangul::{fold_char, nfc};
use super::query::{BirthDate, DigitTerm, Query};
use super::rank::{Fuzzy, MatchClass, structured};

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
    /// Records whose units are not 1:1 with the name's chars (whitespace): unit → char index.
    char_pos: HashMap<u32, Box<[u32]>>,
}

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
            char_pos: HashMap::new(),
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
        for r in records {
            index.push(r);
        }
        index.units.shrink_to_fit();
        index
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
            + self
                .char_pos
                .values()
                .map(|v| 48 + v.len() * size_of::<u32>())
                .sum::<usize>()
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
        let mut visit = |r: u32| {
            if !filter(r) || !self.digits_match(r, terms) {
                return;
            }
            if name.is_empty() {
                scored.push((MatchClass::Any.rank() << 24, r));
                candidates.push(r);
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
            if !filter(r) || !self.digits_match(r, &query.digits) {
                continue;
            }
            if let Some((score, _)) = fuzzy.score(&query.name, self.units(r)) {
                scored.push((score, r));
            }
        }
    }

    fn top(&self, query: &Query, mut scored: Vec<(u32, u32)>, limit: usize) -> Vec<Hit> {
        let cmp = |a: &(u32, u32), b: &(u32, u32)| {
            b.0.cmp(&a.0)
                .then_with(|| self.activity[b.1 as usize].cmp(&self.activity[a.1 as usize]))
                .then_with(|| self.units(a.1).cmp(self.units(b.1)))
                .then(a.1.cmp(&b.1))
        };
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
