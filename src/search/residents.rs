//! Residents over the pure index: load records from the store, filter (읍면동, stage, risk
//! flags, 대상자 구분, worker), match, and fetch list rows. The TUI pane and `dolbom search` both
//! call [`find`], so they list the same residents in the same order.

use super::persist::{Reader, Writer, le_u16, le_u64};
use super::{BirthDate, Hit, MatchClass, PersonKey, Query, Ranking, SearchIndex, Searcher};
use crate::model::Stage;
use crate::store::{ResidentSummary, Result, SearchRecord, Store};
use std::collections::HashMap;

mod columns;
mod refresh;

use columns::{Attrs, Interner, NONE8, NONE16, Rowids};

/// Filters applied before matching. `None` = any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub dong: Option<String>,
    pub stage: Option<Stage>,
    /// A risk indicator or status flag (단전, 단수, 건보료 체납, 독거, 기초수급 …).
    pub flag: Option<String>,
    /// 대상자 구분 of the latest case.
    pub category: Option<String>,
    /// Assigned worker of the latest case ("내 사례만" sets it to the operator).
    pub worker: Option<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// Short labels for the chips above the list.
    pub fn chips(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(d) = &self.dong {
            v.push(d.clone());
        }
        if let Some(s) = self.stage {
            v.push(s.label().to_string());
        }
        if let Some(f) = &self.flag {
            v.push(f.clone());
        }
        if let Some(c) = &self.category {
            v.push(c.clone());
        }
        if let Some(w) = &self.worker {
            v.push(format!("담당 {w}"));
        }
        v
    }
}

/// The residents' search index with what filtering needs.
#[derive(Debug)]
pub struct ResidentIndex {
    index: SearchIndex,
    rowids: Rowids,
    attrs: Vec<Attrs>,
    /// Flag bitmask per resident over `flag_names` (first 64 distinct flags).
    flag_bits: Vec<u64>,
    dongs: Interner,
    workers: Interner,
    categories: Interner,
    flag_names: Interner,
    /// The database's change count the records were read at (`None`: unknown, or changed
    /// since by a push), and whether this index is the one stored in the database.
    changes: Option<i64>,
    stored: bool,
    /// Read from a blob that was current as stored: the list of residents changed since may
    /// start at it (a database from before that list had none; see [`persist`](Self::persist)).
    current_blob: bool,
}

/// Version of the persisted encoding: a blob in another format is rebuilt. Bump it whenever
/// [`ResidentIndex::encode`] or [`SearchIndex`]'s encoding changes.
pub const INDEX_FORMAT: i64 = 3;
const MAGIC: &[u8; 4] = b"DSIX";
/// Changed residents a stored index is refreshed with at each start before the refreshed one
/// is stored instead (reading each costs ~10 µs; storing rewrites the whole blob, 46 MB at 1M).
pub const STORE_AFTER: usize = 2_000;
/// Records compared against the database before a stored index is trusted (a restored backup
/// or a `VACUUM` may renumber rowids without counting as a change).
const SPOT_CHECKS: usize = 16;

/// `YYYY-MM-DD HH:MM` → `YYYYMMDDHHMM` (sortable; 0 when absent).
fn activity(s: Option<&str>) -> i64 {
    s.map(|s| {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'))
    })
    .unwrap_or(0)
}

