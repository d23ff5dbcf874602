//! Issue #12, item 1: keys do what the screen says, in the state the screen is in. Every hint
//! the status bar shows, in every pane (the search pane with its query line focused and with the
//! list focused), is pressed and the advertised thing is checked; the Korean IME's jamo reach
//! their Latin twins' commands; the help overlay and the empty-list hint name keys that work now.

use crate::common::tui::{app_with, press};
use dolbom::tui::app::{App, Overlay, PaneId};
use dolbom::tui::panes::FormPurpose;
use dolbom::tui::ui::{Hint, key_hints};
use dolbom::tui::widgets::help::HelpLine;
use dolbom::tui::{Action, Key};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &mut App) -> String {
    app.size = (80, 24);
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| dolbom::tui::ui::render(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..24 {
        let mut skip = 0;
        let mut line = String::new();
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

fn status_row(app: &mut App) -> String {
    screen(app).lines().last().unwrap_or_default().to_string()
}

/// Which form is open, if any.
fn form_purpose(app: &App) -> Option<FormPurpose> {
    match &app.overlay {
        Some(Overlay::Form(p, _)) => Some(p.clone()),
        _ => None,
    }
}

/// What the screen looked like before a key, to compare with after.
struct Before {
    pane: PaneId,
    query: String,
    typing: bool,
    screen: String,
    case_open: bool,
    residents: i64,
    form_focus: Option<usize>,
}

fn before(app: &mut App) -> Before {
    Before {
        pane: app.pane,
        query: app.search.query.clone(),
        typing: app.typing(),
        screen: screen(app),
        case_open: app.timeline.current_case().is_some(),
        residents: app.store.counts().unwrap().residents,
        form_focus: match &app.overlay {
            Some(Overlay::Form(_, f)) => Some(f.focus()),
            _ => None,
        },
    }
}

/// Checks that pressing a hint's key did what its label says; `Err` says what happened instead.
fn did_what_it_says(state: &str, h: &Hint, b: &Before, app: &mut App) -> Result<(), String> {
    let after_screen = screen(app);
    let ok = match h.action {
        Action::Help => matches!(app.overlay, Some(Overlay::Help(_))),
        Action::Quit => app.should_quit,
        Action::FocusSearch => app.typing() && !b.typing,
        Action::NewIntake => form_purpose(app) == Some(FormPurpose::Intake),
        Action::Filter => form_purpose(app) == Some(FormPurpose::SearchFilter),
        Action::AddEntry => matches!(form_purpose(app), Some(FormPurpose::AddEntry { .. })),
        Action::ChangeStage => {
            matches!(form_purpose(app), Some(FormPurpose::ChangeStage { .. }))
        }
        Action::Refer if b.pane == PaneId::Timeline => app.pane == PaneId::Resources,
        Action::Refer => matches!(form_purpose(app), Some(FormPurpose::Refer { .. })),
        Action::Select if b.pane == PaneId::Timeline => {
            !b.case_open && app.timeline.current_case().is_some()
        }
        Action::Select if b.pane == PaneId::Today => app.pane == PaneId::Timeline,
        Action::Select => app.pane == PaneId::Timeline,
        Action::OpenCase => app.timeline.current_case().is_some() && !b.case_open,
        Action::Back if app.stats.is_none() && b.screen.contains("통계 · 월별 실적") => true,
        Action::Back if b.pane == PaneId::Timeline => {
            app.pane == PaneId::Search || after_screen != b.screen
        }
        Action::FollowUpDone => app.last_change.is_some() && after_screen != b.screen,
        Action::Stats => app.stats.is_some(),
        Action::Visits => app.visits.is_some(),
        Action::PlanVisit => matches!(
            form_purpose(app),
            Some(FormPurpose::PlanVisit { .. } | FormPurpose::PlanVisitDiscovery { .. })
        ),
        Action::Left | Action::Right => app.stats.is_some() && after_screen != b.screen,
        Action::Back if b.typing => !app.typing() && app.overlay.is_none(),
        Action::Back => app.overlay.is_none(),
        Action::Detail | Action::ToggleScope | Action::ShowConflicts => after_screen != b.screen,
        // 이관: the partner-site form, or (no partner known yet / not this operator's case) why not.
        Action::TransferCase => {
            matches!(form_purpose(app), Some(FormPurpose::Transfer { .. }))
                || app.message.as_deref().is_some_and(|m| m.contains("이관"))
        }
        Action::SyncExport => form_purpose(app) == Some(FormPurpose::SyncExport),
        Action::SyncImport => form_purpose(app) == Some(FormPurpose::SyncImport),
        Action::SyncFolder => form_purpose(app) == Some(FormPurpose::SyncFolder),
        Action::NextField => match &app.overlay {
            Some(Overlay::Form(_, f)) => Some(f.focus()) != b.form_focus,
            _ => false,
        },
        Action::Submit => app.store.counts().unwrap().residents == b.residents + 1,
        Action::Cancel => match &app.overlay {
            None => true,
            Some(Overlay::Form(_, f)) => f.is_confirming_discard(),
            _ => false,
        },
        other => return Err(format!("no check written for {other}")),
    };
    // A command key is never typed into the query.
    let typed = b.pane == PaneId::Search && app.search.query != b.query;
    if ok && !typed {
        Ok(())
    } else {
        Err(format!(
            "{state}: \"{h}\" did not do it (query {:?} → {:?})\n{after_screen}",
            b.query, app.search.query
        ))
    }
}

/// A state of the screen: a name, the keymap, and how to reach it from a fresh app.
struct State {
    name: &'static str,
    keymap: &'static str,
    setup: fn(&mut App),
}

fn open_a_case(app: &mut App) {
    press(app, &["esc", "2", "down", "enter"]);
    assert!(app.timeline.current_case().is_some());
}

const STATES: &[State] = &[
    State {
        name: "search, query focused (start)",
        keymap: "default",
        setup: |app| press(app, &["ㄱㅁ"]),
    },
    State {
        name: "search, list focused",
        keymap: "default",
        setup: |app| press(app, &["ㄱㅁ", "esc"]),
    },
    State {
        name: "search, list focused (vim start)",
        keymap: "vim",
        setup: |_| {},
    },
    State {
        name: "search, query focused (vim)",
        keymap: "vim",
        setup: |app| press(app, &["/", "ㄱㅁ"]),
    },
    State {
        name: "case list",
        keymap: "default",
        setup: |app| press(app, &["esc", "2"]),
    },
    State {
        name: "case timeline",
        keymap: "default",
        setup: open_a_case,
    },
    State {
        name: "resources",
        keymap: "default",
        setup: |app| press(app, &["esc", "3"]),
    },
    State {
        name: "resources with a case open",
        keymap: "default",
        setup: |app| {
            open_a_case(app);
            press(app, &["3"]);
        },
    },
    State {
        name: "resources, query focused",
        keymap: "default",
        setup: |app| press(app, &["esc", "3", "/", "ㅍㄷ"]),
    },
    State {
        name: "today",
        keymap: "default",
        setup: |app| {
            press(app, &["esc", "4", "m"]);
            for _ in 0..8 {
                if app.today.selected_is_item() {
                    break;
                }
                press(app, &["down"]);
            }
        },
    },
    // Empty lists: no key that needs a selected row is offered (#12: "enter 열기" on a resident
    // with no case did nothing).
    State {
        name: "case list of a resident with no case",
        keymap: "default",
        setup: |app| {
            press(
                app,
                &[
                    "esc",
                    "n",
                    "홍길순",
                    "tab",
                    "1950-01-01",
                    "tab",
                    "tab",
                    "tab",
                    "tab",
                    "tab",
                    "tab",
                    "left",
                    "ctrl-s",
                ],
            );
            press(app, &["F2", "ctrl-l", "홍길순", "enter"]);
            assert!(app.timeline.list_is_empty() && app.timeline.resident().is_some());
        },
    },
    State {
        name: "case list with no case at all",
        keymap: "empty",
        setup: |app| press(app, &["esc", "2"]),
    },
    State {
        name: "search, nothing found, list focused",
        keymap: "default",
        setup: |app| press(app, &["홍길순김", "esc"]),
    },
    State {
        name: "search, nothing found, query focused",
        keymap: "default",
        setup: |app| press(app, &["홍길순김"]),
    },
    State {
        name: "resources, nothing found",
        keymap: "default",
        setup: |app| press(app, &["esc", "3", "/", "없는자원이름", "esc"]),
    },
    State {
        name: "today, nothing due",
        keymap: "empty",
        setup: |app| press(app, &["esc", "4"]),
    },
    State {
        name: "stats",
        keymap: "default",
        setup: |app| press(app, &["esc", "4", "t"]),
    },
    State {
        name: "stats (vim)",
        keymap: "vim",
        setup: |app| press(app, &["4", "t"]),
    },
    State {
        name: "today (vim)",
        keymap: "vim",
        setup: |app| {
            press(app, &["4", "m"]);
            for _ in 0..8 {
                if app.today.selected_entry().is_some() {
                    break;
                }
                press(app, &["j"]);
            }
        },
    },
    State {
        name: "case list of a resident with no case (vim)",
        keymap: "vim",
        setup: |app| {
            press(
                app,
                &[
                    "o",
                    "홍길순",
                    "tab",
                    "1950-01-01",
                    "tab",
                    "tab",
                    "tab",
                    "tab",
                    "tab",
                    "tab",
                    "left",
                    "ctrl-s",
                ],
            );
            press(app, &["F2", "/", "ctrl-l", "홍길순", "enter"]);
            assert!(app.timeline.list_is_empty() && app.timeline.resident().is_some());
        },
    },
    State {
        name: "sync",
        keymap: "default",
        setup: |app| press(app, &["F6"]),
    },
    State {
        name: "help overlay",
        keymap: "default",
        setup: |app| press(app, &["F1"]),
    },
    State {
        name: "palette",
        keymap: "default",
        setup: |app| press(app, &["ctrl-p"]),
    },
    State {
        name: "intake form",
        keymap: "default",
        setup: |app| press(app, &["ctrl-n", "가나다라"]),
    },
];

/// The app a state starts from: 300 demo residents, or none for the keymap name "empty"
/// (the default keymap on an empty database).
fn state_app(dir: &std::path::Path, st: &State) -> App {
    match st.keymap {
        "empty" => app_with(dir, 0, "default"),
        k => app_with(dir, 300, k),
    }
}

#[test]
fn every_status_bar_hint_does_what_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut pressed = 0;
    let mut dirs = 0;
    let mut fresh_dir = || {
        dirs += 1;
        let sub = dir.path().join(dirs.to_string());
        std::fs::create_dir_all(&sub).unwrap();
        sub
    };
    for st in STATES {
        let sub = fresh_dir();
        let mut app = state_app(&sub, st);
        (st.setup)(&mut app);
        let row = status_row(&mut app);
        let hints = key_hints(&app);
        let shown: Vec<&Hint> = hints
            .iter()
            .filter(|h| row.contains(&h.to_string()))
            .collect();
        assert!(
            shown.len() >= 2
                || (st.name.contains("overlay") || st.name == "palette") && !shown.is_empty(),
            "{}: hints {hints:?} row {row:?}",
            st.name
        );
        let joined = shown
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join("  ");
        assert!(
            row.ends_with(&joined),
            "{}: the hint area is exactly the hints: {row:?} vs {joined:?}",
            st.name
        );
        if app.typing() {
            for h in &shown {
                let k: Key = h.key.parse().unwrap();
                assert!(
                    k.text_char().is_none(),
                    "{}: {h} is a text key while typing",
                    st.name
                );
            }
        }
        for h in shown {
            // A fresh app per hint, so each starts from the same state.
            pressed += 1;
            let sub = fresh_dir();
            let mut app = state_app(&sub, st);
            (st.setup)(&mut app);
            let b = before(&mut app);
            press(&mut app, &[h.key.as_str()]);
            if let Err(e) = did_what_it_says(st.name, h, &b, &mut app) {
                failures.push(e);
            }
        }
    }
    assert!(pressed >= 40, "{pressed} hints pressed");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn typing_in_the_query_never_runs_commands_and_the_hints_say_how() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 300, "default");
    assert!(
        app.typing(),
        "the search pane starts with the query focused"
    );
    // What a worker typed in the issue: a name, then the advertised `n`.
    press(&mut app, &["박정희구n/?q1"]);
    assert_eq!(app.search.query, "박정희구n/?q1");
    assert!(app.overlay.is_none() && !app.should_quit && app.pane == PaneId::Search);
    press(&mut app, &["ctrl-l", "홍길순김"]);
    let text = screen(&mut app);
    assert!(
        text.contains("찾는 주민이 없습니다. ctrl-n 을 눌러 새로 접수하세요."),
        "{text}"
    );
    assert!(
        text.lines().last().unwrap().contains("ctrl-n 접수"),
        "{text}"
    );
    press(&mut app, &["esc"]);
    assert!(!app.typing());
    let text = screen(&mut app);
    assert!(
        text.contains("찾는 주민이 없습니다. n 을 눌러 새로 접수하세요."),
        "{text}"
    );
    // `/` (advertised as 검색) focuses the query; it is not typed.
    press(&mut app, &["/"]);
    assert!(app.typing());
    assert_eq!(app.search.query, "홍길순김");
    // With the list focused a Hangul syllable starts a new query at once.
    press(&mut app, &["esc", "김"]);
    assert!(app.typing());
    assert_eq!(app.search.query, "김");
}

#[test]
fn help_lists_only_keys_that_work_in_the_focus_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 50, "default");
    press(&mut app, &["F1"]);
    let lines = match &app.overlay {
        Some(Overlay::Help(h)) => h.lines().to_vec(),
        _ => panic!("help is open"),
    };
    let keys: Vec<String> = lines
        .iter()
        .filter_map(|l| match l {
            HelpLine::Binding { keys, .. } => Some(keys.clone()),
            _ => None,
        })
        .collect();
    for k in &keys {
        let first: Key = k.split(' ').next().unwrap().parse().unwrap();
        assert!(first.text_char().is_none(), "{k} listed while typing");
    }
    assert!(keys.contains(&"ctrl-n".to_string()), "{keys:?}");
    assert!(matches!(&lines[0], HelpLine::Section(s) if s.contains("검색어 입력 중")));
    press(&mut app, &["esc", "esc", "?"]);
    let lines = match &app.overlay {
        Some(Overlay::Help(h)) => h.lines().to_vec(),
        _ => panic!("help is open with the list focused"),
    };
    assert!(lines.contains(&HelpLine::Binding {
        keys: "n".into(),
        desc: "새 접수 (중복 확인 후 주민 등록)".into()
    }));
}

