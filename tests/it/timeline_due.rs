//! What is due: every rule with a fixed `today` around month ends and leap days, the store's
//! facts cross-checked against a brute-force reading of every timeline, and the query plans.

use chrono::NaiveDate;
use dolbom::clock::Clock;
use dolbom::model::{EntryKind, Stage};
use dolbom::store::{OpenOptions, Store};
use dolbom::timeline::due::{
    self, CaseRef, ContactFact, DeadlineRule, DueKind, FollowUpFact, ReferralFact, Scope,
    StageFact, TodayFacts,
};
use dolbom::timeline::{self, CaseFilter, NewEntry};
use std::collections::BTreeSet;

fn day(s: &str) -> NaiveDate {
    dolbom::clock::parse_date(s).expect("date")
}

fn case() -> CaseRef {
    CaseRef {
        case_id: "c1".into(),
        resident_name: "김순자".into(),
        worker: "박지현".into(),
    }
}

fn follow(at: &str, due_on: &str, last_contact: Option<&str>) -> FollowUpFact {
    FollowUpFact {
        case: case(),
        entry_id: "e1".into(),
        kind: EntryKind::Call,
        at: at.into(),
        due_on: due_on.into(),
        body: "재통화 예정\n둘째 줄".into(),
        last_contact: last_contact.map(String::from),
    }
}

#[test]
fn follow_ups_due_today_overdue_and_answered() {
    let f = follow("2028-02-20 10:00", "2028-02-29", Some("2028-02-20 10:00"));
    // Leap day: due today.
    let item = due::follow_up(&f, day("2028-02-29")).expect("due");
    assert_eq!((item.days_over, item.due), (0, day("2028-02-29")));
    assert_eq!(item.detail, "재통화 예정");
    assert_eq!(item.since, day("2028-02-20"));
    // Next day (March 1st in a leap year): one day over.
    assert_eq!(
        due::follow_up(&f, day("2028-03-01"))
            .expect("over")
            .days_over,
        1
    );
    assert!(due::follow_up(&f, day("2028-02-28")).is_none());
    // A contact strictly after the entry answers it; one at the same minute does not.
    let answered = follow("2028-02-20 10:00", "2028-02-29", Some("2028-02-20 10:01"));
    assert!(due::follow_up(&answered, day("2028-03-01")).is_none());
    let no_contact = follow("2026-12-01 09:00", "2026-12-31", None);
    assert_eq!(
        due::follow_up(&no_contact, day("2026-12-31"))
            .expect("due")
            .days_over,
        0
    );
    assert_eq!(
        due::follow_up(&no_contact, day("2027-01-01"))
            .expect("due")
            .days_over,
        1
    );
    // Across a month end in a common year: Feb 28 → Mar 1 is one day.
    let feb = follow("2026-02-20 09:00", "2026-02-28", None);
    assert_eq!(
        due::follow_up(&feb, day("2026-03-01"))
            .expect("due")
            .days_over,
        1
    );
}

fn stage_fact(stage: Stage, opened: &str, entered: &[(Stage, &str)]) -> StageFact {
    StageFact {
        case: case(),
        stage,
        opened_on: opened.into(),
        entered: entered.iter().map(|(s, d)| (*s, d.to_string())).collect(),
    }
}

fn rules_of(items: &[due::DueItem]) -> Vec<(DeadlineRule, i64)> {
    items
        .iter()
        .map(|i| match i.kind {
            DueKind::Deadline(r) => (r, i.days_over),
            _ => panic!("not a deadline"),
        })
        .collect()
}

