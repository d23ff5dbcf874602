//! Hangul arithmetic, and property tests: a generated name is found by its 초성 key and by every
//! keystroke prefix of its jamo key as a 2-beolsik IME composes it; the refining [`Searcher`]
//! always returns what a full scan returns.

use dolbom::search::hangul::{
    CHOSEONG, JONGSEONG, JUNGSEONG, choseong_key, compose, decompose, jamo_key, nfc, push_jamo,
    split_compound,
};
use dolbom::search::{PersonKey, Query, SearchIndex, Searcher, refines};
use proptest::prelude::*;

#[test]
fn syllable_arithmetic() {
    let s = decompose('김').unwrap();
    assert_eq!((s.cho, s.jung, s.jong), (0, 20, 16));
    assert_eq!(
        decompose('가').map(|s| (s.cho, s.jung, s.jong)),
        Some((0, 0, 0))
    );
    assert_eq!(
        decompose('힣').map(|s| (s.cho, s.jung, s.jong)),
        Some((18, 20, 27))
    );
    assert_eq!(decompose('ㄱ'), None);
    assert_eq!(decompose('a'), None);
    for code in 0xAC00u32..0xAC00 + 11_172 {
        let c = char::from_u32(code).unwrap();
        let s = decompose(c).unwrap();
        assert_eq!(compose(s.cho, s.jung, s.jong), Some(c));
    }
    assert_eq!(compose(19, 0, 0), None);
}

#[test]
fn keys_and_compound_splitting() {
    assert_eq!(choseong_key("김민수"), "ㄱㅁㅅ");
    assert_eq!(choseong_key("Kim 민수"), "kimㅁㅅ");
    assert_eq!(jamo_key("김민수"), "ㄱㅣㅁㅁㅣㄴㅅㅜ");
    assert_eq!(jamo_key("곽"), "ㄱㅗㅏㄱ");
    assert_eq!(jamo_key("닭"), "ㄷㅏㄹㄱ");
    assert_eq!(jamo_key("의"), "ㅇㅡㅣ");
    assert_eq!(jamo_key("깎"), "ㄲㅏㄲ");
    assert_eq!(split_compound('ㄳ'), ('ㄱ', Some('ㅅ')));
    assert_eq!(split_compound('ㅘ'), ('ㅗ', Some('ㅏ')));
    assert_eq!(split_compound('ㄲ'), ('ㄲ', None));
    // Decomposed (NFD) input is normalised: ᄀ + ᅵ + ᆷ → 김.
    assert_eq!(nfc("\u{1100}\u{1175}\u{11B7}"), "김");
    assert_eq!(jamo_key("\u{1100}\u{1175}\u{11B7}"), "ㄱㅣㅁ");
}

/// A 2-beolsik IME: composes a keystroke (jamo) sequence into what the query line shows.
fn ime(keys: &[char]) -> String {
    let mut out = String::new();
    let (mut cho, mut jung, mut jong): (Option<char>, Option<char>, Option<char>) =
        (None, None, None);
    let flush = |out: &mut String, cho: Option<char>, jung: Option<char>, jong: Option<char>| match (
        cho, jung,
    ) {
        (Some(c), Some(v)) => out.push(syllable(c, v, jong)),
        (Some(c), None) => out.push(c),
        (None, Some(v)) => out.push(v),
        (None, None) => {}
    };
    for &k in keys {
        let is_vowel = JUNGSEONG.contains(&k);
        match (cho, jung, jong, is_vowel) {
            (Some(_), None, _, true) => jung = Some(k),
            (Some(_), Some(v), None, true) => match combine(&JUNGSEONG, v, k) {
                Some(v2) => jung = Some(v2),
                None => {
                    flush(&mut out, cho, jung, None);
                    (cho, jung) = (None, Some(k));
                }
            },
            (Some(_), Some(_), Some(f), true) => {
                let (keep, moved) = match split_compound(f) {
                    (a, Some(b)) => (Some(a), b),
                    (a, None) => (None, a),
                };
                flush(&mut out, cho, jung, keep);
                (cho, jung, jong) = (Some(moved), Some(k), None);
            }
            (Some(_), Some(_), None, false) if JONGSEONG.contains(&k) => jong = Some(k),
            (Some(_), Some(_), Some(f), false) if combine(&JONGSEONG, f, k).is_some() => {
                jong = combine(&JONGSEONG, f, k)
            }
            (_, _, _, false) => {
                flush(&mut out, cho, jung, jong);
                (cho, jung, jong) = (Some(k), None, None);
            }
            (None, _, _, true) => {
                flush(&mut out, cho, jung, jong);
                (cho, jung, jong) = (None, Some(k), None);
            }
        }
    }
    flush(&mut out, cho, jung, jong);
    out
}

