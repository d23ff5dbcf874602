//! Reading a bundle: every check before an op is trusted, then the ops one by one, with the
//! payload's checksum, length and counts verified after the last.

use super::crypto::{Decryption, decrypt};
use super::manifest::{EncryptionKind, Manifest, Tally};
use super::{
    BundleError, FORMAT_VERSION, HEADER_LEN, MAGIC, MAX_MANIFEST_LEN, MAX_OP_LEN, MODE_AGE,
    MODE_PLAIN, WINDOW_LOG_MAX, corrupt, io_err,
};
use crate::model::Op;
use crate::sync::keys::format_verifying_key;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The payload bytes of the body: at most `remaining`, hashed as they pass, remembering the kind
/// of the first error from below (truncation or failed decryption).
struct PayloadReader {
    inner: Box<dyn Read + Send>,
    remaining: u64,
    hasher: Sha256,
    read: u64,
    failure: Option<io::ErrorKind>,
}

impl Read for PayloadReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        match self.inner.read(&mut buf[..want]) {
            Ok(n) => {
                self.hasher.update(&buf[..n]);
                self.remaining -= n as u64;
                self.read += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failure.get_or_insert(e.kind());
                Err(e)
            }
        }
    }
}

impl PayloadReader {
    fn new(inner: Box<dyn Read + Send>, len: u64) -> Self {
        PayloadReader {
            inner,
            remaining: len,
            hasher: Sha256::new(),
            read: 0,
            failure: None,
        }
    }

    /// Reads the rest of the payload (so the hash covers every byte, and age authenticates the
    /// last chunk) and then whatever follows it. Returns false if bytes followed the payload.
    fn drain(&mut self) -> bool {
        let _ = io::copy(self, &mut io::sink());
        if self.failure.is_some() {
            return true;
        }
        let mut extra = [0u8; 1];
        loop {
            match self.inner.read(&mut extra) {
                Ok(0) => return true,
                Ok(_) => return false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failure = Some(e.kind());
                    return true;
                }
            }
        }
    }

    /// After [`PayloadReader::drain`]: truncation, failed decryption, a hash that is not the
    /// manifest's, or bytes after the payload, as an error.
    fn verdict(&self, path: &Path, clean_end: bool, sha256: &str) -> Result<(), BundleError> {
        let p = || path.to_owned();
        if self.failure == Some(io::ErrorKind::UnexpectedEof) || self.remaining > 0 {
            return Err(BundleError::Truncated { path: p() });
        }
        if self.failure.is_some() {
            return Err(BundleError::Tampered { path: p() });
        }
        if hex::encode(self.hasher.clone().finalize()) != sha256 {
            return Err(BundleError::Tampered { path: p() });
        }
        if !clean_end {
            return Err(corrupt(p(), "bytes after the payload"));
        }
        Ok(())
    }
}

/// The decompressed op lines, at most [`MAX_OP_LEN`] bytes per op the manifest counts.
type OpLines = BufReader<io::Take<zstd::stream::read::Decoder<'static, BufReader<PayloadReader>>>>;

/// A verified bundle whose ops are read one by one. The manifest and signature are already
/// checked; the payload checksum, length and counts are checked after the last op, so the
/// iteration's final item is an error if any fails. After the first error it yields nothing.
pub struct BundleReader {
    path: PathBuf,
    manifest: Manifest,
    signer: VerifyingKey,
    lines: OpLines,
    line: Vec<u8>,
    tally: Tally,
    done: bool,
}

impl std::fmt::Debug for BundleReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleReader")
            .field("path", &self.path)
            .field("manifest", &self.manifest)
            .finish_non_exhaustive()
    }
}

impl BundleReader {
    /// The verified manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The key that signed the manifest (check it against the known peer).
    pub fn signer(&self) -> &VerifyingKey {
        &self.signer
    }

    /// Payload bytes read so far and in all, for a progress gauge.
    pub fn progress(&self) -> (u64, u64) {
        (self.payload().read, self.manifest.payload_len)
    }

    fn payload(&self) -> &PayloadReader {
        self.lines.get_ref().get_ref().get_ref().get_ref()
    }

    fn payload_mut(&mut self) -> &mut PayloadReader {
        self.lines.get_mut().get_mut().get_mut().get_mut()
    }

    fn error(&self, make: impl FnOnce(PathBuf) -> BundleError) -> BundleError {
        make(self.path.clone())
    }

