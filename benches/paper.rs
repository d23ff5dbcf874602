//! Paperwork benches: a 서식 of a case with 2,000 entries (floor 50 ms), an XLSX of 10,000 rows
//! (floor 500 ms), and the 월별 실적 over a large demo database (floor 1 s).
//!
//! The 월별 실적 bench uses the database at `$DOLBOM_BENCH_DB` (default `/tmp/d.db`) if it
//! exists, for the month `$DOLBOM_BENCH_MONTH` (default: the month of the newest data, 2026-11):
//! `dolbom demo --residents 100000 --no-tui --db /tmp/d.db`

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use dolbom::clock::Clock;
use dolbom::model::{Entry, EntryKind};
use dolbom::paper::document::CaseDocument;
use dolbom::paper::forms::{self, Form, FormSet};
use dolbom::paper::xlsx::{self, Table, Value};
use dolbom::paper::{html, hwpx, monthly};
use dolbom::store::{OpenOptions, Store};
use dolbom::timeline;
use std::hint::black_box;
use std::path::PathBuf;

/// This thread's CPU time in nanoseconds (Linux: `/proc/thread-self/schedstat`), so the figures
/// can be read on a loaded machine where wall time mostly measures the other processes.
fn thread_cpu_ns() -> Option<u64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `f` `n` times and prints the median wall and CPU time (besides criterion's wall-time
/// figures).
fn cpu_median(name: &str, n: usize, mut f: impl FnMut()) {
    let mut wall = Vec::with_capacity(n);
    let mut cpu = Vec::with_capacity(n);
    for _ in 0..n {
        let (t, c) = (std::time::Instant::now(), thread_cpu_ns());
        f();
        wall.push(t.elapsed().as_secs_f64() * 1e3);
        if let (Some(a), Some(b)) = (c, thread_cpu_ns()) {
            cpu.push(b.saturating_sub(a) as f64 / 1e6);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    eprintln!(
        "{name}: median of {n}: wall {:.1} ms, CPU {:.1} ms",
        median(&mut wall),
        median(&mut cpu)
    );
}

fn open(path: &std::path::Path, user: &str) -> Store {
    let mut opts = OpenOptions::new(user);
    opts.clock = Clock::fixed(
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default(),
    );
    Store::open(path, &opts).expect("open store")
}

/// One case with 2,000 entries of every kind (every 20th corrected once).
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
        let kind = EntryKind::ALL[(i % 10) as usize];
        let data = match kind {
            EntryKind::Assessment => serde_json::json!({
                "scores": {"안전": 3, "건강": 4, "일상생활": 2, "가족관계": 3, "경제": 5, "주거": 2, "정신건강": 3}
            }),
            EntryKind::Plan => serde_json::json!({
                "goals": ["정기 건강 확인", "주 3회 도시락 지원", "월 2회 안부 확인"],
                "services": ["방문건강관리", "도시락 배달"]
            }),
            EntryKind::Conference => {
                serde_json::json!({"attendees": ["박지현", "보건소 방문간호사"]})
            }
            _ => serde_json::json!({}),
        };
        let entry = Entry {
            id: id.clone(),
            case_id: case_id.clone(),
            kind,
            author: "박지현".into(),
            at: format!(
                "2025-{:02}-{:02} {:02}:{:02}",
                1 + i % 12,
                1 + i % 28,
                9 + i % 8,
                i % 60
            ),
            body: format!(
                "가정 방문 {i}회차. 어르신 건강 상태 양호, 식사 잘 하고 계심.\n다음 방문 예정."
            ),
            due_on: (i % 7 == 0).then(|| "2025-12-31".to_string()),
            data,
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

fn bench_forms(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, case_id) = big_case(dir.path());
    let set = FormSet::builtin().expect("forms");
    let d = CaseDocument::load(&store, &case_id, false).expect("doc");
    assert!(d.entries.len() >= 1_900);
    cpu_median("form_summary_hwpx_2000_entries", 21, || {
        let d = CaseDocument::load(&store, &case_id, false).expect("doc");
        black_box(hwpx::render(&forms::layout(&set, Form::Summary, &d)).expect("hwpx"));
    });
    // The 사례 요약 lists every entry: the largest of the seven.
    c.bench_function("form_summary_hwpx_2000_entries", |b| {
        b.iter(|| {
            let d = CaseDocument::load(&store, black_box(&case_id), false).expect("doc");
            black_box(hwpx::render(&forms::layout(&set, Form::Summary, &d)).expect("hwpx"))
        })
    });
    c.bench_function("form_summary_html_2000_entries", |b| {
        b.iter(|| {
            let d = CaseDocument::load(&store, black_box(&case_id), false).expect("doc");
            black_box(html::render(&forms::layout(&set, Form::Summary, &d)))
        })
    });
    c.bench_function("form_plan_hwpx_2000_entries", |b| {
        b.iter(|| {
            let d = CaseDocument::load(&store, black_box(&case_id), false).expect("doc");
            black_box(hwpx::render(&forms::layout(&set, Form::Plan, &d)).expect("hwpx"))
        })
    });
}

fn bench_xlsx(c: &mut Criterion) {
    let mut t = Table::new(
        "사례 목록",
        &[
            "사례 ID",
            "이름",
            "단계",
            "담당",
            "대상자 구분",
            "기록 수",
            "최근 접촉",
            "최근 활동",
        ],
    );
    for i in 0..10_000i64 {
        t.rows.push(vec![
            Value::text(format!("0193a1b2-{i:08}")),
            Value::text(format!("김순자{i}")),
            Value::text("제공·점검"),
            Value::text("박지현"),
            Value::text("사례관리 일반"),
            Value::Int(i % 40),
            Value::date_or_text("2026-11-03 14:30"),
            Value::date_or_text("2026-11-28 10:00"),
        ]);
    }
    let tables = [t];
    cpu_median("xlsx_10000_rows", 11, || {
        black_box(xlsx::workbook(&tables).expect("xlsx"));
    });
    c.bench_function("xlsx_10000_rows", |b| {
        b.iter(|| black_box(xlsx::workbook(black_box(&tables)).expect("xlsx")))
    });
}

fn bench_monthly(c: &mut Criterion) {
    let path = std::env::var_os("DOLBOM_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/d.db"));
    if !path.exists() {
        eprintln!(
            "{}: not found; skipping the 월별 실적 bench",
            path.display()
        );
        return;
    }
    let month = std::env::var("DOLBOM_BENCH_MONTH").unwrap_or_else(|_| "2026-11".to_string());
    let store = open(&path, "박지현");
    let t0 = std::time::Instant::now();
    let n = store
        .list_cases(&timeline::CaseFilter::default())
        .expect("cases")
        .len();
    let t1 = t0.elapsed();
    let input = monthly::gather(&store, &month).expect("gather");
    let t2 = t0.elapsed();
    let r = monthly::compute(&input, "", "");
    let t3 = std::time::Instant::now();
    let by_case = monthly::gather_by_case(&store, &month).expect("gather_by_case");
    eprintln!(
        "월별 실적 {month}: gather_by_case (per-case reads, the old path) {} cases in {:?}",
        by_case.cases.len(),
        t3.elapsed()
    );
    assert_eq!(
        monthly::compute(&by_case, "", ""),
        r,
        "the bulk and per-case reads give the same report"
    );
    eprintln!(
        "월별 실적 {month}: list_cases {n} in {t1:?}, gather {} cases in {:?}, compute in {:?}",
        input.cases.len(),
        t2 - t1,
        t0.elapsed() - t2
    );
    eprintln!(
        "월별 실적 {month}: {} workers, {} 동, open at end {}",
        r.by_worker.len(),
        r.by_dong.len(),
        r.total.open_at_end
    );
    cpu_median("monthly_report_demo", 7, || {
        black_box(monthly::monthly(&store, &month).expect("report"));
    });
    let mut g = c.benchmark_group("monthly");
    g.sample_size(10);
    g.bench_function("monthly_report_demo", |b| {
        b.iter(|| black_box(monthly::monthly(&store, black_box(&month)).expect("report")))
    });
    g.bench_function("monthly_report_demo_xlsx", |b| {
        b.iter(|| {
            let r = monthly::monthly(&store, black_box(&month)).expect("report");
            black_box(monthly::render(&r, monthly::ReportFormat::Xlsx).expect("xlsx"))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench_forms, bench_xlsx, bench_monthly
}
criterion_main!(benches);
