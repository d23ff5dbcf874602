//! 방문 계획 (issue #16 item 6): plan → week view → day list in address order; a reschedule
//! (a correction) moves it and a cancel drops it; the 방문 entry that records it shows it done;
//! a plan travels to a second site through a bundle; a 발굴 candidate without a case carries
//! its plan on its row; the TUI at 80×24 (`v` in the case and in the 발굴 queue, the week view,
//! the day list's exports masked); and `dolbom visits`.

use crate::approval::{open_as, team_db};
use crate::common::sync::{export, import};
use crate::common::tui::press;
use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use dolbom::model::{EntryKind, PlannedVisit, Scope, VisitSource};
use dolbom::store::Store;
use dolbom::timeline::visits::{self, VisitInput};
use dolbom::timeline::{self, CaseFilter};
use dolbom::tui::app::{App, Overlay, PaneId};
use dolbom::tui::panes::FormPurpose;
use dolbom::tui::panes::fields::FieldId;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
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
        let e = visits::plan(
            &mut s,
            c,
            &input(on, &format!("{:02}:00", 9 + i), "안부 확인"),
        )
        .unwrap();
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
    assert!(
        plan.text()
            .contains("방문 예정 2025-03-04 09:00 — 안부 확인"),
        "{}",
        plan.text()
    );

    // Mine: 박주무 planned them all; 이주무 planned none (and holds none of these cases, or
    // sees only those).
    assert_eq!(
        visits::day(&s, day("2025-03-04"), Scope::Mine)
            .unwrap()
            .len(),
        4
    );
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
    let p1 = visits::plan(
        &mut s,
        &cases[0],
        &input("2025-03-04", "10:00", "서비스 점검"),
    )
    .unwrap();
    let p2 = visits::plan(&mut s, &cases[1], &input("2025-03-04", "", "초기 방문")).unwrap();

    // Reschedule: a correction of the plan with the new day; the original stays.
    let fix =
        visits::reschedule(&mut s, &p1.id, &input("2025-03-12", "15:30", "서비스 점검")).unwrap();
    assert_eq!(fix.corrects.as_deref(), Some(p1.id.as_str()));
    assert_eq!(fix.data["moved_from"], "2025-03-04");
    let tue = visits::day(&s, day("2025-03-04"), Scope::All).unwrap();
    assert_eq!(
        tue.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        [p2.id.as_str()]
    );
    let next = visits::day(&s, day("2025-03-12"), Scope::All).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(
        (next[0].id.as_str(), next[0].time.as_str()),
        (p1.id.as_str(), "15:30")
    );
    assert_eq!(
        s.entry(&p1.id).unwrap().data["on"],
        "2025-03-04",
        "original kept"
    );

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
    assert!(
        visits::day(&s, day("2025-03-04"), Scope::All)
            .unwrap()
            .is_empty()
    );
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
    let plan = visits::plan(
        &mut a,
        &case,
        &input("2025-03-05", "11:00", "주거 환경 확인"),
    )
    .unwrap();

    let mut b = open_as(dir.path(), "b", "관리자");
    let full = export(&a, None, true, &dir.path().join("a-full.bundle"));
    import(&mut b, &full).expect("import at B");
    let at_b = visits::day(&b, day("2025-03-05"), Scope::All).unwrap();
    assert_eq!(at_b.len(), 1);
    assert_eq!(at_b[0].id, plan.id);
    assert_eq!(at_b[0].purpose, "주거 환경 확인");

    visits::reschedule(
        &mut a,
        &plan.id,
        &input("2025-03-07", "11:00", "주거 환경 확인"),
    )
    .unwrap();
    let more = export(&a, Some(&b.site().id), false, &dir.path().join("a2.bundle"));
    import(&mut b, &more).expect("second bundle");
    assert!(
        visits::day(&b, day("2025-03-05"), Scope::All)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        visits::day(&b, day("2025-03-07"), Scope::All)
            .unwrap()
            .len(),
        1
    );
    // The timeline at B folds the reschedule into the plan like any correction.
    let t = timeline::load(&b, &case).unwrap();
    let item = t.items.iter().find(|i| i.original.id == plan.id).unwrap();
    assert!(item.is_corrected());
}