#[test]
fn guide_deadlines_each_rule() {
    // 접수 → 조사 10 days: entered 2026-02-19, due 2026-03-01 (28-day February).
    let f = stage_fact(
        Stage::Intake,
        "2026-02-10",
        &[(Stage::Intake, "2026-02-19")],
    );
    assert!(due::deadlines(&f, day("2026-02-28")).is_empty());
    assert_eq!(
        rules_of(&due::deadlines(&f, day("2026-03-01"))),
        vec![(DeadlineRule::IntakeToAssessment, 0)]
    );
    // Leap year: entered 2028-02-19 → due 2028-02-29.
    let f = stage_fact(
        Stage::Intake,
        "2028-02-01",
        &[(Stage::Intake, "2028-02-19")],
    );
    assert_eq!(
        rules_of(&due::deadlines(&f, day("2028-02-29"))),
        vec![(DeadlineRule::IntakeToAssessment, 0)]
    );
    // 사례회의 → 구분 5 days, across the year end.
    let f = stage_fact(
        Stage::Conference,
        "2026-11-01",
        &[
            (Stage::Intake, "2026-12-20"),
            (Stage::Conference, "2026-12-26"),
        ],
    );
    assert_eq!(
        rules_of(&due::deadlines(&f, day("2026-12-31"))),
        vec![(DeadlineRule::ConferenceToSelection, 0)]
    );
    assert_eq!(
        rules_of(&due::deadlines(&f, day("2027-01-19"))),
        vec![
            (DeadlineRule::ConferenceToSelection, 19),
            (DeadlineRule::IntakeToPlanning, 0)
        ]
    );
    // 선정 → 계획 15 days.
    let f = stage_fact(
        Stage::Selection,
        "2026-01-02",
        &[
            (Stage::Intake, "2026-02-13"),
            (Stage::Selection, "2026-02-14"),
        ],
    );
    assert_eq!(
        rules_of(&due::deadlines(&f, day("2026-03-01"))),
        vec![(DeadlineRule::SelectionToPlanning, 0)]
    );
    // 접수 → 계획 30 days in all, while in 조사; leap February.
    let f = stage_fact(
        Stage::Assessment,
        "2028-01-02",
        &[
            (Stage::Intake, "2028-01-30"),
            (Stage::Assessment, "2028-02-02"),
        ],
    );
    assert!(due::deadlines(&f, day("2028-02-28")).is_empty());
    assert_eq!(
        rules_of(&due::deadlines(&f, day("2028-02-29"))),
        vec![(DeadlineRule::IntakeToPlanning, 0)]
    );
    // No stage-change entry: the opening day starts the clock. Re-entering: the latest counts.
    let f = stage_fact(Stage::Intake, "2026-02-19", &[]);
    assert_eq!(due::deadlines(&f, day("2026-03-01")).len(), 1);
    let f = stage_fact(
        Stage::Intake,
        "2025-01-01",
        &[(Stage::Intake, "2025-01-05"), (Stage::Intake, "2026-02-25")],
    );
    assert!(due::deadlines(&f, day("2026-03-01")).is_empty());
    // No deadline outside 접수…선정.
    let f = stage_fact(Stage::Monitoring, "2020-01-01", &[]);
    assert!(due::deadlines(&f, day("2026-03-01")).is_empty());
}

fn contact(stage: Stage, last: Option<&str>, aftercare: Option<&str>) -> ContactFact {
    ContactFact {
        case: case(),
        stage,
        opened_on: "2025-12-01".into(),
        aftercare_on: aftercare.map(String::from),
        last_contact: last.map(String::from),
    }
}

#[test]
fn no_contact_for_30_days_in_monitoring() {
    let f = contact(Stage::Monitoring, Some("2026-01-30 15:00"), None);
    assert!(due::no_contact(&f, day("2026-02-28")).is_none());
    let item = due::no_contact(&f, day("2026-03-01")).expect("quiet");
    assert_eq!(
        (item.since, item.due, item.days_over),
        (day("2026-01-30"), day("2026-03-01"), 0)
    );
    assert_eq!(item.detail, "30일째 연락 없음");
    // Leap year: 2028-01-30 + 30 days = 2028-02-29.
    let f = contact(Stage::Monitoring, Some("2028-01-30 09:00"), None);
    assert_eq!(
        due::no_contact(&f, day("2028-02-29"))
            .expect("quiet")
            .days_over,
        0
    );
    // Year end.
    let f = contact(Stage::Monitoring, Some("2026-11-30 09:00"), None);
    assert_eq!(
        due::no_contact(&f, day("2026-12-31"))
            .expect("quiet")
            .days_over,
        1
    );
    // Never contacted: from the opening day.
    let f = contact(Stage::Monitoring, None, None);
    assert_eq!(
        due::no_contact(&f, day("2025-12-31"))
            .expect("quiet")
            .days_over,
        0
    );
    // Only in 모니터링.
    let f = contact(Stage::Planning, Some("2020-01-01 09:00"), None);
    assert!(due::no_contact(&f, day("2026-03-01")).is_none());
}