#[test]
fn jamo_keys_do_what_their_latin_twins_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 300, "default");
    // List focused, IME on: ㅜ is the n key → new intake.
    press(&mut app, &["esc", "ㅜ"]);
    assert_eq!(form_purpose(&app), Some(FormPurpose::Intake));
    // In a form a jamo is text.
    press(&mut app, &["ㅜ"]);
    match &app.overlay {
        Some(Overlay::Form(_, f)) => assert!(f.fields()[0].value().ends_with('ㅜ')),
        _ => panic!("the form stays open"),
    }
    press(&mut app, &["esc", "enter"]);
    assert!(app.overlay.is_none());
    // On a case: ㅁ is a → add entry, ㄴ is s → change stage.
    open_a_case(&mut app);
    press(&mut app, &["ㅁ"]);
    assert!(matches!(
        form_purpose(&app),
        Some(FormPurpose::AddEntry { .. })
    ));
    press(&mut app, &["esc", "ㄴ"]);
    assert!(matches!(
        form_purpose(&app),
        Some(FormPurpose::ChangeStage { .. })
    ));
    // In help: ㅂ is q → close.
    press(&mut app, &["esc", "?", "ㅂ"]);
    assert!(app.overlay.is_none() && !app.should_quit);
    // And ㅂ on a pane quits, as q does.
    press(&mut app, &["ㅂ"]);
    assert!(app.should_quit);
}

