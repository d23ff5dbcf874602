//! Writing a bundle: ops streamed into a zstd payload, the manifest signed, the file written
//! to a temp file, fsynced and renamed, so a pulled USB stick leaves no half bundle.

use super::crypto::{Encryption, encryptor};
use super::manifest::{BundleMeta, Manifest, Tally};
use super::{BundleError, FORMAT_VERSION, MAGIC, MODE_AGE, MODE_PLAIN, ZSTD_LEVEL, io_err};
use crate::model::Op;
use crate::sync::keys::format_verifying_key;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest, Sha256};
use std::borrow::Borrow;
use std::fs::{self, File};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What [`BundleWriter::finish`] wrote.
#[derive(Debug, Clone)]
pub struct BundleInfo {
    pub path: PathBuf,
    /// Size of the file in bytes.
    pub file_len: u64,
    pub manifest: Manifest,
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
            audit_head: self.meta.audit_head,
            witnessed: self.meta.witnessed,
            signer: format_verifying_key(&key.verifying_key()),
            signature: None,
        };
        let encode = |e: serde_json::Error| BundleError::Encode {
            path: path.clone(),
            detail: e.to_string(),
        };
        let signature = key.sign(&manifest.signed_bytes().map_err(encode)?);
        manifest.signature = Some(B64.encode(signature.to_bytes()));
        let manifest_json = serde_json::to_vec(&manifest).map_err(encode)?;
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
