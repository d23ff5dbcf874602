//! dolbom (돌봄 콘솔): a keyboard-driven terminal console for Korean welfare-centre staff.
//!
//! Dependencies flow one way, from top to bottom:
//!
//! - top: `tui` and the CLI (`main.rs`);
//! - domain: `audit`, `search`, `timeline`, `resources`, `sync`, `demo` (each may use only the
//!   ones listed before it);
//! - `store`: the SQLite file; all SQL lives here;
//! - util: `privacy`, `hangul`, `clock`, `paths`, `files`, `batch`;
//! - `model`: plain data types.
//!
//! `tests/layers.rs` fails when a module imports a higher layer.
#![forbid(unsafe_code)]

pub mod audit;
mod batch;
pub mod cli;
pub mod clock;
pub mod crypto;
pub mod demo;
pub mod discovery;
pub mod files;
pub mod hangul;
pub mod memory;
pub mod model;
pub mod paper;
pub mod paths;
pub mod privacy;
pub mod resources;
pub mod retention;
pub mod search;
pub mod store;
pub mod sync;
pub mod timeline;
pub mod tui;
