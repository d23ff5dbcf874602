//! Bundle files: a signed manifest and a zstd-compressed JSON-lines payload of [`Op`]s,
//! encrypted with age unless written plain.
//!
//! # Layout
//! ```text
//! header (18 bytes, clear):  "DOLBOMSB"  format version (u8)  mode (u8: 'P' plain, 'A' age)
//!                            total file length (u64 LE)
//! body (age-encrypted when mode = 'A', clear when 'P'):
//!     manifest length (u32 LE)   manifest (JSON)   payload (zstd frame of JSON lines, one Op each)
//! ```
//! The manifest carries the payload's length and SHA-256 and is signed with the origin site's
//! Ed25519 key (signature over the manifest's JSON without its `signature` field), so a plain
//! bundle is as tamper-evident as an encrypted one, and the receiver can prove the origin.
//! When encrypted, age also hides and authenticates the manifest. The clear header only says how
//! to read the rest; its bytes are cross-checked (format version and mode against the signed
//! manifest, length against the file), so a flipped header byte is refused too. The length lets
//! a reader tell a truncated copy (a pulled USB stick) from a damaged one before decrypting.
//!
//! # Reading order
//! [`open_bundle`] checks magic and format version, file length, decrypts, parses the manifest,
//! verifies the signature (and the expected signer, if given) and the schema version; then
//! [`BundleReader`] streams the ops, and only after the last one checks the payload's SHA-256,
//! length and the counts in the manifest. A caller applies ops inside one transaction and commits
//! only if the iterator ended without an error (or uses [`read_bundle`], which collects them).
//! Nothing here panics on any input.

use crate::model::Op;
use age::secrecy::SecretString;
use age::{DecryptError, Decryptor, Encryptor, scrypt, x25519};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::keys::{format_verifying_key, parse_verifying_key};

/// First bytes of every bundle file.
pub const MAGIC: &[u8; 8] = b"DOLBOMSB";
/// Version of the file layout written by this code.
pub const FORMAT_VERSION: u8 = 1;
/// zstd level for the payload. Measured on 1M random resident inserts: level 3 gives 73 bytes/op
/// at ~420k ops/s written; level 9 gives 69 bytes/op at 155k ops/s; level 15, 65 at 16k ops/s.
pub const ZSTD_LEVEL: i32 = 3;

const HEADER_LEN: usize = 18;
const MODE_PLAIN: u8 = b'P';
const MODE_AGE: u8 = b'A';
const MAX_MANIFEST_LEN: u32 = 4 << 20;
const MAX_LINE_LEN: u64 = 16 << 20;

