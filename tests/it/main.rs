//! The integration tests, as one binary: each module was once its own `tests/*.rs` file, and
//! linking the whole crate once instead of twenty times keeps `cargo test` quick to build.
//! Run one module with `cargo test --test it MODULE::` (for example `cargo test --test it tui::`).

mod common;

mod block;
mod cli;
mod cli_args;
mod day;
mod demo;
mod engine;
mod form;
mod hostile_import;
mod hostile_sync;
mod import_db;
mod import_parse;
mod keymap;
mod layers;
mod loop_case;
mod loop_keys;
mod loop_sync;
mod origin;
mod paper_cli;
mod paper_forms;
mod paper_monthly;
mod paper_xlsx;
mod paste;
mod search_index;
mod search_props;
mod search_table;
mod store;
mod sync_bundle;
mod sync_cli;
mod sync_import;
mod sync_merge;
mod terminal;
mod timeline_cli;
mod timeline_due;
mod timeline_entries;
mod timeline_export;
mod timeline_rules;
mod trust;
mod tui;
mod windows_paths;
