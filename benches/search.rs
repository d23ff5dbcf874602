//! Search bench: index build and five query kinds over 100k and 1M synthetic residents.
//! Names come from a seeded splitmix64 with realistic surname frequencies.
//! After criterion's medians, prints p99 per query (200 timed runs) and index bytes per record,
//! then the pane's page per kind, then keystroke latency (each IME state of a typed query through
//! a refining `Searcher`, first screenful, wall and thread CPU time).
//! Only the printed reports: `cargo bench --bench search -- --list` skips nothing, so use a
//! filter matching no criterion case, e.g. `cargo bench --bench search -- reports-only`;
//! `DOLBOM_BENCH_ONLY=keys` runs only the keystroke report.
//!
//! Keystroke report (`DOLBOM_BENCH_ONLY=keys DOLBOM_BENCH_KEYS_SECS=4 cargo bench --bench search
//! -- reports-only`), 2-core machine at load ~3, wall p50 / p99 over every keystroke of the kind,
//! before (a1632a3) → after (signature pre-check, fuzzy refinement by prefix chain, best-k page,
//! lone-consonant fast path), same hour, one run each:
//!
//! | kind        | 100k before     | 100k after      | 1M before         | 1M after          |
//! |-------------|-----------------|-----------------|-------------------|-------------------|
//! | full_name   | 0.93 / 4.9 ms   | 0.27 / 3.3 ms   | 10.3 / 34.7 ms    | 3.4 / 28.2 ms     |
//! | initials    | 1.06 / 2.3 ms   | 0.30 / 2.8 ms   | 10.8 / 34.0 ms    | 3.4 / 22.7 ms     |
//! | mid_ime     | 1.13 / 6.2 ms   | 1.12 / 3.2 ms   | 13.5 / 34.6 ms    | 12.6 / 27.2 ms    |
//! | substring   | 0.73 / 1.9 ms   | 0.87 / 1.5 ms   | 8.6 / 27.9 ms     | 9.2 / 15.3 ms     |
//! | phone_tail  | 0.43 / 1.9 ms   | 0.25 / 1.2 ms   | 4.5 / 22.2 ms     | 2.5 / 13.8 ms     |
//!
//! The p99 at 1M is the first keystroke (`ㄱ`: ~60% of names match, 19 ms p50 after, 23 before);
//! the 8 ms goal at 1M is not met for it. Thread CPU time (schedstat) is tick-granular (4 ms).
//!
//! Then (#18 item 2, lazy rankings on a large index: first-character groups, no scan for a
//! one-character query, the fuzzy pass left for a page that reaches it), 1M, wall, load 5–8,
//! `DOLBOM_BENCH_ONLY=keys cargo bench --bench search -- reports-only`, p50 / p99 per kind
//! (before at load 8 the same hour) and the p50 of each keystroke after:
//!
//! | kind        | 1M before        | 1M after          | p50 per keystroke after                |
//! |-------------|------------------|-------------------|----------------------------------------|
//! | full_name   | 12.0 / 72.0 ms   | 0.13 / 13.6 ms    | ㄱ 60µs 기 23µs 김 15µs 김ㅁ 8.3ms 김미 0.74ms 김민 0.56ms 김민ㅅ 0.13ms 김민수 43µs |
//! | initials    | 12.5 / 63.8 ms   | 0.54 / 23.5 ms    | ㄱ 61µs ㄱㅁ 8.6ms ㄱㅁㅅ 0.53ms          |
//! | mid_ime     | 41.5 / 68.0 ms   | 0.06 / 12.0 ms    | ㄱ 61µs 기 25µs 김 15µs 김ㅁ 7.8ms 김미 0.74ms |
//! | substring   | 24.2 / 45.1 ms   | 0.04 / 11.5 ms    | ㅁ 42µs 미 33µs 민 15µs 민ㅅ 3.5ms 민수 0.29ms |
//! | phone_tail  | 2.6 / 32.4 ms    | 2.7 / 33.4 ms     | 1 12.5ms 12 2µs 123 1µs 1234 4.1ms      |
//!
//! Left above 8 ms at this load: the first two-character keystroke after a lazy one (a full scan
//! of the signatures, no earlier matches to refine) and a lone digit (`1`, a full scan).
//!
//! Then (names holding a digit listed, for a query with a digit; pair signatures of adjacent
//! 초성 and one tight pass over the signature arrays for a structural-only scan; one tight pass
//! over phone tails and birth dates for a lone four-digit term), same command, 1M, wall, before
//! (128658a) at load 1.0–3.3 and after (fb6f88b) at load 1.2, one run each, p50 / p99 per kind
//! and the p50 of each keystroke after. The index is 41.8 bytes a record at 1M (37.8 before: +4
//! for the pair signatures, built only from 300k records on):
//!
//! | kind        | 1M before        | 1M after         | p50 per keystroke after                |
//! |-------------|------------------|------------------|----------------------------------------|
//! | full_name   | 0.11 / 4.6 ms    | 0.13 / 1.9 ms    | ㄱ 46µs 기 21µs 김 14µs 김ㅁ 1.8ms (4.4 before) 김미 0.75ms 김민 0.59ms 김민ㅅ 0.14ms 김민수 44µs |
//! | initials    | 0.49 / 5.1 ms    | 0.51 / 2.7 ms    | ㄱ 49µs ㄱㅁ 2.2ms (4.9) ㄱㅁㅅ 0.51ms  |
//! | mid_ime     | 0.05 / 4.5 ms    | 0.05 / 1.8 ms    | ㄱ 51µs 기 22µs 김 14µs 김ㅁ 1.8ms (4.4) 김미 0.75ms |
//! | substring   | 0.04 / 4.0 ms    | 0.04 / 1.4 ms    | ㅁ 39µs 미 31µs 민 14µs 민ㅅ 1.3ms (3.8) 민수 0.30ms |
//! | phone_tail  | 3.0 / 7.9 ms     | 0.004 / 1.0 ms   | 1 4.6µs (7.4ms) 12 0.3µs 123 0.3µs 1234 0.91ms (3.3ms) |
//!
//! The slowest keystrokes left are the first two-character one (a pass over 1M signatures, the
//! structural match on the names passing them) and later ones refining over tens of thousands
//! of matches (김미 0.75 ms).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use dolbom::search::{BirthDate, PersonKey, Query, SearchIndex, Searcher};

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Surnames with approximate shares (per mille) from the 2015 census.
#[rustfmt::skip]
const SURNAMES: &[(&str, u64)] = &[
    ("김", 215), ("이", 147), ("박", 84), ("최", 47), ("정", 43), ("강", 24), ("조", 21),
    ("윤", 20), ("장", 20), ("임", 17), ("한", 15), ("오", 14), ("서", 14), ("신", 14),
    ("권", 13), ("황", 13), ("안", 12), ("송", 12), ("류", 11), ("전", 11), ("홍", 11),
    ("고", 9), ("문", 9), ("양", 9), ("손", 9), ("배", 8), ("백", 8), ("허", 6), ("유", 6),
    ("남", 6), ("심", 5), ("노", 5), ("하", 4), ("곽", 4), ("성", 4), ("차", 4), ("주", 4),
    ("우", 4), ("구", 4), ("민", 3), ("진", 3), ("나", 3), ("지", 3), ("엄", 3), ("채", 2),
    ("원", 2), ("천", 2), ("방", 2), ("공", 2), ("현", 2), ("황보", 1), ("남궁", 1), ("제갈", 1),
];
const GIVEN: &[&str] = &[
    "민", "수", "서", "지", "영", "현", "준", "은", "정", "희", "숙", "자", "우", "진", "하", "연",
    "윤", "혜", "경", "미", "재", "성", "동", "상", "철", "호", "석", "훈", "주", "예", "원", "나",
    "선", "순", "옥", "도", "시", "유", "승", "태", "용", "기", "광", "명", "란", "빈", "아", "채",
];