#[test]
fn vim_starts_with_the_list_focused_so_j_moves() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 300, "vim");
    assert!(!app.typing());
    let first = app.search.selected().unwrap().summary.id.clone();
    press(&mut app, &["j", "j"]);
    assert_eq!(app.search.query, "");
    assert_ne!(app.search.selected().unwrap().summary.id, first);
    // ㅓ is j with the IME on.
    let second = app.search.selected().unwrap().summary.id.clone();
    press(&mut app, &["ㅓ"]);
    assert_ne!(app.search.selected().unwrap().summary.id, second);
    // `/` enters the query; then j is text; esc leaves.
    press(&mut app, &["/", "jj", "esc", "k"]);
    assert_eq!(app.search.query, "jj");
    assert!(!app.typing());
    // vim's new intake key is `o`; the empty-list hint says so.
    press(&mut app, &["ctrl-l", "홍길순김", "esc"]);
    assert!(
        screen(&mut app).contains("o 을 눌러 새로 접수하세요"),
        "{}",
        screen(&mut app)
    );
}

// ---- Issue #12, item 4: the duplicate check at intake, and no silent prefill. ----

fn residents(app: &App) -> i64 {
    app.store.counts().unwrap().residents
}

fn name_field(app: &App) -> String {
    match &app.overlay {
        Some(Overlay::Form(_, f)) => f.fields()[0].value().to_string(),
        _ => panic!("a form is open"),
    }
}

