//! Keymaps, actions, key resolution, and the keymap-driven widgets (help overlay, command palette).

use std::io::Write;
use std::path::PathBuf;

use crate::common::key;
use crossterm::event::{KeyCode as CtCode, KeyEvent, KeyModifiers};
use dolbom::tui::widgets::help::{Help, HelpLine, HelpOutcome};
use dolbom::tui::widgets::palette::{Palette, PaletteOutcome};
use dolbom::tui::{Action, Context, Key, KeySeq, Keymap, Resolution, Resolver};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

fn keys(s: &str) -> Vec<Key> {
    s.parse::<KeySeq>().unwrap_or_else(|e| panic!("{s}: {e}")).0
}

fn load(name: &str) -> Keymap {
    Keymap::load(name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Writes `src` to a temp file and returns its path (the file lives as long as the guard).
fn temp_keymap(src: &str) -> (tempfile::NamedTempFile, PathBuf) {
    let mut f = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .unwrap_or_else(|e| panic!("tempfile: {e}"));
    f.write_all(src.as_bytes())
        .unwrap_or_else(|e| panic!("write: {e}"));
    let p = f.path().to_path_buf();
    (f, p)
}

fn errors_of(src: &str) -> (String, Vec<String>) {
    let (_guard, path) = temp_keymap(src);
    let err = match Keymap::check(&path) {
        Ok(_) => panic!("should fail:\n{src}"),
        Err(e) => e,
    };
    let file = path.display().to_string();
    (file, err.to_string().lines().map(String::from).collect())
}

// ----------------------------------------------------------------------------------------------
// Files and names

#[test]
fn every_shipped_keymap_file_parses() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("keymaps");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().is_some_and(|x| x == "toml") {
            let km = Keymap::check(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!km.bindings(Context::Global).is_empty());
            // Every shipped file is standalone-valid too.
            let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            let mut empty = Keymap::default();
            empty
                .apply_str("x", &src)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 2, "expected default.toml and vim.toml, found {n}");
    load("default");
    load("vim");
}

#[test]
fn every_action_round_trips_through_its_name() {
    for a in Action::ALL {
        assert_eq!(a.name().parse::<Action>(), Ok(*a));
        assert_eq!(a.to_string(), a.name());
        let json = serde_json::to_string(a).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json, format!("\"{}\"", a.name()));
        let back: Action = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, *a);
    }
    assert!("no-such-action".parse::<Action>().is_err());
    for required in [
        "quit",
        "help",
        "command-palette",
        "pane-search",
        "pane-timeline",
        "pane-resources",
        "pane-today",
        "next-pane",
        "prev-pane",
        "up",
        "down",
        "page-up",
        "page-down",
        "top",
        "bottom",
        "half-page-down",
        "half-page-up",
        "select",
        "back",
        "focus-search",
        "search-next",
        "search-prev",
        "filter",
        "clear-filter",
        "new-intake",
        "add-entry",
        "correct-entry",
        "change-stage",
        "refer",
        "filter-kind",
        "toggle-order",
        "show-history",
        "export",
        "toggle-scope",
        "detail",
        "sync-screen",
        "import",
        "toggle-theme",
        "next-field",
        "prev-field",
        "submit",
        "cancel",
        "delete-char",
    ] {
        let a: Result<Action, _> = required.parse();
        assert!(a.is_ok(), "{required}");
    }
}

#[test]
fn every_bindable_action_is_reachable_from_the_palette() {
    let p = Palette::new(&load("default"), Context::Global);
    let listed = p.matches();
    for a in Action::ALL
        .iter()
        .copied()
        .filter(|a| *a != Action::CommandPalette)
    {
        assert!(listed.contains(&a), "{a} missing from palette");
    }
}

// ----------------------------------------------------------------------------------------------
// Errors

#[test]
fn malformed_keymap_reports_file_and_line() {
    let src = "# my keymap\n\
               [global]\n\
               \"q\" = \"quit\"\n\
               \"x\" = \"export\"\n\
               \"ctrl-\" = \"help\"\n\
               \"y\" = \"no-such-action\"\n\
               \"z\" = \"tick\"\n\
               \n\
               [nowhere]\n\
               \"a\" = \"quit\"\n";
    let (file, lines) = errors_of(src);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].starts_with(&format!("{file}:5: ")), "{}", lines[0]);
    assert!(lines[0].contains("ctrl-"), "{}", lines[0]);
    assert!(lines[1].starts_with(&format!("{file}:6: ")), "{}", lines[1]);
    assert!(lines[1].contains("no-such-action"), "{}", lines[1]);
    assert!(lines[2].starts_with(&format!("{file}:7: ")), "{}", lines[2]);
    assert!(
        lines[2].contains("알 수 없는 동작 \"tick\""),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with(&format!("{file}:9: ")), "{}", lines[3]);
    assert!(lines[3].contains("nowhere"), "{}", lines[3]);
}

