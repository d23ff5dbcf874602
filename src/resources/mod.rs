//! Resource directory: export (and the importer).

pub mod export;