/// Registers without a case: name, birth date, phone (tab order of the intake form).
fn register(app: &mut App, name: &str, birth: &str, phone: &str) {
    press(app, &["esc", "ctrl-l", "esc", "n", name, "tab", birth]);
    press(
        app,
        &[
            "tab", "tab", "tab", phone, "tab", "tab", "tab", "left", "ctrl-s",
        ],
    );
}

#[test]
fn intake_catches_what_staff_type_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 50, "default");
    let start = residents(&app);
    register(&mut app, "장보고", "1950-01-01", "010-1234-5678");
    assert_eq!(residents(&app), start + 1, "{}", screen(&mut app));
    // Same name + same phone, another birth date.
    register(&mut app, "장보고", "1951-02-02", "01012345678");
    assert_eq!(
        residents(&app),
        start + 1,
        "held for the duplicate question"
    );
    assert!(
        screen(&mut app).contains("같은 이름·연락처"),
        "{}",
        screen(&mut app)
    );
    press(&mut app, &["ctrl-s"]); // 취소 is the default answer
    // Same name + birth date, typed with a space.
    register(&mut app, "장 보고", "1950-01-01", "");
    assert_eq!(residents(&app), start + 1);
    assert!(
        screen(&mut app).contains("같은 이름·생년월일"),
        "{}",
        screen(&mut app)
    );
    press(&mut app, &["ctrl-s"]);
    // Same 초성 + birth year + 동 (a typo: 정보고).
    register(&mut app, "정보고", "1950-07-07", "");
    assert_eq!(residents(&app), start + 1);
    assert!(
        screen(&mut app).contains("같은 초성·출생연도·동"),
        "{}",
        screen(&mut app)
    );
    press(&mut app, &["ctrl-s"]);
    // Someone else entirely registers at once, and a spaced name is stored without spaces.
    register(&mut app, "한 가람", "1990-03-03", "");
    assert_eq!(residents(&app), start + 2, "{}", screen(&mut app));
    assert!(
        app.search.hits.iter().any(|h| h.summary.name == "한가람"),
        "stored as 한가람"
    );
}

