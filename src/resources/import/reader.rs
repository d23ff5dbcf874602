//! Record sources: a header row plus records of text cells, each with its line number.
//! CSV streams through [`DecodingReader`]; spreadsheets, JSON and HSDS are small enough to load.

use super::encoding::{self, DecodingReader, RecordTooLong, display_name};
use super::limits::{self, MAX_WHOLE_FILE_BYTES};
use super::{Format, ImportError, ImportOptions, RowError};
use csv::StringRecord;
use encoding_rs::Encoding;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const HEAD_LEN: usize = 64 * 1024;

/// The first bytes of a file and, if they are all ASCII, a later stretch with non-ASCII bytes.
pub(super) struct Sniff {
    pub(super) head: Vec<u8>,
    pub(super) sample: Option<Vec<u8>>,
}

pub(super) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_owned(),
        source,
    }
}

pub(super) fn sniff(file: &mut File, path: &Path) -> Result<Sniff, ImportError> {
    let err = io_err(path);
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.by_ref()
        .take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(&err)?;
    let mut sample = None;
    if head.is_ascii() && head.len() == HEAD_LEN {
        // Look further for the first non-ASCII stretch (scanning, not keeping, the file).
        let mut buf = vec![0u8; HEAD_LEN];
        loop {
            let n = encoding::read_retry(file, &mut buf).map_err(&err)?;
            if n == 0 {
                break;
            }
            if let Some(p) = buf[..n].iter().position(|b| !b.is_ascii()) {
                sample = Some(buf[p.saturating_sub(4)..n].to_vec());
                break;
            }
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(&err)?;
    Ok(Sniff { head, sample })
}

/// Refuses anything but a regular file (after following links) before it is opened: opening a
/// FIFO blocks until someone writes, and a device such as `/dev/zero` never ends.
pub(super) fn regular_file(path: &Path) -> Result<(), ImportError> {
    let meta = std::fs::metadata(path).map_err(io_err(path))?;
    if meta.is_file() {
        Ok(())
    } else {
        Err(ImportError::NotAFile {
            path: path.to_owned(),
        })
    }
}

/// Detects the format from the extension, else from the content.
pub(crate) fn detect_format(path: &Path, head: &[u8]) -> Format {
    if path.is_dir() {
        return Format::Hsds;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => return Format::Csv,
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => return Format::Spreadsheet,
        "json" => return Format::Json,
        _ => {}
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Format::Spreadsheet
    } else if head
        .iter()
        .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        .is_some_and(|&b| b == b'[' || b == b'{')
    {
        Format::Json
    } else {
        Format::Csv
    }
}

/// Picks the delimiter among `,` `;` tab by counting them (outside quotes) in the header line.
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// A source of records: a header row, then rows of cells.
pub(crate) enum Source {
    Csv(Box<CsvSource>),
    Memory(MemorySource),
}

/// Outcome of reading one record.
pub(crate) enum Next<'a> {
    Record(u64, &'a StringRecord),
    Reject(RowError),
    End,
}

impl Source {
    pub(crate) fn headers(&self) -> &[String] {
        match self {
            Source::Csv(c) => &c.headers,
            Source::Memory(m) => &m.headers,
        }
    }

    /// Reads the next record. Rows with undecodable bytes, NUL characters or the wrong number of
    /// cells are rejected here.
    pub(crate) fn next_record(&mut self) -> Result<Next<'_>, ImportError> {
        match self {
            Source::Csv(c) => c.next_record(),
            Source::Memory(m) => Ok(m.next_record()),
        }
    }

    /// (bytes read, total bytes) for a progress bar.
    pub(crate) fn progress(&self) -> (u64, u64) {
        match self {
            Source::Csv(c) => (c.reader.get_ref().raw_bytes(), c.total),
            Source::Memory(m) => (m.pos as u64, m.rows.len() as u64),
        }
    }
}

/// Streaming CSV.
pub(crate) struct CsvSource {
    path: Arc<Path>,
    encoding: &'static Encoding,
    reader: csv::Reader<DecodingReader<BufReader<File>>>,
    headers: Vec<String>,
    record: StringRecord,
    total: u64,
    delimiter: u8,
}

impl CsvSource {
    fn next_record(&mut self) -> Result<Next<'_>, ImportError> {
        let start = self.reader.position().line();
        self.reader.get_mut().mark_record();
        let read = self.reader.read_record(&mut self.record);
        let line = self.record.position().map_or(0, |p| p.line());
        match read {
            Ok(false) => return Ok(Next::End),
            Ok(true) => {}
            Err(e) => return Err(csv_error(&self.path, e, start)),
        }
        let end = self.reader.position().line().max(line + 1) - 1;
        if end > line && self.swallowed() {
            return Err(ImportError::Read {
                path: self.path.to_path_buf(),
                line,
                message: format!(
                    "따옴표(\")가 닫히지 않아 {line}–{end}행({}줄)이 한 행으로 읽혔습니다 — 그 사이의 행을 잃지 않도록 가져오기를 멈춥니다. 따옴표를 고친 뒤 다시 가져오세요 (unterminated quote)",
                    end - line + 1
                ),
            });
        }
        let reject = |reason: String| {
            Ok(Next::Reject(RowError {
                path: self.path.clone(),
                line,
                reason,
            }))
        };
        if self.reader.get_mut().take_malformed_in(line, end) {
            let name = display_name(self.encoding);
            return reject(format!(
                "잘못된 바이트 — {name}(으)로 읽을 수 없습니다 (invalid byte sequence for {name})"
            ));
        }
        if self.record.iter().any(|f| f.contains('\0')) {
            return reject("NUL 문자가 들어 있습니다 (이진 데이터?)".to_owned());
        }
        let (n, want) = (self.record.len(), self.headers.len());
        if n != want {
            let what = if n > want {
                "많습니다"
            } else {
                "적습니다"
            };
            return reject(format!("열이 너무 {what}: {n}개 (머리글은 {want}개)"));
        }
        Ok(Next::Record(line, &self.record))
    }

    /// Whether a record spanning several lines is really rows swallowed by an unclosed quote:
    /// it has the wrong number of cells, or a quoted line break is followed by a line that
    /// holds a whole row's worth of delimiters.
    fn swallowed(&self) -> bool {
        let want = self.headers.len();
        if self.record.len() != want {
            return true;
        }
        want >= 2
            && self.record.iter().any(|cell| {
                cell.split('\n')
                    .skip(1)
                    .any(|l| l.bytes().filter(|&b| b == self.delimiter).count() + 1 >= want)
            })
    }
}

