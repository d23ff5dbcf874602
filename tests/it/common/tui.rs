//! Driving the app on TestBackend: keys as a person presses them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dolbom::tui::app::App;
use dolbom::tui::{Key, KeyCode as TuiCode};

/// The crossterm event a terminal sends for `k`. `App::on_key` takes crossterm events and the
/// crate converts only the other way (`Key::from_event`), so this match is the test's half of the
/// mapping; it is exhaustive over the crate's `KeyCode`, so a new key fails to build here.
pub fn event(k: Key) -> KeyEvent {
    let code = match k.code {
        TuiCode::Char(c) => KeyCode::Char(c),
        TuiCode::F(n) => KeyCode::F(n),
        TuiCode::Enter => KeyCode::Enter,
        TuiCode::Esc => KeyCode::Esc,
        TuiCode::Tab => KeyCode::Tab,
        TuiCode::BackTab => KeyCode::BackTab,
        TuiCode::Backspace => KeyCode::Backspace,
        TuiCode::Delete => KeyCode::Delete,
        TuiCode::Insert => KeyCode::Insert,
        TuiCode::Up => KeyCode::Up,
        TuiCode::Down => KeyCode::Down,
        TuiCode::Left => KeyCode::Left,
        TuiCode::Right => KeyCode::Right,
        TuiCode::Home => KeyCode::Home,
        TuiCode::End => KeyCode::End,
        TuiCode::PageUp => KeyCode::PageUp,
        TuiCode::PageDown => KeyCode::PageDown,
    };
    let mut mods = KeyModifiers::NONE;
    mods.set(KeyModifiers::CONTROL, k.mods.ctrl);
    mods.set(KeyModifiers::ALT, k.mods.alt);
    mods.set(KeyModifiers::SHIFT, k.mods.shift);
    KeyEvent::new(code, mods)
}

/// Presses keys: a token the crate's own key parser reads ("down", "ctrl-s", "F6", "R") is one
/// key press; any other token is typed character by character.
pub fn press(app: &mut App, keys: &[&str]) {
    for k in keys {
        match k.parse::<Key>() {
            Ok(key) => app.on_key(event(key)),
            Err(_) => {
                for c in k.chars() {
                    app.on_key(event(Key::char(c)));
                }
            }
        }
    }
}

/// An app on `test.db` in `dir` at 관악 행정복지센터 on 2026-11-25 09:00, with `residents` demo
/// residents (seed 42), the named keymap, no colour, and its search index ready.
pub fn app_with(dir: &std::path::Path, residents: usize, keymap: &str) -> App {
    use dolbom::clock::{Clock, parse_datetime};
    use dolbom::search::residents::ResidentIndex;
    use dolbom::store::{OpenOptions, Store};
    let mut o = OpenOptions::new("tester");
    o.site_name = Some("관악 행정복지센터".into());
    o.clock = Clock::fixed(parse_datetime("2026-11-25 09:00").unwrap());
    let mut s = Store::open(&dir.join("test.db"), &o).unwrap();
    if residents > 0 {
        dolbom::demo::generate(
            &mut s,
            &dolbom::demo::DemoOptions {
                residents,
                seed: 42,
            },
            &mut |_, _| {},
        )
        .unwrap();
    }
    let path = s.path().to_path_buf();
    let mut app = App::new(
        s,
        dolbom::tui::Keymap::load(keymap).unwrap(),
        dolbom::tui::theme::Theme::no_color(),
    );
    app.search_index_ready(ResidentIndex::load(&path).unwrap());
    app
}
