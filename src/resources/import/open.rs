//! Opening an import: a directory is an HSDS set, a file is sniffed (format, encoding) and
//! handed to the CSV, spreadsheet or JSON reader. The dispatcher sits above the readers, so
//! `reader` (CSV, spreadsheets, in-memory records) knows nothing of `hsds` or `json`.

use super::encoding::display_name;
use super::reader::{
    Source, SourceInfo, choose_encoding, csv_source, detect_format, io_err, read_text,
    regular_file, sniff,
};
use super::sheet::spreadsheet;
use super::{Format, ImportError, ImportOptions};
use encoding_rs::{Encoding, UTF_8};
use std::fs::File;
use std::path::Path;

/// Opens any supported file (or HSDS directory) as a record source.
pub(crate) fn open_source(
    path: &Path,
    opts: &ImportOptions,
) -> Result<(Source, SourceInfo), ImportError> {
    if path.is_dir() {
        if opts.sheet.is_some() {
            return Err(ImportError::SheetNotSpreadsheet {
                path: path.to_owned(),
                format: "HSDS",
            });
        }
        let src = super::hsds::read_dir(path, opts)?;
        return Ok(info(path, Format::Hsds, Some(UTF_8), Source::Memory(src)));
    }
    regular_file(path)?;
    let mut file = File::open(path).map_err(io_err(path))?;
    let sniffed = sniff(&mut file, path)?;
    if sniffed.head.starts_with(&[0xFF, 0xFE, 0, 0])
        || sniffed.head.starts_with(&[0, 0, 0xFE, 0xFF])
    {
        return Err(ImportError::Unsupported {
            path: path.to_owned(),
            message: "UTF-32 파일은 읽을 수 없습니다 — UTF-8(또는 CP949)로 저장해 주세요 (UTF-32 is not supported)".to_owned(),
        });
    }
    if sniffed.head.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty {
            path: path.to_owned(),
        });
    }
    let format = opts
        .format
        .unwrap_or_else(|| detect_format(path, &sniffed.head));
    if format != Format::Spreadsheet && opts.sheet.is_some() {
        return Err(ImportError::SheetNotSpreadsheet {
            path: path.to_owned(),
            format: match format {
                Format::Csv => "CSV",
                _ => "JSON",
            },
        });
    }
    if format == Format::Spreadsheet {
        drop(file);
        let src = spreadsheet(path, opts.sheet.as_deref())?;
        return Ok(info(path, format, None, src));
    }
    let (enc, bom) = choose_encoding(path, opts, &sniffed)?;
    match format {
        Format::Csv => {
            let src = csv_source(path, file, enc, bom, &sniffed.head)?;
            Ok(info(path, format, Some(enc), Source::Csv(Box::new(src))))
        }
        Format::Json | Format::Hsds => {
            let text = read_text(path, file, enc, bom)?;
            let src = super::json::parse(path, &text)?;
            let format = if src.1 { Format::Hsds } else { Format::Json };
            Ok(info(path, format, Some(enc), Source::Memory(src.0)))
        }
        Format::Spreadsheet => unreachable!("handled above"),
    }
}

fn info(
    path: &Path,
    format: Format,
    enc: Option<&'static Encoding>,
    src: Source,
) -> (Source, SourceInfo) {
    let info = SourceInfo {
        path: path.to_owned(),
        format,
        encoding: enc.map(display_name),
        headers: src.headers().to_vec(),
    };
    (src, info)
}