#[test]
fn a_discovery_candidate_carries_its_plan_on_its_row() {
    use dolbom::discovery::{self, DiscoveryImport};
    let dir = tempfile::tempdir().unwrap();
    let mut o = dolbom::store::OpenOptions::new("tester");
    o.clock =
        dolbom::clock::Clock::fixed(dolbom::clock::parse_datetime("2026-11-25 09:00").unwrap());
    let mut s = Store::open(&dir.path().join("d.db"), &o).unwrap();
    let settings = DiscoveryImport {
        round: Some("2026-6".into()),
        deadline: Some("2026-12-10".into()),
        ..DiscoveryImport::default()
    };
    let file = crate::common::fixture("discovery/round-2026-6.cp949.csv");
    discovery::import(&mut s, &file, &settings, &mut |_, _| {}).unwrap();
    let queue = s
        .discovery_queue(&dolbom::store::DiscoveryFilter::default())
        .unwrap();
    let cand = queue
        .iter()
        .find(|i| i.resident_id.is_none())
        .unwrap()
        .clone();
    let i = VisitInput::parse("2026-11-27", "10:00", "위기 징후 확인", day("2026-11-25")).unwrap();
    let r = visits::plan_discovery(&mut s, &cand.id, &i).unwrap();
    assert_eq!(r, visits::DiscoveryPlan::OnRow);
    let list = visits::day(&s, day("2026-11-27"), Scope::All).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].source, VisitSource::Discovery);
    assert_eq!(
        (list[0].name.as_str(), list[0].purpose.as_str()),
        (cand.name.as_str(), "위기 징후 확인")
    );
    assert!(!list[0].done);
    // Answering the row shows its visit done; cancelling the plan drops it.
    discovery::mark(
        &mut s,
        &cand.id,
        dolbom::model::Outcome::NotApplicable,
        None,
    )
    .unwrap();
    assert!(visits::day(&s, day("2026-11-27"), Scope::All).unwrap()[0].done);
    visits::cancel_discovery(&mut s, &cand.id).unwrap();
    assert!(
        visits::day(&s, day("2026-11-27"), Scope::All)
            .unwrap()
            .is_empty()
    );
}

