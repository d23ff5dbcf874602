//! Stated limits of every import, so that no file — broken, hostile or endless — can make an
//! import use unbounded memory or time. Each limit, when hit, ends in a clear message naming the
//! file (and the line, where there is one); nothing is imported from a file that hits a
//! file-level limit.
//!
//! Together they keep any import under about 256 MB of memory:
//! - CSV streams, so only one record is held: at most [`MAX_RECORD_BYTES`].
//! - Files read whole (JSON, HSDS tables, XLS, a spreadsheet without a known extension) are at
//!   most [`MAX_WHOLE_FILE_BYTES`].
//! - A zipped spreadsheet (XLSX, XLSM, XLSB, ODS) is checked before calamine opens it: every
//!   entry's size from the zip directory, then every entry inflated into nothing with a cap
//!   (a directory can lie), at most [`MAX_ZIP_ENTRY_BYTES`] each and [`MAX_ZIP_TOTAL_BYTES`] in all.
//! - An XLSX sheet spans at most [`MAX_SHEET_CELLS`] cells (checked by streaming its cells
//!   before calamine builds the dense range).
//! - One cell (a mapped field) holds at most [`MAX_FIELD_CHARS`] characters; a longer one rejects
//!   its row, with the line.
//!
//! Only regular files (and HSDS folders) are read: a device (`/dev/zero`), a FIFO or a socket is
//! refused before it is opened, so endless input cannot hang an import.

/// Largest CSV record (one row, all its cells, quoted line breaks included), in decoded bytes.
/// A header row without a line break, or a quote that is never closed, hits this limit.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// Largest cell of a mapped field, in characters (a name, an address, eligibility text …).
pub const MAX_FIELD_CHARS: usize = 4_000;

/// Largest file that is read whole into memory (JSON, HSDS tables, XLS).
pub const MAX_WHOLE_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Largest decompressed zip entry of a spreadsheet (e.g. `xl/worksheets/sheet1.xml`).
pub const MAX_ZIP_ENTRY_BYTES: u64 = 32 * 1024 * 1024;

/// Largest sum of a spreadsheet's decompressed zip entries.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

/// Most cells in the rectangle an XLSX sheet spans (first to last used row, first to last used
/// column): calamine holds that rectangle densely, so two cells at opposite corners
/// (`A1`, `XFD1048576`) would otherwise ask for 17 billion cells from a 1.5 KB file.
pub const MAX_SHEET_CELLS: u64 = 2_000_000;

/// Most entries in a spreadsheet's zip.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// Headers echoed in an error message: at most this many, each cut to [`SHOWN_HEADER_CHARS`].
pub const SHOWN_HEADERS: usize = 40;

/// See [`SHOWN_HEADERS`].
pub const SHOWN_HEADER_CHARS: usize = 40;

/// `n` bytes for people: `64 MiB`, `1 MiB`, `512 KiB`.
pub fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} B")
    }
}

/// A piece of file content safe to show in a message: control characters (NUL, escape …) become
/// `�`, and it is cut to `max` characters (with `…`).
pub fn shown(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { '\u{FFFD}' } else { c });
    }
    out
}

/// A header row as shown in a message: `[a] [b] …` with at most [`SHOWN_HEADERS`] headers.
pub fn shown_headers(headers: &[String]) -> String {
    let mut parts: Vec<String> = headers
        .iter()
        .take(SHOWN_HEADERS)
        .map(|h| format!("[{}]", shown(h, SHOWN_HEADER_CHARS)))
        .collect();
    if headers.len() > SHOWN_HEADERS {
        parts.push(format!("… 외 {}개", headers.len() - SHOWN_HEADERS));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_strips_controls_and_cuts() {
        assert_eq!(shown("a\0b\u{1b}c", 10), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(shown("가나다라", 2), "가나…");
        let many: Vec<String> = (0..50).map(|i| i.to_string()).collect();
        assert!(shown_headers(&many).ends_with("… 외 10개"));
        assert_eq!(human_bytes(MAX_ZIP_ENTRY_BYTES), "32 MiB");
    }
}