/// Every way reading or writing a bundle can fail; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The file does not start with the bundle magic bytes.
    #[error("동기화 묶음 파일이 아닙니다 / not a sync bundle: {}", path.display())]
    NotABundle { path: PathBuf },
    /// The file is shorter than it says (an interrupted copy).
    #[error("묶음 파일이 잘려 있습니다(복사가 끝나지 않았을 수 있음) / bundle is truncated: {}", path.display())]
    Truncated { path: PathBuf },
    /// Written by a newer program with a layout this one cannot read.
    #[error(
        "지원하지 않는 묶음 형식({found})입니다. 프로그램을 업데이트하세요 / unsupported bundle format version {found}: {}",
        path.display()
    )]
    UnsupportedFormat { path: PathBuf, found: u8 },
    /// Encrypted with a passphrase, and none was given.
    #[error("암호로 잠긴 묶음입니다. 암호를 입력하세요 / bundle is passphrase-encrypted; give the passphrase: {}", path.display())]
    PassphraseRequired { path: PathBuf },
    /// Encrypted to site keys, and no site key was given.
    #[error("기관 키로 잠긴 묶음입니다 / bundle is encrypted to site keys; this site's key is needed: {}", path.display())]
    IdentityRequired { path: PathBuf },
    /// The passphrase does not open the bundle.
    #[error("암호가 틀렸습니다(또는 파일 손상) / wrong passphrase (or damaged file): {}", path.display())]
    WrongPassphrase { path: PathBuf },
    /// The bundle was not encrypted to any of the given site keys.
    #[error("이 기관 앞으로 암호화된 묶음이 아닙니다 / bundle is not encrypted to this site's key: {}", path.display())]
    NoMatchingIdentity { path: PathBuf },
    /// Structure damaged: unreadable header, manifest or op record.
    #[error("묶음 파일이 손상되었습니다({what}) / bundle is damaged ({what}): {}", path.display())]
    Corrupt { path: PathBuf, what: String },
    /// Content does not match its checksum or authentication tag.
    #[error("묶음 내용이 변경되었거나 손상되었습니다(체크섬 불일치) / bundle was altered or damaged (checksum mismatch): {}", path.display())]
    Tampered { path: PathBuf },
    /// The manifest's signature does not verify.
    #[error("서명이 올바르지 않습니다 / bad signature: {}", path.display())]
    BadSignature { path: PathBuf },
    /// Validly signed, but by a different key than the caller expected.
    #[error(
        "예상한 기관의 서명이 아닙니다(서명 {found}, 예상 {expected}) / signed by an unexpected key: {}",
        path.display()
    )]
    UnexpectedSigner {
        path: PathBuf,
        expected: String,
        found: String,
    },
    /// Made by a newer program whose database schema this one does not know.
    #[error(
        "더 새로운 버전에서 만든 묶음입니다(스키마 {found}, 지원 {supported}). 프로그램을 업데이트하세요 / bundle schema {found} is newer than supported {supported}: {}",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// The ops read do not match the manifest's counts or ranges.
    #[error("묶음의 항목 수가 목록과 다릅니다({what}) / ops do not match the manifest ({what}): {}", path.display())]
    CountMismatch { path: PathBuf, what: String },
    /// Encryption could not be set up (e.g. no recipients, bad work factor).
    #[error("암호화할 수 없습니다({detail}) / cannot encrypt bundle ({detail}): {}", path.display())]
    Encrypt { path: PathBuf, detail: String },
    /// Reading or writing the file failed.
    #[error("파일 입출력 오류 / I/O error on {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// How the body of a bundle is protected (recorded in the signed manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncryptionKind {
    /// `--plain`: signed, not encrypted.
    Plain,
    /// age with a passphrase (scrypt).
    Passphrase,
    /// age to one or more X25519 site keys.
    Recipients,
}

/// The bundle's manifest. `seq_ranges` maps each origin site to the `[min, max]` seq of its ops
/// in this bundle; `table_counts` counts ops per table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format_version: u8,
    pub bundle_id: String,
    pub schema_version: u32,
    pub origin_site: String,
    pub origin_name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub encryption: EncryptionKind,
    pub seq_ranges: BTreeMap<String, [i64; 2]>,
    pub table_counts: BTreeMap<String, u64>,
    pub op_count: u64,
    /// Length in bytes of the compressed payload.
    pub payload_len: u64,
    /// SHA-256 (hex) of the compressed payload.
    pub payload_sha256: String,
    /// The signing key, `ed25519:<base64>`.
    pub signer: String,
    /// Ed25519 signature (base64) over [`Manifest::signed_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Manifest {
    /// The canonical bytes that are signed: this manifest as JSON without `signature`.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let unsigned = Manifest {
            signature: None,
            ..self.clone()
        };
        // Serialising plain strings, integers and string-keyed maps cannot fail.
        serde_json::to_vec(&unsigned).unwrap_or_default()
    }

    /// The signer's public key, if `signer` parses and `signature` verifies over the manifest.
    pub fn verify(&self) -> Option<VerifyingKey> {
        let key = parse_verifying_key(&self.signer).ok()?;
        let sig: [u8; 64] = B64
            .decode(self.signature.as_deref()?)
            .ok()?
            .try_into()
            .ok()?;
        key.verify_strict(&self.signed_bytes(), &Signature::from_bytes(&sig))
            .ok()?;
        Some(key)
    }
}