/// A CSV reading failure; `start` is the line the record began on (the CSV reader does not know
/// it for I/O errors).
fn csv_error(path: &Path, e: csv::Error, start: u64) -> ImportError {
    let line = e.position().map_or(start, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::Io(io) => {
            match io.get_ref().and_then(|i| i.downcast_ref::<RecordTooLong>()) {
                Some(RecordTooLong(limit)) => format!(
                    "한 행이 한도 {}를 넘습니다 — 줄바꿈이 없거나 따옴표(\")가 닫히지 않았습니다 (record too long)",
                    limits::human_bytes(*limit)
                ),
                None => e.to_string(),
            }
        }
        _ => e.to_string(),
    };
    ImportError::Read {
        path: path.to_owned(),
        line,
        message,
    }
}

/// Records already in memory (spreadsheet, JSON, HSDS).
pub(crate) struct MemorySource {
    pub(super) headers: Vec<String>,
    pub(super) rows: Vec<(u64, StringRecord)>,
    pub(super) pos: usize,
}

impl MemorySource {
    fn next_record(&mut self) -> Next<'_> {
        match self.rows.get(self.pos) {
            Some((line, rec)) => {
                self.pos += 1;
                Next::Record(*line, rec)
            }
            None => Next::End,
        }
    }
}

/// What was opened, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub path: PathBuf,
    pub format: Format,
    /// `utf-8`, `cp949`, … (`None` for spreadsheets).
    pub encoding: Option<String>,
    /// The header row as found.
    pub headers: Vec<String>,
}

pub(super) fn choose_encoding(
    path: &Path,
    opts: &ImportOptions,
    s: &Sniff,
) -> Result<(&'static Encoding, usize), ImportError> {
    let (enc, bom) = match opts.encoding {
        encoding::EncodingChoice::Auto => {
            encoding::detect(&s.head, s.sample.as_deref().unwrap_or(&s.head))
        }
        encoding::EncodingChoice::Fixed(enc) => {
            let bom = match Encoding::for_bom(&s.head) {
                Some((b, len)) if b == enc => len,
                _ => 0,
            };
            (enc, bom)
        }
    };
    let utf16 = enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE;
    if !utf16 && let Some(offset) = encoding::first_nul(&s.head) {
        return Err(ImportError::Binary {
            path: path.to_owned(),
            offset: offset as u64,
        });
    }
    Ok((enc, bom))
}