#[test]
fn toml_syntax_error_has_a_line() {
    let (file, lines) = errors_of("[global]\n\"q\" = \"quit\"\n\n\"x\" = \n");
    assert!(lines[0].starts_with(&format!("{file}:4: ")), "{lines:?}");
    assert!(lines[0].contains("TOML"), "{lines:?}");
}

#[test]
fn bad_shapes_are_reported() {
    let (file, lines) = errors_of(
        "[global]\n\"q\" = 3\n\"w\" = { desc = \"설명만\" }\n\"e\" = { action = \"quit\", bogus = 1 }\n\"g g\" = \"top\"\n\"g\" = \"bottom\"\n",
    );
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (l, n) in lines.iter().zip([2, 3, 4, 6]) {
        assert!(l.starts_with(&format!("{file}:{n}: ")), "{l}");
    }
    assert!(lines[3].contains("겹칩니다"));
}

#[test]
fn text_input_contexts_refuse_printable_keys() {
    let (file, lines) = errors_of(
        "[form]\n\"q\" = \"cancel\"\n\"ctrl-q\" = \"cancel\"\n[palette]\n\"space\" = \"select\"\n",
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with(&format!("{file}:2: ")));
    assert!(lines[1].starts_with(&format!("{file}:5: ")));
}

#[test]
fn missing_file_is_an_io_error() {
    let err = Keymap::load("/no/such/keymap.toml").err();
    assert!(err.is_some_and(|e| e.to_string().contains("/no/such/keymap.toml")));
}

#[test]
fn an_invalid_file_changes_nothing() {
    let mut km = load("default");
    let before = km.to_toml();
    assert!(
        km.apply_str(
            "x.toml",
            "[global]\n\"q\" = \"help\"\n\"bad key\" = \"quit\"\n"
        )
        .is_err()
    );
    assert_eq!(km.to_toml(), before);
}

// ----------------------------------------------------------------------------------------------
// Resolution

#[test]
fn g_g_is_pending_then_matched_and_g_x_is_cancelled() {
    let km = load("vim");
    let mut r = Resolver::new();
    assert_eq!(r.feed(&km, Context::Search, key("g")), Resolution::Pending);
    assert_eq!(r.pending(), &keys("g")[..]);
    assert_eq!(
        r.feed(&km, Context::Search, key("g")),
        Resolution::Matched(Action::Top)
    );
    assert!(r.pending().is_empty());

    assert_eq!(r.feed(&km, Context::Search, key("g")), Resolution::Pending);
    assert_eq!(r.feed(&km, Context::Search, key("x")), Resolution::NoMatch);
    assert!(
        r.pending().is_empty(),
        "cancelled sequence clears pending keys"
    );
    // After a cancel, the next key starts afresh.
    assert_eq!(
        r.feed(&km, Context::Search, key("j")),
        Resolution::Matched(Action::Down)
    );
}

#[test]
fn uppercase_g_is_distinct_from_g() {
    let km = load("vim");
    let mut r = Resolver::new();
    assert_eq!(
        r.feed(&km, Context::Timeline, key("G")),
        Resolution::Matched(Action::Bottom)
    );
    // crossterm sends an uppercase letter with or without SHIFT; both are `G`.
    for mods in [KeyModifiers::NONE, KeyModifiers::SHIFT] {
        let ev = KeyEvent::new(CtCode::Char('G'), mods);
        let k = Key::from_event(&ev).unwrap_or_else(|| panic!("no key"));
        assert_eq!(
            r.feed(&km, Context::Timeline, k),
            Resolution::Matched(Action::Bottom)
        );
    }
    let lower = Key::from_event(&KeyEvent::new(CtCode::Char('g'), KeyModifiers::NONE));
    assert_eq!(lower, Some(key("g")));
    assert_eq!(
        r.feed(&km, Context::Timeline, key("g")),
        Resolution::Pending
    );
}

