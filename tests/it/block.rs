//! #14 item 5: nothing in the TUI blocks input for long. The 오늘 load (everyone: ~0.5 s at
//! 100k residents on one core) runs on the worker thread when the app has a job channel; the
//! pane keeps its rows meanwhile, and a newer request supersedes an older one.

use crossterm::event::{KeyCode, KeyEvent};
use dolbom::clock::{Clock, parse_datetime};
use dolbom::store::{OpenOptions, Store};
use dolbom::timeline::Scope;
use dolbom::tui::Keymap;
use dolbom::tui::app::{App, PaneId};
use dolbom::tui::msg::Msg;
use dolbom::tui::theme::Theme;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

fn app(dir: &std::path::Path) -> App {
    let mut o = OpenOptions::new("tester");
    o.clock = Clock::fixed(parse_datetime("2026-11-25 09:00").unwrap());
    let mut s = Store::open(&dir.join("test.db"), &o).unwrap();
    dolbom::demo::generate(
        &mut s,
        &dolbom::demo::DemoOptions {
            residents: 60,
            seed: 42,
        },
        &mut |_, _| {},
    )
    .unwrap();
    App::new(s, Keymap::load("default").unwrap(), Theme::no_color())
}

fn press(app: &mut App, c: char) {
    app.on_key(KeyEvent::from(KeyCode::Char(c)));
}

/// F5: the 오늘 pane (a digit would go into the search box, which has the focus at start).
fn today_pane(app: &mut App) {
    app.on_key(KeyEvent::from(KeyCode::F(5)));
}

/// The next 오늘 result from the worker (other messages are skipped).
fn next_today(rx: &Receiver<Msg>) -> (u64, Result<dolbom::tui::panes::today::TodayData, String>) {
    loop {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Msg::TodayLoaded(generation, result)) => return (generation, *result),
            Ok(_) => {}
            Err(e) => panic!("no 오늘 result from the worker: {e}"),
        }
    }
}

#[test]
fn today_everyone_loads_on_the_worker_when_there_is_a_job_channel() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    let (tx, rx) = channel();
    app.jobs = Some(tx);

    today_pane(&mut app);
    assert_eq!(app.pane, PaneId::Today);
    // The key returned without loading: the result can only arrive as a message.
    assert!(app.today.is_loading());
    let (generation, result) = next_today(&rx);
    assert!(result.is_ok());
    app.today_loaded(generation, result);
    assert!(app.today.is_loaded());
    assert_eq!(app.today.scope(), Scope::Mine);

    // `m` (everyone) goes through the job path too: the pane still shows "mine" until the
    // result lands.
    press(&mut app, 'm');
    assert!(app.today.is_loading());
    assert_eq!(app.today.scope(), Scope::Mine);
    let (generation, result) = next_today(&rx);
    let (today, _, _) = result.clone().unwrap();
    app.today_loaded(generation, result);
    assert!(app.today.is_loaded());
    assert_eq!(app.today.scope(), Scope::All);

    // The same lists as an inline load.
    let inline = dolbom::tui::panes::today::fetch(&app.store, Scope::All).unwrap();
    assert_eq!(today, inline.0);
}

#[test]
fn a_newer_today_request_supersedes_an_older_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    let (tx, rx) = channel();
    app.jobs = Some(tx);
    today_pane(&mut app);
    let (g, r) = next_today(&rx);
    app.today_loaded(g, r);

    press(&mut app, 'm'); // everyone…
    press(&mut app, 'm'); // …and back to mine before the first result arrived
    let mut results = vec![next_today(&rx), next_today(&rx)];
    results.sort_by_key(|(g, _)| *g);
    let newer = results.pop().unwrap();
    let older = results.pop().unwrap();
    assert!(older.0 < newer.0);
    // The older (everyone) result is dropped: still loading, still mine.
    app.today_loaded(older.0, older.1);
    assert!(app.today.is_loading());
    assert_eq!(app.today.scope(), Scope::Mine);
    app.today_loaded(newer.0, newer.1);
    assert!(app.today.is_loaded());
    assert_eq!(app.today.scope(), Scope::Mine);
}

#[test]
fn without_a_job_channel_today_loads_inline() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    today_pane(&mut app);
    assert!(app.today.is_loaded());
    press(&mut app, 'm');
    assert!(app.today.is_loaded());
    assert_eq!(app.today.scope(), Scope::All);
}

/// Times the update steps on a big database (not run by default): build one with
/// `dolbom --db target/d.db demo --residents 100000 --no-tui`, then
/// `DOLBOM_BLOCK_DB=target/d.db taskset -c 0 cargo test --test it block::time_ -- --ignored --nocapture`.
/// Prints milliseconds per step (no personal data).
#[test]
#[ignore]
fn time_update_steps_on_a_big_database() {
    let Ok(path) = std::env::var("DOLBOM_BLOCK_DB") else {
        return;
    };
    let o = OpenOptions::new("김민수");
    let t = std::time::Instant::now();
    let s = Store::open(std::path::Path::new(&path), &o).unwrap();
    println!("open store: {} ms", t.elapsed().as_millis());
    let t = std::time::Instant::now();
    let mut app = App::new(s, Keymap::load("default").unwrap(), Theme::no_color());
    println!("App::new (refresh_status): {} ms", t.elapsed().as_millis());
    let t = std::time::Instant::now();
    let ix = dolbom::search::residents::ResidentIndex::load(std::path::Path::new(&path)).unwrap();
    println!("index build (worker): {} ms", t.elapsed().as_millis());
    app.search_index_ready(ix);
    let step = |app: &mut App, name: &str, code: KeyCode| {
        let ev = if name.starts_with("ctrl-") {
            KeyEvent::new(code, crossterm::event::KeyModifiers::CONTROL)
        } else {
            KeyEvent::from(code)
        };
        let t = std::time::Instant::now();
        app.on_key(ev);
        println!("{name}: {} ms", t.elapsed().as_millis());
    };
    step(&mut app, "search: type 김", KeyCode::Char('김'));
    step(&mut app, "search: enter (open resident)", KeyCode::Enter);
    step(&mut app, "F3 case pane", KeyCode::F(3));
    step(&mut app, "F4 resources", KeyCode::F(4));
    step(&mut app, "F5 today (mine), inline", KeyCode::F(5));
    step(&mut app, "m today (everyone), inline", KeyCode::Char('m'));
    step(
        &mut app,
        "ctrl-r today (everyone), inline",
        KeyCode::Char('r'),
    );
    step(&mut app, "j down", KeyCode::Char('j'));
    let (tx, rx) = channel();
    app.jobs = Some(tx);
    step(&mut app, "m today (mine), job", KeyCode::Char('m'));
    let (g, r) = next_today(&rx);
    app.today_loaded(g, r);
    let t = std::time::Instant::now();
    step(&mut app, "m today (everyone), job", KeyCode::Char('m'));
    let (g, r) = next_today(&rx);
    println!(
        "  everyone result arrived after {} ms",
        t.elapsed().as_millis()
    );
    let t = std::time::Instant::now();
    app.today_loaded(g, r);
    println!("  landing the result: {} ms", t.elapsed().as_millis());
    assert!(app.today.is_loaded());
}
