//! The large-index keystroke path (first-character groups, lazy ranking of one-character
//! queries) gives exactly what a full ranking gives: the same count, the same rows in the same
//! order, page after page, with and without a filter, for random typed sequences through a
//! refining searcher, and with records pushed after the groups were made.

use crate::common::rng::Rng;
use dolbom::search::{BirthDate, PersonKey, Query, SearchIndex, Searcher};

const SUR: &[&str] = &[
    "김", "김", "김", "이", "박", "기", "고", "과", "민", "ㄱ", "a",
];
const GIVEN: &[&str] = &[
    "민", "수", "미", "김", "기", "길", "서", "지", "명", "곽", "ㄱ", "b", "1", "2",
];

fn keys(n: usize, seed: u64) -> Vec<PersonKey> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let mut name = SUR[rng.below(SUR.len())].to_string();
            // Some one-character names (exact matches of a one-character query).
            for _ in 0..rng.below(3) {
                name.push_str(GIVEN[rng.below(GIVEN.len())]);
            }
            if rng.below(50) == 0 {
                name.push(' ');
                name.push_str(GIVEN[rng.below(GIVEN.len())]);
            }
            PersonKey {
                name,
                birth: BirthDate::new(1950 + rng.below(20) as u16, 1, 1),
                phone_tail: Some(rng.below(10_000) as u16),
                // Few distinct values: the name and record tie-breaks decide many rows.
                activity: rng.below(4) as i64,
            }
        })
        .collect()
}

/// Every row of a lazy ranking, page by page (the pane's first screenful, then pages of 200).
/// Returns the count once every row was taken (exact), whether the ranking was lazy, the rows.
fn lazy_rows(
    ix: &SearchIndex,
    s: &mut Searcher,
    q: &Query,
    filter: impl Fn(u32) -> bool + Copy,
) -> (usize, bool, Vec<dolbom::search::Hit>) {
    let mut r = s.rank_lazy(ix, q, filter);
    let (first, lazy) = (r.len(), r.is_lazy());
    assert_eq!(lazy, !r.is_exact());
    // Without the filter, a lazy ranking gives only the rows it holds; its count is at least
    // that many.
    let held = ix.page(&mut r, 0, usize::MAX).len();
    assert!(!lazy || first >= held, "{first} < {held}");
    let mut rows = ix.page_with(&mut r, 0, 64, filter);
    loop {
        let page = ix.page_with(&mut r, rows.len(), 200, filter);
        if page.is_empty() {
            break;
        }
        rows.extend(page);
    }
    assert!(r.is_exact());
    if lazy {
        // An honest lower bound, above the rows first ranked (so the list offers more).
        assert!(first <= r.len(), "{first} > {}", r.len());
    } else {
        assert_eq!(first, r.len(), "the count of a full ranking");
    }
    (r.len(), lazy, rows)
}

const TYPED: &[&[&str]] = &[
    &["ㄱ", "기", "김", "김ㅁ", "김미", "김민", "김민ㅅ", "김민수"],
    &["ㄱ", "ㄱㅁ", "ㄱㅁㅅ"],
    &["ㅁ", "미", "민", "민ㅅ", "민수"],
    &["고", "과", "곽"],
    &["a", "ab"],
    &["길", "기"],
    &["ㄱ", "김 1955"],
    &["1", "12", "123", "1234"],
    &["1955", "1955 김", "0042"],
    &["2", "김2", "ㄱ1"],
];

#[test]
fn lazy_keystrokes_give_the_full_ranking() {
    let mut ix = SearchIndex::build(&keys(6000, 3));
    ix.seal_always(100);
    let filters: [fn(u32) -> bool; 2] = [|_| true, |r| r % 3 != 0];
    let mut lazy_seen = 0;
    for filter in filters {
        for typed in TYPED {
            let mut s = Searcher::new();
            for text in *typed {
                let q = Query::parse(text, 2025);
                let full = ix.search(&q, filter, usize::MAX);
                let (len, lazy, rows) = lazy_rows(&ix, &mut s, &q, filter);
                lazy_seen += usize::from(lazy);
                assert_eq!(len, full.len(), "count of {text:?}");
                assert_eq!(rows, full, "rows of {text:?}");
            }
        }
    }
    assert!(lazy_seen >= 10, "the lazy path ran ({lazy_seen} times)");
}