fn birth(s: Option<&str>) -> Option<BirthDate> {
    let d = crate::clock::parse_date(s?)?;
    use chrono::Datelike;
    BirthDate::new(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
}

fn phone_tail(s: Option<&str>) -> Option<u16> {
    let digits: Vec<u8> = s?.bytes().filter(u8::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let tail = &digits[digits.len() - 4..];
    Some(tail.iter().fold(0u16, |n, b| n * 10 + u16::from(b - b'0')))
}

impl ResidentIndex {
    /// Builds the index from store records.
    pub fn build(records: &[SearchRecord]) -> ResidentIndex {
        let mut ix = ResidentIndex::empty();
        for r in records {
            ix.push(r);
        }
        ix.index.seal();
        ix
    }

    /// Every record as text, in record order, with the groups' order as rowids: what two
    /// indexes made different ways must agree on (tests; names by value, not interned id).
    #[doc(hidden)]
    pub fn describe(&self) -> (Vec<String>, Option<Vec<i64>>) {
        let name = |names: &Interner, id: u16| names.names.get(usize::from(id)).cloned();
        let records = (0..self.len() as u32)
            .map(|r| {
                let a = self.attrs[r as usize];
                let mut flags: Vec<&String> = (0..64)
                    .filter(|b| self.flag_bits[r as usize] & (1 << b) != 0)
                    .filter_map(|b| self.flag_names.names.get(b))
                    .collect();
                flags.sort();
                format!(
                    "{}|{}|{:?}|{:?}|{:?}|{}|{flags:?}",
                    self.rowid(r),
                    self.index.describe(r),
                    name(&self.dongs, a.dong),
                    name(&self.workers, a.worker),
                    name(&self.categories, u16::from(a.category)),
                    a.stage,
                )
            })
            .collect();
        let order = self
            .index
            .group_order()
            .map(|o| o.iter().map(|&r| self.rowid(r)).collect());
        (records, order)
    }

    /// Groups the records whatever their number (tests of the large-index paths).
    #[doc(hidden)]
    pub fn seal_always(&mut self, rows: usize) {
        self.index.seal_always(rows);
    }

    fn empty() -> ResidentIndex {
        ResidentIndex {
            index: SearchIndex::default(),
            rowids: Rowids::Narrow(Vec::new()),
            attrs: Vec::new(),
            flag_bits: Vec::new(),
            dongs: Interner::default(),
            workers: Interner::default(),
            categories: Interner::default(),
            flag_names: Interner::default(),
            changes: None,
            stored: false,
            current_blob: false,
        }
    }

    /// Adds one resident (record numbers follow the order of pushes).
    pub fn push(&mut self, r: &SearchRecord) {
        self.changes = None;
        self.stored = false;
        self.current_blob = false;
        self.index.push(&PersonKey {
            name: r.name.clone(),
            birth: birth(r.birth_date.as_deref()),
            phone_tail: phone_tail(r.phone.as_deref()),
            activity: activity(r.last_activity.as_deref()),
        });
        self.rowids.push(r.rowid);
        let stage = r
            .stage
            .as_deref()
            .and_then(Stage::parse)
            .and_then(|s| Stage::ALL.iter().position(|x| *x == s))
            .map_or(NONE8, |i| i as u8);
        let attrs = Attrs {
            dong: self.dongs.id(&r.dong),
            worker: r.worker.as_deref().map_or(NONE16, |w| self.workers.id(w)),
            stage,
            category: r
                .category
                .as_deref()
                .filter(|c| !c.is_empty())
                .map_or(NONE8, |c| self.categories.id(c).min(254) as u8),
        };
        self.attrs.push(attrs);
        let mut bits = 0u64;
        for f in crate::model::split_list(&r.risks)
            .iter()
            .chain(crate::model::split_list(&r.flags).iter())
        {
            let id = self.flag_names.id(f);
            if id < 64 {
                bits |= 1 << id;
            }
        }
        self.flag_bits.push(bits);
    }

    /// Loads every resident from the database file and builds the index, one record at a time
    /// (memory stays near the index's own size). Run it off the UI thread.
    /// `file` is [`crate::store::Store::file`] (an encrypted file needs its key), or a plain
    /// file's path.
    pub fn load(file: impl Into<crate::store::DbFile>) -> Result<ResidentIndex> {
        let mut ix = ResidentIndex::empty();
        let changes = crate::store::search_snapshot_at(&file.into(), |r| ix.push(&r))?;
        ix.finish(changes);
        Ok(ix)
    }

    fn finish(&mut self, changes: Option<i64>) {
        self.index.seal();
        self.rowids.shrink_to_fit();
        self.attrs.shrink_to_fit();
        self.flag_bits.shrink_to_fit();
        self.changes = changes;
    }

    /// Rebuilds the index from the store's residents (one read transaction).
    pub fn build_from(store: &Store) -> Result<ResidentIndex> {
        let mut ix = ResidentIndex::empty();
        let changes = store.search_snapshot(|r| ix.push(&r))?;
        ix.finish(changes);
        Ok(ix)
    }

    /// The index for `store`: the stored one when it is current (same change count, checksum
    /// and format, and its spot check holds), else rebuilt from the residents and stored for
    /// the next process (best effort: a read-only or busy database just isn't written).
    pub fn open(store: &Store) -> Result<ResidentIndex> {
        let mut ix = Self::open_for_one_query(store)?;
        ix.index.ensure_sealed();
        Ok(ix)
    }

    /// [`open`](Self::open) for a process that answers one query (`dolbom search`): a stored
    /// index is used as decoded, its group order not made into groups (one scan does not need
    /// them; the TUI's loaders make them, `ensure_sealed`). Its results are the same.
    pub fn open_for_one_query(store: &Store) -> Result<ResidentIndex> {
        let mut ix = match Self::stored(store)? {
            Some(ix) => ix,
            None => Self::build_from(store)?,
        };
        // Best effort: a rebuilt index, or one refreshed with many changes, is stored for the
        // next process.
        let _ = ix.persist(store);
        Ok(ix)
    }

    /// The stored index, if it is sound and current or made current by the residents changed
    /// since it was stored (see [`refreshed`](Self::refreshed)); `None` means "rebuild it".
    pub fn stored(store: &Store) -> Result<Option<ResidentIndex>> {
        let found = store.stored_search_index(
            INDEX_FORMAT,
            &mut |src, len| Self::decode_from(&mut Reader::stream(src, len)),
            &mut |ix, dirty, records| ix.refreshed(dirty, records),
            &mut |ix, names| ix.spot_check(names),
        )?;
        Ok(found.map(Self::stored_at))
    }

    /// The stored index read by a worker thread through its own connection (see
    /// [`crate::store::stored_search_index_at`]); `None` means "rebuild it".
    pub fn load_stored(file: &crate::store::DbFile) -> Result<Option<ResidentIndex>> {
        let found = crate::store::stored_search_index_at(
            file,
            INDEX_FORMAT,
            &mut |src, len| Self::decode_from(&mut Reader::stream(src, len)),
            &mut |ix, dirty, records| ix.refreshed(dirty, records),
            &mut |ix, names| ix.spot_check(names),
        )?;
        Ok(found.map(Self::stored_at))
    }

    /// What the TUI's worker thread runs at start: the stored index when it is current, else
    /// one built from the residents (stored later by [`persist`](Self::persist)).
    pub fn load_or_build(file: impl Into<crate::store::DbFile>) -> Result<ResidentIndex> {
        let file = file.into();
        match Self::load_stored(&file)? {
            Some(mut ix) => {
                ix.index.ensure_sealed();
                Ok(ix)
            }
            None => Self::load(file),
        }
    }

    /// A stored index as read: when more than [`STORE_AFTER`] residents changed since it was
    /// stored, the refreshed one is stored in its place (the next start reads fewer).
    fn stored_at((changes, mut ix, applied): (i64, ResidentIndex, usize)) -> ResidentIndex {
        ix.changes = Some(changes);
        ix.stored = applied <= STORE_AFTER;
        ix.current_blob = applied == 0;
        ix
    }

    /// Stores this index if it was read from a snapshot and is not stored yet; `Ok(false)` when
    /// there is nothing to do or the database changed since the snapshot (it would be stale).
    /// A blob read current starts the list of changed residents if none starts at it yet, so
    /// the next change is applied to it rather than rebuilt (a database migrated to that list).
    pub fn persist(&mut self, store: &Store) -> Result<bool> {
        let Some(changes) = self.changes else {
            return Ok(false);
        };
        if self.stored {
            if std::mem::take(&mut self.current_blob) {
                store.start_search_changes(changes)?;
            }
            return Ok(false);
        }
        self.stored = store.store_search_index(INDEX_FORMAT, changes, &self.encode())?;
        Ok(self.stored)
    }

    /// Whether the database holds this index: its blob, or its blob and the residents changed
    /// since (few enough to apply at each start), so there is nothing to store.
    pub fn is_stored(&self) -> bool {
        self.stored
    }

    /// A few records, spread over the index, still name the residents their rowids hold.
    fn spot_check(&self, names: &crate::store::NameLookup<'_>) -> Result<bool> {
        let n = self.len();
        if n == 0 {
            return Ok(true);
        }
        let picks: Vec<u32> = (0..SPOT_CHECKS.min(n))
            .map(|i| (i * (n - 1) / SPOT_CHECKS.min(n).saturating_sub(1).max(1)) as u32)
            .collect();
        let rowids: Vec<i64> = picks.iter().map(|&r| self.rowid(r)).collect();
        let found = names.names(&rowids)?;
        Ok(picks.iter().all(|&r| {
            found
                .get(&self.rowid(r))
                .is_some_and(|name| SearchIndex::fold(name) == self.index.folded_name(r))
        }))
    }

    /// The persisted form: magic, the name index, then rowids, filter attributes and the
    /// interned strings. About 42 bytes per resident, plus 4 for the group order of a large
    /// index (300,000 residents or more).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.buf.reserve(self.heap_bytes() + 64);
        w.buf.extend_from_slice(MAGIC);
        self.index.encode(&mut w);
        self.rowids.encode(&mut w);
        for a in &self.attrs {
            w.u16(a.dong);
            w.u16(a.worker);
            w.u8(a.stage);
            w.u8(a.category);
        }
        self.flag_bits.iter().for_each(|&b| w.u64(b));
        for names in [
            &self.dongs,
            &self.workers,
            &self.categories,
            &self.flag_names,
        ] {
            names.encode(&mut w);
        }
        w.buf
    }

    /// Reads [`encode`](Self::encode)'s output; `None` if anything is inconsistent.
    pub fn decode(data: &[u8]) -> Option<ResidentIndex> {
        Self::decode_from(&mut Reader::new(data))
    }

    /// [`decode`](Self::decode) from a stream (the blob read a chunk at a time), building each
    /// column in place: no second copy of the data is ever held.
    fn decode_from(r: &mut Reader<impl std::io::Read>) -> Option<ResidentIndex> {
        let mut magic = [0u8; 4];
        for b in &mut magic {
            *b = r.u8()?;
        }
        if &magic != MAGIC {
            return None;
        }
        let index = SearchIndex::decode(r)?;
        let n = index.len();
        let rowids = Rowids::decode(r, n)?;
        let attrs = r.vec(n, 6, |b| {
            Some(Attrs {
                dong: le_u16(b.get(0..2)?)?,
                worker: le_u16(b.get(2..4)?)?,
                stage: *b.get(4)?,
                category: *b.get(5)?,
            })
        })?;
        let flag_bits = r.vec(n, 8, le_u64)?;
        let dongs = Interner::decode(r)?;
        let workers = Interner::decode(r)?;
        let categories = Interner::decode(r)?;
        let flag_names = Interner::decode(r)?;
        if !r.is_done() {
            return None;
        }
        Some(ResidentIndex {
            index,
            rowids,
            attrs,
            flag_bits,
            dongs,
            workers,
            categories,
            flag_names,
            changes: None,
            stored: false,
            current_blob: false,
        })
    }

    pub fn len(&self) -> usize {
        self.rowids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rowids.len() == 0
    }

    /// Bytes of heap the index holds (the name index plus filter attributes).
    pub fn heap_bytes(&self) -> usize {
        self.index.heap_bytes()
            + self.rowids.heap_bytes()
            + self.attrs.capacity() * std::mem::size_of::<Attrs>()
            + self.flag_bits.capacity() * 8
    }

    /// Known 읍면동, flags, 대상자 구분 and workers (for the filter form's choices).
    pub fn dongs(&self) -> &[String] {
        &self.dongs.names
    }
    pub fn flags(&self) -> &[String] {
        &self.flag_names.names
    }
    pub fn categories(&self) -> &[String] {
        &self.categories.names
    }
    pub fn workers(&self) -> &[String] {
        &self.workers.names
    }

    /// A predicate over record numbers for `filters`, or `None` if some filter names a value no
    /// resident has (nothing can match).
    fn predicate(&self, filters: &Filters) -> Option<impl Fn(u32) -> bool + '_> {
        let dong = match &filters.dong {
            Some(d) => Some(self.dongs.get(d)?),
            None => None,
        };
        let worker = match &filters.worker {
            Some(w) => Some(self.workers.get(w)?),
            None => None,
        };
        let category = match &filters.category {
            Some(c) => Some(self.categories.get(c)?.min(254) as u8),
            None => None,
        };
        let stage = filters
            .stage
            .and_then(|s| Stage::ALL.iter().position(|x| *x == s))
            .map(|i| i as u8);
        let flag = match &filters.flag {
            Some(f) => {
                let id = self.flag_names.get(f)?;
                if id >= 64 {
                    return None;
                }
                Some(1u64 << id)
            }
            None => None,
        };
        Some(move |r: u32| {
            let a = self.attrs[r as usize];
            dong.is_none_or(|d| a.dong == d)
                && worker.is_none_or(|w| a.worker == w)
                && category.is_none_or(|c| a.category == c)
                && stage.is_none_or(|s| a.stage == s)
                && flag.is_none_or(|f| self.flag_bits[r as usize] & f != 0)
        })
    }

    /// Matching records, best first (pure: no database access).
    pub fn search(
        &self,
        searcher: &mut Searcher,
        query: &Query,
        filters: &Filters,
        limit: usize,
    ) -> Vec<Hit> {
        match self.predicate(filters) {
            Some(p) => searcher.search(&self.index, query, p, limit),
            None => Vec::new(),
        }
    }

    /// Every matching record, counted; rows come a page at a time from [`page`](Self::page)
    /// (pure: no database access).
    /// A one-character query on a large index is ranked lazily (see [`Searcher::rank_lazy`]):
    /// counted exactly, its rows ranked as far as pages ask.
    pub fn rank(&self, searcher: &mut Searcher, query: &Query, filters: &Filters) -> Ranking {
        match self.predicate(filters) {
            Some(_) if filters.is_empty() => searcher.rank_lazy_unfiltered(&self.index, query),
            Some(p) => {
                let mut ranking = searcher.rank_lazy(&self.index, query, p);
                ranking.filters = filters.clone();
                ranking
            }
            None => Ranking::default(),
        }
    }

    /// Rows `from..from + n` of a ranking made on this index, best first.
    pub fn page(&self, ranking: &mut Ranking, from: usize, n: usize) -> Vec<Hit> {
        if !ranking.is_lazy() {
            return self.index.page(ranking, from, n);
        }
        match self.predicate(&ranking.filters) {
            Some(p) => self.index.page_with(ranking, from, n, p),
            None => Vec::new(),
        }
    }

    pub fn rowid(&self, record: u32) -> i64 {
        self.rowids.get(record as usize)
    }
}