fn screen(app: &mut App) -> String {
    app.size = (80, 24);
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| dolbom::tui::ui::render(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..24 {
        let mut skip = 0;
        for x in 0..80 {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

fn form_error(app: &App, field: FieldId) -> String {
    match &app.overlay {
        Some(Overlay::Form(_, form)) => form
            .field(field)
            .and_then(|f| f.error())
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

fn sheet_text(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn tui_plans_from_the_case_and_the_queue_and_exports_the_day_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = crate::common::tui::app_with(dir.path(), 150, "default");
    // Open the first case of the case list (2 사례, enter).
    press(&mut app, &["F3", "enter"]);
    let case_id = app
        .timeline
        .current_case()
        .expect("a case open")
        .to_string();
    let resident = app.store.case_header(&case_id).unwrap().resident_name;
    // The help (?) lists v among the case's keys.
    press(&mut app, &["?", "pgdn"]);
    let s = screen(&mut app);
    assert!(
        s.contains("방문 계획 (날짜·시간·목적)"),
        "help lists v:\n{s}"
    );
    press(&mut app, &["esc"]);

    // v: the form, 방문일 tomorrow; a bad time is refused at its field with a Korean message.
    press(&mut app, &["v"]);
    let Some(Overlay::Form(FormPurpose::PlanVisit { .. }, form)) = &app.overlay else {
        panic!("no plan form:\n{}", screen(&mut app));
    };
    assert_eq!(form.value(FieldId::VisitDate), Some("2026-11-26"));
    press(
        &mut app,
        &["tab", "25:00", "tab", "안부 확인 및 난방 점검", "ctrl-s"],
    );
    let Some(Overlay::Form(_, form)) = &app.overlay else {
        panic!("refused form closed:\n{}", screen(&mut app));
    };
    assert!(
        form.field(FieldId::VisitTime)
            .unwrap()
            .error()
            .unwrap()
            .starts_with("시간")
    );
    assert!(app.message.as_deref().unwrap_or("").starts_with("시간"));
    // The refused field has the focus: fix the time (ctrl-u clears it) and save.
    press(&mut app, &["ctrl-u", "14:30", "ctrl-s"]);
    assert!(app.overlay.is_none(), "{}", screen(&mut app));
    let list = visits::day(&app.store, day("2026-11-26"), Scope::All).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].time.as_str(), list[0].purpose.as_str()),
        ("14:30", "안부 확인 및 난방 점검")
    );
    press(&mut app, &["end"]);
    let s = screen(&mut app);
    assert!(
        s.contains("예정") && s.contains("방문 예정 2026-11-26 14:30"),
        "the timeline shows the plan:\n{s}"
    );

    // 오늘 → w: the week of 2026-11-23, one visit on 목 11-26, the name masked.
    press(&mut app, &["F5", "w"]);
    assert!(app.visits.is_some());
    let s = screen(&mut app);
    assert!(s.contains("방문 계획 · 2026-11-23 ~ 11-29"), "{s}");
    assert!(s.contains("목 11-26"), "{s}");
    let masked = dolbom::privacy::mask_name(&resident);
    assert!(s.contains(&format!("1 {masked}")), "{masked}\n{s}");
    assert!(!s.contains(&resident), "{s}");
    assert!(s.contains("enter 열기"), "{s}");
    // ] and [ move a week; → from Wednesday (today) to Thursday; enter: that day's list.
    press(&mut app, &["]"]);
    assert!(screen(&mut app).contains("2026-11-30 ~ 12-06"));
    press(&mut app, &["["]);
    press(&mut app, &["right", "enter"]);
    let s = screen(&mut app);
    assert!(s.contains("방문 목록 2026-11-26 (목) · 1건"), "{s}");
    assert!(
        s.contains("14:30") && s.contains(&masked) && !s.contains(&resident),
        "{s}"
    );
    assert!(s.contains("p 인쇄") && s.contains("x 엑셀"), "{s}");

    // x: an XLSX file, masked; p: an HTML print file, masked; both audited as 출력.
    let xlsx = dir.path().join("day.xlsx");
    press(&mut app, &["x"]);
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Form(FormPurpose::ExportVisits { .. }, _))
    ));
    press(&mut app, &["ctrl-u", xlsx.to_str().unwrap(), "ctrl-s"]);
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("1건을 저장했습니다"),
        "{:?}",
        app.message
    );
    let text = sheet_text(&xlsx);
    assert!(
        text.contains(&masked) && !text.contains(&resident),
        "{text}"
    );
    assert!(
        text.contains("안부 확인 및 난방 점검") && text.contains("14:30"),
        "{text}"
    );
    let html = dir.path().join("day.html");
    press(&mut app, &["p", "ctrl-u", html.to_str().unwrap(), "ctrl-s"]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains(&masked) && !page.contains(&resident),
        "{page}"
    );
    let prints = app
        .store
        .audit_rows(&dolbom::audit::AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "출력" && r.subject == "visits")
        .count();
    assert_eq!(prints, 2);

    // a: the visit was made — a 방문 entry on the case, linked to the plan, which shows 완료.
    press(&mut app, &["a"]);
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Form(FormPurpose::VisitDone { .. }, _))
    ));
    press(
        &mut app,
        &["방문함. 보일러 고장 확인, 수리 연계 예정", "ctrl-s"],
    );
    assert!(app.overlay.is_none(), "{}", screen(&mut app));
    let s = screen(&mut app);
    assert!(s.contains("완료"), "{s}");
    let t = timeline::load(&app.store, &case_id).unwrap();
    let visit = t
        .items
        .iter()
        .rev()
        .find(|i| i.original.kind == EntryKind::Visit)
        .unwrap();
    assert_eq!(visit.original.data["plan_id"], list[0].id.as_str());

    // enter on the visit opens its case; esc from the list goes back to the week, esc again
    // closes the screen.
    press(&mut app, &["enter"]);
    assert!(app.visits.is_none());
    assert_eq!(app.pane, PaneId::Timeline);
    assert_eq!(app.timeline.current_case(), Some(case_id.as_str()));
    press(&mut app, &["F5", "w", "enter", "esc"]);
    assert!(app.visits.as_ref().is_some_and(|v| v.day_list().is_none()));
    press(&mut app, &["esc"]);
    assert!(app.visits.is_none());
}