#[test]
fn aftercare_due_until_a_contact_on_or_after_the_date() {
    let f = contact(Stage::Closed, Some("2026-09-01 10:00"), Some("2026-12-31"));
    assert!(due::aftercare(&f, day("2026-12-30")).is_none());
    assert_eq!(
        due::aftercare(&f, day("2026-12-31"))
            .expect("due")
            .days_over,
        0
    );
    assert_eq!(
        due::aftercare(&f, day("2027-01-01"))
            .expect("due")
            .days_over,
        1
    );
    let done = contact(
        Stage::Aftercare,
        Some("2026-12-31 10:00"),
        Some("2026-12-31"),
    );
    assert!(due::aftercare(&done, day("2027-01-05")).is_none());
    let leap = contact(Stage::Aftercare, None, Some("2028-02-29"));
    assert_eq!(
        due::aftercare(&leap, day("2028-03-01"))
            .expect("due")
            .days_over,
        1
    );
    // Reopened case: not 사후관리.
    let open = contact(Stage::Intake, None, Some("2026-01-01"));
    assert!(due::aftercare(&open, day("2026-03-01")).is_none());
}

#[test]
fn referrals_waiting_14_days() {
    let f = |status: &str, on: &str| ReferralFact {
        case: case(),
        referral_id: "f1".into(),
        resource_name: "관악구 정신건강복지센터".into(),
        status: status.into(),
        requested_on: on.into(),
    };
    assert!(due::referral_waiting(&f("의뢰", "2026-02-15"), day("2026-02-28")).is_none());
    let item = due::referral_waiting(&f("의뢰", "2026-02-15"), day("2026-03-01")).expect("waiting");
    assert_eq!(
        (item.days_over, item.detail.as_str()),
        (0, "관악구 정신건강복지센터")
    );
    assert_eq!(
        due::referral_waiting(&f("의뢰", "2028-02-15"), day("2028-02-29"))
            .expect("w")
            .days_over,
        0
    );
    assert_eq!(
        due::referral_waiting(&f("의뢰", "2026-12-17"), day("2026-12-31"))
            .expect("w")
            .days_over,
        0
    );
    assert!(due::referral_waiting(&f("접수", "2020-01-01"), day("2026-03-01")).is_none());
}

#[test]
fn compute_splits_and_counts() {
    let facts = TodayFacts {
        follow_ups: vec![
            follow("2026-02-20 09:00", "2026-03-01", None),
            follow("2026-02-10 09:00", "2026-02-20", None),
            follow("2026-02-10 09:00", "2026-03-05", None),
        ],
        stages: vec![stage_fact(Stage::Intake, "2026-02-01", &[])],
        contacts: vec![contact(Stage::Monitoring, Some("2026-01-01 09:00"), None)],
        referrals: vec![],
    };
    let t = due::compute(&facts, day("2026-03-01"));
    assert_eq!(t.due_today.len(), 1);
    assert_eq!(t.overdue.len(), 1);
    assert_eq!(t.overdue[0].days_over, 9);
    // Intake since 02-01: 접수→조사 (over 18) and 접수→계획 (due 03-03, not yet).
    assert_eq!(
        rules_of(&t.deadlines),
        vec![(DeadlineRule::IntakeToAssessment, 18)]
    );
    assert_eq!(t.no_contact.len(), 1);
    assert_eq!(t.overdue_count(), 3);
}

#[test]
fn weekly_chart_ranges() {
    let today = day("2026-03-01");
    assert_eq!(due::chart_start(today), day("2025-12-08"));
    assert_eq!(
        due::week_range(today, 0),
        (day("2025-12-08"), day("2025-12-15"))
    );
    assert_eq!(
        due::week_range(today, 11),
        (day("2026-02-23"), day("2026-03-02"))
    );
    let leap = day("2028-02-29");
    assert_eq!(
        due::week_range(leap, 11),
        (day("2028-02-23"), day("2028-03-01"))
    );
    let counts = due::by_stage(&[(Stage::Monitoring, 3), (Stage::Intake, 1)]);
    assert_eq!(counts.len(), Stage::ALL.len());
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 4);
}

