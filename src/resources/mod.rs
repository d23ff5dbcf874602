//! The resource directory and admin imports.
//!
//! [`import`] reads files (CSV in CP949 or UTF-8, XLSX/XLS/ODS, JSON, Open Referral HSDS) into
//! typed, validated rows; it writes nothing. The store upserts them. [`export`] writes the
//! directory back out (CSV with BOM for Excel, or JSON).

pub mod export;
pub mod import;
