//! Spreadsheets (XLSX, XLS, ODS): a zipped workbook is checked before calamine inflates it
//! (entry count and sizes, a capped inflate, the used sheet area), then its first sheet (or the
//! named one) is loaded as a [`Source`] with the sheet's row numbers as line numbers.

use super::ImportError;
use super::limits::{self, MAX_WHOLE_FILE_BYTES};
use super::reader::{MemorySource, Source, io_err, read_capped};
use csv::StringRecord;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Checks a zipped spreadsheet before calamine inflates it: the entry count, every entry's
/// size as the zip directory states it, then every entry inflated into nothing with a cap (a
/// directory can lie), at most [`limits::MAX_ZIP_ENTRY_BYTES`] each and
/// [`limits::MAX_ZIP_TOTAL_BYTES`] in all. Not a zip (XLS): nothing to check here.
pub(super) fn check_zip<R: Read + Seek>(path: &Path, reader: R) -> Result<(), ImportError> {
    use limits::{MAX_ZIP_ENTRIES, MAX_ZIP_ENTRY_BYTES, MAX_ZIP_TOTAL_BYTES};
    let Ok(mut zip) = zip::ZipArchive::new(reader) else {
        return Ok(());
    };
    let too_large = |what: String, limit| ImportError::TooLarge {
        path: path.to_owned(),
        what,
        limit,
    };
    let bad = |e: zip::result::ZipError| ImportError::Spreadsheet {
        path: path.to_owned(),
        message: e.to_string(),
    };
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(ImportError::Spreadsheet {
            path: path.to_owned(),
            message: format!(
                "압축 항목이 너무 많습니다: {}개 (최대 {MAX_ZIP_ENTRIES}개)",
                zip.len()
            ),
        });
    }
    let entry_name = |name: &str| format!("압축 풀린 항목 {}", limits::shown(name, 80));
    // The directory first: no inflating at all for a bomb that admits its size.
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(bad)?;
        if entry.size() > MAX_ZIP_ENTRY_BYTES {
            return Err(too_large(
                entry_name(&String::from_utf8_lossy(entry.name_raw())),
                MAX_ZIP_ENTRY_BYTES,
            ));
        }
        declared = declared.saturating_add(entry.size());
        if declared > MAX_ZIP_TOTAL_BYTES {
            return Err(too_large(
                "압축 풀린 내용 전체".to_owned(),
                MAX_ZIP_TOTAL_BYTES,
            ));
        }
    }
    // Then the real sizes, each inflated into a sink with a cap.
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(bad)?;
        let name = entry_name(&String::from_utf8_lossy(entry.name_raw()));
        let n = std::io::copy(
            &mut (&mut entry).take(MAX_ZIP_ENTRY_BYTES + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| ImportError::Spreadsheet {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if n > MAX_ZIP_ENTRY_BYTES {
            return Err(too_large(name, MAX_ZIP_ENTRY_BYTES));
        }
        total += n;
        if total > MAX_ZIP_TOTAL_BYTES {
            return Err(too_large(
                "압축 풀린 내용 전체".to_owned(),
                MAX_ZIP_TOTAL_BYTES,
            ));
        }
    }
    Ok(())
}

/// The first sheet (or `sheet`) of a workbook. Line numbers are the sheet's row numbers.
/// A known extension opens by path; otherwise the content decides (a renamed `.xlsx`).
pub(super) fn spreadsheet(path: &Path, sheet: Option<&str>) -> Result<Source, ImportError> {
    let sheet_err = |message: String| ImportError::Spreadsheet {
        path: path.to_owned(),
        message,
    };
    let known = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["xlsx", "xlsm", "xlsb", "xls", "ods"].contains(&e.to_ascii_lowercase().as_str())
    });
    let mut file = File::open(path).map_err(io_err(path))?;
    check_zip(path, BufReader::new(&mut file))?;
    let zipped = file.seek(SeekFrom::Start(0)).is_ok()
        && zip::ZipArchive::new(BufReader::new(&mut file)).is_ok();
    if !zipped {
        // XLS (and anything else calamine may read) is read whole.
        let len = file.metadata().map_err(io_err(path))?.len();
        if len > MAX_WHOLE_FILE_BYTES {
            return Err(ImportError::TooLarge {
                path: path.to_owned(),
                what: "파일".to_owned(),
                limit: MAX_WHOLE_FILE_BYTES,
            });
        }
    }
    drop(file);
    if known {
        let mut wb = calamine::open_workbook_auto(path).map_err(|e| sheet_err(e.to_string()))?;
        first_sheet(path, &mut wb, sheet)
    } else {
        let mut file = File::open(path).map_err(io_err(path))?;
        let bytes = read_capped(path, &mut file)?;
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| sheet_err(e.to_string()))?;
        first_sheet(path, &mut wb, sheet)
    }
}

