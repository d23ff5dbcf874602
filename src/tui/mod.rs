//! The terminal UI: keys → actions → state → render.
//!
//! This layer provides the key/keymap/action vocabulary and reusable widgets; the app loop (`app`)
//! and the panes (`panes`) build on it.
//!
//! Dependencies run one way: `run` → `ui` (draws the app) → `app` → `panes` → `widgets`, `layout`,
//! `msg`, `keymap` → `key`, `action`. Panes never import the app: they get a [`panes::RenderCtx`] to draw and
//! return an [`panes::Effect`] for the app to carry out (a test in `panes` checks this).
//!
//! Key routing, in order, for each key event ([`key::Key::from_event`]):
//! 1. an open text-input widget (a [`widgets::form::Form`], the [`widgets::palette::Palette`]) gets the
//!    key first through its `handle_key`, which types printable keys as text and resolves the rest
//!    in its context (`form` / `palette`, then `global`);
//! 2. otherwise the [`keymap::Resolver`] resolves it in the current pane's context, then `global`;
//!    a [`keymap::Resolution::Matched`] action goes to `update`.

pub mod action;
pub mod folder_sync;
pub mod key;
pub mod keymap;
pub mod layout;
pub mod login;
pub mod msg;
pub mod widgets;

pub use action::Action;
pub use key::{Key, KeyCode, KeySeq, Modifiers};
pub use keymap::{Binding, Context, Keymap, KeymapError, Resolution, Resolver};
pub mod app;
pub mod panes;
pub mod reads;
pub mod run;
pub mod terminal;
pub mod theme;
pub mod ui;