    /// The error for a payload that failed to decode (`what`) or to verify.
    fn classify(&mut self, what: Option<&str>) -> Option<BundleError> {
        let clean_end = self.payload_mut().drain();
        if let Err(e) = self
            .payload()
            .verdict(&self.path, clean_end, &self.manifest.payload_sha256)
        {
            return Some(e);
        }
        if let Some(what) = what {
            return Some(self.error(|path| corrupt(path, what)));
        }
        let what = self.tally.mismatch(&self.manifest)?;
        Some(self.error(|path| BundleError::CountMismatch {
            path,
            what: what.to_owned(),
        }))
    }

    fn next_op(&mut self) -> Result<Option<Op>, Option<BundleError>> {
        self.line.clear();
        if self.tally.op_count >= self.manifest.op_count {
            // Every op the manifest counts was read: the payload must end here.
            return match self.lines.fill_buf() {
                Ok([]) => Err(self.classify(None)),
                Ok(_) => Err(self.classify(Some("more ops than the manifest counts"))),
                Err(_) => Err(self.classify(Some("payload stream"))),
            };
        }
        let mut limited = (&mut self.lines).take(MAX_OP_LEN);
        match limited.read_until(b'\n', &mut self.line) {
            Ok(0) => return Err(self.classify(None)),
            Ok(_) => {}
            Err(_) => return Err(self.classify(Some("payload stream"))),
        }
        if self.line.last() != Some(&b'\n') {
            return Err(self.classify(Some("op record too long or unterminated")));
        }
        match serde_json::from_slice::<Op>(&self.line) {
            Ok(op) => {
                self.tally.add(&op);
                Ok(Some(op))
            }
            Err(_) => Err(self.classify(Some("op record"))),
        }
    }
}

impl Iterator for BundleReader {
    type Item = Result<Op, BundleError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_op() {
            Ok(op) => op.map(Ok),
            Err(err) => {
                self.done = true;
                err.map(Err)
            }
        }
    }
}

/// Opens and verifies a bundle up to its payload: magic, format version, length, decryption,
/// manifest, signature, `expected_signer` (when the caller knows the peer's key), schema
/// version (refused if above `supported_schema`), and then the payload itself: its bytes as
/// recorded (still compressed) are hashed against the manifest's SHA-256 in a first pass,
/// before a single byte is decompressed, so a bomb behind a genuine manifest is refused at the
/// cost of reading (and, if encrypted, decrypting) the file twice. Iterate the reader for the
/// ops; decompression is bounded by [`MAX_OP_LEN`] per op the manifest counts, and the
/// checksum is checked again after the last op (the file could change between the passes).
pub fn open_bundle(
    path: &Path,
    decryption: &Decryption,
    supported_schema: u32,
    expected_signer: Option<&VerifyingKey>,
) -> Result<BundleReader, BundleError> {
    let (version, mode, mut body) = open_body(path, decryption)?;
    let manifest_bytes = read_manifest(path, &mut body)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|_| corrupt(path.to_owned(), "manifest"))?;
    let mode_matches = match manifest.encryption {
        EncryptionKind::Plain => mode == MODE_PLAIN,
        EncryptionKind::Passphrase | EncryptionKind::Recipients => mode == MODE_AGE,
    };
    let signer = manifest.verify().ok_or_else(|| BundleError::BadSignature {
        path: path.to_owned(),
    })?;
    if manifest.format_version != version || !mode_matches {
        return Err(BundleError::Tampered {
            path: path.to_owned(),
        });
    }
    if let Some(expected) = expected_signer
        && *expected != signer
    {
        return Err(BundleError::UnexpectedSigner {
            path: path.to_owned(),
            expected: format_verifying_key(expected),
            found: manifest.signer.clone(),
        });
    }
    if manifest.schema_version > supported_schema {
        return Err(BundleError::NewerSchema {
            path: path.to_owned(),
            found: manifest.schema_version,
            supported: supported_schema,
        });
    }
    // First pass: the payload as recorded must be the one the manifest signs for.
    let mut first = PayloadReader::new(body, manifest.payload_len);
    let clean_end = first.drain();
    first.verdict(path, clean_end, &manifest.payload_sha256)?;
    drop(first);
    // Second pass: the same file again, decompressed this time.
    let (_, _, mut body) = open_body(path, decryption)?;
    if read_manifest(path, &mut body)? != manifest_bytes {
        return Err(BundleError::Tampered {
            path: path.to_owned(),
        });
    }
    let payload = PayloadReader::new(body, manifest.payload_len);
    let io = io_err(path);
    let mut decoder =
        zstd::stream::read::Decoder::with_buffer(BufReader::new(payload)).map_err(&io)?;
    decoder.window_log_max(WINDOW_LOG_MAX).map_err(&io)?;
    let limit = manifest.op_count.saturating_mul(MAX_OP_LEN);
    Ok(BundleReader {
        path: path.to_owned(),
        manifest,
        signer,
        lines: BufReader::with_capacity(64 * 1024, decoder.take(limit)),
        line: Vec::with_capacity(512),
        tally: Tally::default(),
        done: false,
    })
}

