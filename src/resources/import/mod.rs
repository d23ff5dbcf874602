//! Reading import files into typed rows: bytes in, [`ResourceRow`]s / [`ResidentRow`]s and
//! per-row [`RowError`]s out. Pure: no database here.
//!
//! ```no_run
//! use dolbom::resources::import::{open_resources, ImportOptions};
//! # fn main() -> Result<(), dolbom::resources::import::ImportError> {
//! let mut rows = open_resources("기관목록.csv".as_ref(), &ImportOptions::default())?;
//! for item in &mut rows {
//!     match item? {                       // `?`: file-level failure, stop the import
//!         Ok(row) => println!("{} {}", row.name, row.category),
//!         Err(rejected) => eprintln!("{rejected}"), // `file:line: reason`
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! CSV streams in 64 KiB chunks (flat memory for any size); spreadsheets, JSON and HSDS are read
//! whole. Every import is bounded in memory, time and field size: see [`limits`].

mod columns;
mod encoding;
mod hsds;
mod json;
pub mod limits;
mod open;
mod reader;
mod rows;
mod sheet;
mod synth;

pub use crate::privacy::{RrnParts, mask_rrn_like, parse_rrn};
pub use columns::{
    ColumnMap, Columns, DiscoveryField, Field, ResidentField, ResourceField, normalize_header,
};
pub use encoding::EncodingChoice;
pub use reader::SourceInfo;
pub use rows::{
    CATEGORIES, DiscoveryRow, OTHER_CATEGORY, ResidentRow, ResourceRow, Sex, dong_from_address,
    identity_key, natural_key, normalize_category, normalize_phone, parse_birth_date,
    parse_capacity, parse_date_loose, parse_sex,
};
pub use synth::write_cp949_resources;

use reader::{Next, Source};
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File format of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text (`,` `;` or tab), with a header row.
    Csv,
    /// XLSX, XLSM, XLSB, XLS or ODS (via calamine).
    Spreadsheet,
    /// An array of objects.
    Json,
    /// Open Referral HSDS: a directory of CSV tables, or a JSON object of tables.
    Hsds,
}

/// How to read a file. `Default` = detect everything, built-in aliases only.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `--encoding`.
    pub encoding: EncodingChoice,
    /// Force a format instead of detecting it from the extension and content.
    pub format: Option<Format>,
    /// `--sheet`: a sheet name for spreadsheets (default: the first sheet).
    pub sheet: Option<String>,
    /// `--map MAP.toml`: extra header aliases.
    pub columns: ColumnMap,
}

impl ImportOptions {
    /// Loads `--map MAP.toml` into `columns` (`[columns] name = ["기관 이름"]`).
    pub fn load_map(&mut self, path: &Path) -> Result<(), ImportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: path.to_owned(),
            source,
        })?;
        self.columns = ColumnMap::parse(&text).map_err(|message| ImportError::Map {
            path: path.to_owned(),
            message,
        })?;
        Ok(())
    }
}

