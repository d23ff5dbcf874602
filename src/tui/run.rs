//! The event loop: input, signals and background work arrive as messages on one channel; the
//! loop blocks on it (no busy redraw: ~0% CPU when idle), applies every queued message, then
//! draws once if anything changed — a held key never queues a hundred frames.

use super::Keymap;
use super::app::App;
use super::terminal::TerminalGuard;
use super::theme::Theme;
use crate::search::residents::ResidentIndex;
use crate::store::Store;
use crossterm::event::Event;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

/// Everything the loop reacts to.
pub enum Msg {
    Input(Event),
    /// The search index finished building.
    Index(Result<Box<ResidentIndex>, String>),
    /// SIGTERM / SIGHUP: leave cleanly so the terminal is restored.
    Terminate,
}

/// Options for [`run`].
pub struct RunOptions {
    pub keymap: Keymap,
    pub theme: Option<String>,
}

/// Runs the TUI until the user quits. The terminal is restored however this returns.
pub fn run(store: Store, opts: RunOptions) -> anyhow::Result<()> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::initial(opts.theme.as_deref(), no_color);
    let db_path = store.path().to_path_buf();
    let mut app = App::new(store, opts.keymap, theme);

    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    app.size = (size.width, size.height);
    // First frame before any slow work.
    guard.terminal.draw(|f| super::ui::render(f, &app))?;
    app.dirty = false;

    let (tx, rx) = channel();
    spawn_input(tx.clone());
    spawn_signals(tx.clone());
    spawn_index(tx, db_path);
    event_loop(&mut guard, &mut app, &rx)
}

fn event_loop(guard: &mut TerminalGuard, app: &mut App, rx: &Receiver<Msg>) -> anyhow::Result<()> {
    while let Ok(msg) = rx.recv() {
        handle(app, msg);
        while let Ok(more) = rx.try_recv() {
            handle(app, more);
        }
        if app.should_quit {
            break;
        }
        if app.dirty {
            guard.terminal.draw(|f| super::ui::render(f, app))?;
            app.dirty = false;
        }
    }
    Ok(())
}

fn handle(app: &mut App, msg: Msg) {
    match msg {
        Msg::Input(ev) => app.on_event(ev),
        Msg::Index(Ok(ix)) => app.search_index_ready(*ix),
        Msg::Index(Err(e)) => {
            app.message = Some(e);
            app.dirty = true;
        }
        Msg::Terminate => app.should_quit = true,
    }
}

fn spawn_input(tx: Sender<Msg>) {
    thread::spawn(move || {
        while let Ok(ev) = crossterm::event::read() {
            if tx.send(Msg::Input(ev)).is_err() {
                break;
            }
        }
    });
}

#[cfg(unix)]
fn spawn_signals(tx: Sender<Msg>) {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]) {
        thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Msg::Terminate);
            }
        });
    }
}

#[cfg(not(unix))]
fn spawn_signals(_tx: Sender<Msg>) {}

fn spawn_index(tx: Sender<Msg>, path: std::path::PathBuf) {
    thread::spawn(move || {
        let result = ResidentIndex::load(&path).map(Box::new).map_err(|e| e.to_string());
        let _ = tx.send(Msg::Index(result));
    });
}