fn demo(dir: &std::path::Path, now: &str) -> Store {
    let mut opts = OpenOptions::new("박지현");
    opts.clock = Clock::fixed(dolbom::clock::parse_datetime(now).expect("time"));
    let mut store = Store::open(&dir.join("t.db"), &opts).expect("open");
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
            residents: 400,
            seed: 11,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    store
}

/// Follow-up facts computed the slow way: every timeline, every item.
fn brute_follow_ups(store: &Store, today: NaiveDate) -> BTreeSet<(String, i64)> {
    let mut out = BTreeSet::new();
    for row in store.list_cases(&CaseFilter::default()).expect("cases") {
        if !row.stage.is_open() {
            continue;
        }
        let t = timeline::load(store, &row.id).expect("load");
        let last = t
            .items
            .iter()
            .filter(|i| i.original.kind.is_contact())
            .map(|i| i.original.at.clone())
            .max();
        for item in &t.items {
            let (Some(due_on), cur) = (item.due_on(), item.current()) else {
                continue;
            };
            let fact = FollowUpFact {
                case: CaseRef {
                    case_id: row.id.clone(),
                    resident_name: row.resident_name.clone(),
                    worker: row.worker.clone(),
                },
                entry_id: cur.id.clone(),
                kind: cur.kind,
                at: cur.at.clone(),
                due_on: due_on.to_string(),
                body: cur.body.clone(),
                last_contact: last.clone(),
            };
            if let Some(i) = due::follow_up(&fact, today) {
                out.insert((cur.id.clone(), i.days_over));
            }
        }
    }
    out
}

fn follow_up_set(t: &due::Today) -> BTreeSet<(String, i64)> {
    t.due_today
        .iter()
        .chain(&t.overdue)
        .map(|i| match &i.kind {
            DueKind::FollowUp { entry_id, .. } => (entry_id.clone(), i.days_over),
            _ => panic!("not a follow-up"),
        })
        .collect()
}

#[test]
fn store_follow_ups_match_brute_force_and_react_to_contacts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = demo(dir.path(), "2026-03-01T10:00:00");
    let today = day("2026-03-01");
    let t = timeline::today(&store, Scope::All).expect("today");
    let expected = brute_follow_ups(&store, today);
    assert!(
        !expected.is_empty(),
        "demo data should have open follow-ups"
    );
    assert_eq!(follow_up_set(&t), expected);

    // A memo due today appears; a later call answers it.
    let case_id = store
        .list_cases(&CaseFilter {
            stage: Some(Stage::Monitoring),
            ..CaseFilter::default()
        })
        .expect("cases")[0]
        .id
        .clone();
    let memo = timeline::add_entry(
        &mut store,
        &case_id,
        &NewEntry::plain(EntryKind::Memo, "보호자에게 다시 연락").due(today),
    )
    .expect("memo");
    let has = |store: &Store| {
        follow_up_set(&timeline::today(store, Scope::All).expect("today"))
            .contains(&(memo.id.clone(), 0))
    };
    assert!(has(&store));
    // A correction moves the date: the correction is the open follow-up now.
    let fixed = timeline::correct_entry(
        &mut store,
        &memo.id,
        "보호자에게 다시 연락 (3/3)",
        Some(day("2026-03-03")),
    )
    .expect("correct");
    assert!(!has(&store));
    store.set_clock(Clock::fixed(
        dolbom::clock::parse_datetime("2026-03-04T09:00:00").expect("t"),
    ));
    let t = timeline::today(&store, Scope::All).expect("today");
    assert!(follow_up_set(&t).contains(&(fixed.id.clone(), 1)));
    store.set_clock(Clock::fixed(
        dolbom::clock::parse_datetime("2026-03-04T09:10:00").expect("t"),
    ));
    timeline::add_entry(
        &mut store,
        &case_id,
        &NewEntry::plain(EntryKind::Call, "통화 완료"),
    )
    .expect("call");
    let t = timeline::today(&store, Scope::All).expect("today");
    assert!(!follow_up_set(&t).iter().any(|(id, _)| *id == fixed.id));
    assert_eq!(
        follow_up_set(&t),
        brute_follow_ups(&store, day("2026-03-04"))
    );
}