#[test]
fn context_first_then_global() {
    let km = load("default");
    let mut r = Resolver::new();
    // `n` is new-intake on the search pane, nothing on the today pane.
    assert_eq!(
        r.feed(&km, Context::Search, key("n")),
        Resolution::Matched(Action::NewIntake)
    );
    assert_eq!(r.feed(&km, Context::Today, key("n")), Resolution::NoMatch);
    // `q` quits everywhere except in help, where it closes the overlay.
    assert_eq!(
        r.feed(&km, Context::Timeline, key("q")),
        Resolution::Matched(Action::Quit)
    );
    assert_eq!(
        r.feed(&km, Context::Help, key("q")),
        Resolution::Matched(Action::Back)
    );
    // Per-pane keys from the issues.
    for (ctx, k, a) in [
        (Context::Timeline, "a", Action::AddEntry),
        (Context::Timeline, "c", Action::CorrectEntry),
        (Context::Timeline, "s", Action::ChangeStage),
        (Context::Timeline, "r", Action::Refer),
        (Context::Timeline, "f", Action::FilterKind),
        (Context::Timeline, "e", Action::Export),
        (Context::Resources, "x", Action::Export),
        (Context::Resources, "r", Action::Refer),
        (Context::Global, "ctrl-p", Action::CommandPalette),
        (Context::Global, ":", Action::CommandPalette),
        (Context::Global, "?", Action::Help),
        (Context::Global, "F1", Action::Help),
        (Context::Global, "/", Action::FocusSearch),
        (Context::Global, "4", Action::PaneToday),
        (Context::Global, "shift-tab", Action::PrevPane),
    ] {
        assert_eq!(km.action_for(ctx, key(k)), Some(a), "{ctx} {k}");
    }
}

#[test]
fn user_file_overrides_default_key_by_key() {
    let (_g, path) = temp_keymap(
        "[global]\n\"q\" = \"none\"\n\"ctrl-q\" = { action = \"quit\", desc = \"끝내기\" }\n\"?\" = \"command-palette\"\n[timeline]\n\"a\" = { action = \"add-entry\", desc = \"새 기록\" }\n",
    );
    let km = Keymap::load(&path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
    let default = load("default");
    assert_eq!(km.action_for(Context::Global, key("q")), None);
    assert_eq!(
        km.action_for(Context::Global, key("ctrl-q")),
        Some(Action::Quit)
    );
    assert_eq!(
        km.action_for(Context::Global, key("?")),
        Some(Action::CommandPalette)
    );
    // Untouched keys keep their default binding.
    assert_eq!(
        km.action_for(Context::Global, key("F1")),
        Some(Action::Help)
    );
    assert_eq!(
        km.action_for(Context::Timeline, key("c")),
        Some(Action::CorrectEntry)
    );
    let a = km
        .bindings(Context::Timeline)
        .iter()
        .find(|b| b.keys == "a".parse().unwrap_or_else(|e| panic!("{e}")))
        .map(|b| b.description().to_string());
    assert_eq!(a.as_deref(), Some("새 기록"));
    // Everything else is exactly the default.
    assert_eq!(
        km.bindings(Context::Search),
        default.bindings(Context::Search)
    );
    assert_eq!(
        km.bindings(Context::Global).len(),
        default.bindings(Context::Global).len() // -q +ctrl-q
    );
}

#[test]
fn a_shorter_override_replaces_the_sequences_it_would_shadow() {
    let mut km = load("vim");
    km.apply_str("user.toml", "[global]\n\"g\" = \"pane-today\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        km.lookup(Context::Search, &keys("g")),
        Resolution::Matched(Action::PaneToday)
    );
    let global = km.bindings(Context::Global);
    assert!(
        global
            .iter()
            .all(|b| !matches!(b.keys.to_string().as_str(), "g g" | "g t" | "g T"))
    );
    // Other contexts keep their own sequences.
    assert_eq!(
        km.lookup(Context::Help, &keys("g g")),
        Resolution::Matched(Action::Top)
    );
}

#[test]
fn printed_keymap_parses_back_to_the_same_keymap() {
    for name in ["default", "vim"] {
        let km = load(name);
        let text = km.to_toml();
        let mut back = Keymap::default();
        back.apply_str("printed.toml", &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        for ctx in Context::ALL {
            assert_eq!(km.bindings(*ctx), back.bindings(*ctx), "{name} {ctx}");
        }
    }
}

#[test]
fn keys_for_and_hints() {
    let km = load("default");
    let quit: Vec<String> = km
        .keys_for(Action::Quit)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(quit, ["q", "F10", "ctrl-c"]);
    assert_eq!(km.hint(Context::Search, Action::Help).as_deref(), Some("?"));
    // In text-input contexts printable global keys are text: `q` does not quit in a form.
    assert_eq!(km.lookup(Context::Form, &keys("q")), Resolution::NoMatch);
    assert_eq!(km.lookup(Context::Palette, &keys("1")), Resolution::NoMatch);
    let quit_in_form: Vec<String> = km
        .keys_in(Context::Form, Action::Quit)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(quit_in_form, ["F10", "ctrl-c"]);
    let help_form = Help::new(&km, Context::Form);
    assert!(
        !help_form
            .lines()
            .iter()
            .any(|l| matches!(l, HelpLine::Binding { keys, .. } if keys == "q"))
    );
    // `enter` in the form context is next-field, so the global `enter` (select) is not offered.
    assert!(km.keys_in(Context::Form, Action::Select).is_empty());
    let vim = load("vim");
    let top: Vec<String> = vim
        .keys_for(Action::Top)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(top.contains(&"g g".to_string()) && top.contains(&"home".to_string()));
}

// ----------------------------------------------------------------------------------------------
// Help overlay

fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                skip -= 1;
                continue;
            }
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn draw<W>(w: W, width: u16, height: u16) -> String
where
    W: ratatui::widgets::Widget,
{
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| panic!("{e}"));
    t.draw(|f| f.render_widget(w, f.area()))
        .unwrap_or_else(|e| panic!("{e}"));
    buffer_text(t.backend().buffer())
}