/// What the caller says about a bundle being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleMeta {
    pub bundle_id: String,
    pub schema_version: u32,
    pub origin_site: String,
    pub origin_name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl BundleMeta {
    /// Metadata with a fresh UUIDv7 bundle id and the current time.
    pub fn new(schema_version: u32, origin_site: &str, origin_name: &str) -> Self {
        BundleMeta {
            bundle_id: uuid::Uuid::now_v7().to_string(),
            schema_version,
            origin_site: origin_site.to_owned(),
            origin_name: origin_name.to_owned(),
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }
}

/// How to encrypt a bundle being written.
pub enum Encryption {
    /// Not encrypted (still signed).
    Plain,
    /// age passphrase (scrypt). `work_factor` is log2 of scrypt's N; `None` lets age pick about
    /// one second of work on this machine. Accepted range 1..=30.
    Passphrase {
        passphrase: SecretString,
        work_factor: Option<u8>,
    },
    /// age to these site keys (at least one).
    Recipients(Vec<x25519::Recipient>),
}

/// scrypt work factor of passphrase bundles: N = 2^18, 256 MiB and about half a second — what
/// the age reference implementation uses. Letting age calibrate to a second of the sender's
/// machine chose 2^20 here: 1 GiB, which the receiving office PC must allocate too.
pub const PASSPHRASE_WORK_FACTOR: u8 = 18;

impl Encryption {
    /// Passphrase encryption with [`PASSPHRASE_WORK_FACTOR`].
    pub fn passphrase(passphrase: SecretString) -> Self {
        Encryption::Passphrase {
            passphrase,
            work_factor: Some(PASSPHRASE_WORK_FACTOR),
        }
    }

    fn kind(&self) -> EncryptionKind {
        match self {
            Encryption::Plain => EncryptionKind::Plain,
            Encryption::Passphrase { .. } => EncryptionKind::Passphrase,
            Encryption::Recipients(_) => EncryptionKind::Recipients,
        }
    }
}

/// How to decrypt a bundle being read.
pub enum Decryption {
    /// No secret: only plain bundles can be read.
    None,
    /// The passphrase of a passphrase bundle.
    Passphrase(SecretString),
    /// This site's age identities (any one may match).
    Identities(Vec<x25519::Identity>),
}

/// What [`BundleWriter::finish`] wrote.
#[derive(Debug, Clone)]
pub struct BundleInfo {
    pub path: PathBuf,
    /// Size of the file in bytes.
    pub file_len: u64,
    pub manifest: Manifest,
}

/// Per-origin seq ranges, per-table counts and the total, accumulated op by op.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    seq_ranges: BTreeMap<String, [i64; 2]>,
    table_counts: BTreeMap<String, u64>,
    op_count: u64,
}

impl Tally {
    fn add(&mut self, op: &Op) {
        self.op_count += 1;
        match self.seq_ranges.get_mut(&op.origin) {
            Some(range) => {
                range[0] = range[0].min(op.seq);
                range[1] = range[1].max(op.seq);
            }
            None => {
                self.seq_ranges.insert(op.origin.clone(), [op.seq, op.seq]);
            }
        }
        match self.table_counts.get_mut(&op.table) {
            Some(n) => *n += 1,
            None => {
                self.table_counts.insert(op.table.clone(), 1);
            }
        }
    }

    /// The first difference from the manifest, if any.
    fn mismatch(&self, m: &Manifest) -> Option<&'static str> {
        if self.op_count != m.op_count {
            Some("op count")
        } else if self.table_counts != m.table_counts {
            Some("table counts")
        } else if self.seq_ranges != m.seq_ranges {
            Some("seq ranges")
        } else {
            None
        }
    }
}

/// Writes a bundle op by op: only the compressed payload is held in memory.
pub struct BundleWriter {
    path: PathBuf,
    meta: BundleMeta,
    encoder: zstd::stream::write::Encoder<'static, Vec<u8>>,
    line: Vec<u8>,
    tally: Tally,
}

