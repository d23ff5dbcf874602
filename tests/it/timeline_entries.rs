//! Entries: adding each kind, append-only corrections and voids, referral status, audit rows.

use dolbom::clock::Clock;
use dolbom::model::{EntryKind, Stage};
use dolbom::store::{OpenOptions, Store};
use dolbom::timeline::rules::CRISIS_DOMAINS;
use dolbom::timeline::{self, CaseFilter, EntryData, NewEntry};
use rusqlite::types::Value;
use std::collections::BTreeMap;

fn store(dir: &std::path::Path) -> Store {
    let mut opts = OpenOptions::new("박지현");
    opts.clock = Clock::fixed(dolbom::clock::parse_datetime("2026-03-01T10:30:00").expect("time"));
    let mut store = Store::open(&dir.join("t.db"), &opts).expect("open");
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
            residents: 200,
            seed: 5,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    store
}

fn some_case(store: &Store, stage: Stage) -> String {
    store
        .list_cases(&CaseFilter {
            stage: Some(stage),
            ..CaseFilter::default()
        })
        .expect("cases")
        .remove(0)
        .id
}

/// The stored row of an entry, every column, as SQLite holds it.
fn raw_row(path: &std::path::Path, id: &str) -> Vec<Value> {
    let conn = rusqlite::Connection::open(path).expect("open raw");
    conn.query_row("SELECT * FROM entries WHERE id = ?1", [id], |r| {
        (0..r.as_ref().column_count())
            .map(|i| r.get::<_, Value>(i))
            .collect()
    })
    .expect("row")
}

#[test]
fn correction_leaves_original_byte_for_byte_and_shows_current_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(dir.path());
    let case_id = some_case(&store, Stage::Monitoring);
    let due = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).expect("date");
    let original = timeline::add_entry(
        &mut store,
        &case_id,
        &NewEntry::plain(
            EntryKind::Visit,
            "가정 방문.\n어르신 무릎 통증 호소, 병원 동행 필요.",
        )
        .due(due),
    )
    .expect("add");
    let before = raw_row(store.path(), &original.id);

    let fixed = timeline::correct_entry(
        &mut store,
        &original.id,
        "가정 방문.\n어르신 허리 통증 호소, 병원 동행 필요.",
        Some(due),
    )
    .expect("correct");
    assert_eq!(fixed.corrects.as_deref(), Some(original.id.as_str()));
    // Correcting the correction links to the same original.
    let again = timeline::correct_entry(
        &mut store,
        &fixed.id,
        "가정 방문. 허리 통증, 병원 동행 3/9.",
        None,
    )
    .expect("correct again");
    assert_eq!(again.corrects.as_deref(), Some(original.id.as_str()));

    assert_eq!(
        raw_row(store.path(), &original.id),
        before,
        "original row changed"
    );
    assert_eq!(store.entry(&original.id).expect("entry"), original);

    let t = timeline::load(&store, &case_id).expect("load");
    let item = t
        .items
        .iter()
        .find(|i| i.original.id == original.id)
        .expect("item");
    assert!(item.is_corrected());
    assert!(!item.is_voided());
    assert_eq!(item.text(), "가정 방문. 허리 통증, 병원 동행 3/9.");
    assert_eq!(item.due_on(), None);
    let history: Vec<&str> = item.history().map(|e| e.body.as_str()).collect();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0], original.body);
    // Corrections are not items of their own.
    assert!(t.items.iter().all(|i| i.original.corrects.is_none()));

    // The database refuses in-place edits outright.
    let conn = rusqlite::Connection::open(store.path()).expect("raw");
    assert!(
        conn.execute(
            "UPDATE entries SET body = 'x' WHERE id = ?1",
            [&original.id]
        )
        .is_err()
    );
    assert!(
        conn.execute("DELETE FROM entries WHERE id = ?1", [&original.id])
            .is_err()
    );

    // Audit: 입력 for the entry, 변경 for each correction.
    let rows = store.audit_rows(&Default::default()).expect("audit");
    let mine: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.subject == format!("case:{case_id}"))
        .map(|r| (r.action.as_str(), r.detail.as_str()))
        .collect();
    assert_eq!(mine.len(), 3);
    assert_eq!(mine[0].0, "입력");
    assert!(mine[1].0 == "변경" && mine[1].1.starts_with("correct:"));
}

#[test]
fn void_marks_entry_and_closes_its_follow_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(dir.path());
    let case_id = some_case(&store, Stage::Monitoring);
    let e = timeline::add_entry(
        &mut store,
        &case_id,
        &NewEntry::plain(EntryKind::Memo, "다른 사례 내용")
            .due(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")),
    )
    .expect("add");
    timeline::void_entry(&mut store, &e.id, " ").expect_err("reason required");
    timeline::void_entry(&mut store, &e.id, "다른 사례에 잘못 입력").expect("void");
    let t = timeline::load(&store, &case_id).expect("load");
    let item = t
        .items
        .iter()
        .find(|i| i.original.id == e.id)
        .expect("item");
    assert!(item.is_voided());
    assert_eq!(item.void_reason(), Some("다른 사례에 잘못 입력"));
    assert_eq!(item.text(), "다른 사례 내용");
    assert_eq!(item.due_on(), None);
    // Voided twice or corrected after voiding: refused.
    assert!(timeline::void_entry(&mut store, &e.id, "again").is_err());
    assert!(timeline::correct_entry(&mut store, &e.id, "x", None).is_err());
    // Not a follow-up any more.
    let today = timeline::today(&store, timeline::Scope::All).expect("today");
    assert!(today.due_today.iter().chain(&today.overdue).all(
        |i| !matches!(&i.kind, timeline::DueKind::FollowUp { entry_id, .. } if *entry_id == e.id)
    ));
}