/// The compound in `table` whose split is `(a, b)`.
fn combine(table: &[char], a: char, b: char) -> Option<char> {
    table
        .iter()
        .copied()
        .find(|&c| split_compound(c) == (a, Some(b)))
}

fn syllable(c: char, v: char, f: Option<char>) -> char {
    let cho = CHOSEONG.iter().position(|&x| x == c).unwrap() as u8;
    let jung = JUNGSEONG.iter().position(|&x| x == v).unwrap() as u8;
    let jong = f.map_or(0, |f| {
        JONGSEONG.iter().position(|&x| x == f).unwrap() as u8 + 1
    });
    compose(cho, jung, jong).unwrap()
}

#[test]
fn ime_simulator_composes_like_a_keyboard() {
    let keys: Vec<char> = jamo_key("김민수").chars().collect();
    let shown: Vec<String> = (1..=keys.len()).map(|n| ime(&keys[..n])).collect();
    assert_eq!(
        shown,
        ["ㄱ", "기", "김", "김ㅁ", "김미", "김민", "김민ㅅ", "김민수"]
    );
    let keys: Vec<char> = jamo_key("각시").chars().collect();
    assert_eq!(ime(&keys[..4]), "갃");
    assert_eq!(ime(&keys), "각시");
    assert_eq!(ime(&jamo_key("과의").chars().collect::<Vec<_>>()), "과의");
}

fn name_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec((0u8..19, 0u8..21, 0u8..28), 2..=4).prop_map(|syls| {
        syls.into_iter()
            .map(|(c, v, f)| compose(c, v, f).unwrap())
            .collect()
    })
}

fn small_index(extra: &str) -> (Vec<PersonKey>, SearchIndex) {
    let mut keys: Vec<PersonKey> = [
        "김민수",
        "기민수",
        "김미나",
        "김미숙",
        "각시탈",
        "갈비집",
        "곽두원",
        "의정희",
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| PersonKey {
        name: n.to_string(),
        activity: i as i64,
        ..Default::default()
    })
    .collect();
    keys.push(PersonKey {
        name: extra.to_string(),
        activity: -1,
        ..Default::default()
    });
    let index = SearchIndex::build(&keys);
    (keys, index)
}

