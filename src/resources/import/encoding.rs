//! Character encodings: choosing one (`--encoding`), detecting it, and decoding a byte stream into
//! UTF-8 chunk by chunk while remembering on which line each undecodable byte sat.

use encoding_rs::{DecoderResult, EUC_KR, Encoding, UTF_8};
use std::collections::VecDeque;
use std::io::{self, Read};

/// How the input's character encoding is chosen (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// BOM, then strict UTF-8, then a statistical guess with a Korean hint.
    #[default]
    Auto,
    /// This encoding, whatever the file looks like.
    Fixed(&'static Encoding),
}

impl EncodingChoice {
    /// Parses an `--encoding` value: `auto`, `utf-8`, `cp949` (also `ms949`, `uhc`, `windows-949`,
    /// `euc-kr`, all meaning windows-949) or any WHATWG label such as `utf-16le`.
    pub fn parse(label: &str) -> Option<Self> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "auto" | "" => Some(Self::Auto),
            "cp949" | "ms949" | "uhc" | "windows-949" | "windows949" | "euc-kr" | "euckr" => {
                Some(Self::Fixed(EUC_KR))
            }
            "utf8" => Some(Self::Fixed(UTF_8)),
            _ => Encoding::for_label(l.as_bytes()).map(Self::Fixed),
        }
    }
}

/// The name shown to people: `cp949` for encoding_rs's EUC-KR (which is windows-949).
pub fn display_name(enc: &'static Encoding) -> String {
    if enc == EUC_KR {
        "cp949".to_owned()
    } else {
        enc.name().to_ascii_lowercase()
    }
}

/// Is this byte slice binary rather than text? (A NUL byte outside UTF-16.)
pub(crate) fn first_nul(head: &[u8]) -> Option<usize> {
    head.iter().position(|&b| b == 0)
}

/// Detects the encoding of a text file from its first bytes. `head` is the start of the file and
/// `sample` a stretch holding its first non-ASCII bytes (both may be the same slice).
/// Returns the encoding and the length of a BOM to skip.
pub(crate) fn detect(head: &[u8], sample: &[u8]) -> (&'static Encoding, usize) {
    if let Some((enc, bom_len)) = Encoding::for_bom(head) {
        return (enc, bom_len);
    }
    if sample.is_ascii() || is_utf8_prefix(sample) || mostly_utf8(sample) {
        return (UTF_8, 0);
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(sample, false);
    (det.guess(Some(b"kr"), chardetng::Utf8Detection::Deny), 0)
}

/// Text that starts as UTF-8 (several multi-byte characters, which CP949 text almost never
/// forms by chance) and only later holds bytes that are not: a file saved in parts by different
/// programs. Read as UTF-8, the bad lines are rejected by number instead of the whole file being
/// misread as CP949 and blamed on line 1.
fn mostly_utf8(sample: &[u8]) -> bool {
    let start = sample
        .iter()
        .take(3)
        .take_while(|&&b| (0x80..0xC0).contains(&b))
        .count();
    let valid = match std::str::from_utf8(&sample[start..]) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&sample[start..start + e.valid_up_to()]).unwrap_or(""),
    };
    valid.chars().filter(|c| c.len_utf8() >= 3).count() >= 4
}

/// Strict UTF-8 check of a window cut out of a file: a sequence cut at either edge is allowed.
fn is_utf8_prefix(sample: &[u8]) -> bool {
    let start = sample
        .iter()
        .take(3)
        .take_while(|&&b| (0x80..0xC0).contains(&b))
        .count();
    match std::str::from_utf8(&sample[start..]) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

const IN_CHUNK: usize = 64 * 1024;
const OUT_CHUNK: usize = 3 * IN_CHUNK + 16;
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// A `Read` adapter that turns bytes in some encoding into UTF-8, in bounded chunks (flat memory).
/// Undecodable bytes become U+FFFD *and* their line number is queued, so the caller can reject
/// every record that contains one instead of importing a replaced character silently.
pub(crate) struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    done: bool,
    out: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    /// 1-based line number at the start of `out`.
    line: u64,
    malformed: VecDeque<u64>,
    raw_bytes: u64,
    /// A `\r` held back from the end of the last chunk, in case a `\n` follows.
    pending_cr: bool,
    /// Decoded bytes handed out so far, and that count when the current record began.
    delivered: u64,
    mark: u64,
}

