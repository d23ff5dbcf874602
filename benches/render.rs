//! One full render of each pane at 80×24 and 200×60 (TestBackend), on a 100k-resident demo
//! database. `cargo bench --bench render`. Target: ≤ 2 ms per render.

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use dolbom::clock::{Clock, parse_datetime};
use dolbom::search::residents::ResidentIndex;
use dolbom::store::{OpenOptions, Store};
use dolbom::tui::Keymap;
use dolbom::tui::app::App;
use dolbom::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

fn press(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut o = OpenOptions::new("bench");
    o.clock = Clock::fixed(parse_datetime("2026-11-25 09:00").unwrap());
    let mut store = Store::open(&dir.path().join("bench.db"), &o).unwrap();
    let n: usize = std::env::var("DOLBOM_BENCH_RESIDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
            residents: n,
            seed: 1,
        },
        &mut |_, _| {},
    )
    .unwrap();
    let path = store.path().to_path_buf();
    let mut app = App::new(store, Keymap::builtin_default(), Theme::default_theme());
    app.search_index_ready(ResidentIndex::load(&path).unwrap());
    press(&mut app, "김민");
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));

    let mut group = c.benchmark_group("render");
    group.sample_size(50);
    for (pane, key) in [
        ("search", '1'),
        ("timeline", '2'),
        ("resources", '3'),
        ("today", '4'),
    ] {
        press(&mut app, &key.to_string());
        for (w, h) in [(80u16, 24u16), (200, 60)] {
            app.size = (w, h);
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            group.bench_function(format!("{pane}_{w}x{h}"), |b| {
                b.iter(|| {
                    term.draw(|f| dolbom::tui::ui::render(f, black_box(&app)))
                        .unwrap();
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