fn people(n: usize, seed: u64) -> Vec<PersonKey> {
    let total: u64 = SURNAMES.iter().map(|s| s.1).sum();
    let mut rng = SplitMix64(seed);
    (0..n)
        .map(|_| {
            let mut pick = rng.below(total);
            let surname = SURNAMES
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map_or("김", |s| s.0);
            let syllables = if rng.below(20) == 0 { 1 } else { 2 };
            let mut name = surname.to_string();
            for _ in 0..syllables {
                name.push_str(GIVEN[rng.below(GIVEN.len() as u64) as usize]);
            }
            let birth = BirthDate::new(
                1930 + rng.below(90) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
            );
            PersonKey {
                name,
                birth,
                phone_tail: (rng.below(10) != 0).then(|| rng.below(10_000) as u16),
                activity: rng.below(1 << 40) as i64,
            }
        })
        .collect()
}

const QUERIES: &[(&str, &str)] = &[
    ("full_name", "김민수"),
    ("initials", "ㄱㅁㅅ"),
    ("mid_ime", "김미"),
    ("substring", "민수"),
    ("phone_tail", "1234"),
];
const SIZES: &[(usize, &str)] = &[(100_000, "100k"), (1_000_000, "1M")];
const LIMIT: usize = 50;

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
}

fn build(c: &mut Criterion) {
    if only_keys() {
        return;
    }
    let mut g = c.benchmark_group("build");
    for (n, label) in sizes() {
        let keys = people(n, 42);
        g.bench_with_input(BenchmarkId::from_parameter(label), &keys, |b, keys| {
            b.iter(|| SearchIndex::build(black_box(keys)))
        });
    }
    g.finish();
}

