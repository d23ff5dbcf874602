//! Reusable widgets: the form, the help overlay and the command palette.

pub mod form;
pub mod help;
pub mod palette;