#[test]
fn random_queries_match_the_full_ranking() {
    let mut ix = SearchIndex::build(&keys(5000, 11));
    ix.seal_always(50);
    let alphabet = [
        "ㄱ", "김", "기", "미", "민", "ㅁ", "수", "곽", "a", "길", "ㅅ", "고", "1", "2",
    ];
    let mut rng = Rng(5);
    let mut s = Searcher::new();
    for _ in 0..150 {
        let mut text = String::new();
        for _ in 0..1 + rng.below(3) {
            text.push_str(alphabet[rng.below(alphabet.len())]);
        }
        let q = Query::parse(&text, 2025);
        let filter = |r: u32| r % 5 != 1;
        let full = ix.search(&q, filter, usize::MAX);
        let (len, _, rows) = lazy_rows(&ix, &mut s, &q, filter);
        assert_eq!(len, full.len(), "count of {text:?}");
        assert_eq!(rows, full, "rows of {text:?}");
        // The first screenful alone is what a limited search gives.
        let mut fresh = Searcher::new();
        let mut r = fresh.rank_lazy(&ix, &q, filter);
        assert_eq!(
            ix.page_with(&mut r, 0, 64, filter),
            ix.search(&q, filter, 64),
            "{text:?}"
        );
    }
}

#[test]
fn records_pushed_after_sealing_are_found_in_order() {
    let all = keys(4000, 7);
    let mut ix = SearchIndex::build(&all[..3000]);
    ix.seal_always(50);
    for k in &all[3000..] {
        ix.push(k);
    }
    // A pushed record with the best activity comes first (every match of ㄱ at the start
    // scores the same).
    ix.push(&PersonKey {
        name: "김우선".into(),
        activity: 99,
        ..PersonKey::default()
    });
    ix.push(&PersonKey {
        name: "김1 수".into(),
        activity: 98,
        ..PersonKey::default()
    });
    for text in [
        "ㄱ", "김", "기", "ㅁ", "a", "1", "김1", "1수", "김ㅁ", "ㄱㅁ", "민ㅅ", "김민",
    ] {
        let q = Query::parse(text, 2025);
        let full = ix.search(&q, |_| true, usize::MAX);
        let (len, lazy, rows) = lazy_rows(&ix, &mut Searcher::new(), &q, |_| true);
        assert!(lazy || text.len() > 3, "{text:?} ranked lazily");
        assert_eq!(len, full.len(), "count of {text:?}");
        assert_eq!(rows, full, "rows of {text:?}");
    }
    let q = Query::parse("ㄱ", 2025);
    let mut r = Searcher::new().rank_lazy(&ix, &q, |_| true);
    assert!(r.is_lazy());
    assert_eq!(ix.folded_name(ix.page(&mut r, 0, 1)[0].record), "김우선");
}

#[test]
fn a_lazy_ranking_pages_only_its_ranked_rows_without_the_filter() {
    let mut ix = SearchIndex::build(&keys(3000, 5));
    ix.seal_always(50);
    let q = Query::parse("ㄱ", 2025);
    let mut r = Searcher::new().rank_lazy(&ix, &q, |_| true);
    assert!(r.is_lazy());
    let known = ix.page(&mut r, 0, usize::MAX).len();
    assert!(known > 0 && known < r.len(), "{known} of {}", r.len());
    let all = ix.search(&q, |_| true, usize::MAX).len();
    assert!(r.len() <= all);
    assert_eq!(ix.page_with(&mut r, 0, usize::MAX, |_| true).len(), all);
    assert!(!r.is_lazy() && r.is_exact());
    assert_eq!(r.len(), all);
    // Without a filter, the count is every name starting with a ㄱ syllable, at least.
    let mut r = Searcher::new().rank_lazy_unfiltered(&ix, &q);
    let starting = (0..ix.len() as u32)
        .filter(|&x| {
            let n = ix.folded_name(x);
            n.starts_with('ㄱ') || n.chars().next().is_some_and(|c| ('가'..='깋').contains(&c))
        })
        .count();
    assert_eq!(r.len(), starting);
    assert_eq!(
        ix.page_with(&mut r, 0, 50, |_| true),
        ix.search(&q, |_| true, 50)
    );
}