/// A failure of the whole file: nothing from it should be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: 파일을 읽을 수 없습니다: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: 빈 파일입니다 (머리글 행이 없습니다)", path.display())]
    Empty { path: PathBuf },
    #[error(
        "{}: 텍스트가 아닌 이진 파일입니다 ({offset}번째 바이트가 NUL) — CSV, XLSX, JSON 파일을 주세요",
        path.display()
    )]
    Binary { path: PathBuf, offset: u64 },
    #[error("{}:{line}: {message}", path.display())]
    Read {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{}: 필수 열이 없습니다: {}. 찾은 머리글: {}",
        path.display(),
        missing.join(", "),
        limits::shown_headers(found)
    )]
    MissingColumns {
        path: PathBuf,
        /// What is missing, described in Korean with its accepted headers.
        missing: Vec<String>,
        /// The header row as found.
        found: Vec<String>,
    },
    #[error("{}: 스프레드시트를 읽을 수 없습니다: {message}", path.display())]
    Spreadsheet { path: PathBuf, message: String },
    #[error("{}: JSON을 읽을 수 없습니다: {message}", path.display())]
    Json { path: PathBuf, message: String },
    #[error("{}: HSDS 자료를 읽을 수 없습니다: {message}", path.display())]
    Hsds { path: PathBuf, message: String },
    #[error("{}: 열 매핑 파일 오류: {message}", path.display())]
    Map { path: PathBuf, message: String },
    #[error(
        "{}: 일반 파일이 아닙니다 (장치, FIFO, 소켓 …) — 저장된 파일을 주세요 (not a regular file)",
        path.display()
    )]
    NotAFile { path: PathBuf },
    #[error("{}: {what}이(가) 한도 {}를 넘습니다 (too large; limit {})", path.display(), limits::human_bytes(*limit), limits::human_bytes(*limit))]
    TooLarge {
        path: PathBuf,
        /// What is too large, in Korean (`파일`, `압축 풀린 항목 xl/…`).
        what: String,
        limit: u64,
    },
    #[error("{}: {message}", path.display())]
    Unsupported { path: PathBuf, message: String },
    #[error(
        "{}: --sheet 은 스프레드시트(XLSX, XLS, ODS)에만 쓸 수 있습니다 — 이 파일은 {format} 입니다 (--sheet needs a spreadsheet)",
        path.display()
    )]
    SheetNotSpreadsheet { path: PathBuf, format: &'static str },
}

/// One rejected row. Displays as `file:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub path: Arc<Path>,
    /// Physical line (CSV), sheet row (spreadsheets) or element number (JSON).
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.reason)
    }
}

impl std::error::Error for RowError {}

/// A kind of row an import produces.
pub trait ImportRow: Sized {
    /// Its columns.
    type Field: Field;
    /// Which required columns are missing, described for people.
    fn missing(cols: &Columns<Self::Field>) -> Vec<String>;
    /// Builds a row from one record, or gives the reason for rejecting it.
    #[doc(hidden)]
    fn build(
        rec: &csv::StringRecord,
        cols: &Columns<Self::Field>,
        line: u64,
    ) -> Result<Self, String>;
}

fn describe<F: Field>(f: F) -> String {
    format!("{} ({})", f.key(), f.aliases().join(", "))
}

impl ImportRow for ResourceRow {
    type Field = ResourceField;
    fn missing(cols: &Columns<ResourceField>) -> Vec<String> {
        if cols.has(ResourceField::Name) {
            vec![]
        } else {
            vec![describe(ResourceField::Name)]
        }
    }
    fn build(
        rec: &csv::StringRecord,
        cols: &Columns<ResourceField>,
        line: u64,
    ) -> Result<Self, String> {
        rows::resource_from(rec, cols, line)
    }
}

impl ImportRow for ResidentRow {
    type Field = ResidentField;
    fn missing(cols: &Columns<ResidentField>) -> Vec<String> {
        let mut m = vec![];
        if !cols.has(ResidentField::Name) {
            m.push(describe(ResidentField::Name));
        }
        if !cols.has(ResidentField::BirthDate) && !cols.has(ResidentField::Rrn) {
            m.push(format!(
                "{} 또는 {}",
                describe(ResidentField::BirthDate),
                describe(ResidentField::Rrn)
            ));
        }
        m
    }
    fn build(
        rec: &csv::StringRecord,
        cols: &Columns<ResidentField>,
        line: u64,
    ) -> Result<Self, String> {
        rows::resident_from(rec, cols, line)
    }
}

impl ImportRow for DiscoveryRow {
    type Field = DiscoveryField;
    fn missing(cols: &Columns<DiscoveryField>) -> Vec<String> {
        let mut m = vec![];
        if !cols.has(DiscoveryField::Name) {
            m.push(describe(DiscoveryField::Name));
        }
        if !cols.has(DiscoveryField::BirthDate)
            && !cols.has(DiscoveryField::Rrn)
            && !cols.has(DiscoveryField::Address)
        {
            m.push(format!(
                "{} 또는 {} 또는 {}",
                describe(DiscoveryField::BirthDate),
                describe(DiscoveryField::Rrn),
                describe(DiscoveryField::Address)
            ));
        }
        m
    }
    fn build(
        rec: &csv::StringRecord,
        cols: &Columns<DiscoveryField>,
        line: u64,
    ) -> Result<Self, String> {
        rows::discovery_from(rec, cols, line)
    }
}