fn finds(index: &SearchIndex, q: &str, target: u32) -> bool {
    index
        .search(&Query::parse(q, 2025), |_| true, usize::MAX)
        .iter()
        .any(|h| h.record == target && h.class != dolbom::search::MatchClass::Fuzzy)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn initials_and_every_typed_prefix_find_the_name(name in name_strategy()) {
        let (keys, index) = small_index(&name);
        let me = (keys.len() - 1) as u32;
        prop_assert!(finds(&index, &choseong_key(&name), me), "초성 {}", choseong_key(&name));
        let mut keys_typed = Vec::new();
        for c in name.chars() {
            push_jamo(c, &mut keys_typed);
        }
        for n in 1..=keys_typed.len() {
            let shown = ime(&keys_typed[..n]);
            prop_assert!(finds(&index, &shown, me), "{name}: typed {shown:?} did not find it");
        }
        prop_assert_eq!(ime(&keys_typed), name);
    }

    #[test]
    fn refining_searcher_equals_full_scan(name in name_strategy(), limit in 1usize..6) {
        let (_, index) = small_index(&name);
        let mut keys_typed = Vec::new();
        for c in name.chars() {
            push_jamo(c, &mut keys_typed);
        }
        let mut searcher = Searcher::new();
        let mut prev: Option<Query> = None;
        for n in 1..=keys_typed.len() {
            let q = Query::parse(&ime(&keys_typed[..n]), 2025);
            let got = searcher.search(&index, &q, |_| true, limit);
            let want = index.search(&q, |_| true, limit);
            prop_assert_eq!(got, want);
            if let Some(p) = &prev {
                // Typing one more jamo is always a refinement.
                prop_assert!(refines(p, &q), "{:?} -> {:?}", p.name().text(), q.name().text());
                prop_assert!(searcher.last_was_refined());
            }
            prev = Some(q);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Typing and backspacing at random (jamo by jamo) through a name never changes results.
    #[test]
    fn typing_and_backspacing_equals_full_scan(
        name in name_strategy(),
        steps in prop::collection::vec(any::<bool>(), 1..24),
    ) {
        let (_, index) = small_index(&name);
        let mut typed_all = Vec::new();
        for c in ["김미숙", name.as_str()].concat().chars() {
            push_jamo(c, &mut typed_all);
        }
        let mut searcher = Searcher::new();
        let mut n = 0usize;
        for forward in steps {
            n = if forward { (n + 1).min(typed_all.len()) } else { n.saturating_sub(1) };
            let q = Query::parse(&ime(&typed_all[..n]), 2025);
            let got = searcher.search(&index, &q, |_| true, 3);
            prop_assert_eq!(got, index.search(&q, |_| true, 3), "{:?}", q.name().text());
        }
    }
}

#[test]
fn refinement_is_refused_when_not_provable() {
    let p = |s: &str| Query::parse(s, 2025);
    assert!(refines(&p("김미"), &p("김민")));
    assert!(refines(&p("김"), &p("기미")));
    assert!(refines(&p("갃"), &p("각시")));
    assert!(refines(&p(""), &p("김")));
    assert!(refines(&p("민수"), &p("민수 1234")));
    assert!(!refines(&p("김민"), &p("김미")), "backspace");
    assert!(!refines(&p("김수"), &p("김민수")));
    assert!(
        !refines(&p("민수 123"), &p("민수 1234")),
        "123 was a name term"
    );
    assert!(!refines(&p("민수 1234"), &p("민수")));
    assert!(!refines(&p("ab"), &p("ac")));
}

#[test]
fn searcher_forgets_on_index_change_and_invalidate() {
    let (mut keys, index) = small_index("박민수");
    let mut s = Searcher::new();
    s.search(&index, &Query::parse("김", 2025), |_| true, 10);
    s.search(&index, &Query::parse("김미", 2025), |_| true, 10);
    assert!(s.last_was_refined());
    keys.push(PersonKey {
        name: "김미자".into(),
        ..Default::default()
    });
    let bigger = SearchIndex::build(&keys);
    let hits = s.search(&bigger, &Query::parse("김미ㅈ", 2025), |_| true, 10);
    assert!(!s.last_was_refined());
    assert_eq!(hits.len(), 1);
    s.invalidate();
    s.search(&bigger, &Query::parse("김미자", 2025), |_| true, 10);
    assert!(!s.last_was_refined());
}

/// Syllables few enough that random names share them (structural, fuzzy and spilled matches).
const SMALL_SYLLABLES: &[&str] = &[
    "김", "기", "민", "미", "수", "숙", "이", "나", "각", "시", "곽", "과", "서", "ㄱ", "a",
];

fn small_name() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SMALL_SYLLABLES), 1..=4).prop_map(|s| s.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The pane's path (`Searcher::rank`, then pages): over random names, typing a random name
    /// jamo by jamo with random backspaces (and a filter and digit term now and then), the
    /// refined ranking's count and every page equal a from-scratch ranking's.
    #[test]
    fn refined_ranking_equals_from_scratch(
        names in prop::collection::vec((small_name(), 0u16..3), 1..120),
        typed in small_name(),
        steps in prop::collection::vec(0u8..8, 1..20),
        odd_only in any::<bool>(),
    ) {
        let keys: Vec<PersonKey> = names
            .iter()
            .enumerate()
            .map(|(i, (name, tail))| PersonKey {
                name: name.clone(),
                birth: None,
                phone_tail: Some(1230 + tail),
                activity: (i % 4) as i64,
            })
            .collect();
        let index = SearchIndex::build(&keys);
        let filter = move |r: u32| !odd_only || r % 2 == 1;
        let mut jamo = Vec::new();
        for c in typed.chars() {
            push_jamo(c, &mut jamo);
        }
        let mut searcher = Searcher::new();
        let mut n = 0usize;
        for step in steps {
            n = if step == 0 { n.saturating_sub(1) } else { (n + 1).min(jamo.len()) };
            let text = ime(&jamo[..n]);
            let text = if step == 7 { format!("{text} 1231") } else { text };
            let q = Query::parse(&text, 2025);
            let mut got = searcher.rank(&index, &q, filter);
            let mut want = index.rank(&q, filter);
            prop_assert_eq!(got.len(), want.len(), "count for {:?}", text);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            loop {
                let (pa, pb) = (index.page(&mut got, a.len(), 7), index.page(&mut want, b.len(), 7));
                if pa.is_empty() && pb.is_empty() {
                    break;
                }
                a.extend(pa);
                b.extend(pb);
            }
            prop_assert_eq!(a, b, "rows for {:?}", text);
        }
    }
}
