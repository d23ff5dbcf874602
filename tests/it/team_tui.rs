//! The team parts of the TUI (issue #16) on TestBackend at 80×24: a 팀장's 오늘 opens on
//! everyone's cases with 결재 대기 first; b returns a request with a Hangul comment, y approves
//! the re-request; a worker's 인계받음; space marks cases in the case list and A hands them over.

use crate::approval::{case_in, open_as, team_db};
use crate::common::tui::press;
use dolbom::model::{EntryKind, Scope, Stage};
use dolbom::store::Store;
use dolbom::timeline::{self, CaseFilter, approval};
use dolbom::tui::Keymap;
use dolbom::tui::app::{App, PaneId};
use dolbom::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app_on(store: Store) -> App {
    App::new(store, Keymap::builtin_default(), Theme::no_color())
}

fn screen(app: &mut App) -> String {
    app.size = (80, 24);
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    t.draw(|f| dolbom::tui::ui::render(f, app)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..24 {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..80 {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn lead_returns_then_approves_from_the_approval_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut worker = team_db(dir.path(), "a", "박주무");
    let case = case_in(&worker, Stage::Assessment);
    let req = approval::request(&mut worker, &case, Stage::Assessment, "조사 끝").expect("req");
    drop(worker);

    let mut app = app_on(open_as(dir.path(), "a", "김팀장"));
    press(&mut app, &["esc", "4"]);
    assert_eq!(app.pane, PaneId::Today);
    assert_eq!(
        app.today.scope(),
        Scope::All,
        "a lead starts on everyone's cases"
    );
    let text = screen(&mut app);
    assert!(
        text.contains("모든 사례") && text.contains("■ 결재 대기 (1)") && text.contains("욕구사정"),
        "{text}"
    );
    insta::assert_snapshot!(text);

    // The first item is the request: b opens the return form; a Hangul comment; ctrl-s.
    press(&mut app, &["b"]);
    let text = screen(&mut app);
    assert!(
        text.contains("욕구사정 결재 반려") && text.contains("반려 의견"),
        "{text}"
    );
    press(&mut app, &["ctrl-s"]);
    assert!(
        screen(&mut app).contains("반려 의견"),
        "an empty comment is refused; the form stays"
    );
    press(&mut app, &["가족관계 근거 보완", "ctrl-s"]);
    let text = screen(&mut app);
    assert!(
        !text.contains("■ 결재 대기"),
        "returned: the queue is empty\n{text}"
    );
    let steps = app.store.case_approval_steps(&case).expect("steps");
    assert_eq!(
        steps.last().map(|e| e.kind),
        Some(EntryKind::ApprovalReturn)
    );
    assert!(
        steps
            .last()
            .is_some_and(|e| e.body.contains("가족관계 근거 보완"))
    );
    assert_eq!(
        steps.last().map(|e| e.data["request"].clone()),
        Some(req.id.clone().into())
    );

    // The worker re-requests; the lead approves with y.
    drop(app);
    let mut worker = open_as(dir.path(), "a", "박주무");
    approval::request(&mut worker, &case, Stage::Assessment, "보완").expect("re-request");
    drop(worker);
    let mut app = app_on(open_as(dir.path(), "a", "김팀장"));
    press(&mut app, &["esc", "4", "y"]);
    let text = screen(&mut app);
    assert!(text.contains("욕구사정 결재 승인"), "{text}");
    assert!(!text.contains("■ 결재 대기"), "{text}");
    assert!(matches!(
        approval::state(&app.store, &case, Stage::Assessment).expect("state"),
        approval::ApprovalState::Approved(_)
    ));
}

#[test]
fn worker_asks_for_approval_from_the_case_and_cannot_approve_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let worker = team_db(dir.path(), "a", "박주무");
    let case = case_in(&worker, Stage::Planning);
    let mut app = app_on(worker);
    app.apply(dolbom::tui::panes::Effect::OpenCase(case.clone()));
    press(&mut app, &["K"]);
    let text = screen(&mut app);
    assert!(
        text.contains("결재 요청") && text.contains("서비스 계획"),
        "{text}"
    );
    // The focus starts on the memo (the step defaults to the case's own): typing goes there.
    press(&mut app, &["계획서 작성 완료", "ctrl-s"]);
    let text = screen(&mut app);
    assert!(text.contains("서비스 계획 결재 요청"), "{text}");
    let t = dolbom::timeline::load(&app.store, &case).expect("load");
    assert!(
        t.items
            .iter()
            .any(|i| i.original.body.contains("계획서 작성 완료")),
        "the memo was kept"
    );
    // y by a staff member: refused with the reason.
    press(&mut app, &["y"]);
    assert!(screen(&mut app).contains("팀장이나 관리자만"));
    // The stage gate from the stage form.
    press(&mut app, &["s", "ctrl-s"]);
    let text = screen(&mut app);
    assert!(text.contains("결재 대기 중"), "{text}");
    assert!(
        text.contains("단계 변경"),
        "the form stays open at its stage field\n{text}"
    );
}

#[test]
fn space_marks_cases_and_a_hands_them_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = team_db(dir.path(), "a", "김팀장");
    let first: Vec<(String, String)> = store
        .list_cases(&CaseFilter {
            limit: Some(3),
            ..CaseFilter::default()
        })
        .expect("cases")
        .into_iter()
        .map(|c| (c.id, c.worker))
        .collect();
    let mut app = app_on(store);
    press(&mut app, &["esc", "2"]);
    assert_eq!(app.pane, PaneId::Timeline);
    press(&mut app, &["space", "space"]);
    let text = screen(&mut app);
    assert!(text.contains("표시 2건"), "{text}");
    press(&mut app, &["A"]);
    let text = screen(&mut app);
    assert!(
        text.contains("인계 (담당자 바꾸기)") && text.contains("받는 사람"),
        "{text}"
    );
    // 대상 stays "표시한 2건"; on to 받는 사람 and choose 이주무 (users by name).
    assert!(text.contains("< 표시한 2건 >"), "{text}");
    press(&mut app, &["tab"]);
    let to = "이주무";
    for _ in 0..6 {
        if screen(&mut app).contains(&format!("< {to} >")) {
            break;
        }
        press(&mut app, &["right"]);
    }
    press(&mut app, &["tab", "휴직 인계, 위기 사례 먼저", "ctrl-s"]);
    let text = screen(&mut app);
    assert!(text.contains("인계했습니다"), "{text}");
    let moved: Vec<String> = first[..2].iter().map(|(id, _)| id.clone()).collect();
    for id in &moved {
        let c = app.store.case_header(id).expect("case").case;
        assert_eq!(c.worker, to);
        let t = timeline::load(&app.store, id).expect("load");
        assert!(
            t.items
                .iter()
                .any(|i| i.original.kind == EntryKind::Handover)
        );
    }
    assert!(!screen(&mut app).contains("표시 2건"), "marks cleared");

    // The new worker sees them in 오늘 as 인계받음.
    drop(app);
    let mut app = app_on(open_as(dir.path(), "a", to));
    press(&mut app, &["esc", "4"]);
    let text = screen(&mut app);
    assert!(
        text.contains("■ 인계받음 (2)") && text.contains("에게서: 휴직 인계"),
        "{text}"
    );
}

#[test]
fn everything_a_departing_worker_holds_in_one_step_from_the_case_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = team_db(dir.path(), "a", "김팀장");
    let first = store
        .list_cases(&CaseFilter {
            limit: Some(1),
            ..CaseFilter::default()
        })
        .expect("cases")
        .remove(0);
    let leaving = first.worker.clone();
    let held = store.cases_of_worker(&leaving).expect("held").len();
    assert!(held > 1, "the demo worker holds several cases");
    let mut app = app_on(store);
    press(&mut app, &["esc", "2", "A"]);
    let text = screen(&mut app);
    assert!(
        text.contains(&format!("{leaving} 담당 전부 ({held}건)")) || text.contains("< 이 사례 >"),
        "{text}"
    );
    // 대상: 전부; 받는 사람: 이주무; 메모; save.
    press(&mut app, &["right", "tab"]);
    for _ in 0..6 {
        if screen(&mut app).contains("< 이주무 >") {
            break;
        }
        press(&mut app, &["right"]);
    }
    press(&mut app, &["tab", "퇴직 인계", "ctrl-s"]);
    let text = screen(&mut app);
    assert!(
        text.contains(&format!("{held}건을 이주무에게 인계했습니다")),
        "{text}"
    );
    assert!(
        app.store
            .cases_of_worker(&leaving)
            .expect("left")
            .is_empty()
    );
    // One audit row for all of them.
    let audit = app.store.audit_rows(&Default::default()).expect("audit");
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.subject.starts_with("handover:"))
            .count(),
        1
    );
}

