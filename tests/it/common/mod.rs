//! Helpers shared by the test modules: the built binary, fixture paths, keys by name.

pub mod paper;
pub mod rng;
pub mod sync;
pub mod tui;

use dolbom::tui::Key;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `dolbom` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_dolbom");

/// The binary with a clean environment: no `DOLBOM_DB`, `DOLBOM_NOW` or `DOLBOM_KEY_FILE`
/// inherited from the shell, operator `tester`, and new databases plain
/// (`DOLBOM_NO_ENCRYPTION=1`: the suite's fixtures are plain; `encryption_cli` uses
/// [`dolbom_encrypted`]). Chain `.env(…)` / `.arg(…)` for anything more.
pub fn dolbom() -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("DOLBOM_DB")
        .env_remove("DOLBOM_NOW")
        .env_remove("DOLBOM_KEY_FILE")
        .env("DOLBOM_NO_ENCRYPTION", "1")
        .env("DOLBOM_USER", "tester");
    c
}

/// [`dolbom`] with the default for real databases: new files encrypted.
pub fn dolbom_encrypted() -> Command {
    let mut c = dolbom();
    c.env_remove("DOLBOM_NO_ENCRYPTION");
    c
}

/// [`dolbom`] on the database file `db` (`--db db`).
pub fn dolbom_at(db: &Path) -> Command {
    let mut c = dolbom();
    c.arg("--db").arg(db);
    c
}

/// A file under `tests/fixtures/`, e.g. `fixture("timeline/case.md")`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// An importer fixture: `tests/fixtures/import/NAME`.
pub fn import_fixture(name: &str) -> PathBuf {
    fixture("import").join(name)
}

/// A key in keymap syntax (`"ctrl-p"`, `"G"`, `"F6"`), parsed by the crate's own parser.
pub fn key(s: &str) -> Key {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A store at `dir/d.db` (operator 박지현) filled by the demo generator.
pub fn demo_store(dir: &Path, residents: usize, seed: u64) -> dolbom::store::Store {
    let opts = dolbom::store::OpenOptions::new("박지현");
    let mut store = dolbom::store::Store::open(&dir.join("d.db"), &opts).expect("open");
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions { residents, seed },
        &mut |_, _| {},
    )
    .expect("demo");
    store
}