pub(super) fn csv_source(
    path: &Path,
    mut file: File,
    enc: &'static Encoding,
    bom: usize,
    head: &[u8],
) -> Result<CsvSource, ImportError> {
    let err = io_err(path);
    let total = file.metadata().map_err(&err)?.len();
    file.seek(SeekFrom::Start(bom as u64)).map_err(&err)?;
    // Delimiters are ASCII, so counting them in the raw bytes works for UTF-8 and CP949 alike;
    // UTF-16 is sniffed after decoding the head.
    let delimiter = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        sniff_delimiter(enc.decode_without_bom_handling(&head[bom..]).0.as_bytes())
    } else {
        sniff_delimiter(&head[bom..])
    };
    let decoder = DecodingReader::new(BufReader::with_capacity(64 * 1024, file), enc);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(64 * 1024)
        .from_reader(decoder);
    let mut header = StringRecord::new();
    let path_arc: Arc<Path> = Arc::from(path);
    if !reader
        .read_record(&mut header)
        .map_err(|e| csv_error(path, e, 1))?
    {
        return Err(ImportError::Empty {
            path: path.to_owned(),
        });
    }
    let line = header.position().map_or(1, |p| p.line());
    let end = reader.position().line().max(line + 1) - 1;
    if reader.get_mut().take_malformed_in(line, end) {
        return Err(ImportError::Read {
            path: path.to_owned(),
            line,
            message: format!(
                "머리글에 잘못된 바이트가 있습니다 — {0}(으)로 읽을 수 없습니다 (invalid byte sequence for {0}); --encoding 을 확인하세요",
                display_name(enc)
            ),
        });
    }
    let headers = header.iter().map(|h| h.trim().to_owned()).collect();
    Ok(CsvSource {
        path: path_arc,
        encoding: enc,
        reader,
        headers,
        record: StringRecord::new(),
        total,
        delimiter,
    })
}

/// Reads a whole (small) text file strictly in `enc`; the error names the line of the first bad
/// byte.
pub(super) fn read_text(
    path: &Path,
    mut file: File,
    enc: &'static Encoding,
    bom: usize,
) -> Result<String, ImportError> {
    let bytes = read_capped(path, &mut file)?;
    let err = io_err(path);
    let body = &bytes[bom.min(bytes.len())..];
    match enc.decode_without_bom_handling_and_without_replacement(body) {
        Some(text) => Ok(text.into_owned()),
        None => {
            let mut r = DecodingReader::new(body, enc);
            let mut sink = Vec::new();
            r.read_to_end(&mut sink).map_err(&err)?;
            let line = if r.take_malformed_in(0, u64::MAX) {
                first_malformed(body, enc)
            } else {
                0
            };
            Err(ImportError::Read {
                path: path.to_owned(),
                line,
                message: format!(
                    "잘못된 바이트 — {0}(으)로 읽을 수 없습니다 (invalid byte sequence for {0})",
                    display_name(enc)
                ),
            })
        }
    }
}

/// Reads a whole file of at most [`MAX_WHOLE_FILE_BYTES`].
pub(super) fn read_capped(path: &Path, file: &mut File) -> Result<Vec<u8>, ImportError> {
    let mut bytes = Vec::new();
    file.take(MAX_WHOLE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    if bytes.len() as u64 > MAX_WHOLE_FILE_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_owned(),
            what: "파일".to_owned(),
            limit: MAX_WHOLE_FILE_BYTES,
        });
    }
    Ok(bytes)
}

fn first_malformed(body: &[u8], enc: &'static Encoding) -> u64 {
    let mut line = 1;
    for chunk in body.split_inclusive(|&b| b == b'\n') {
        if enc
            .decode_without_bom_handling_and_without_replacement(chunk)
            .is_none()
        {
            return line;
        }
        line += 1;
    }
    line
}

/// A small table read whole: header row and numbered rows of cells.
pub(crate) type Table = (Vec<String>, Vec<(u64, Vec<String>)>);

/// Builds an in-memory source (used by the JSON and HSDS readers).
pub(crate) fn memory_source(headers: Vec<String>, rows: Vec<(u64, Vec<String>)>) -> MemorySource {
    MemorySource {
        headers,
        rows: rows
            .into_iter()
            .map(|(l, v)| (l, StringRecord::from(v)))
            .collect(),
        pos: 0,
    }
}

/// Reads a small CSV file fully (HSDS tables): headers and rows of cells, UTF-8 with or without BOM
/// (or whatever `opts` says).
pub(crate) fn read_small_csv(path: &Path, opts: &ImportOptions) -> Result<Table, ImportError> {
    regular_file(path)?;
    let mut file = File::open(path).map_err(io_err(path))?;
    if file.metadata().map_err(io_err(path))?.len() > MAX_WHOLE_FILE_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_owned(),
            what: "파일".to_owned(),
            limit: MAX_WHOLE_FILE_BYTES,
        });
    }
    let sniffed = sniff(&mut file, path)?;
    let (enc, bom) = choose_encoding(path, opts, &sniffed)?;
    let mut src = csv_source(path, file, enc, bom, &sniffed.head)?;
    let headers = src.headers.clone();
    let mut rows = Vec::new();
    loop {
        match src.next_record()? {
            Next::Record(line, rec) => rows.push((line, rec.iter().map(str::to_owned).collect())),
            Next::Reject(e) => {
                return Err(ImportError::Read {
                    path: path.to_owned(),
                    line: e.line,
                    message: e.reason,
                });
            }
            Next::End => break,
        }
    }
    Ok((headers, rows))
}