#[test]
fn help_lists_every_binding_of_the_context_and_unshadowed_global() {
    let km = load("default");
    let help = Help::new(&km, Context::Timeline);
    let listed: Vec<(String, String)> = help
        .lines()
        .iter()
        .filter_map(|l| match l {
            HelpLine::Binding { keys, desc } => Some((keys.clone(), desc.clone())),
            _ => None,
        })
        .collect();
    for b in km.bindings(Context::Timeline) {
        assert!(listed.contains(&(b.keys.to_string(), b.description().to_string())));
    }
    for b in km.bindings(Context::Global) {
        let shadowed = km
            .bindings(Context::Timeline)
            .iter()
            .any(|t| t.keys == b.keys);
        let present = listed.contains(&(b.keys.to_string(), b.description().to_string()));
        assert_eq!(present, !shadowed, "{}", b.keys);
    }
    assert!(matches!(&help.lines()[0], HelpLine::Section(t) if t == "사례 타임라인"));
}

#[test]
fn help_scrolls_and_closes() {
    let km = load("default");
    let mut help = Help::new(&km, Context::Search);
    let n = help.lines().len();
    assert_eq!(help.apply(Action::Down, 10), HelpOutcome::Consumed);
    assert_eq!(help.scroll(), 1);
    help.apply(Action::Bottom, 10);
    assert_eq!(help.scroll(), n - 10);
    help.apply(Action::PageDown, 10);
    assert_eq!(help.scroll(), n - 10, "clamped at the end");
    help.apply(Action::Top, 10);
    assert_eq!(help.scroll(), 0);
    assert_eq!(help.apply(Action::Back, 10), HelpOutcome::Close);
    assert_eq!(
        help.apply(Action::Quit, 10),
        HelpOutcome::Unhandled(Action::Quit)
    );
}

#[test]
fn help_overlay_snapshot_80x24() {
    let km = load("default");
    let help = Help::new(&km, Context::Search);
    insta::assert_snapshot!("help_search_80x24", draw(&help, 80, 24));
    let mut scrolled = help.clone();
    scrolled.apply(Action::PageDown, 20);
    insta::assert_snapshot!("help_search_80x24_page2", draw(&scrolled, 80, 24));
}

// ----------------------------------------------------------------------------------------------
// Palette

fn type_into(p: &mut Palette, km: &Keymap, text: &str) {
    for c in text.chars() {
        assert_eq!(p.handle_key(Key::char(c), km), PaletteOutcome::Consumed);
    }
}

#[test]
fn palette_finds_actions_by_korean_and_english_names() {
    let km = load("default");
    for (q, want) in [
        ("내보내기", Action::Export),
        ("export", Action::Export),
        ("기록 추가", Action::AddEntry),
        ("add entry", Action::AddEntry),
        ("테마", Action::ToggleTheme),
        ("quit", Action::Quit),
        ("동기화 화면", Action::SyncScreen),
        ("ㄷㅇㅁ", Action::Help),
        ("ㄱㄹㅊㄱ", Action::AddEntry),
    ] {
        let mut p = Palette::new(&km, Context::Timeline);
        type_into(&mut p, &km, q);
        assert_eq!(p.selected(), Some(want), "query {q:?}: {:?}", p.matches());
    }
}

