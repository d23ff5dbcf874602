//! Headless CLI.
