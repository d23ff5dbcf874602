//! The integration tests, as one binary: each module was once its own `tests/*.rs` file, and
//! linking the whole crate once instead of twenty times keeps `cargo test` quick to build.
//! Run one module with `cargo test --test it MODULE::` (for example `cargo test --test it tui::`).

mod common;

mod approval;
mod audit_chain;
mod block;
mod cli;
mod cli_args;
mod consent;
mod day;
mod demo;
mod discovery;
mod encryption;
mod engine;
mod form;
mod handover;
mod hostile_import;
mod hostile_sync;
mod import_db;
mod import_parse;
mod keymap;
mod layers;
mod loop_case;
mod loop_finish;
mod loop_keys;
mod loop_sync;
mod origin;
mod paper_cli;
mod paper_forms;
mod paper_monthly;
mod paper_xlsx;
mod paste;
mod roles;
mod rrn;
mod search_props;
mod search_table;
mod store;
mod sync_bundle;
mod sync_cli;
mod sync_import;
mod sync_merge;
mod sync_peer_key;
mod terminal;
mod timeline_cli;
mod timeline_due;
mod timeline_entries;
mod timeline_export;
mod timeline_rules;
mod trust;
mod tui;
mod windows_paths;
