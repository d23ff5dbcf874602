//! The event loop: input, signals and background work arrive as messages on one channel; the
//! loop blocks on it (no busy redraw: ~0% CPU when idle), applies every queued message, then
//! draws once if anything changed — a held key never queues a hundred frames.

use super::Keymap;
use super::app::App;
pub use super::msg::{Msg, spawn_index};
use super::terminal::TerminalGuard;
use super::theme::Theme;
use crate::store::Store;
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;
use std::time::Duration;

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

/// Page cache of the TUI's own connection (KiB); workers open their own connections.
const TUI_PAGE_CACHE_KIB: u32 = 8 * 1024;

/// `DOLBOM_TEST_PANIC=1` panics on the first key (the terminal-restoration test uses it).
fn test_panic() -> bool {
    std::env::var_os("DOLBOM_TEST_PANIC").is_some()
}

/// Runs the TUI until the user quits. The terminal is restored however this returns.
pub fn run(store: Store, opts: RunOptions) -> anyhow::Result<()> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::initial(opts.theme.as_deref(), no_color);
    let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1000.0;
    let opened = ms(opts.started);
    let db_file = store.file();
    // Row lookups a screenful at a time need far less than the 32 MiB bulk work gets (#18).
    let _ = store.set_page_cache_kib(TUI_PAGE_CACHE_KIB);
    let mut app = App::new(store, opts.keymap, theme);
    let (tx, rx) = channel();
    // On a worker thread, from now on (while the terminal is set up, the first frame shows and
    // keys are read): the stored index when it is current, else one built from the residents.
    spawn_index(tx.clone(), db_file);

    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    app.size = (size.width, size.height);
    // First frame before any slow work.
    guard.terminal.draw(|f| super::ui::render(f, &app))?;
    app.dirty = false;
    let first_frame = ms(opts.started);
    let bench = bench_exit();
    if bench.as_deref() == Some("first-frame") {
        drop(guard);
        eprintln!(
            "first frame: {:.1} ms",
            opts.started.elapsed().as_secs_f64() * 1000.0
        );
        return Ok(());
    }

    spawn_input(tx.clone());
    spawn_signals(tx.clone());
    if app.folder.folder.is_some() {
        app.folder.ticking = true;
        super::msg::spawn_folder_ticks(tx.clone());
    }
    app.jobs = Some(tx);
    let result = event_loop(&mut guard, &mut app, &rx, bench.is_some());
    // The frame showing the indexed search was drawn (what follows is the exit's own work).
    let ready = ms(opts.started);
    app.flush_reads();
    drop(guard);
    if bench.is_some() {
        eprintln!(
            "index ready: {ready:.1} ms, {} residents, index {} bytes \
             (store open {opened:.1} ms, first frame {first_frame:.1} ms){}",
            app.search.index_len(),
            app.search.index_bytes(),
            rss_kib().map_or(String::new(), |kb| format!(", rss at ready {kb} KB"))
        );
    }
    result
}

/// This process's resident set in KiB (Linux; `None` elsewhere), for the start-up figures.
fn rss_kib() -> Option<u64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    rx: &Receiver<Msg>,
    exit_when_indexed: bool,
) -> anyhow::Result<()> {
    let panic_on_key = test_panic();
    while let Some(batch) = next_batch(rx) {
        let mut indexed = false;
        let mut suspend = false;
        for msg in batch {
            if panic_on_key
                && let Msg::Input(events) = &msg
                && events.iter().any(|e| matches!(e, Event::Key(_)))
            {
                panic!("DOLBOM_TEST_PANIC: deliberate panic to test terminal restoration");
            }
            indexed |= matches!(msg, Msg::Index(_));
            suspend |= handle(app, msg);
        }
        app.observe_reads();
        if indexed && exit_when_indexed {
            guard.terminal.draw(|f| super::ui::render(f, app))?;
            break;
        }
        // With a shared folder, one last pass (bounded: see `App::ready_to_quit`).
        if app.should_quit && app.ready_to_quit() {
            break;
        }
        if suspend {
            suspend_terminal(guard, app)?;
        }
        if app.dirty {
            guard.terminal.draw(|f| super::ui::render(f, app))?;
            app.dirty = false;
        }
    }
    Ok(())
}

/// Ctrl-Z / SIGTSTP: the terminal is handed back to the shell and the process stops; after
/// `fg` the size is read again and the whole screen redrawn.
#[cfg(unix)]
fn suspend_terminal(guard: &mut TerminalGuard, app: &mut App) -> anyhow::Result<()> {
    guard.suspend()?;
    let size = guard.terminal.size()?;
    app.size = (size.width, size.height);
    app.dirty = true;
    Ok(())
}

#[cfg(not(unix))]
fn suspend_terminal(_guard: &mut TerminalGuard, _app: &mut App) -> anyhow::Result<()> {
    Ok(())
}

