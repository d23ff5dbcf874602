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