impl BundleWriter {
    /// Starts a bundle to be written at `path` (nothing touches the disk until `finish`).
    pub fn new(path: &Path, meta: BundleMeta) -> Result<Self, BundleError> {
        let encoder =
            zstd::stream::write::Encoder::new(Vec::new(), ZSTD_LEVEL).map_err(io_err(path))?;
        Ok(BundleWriter {
            path: path.to_owned(),
            meta,
            encoder,
            line: Vec::with_capacity(512),
            tally: Tally::default(),
        })
    }

    /// Appends one op.
    pub fn push(&mut self, op: &Op) -> Result<(), BundleError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, op).map_err(|e| io_err(&self.path)(e.into()))?;
        self.line.push(b'\n');
        self.encoder
            .write_all(&self.line)
            .map_err(io_err(&self.path))?;
        self.tally.add(op);
        Ok(())
    }

    /// Ops pushed so far.
    pub fn op_count(&self) -> u64 {
        self.tally.op_count
    }

    /// Signs the manifest and writes the file: a temp file in the same folder (mode 0600 on Unix),
    /// fsynced, then renamed over `path`.
    pub fn finish(self, key: &SigningKey, enc: &Encryption) -> Result<BundleInfo, BundleError> {
        let path = self.path;
        let payload = self.encoder.finish().map_err(io_err(&path))?;
        let mut manifest = Manifest {
            format_version: FORMAT_VERSION,
            bundle_id: self.meta.bundle_id,
            schema_version: self.meta.schema_version,
            origin_site: self.meta.origin_site,
            origin_name: self.meta.origin_name,
            created_at: self.meta.created_at,
            encryption: enc.kind(),
            seq_ranges: self.tally.seq_ranges,
            table_counts: self.tally.table_counts,
            op_count: self.tally.op_count,
            payload_len: payload.len() as u64,
            payload_sha256: hex::encode(Sha256::digest(&payload)),
            signer: format_verifying_key(&key.verifying_key()),
            signature: None,
        };
        let signature = key.sign(&manifest.signed_bytes());
        manifest.signature = Some(B64.encode(signature.to_bytes()));
        let manifest_json = serde_json::to_vec(&manifest).map_err(|e| io_err(&path)(e.into()))?;
        let file_len = write_atomically(&path, |file| {
            write_file(file, &path, enc, &manifest_json, &payload)
        })?;
        Ok(BundleInfo {
            path,
            file_len,
            manifest,
        })
    }
}

