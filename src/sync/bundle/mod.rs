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
//! verifies the signature (and the expected signer, if given) and the schema version, and then
//! hashes the payload as recorded (still compressed) against the manifest's SHA-256 — before
//! anything is decompressed, so a zstd bomb behind a genuine manifest costs one read of the
//! file. Then [`BundleReader`] streams the ops from a second read (decompression bounded by
//! [`MAX_OP_LEN`] per op counted in the manifest, never more lines than that count), and after
//! the last one checks the SHA-256 again (the file could have changed), the length and the counts. A caller applies ops inside one transaction and commits
//! only if the iterator ended without an error (or uses [`read_bundle`], which collects them).
//! Nothing here panics on any input.

//!
//! Files: [`manifest`] (what is signed, and the tally checked against it), [`crypto`] (age
//! encryption), [`write`] (the writer and the atomic file), [`read`] (verification and the op
//! stream).

use std::io;
use std::path::{Path, PathBuf};

mod crypto;
mod manifest;
mod read;
mod write;

pub use crypto::{Decryption, Encryption, PASSPHRASE_WORK_FACTOR};
pub use manifest::{BundleMeta, EncryptionKind, Manifest};
pub use read::{BundleReader, open_bundle, read_bundle};
pub use write::{BundleInfo, BundleWriter, write_bundle};

/// First bytes of every bundle file.
pub const MAGIC: &[u8; 8] = b"DOLBOMSB";
/// Version of the file layout written by this code.
pub const FORMAT_VERSION: u8 = 1;
/// zstd level for the payload. Measured on 1M random resident inserts: level 3 gives 73 bytes/op
/// at ~420k ops/s written; level 9 gives 69 bytes/op at 155k ops/s; level 15, 65 at 16k ops/s.
pub const ZSTD_LEVEL: i32 = 3;

pub(super) const HEADER_LEN: usize = 18;
pub(super) const MODE_PLAIN: u8 = b'P';
pub(super) const MODE_AGE: u8 = b'A';
pub(super) const MAX_MANIFEST_LEN: u32 = 4 << 20;
/// Largest op record (one JSON line) a reader accepts: 1 MiB. The decompressed payload is
/// bounded by this times the manifest's op count, and no line is read past that count.
pub const MAX_OP_LEN: u64 = 1 << 20;
/// Largest zstd window a reader accepts (log2: 16 MiB). The writer's level 3 uses at most 2^21.
pub(super) const WINDOW_LOG_MAX: u32 = 24;

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
    /// The manifest could not be encoded to sign or write it (nothing was written).
    #[error("묶음 목록을 만들 수 없습니다({detail}) / cannot encode the bundle manifest ({detail}): {}", path.display())]
    Encode { path: PathBuf, detail: String },
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

pub(super) fn io_err(path: &Path) -> impl Fn(io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_owned(),
        source,
    }
}

pub(super) fn corrupt(path: PathBuf, what: &str) -> BundleError {
    BundleError::Corrupt {
        path,
        what: what.to_owned(),
    }
}
