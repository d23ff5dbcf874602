//! 방문 계획 (issue #16 item 6): plan → week view → day list in address order; a reschedule
//! (a correction) moves it and a cancel drops it; the 방문 entry that records it shows it done;
//! a plan travels to a second site through a bundle; a 발굴 candidate without a case carries
//! its plan on its row; the TUI at 80×24 (`v` in the case and in the 발굴 queue, the week view,
//! the day list's exports masked); and `dolbom visits`.

use crate::approval::{open_as, team_db};
use crate::common::sync::{export, import};
use crate::common::tui::press;
use chrono::NaiveDate;
use dolbom::model::{EntryKind, PlannedVisit, Scope, VisitSource};
use dolbom::store::Store;
use dolbom::timeline::visits::{self, VisitInput};
use dolbom::timeline::{self, CaseFilter};
use std::path::Path;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Base time is 2025-03-01 (a Saturday); plans go to the week of Monday 2025-03-03.
fn input(on: &str, time: &str, purpose: &str) -> VisitInput {
    VisitInput::parse(on, time, purpose, day("2025-03-01")).unwrap()
}

/// `n` open cases with different residents.
fn open_cases(s: &Store, n: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    s.list_cases(&CaseFilter::default())
        .unwrap()
        .into_iter()
        .filter(|c| c.stage.is_open() && seen.insert(c.resident_id.clone()))
        .take(n)
        .map(|c| c.id)
        .collect()
}

fn in_address_order(v: &[PlannedVisit]) -> bool {
    v.windows(2)
        .all(|w| (w[0].on.as_str(), w[0].dong.as_str()) <= (w[1].on.as_str(), w[1].dong.as_str()))
}

#[test]
fn plan_week_and_day_list_in_address_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = team_db(dir.path(), "a", "박주무");
    let cases = open_cases(&s, 6);
    assert_eq!(cases.len(), 6);
    for (i, c) in cases.iter().enumerate() {
        let on = if i < 4 { "2025-03-04" } else { "2025-03-06" };
        let e = visits::plan(&mut s, c, &input(on, &format!("{:02}:00", 9 + i), "안부 확인")).unwrap();
        assert_eq!(e.kind, EntryKind::VisitPlan);
        assert_eq!(e.data["on"], on);
    }
    // Not a contact: the plan kind is outside the 접촉 kinds (오늘's "no contact" list, 월별 실적).
    assert!(!EntryKind::VisitPlan.is_contact());

    let week = visits::week(&s, day("2025-03-05"), Scope::All).unwrap();
    assert_eq!(week.start, Some(day("2025-03-03")));
    assert_eq!(week.totals(), [0, 4, 0, 2, 0, 0, 0]);
    for (dong, days) in &week.rows {
        for v in days.iter().flatten() {
            assert_eq!(&v.dong, dong);
        }
    }
    let list = visits::day(&s, day("2025-03-04"), Scope::All).unwrap();
    assert_eq!(list.len(), 4);
    assert!(in_address_order(&list), "{list:#?}");
    assert!(list.iter().all(|v| !v.done && v.purpose == "안부 확인"));
    assert!(matches!(list[0].source, VisitSource::Case { .. }));

    // The timeline shows the plan as an entry (방문 예정) with its day and 목적.
    let t = timeline::load(&s, &cases[0]).unwrap();
    let plan = t
        .items
        .iter()
        .find(|i| i.original.kind == EntryKind::VisitPlan)
        .unwrap();
    assert!(plan.text().contains("방문 예정 2025-03-04 09:00 — 안부 확인"), "{}", plan.text());

    // Mine: 박주무 planned them all; 이주무 planned none (and holds none of these cases, or
    // sees only those).
    assert_eq!(visits::day(&s, day("2025-03-04"), Scope::Mine).unwrap().len(), 4);
    drop(s);
    let lee = open_as(dir.path(), "a", "이주무");
    let mine = visits::day(&lee, day("2025-03-04"), Scope::Mine).unwrap();
    assert!(mine.iter().all(|v| v.worker == "이주무"), "{mine:#?}");
}