/// Rows of an open file. Each item is `Err(ImportError)` for a failure that must stop the whole
/// import, else `Ok(Ok(row))` or `Ok(Err(rejected_row))`. Iteration ends after an `ImportError`.
pub struct Rows<T: ImportRow> {
    source: Source,
    columns: Columns<T::Field>,
    info: SourceInfo,
    path: Arc<Path>,
    failed: bool,
    _t: PhantomData<T>,
}

impl<T: ImportRow> Rows<T> {
    /// What was opened: format, encoding, headers.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// The column mapping that was recognised.
    pub fn columns(&self) -> &Columns<T::Field> {
        &self.columns
    }

    /// `(done, total)`: bytes for CSV, records otherwise — for a progress bar.
    pub fn progress(&self) -> (u64, u64) {
        self.source.progress()
    }
}

impl<T: ImportRow> Iterator for Rows<T> {
    type Item = Result<Result<T, RowError>, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let path = &self.path;
        match self.source.next_record() {
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
            Ok(Next::End) => None,
            Ok(Next::Reject(e)) => Some(Ok(Err(e))),
            Ok(Next::Record(line, rec)) => {
                if let Some(reason) = too_long::<T>(rec, &self.columns, &self.info.headers) {
                    return Some(Ok(Err(RowError {
                        path: path.clone(),
                        line,
                        reason,
                    })));
                }
                Some(Ok(T::build(rec, &self.columns, line).map_err(|reason| {
                    RowError {
                        path: path.clone(),
                        line,
                        reason,
                    }
                })))
            }
        }
    }
}

/// The reason to reject a record whose mapped cell is longer than [`limits::MAX_FIELD_CHARS`].
fn too_long<T: ImportRow>(
    rec: &csv::StringRecord,
    cols: &Columns<T::Field>,
    headers: &[String],
) -> Option<String> {
    let max = limits::MAX_FIELD_CHARS;
    <T::Field as Field>::ALL.iter().find_map(|&f| {
        let i = cols.get(f)?;
        let cell = rec.get(i)?;
        // Bytes first: a cell within the limit in bytes is within it in characters.
        if cell.len() <= max {
            return None;
        }
        let n = cell.chars().count();
        (n > max).then(|| {
            let header = headers.get(i).map_or("", String::as_str);
            format!(
                "'{}' 칸이 너무 깁니다: {n}자 (최대 {max}자) (field too long)",
                limits::shown(header, limits::SHOWN_HEADER_CHARS)
            )
        })
    })
}

/// Opens a file of rows of kind `T`: detects format and encoding, reads the header row and
/// recognises the columns; fails if a required column is missing.
pub fn open<T: ImportRow>(path: &Path, opts: &ImportOptions) -> Result<Rows<T>, ImportError> {
    opts.columns
        .check::<T::Field>()
        .map_err(|message| ImportError::Map {
            path: path.to_owned(),
            message,
        })?;
    let (source, info) = open::open_source(path, opts)?;
    let columns = Columns::resolve(source.headers(), &opts.columns);
    let missing = T::missing(&columns);
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            path: path.to_owned(),
            missing,
            found: info.headers.clone(),
        });
    }
    Ok(Rows {
        source,
        columns,
        info,
        path: Arc::from(path),
        failed: false,
        _t: PhantomData,
    })
}

/// Opens a resource (directory) file.
pub fn open_resources(path: &Path, opts: &ImportOptions) -> Result<Rows<ResourceRow>, ImportError> {
    open(path, opts)
}

/// Opens a 복지사각지대 발굴 list (발굴 대상자 명단).
pub fn open_discovery(
    path: &Path,
    opts: &ImportOptions,
) -> Result<Rows<DiscoveryRow>, ImportError> {
    open(path, opts)
}

/// Opens a resident list (관리대상자 명단).
pub fn open_residents(path: &Path, opts: &ImportOptions) -> Result<Rows<ResidentRow>, ImportError> {
    open(path, opts)
}