/// The error a [`DecodingReader`] gives when one record grows past
/// [`MAX_RECORD_BYTES`](super::limits::MAX_RECORD_BYTES).
#[derive(Debug, thiserror::Error)]
#[error("record longer than {0} bytes")]
pub(crate) struct RecordTooLong(pub(crate) u64);

impl<R: Read> DecodingReader<R> {
    /// Decodes `inner` (positioned after any BOM) as `enc`.
    pub(crate) fn new(inner: R, enc: &'static Encoding) -> Self {
        Self {
            inner,
            decoder: enc.new_decoder_without_bom_handling(),
            input: vec![0; IN_CHUNK],
            in_start: 0,
            in_end: 0,
            eof: false,
            done: false,
            out: vec![0; OUT_CHUNK],
            out_pos: 0,
            out_len: 0,
            line: 1,
            malformed: VecDeque::new(),
            raw_bytes: 0,
            pending_cr: false,
            delivered: 0,
            mark: 0,
        }
    }

    /// Marks the start of a record: from here at most
    /// [`MAX_RECORD_BYTES`](super::limits::MAX_RECORD_BYTES) more are handed out before the
    /// next mark (the reader's own buffer of up to 64 KiB aside), else reading fails with
    /// [`RecordTooLong`]. So a line that never ends, or a quote never closed, cannot grow a
    /// record without bound.
    pub(crate) fn mark_record(&mut self) {
        self.mark = self.delivered;
    }

    /// Raw bytes consumed from the underlying reader so far (for progress).
    pub(crate) fn raw_bytes(&self) -> u64 {
        self.raw_bytes
    }

    /// Drops queued malformed-byte lines before `line` and tells whether any lies in
    /// `line..=last`.
    pub(crate) fn take_malformed_in(&mut self, line: u64, last: u64) -> bool {
        while self.malformed.front().is_some_and(|&l| l < line) {
            self.malformed.pop_front();
        }
        self.malformed.front().is_some_and(|&l| l <= last)
    }

    /// Decodes the next chunk, then turns CRLF into LF so that the CSV reader counts physical
    /// lines the same way for both line ends (it counts a record's CRLF only when reading the next
    /// record).
    fn fill(&mut self) -> io::Result<()> {
        self.decode_chunk()?;
        let mut len = crlf_to_lf(&mut self.out[..self.out_len]);
        self.pending_cr = !self.done && len > 0 && self.out[len - 1] == b'\r';
        if self.pending_cr {
            len -= 1;
        }
        self.out_len = len;
        Ok(())
    }

