//! The paperwork: 사례관리 서식 from the timeline (HWPX for 한글, A4 HTML for printing), lists
//! to Excel (XLSX) and the 월별 실적 report.
//!
//! - [`document`]: the typed case document model (what a 서식 is filled from), masked by default.
//! - [`template`]: the 서식 layouts under `forms/` (data, not code) and their parser.
//! - [`layout`]: a template filled with a case document: titles, paragraphs and tables.
//! - [`hwpx`], [`html`]: the two renderers of a layout.
//! - [`xlsx`]: a generic "table → xlsx" writer and the lists the console exports.
//! - [`monthly`]: the 월별 실적 figures, each defined once.
//!
//! Nothing here runs SQL: data comes from the store's public read API. Every file is written
//! atomically and private (see [`crate::files::write_atomic`]).

pub mod document;
pub mod forms;
pub mod html;
pub mod hwpx;
pub mod layout;
pub mod lists;
pub mod monthly;
pub mod template;
pub mod visits;
pub mod xlsx;

pub use document::{CaseDocument, DocumentOptions};
pub use forms::{Form, FormSet};
pub use layout::{Block, Cell, Layout};
pub use template::{Template, TemplateError};

use std::path::{Path, PathBuf};

/// Errors of the paper module.
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Timeline(#[from] crate::timeline::TimelineError),
    /// A broken template: `forms/<file>:<line>: …` (the CLI maps it to exit 2).
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("XLSX: {0}")]
    Xlsx(String),
    #[error("HWPX: {0}")]
    Hwpx(String),
}

impl PaperError {
    /// Whether the error is a broken template (exit code 2 at the CLI).
    pub fn is_template(&self) -> bool {
        matches!(self, PaperError::Template(_))
    }
}

/// Output format of a 서식.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Hwpx,
    Html,
}

impl DocFormat {
    /// `hwpx` or `html`.
    pub fn parse(s: &str) -> Option<DocFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hwpx" => Some(DocFormat::Hwpx),
            "html" | "htm" => Some(DocFormat::Html),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            DocFormat::Hwpx => "hwpx",
            DocFormat::Html => "html",
        }
    }
}

/// Renders a filled layout in `format`.
pub fn render(layout: &Layout, format: DocFormat) -> Result<Vec<u8>, PaperError> {
    match format {
        DocFormat::Hwpx => hwpx::render(layout),
        DocFormat::Html => Ok(html::render(layout).into_bytes()),
    }
}

/// Writes `bytes` to `path` atomically (temp file, fsync, rename), private to the owner.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PaperError> {
    use std::io::Write;
    crate::files::write_atomic(path, |f| f.write_all(bytes)).map_err(|e| PaperError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}