/// One search result with its list row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResidentHit {
    pub summary: ResidentSummary,
    #[serde(skip)]
    pub class: MatchClass,
    pub score: u32,
    /// Char positions in the name to highlight.
    #[serde(skip)]
    pub positions: Vec<usize>,
}

/// Searches and fetches the list rows: what the pane shows and `dolbom search` prints.
pub fn find(
    store: &Store,
    index: &ResidentIndex,
    searcher: &mut Searcher,
    text: &str,
    filters: &Filters,
    limit: usize,
) -> Result<Vec<ResidentHit>> {
    use chrono::Datelike;
    let year = u16::try_from(store.clock().today().year()).unwrap_or(2026);
    let query = Query::parse(text, year);
    // The pane's first page comes the same way, so both list the same residents in one order.
    let mut ranking = index.rank(searcher, &query, filters);
    let hits = index.page(&mut ranking, 0, limit);
    summarize(store, index, hits)
}

/// The list rows of `hits`, in their order; a resident deleted since the index was built (e.g.
/// by a sync) has no row and is left out.
pub fn summarize(store: &Store, index: &ResidentIndex, hits: Vec<Hit>) -> Result<Vec<ResidentHit>> {
    let rowids: Vec<i64> = hits.iter().map(|h| index.rowid(h.record)).collect();
    let mut summaries: HashMap<i64, ResidentSummary> = store
        .resident_summaries(&rowids)?
        .into_iter()
        .map(|s| (s.rowid, s))
        .collect();
    // A resident deleted since the index was built (e.g. by a sync) has no summary: drop it.
    Ok(hits
        .into_iter()
        .filter_map(|h| {
            let summary = summaries.remove(&index.rowid(h.record))?;
            // A rowid that now holds someone else (the index predates a renumbering): never
            // show another resident under this match.
            if SearchIndex::fold(&summary.name) != index.index.folded_name(h.record) {
                return None;
            }
            Some(ResidentHit {
                summary,
                class: h.class,
                score: h.score,
                positions: h.positions,
            })
        })
        .collect())
}

