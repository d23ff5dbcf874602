//! 발굴 queue at scale (issue #16 item 5): import a 150,000-row CP949 round (one 시도's list)
//! into a database of 100,000 residents, about a third of the rows matching a resident; then
//! the queue screen's reads (the first page in 동/address order, the count, every round's
//! progress). Targets: import ≤ 3 s, each read ≤ 20 ms.
//!
//! ```text
//! cargo bench --bench discovery                    # 100k residents (demo), 150k rows, 3 runs
//! DISCOVERY_BENCH_DB=/work/bench/d100k.db DISCOVERY_BENCH_USER=박지현 DISCOVERY_BENCH_RUNS=5 \
//!     cargo bench --bench discovery                # from a copy of an existing plain DB
//! DISCOVERY_BENCH_RESIDENTS=10000 DISCOVERY_BENCH_ROWS=15000 cargo bench --bench discovery
//! ```
//!
//! Each run imports the round into a fresh copy of the base database, then imports it again
//! (adds nothing: that is the parse + match alone); the medians are printed. Everything is
//! written under `target/discovery-bench/` and removed at the end.
//!
//! History (release, shared 2-core machine, never unloaded; load average in brackets):
//! - First write path: import 4.34 s, re-import 0.61 s; queue page 1.1–1.9 ms.
//! - Bulk write path (rows in id order through `Tx::insert_rows`, rounds counted once per import
//!   instead of by the trigger per row, a 256 MB page cache): 14.48 s → 8.38 s [8–14].
//! - 2026-11-29, from /work/bench/d100k.db, median of 3, where the time went [9–10]: import
//!   8.66 s = matcher load 0.34 + read + match 1.39 + insert_rows 6.21 + commit 0.42 s. Of
//!   the insert_rows time, about 3.5 s was the insert trigger's sub-program (it ran once per
//!   row even while standing aside: without it insert_rows took 2.4–3.0 s), about 2 s the
//!   random inserts into `discovery_queue` (dropping the indexes for the insert: 3.4–4.5 s,
//!   re-creating them 0.4–0.9 s), and the op rows next to nothing (skipping them: no change).
//!   Inserting in queue order instead of id order did not help (3.12 s; id order gave
//!   1.84–3.54 s in the runs around it).
//! - Now (`Tx::discovery_bulk_insert` drops the insert trigger and, for an import large against
//!   the table, the two queue indexes inside the transaction and re-creates them from their
//!   `sqlite_master` text; the name + birth match reuses the row's key), same command with
//!   DISCOVERY_BENCH_RUNS=5, two invocations back to back [7.3–7.8]: import 3.54 s and 3.42 s,
//!   re-import 1.74 s and 1.42 s (import / re-import 2.0–2.4×, was 4.4×); at [4.8–5.0] the
//!   final build: import 2.41 s, re-import 1.21 s (median of 5). Queue first page 1.3–9.5 ms, one 동 1.5–9.6 ms, count 4–13 ms,
//!   progress < 0.1 ms, 결재 대기 list 0.1 ms (the demo DB holds no requests), screen open
//!   1.3–5.5 ms: all under 20 ms.

use dolbom::clock::{Clock, parse_datetime};
use dolbom::discovery::{self, DiscoveryImport};
use dolbom::store::{DiscoveryFilter, OpenOptions, Store};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

const SIGNALS: [&str; 6] = [
    "단전",
    "단수",
    "건보료 체납",
    "통신비 체납;단전",
    "주거위기",
    "금융연체,단수",
];