#[test]
fn intake_prefills_only_a_name_and_typing_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 100, "default");
    for q in ["ㄱㅁㅅ", "김민ㅅ", "민수 1234", "김"] {
        press(&mut app, &["ctrl-l", q, "ctrl-n"]);
        assert_eq!(name_field(&app), "", "query {q:?} is not a name");
        press(&mut app, &["esc"]);
    }
    let existing = app.search.hits[0].summary.name.clone();
    press(&mut app, &["ctrl-l", &existing, "ctrl-n"]);
    assert_eq!(name_field(&app), existing, "a name-like query is offered");
    // Typing replaces the offered name (no "홍길순김민수").
    press(&mut app, &["홍길순"]);
    assert_eq!(name_field(&app), "홍길순");
    press(&mut app, &["esc", "enter"]);
    // Backspace clears it; a movement key keeps it and typing then appends.
    press(&mut app, &["ctrl-n", "backspace"]);
    assert_eq!(name_field(&app), "");
    press(&mut app, &["esc", "enter", "ctrl-n", "end", "x"]);
    assert_eq!(name_field(&app), format!("{existing}x"));
    press(&mut app, &["esc", "enter"]);
    // A leftover glued on anyway is caught at saving.
    let before = residents(&app);
    press(
        &mut app,
        &["ctrl-n", "end", "홍길순", "tab", "1950-01-01", "ctrl-s"],
    );
    assert_eq!(residents(&app), before, "held: {}", screen(&mut app));
    let text = screen(&mut app);
    assert!(
        text.contains("검색어?") || text.contains("이름에 다른 이름"),
        "{text}"
    );
}