/// Likely duplicates of a new resident: same name and birth date, or the same 초성, birth year
/// and 동 (shown before an intake creates anyone).
pub fn likely_duplicates(
    store: &Store,
    name: &str,
    birth_date: Option<&str>,
    dong: &str,
) -> Result<Vec<ResidentSummary>> {
    let initials = super::hangul::choseong_key(name);
    Ok(store
        .duplicate_candidates(name, birth_date, dong)?
        .into_iter()
        .filter(|s| {
            (s.name == name && s.birth_date.as_deref() == birth_date)
                || (s.dong == dong && super::hangul::choseong_key(&s.name) == initials)
        })
        .collect())
}

/// The JSON object `dolbom search --json` prints for a hit.
pub fn hit_json(h: &ResidentHit) -> serde_json::Value {
    let s = &h.summary;
    serde_json::json!({
        "id": s.id,
        "name": s.name,
        "birth_date": s.birth_date,
        "sex": s.sex.map(|x| x.code()),
        "dong": s.dong,
        "phone_tail": phone_tail(s.phone.as_deref()).map(|t| format!("{t:04}")),
        "stage": s.stage.map(|x| x.label()),
        "score": h.score,
    })
}

/// One line of `dolbom search` output (phone masked as in the pane).
pub fn hit_line(h: &ResidentHit) -> String {
    let s = &h.summary;
    let phone = s
        .phone
        .as_deref()
        .map(crate::privacy::mask_phone)
        .unwrap_or_default();
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        s.id,
        s.name,
        s.birth_date.as_deref().unwrap_or("-"),
        s.sex.map_or("-", |x| x.label()),
        s.dong,
        phone,
        s.stage.map_or("-", |x| x.label())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: usize) -> SearchRecord {
        let sur = ["김", "기", "고", "이"][i % 4];
        let given = ["민수", "미", "김", "서"][i / 4 % 4];
        SearchRecord {
            rowid: i as i64 + 1,
            name: format!("{sur}{given}"),
            birth_date: None,
            phone: None,
            dong: ["역삼동", "대치동"][i % 2].to_string(),
            risks: String::new(),
            flags: String::new(),
            stage: None,
            worker: None,
            category: None,
            last_activity: Some(format!("2026-01-{:02} 10:00", 1 + i % 28)),
        }
    }

    /// A lazy ranking keeps its filters: rows past its first ones come ranked with them, the
    /// same as a full ranking's.
    #[test]
    fn a_lazy_ranking_completes_with_its_filters() {
        let records: Vec<SearchRecord> = (0..2000).map(record).collect();
        let mut ix = ResidentIndex::build(&records);
        ix.index.seal_always(40);
        let q = Query::parse("ㄱ", 2026);
        for filters in [
            Filters::default(),
            Filters {
                dong: Some("대치동".into()),
                ..Filters::default()
            },
        ] {
            let mut lazy = ix.rank(&mut Searcher::new(), &q, &filters);
            assert!(lazy.is_lazy() && !lazy.is_exact(), "{filters:?}");
            let p = ix.predicate(&filters).expect("known 동");
            let mut full = ix.index.rank(&q, p);
            assert!(lazy.len() < full.len());
            let all = ix.page(&mut full, 0, usize::MAX);
            let mut rows = ix.page(&mut lazy, 0, 30);
            rows.extend(ix.page(&mut lazy, 30, usize::MAX));
            assert!(lazy.is_exact());
            assert_eq!(lazy.len(), full.len());
            assert_eq!(rows, all, "{filters:?}");
        }
    }
}