#[test]
fn a_referral_without_consent_is_refused_at_its_field_and_an_override_is_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let worker = team_db(dir.path(), "a", "박주무");
    let case = case_in(&worker, Stage::Monitoring);
    let mut app = app_on(worker);
    app.apply(dolbom::tui::panes::Effect::OpenCase(case.clone()));
    let before = timeline::load(&app.store, &case)
        .expect("load")
        .referrals
        .len();
    press(&mut app, &["r"]);
    assert_eq!(app.pane, PaneId::Resources);
    press(
        &mut app,
        &["/", "ㅍㄷㅂㅋ", "enter", "r", "도시락 지원 의뢰", "ctrl-s"],
    );
    let text = screen(&mut app);
    assert!(
        text.contains("제3자 제공 동의가 없습니다") && text.contains("동의 예외 사유"),
        "{text}"
    );
    assert_eq!(
        timeline::load(&app.store, &case)
            .expect("load")
            .referrals
            .len(),
        before
    );
    // The refusal focused the 동의 예외 사유 field: a reason, and it goes through.
    press(&mut app, &["긴급 식품 지원, 동의서는 방문 때", "ctrl-s"]);
    assert_eq!(
        timeline::load(&app.store, &case)
            .expect("load")
            .referrals
            .len(),
        before + 1
    );
    let audit = app.store.audit_rows(&Default::default()).expect("audit");
    assert!(
        audit
            .iter()
            .any(|r| r.detail.starts_with("consent_override:third_party")
                && r.detail.contains("긴급 식품 지원"))
    );
}

#[test]
fn a_lead_is_not_offered_approval_of_their_own_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lead = team_db(dir.path(), "a", "김팀장");
    let case = case_in(&lead, Stage::Planning);
    let mut app = app_on(lead);
    app.apply(dolbom::tui::panes::Effect::OpenCase(case));
    press(&mut app, &["K", "계획 검토 부탁", "ctrl-s"]);
    let text = screen(&mut app);
    let status = text.lines().last().unwrap_or_default().to_string();
    assert!(text.contains("서비스 계획 결재 요청"), "{text}");
    assert!(
        !status.contains("승인") && !status.contains("반려"),
        "y/b are not offered on one's own request: {status}"
    );
}
