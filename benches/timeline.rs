//! Timeline benches: loading a case with 2,000 entries, and the 오늘 queries over a large demo
//! database.
//!
//! The 오늘 benches use the database at `$DOLBOM_BENCH_DB` (default `/tmp/d.db`) if it exists:
//! `DOLBOM_NOW=2026-03-01T10:00:00 DOLBOM_USER=박지현 dolbom --db /tmp/d.db demo --residents 100000 --no-tui`
//! A database of an older schema would be migrated (and backed up beside itself) on open, so
//! the bench refuses one: copy it first (`cp /work/bench/d1m.db target/d1m.db`), as it must
//! never write to a shared demo. `DOLBOM_BENCH_PLANS=1` prints the 오늘 queries' plans.
//!
//! `today_page_*` is what the 오늘 pane loads (the first 200 items of each list and every
//! list's count, `timeline::ops::today_page`); `today_and_charts_*` the whole lists (the
//! export). At 1M residents (a copy of `/work/bench/d1m.db`: 148k follow-ups due for
//! everyone, 68k cases in the stages with deadlines, 89k in 모니터링, 8.3k referrals waiting),
//! 2-core machine shared with other builds, the same copy before (main 745c5eb, schema V_TODAY)
//! and after (V_TODAY_1M), back to back at load average 5.4–6.5:
//! `DOLBOM_BENCH_DB=target/d1m.db cargo bench --bench timeline -- today_`
//! - everyone, what the pane loads: 1.50 s (`today_and_charts_all`, the whole lists) →
//!   395 ms (`today_page_and_charts_all`); the whole lists (the export) 1.17 s.
//! - mine: 229 ms → 6.0 ms (the waiting referrals were every waiting referral's case and
//!   resident rows; now the worker's cases').
//!
//! Earlier, at 100k residents (14.8k follow-ups due for everyone), 2-core machine shared with other
//! builds: `today_and_charts_all` 121 ms median before the lists were built from borrowed rows
//! (facts in between, load 8.5), 43 ms after (load 4.8; 36 ms under `nice -n -15`), with the
//! store's part (`today_facts_all`, unchanged code) at 102 ms and 39 ms in the same runs.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use dolbom::clock::Clock;
use dolbom::model::{Entry, EntryKind};
use dolbom::store::{OpenOptions, Store};
use dolbom::timeline::{self, Scope};
use std::hint::black_box;
use std::path::PathBuf;

fn clock() -> Clock {
    Clock::fixed(
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default(),
    )
}

fn open(path: &std::path::Path, user: &str) -> Store {
    let mut opts = OpenOptions::new(user);
    opts.clock = clock();
    Store::open(path, &opts).expect("open store")
}

/// A database holding one case with 2,000 entries (every 20th corrected once).
fn big_case(dir: &std::path::Path) -> (Store, String) {
    let mut store = open(&dir.join("big.db"), "박지현");
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
            residents: 50,
            seed: 7,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let case_id = store
        .list_cases(&timeline::CaseFilter::default())
        .expect("cases")[0]
        .id
        .clone();
    let mut tx = store.write().expect("tx");
    for i in 0..2_000u32 {
        let id = uuid::Uuid::now_v7().to_string();
        let at = format!(
            "2025-{:02}-{:02} {:02}:{:02}",
            1 + i % 12,
            1 + i % 28,
            9 + i % 8,
            i % 60
        );
        let entry = Entry {
            id: id.clone(),
            case_id: case_id.clone(),
            kind: EntryKind::ALL[(i % 10) as usize],
            author: "박지현".into(),
            at: at.clone(),
            body: format!(
                "가정 방문 {i}회차. 어르신 건강 상태 양호, 식사 잘 하고 계심.\n다음 방문 예정."
            ),
            due_on: (i % 7 == 0).then(|| "2025-12-31".to_string()),
            data: serde_json::json!({}),
            corrects: None,
            voids: false,
        };
        tx.insert_entry(&entry).expect("insert");
        if i % 20 == 0 {
            let mut c = entry.clone();
            c.id = uuid::Uuid::now_v7().to_string();
            c.body = format!("정정: {}", entry.body);
            c.corrects = Some(id);
            tx.insert_entry(&c).expect("insert correction");
        }
    }
    tx.commit().expect("commit");
    (store, case_id)
}