// ---- Issue #12, item 9: honest lists. ----

#[test]
fn cut_lists_say_so_and_load_more_on_scroll() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 300, "default");
    assert_eq!(app.search.total(), 300);
    // A screenful of rows first (#18), the rest as the list scrolls.
    assert_eq!(app.search.hits.len(), 64);
    let text = screen(&mut app);
    assert!(text.contains("300건 중 64건 표시, ↓ 더 보기"), "{text}");
    // Scrolling down past the fetched rows fetches more; end goes to the very last match.
    press(&mut app, &["esc"]);
    for _ in 0..200 {
        press(&mut app, &["down"]);
    }
    assert!(app.search.hits.len() > 200, "more rows fetched");
    let first_200: Vec<String> = app.search.hits[..200]
        .iter()
        .map(|h| h.summary.id.clone())
        .collect();
    press(&mut app, &["end"]);
    assert_eq!(app.search.hits.len(), 300);
    assert!(!app.search.has_more());
    assert_eq!(
        app.search.selected().unwrap().summary.id,
        app.search.hits[299].summary.id
    );
    let text = screen(&mut app);
    assert!(text.contains("300명 중 300건"), "{text}");
    // The first rows stay as they were: paging only appends.
    let again: Vec<String> = app.search.hits[..200]
        .iter()
        .map(|h| h.summary.id.clone())
        .collect();
    assert_eq!(first_200, again);
}

#[test]
fn long_names_never_break_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 20, "default");
    for name in ["김수한무거북이와두루미", "Nguyen Thi Minh Hoa"] {
        press(
            &mut app,
            &[
                "esc",
                "ctrl-l",
                "esc",
                "n",
                name,
                "tab",
                "1940-01-01",
                "ctrl-s",
            ],
        );
        press(&mut app, &["1"]);
    }
    press(&mut app, &["esc", "ctrl-l"]);
    let text = screen(&mut app);
    assert!(text.contains("김수한무…"), "{text}");
    assert!(text.contains("Nguyen T…"), "{text}");
    // Every list row has its age column at the same display column (10).
    for line in text.lines().skip(4).take(18).filter(|l| !l.is_empty()) {
        let mut col = 0;
        let mut at = None;
        for c in line.chars() {
            if col == 10 {
                at = Some(c);
                break;
            }
            col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
        assert!(
            at.is_some_and(|c| c.is_ascii_digit() || c == '-'),
            "age column misplaced: {line:?}"
        );
    }
}

#[test]
fn slash_back_to_the_query_selects_it_so_typing_starts_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 50, "default");
    press(&mut app, &["ㄱㅁㅅ", "esc", "/", "김민수"]);
    assert_eq!(app.search.query, "김민수");
    press(&mut app, &["esc", "/", "right"]);
    press(&mut app, &["backspace"]);
    assert_eq!(
        app.search.query, "김민",
        "a non-text key keeps the query for editing"
    );
    press(&mut app, &["esc", "/", "backspace"]);
    assert_eq!(app.search.query, "");
}

#[test]
fn with_the_list_focused_a_jamo_that_is_no_command_starts_the_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 50, "vim");
    assert!(!app.typing());
    // ㄱ is r (no command in vim's search pane): it starts a 초성 query.
    press(&mut app, &["ㄱ", "ㅁ", "ㅅ"]);
    assert!(app.typing());
    assert_eq!(app.search.query, "ㄱㅁㅅ");
    // ㅓ is j (down): still a command.
    press(&mut app, &["esc", "ctrl-l", "esc", "ㅓ"]);
    assert!(!app.typing());
    assert_eq!(
        app.search.selected().unwrap().summary.id,
        app.search.hits[1].summary.id
    );
}

#[test]
fn back_on_the_search_pane_a_new_name_replaces_the_last_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(dir.path(), 300, "default");
    press(&mut app, &["ㄱㅁㅅ", "enter"]);
    assert_eq!(app.pane, PaneId::Timeline);
    press(&mut app, &["F2", "ㅇㅅ"]);
    assert_eq!(app.search.query, "ㅇㅅ");
}