#[test]
fn stage_change_entries_cannot_be_corrected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(dir.path());
    let case_id = some_case(&store, Stage::Monitoring);
    let t = timeline::load(&store, &case_id).expect("load");
    let sc = t
        .items
        .iter()
        .find(|i| i.original.kind == EntryKind::StageChange)
        .expect("a stage change");
    assert!(timeline::correct_entry(&mut store, &sc.original.id, "x", None).is_err());
    assert!(timeline::void_entry(&mut store, &sc.original.id, "x").is_err());
}

#[test]
fn assessment_updates_crisis_score_and_referral_creates_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(dir.path());
    let case_id = some_case(&store, Stage::Assessment);
    let mut scores: BTreeMap<String, i64> =
        CRISIS_DOMAINS.iter().map(|d| (d.to_string(), 4)).collect();
    scores.insert("안전".into(), 6);
    let bad = NewEntry {
        kind: EntryKind::Assessment,
        body: "조사".into(),
        due_on: None,
        data: EntryData::Assessment {
            scores: scores.clone(),
        },
    };
    assert!(timeline::add_entry(&mut store, &case_id, &bad).is_err());
    scores.insert("안전".into(), 5);
    let good = NewEntry {
        data: EntryData::Assessment { scores },
        ..bad
    };
    timeline::add_entry(&mut store, &case_id, &good).expect("assessment");
    let c = store.case_header(&case_id).expect("case").case;
    assert_eq!(c.crisis_score, Some(29));
    assert_eq!(c.crisis_level.as_deref(), Some("위기"));
    assert_eq!(c.last_activity, "2026-03-01 10:30");

    // Kind and data must agree; stage changes go through change_stage.
    assert!(
        timeline::add_entry(
            &mut store,
            &case_id,
            &NewEntry::plain(EntryKind::StageChange, "x")
        )
        .is_err()
    );
    assert!(
        timeline::add_entry(
            &mut store,
            &case_id,
            &NewEntry::plain(EntryKind::Visit, "  ")
        )
        .is_err()
    );

    let resource: String = rusqlite::Connection::open(store.path())
        .expect("raw")
        .query_row("SELECT id FROM resources LIMIT 1", [], |r| r.get(0))
        .expect("resource");
    // A referral needs 제3자 제공 consent (consent.rs tests the refusal).
    timeline::consent::record(
        &mut store,
        &case_id,
        &timeline::consent::NewConsent {
            scopes: vec![dolbom::model::ConsentScope::ThirdParty],
            on: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            expires: None,
            paper: String::new(),
            note: String::new(),
        },
    )
    .expect("consent");
    let e = timeline::add_entry(
        &mut store,
        &case_id,
        &NewEntry {
            kind: EntryKind::Referral,
            body: "정신건강복지센터 연계".into(),
            due_on: None,
            data: EntryData::Referral {
                resource_id: resource.clone(),
            },
        },
    )
    .expect("referral");
    let referral_id = e.data["referral_id"]
        .as_str()
        .expect("referral id")
        .to_string();
    let t = timeline::load(&store, &case_id).expect("load");
    let f = t
        .referrals
        .iter()
        .find(|f| f.referral.id == referral_id)
        .expect("referral row");
    assert_eq!(f.referral.status, "의뢰");
    assert_eq!(f.referral.requested_on, "2026-03-01");
    assert!(!f.resource_name.is_empty());

    assert!(timeline::set_referral_status(&mut store, &referral_id, "의뢰", "").is_err());
    let f = timeline::set_referral_status(&mut store, &referral_id, "접수", "담당자 배정")
        .expect("status");
    assert_eq!(
        (f.status.as_str(), f.note.as_str()),
        ("접수", "담당자 배정")
    );
    let t = timeline::load(&store, &case_id).expect("load");
    assert!(
        t.items
            .iter()
            .any(|i| i.original.body.contains("의뢰 → 접수"))
    );
}

#[test]
fn view_audits_and_lists_are_ordered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(dir.path());
    let rows = store.list_cases(&CaseFilter::default()).expect("list");
    assert!(rows.len() > 10);
    assert!(
        rows.windows(2)
            .all(|w| w[0].last_activity >= w[1].last_activity)
    );
    let first = &rows[0];
    let t = timeline::view(&store, &first.id).expect("view");
    assert_eq!(t.items.len() as i64, first.entry_count);
    assert_eq!(t.header.resident_name, first.resident_name);
    let audit = store.audit_rows(&Default::default()).expect("audit");
    let last = audit.last().expect("row");
    assert_eq!(last.action, "조회");
    assert_eq!(
        last.resident_id.as_deref(),
        Some(first.resident_id.as_str())
    );
    // Filters.
    let of_resident = store.cases_of_resident(&first.resident_id).expect("cases");
    assert!(
        of_resident
            .iter()
            .all(|r| r.resident_id == first.resident_id)
    );
    assert!(of_resident.iter().any(|r| r.id == first.id));
    let worker = rows
        .iter()
        .find(|r| r.stage == Stage::Monitoring)
        .map(|r| r.worker.clone())
        .expect("a case in 모니터링");
    let mine = store
        .list_cases(&CaseFilter {
            worker: Some(worker.clone()),
            stage: Some(Stage::Monitoring),
            ..CaseFilter::default()
        })
        .expect("mine");
    assert!(!mine.is_empty());
    assert!(
        mine.iter()
            .all(|r| r.worker == worker && r.stage == Stage::Monitoring)
    );
    // last_contact is a contact entry's time, never on a later day than the last activity
    // (demo times within one day are not ordered).
    for r in &rows {
        if let Some(c) = &r.last_contact {
            assert!(
                c[..10] <= r.last_activity[..10],
                "{c} > {}",
                r.last_activity
            );
        }
    }
}