/// Writes `ops` as a bundle at `path` (see [`BundleWriter`]).
pub fn write_bundle<I>(
    path: &Path,
    meta: BundleMeta,
    ops: I,
    key: &SigningKey,
    enc: &Encryption,
) -> Result<BundleInfo, BundleError>
where
    I: IntoIterator,
    I::Item: Borrow<Op>,
{
    let mut writer = BundleWriter::new(path, meta)?;
    for op in ops {
        writer.push(op.borrow())?;
    }
    writer.finish(key, enc)
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes header and body into `file`, then patches the total length into the header.
fn write_file(
    file: &mut File,
    path: &Path,
    enc: &Encryption,
    manifest: &[u8],
    payload: &[u8],
) -> Result<(), BundleError> {
    let io = io_err(path);
    let mode = if matches!(enc, Encryption::Plain) {
        MODE_PLAIN
    } else {
        MODE_AGE
    };
    let mut out = BufWriter::new(&mut *file);
    out.write_all(MAGIC).map_err(&io)?;
    out.write_all(&[FORMAT_VERSION, mode]).map_err(&io)?;
    out.write_all(&[0; 8]).map_err(&io)?;
    match encryptor(path, enc)? {
        None => write_body(&mut out, manifest, payload).map_err(&io)?,
        Some(encryptor) => {
            let mut sealed = encryptor.wrap_output(&mut out).map_err(&io)?;
            write_body(&mut sealed, manifest, payload).map_err(&io)?;
            sealed.finish().map_err(&io)?;
        }
    }
    out.flush().map_err(&io)?;
    drop(out);
    let len = file.stream_position().map_err(&io)?;
    file.seek(SeekFrom::Start(10)).map_err(&io)?;
    file.write_all(&len.to_le_bytes()).map_err(&io)?;
    Ok(())
}

fn write_body(out: &mut impl Write, manifest: &[u8], payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(manifest.len()).map_err(|_| io::Error::other("manifest too large"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(manifest)?;
    out.write_all(payload)
}

fn encryptor(path: &Path, enc: &Encryption) -> Result<Option<Encryptor>, BundleError> {
    let fail = |detail: String| BundleError::Encrypt {
        path: path.to_owned(),
        detail,
    };
    match enc {
        Encryption::Plain => Ok(None),
        Encryption::Passphrase {
            passphrase,
            work_factor,
        } => {
            let mut recipient = scrypt::Recipient::new(passphrase.clone());
            if let Some(log_n) = *work_factor {
                if !(1..=30).contains(&log_n) {
                    return Err(fail(format!("work factor {log_n} not in 1..=30")));
                }
                recipient.set_work_factor(log_n);
            }
            Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map(Some)
                .map_err(|e| fail(e.to_string()))
        }
        Encryption::Recipients(list) => {
            Encryptor::with_recipients(list.iter().map(|r| r as &dyn age::Recipient))
                .map(Some)
                .map_err(|e| fail(e.to_string()))
        }
    }
}

/// Runs `write` on a new temp file next to `path`, fsyncs it and renames it to `path`.
/// The temp file is removed on failure. Returns the file's length.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), BundleError>,
) -> Result<u64, BundleError> {
    let io = io_err(path);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.as_deref().unwrap_or("bundle"),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| {
        let mut file = create_private(&tmp).map_err(&io)?;
        write(&mut file)?;
        file.sync_all().map_err(&io)?;
        let len = file.metadata().map_err(&io)?.len();
        drop(file);
        fs::rename(&tmp, path).map_err(&io)?;
        sync_dir(&dir);
        Ok(len)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn create_private(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> io::Result<File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Makes the rename durable (Unix; best effort: some file systems refuse to sync a folder).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

// ---------------------------------------------------------------- reading

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

type OpLines = BufReader<zstd::stream::read::Decoder<'static, BufReader<PayloadReader>>>;

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
        self.lines.get_ref().get_ref().get_ref()
    }

    fn payload_mut(&mut self) -> &mut PayloadReader {
        self.lines.get_mut().get_mut().get_mut()
    }

    fn error(&self, make: impl FnOnce(PathBuf) -> BundleError) -> BundleError {
        make(self.path.clone())
    }

    /// Reads the rest of the body (payload and anything after it) so that age authenticates
    /// the last chunk and the hash covers every payload byte. Returns false if there were
    /// bytes after the payload.
    fn drain(&mut self) -> bool {
        let payload = self.payload_mut();
        let _ = io::copy(payload, &mut io::sink());
        if payload.failure.is_some() {
            return true;
        }
        let mut extra = [0u8; 1];
        loop {
            match payload.inner.read(&mut extra) {
                Ok(0) => return true,
                Ok(_) => return false,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    payload.failure = Some(e.kind());
                    return true;
                }
            }
        }
    }

    /// The error for a payload that failed to decode (`what`) or to verify.
    fn classify(&mut self, what: Option<&str>) -> Option<BundleError> {
        let clean_end = self.drain();
        let p = self.payload();
        if p.failure == Some(io::ErrorKind::UnexpectedEof) || p.remaining > 0 {
            return Some(self.error(|path| BundleError::Truncated { path }));
        }
        if p.failure.is_some() {
            return Some(self.error(|path| BundleError::Tampered { path }));
        }
        let hash = hex::encode(p.hasher.clone().finalize());
        if hash != self.manifest.payload_sha256 {
            return Some(self.error(|path| BundleError::Tampered { path }));
        }
        if !clean_end {
            return Some(self.error(|path| corrupt(path, "bytes after the payload")));
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
        let mut limited = (&mut self.lines).take(MAX_LINE_LEN);
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

fn corrupt(path: PathBuf, what: &str) -> BundleError {
    BundleError::Corrupt {
        path,
        what: what.to_owned(),
    }
}

/// Opens and verifies a bundle up to its payload: magic, format version, length, decryption,
/// manifest, signature, `expected_signer` (when the caller knows the peer's key) and schema
/// version (refused if above `supported_schema`). Iterate the reader for the ops.
pub fn open_bundle(
    path: &Path,
    decryption: &Decryption,
    supported_schema: u32,
    expected_signer: Option<&VerifyingKey>,
) -> Result<BundleReader, BundleError> {
    let io = io_err(path);
    let file = File::open(path).map_err(&io)?;
    let actual_len = file.metadata().map_err(&io)?.len();
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let (version, mode) = read_header(path, &mut input, actual_len)?;
    let mut body: Box<dyn Read + Send> = match mode {
        MODE_PLAIN => Box::new(input),
        MODE_AGE => decrypt(path, input, decryption)?,
        _ => return Err(corrupt(path.to_owned(), "unknown encryption mode")),
    };
    let manifest = read_manifest(path, &mut body)?;
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
    let payload = PayloadReader {
        inner: body,
        remaining: manifest.payload_len,
        hasher: Sha256::new(),
        read: 0,
        failure: None,
    };
    let decoder = zstd::stream::read::Decoder::with_buffer(BufReader::new(payload)).map_err(&io)?;
    Ok(BundleReader {
        path: path.to_owned(),
        manifest,
        signer,
        lines: BufReader::with_capacity(64 * 1024, decoder),
        line: Vec::with_capacity(512),
        tally: Tally::default(),
        done: false,
    })
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

fn read_manifest(path: &Path, body: &mut impl Read) -> Result<Manifest, BundleError> {
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
    serde_json::from_slice(&bytes).map_err(|_| corrupt(path.to_owned(), "manifest"))
}

/// Opens the age layer with the caller's secret.
fn decrypt(
    path: &Path,
    input: BufReader<File>,
    decryption: &Decryption,
) -> Result<Box<dyn Read + Send>, BundleError> {
    let p = || path.to_owned();
    let decryptor = Decryptor::new_buffered(input).map_err(|e| decrypt_err(path, e, false))?;
    let scrypt = decryptor.is_scrypt();
    let result = match (decryption, scrypt) {
        (Decryption::Passphrase(pass), true) => {
            let identity = scrypt::Identity::new(pass.clone());
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        (Decryption::Identities(ids), false) => {
            decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity))
        }
        (Decryption::None | Decryption::Identities(_), true) => {
            return Err(BundleError::PassphraseRequired { path: p() });
        }
        (Decryption::None | Decryption::Passphrase(_), false) => {
            return Err(BundleError::IdentityRequired { path: p() });
        }
    };
    match result {
        Ok(reader) => Ok(Box::new(reader)),
        Err(e) => Err(decrypt_err(path, e, scrypt)),
    }
}

fn decrypt_err(path: &Path, e: DecryptError, scrypt: bool) -> BundleError {
    let path = path.to_owned();
    match e {
        DecryptError::DecryptionFailed | DecryptError::KeyDecryptionFailed if scrypt => {
            BundleError::WrongPassphrase { path }
        }
        DecryptError::DecryptionFailed
        | DecryptError::KeyDecryptionFailed
        | DecryptError::NoMatchingKeys => BundleError::NoMatchingIdentity { path },
        DecryptError::InvalidMac => BundleError::Tampered { path },
        DecryptError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            BundleError::Truncated { path }
        }
        DecryptError::Io(source) => BundleError::Io { path, source },
        DecryptError::ExcessiveWork { .. } => corrupt(path, "passphrase work factor too high"),
        DecryptError::InvalidHeader | DecryptError::UnknownFormat => {
            corrupt(path, "encryption header")
        }
        other => corrupt(path, &other.to_string()),
    }
}