/// The round's file: every third row a resident of the database (name + birth date), the rest
/// new people; written in CP949.
fn write_round(store_path: &Path, out: &Path, rows: usize) {
    let conn = rusqlite::Connection::open(store_path).expect("open for reading");
    let mut stmt = conn
        .prepare(
            "SELECT name, birth_date, address, dong FROM residents WHERE birth_date IS NOT NULL",
        )
        .expect("prepare");
    let known: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let family = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"];
    let given = [
        "민수", "영희", "철수", "순자", "지민", "서연", "도윤", "하은", "정숙", "영호",
    ];
    let dongs = [
        "효자동2가",
        "삼천동1가",
        "평화동",
        "서신동",
        "송천1동",
        "인후3동",
    ];
    let mut text = String::from("성명,생년월일,주소,읍면동,위기정보,비고\r\n");
    for i in 0..rows {
        let signals = SIGNALS[i % SIGNALS.len()];
        if i % 3 == 0 && !known.is_empty() {
            let (name, birth, address, dong) = &known[(i / 3) % known.len()];
            let _ = write!(
                text,
                "{name},{birth},\"{address}\",{dong},\"{signals}\",\r\n"
            );
        } else {
            let name = format!(
                "{}{}{}",
                family[i % 10],
                given[(i / 10) % 10],
                char::from_u32(0xAC00 + (i as u32 / 100) % 11172).unwrap_or('가')
            );
            let dong = dongs[i % dongs.len()];
            let _ = write!(
                text,
                "{name},{}-{:02}-{:02},\"전북특별자치도 전주시 완산구 {dong} {}\",{dong},\"{signals}\",\r\n",
                1930 + i % 70,
                1 + i % 12,
                1 + i % 28,
                i % 997
            );
        }
    }
    let (bytes, _, bad) = encoding_rs::EUC_KR.encode(&text);
    assert!(!bad, "unencodable text");
    std::fs::write(out, &bytes).expect("write round");
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn main() {
    // `cargo bench` passes `--bench`; a plain run (`cargo test --benches`) only checks it builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let residents = env("DISCOVERY_BENCH_RESIDENTS", 100_000);
    let rows = env("DISCOVERY_BENCH_ROWS", 150_000);
    let runs = env("DISCOVERY_BENCH_RUNS", 3).max(1);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/discovery-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create target/discovery-bench");
    let base = dir.join("base.db");
    let db = dir.join("bench.db");
    let clock = Clock::fixed(parse_datetime("2026-11-25 09:00").expect("time"));
    // DISCOVERY_BENCH_DB: start from a copy of an existing plain database (e.g. the shared
    // 100k demo) instead of generating one; DISCOVERY_BENCH_USER names its admin or lead.
    let operator = std::env::var("DISCOVERY_BENCH_USER").unwrap_or_else(|_| "admin".into());
    if let Ok(src) = std::env::var("DISCOVERY_BENCH_DB") {
        // VACUUM INTO copies what the WAL holds too, and never writes to the source.
        let conn =
            rusqlite::Connection::open_with_flags(&src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("open the base database");
        let (_, took) = time(|| {
            conn.execute("VACUUM INTO ?1", [base.to_string_lossy()])
                .expect("copy the base database")
        });
        println!("base copied from {src}: {took:.2?}");
    } else {
        let mut o = OpenOptions::new(operator.clone());
        o.clock = clock;
        let mut store = Store::open(&base, &o).expect("open");
        let (_, took) = time(|| {
            dolbom::demo::generate(
                &mut store,
                &dolbom::demo::DemoOptions {
                    residents,
                    seed: 42,
                },
                &mut |_, _| {},
            )
            .expect("demo")
        });
        println!("demo {residents} residents: {took:.2?}");
        // Closing the only connection checkpoints the WAL into the file that is copied.
        drop(store);
    }
    let file = dir.join("round.csv");
    let (_, took) = time(|| write_round(&base, &file, rows));
    println!("round file {rows} rows (CP949): {took:.2?}");

    let settings = DiscoveryImport {
        round: Some("2026-6".into()),
        deadline: Some("2026-12-31".into()),
        ..DiscoveryImport::default()
    };
    let mut imports = Vec::new();
    let mut reimports = Vec::new();
    let mut store = None;
    for run in 0..runs {
        drop(store.take());
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
        }
        std::fs::copy(&base, &db).expect("copy the base database");
        let mut o = OpenOptions::new(operator.clone());
        o.clock = clock;
        let mut s = Store::open(&db, &o).expect("open");
        let (report, took) = time(|| discovery::import(&mut s, &file, &settings, &mut |_, _| {}));
        let report = report.expect("import");
        println!(
            "run {run}: discovery import {rows} rows vs {residents} residents: {took:.2?} \
             (target ≤ 3 s) — inserted {} matched {} new {} rejected {}",
            report.inserted, report.matched, report.new_candidates, report.rejected
        );
        imports.push(took);
        let (again, took) = time(|| discovery::import(&mut s, &file, &settings, &mut |_, _| {}));
        let again = again.expect("re-import");
        assert_eq!(again.inserted, 0, "a re-import adds nothing");
        println!(
            "run {run}: re-import (adds nothing): {took:.2?} — inserted {} unchanged {}",
            again.inserted, again.unchanged
        );
        reimports.push(took);
        store = Some(s);
    }
    println!(
        "median of {runs}: import {:.2?}, re-import (read + match only) {:.2?}",
        median(imports),
        median(reimports)
    );
    let Some(store) = store else { return };

    let first = DiscoveryFilter {
        limit: dolbom::tui::panes::discovery::MAX_ROWS,
        ..DiscoveryFilter::default()
    };
    let one_dong = DiscoveryFilter {
        dong: Some("평화동".into()),
        limit: dolbom::tui::panes::discovery::MAX_ROWS,
        ..DiscoveryFilter::default()
    };
    for _ in 0..2 {
        let (items, took) = time(|| store.discovery_queue(&first).expect("queue"));
        println!(
            "queue first page ({} rows): {took:.2?} (target ≤ 20 ms)",
            items.len()
        );
        let (items, took) = time(|| store.discovery_queue(&one_dong).expect("queue"));
        println!("queue one 동 page ({} rows): {took:.2?}", items.len());
        let (n, took) = time(|| store.discovery_count(&first).expect("count"));
        println!("queue count ({n}): {took:.2?}");
        let (p, took) = time(|| store.discovery_progress("2026-11-25").expect("progress"));
        println!("round progress ({} rounds): {took:.2?}", p.len());
        let (a, took) = time(|| {
            store
                .pending_approvals(dolbom::model::Scope::All)
                .expect("pending approvals")
        });
        println!(
            "결재 대기 list, everyone's ({} requests): {took:.2?} (target ≤ 20 ms)",
            a.len()
        );
        let (s, took) = time(|| dolbom::tui::panes::discovery::DiscoveryScreen::open(&store));
        println!(
            "queue screen open ({} rows): {took:.2?} (target ≤ 20 ms)",
            s.items().len()
        );
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
