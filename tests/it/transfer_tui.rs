//! 이관 from the TUI (issue #16): `T` on an open case picks a known partner site, asks for the
//! reason, then a confirm step names the site; 아니요 writes nothing, 예 writes the 이관 entry
//! and the copy becomes read-only. Staff may transfer only their own cases (like the CLI).
//! Driven by keys on TestBackend at 80×24.

use crate::common::sync::{export, import, open_site};
use crate::common::tui::press;
use dolbom::model::Stage;
use dolbom::store::{Role, Store};
use dolbom::timeline::{CaseFilter, transfer};
use dolbom::tui::Keymap;
use dolbom::tui::app::{App, Overlay, PaneId};
use dolbom::tui::panes::FormPurpose;
use dolbom::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &mut App) -> String {
    app.size = (80, 24);
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    t.draw(|f| dolbom::tui::ui::render(f, app)).expect("draw");
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

/// Site A (관악) with demo cases, knowing site B (서초) from B's first bundle; returns A's
/// store and a case in 모니터링.
fn site_a(dir: &std::path::Path) -> (Store, String) {
    let mut a = open_site(dir, "관악 행정복지센터", 0);
    let b = open_site(dir, "서초 행정복지센터", 5);
    dolbom::demo::generate(
        &mut a,
        &dolbom::demo::DemoOptions {
            residents: 60,
            seed: 9,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let hello = export(&b, None, true, &dir.join("b0.bundle"));
    import(&mut a, &hello).expect("B's bundle at A");
    let case = a
        .list_cases(&CaseFilter {
            stage: Some(Stage::Monitoring),
            ..CaseFilter::default()
        })
        .expect("cases")[0]
        .id
        .clone();
    (a, case)
}

fn open(store: Store, case: &str) -> App {
    let mut app = App::new(store, Keymap::builtin_default(), Theme::no_color());
    press(&mut app, &["esc", "2"]);
    app.timeline
        .open_case(case, &mut app.store)
        .expect("open case");
    assert_eq!(app.pane, PaneId::Timeline);
    app
}

#[test]
fn t_transfers_the_open_case_after_a_confirm_naming_the_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, case) = site_a(dir.path());
    let mut app = open(a, &case);
    let s = screen(&mut app);
    assert!(s.contains("T 이관"), "the footer offers 이관:\n{s}");

    // T: the form lists the partner site; the reason is required.
    press(&mut app, &["T"]);
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Form(FormPurpose::Transfer { .. }, _))
    ));
    let s = screen(&mut app);
    assert!(
        s.contains("이관 —") && s.contains("받는 기관") && s.contains("서초 행정복지센터"),
        "{s}"
    );
    press(&mut app, &["ctrl-s"]);
    assert!(
        matches!(
            &app.overlay,
            Some(Overlay::Form(FormPurpose::Transfer { .. }, _))
        ),
        "an empty reason is refused; the form stays"
    );

    // A Hangul reason, ctrl-s: the confirm step names the site; 아니요 (the default) writes nothing.
    press(&mut app, &["서초구로 이사, 주거 지원 진행 중", "ctrl-s"]);
    let s = screen(&mut app);
    assert!(
        s.contains("서초 행정복지센터(으)로 이관할까요?"),
        "the confirm names the site:\n{s}"
    );
    press(&mut app, &["ctrl-s"]);
    assert!(app.overlay.is_none());
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("이관을 취소했습니다")),
        "{:?}",
        app.message
    );
    assert!(
        transfer::transferred_away(&app.store, &case)
            .expect("read")
            .is_none()
    );

    // Again, and 예 this time.
    press(
        &mut app,
        &["T", "주거 지원 이어서", "ctrl-s", "right", "ctrl-s"],
    );
    assert!(app.overlay.is_none(), "{}", screen(&mut app));
    let s = screen(&mut app);
    assert!(
        s.contains("서초 행정복지센터(으)로 이관했습니다"),
        "the Korean result:\n{s}"
    );
    let e = transfer::transferred_away(&app.store, &case)
        .expect("read")
        .expect("transferred");
    assert_eq!(transfer::pointer(&e).1, "서초 행정복지센터");
    assert!(
        s.contains("이관 → 서초 행정복지센터"),
        "the entry is on the timeline:\n{s}"
    );

    // The copy is read-only now: T again says where it went; a new entry is refused.
    press(&mut app, &["T"]);
    assert!(app.overlay.is_none());
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("이미") && m.contains("서초 행정복지센터")),
        "{:?}",
        app.message
    );
    // Every write key says so at once, before anything is typed into a form.
    for key in ["a", "v", "s", "c", "K", "A"] {
        app.message = None;
        press(&mut app, &[key]);
        assert!(app.overlay.is_none(), "{key}: {}", screen(&mut app));
        assert!(
            app.message
                .as_deref()
                .is_some_and(|m| m.contains("읽기 전용") && m.contains("서초 행정복지센터")),
            "{key}: {:?}",
            app.message
        );
    }
}

#[test]
fn staff_may_transfer_only_their_own_cases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, case) = site_a(dir.path());
    let worker = a.case_header(&case).expect("case").case.worker;
    a.add_user("이직원", Role::Staff).expect("user");
    let path = a.path().to_path_buf();
    drop(a);
    let mut o = dolbom::store::OpenOptions::new("이직원");
    o.site_name = Some("관악 행정복지센터".into());
    let staff = Store::open(&path, &o).expect("open as staff");
    assert_ne!(worker, "이직원");
    let mut app = open(staff, &case);
    press(&mut app, &["T"]);
    assert!(app.overlay.is_none(), "no form for someone else's case");
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("팀장이나 관리자만")),
        "{:?}",
        app.message
    );
}