fn first_sheet<RS: Read + Seek>(
    path: &Path,
    wb: &mut calamine::Sheets<RS>,
    sheet: Option<&str>,
) -> Result<Source, ImportError> {
    use calamine::{Data, Reader};
    let sheet_err = |message: String| ImportError::Spreadsheet {
        path: path.to_owned(),
        message,
    };
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                sheet_err(format!(
                    "'{s}' 시트가 없습니다 (있는 시트: {})",
                    names.join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| sheet_err("시트가 없습니다".to_owned()))?,
    };
    if let calamine::Sheets::Xlsx(x) = wb {
        check_sheet_span(path, x, &name)?;
    }
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| sheet_err(e.to_string()))?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r));
    let mut rows = range.rows().enumerate().filter_map(|(i, row)| {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        let blank = cells.iter().all(|c| c.trim().is_empty());
        (!blank).then(|| (first_row + i as u64 + 1, cells))
    });
    let Some((_, header)) = rows.next() else {
        return Err(ImportError::Empty {
            path: path.to_owned(),
        });
    };
    let mut headers: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    let width = headers.len();
    let rows = rows
        .map(|(line, mut cells)| {
            // Cells right of the header row are dropped only when empty.
            while cells.len() > width && cells.last().is_some_and(|c| c.is_empty()) {
                cells.pop();
            }
            (line, StringRecord::from(cells))
        })
        .collect();
    return Ok(Source::Memory(MemorySource {
        headers,
        rows,
        pos: 0,
    }));

    fn cell_text(d: &Data) -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) if dt.is_datetime() => {
                let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                if (h, mi, s) == (0, 0, 0) {
                    format!("{y:04}-{mo:02}-{d:02}")
                } else {
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
                }
            }
            Data::DateTime(dt) => dt.as_f64().to_string(),
            Data::Error(e) => format!("#{e:?}"),
        }
    }
}

/// Streams an XLSX sheet's cells (nothing kept) and refuses a sheet whose used rectangle is
/// larger than [`limits::MAX_SHEET_CELLS`], before calamine allocates that rectangle.
fn check_sheet_span<RS: Read + Seek>(
    path: &Path,
    x: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Result<(), ImportError> {
    let sheet_err = |message: String| ImportError::Spreadsheet {
        path: path.to_owned(),
        message,
    };
    let mut cells = x
        .worksheet_cells_reader(name)
        .map_err(|e| sheet_err(e.to_string()))?;
    let (mut r0, mut c0, mut r1, mut c1) = (u32::MAX, u32::MAX, 0u32, 0u32);
    while let Some(cell) = cells.next_cell().map_err(|e| sheet_err(e.to_string()))? {
        let (r, c) = cell.get_position();
        (r0, c0, r1, c1) = (r0.min(r), c0.min(c), r1.max(r), c1.max(c));
    }
    if r0 == u32::MAX {
        return Ok(());
    }
    let span = (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1);
    if span > limits::MAX_SHEET_CELLS {
        return Err(sheet_err(format!(
            "시트 범위가 너무 큽니다: {}행 × {}열 = {span}칸 (최대 {}칸) — 멀리 떨어진 빈 칸을 지우세요 (sheet range too large)",
            r1 - r0 + 1,
            c1 - c0 + 1,
            limits::MAX_SHEET_CELLS
        )));
    }
    Ok(())
}