fn bench_load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, case_id) = big_case(dir.path());
    let t = timeline::load(&store, &case_id).expect("load");
    assert!(t.items.len() >= 2_000);
    c.bench_function("timeline_load_2000_entries", |b| {
        b.iter(|| black_box(timeline::load(&store, black_box(&case_id)).expect("load")))
    });
}

fn bench_today(c: &mut Criterion) {
    let path = std::env::var_os("DOLBOM_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/d.db"));
    if !path.exists() {
        eprintln!("{}: not found; skipping the 오늘 benches", path.display());
        return;
    }
    refuse_older_schema(&path);
    let store = open(&path, "박지현");
    if std::env::var_os("DOLBOM_BENCH_PLANS").is_some() {
        for scope in [Scope::All, Scope::Mine] {
            for (name, plan) in store.today_query_plans(scope).expect("plans") {
                println!("plan {scope:?} {name}:\n    {}", plan.join("\n    "));
            }
        }
    }
    for scope in [Scope::Mine, Scope::All] {
        let name = format!("today_page_and_charts_{scope:?}").to_lowercase();
        c.bench_function(&name, |b| {
            b.iter(|| {
                let today =
                    timeline::ops::today_page(&store, scope, timeline::due::SHOWN_PER_SECTION)
                        .expect("page");
                let charts = timeline::charts(&store, scope, &today).expect("charts");
                black_box((today, charts))
            })
        });
    }
    // The store's part alone (the maintained tables' reads), for the split.
    let day = clock().today();
    c.bench_function("today_facts_all", |b| {
        b.iter(|| black_box(timeline::ops::today_facts(&store, Scope::All, day).expect("facts")))
    });
    // The lists alone (the rows read and turned into items; no charts).
    c.bench_function("today_lists_all", |b| {
        b.iter(|| black_box(timeline::ops::today_at(&store, Scope::All, day).expect("lists")))
    });
    for scope in [Scope::Mine, Scope::All] {
        let name = format!("today_and_charts_{scope:?}").to_lowercase();
        c.bench_function(&name, |b| {
            b.iter(|| {
                let today = timeline::today(&store, scope).expect("today");
                let charts = timeline::charts(&store, scope, &today).expect("charts");
                black_box((today, charts))
            })
        });
    }
}

/// Panics if the file at `path` is a plain SQLite database of an older schema than this
/// build's (its `user_version`, bytes 60..64 of the header): opening it would migrate it.
fn refuse_older_schema(path: &std::path::Path) {
    use std::io::Read;
    let mut head = [0u8; 64];
    let plain = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head.starts_with(b"SQLite format 3\0");
    if !plain {
        return;
    }
    let version = u32::from_be_bytes([head[60], head[61], head[62], head[63]]);
    assert!(
        version >= dolbom::store::schema::CURRENT_VERSION,
        "{}: schema {version} would be migrated to {} on open; bench a copy",
        path.display(),
        dolbom::store::schema::CURRENT_VERSION
    );
}

/// The 결재 대기 list (#16) and the other team lists of 오늘 on the same database. Seed requests
/// first with `approval::pending_list_at_scale` in tests/it/approval.rs (it documents the
/// commands); on the demo alone the lists are empty and this measures the index lookups.
fn bench_team(c: &mut Criterion) {
    let path = std::env::var_os("DOLBOM_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/d.db"));
    if !path.exists() {
        eprintln!("{}: not found; skipping the team benches", path.display());
        return;
    }
    refuse_older_schema(&path);
    let store = open(&path, "박지현");
    c.bench_function("pending_approvals_all", |b| {
        b.iter(|| black_box(store.pending_approvals(Scope::All).expect("pending")))
    });
    c.bench_function("team_lists_all", |b| {
        b.iter(|| {
            black_box(store.handed_over(Scope::All).expect("handed over"));
            black_box(
                store
                    .expiring_consents(Scope::All, "2026-03-01", "2026-03-31")
                    .expect("consents"),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench_load, bench_today, bench_team
}
criterion_main!(benches);