#[test]
fn tui_v_in_the_discovery_queue_plans_the_selected_row() {
    use dolbom::discovery::{self, DiscoveryImport};
    let dir = tempfile::tempdir().unwrap();
    let mut app = crate::common::tui::app_with(dir.path(), 0, "default");
    let settings = DiscoveryImport {
        round: Some("2026-6".into()),
        deadline: Some("2026-12-10".into()),
        ..DiscoveryImport::default()
    };
    let file = crate::common::fixture("discovery/round-2026-6.cp949.csv");
    discovery::import(&mut app.store, &file, &settings, &mut |_, _| {}).unwrap();
    press(&mut app, &["F5", "g"]);
    let first = app.discovery.as_ref().unwrap().items()[0].clone();
    let s = screen(&mut app);
    assert!(s.contains("v 방문"), "{s}");
    press(&mut app, &["v"]);
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Form(FormPurpose::PlanVisitDiscovery { .. }, _))
    ));
    // An empty 목적 is refused, naming the field.
    press(&mut app, &["ctrl-s"]);
    assert!(app.overlay.is_some());
    let msg = form_error(&app, FieldId::Purpose);
    assert!(!msg.is_empty(), "the 목적 field says why");
    press(&mut app, &["가정 방문 상담", "backtab", "10", "ctrl-s"]);
    assert!(app.overlay.is_none(), "{}", screen(&mut app));
    assert!(app.discovery.is_some(), "the queue stays open");
    let list = visits::day(&app.store, day("2026-11-26"), Scope::All).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].id.as_str(), list[0].time.as_str()),
        (first.id.as_str(), "10:00")
    );
    assert_eq!(list[0].purpose, "가정 방문 상담");
}

#[test]
fn cli_lists_a_day_masked_and_writes_files() {
    use crate::common::dolbom_at;
    let dir = tempfile::tempdir().unwrap();
    let mut s = team_db(dir.path(), "a", "박주무");
    let cases = open_cases(&s, 3);
    for c in &cases {
        visits::plan(&mut s, c, &input("2025-03-04", "09:30", "안부 확인")).unwrap();
    }
    let names: Vec<String> = visits::day(&s, day("2025-03-04"), Scope::All)
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    let db = s.path().to_path_buf();
    drop(s);
    let run = |args: &[&str]| {
        let o = dolbom_at(&db)
            .env("DOLBOM_USER", "박주무")
            .env("DOLBOM_NOW", "2025-03-01T09:00:00")
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let out = run(&["visits", "--date", "2025-03-04"]);
    assert!(out.starts_with("방문 목록 2025-03-04 (화) · 3건"), "{out}");
    for n in &names {
        assert!(
            out.contains(&dolbom::privacy::mask_name(n)) && !out.contains(n.as_str()),
            "{out}"
        );
    }
    let week = run(&[
        "visits",
        "--week",
        "2025-03-05",
        "--mine",
        "--format",
        "csv",
    ]);
    assert!(
        week.contains("날짜,시간,동,주소,이름,전화,목적,상태"),
        "{week}"
    );
    assert_eq!(week.lines().count(), 4, "{week}");
    let html = dir.path().join("v.html");
    let out = run(&[
        "visits",
        "--date",
        "2025-03-04",
        "--format",
        "html",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(out.contains("3건을 저장했습니다 (html)"), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("방문 목록 2025-03-04 (화)"));
    assert!(names.iter().all(|n| !page.contains(n.as_str())));
    let o = dolbom_at(&db)
        .env("DOLBOM_USER", "박주무")
        .args(["visits", "--format", "xlsx"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out"));
}