/// Opens the file, checks its clear header and opens the body (decrypting if needed).
/// Returns (format version, mode, body).
fn open_body(
    path: &Path,
    decryption: &Decryption,
) -> Result<(u8, u8, Box<dyn Read + Send>), BundleError> {
    let io = io_err(path);
    let file = File::open(path).map_err(&io)?;
    let actual_len = file.metadata().map_err(&io)?.len();
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let (version, mode) = read_header(path, &mut input, actual_len)?;
    let body: Box<dyn Read + Send> = match mode {
        MODE_PLAIN => Box::new(input),
        MODE_AGE => decrypt(path, input, decryption)?,
        _ => return Err(corrupt(path.to_owned(), "unknown encryption mode")),
    };
    Ok((version, mode, body))
}

/// Opens, verifies and reads a whole bundle into memory (see [`open_bundle`]). Returns the
/// manifest, the signer's key and the ops; an error means nothing of the bundle may be used.
pub fn read_bundle(
    path: &Path,
    decryption: &Decryption,
    supported_schema: u32,
    expected_signer: Option<&VerifyingKey>,
) -> Result<(Manifest, VerifyingKey, Vec<Op>), BundleError> {
    let mut reader = open_bundle(path, decryption, supported_schema, expected_signer)?;
    let mut ops = Vec::new();
    for op in &mut reader {
        ops.push(op?);
    }
    Ok((reader.manifest, reader.signer, ops))
}

/// Reads as many bytes as are there, up to `buf.len()`.
fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Checks the clear header; returns (format version, mode).
fn read_header(
    path: &Path,
    input: &mut impl Read,
    actual_len: u64,
) -> Result<(u8, u8), BundleError> {
    let mut header = [0u8; HEADER_LEN];
    let n = read_up_to(input, &mut header).map_err(io_err(path))?;
    let p = || path.to_owned();
    let magic_len = n.min(MAGIC.len());
    if header[..magic_len] != MAGIC[..magic_len] {
        return Err(BundleError::NotABundle { path: p() });
    }
    if n < HEADER_LEN {
        return Err(BundleError::Truncated { path: p() });
    }
    let version = header[8];
    if version != FORMAT_VERSION {
        return Err(BundleError::UnsupportedFormat {
            path: p(),
            found: version,
        });
    }
    let mut len_bytes = [0u8; 8];
    len_bytes.copy_from_slice(&header[10..18]);
    let declared = u64::from_le_bytes(len_bytes);
    if actual_len < declared {
        return Err(BundleError::Truncated { path: p() });
    }
    if actual_len > declared {
        return Err(corrupt(p(), "file longer than its header says"));
    }
    Ok((version, header[9]))
}

/// The manifest's bytes (JSON, parsed by the caller).
fn read_manifest(path: &Path, body: &mut impl Read) -> Result<Vec<u8>, BundleError> {
    let body_err = |e: io::Error| match e.kind() {
        io::ErrorKind::UnexpectedEof => BundleError::Truncated {
            path: path.to_owned(),
        },
        io::ErrorKind::InvalidData => BundleError::Tampered {
            path: path.to_owned(),
        },
        _ => io_err(path)(e),
    };
    let mut len = [0u8; 4];
    body.read_exact(&mut len).map_err(body_err)?;
    let len = u32::from_le_bytes(len);
    if len > MAX_MANIFEST_LEN {
        return Err(corrupt(path.to_owned(), "manifest length"));
    }
    let mut bytes = Vec::new();
    body.take(u64::from(len))
        .read_to_end(&mut bytes)
        .map_err(body_err)?;
    if bytes.len() < len as usize {
        return Err(BundleError::Truncated {
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}
