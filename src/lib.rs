//! dolbom (돌봄 콘솔): a keyboard-driven terminal console for Korean welfare-centre staff.
//!
//! Dependencies flow one way: `tui` → (`search`, `timeline`, `resources`, `sync`, `audit`) →
//! `store` → `model`.
#![forbid(unsafe_code)]

pub mod audit;
mod batch;
pub mod clock;
pub mod crypto;
pub mod demo;
pub mod files;
pub mod model;
pub mod paths;
pub mod resources;
pub mod search;
pub mod store;
pub mod sync;
pub mod timeline;
pub mod tui;
