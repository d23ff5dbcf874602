//! The event loop: input, signals and background work arrive as messages on one channel; the
//! loop blocks on it (no busy redraw: ~0% CPU when idle), applies every queued message, then
//! draws once if anything changed — a held key never queues a hundred frames.

use super::Keymap;
use super::app::App;
pub use super::msg::{Msg, spawn_index};
use super::terminal::TerminalGuard;
use super::theme::Theme;
use crate::store::Store;
use crossterm::event::Event;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

/// Options for [`run`].
pub struct RunOptions {
    pub keymap: Keymap,
    pub theme: Option<String>,
    /// When the process started (for the start-up figures of `DOLBOM_BENCH_EXIT`).
    pub started: std::time::Instant,
}

/// `DOLBOM_BENCH_EXIT=first-frame` quits right after the first frame, `=index` once the search
/// index is ready; both print the elapsed time on stderr (start-up benchmark; see README).
fn bench_exit() -> Option<String> {
    std::env::var("DOLBOM_BENCH_EXIT").ok()
}

/// `DOLBOM_TEST_PANIC=1` panics on the first key (the terminal-restoration test uses it).
fn test_panic() -> bool {
    std::env::var_os("DOLBOM_TEST_PANIC").is_some()
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
    let bench = bench_exit();
    if bench.as_deref() == Some("first-frame") {
        drop(guard);
        eprintln!(
            "first frame: {:.1} ms",
            opts.started.elapsed().as_secs_f64() * 1000.0
        );
        return Ok(());
    }

    let (tx, rx) = channel();
    app.jobs = Some(tx.clone());
    spawn_input(tx.clone());
    spawn_signals(tx.clone());
    spawn_index(tx, db_path);
    let result = event_loop(&mut guard, &mut app, &rx, bench.is_some());
    drop(guard);
    if bench.is_some() {
        eprintln!(
            "index ready: {:.1} ms, {} residents, index {} bytes",
            opts.started.elapsed().as_secs_f64() * 1000.0,
            app.search.index_len(),
            app.search.index_bytes()
        );
    }
    result
}

fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    rx: &Receiver<Msg>,
    exit_when_indexed: bool,
) -> anyhow::Result<()> {
    let panic_on_key = test_panic();
    while let Ok(msg) = rx.recv() {
        if panic_on_key && matches!(msg, Msg::Input(Event::Key(_))) {
            panic!("DOLBOM_TEST_PANIC: deliberate panic to test terminal restoration");
        }
        let indexed = matches!(msg, Msg::Index(_));
        handle(app, msg);
        while let Ok(more) = rx.try_recv() {
            handle(app, more);
        }
        if indexed && exit_when_indexed {
            guard.terminal.draw(|f| super::ui::render(f, app))?;
            break;
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
        Msg::ImportProgress(done, total) => {
            app.resources.import_progress(done, total);
            app.dirty = true;
        }
        Msg::ImportDone(result) => app.import_finished(*result),
        Msg::JobProgress(done, total) => {
            if let Some(job) = &mut app.job {
                job.1 = done;
                job.2 = total;
            }
            app.dirty = true;
        }
        Msg::JobDone(result) => app.sync_finished(*result),
        Msg::TodayLoaded(generation, result) => app.today_loaded(generation, *result),
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
