//! Issue #20 item 2: every listing of residents leaves a record (query or filter and how many
//! residents, never who); a headless bulk read needs `--reason` (exit 2 and a recorded refusal
//! without one); `audit summary` counts bulk reads per operator; the TUI records a settled
//! search once, not per keystroke.

use crate::common::dolbom_at;
use crate::common::tui::press;
use dolbom::audit::{AuditFilter, AuditRow};
use dolbom::clock::{Clock, parse_datetime};
use dolbom::search::residents::ResidentIndex;
use dolbom::store::reads::DEFAULT_BULK_READ_LIMIT;
use dolbom::store::{OpenOptions, Store};
use dolbom::tui::Keymap;
use dolbom::tui::app::App;
use dolbom::tui::theme::Theme;
use std::path::Path;

fn opts() -> OpenOptions {
    let mut o = OpenOptions::new("tester");
    o.clock = Clock::fixed(parse_datetime("2026-11-25 09:00").expect("time"));
    o
}

/// A demo database of `n` residents at `dir/r.db`.
fn demo_db(dir: &Path, n: usize) -> std::path::PathBuf {
    let path = dir.join("r.db");
    let mut s = Store::open(&path, &opts()).expect("open");
    dolbom::demo::generate(
        &mut s,
        &dolbom::demo::DemoOptions {
            residents: n,
            seed: 42,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    path
}

fn audit_rows(db: &Path) -> Vec<AuditRow> {
    Store::open(db, &opts())
        .expect("open")
        .audit_rows(&AuditFilter::default())
        .expect("rows")
}

fn reads_of(db: &Path, subject: &str) -> Vec<AuditRow> {
    audit_rows(db)
        .into_iter()
        .filter(|r| r.subject == subject)
        .collect()
}

#[test]
fn the_default_limit_is_500_and_an_admin_may_change_it() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("x.db");
    let s = Store::open(&db, &opts()).expect("open");
    assert_eq!(DEFAULT_BULK_READ_LIMIT, 500);
    assert_eq!(s.bulk_read_limit().expect("limit"), 500);
    drop(s);
    let o = dolbom_at(&db)
        .args(["audit", "limit", "7"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("7명"));
    // Staff may not.
    let o = dolbom_at(&db)
        .env("DOLBOM_USER", "someone")
        .args(["audit", "limit", "100000"])
        .output()
        .expect("run");
    assert!(!o.status.success());
    let s = Store::open(&db, &opts()).expect("open");
    assert_eq!(s.bulk_read_limit().expect("limit"), 7);
}

#[test]
fn a_search_is_recorded_with_its_query_and_count_only() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo_db(dir.path(), 40);
    let o = dolbom_at(&db)
        .args(["search", "김", "--json"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert!(!hits.is_empty());
    let rows = reads_of(&db, "read:search");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].action, "조회");
    assert_eq!(
        rows[0].detail,
        format!("주민 {}명 · 조건 \"김\"", hits.len())
    );
    for h in &hits {
        let name = h["name"].as_str().expect("name");
        assert!(
            !rows[0].detail.contains(name),
            "a result's name was recorded"
        );
    }
}

#[test]
fn bulk_reads_need_a_reason_and_are_audited() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo_db(dir.path(), 40);
    let o = dolbom_at(&db)
        .args(["audit", "limit", "3"])
        .output()
        .expect("run");
    assert!(o.status.success());

    // The issue's `search "" --limit 100000 --json`: refused, exit 2, nothing printed.
    let o = dolbom_at(&db)
        .args(["search", "", "--limit", "100000", "--json"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "nothing is printed");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("사유가 필요합니다") && err.contains("--reason"),
        "{err}"
    );
    let refused = reads_of(&db, "bulk-read:search");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].action, "거부");
    assert!(
        refused[0].detail.contains("사유 없음"),
        "{}",
        refused[0].detail
    );

    // With a reason: served, and the reason recorded.
    let o = dolbom_at(&db)
        .args(["search", "", "--limit", "100000", "--json"])
        .args(["--reason", "연말 일제조사"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert!(hits.len() > 3);
    let rows = reads_of(&db, "bulk-read:search");
    let served: Vec<_> = rows.iter().filter(|r| r.action == "조회").collect();
    assert_eq!(served.len(), 1);
    assert!(
        served[0].detail.contains("사유 \"연말 일제조사\""),
        "{}",
        served[0].detail
    );
    assert!(
        served[0]
            .detail
            .starts_with(&format!("주민 {}명", hits.len()))
    );

    // `timeline --list` names residents too: the same rule.
    let o = dolbom_at(&db)
        .args(["timeline", "--list", "--json"])
        .output()
        .expect("run");
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(o.stdout.is_empty());
    let o = dolbom_at(&db)
        .args(["timeline", "--list", "--json", "--reason", "사례 점검"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    let one = cases[0]["resident_id"].as_str().expect("id").to_owned();
    let timeline = reads_of(&db, "bulk-read:timeline-list");
    assert_eq!(
        timeline
            .iter()
            .map(|r| r.action.as_str())
            .collect::<Vec<_>>(),
        ["거부", "조회"]
    );
    // Under the limit, no reason is asked for, and the read is still recorded.
    let o = dolbom_at(&db)
        .args(["timeline", "--list", "--resident", &one])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(reads_of(&db, "read:timeline-list").len(), 1);

    // `audit summary` shows them per operator.
    let month = Store::open(&db, &opts())
        .expect("open")
        .audit_rows(&AuditFilter::default())
        .expect("rows")
        .last()
        .map(|r| r.at[..7].to_owned())
        .expect("a row");
    let o = dolbom_at(&db)
        .args(["audit", "summary", "--month", &month, "--json"])
        .output()
        .expect("run");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    let me = rows
        .iter()
        .find(|r| r["operator"] == "tester")
        .expect("tester's row");
    assert_eq!(me["bulk_reads"], 2);
    assert_eq!(me["bulk_refused"], 2);
    assert_eq!(me["reads"], 3);
    let o = dolbom_at(&db)
        .args(["audit", "summary", "--month", &month])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("목록 조회") && text.contains("대량"),
        "{text}"
    );
}

#[test]
fn a_tui_search_records_its_query_and_count_once() {
    let dir = tempfile::tempdir().expect("dir");
    let db = demo_db(dir.path(), 60);
    let s = Store::open(&db, &opts()).expect("open");
    let mut app = App::new(s, Keymap::builtin_default(), Theme::no_color());
    app.search_index_ready(ResidentIndex::load(&db).expect("index"));
    app.flush_reads(); // whatever the pane shows on opening
    let before = app
        .store
        .audit_rows(&AuditFilter::default())
        .expect("rows")
        .len();
    // Typed key by key, as a person types: one record when it settles, not one per key.
    for k in ["김", "민"] {
        press(&mut app, &[k]);
        app.observe_reads();
    }
    let names: Vec<String> = app
        .search
        .hits
        .iter()
        .map(|h| h.summary.name.clone())
        .collect();
    let shown = app.search.hits.len();
    app.flush_reads();
    let rows = app.store.audit_rows(&AuditFilter::default()).expect("rows");
    let new: Vec<_> = rows[before..]
        .iter()
        .filter(|r| r.subject == "read:tui:search")
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].action, "조회");
    assert_eq!(new[0].detail, format!("주민 {shown}명 · 조건 \"김민\""));
    for n in names.iter().filter(|n| n.as_str() != "김민") {
        assert!(!new[0].detail.contains(n.as_str()), "{n} recorded");
    }
    // Nothing more is written while the same list stays on screen.
    app.flush_reads();
    let after = app.store.audit_rows(&AuditFilter::default()).expect("rows");
    assert_eq!(after.len(), rows.len());
}