#[test]
fn store_lists_match_brute_force_for_other_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo(dir.path(), "2026-03-01T10:00:00");
    let today = day("2026-03-01");
    for scope in [Scope::Mine, Scope::All] {
        let t = timeline::today(&store, scope).expect("today");
        let mut quiet = BTreeSet::new();
        let mut after = BTreeSet::new();
        let mut deadlines = BTreeSet::new();
        for row in store.list_cases(&CaseFilter::default()).expect("cases") {
            if scope == Scope::Mine && row.worker != "박지현" {
                continue;
            }
            let tl = timeline::load(&store, &row.id).expect("load");
            let c = &tl.header.case;
            let cref = CaseRef {
                case_id: row.id.clone(),
                resident_name: row.resident_name.clone(),
                worker: row.worker.clone(),
            };
            let fact = ContactFact {
                case: cref.clone(),
                stage: c.stage,
                opened_on: c.opened_on.clone(),
                aftercare_on: c.aftercare_on.clone(),
                last_contact: row.last_contact.clone(),
            };
            if due::no_contact(&fact, today).is_some() {
                quiet.insert(row.id.clone());
            }
            if due::aftercare(&fact, today).is_some() {
                after.insert(row.id.clone());
            }
            let sf = StageFact {
                case: cref,
                stage: c.stage,
                opened_on: c.opened_on.clone(),
                entered: tl
                    .stage_history()
                    .into_iter()
                    .skip(1)
                    .map(|s| (s.stage, s.on))
                    .collect(),
            };
            for d in due::deadlines(&sf, today) {
                deadlines.insert((row.id.clone(), format!("{:?}", d.kind), d.days_over));
            }
        }
        let ids = |v: &[due::DueItem]| {
            v.iter()
                .map(|i| i.case.case_id.clone())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(ids(&t.no_contact), quiet, "{scope:?}");
        assert_eq!(ids(&t.aftercare), after, "{scope:?}");
        let got: BTreeSet<_> = t
            .deadlines
            .iter()
            .map(|d| (d.case.case_id.clone(), format!("{:?}", d.kind), d.days_over))
            .collect();
        assert_eq!(got, deadlines, "{scope:?}");
        assert!(t.referrals.iter().all(|i| i.days_over >= 0));
        if scope == Scope::Mine {
            assert!(
                t.sections()
                    .iter()
                    .all(|(_, v)| v.iter().all(|i| i.case.worker == "박지현"))
            );
        }
        let charts = timeline::charts(&store, scope, &t).expect("charts");
        assert_eq!(charts.overdue, t.overdue_count());
        let cases = store
            .list_cases(&CaseFilter {
                worker: (scope == Scope::Mine).then(|| "박지현".to_string()),
                ..CaseFilter::default()
            })
            .expect("cases");
        assert_eq!(
            charts
                .by_stage
                .iter()
                .map(|(_, n)| *n as usize)
                .sum::<usize>(),
            cases.len()
        );
        assert!(charts.entries_per_week.iter().sum::<u64>() > 0);
    }
}

#[test]
fn today_queries_never_scan_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo(dir.path(), "2026-03-01T10:00:00");
    for scope in [Scope::Mine, Scope::All] {
        for (name, plan) in store.today_query_plans(scope).expect("plans") {
            eprintln!("{scope:?} {name}: {plan:?}");
            for line in &plan {
                let scanned = line
                    .strip_prefix("SCAN ")
                    .map(|rest| rest.split_whitespace().next().unwrap_or(""));
                assert!(
                    !matches!(scanned, Some("e" | "x" | "k" | "entries")),
                    "{scope:?} {name} scans entries: {plan:#?}"
                );
            }
            // The lists read the tables V_TODAY maintains, by key or index ranges.
            let wanted = match (name.as_str(), scope) {
                ("follow_ups", Scope::All) => Some("SEARCH f USING PRIMARY KEY (due_on<?)"),
                ("follow_ups", Scope::Mine) => {
                    Some("SEARCH f USING INDEX follow_up_today_worker (worker=? AND due_on<?)")
                }
                ("deadlines" | "no_contact_aftercare", _) => {
                    Some("SEARCH t USING PRIMARY KEY (stage=")
                }
                ("entries_per_week", _) => Some("SEARCH entry_days USING "),
                _ => None,
            };
            if let Some(wanted) = wanted {
                assert!(
                    plan.iter().any(|l| l.starts_with(wanted)),
                    "{scope:?} {name}: must start with {wanted}: {plan:#?}"
                );
            }
        }
    }
}