#[test]
fn palette_keys_navigation_and_enter() {
    let km = load("default");
    let mut p = Palette::new(&km, Context::Search);
    // `q` is typed into the query, it does not quit.
    type_into(&mut p, &km, "q");
    assert_eq!(p.query(), "q");
    assert_eq!(
        p.handle_key(key("backspace"), &km),
        PaletteOutcome::Consumed
    );
    assert_eq!(p.query(), "");
    let first = p.selected();
    p.handle_key(key("down"), &km);
    let second = p.selected();
    assert_ne!(first, second);
    p.handle_key(key("ctrl-p"), &km);
    assert_eq!(p.selected(), first);
    type_into(&mut p, &km, "도움말");
    assert_eq!(
        p.handle_key(key("enter"), &km),
        PaletteOutcome::Run(Action::Help)
    );
    type_into(&mut p, &km, "zzzzzz");
    assert!(p.matches().is_empty());
    assert_eq!(p.handle_key(key("enter"), &km), PaletteOutcome::Consumed);
    assert_eq!(p.handle_key(key("esc"), &km), PaletteOutcome::Close);
}

#[test]
fn palette_snapshot_80x24() {
    let km = load("default");
    let p = Palette::new(&km, Context::Timeline);
    insta::assert_snapshot!("palette_timeline_80x24", draw(&p, 80, 24));
    let mut q = p.clone();
    type_into(&mut q, &km, "내보");
    insta::assert_snapshot!("palette_query_80x24", draw(&q, 80, 24));
    let pos = q.cursor_position(ratatui::layout::Rect::new(0, 0, 80, 24));
    let text = draw(&q, 80, 24);
    let row = pos
        .map(|p| p.y as usize)
        .unwrap_or_else(|| panic!("no cursor"));
    let line = text.lines().nth(row).unwrap_or_default();
    // The cursor sits right after the typed query (Hangul counted as 2 columns).
    let col = pos.map(|p| p.x as usize).unwrap_or_default();
    let prefix_end = line.find("내보").map(|i| line[..i].width() + 4);
    assert_eq!(Some(col), prefix_end, "{line}");
}

// ----------------------------------------------------------------------------------------------
// Robustness

#[test]
fn help_and_palette_render_at_every_size() {
    let km = load("vim");
    let mut help = Help::new(&km, Context::Timeline);
    help.apply(Action::Bottom, 3);
    let mut p = Palette::new(&km, Context::Search);
    p.set_query("기록");
    p.apply(Action::Down);
    for w in 1..=80 {
        for h in 1..=24 {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
            t.draw(|f| {
                f.render_widget(&help, f.area());
                f.render_widget(&p, f.area());
                if let Some(pos) = p.cursor_position(f.area()) {
                    assert!(pos.x < w && pos.y < h, "cursor outside {w}x{h}");
                }
            })
            .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

mod round_trip {
    use dolbom::tui::{Key, KeyCode, KeySeq, Modifiers};
    use proptest::prelude::*;

    fn any_code() -> impl Strategy<Value = KeyCode> {
        prop_oneof![
            prop::char::any()
                .prop_filter("printable", |c| !c.is_control() && !c.is_whitespace())
                .prop_map(KeyCode::Char),
            Just(KeyCode::Char(' ')),
            Just(KeyCode::Char('-')),
            (1u8..=24).prop_map(KeyCode::F),
            prop::sample::select(vec![
                KeyCode::Enter,
                KeyCode::Esc,
                KeyCode::Tab,
                KeyCode::BackTab,
                KeyCode::Backspace,
                KeyCode::Delete,
                KeyCode::Insert,
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::PageUp,
                KeyCode::PageDown,
            ]),
        ]
    }

    fn any_key() -> impl Strategy<Value = Key> {
        (any_code(), any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(code, ctrl, alt, shift)| Key::new(code, Modifiers { ctrl, alt, shift }))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn display_parses_back(keys in prop::collection::vec(any_key(), 1..4)) {
            let seq = KeySeq(keys);
            let text = seq.to_string();
            prop_assert_eq!(text.parse::<KeySeq>().ok(), Some(seq), "{}", text);
        }
    }
}
