//! A generic "table → xlsx" writer: one sheet per table, header row bold and frozen, an
//! autofilter over the data, column widths that fit Hangul (display width: a syllable counts
//! two), dates and times as real Excel dates.

use super::PaperError;
use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// One cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Int(i64),
    Num(f64),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Value {
    /// Text that looks like `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` becomes a date; empty text empty.
    pub fn date_or_text(s: &str) -> Value {
        let t = s.trim();
        if t.is_empty() {
            return Value::Empty;
        }
        if t.len() == 10
            && let Some(d) = crate::clock::parse_date(t)
        {
            return Value::Date(d);
        }
        if t.len() == 16
            && let Ok(dt) = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M")
        {
            return Value::DateTime(dt);
        }
        Value::Text(s.to_string())
    }

    /// Optional text as a date (or text).
    pub fn opt_date(s: Option<&str>) -> Value {
        s.map_or(Value::Empty, Value::date_or_text)
    }

    pub fn text(s: impl Into<String>) -> Value {
        let s = s.into();
        if s.is_empty() {
            Value::Empty
        } else {
            Value::Text(s)
        }
    }

    /// Display width as Excel shows it (for column widths).
    fn width(&self) -> usize {
        match self {
            Value::Empty => 0,
            Value::Text(s) => s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0),
            Value::Int(n) => n.to_string().len(),
            Value::Num(n) => format!("{n:.2}").len(),
            Value::Date(_) => 10,
            Value::DateTime(_) => 16,
        }
    }
}

/// One sheet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Sheet name (cut to 31 characters; `[]:*?/\` replaced).
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(sheet: impl Into<String>, headers: &[&str]) -> Table {
        Table {
            sheet: sheet.into(),
            headers: headers.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

fn sheet_name(s: &str, used: &mut Vec<String>) -> String {
    let mut name: String = s
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if name.trim().is_empty() {
        name = "Sheet".to_string();
    }
    let base = name.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = base
            .chars()
            .take(31 - suffix.chars().count())
            .collect::<String>()
            + &suffix;
        n += 1;
    }
    used.push(name.clone());
    name
}

fn xerr(e: XlsxError) -> PaperError {
    PaperError::Xlsx(e.to_string())
}

/// The workbook of `tables`, as bytes.
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, PaperError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(0xE8E8E8)
        .set_align(FormatAlign::Center);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let wrap = Format::new().set_text_wrap();
    let mut used = Vec::new();
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.sheet, &mut used)).map_err(xerr)?;
        let ncols = t.headers.len().max(1);
        let mut widths: Vec<usize> = t.headers.iter().map(|h| h.width()).collect();
        widths.resize(ncols, 0);
        for (c, h) in t.headers.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| PaperError::Xlsx("열이 너무 많습니다".into()))?;
            ws.write_string_with_format(0, c, h, &header)
                .map_err(xerr)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r =
                u32::try_from(r + 1).map_err(|_| PaperError::Xlsx("행이 너무 많습니다".into()))?;
            for (c, v) in row.iter().enumerate().take(ncols) {
                widths[c] = widths[c].max(v.width());
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match v {
                    Value::Empty => {}
                    Value::Text(s) if s.contains('\n') => {
                        ws.write_string_with_format(r, c, s, &wrap).map_err(xerr)?;
                    }
                    Value::Text(s) => {
                        ws.write_string(r, c, s).map_err(xerr)?;
                    }
                    Value::Int(n) => {
                        // Counts and ids stay exact well below 2^53.
                        #[allow(clippy::cast_precision_loss)]
                        ws.write_number(r, c, *n as f64).map_err(xerr)?;
                    }
                    Value::Num(n) => {
                        ws.write_number(r, c, *n).map_err(xerr)?;
                    }
                    Value::Date(d) => {
                        ws.write_date_with_format(r, c, d, &date).map_err(xerr)?;
                    }
                    Value::DateTime(d) => {
                        ws.write_datetime_with_format(r, c, d, &datetime)
                            .map_err(xerr)?;
                    }
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            // +2 for the autofilter's drop-down button and padding.
            let w = (*w).clamp(MIN_WIDTH, MAX_WIDTH) + 2;
            #[allow(clippy::cast_precision_loss)]
            ws.set_column_width(c, w as f64).map_err(xerr)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        let last_row = u32::try_from(t.rows.len()).unwrap_or(u32::MAX);
        let last_col = u16::try_from(ncols - 1).unwrap_or(0);
        ws.autofilter(0, 0, last_row, last_col).map_err(xerr)?;
    }
    if tables.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer().map_err(xerr)
}

/// Writes `tables` to `path` as one workbook, atomically and private to the owner.
pub fn write(path: &Path, tables: &[Table]) -> Result<(), PaperError> {
    let bytes = workbook(tables)?;
    super::write_file(path, &bytes)
}
