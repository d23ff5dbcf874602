//! The resource directory and admin imports.
//!
//! [`import`] reads files (CSV in CP949 or UTF-8, XLSX/XLS/ODS, JSON, Open Referral HSDS) into
//! typed, validated rows; it writes nothing. [`upsert`] writes them to the store in one
//! transaction (admin only). [`export`] writes the directory back out (CSV with BOM for Excel,
//! or JSON). `crate::cli::resources` formats reports and lists for the command line.

pub mod export;
pub mod import;
pub mod upsert;