    fn decode_chunk(&mut self) -> io::Result<()> {
        // Count the lines of the chunk we are about to discard.
        self.line += count_newlines(&self.out[..self.out_len]);
        self.out_pos = 0;
        self.out_len = 0;
        if self.pending_cr {
            self.out[0] = b'\r';
            self.out_len = 1;
        }
        if self.in_start == self.in_end && !self.eof {
            let n = read_retry(&mut self.inner, &mut self.input)?;
            self.raw_bytes += n as u64;
            self.in_start = 0;
            self.in_end = n;
            self.eof = n == 0;
        }
        let last = self.eof;
        loop {
            let src = &self.input[self.in_start..self.in_end];
            // Keep room for one replacement character after the decoder's output.
            let dst_end = self.out.len() - REPLACEMENT.len();
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                src,
                &mut self.out[self.out_len..dst_end],
                last,
            );
            self.in_start += read;
            self.out_len += written;
            match result {
                DecoderResult::InputEmpty => {
                    if last {
                        self.done = true;
                    }
                    return Ok(());
                }
                DecoderResult::OutputFull => return Ok(()),
                DecoderResult::Malformed(_, _) => {
                    let line = self.line + count_newlines(&self.out[..self.out_len]);
                    self.malformed.push_back(line);
                    self.out[self.out_len..self.out_len + REPLACEMENT.len()]
                        .copy_from_slice(REPLACEMENT);
                    self.out_len += REPLACEMENT.len();
                    if self.out.len() - self.out_len < REPLACEMENT.len() + 8 {
                        return Ok(());
                    }
                }
            }
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let limit = super::limits::MAX_RECORD_BYTES;
        if self.delivered - self.mark >= limit {
            return Err(io::Error::other(RecordTooLong(limit)));
        }
        while self.out_pos == self.out_len {
            if self.done {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        self.delivered += n as u64;
        Ok(n)
    }
}

/// Removes every `\r` directly followed by `\n`, in place; returns the new length.
fn crlf_to_lf(buf: &mut [u8]) -> usize {
    let mut w = 0;
    for r in 0..buf.len() {
        if buf[r] == b'\r' && buf.get(r + 1) == Some(&b'\n') {
            continue;
        }
        buf[w] = buf[r];
        w += 1;
    }
    w
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// `read` that retries on `Interrupted`.
pub(crate) fn read_retry<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], enc: &'static Encoding) -> (String, Vec<u64>) {
        let mut r = DecodingReader::new(bytes, enc);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        let lines = r.malformed.iter().copied().collect();
        (s, lines)
    }

    #[test]
    fn labels() {
        for l in ["cp949", "MS949", "uhc", "windows-949", "euc-kr"] {
            assert_eq!(
                EncodingChoice::parse(l),
                Some(EncodingChoice::Fixed(EUC_KR)),
                "{l}"
            );
        }
        assert_eq!(
            EncodingChoice::parse("utf-8"),
            Some(EncodingChoice::Fixed(UTF_8))
        );
        assert_eq!(EncodingChoice::parse("auto"), Some(EncodingChoice::Auto));
        assert_eq!(EncodingChoice::parse("klingon"), None);
    }

    #[test]
    fn cp949_decodes_and_marks_bad_line() {
        let (enc, _, _) = EUC_KR.encode("가,나\n똠,다\n");
        let mut bytes = enc.into_owned();
        // Truncate a lead byte in the middle of line 3.
        bytes.extend_from_slice(b"x\xB0,y\n\xB0\xA1,z\n");
        let (s, lines) = decode_all(&bytes, EUC_KR);
        assert!(s.starts_with("가,나\n똠,다\nx\u{FFFD},y\n가,z\n"), "{s}");
        assert_eq!(lines, vec![3]);
    }

    #[test]
    fn crlf_becomes_lf_even_across_chunks() {
        let mut text = "a".repeat(IN_CHUNK - 1);
        text.push_str("\r\nb\r\n\"x\ry\"\r");
        let (s, _) = decode_all(text.as_bytes(), UTF_8);
        assert_eq!(&s[IN_CHUNK - 1..], "\nb\n\"x\ry\"\r");
    }

    #[test]
    fn truncated_at_eof_is_reported() {
        let (_, lines) = decode_all(b"a\nb\xB0", EUC_KR);
        assert_eq!(lines, vec![2]);
    }

    #[test]
    fn detection() {
        let cp = EUC_KR.encode("기관명,주소\n똠방,전주시 완산구 효자동\n").0;
        assert_eq!(detect(&cp, &cp).0, EUC_KR);
        let u = "기관명,주소\n".as_bytes();
        assert_eq!(detect(u, u).0, UTF_8);
        let bom = b"\xEF\xBB\xBFa";
        assert_eq!(detect(bom, bom), (UTF_8, 3));
        let le = b"\xFF\xFEa\0";
        assert_eq!(detect(le, le).0, encoding_rs::UTF_16LE);
    }
}
