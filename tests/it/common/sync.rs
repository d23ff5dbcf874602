//! Shared helpers for the sync tests: simulated sites in a temp folder exchanging bundles.
#![allow(dead_code)]

use dolbom::clock::Clock;
use dolbom::store::{OpenOptions, Store, Val};
use dolbom::sync::bundle::Encryption;
use dolbom::sync::{ExportOptions, ImportOptions, ImportReport, SyncResult};
use std::path::{Path, PathBuf};

/// A fixed start time for test clocks.
pub fn base_time() -> chrono::NaiveDateTime {
    dolbom::clock::parse_datetime("2025-03-01T09:00:00").expect("valid time")
}

/// Opens (creating) a site database `name.db` in `dir` with a clock `offset_ms` from the base.
pub fn open_site(dir: &Path, name: &str, offset_ms: i64) -> Store {
    let mut opts = OpenOptions::new("tester");
    opts.site_name = Some(name.to_string());
    opts.clock = Clock::fixed(base_time() + chrono::Duration::milliseconds(offset_ms));
    Store::open(&dir.join(format!("{name}.db")), &opts).expect("open site")
}

/// Exports from `from` what `to` lacks (or everything) into `path`, plain.
pub fn export(from: &Store, to: Option<&str>, full: bool, path: &Path) -> PathBuf {
    let opts = ExportOptions {
        out: path.to_owned(),
        to: to.map(str::to_string),
        full,
        encryption: Encryption::Plain,
    };
    dolbom::sync::export_bundle(from, &opts, &mut |_| {}).expect("export");
    path.to_owned()
}

/// Imports `path` into `into`, trusting a new sender.
pub fn import(into: &mut Store, path: &Path) -> SyncResult<ImportReport> {
    let opts = ImportOptions {
        trust: true,
        ..ImportOptions::default()
    };
    dolbom::sync::import_bundle(into, path, &opts, &mut |_, _| {})
}

pub fn digest(s: &Store) -> String {
    s.content_digest().expect("digest")
}

/// Adds a resident with a name, phone and address.
pub fn add_resident(s: &mut Store, name: &str, phone: &str, address: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = s.write().expect("tx");
    tx.insert(
        "residents",
        &id,
        &[
            ("name", Val::text(name)),
            ("phone", Val::text(phone)),
            ("address", Val::text(address)),
        ],
    )
    .expect("insert resident");
    tx.commit().expect("commit");
    id
}

/// Updates one field.
pub fn edit(s: &mut Store, table: &str, id: &str, field: &str, value: &str) {
    let mut tx = s.write().expect("tx");
    tx.update(table, id, &[(field, Val::text(value))])
        .expect("update");
    tx.commit().expect("commit");
}

/// Reads one text field (None if the row is absent or the value null).
pub fn field(s: &Store, table: &str, id: &str, field: &str) -> Option<String> {
    let path = s.path().to_owned();
    let conn = rusqlite::Connection::open(path).expect("open read");
    conn.query_row(
        &format!("SELECT {field} FROM {table} WHERE id = ?1"),
        [id],
        |r| r.get(0),
    )
    .ok()
    .flatten()
}

/// Lost values recorded in `conflicts`.
pub fn lost_values(s: &Store) -> Vec<String> {
    dolbom::sync::conflicts::all_conflicts(s)
        .expect("conflicts")
        .into_iter()
        .filter_map(|c| c.lost_value)
        .collect()
}
