//! Query → expected names on the hand-written fixture: every matching rule, must-match and
//! must-not-match, plus ranking, digits and the generic string entry point.

use dolbom::search::{
    BirthDate, Hit, MatchClass, NameQuery, PersonKey, Query, SearchIndex, match_name, rank_names,
};

const TODAY: u16 = 2025;

fn fixture() -> Vec<PersonKey> {
    include_str!("../fixtures/search_names.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split('|').collect();
            let birth = f.get(1).filter(|s| !s.is_empty()).map(|s| {
                let p: Vec<u16> = s.split('-').map(|x| x.parse::<u16>().unwrap()).collect();
                BirthDate::new(p[0], p[1] as u8, p[2] as u8).unwrap()
            });
            PersonKey {
                name: f[0].to_string(),
                birth,
                phone_tail: f.get(2).and_then(|s| s.parse().ok()),
                activity: f.get(3).and_then(|s| s.parse().ok()).unwrap_or(0),
            }
        })
        .collect()
}

struct Fx {
    keys: Vec<PersonKey>,
    index: SearchIndex,
}

fn fx() -> Fx {
    let keys = fixture();
    let index = SearchIndex::build(&keys);
    Fx { keys, index }
}

impl Fx {
    fn hits(&self, q: &str) -> Vec<Hit> {
        self.index
            .search(&Query::parse(q, TODAY), |_| true, usize::MAX)
    }
    fn names(&self, q: &str) -> Vec<String> {
        self.hits(q)
            .iter()
            .map(|h| self.keys[h.record as usize].name.clone())
            .collect()
    }
    fn class_of(&self, q: &str, name: &str) -> Option<MatchClass> {
        self.hits(q)
            .into_iter()
            .find(|h| self.keys[h.record as usize].name == name)
            .map(|h| h.class)
    }
}

/// (query, must be found, must not be found at all — not even by fuzzy).
const TABLE: &[(&str, &[&str], &[&str])] = &[
    // The seven spellings of 김민수.
    (
        "김민수",
        &["김민수", "박김민수", "김 민수"],
        &["김민서", "기민수", "김미숙", "민수진"],
    ),
    (
        "민수",
        &[
            "김민수",
            "이민수",
            "민수진",
            "기민수",
            "강민수",
            "남궁민수",
            "민수희",
        ],
        &["김민서", "김만수"],
    ),
    (
        "ㄱㅁㅅ",
        &[
            "김민수",
            "김민서",
            "김미숙",
            "기민수",
            "강민수",
            "김만수",
            "김문수",
            "김명수",
            "박김민수",
        ],
        &["김수민", "이민수", "민수진"],
    ),
    (
        "김ㅁㅅ",
        &[
            "김민수",
            "김민서",
            "김미숙",
            "김만수",
            "김문수",
            "김민석",
            "김민성",
        ],
        &["기민수", "강민수", "김수민", "김영민"],
    ),
    (
        "ㄱ민수",
        &["김민수", "기민수", "강민수", "길민수", "박김민수"],
        &["김만수", "이민수", "민수진"],
    ),
    (
        "김민ㅅ",
        &["김민수", "김민서", "김민석", "김민성"],
        &["김미숙", "김만수", "김민", "김민준"],
    ),
    (
        "김미",
        &[
            "김민수",
            "김민서",
            "김미숙",
            "김민",
            "김미나",
            "김미란",
            "김민준",
        ],
        &["기민수", "김만수", "김명수"],
    ),
    // Final consonant read as the next syllable's 초성.
    (
        "김민",
        &["김민", "김민수", "김미나", "박김민수"],
        &["김미숙", "기민수", "김미란"],
    ),
    (
        "김",
        &["김민수", "기민수", "박김민수", "김 민수"],
        &["이민수", "강민수"],
    ),
    // Earlier syllables match whole.
    ("김수", &["김수민", "김수진"], &["기민수"]),
    // Spaces in the query are ignored; spaces in names too.
    ("김 민수", &["김민수", "김 민수", "박김민수"], &["김민서"]),
    ("김 민 수", &["김민수"], &["기민수"]),
    // Compound vowels and finals are split into keystrokes.
    ("고", &["곽두원", "곽순자", "광수", "고영수"], &["구영수"]),
    ("과", &["곽두원", "곽순자", "광수"], &["고영수"]),
    ("곽ㄷ", &["곽두원"], &["곽순자"]),
    ("ㄳ", &["김수민", "김수진", "각시탈", "곽순자"], &["김민수"]),
    ("김말", &["김맑음", "김말금"], &["김민수"]),
    ("김맑", &["김맑음", "김말금"], &["김민수"]),
    ("앉", &["안자영"], &["안영수"]),
    ("갃", &["각시탈"], &["갈비집"]),
    ("갋", &["갈비집"], &["각시탈"]),
    ("으", &["의정희"], &["이영수"]),
    ("최으", &["최의진"], &["최영수"]),
    ("ㄲ", &[], &["김민수", "곽두원"]),
    // Mixed 초성 and syllables per position.
    ("ㅎㅂ영ㅊ", &["황보영철"], &["황영수"]),
    ("ㄴㄱ민", &["남궁민수"], &["김민수"]),
    ("ㅈㄱㅁ", &["제갈민"], &["김민"]),
    // Latin, case-insensitive.
    ("john", &["John Smith"], &["Maria Santos"]),
    ("SMITH", &["John Smith"], &["Maria Santos"]),
    ("nguyen lan", &["Nguyen Thi Lan"], &["John Smith"]),
    // Digits.
    (
        "1234",
        &["김민수", "민수진", "강민수"],
        &["김민서", "기민수"],
    ),
    (
        "1950",
        &[
            "김민수",
            "김미숙",
            "김미나",
            "강민수",
            "김만수",
            "김민석",
            "황보영철",
        ],
        &["김민서", "기민수"],
    ),
    ("500101", &["김민수"], &["김미숙", "김미나"]),
    ("1950-01-01", &["김민수"], &["김미숙"]),
    ("19500101", &["김민수"], &["김미숙"]),
    ("100101", &[], &["김민수"]),
    // Several terms narrow together.
    (
        "김ㅁㅅ 1950",
        &["김민수", "김미숙", "김만수", "김민석"],
        &["김민서", "김문수", "강민수"],
    ),
    (
        "민수 1234",
        &["김민수", "민수진", "강민수"],
        &["이민수", "기민수"],
    ),
    ("1950 민수", &["김민수", "강민수"], &["이민수", "기민수"]),
    ("김미 500202", &["김미나"], &["김미숙", "김민수"]),
];