fn query(c: &mut Criterion) {
    if only_keys() {
        return;
    }
    for (n, label) in sizes() {
        let index = SearchIndex::build(&people(n, 42));
        let mut g = c.benchmark_group(format!("query_{label}"));
        for &(kind, text) in QUERIES {
            let q = Query::parse(text, 2025);
            g.bench_function(kind, |b| {
                b.iter(|| index.search(black_box(&q), |_| true, LIMIT))
            });
        }
        // One keystroke typed after 김미: full scan versus refining the previous matches.
        let (before, after) = (Query::parse("김미", 2025), Query::parse("김민", 2025));
        g.bench_function("next_key_full_scan", |b| {
            b.iter(|| index.search(black_box(&after), |_| true, LIMIT))
        });
        g.bench_function("next_key_refined", |b| {
            b.iter_batched(
                || {
                    let mut s = Searcher::new();
                    s.search(&index, &before, |_| true, LIMIT);
                    s
                },
                |mut s| s.search(&index, black_box(&after), |_| true, LIMIT),
                criterion::BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// The search pane's page: the first screenfuls it shows, "N건 중 200건 표시".
const PANE_PAGE: usize = 200;

/// Sizes to run (`DOLBOM_BENCH_SIZES=100k` for the 100k figures only).
fn sizes() -> Vec<(usize, &'static str)> {
    let only = std::env::var("DOLBOM_BENCH_SIZES").unwrap_or_default();
    SIZES
        .iter()
        .copied()
        .filter(|(_, l)| only.is_empty() || only.split(',').any(|o| o == *l))
        .collect()
}

/// Up to 200 timed runs (fewer when one run is slow: at most ~10 s per case).
fn timed(mut f: impl FnMut()) -> Vec<Duration> {
    let start = Instant::now();
    let mut v = Vec::new();
    while v.len() < 200 && (v.len() < 5 || start.elapsed() < Duration::from_secs(10)) {
        let t = Instant::now();
        f();
        v.push(t.elapsed());
    }
    v
}

fn p50_p99(times: Vec<Duration>) -> String {
    format!(
        "p50 {:>9.3?}  p99 {:>9.3?}  ({} runs)",
        percentile(times.clone(), 0.5),
        percentile(times.clone(), 0.99),
        times.len()
    )
}

/// One keystroke as the search pane computes it, per query kind: before the "N건 중 200건"
/// list (top 200 only), the first cut of it (every match ranked, fuzzy included, then the
/// first page), and now (every match counted, only the first page ranked).
fn pane_report(_: &mut Criterion) {
    if only_keys() {
        return;
    }
    for (n, label) in sizes() {
        let index = SearchIndex::build(&people(n, 42));
        for &(kind, text) in QUERIES {
            let q = Query::parse(text, 2025);
            let total = index.search(&q, |_| true, usize::MAX).len();
            let top200 = timed(|| {
                black_box(index.search(&q, |_| true, PANE_PAGE));
            });
            let rank_all = timed(|| {
                black_box(index.search(&q, |_| true, usize::MAX));
            });
            let paged = timed(|| {
                let mut r = index.rank(&q, |_| true);
                black_box((r.len(), index.page(&mut r, 0, PANE_PAGE)));
            });
            println!("[{label}] pane {kind:<11} {text:<5} {total} matches");
            println!("    top {PANE_PAGE} only (before)   {}", p50_p99(top200));
            println!("    rank all, page (merged) {}", p50_p99(rank_all));
            println!("    count + page (now)      {}", p50_p99(paged));
        }
    }
}

/// Prints p50/p99 per query kind and index memory; criterion reports medians only.
fn p99_report(_: &mut Criterion) {
    if only_keys() {
        return;
    }
    for (n, label) in sizes() {
        let keys = people(n, 42);
        let t = Instant::now();
        let index = SearchIndex::build(&keys);
        let built = t.elapsed();
        println!(
            "[{label}] build {built:?}, heap {} bytes = {:.1} bytes/record",
            index.heap_bytes(),
            index.heap_bytes() as f64 / n as f64
        );
        for &(kind, text) in QUERIES {
            let q = Query::parse(text, 2025);
            let times: Vec<Duration> = (0..200)
                .map(|_| {
                    let t = Instant::now();
                    black_box(index.search(&q, |_| true, LIMIT));
                    t.elapsed()
                })
                .collect();
            println!(
                "[{label}] {kind:<11} {text:<5} p50 {:>9.3?}  p99 {:>9.3?}",
                percentile(times.clone(), 0.5),
                percentile(times, 0.99)
            );
        }
    }
}

/// `DOLBOM_BENCH_ONLY=keys`: only the keystroke report.
fn only_keys() -> bool {
    std::env::var("DOLBOM_BENCH_ONLY").is_ok_and(|v| v == "keys")
}

/// What a user types for each query kind, one 2-beolsik IME state per keystroke.
const TYPED: &[(&str, &[&str])] = &[
    (
        "full_name",
        &["ㄱ", "기", "김", "김ㅁ", "김미", "김민", "김민ㅅ", "김민수"],
    ),
    ("initials", &["ㄱ", "ㄱㅁ", "ㄱㅁㅅ"]),
    ("mid_ime", &["ㄱ", "기", "김", "김ㅁ", "김미"]),
    ("substring", &["ㅁ", "미", "민", "민ㅅ", "민수"]),
    ("phone_tail", &["1", "12", "123", "1234"]),
];

/// The search pane's first fetch: one screenful.
const SCREENFUL: usize = 64;

/// CPU time of this thread (user + system), where the platform tells it cheaply.
fn thread_cpu() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        // The first field of schedstat is the time spent on a CPU, in nanoseconds.
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
        Some(Duration::from_nanos(ns))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Keystroke latency as the search pane sees it: each IME state of a typed query, through one
/// refining [`Searcher`] (a fresh one per typed query), ranked and counted, first screenful
/// paged. Wall time and thread CPU time (load-independent) per keystroke, p50/p99 over every
/// keystroke of the kind; `DOLBOM_BENCH_KEYS_SECS` bounds each kind (default 6 s).
fn keystroke_report(_: &mut Criterion) {
    let budget = std::env::var("DOLBOM_BENCH_KEYS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(6), Duration::from_secs_f64);
    for (n, label) in sizes() {
        let t = Instant::now();
        let index = SearchIndex::build(&people(n, 42));
        println!(
            "[{label}] keys index built in {:?}, {:.1} bytes/record",
            t.elapsed(),
            index.heap_bytes() as f64 / n as f64
        );
        for &(kind, states) in TYPED {
            let queries: Vec<Query> = states.iter().map(|s| Query::parse(s, 2025)).collect();
            let (mut wall, mut cpu) = (Vec::new(), Vec::new());
            let mut per_state: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
            let mut first = Vec::new();
            let start = Instant::now();
            while wall.len() < 40 * queries.len()
                && (wall.len() < 3 * queries.len() || start.elapsed() < budget)
            {
                let mut s = Searcher::new();
                for (i, q) in queries.iter().enumerate() {
                    let (c0, t) = (thread_cpu(), Instant::now());
                    let mut r = s.rank_lazy_unfiltered(&index, q);
                    black_box((r.len(), index.page_with(&mut r, 0, SCREENFUL, |_| true)));
                    let dt = t.elapsed();
                    wall.push(dt);
                    per_state[i].push(dt);
                    if i == 0 {
                        first.push(dt);
                    }
                    if let (Some(a), Some(b)) = (c0, thread_cpu()) {
                        cpu.push(b.saturating_sub(a));
                    }
                }
            }
            println!(
                "[{label}] keys {kind:<11} {:<24} wall {}",
                states.join(" "),
                p50_p99(wall)
            );
            if !cpu.is_empty() {
                println!("[{label}] keys {kind:<11} {:<24} cpu  {}", "", p50_p99(cpu));
            }
            println!(
                "[{label}] keys {kind:<11} {:<24} 1st  {}",
                "",
                p50_p99(first)
            );
            let each: Vec<String> = states
                .iter()
                .zip(per_state)
                .map(|(s, v)| format!("{s} {:.2?}", percentile(v, 0.5)))
                .collect();
            println!("[{label}] keys {kind:<11} p50 each: {}", each.join(", "));
        }
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = build, query, p99_report, pane_report, keystroke_report
}
criterion_main!(benches);