/// Blocks for the next message, then takes every message already queued behind it: the loop
/// handles the lot and draws once. `None` when every sender is gone.
fn next_batch(rx: &Receiver<Msg>) -> Option<Vec<Msg>> {
    let first = rx.recv().ok()?;
    let mut batch = vec![first];
    batch.extend(rx.try_iter());
    Some(batch)
}

/// True for the key that suspends (Ctrl-Z), on Unix only: a Windows console has no job control,
/// so there it is an ordinary (unbound) key.
fn is_suspend_key(ev: &Event) -> bool {
    cfg!(unix)
        && matches!(ev, Event::Key(k)
            if k.kind != KeyEventKind::Release
                && k.modifiers == KeyModifiers::CONTROL
                && matches!(k.code, KeyCode::Char('z' | 'Z')))
}

/// Handles one message; true when the terminal should be suspended (Ctrl-Z, SIGTSTP).
fn handle(app: &mut App, msg: Msg) -> bool {
    match msg {
        Msg::Input(events) => {
            let mut suspend = false;
            for ev in events {
                if is_suspend_key(&ev) {
                    suspend = true;
                } else {
                    app.on_event(ev);
                }
            }
            return suspend;
        }
        Msg::Suspend => return true,
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
        Msg::StatsLoaded(generation, result) => app.stats_loaded(generation, *result),
        Msg::FolderTick => app.folder_tick(),
        Msg::FolderDone(result) => app.folder_done(*result),
    }
    false
}

/// The most events sent in one batch (a flood never keeps the loop from drawing for long).
const MAX_BATCH: usize = 16_384;

/// `first` and every event already waiting behind it (`ready` polls with a zero timeout, so this
/// never blocks), at most `max`. A burst of keys or a plain paste comes out as one batch.
fn drain_input<E>(
    first: Event,
    mut ready: impl FnMut() -> Result<bool, E>,
    mut read: impl FnMut() -> Result<Event, E>,
    max: usize,
) -> Vec<Event> {
    let mut events = vec![first];
    while events.len() < max && matches!(ready(), Ok(true)) {
        match read() {
            Ok(ev) => events.push(ev),
            Err(_) => break,
        }
    }
    events
}

fn spawn_input(tx: Sender<Msg>) {
    thread::spawn(move || {
        while let Ok(first) = event::read() {
            let events = drain_input(
                first,
                || event::poll(Duration::ZERO),
                event::read,
                MAX_BATCH,
            );
            if tx.send(Msg::Input(events)).is_err() {
                break;
            }
        }
    });
}

/// SIGTERM / SIGHUP quit (so the terminal guard runs); SIGTSTP (an outside `kill -TSTP`)
/// suspends the way Ctrl-Z does: restore first, then stop.
#[cfg(unix)]
fn spawn_signals(tx: Sender<Msg>) {
    use signal_hook::consts::{SIGHUP, SIGTERM, SIGTSTP};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGTSTP]) {
        thread::spawn(move || {
            for signal in signals.forever() {
                let msg = if signal == SIGTSTP {
                    Msg::Suspend
                } else {
                    Msg::Terminate
                };
                let quit = matches!(msg, Msg::Terminate);
                if tx.send(msg).is_err() || quit {
                    break;
                }
            }
        });
    }
}

#[cfg(not(unix))]
fn spawn_signals(_tx: Sender<Msg>) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;
    use std::sync::mpsc::channel;

    fn key(c: char) -> Event {
        Event::Key(KeyEvent::from(KeyCode::Char(c)))
    }

    #[test]
    fn a_burst_of_5000_keys_is_drained_in_one_batch() {
        let mut waiting: std::collections::VecDeque<Event> = (1..5_000).map(|_| key('a')).collect();
        let pending = std::cell::RefCell::new(&mut waiting);
        let events = drain_input::<()>(
            key('a'),
            || Ok(!pending.borrow().is_empty()),
            || pending.borrow_mut().pop_front().ok_or(()),
            MAX_BATCH,
        );
        assert_eq!(events.len(), 5_000);
        assert!(waiting.is_empty(), "nothing left unread");
    }

    #[test]
    fn drain_stops_at_the_cap_and_on_errors() {
        let events = drain_input::<()>(key('a'), || Ok(true), || Ok(key('b')), 10);
        assert_eq!(events.len(), 10);
        let events = drain_input(key('a'), || Ok(true), || Err("gone"), 10);
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn every_queued_message_is_handled_before_the_next_draw() {
        let (tx, rx) = channel();
        for _ in 0..5_000 {
            tx.send(Msg::Input(vec![key('a')])).unwrap();
        }
        let batch = next_batch(&rx).unwrap();
        assert_eq!(batch.len(), 5_000);
        assert!(rx.try_recv().is_err(), "the channel is empty");
        drop(tx);
        assert!(next_batch(&rx).is_none());
    }

    #[test]
    fn ctrl_z_suspends_on_unix_only() {
        let ctrl_z = Event::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL));
        assert_eq!(is_suspend_key(&ctrl_z), cfg!(unix));
        assert!(!is_suspend_key(&key('z')));
    }
}