#[test]
fn table_of_queries() {
    let fx = fx();
    let mut failures = Vec::new();
    for (q, yes, no) in TABLE {
        let found = fx.names(q);
        for name in *yes {
            if !found.iter().any(|f| f == name) {
                failures.push(format!("{q:?} should find {name:?}; found {found:?}"));
            }
        }
        for name in *no {
            if found.iter().any(|f| f == name) {
                failures.push(format!("{q:?} must not find {name:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn classes_follow_the_rules() {
    let fx = fx();
    assert_eq!(fx.class_of("김민수", "김민수"), Some(MatchClass::Exact));
    assert_eq!(fx.class_of("김민", "김민수"), Some(MatchClass::Prefix));
    assert_eq!(fx.class_of("김미", "김민수"), Some(MatchClass::Prefix));
    assert_eq!(fx.class_of("민수", "김민수"), Some(MatchClass::Substring));
    assert_eq!(fx.class_of("ㄱㅁㅅ", "김민수"), Some(MatchClass::Initials));
    assert_eq!(fx.class_of("김ㅁㅅ", "김민수"), Some(MatchClass::Initials));
    // 김수 does not align with 김민수; it is only a fuzzy (subsequence) hit.
    assert_eq!(fx.class_of("김수", "김민수"), Some(MatchClass::Fuzzy));
    assert_eq!(
        fx.class_of("nguyenlan", "Nguyen Thi Lan"),
        Some(MatchClass::Fuzzy)
    );
    assert_eq!(
        fx.class_of("smith", "John Smith"),
        Some(MatchClass::Substring)
    );
    assert_eq!(fx.class_of("1234", "김민수"), Some(MatchClass::Any));
}

fn position(names: &[String], name: &str) -> usize {
    names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("{name} missing in {names:?}"))
}

#[test]
fn ranking_for_kim_min() {
    let fx = fx();
    let names = fx.names("김민");
    let exact = position(&names, "김민");
    let prefix = position(&names, "김민수");
    let spill = position(&names, "김미나");
    let substring = position(&names, "박김민수");
    let fuzzy = position(&names, "김수민");
    assert!(
        exact < prefix && prefix < spill && spill < substring && substring < fuzzy,
        "{names:?}"
    );
    assert_eq!(exact, 0);
    assert_eq!(fx.class_of("김민", "김수민"), Some(MatchClass::Fuzzy));
    assert_eq!(fx.class_of("김민", "김영민"), Some(MatchClass::Fuzzy));
    // Every prefix (non-spill) hit precedes every spill hit.
    let hits = fx.hits("김민");
    let last_plain_prefix = hits
        .iter()
        .rposition(|h| fx.keys[h.record as usize].name == "김민지")
        .unwrap();
    assert!(last_plain_prefix < spill);
}

#[test]
fn kim_alone_ranks_kim_names_above_the_spill_hit() {
    let fx = fx();
    let names = fx.names("김");
    let gimin = position(&names, "기민수");
    for n in ["김민수", "김수민", "김영희", "김미나"] {
        assert!(position(&names, n) < gimin, "{n} after 기민수: {names:?}");
    }
}

#[test]
fn ties_broken_by_activity_then_name() {
    let fx = fx();
    let hits = fx.hits("김민수");
    // Two records are named exactly 김민수; activity 950 comes before 500.
    let exact: Vec<i64> = hits
        .iter()
        .filter(|h| h.class == MatchClass::Exact)
        .map(|h| fx.keys[h.record as usize].activity)
        .collect();
    assert_eq!(exact.len(), 3, "김민수 ×2 and '김 민수'");
    assert!(exact.windows(2).all(|w| w[0] >= w[1]), "{exact:?}");
    let order: Vec<String> = fx.names("ㄱㅁㅅ");
    // Same class and start: activity decides (기민수 900 > 김민서 400 > 김미숙 300).
    assert!(position(&order, "기민수") < position(&order, "김민서"));
    assert!(position(&order, "김민서") < position(&order, "김미숙"));
}

#[test]
fn limit_returns_a_prefix_of_the_full_order() {
    let fx = fx();
    for q in ["김", "김민", "ㅁㅅ", "1950", "민수 1234", "영수"] {
        let all = fx.hits(q);
        for limit in [0, 1, 3, 10] {
            let some = fx.index.search(&Query::parse(q, TODAY), |_| true, limit);
            assert_eq!(
                some.as_slice(),
                &all[..limit.min(all.len())],
                "{q} limit {limit}"
            );
        }
    }
}

#[test]
fn filter_narrows_before_matching() {
    let fx = fx();
    let only_1950s = |r: u32| {
        fx.keys[r as usize]
            .birth
            .is_some_and(|b| (1950..1960).contains(&b.year))
    };
    let hits = fx
        .index
        .search(&Query::parse("김민수", TODAY), only_1950s, 100);
    let years: Vec<u16> = hits
        .iter()
        .map(|h| fx.keys[h.record as usize].birth.unwrap().year)
        .collect();
    assert!(!hits.is_empty());
    assert!(years.iter().all(|y| (1950..1960).contains(y)), "{years:?}");
}

#[test]
fn highlight_positions() {
    let fx = fx();
    let pos = |q: &str, name: &str| {
        fx.hits(q)
            .into_iter()
            .find(|h| fx.keys[h.record as usize].name == name)
            .unwrap()
            .positions
    };
    assert_eq!(pos("민수", "김민수"), vec![1, 2]);
    assert_eq!(pos("김민", "김미나"), vec![0, 1, 2]);
    assert_eq!(pos("ㅁㅅ", "박김민수"), vec![2, 3]);
    // Positions are char indices in the original name, spaces included.
    assert_eq!(pos("김민수", "김 민수"), vec![0, 2, 3]);
    assert_eq!(pos("smith", "John Smith"), vec![5, 6, 7, 8, 9]);
    assert_eq!(pos("1234", "김민수"), Vec::<usize>::new());
}

#[test]
fn empty_query_lists_everything_by_activity() {
    let fx = fx();
    let hits = fx.index.search(&Query::parse("  ", TODAY), |_| true, 3);
    let names: Vec<&str> = hits
        .iter()
        .map(|h| fx.keys[h.record as usize].name.as_str())
        .collect();
    assert_eq!(names, ["김민수", "기민수", "김미나"]);
}

#[test]
fn generic_names_resources() {
    let q = NameQuery::new("ㅍㄷㅂㅋ");
    assert_eq!(
        match_name(&q, "푸드뱅크").map(|m| m.class),
        Some(MatchClass::Initials)
    );
    let m = match_name(&NameQuery::new("푸드"), "강남푸드뱅크").unwrap();
    assert_eq!((m.class, m.positions), (MatchClass::Substring, vec![2, 3]));
    let m = match_name(&NameQuery::new("푸드뱅"), "강남 푸드 뱅크").unwrap();
    assert_eq!(m.positions, vec![3, 4, 6]);
    assert!(match_name(&NameQuery::new("뱅크푸드"), "강남푸드뱅크").is_none());
    let list = [
        "강남푸드뱅크",
        "푸드마켓",
        "서초 푸드뱅크",
        "정신건강복지센터",
    ];
    let ranked: Vec<usize> = rank_names("푸드", &list, 10)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(ranked, vec![1, 0, 2]);
    let ranked = rank_names("정건복", &list, 10);
    assert_eq!(ranked.len(), 1);
    assert_eq!(ranked[0].1.class, MatchClass::Fuzzy);
}

#[test]
fn memory_per_record_is_small() {
    let fx = fx();
    let per = fx.index.heap_bytes() / fx.index.len();
    assert!(per <= 200, "{per} bytes per record");
}