#[test]
fn reschedule_moves_cancel_drops_and_done_links() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = team_db(dir.path(), "a", "박주무");
    let cases = open_cases(&s, 2);
    let p1 = visits::plan(&mut s, &cases[0], &input("2025-03-04", "10:00", "서비스 점검")).unwrap();
    let p2 = visits::plan(&mut s, &cases[1], &input("2025-03-04", "", "초기 방문")).unwrap();

    // Reschedule: a correction of the plan with the new day; the original stays.
    let fix = visits::reschedule(&mut s, &p1.id, &input("2025-03-12", "15:30", "서비스 점검")).unwrap();
    assert_eq!(fix.corrects.as_deref(), Some(p1.id.as_str()));
    assert_eq!(fix.data["moved_from"], "2025-03-04");
    let tue = visits::day(&s, day("2025-03-04"), Scope::All).unwrap();
    assert_eq!(tue.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), [p2.id.as_str()]);
    let next = visits::day(&s, day("2025-03-12"), Scope::All).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].id.as_str(), next[0].time.as_str()), (p1.id.as_str(), "15:30"));
    assert_eq!(s.entry(&p1.id).unwrap().data["on"], "2025-03-04", "original kept");

    // Done: the ordinary 방문 entry, linked by plan_id; a contact; the plan shows 완료.
    let visit = visits::complete(&mut s, &fix.id, "방문함. 건강 양호").unwrap();
    assert_eq!(visit.kind, EntryKind::Visit);
    assert_eq!(visit.data["plan_id"], p1.id.as_str());
    assert!(visit.kind.is_contact());
    let next = visits::day(&s, day("2025-03-12"), Scope::All).unwrap();
    assert!(next[0].done);
    assert!(visits::complete(&mut s, &p1.id, "again").is_err());
    assert!(visits::reschedule(&mut s, &p1.id, &input("2025-03-13", "", "x")).is_err());

    // Cancel: voids the plan (the existing correction); it leaves the lists.
    visits::cancel(&mut s, &p2.id, "대상자 입원").unwrap();
    assert!(visits::day(&s, day("2025-03-04"), Scope::All).unwrap().is_empty());
    assert!(visits::complete(&mut s, &p2.id, "x").is_err());
    // add_entry does not write plans (only visits::plan does).
    let new = timeline::NewEntry {
        kind: EntryKind::VisitPlan,
        body: "x".into(),
        due_on: None,
        data: timeline::EntryData::Plain,
    };
    assert!(timeline::add_entry(&mut s, &cases[0], &new).is_err());
}

#[test]
fn a_plan_and_its_reschedule_travel_to_a_second_site() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = team_db(dir.path(), "a", "박주무");
    let case = open_cases(&a, 1).remove(0);
    let plan = visits::plan(&mut a, &case, &input("2025-03-05", "11:00", "주거 환경 확인")).unwrap();

    let mut b = open_as(dir.path(), "b", "관리자");
    let full = export(&a, None, true, &dir.path().join("a-full.bundle"));
    import(&mut b, &full).expect("import at B");
    let at_b = visits::day(&b, day("2025-03-05"), Scope::All).unwrap();
    assert_eq!(at_b.len(), 1);
    assert_eq!(at_b[0].id, plan.id);
    assert_eq!(at_b[0].purpose, "주거 환경 확인");

    visits::reschedule(&mut a, &plan.id, &input("2025-03-07", "11:00", "주거 환경 확인")).unwrap();
    let more = export(&a, Some(&b.site().id), false, &dir.path().join("a2.bundle"));
    import(&mut b, &more).expect("second bundle");
    assert!(visits::day(&b, day("2025-03-05"), Scope::All).unwrap().is_empty());
    assert_eq!(visits::day(&b, day("2025-03-07"), Scope::All).unwrap().len(), 1);
    // The timeline at B folds the reschedule into the plan like any correction.
    let t = timeline::load(&b, &case).unwrap();
    let item = t.items.iter().find(|i| i.original.id == plan.id).unwrap();
    assert!(item.is_corrected());
}
