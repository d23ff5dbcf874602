//! This site's keys (made at first use, kept by the store), the errors of the sync commands,
//! and small helpers shared by export, import and status.

use super::bundle::BundleError;
use super::keys::{KeyError, SiteKeys};
use crate::store::{Store, StoreError};
use age::secrecy::ExposeSecret;

/// Every way a sync command can fail.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The bundle file was refused (see [`BundleError`]); nothing was changed.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored site keys are unreadable.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// A bundle from a site never exchanged with, and `--trust` was not given.
    #[error(
        "처음 보는 기관의 묶음입니다: {name} ({site}), 서명 키 {signer}. 상대 기관에 키를 확인한 뒤 --trust로 가져오세요 / bundle from an unknown site; verify its key with the partner, then import with --trust"
    )]
    UnknownSite {
        site: String,
        name: String,
        signer: String,
    },
    /// A bundle carrying this site's own id.
    #[error(
        "이 기관이 만든 묶음입니다(기관 ID {site}); 가져올 필요가 없습니다. 서명 키가 다르면 데이터베이스 파일이 복사된 것일 수 있습니다 / bundle made by this very site (same site id)"
    )]
    OwnBundle { site: String },
    /// An op that cannot be applied (unknown table or column, entry update …): the bundle is
    /// refused as a whole.
    #[error(
        "묶음에 적용할 수 없는 항목이 있습니다({0}) / bundle holds an op that cannot be applied: {0}"
    )]
    BadOp(String),
    /// An op stamped beyond now + 1 day: the sending (or origin) site's clock is wrong. The
    /// bundle is refused as a whole and our clock does not follow the stamp.
    #[error(
        "미래 시각의 변경이 있어 묶음을 받지 않았습니다: 기관 {origin}의 변경 {seq}이(가) {stamp} (UTC)로 찍혀 허용 한도 {limit}(지금 + 1일)를 넘습니다. 그 기관 PC의 시계를 확인하세요. 아무것도 바뀌지 않았습니다 / bundle refused: op {origin}/{seq} is stamped {stamp} UTC, beyond now + 1 day ({limit}); fix that site's clock (nothing was changed)"
    )]
    FarFuture {
        origin: String,
        seq: i64,
        stamp: String,
        limit: String,
    },
    /// A bundle carrying an op in this site's own name that this site never made.
    #[error(
        "이 기관 이름으로 된, 이 기관에 없는 변경(번호 {seq})이 기관 {sender}의 묶음에 있어 받지 않았습니다. 위조되었거나 이 데이터베이스가 예전 사본일 수 있습니다. 아무것도 바뀌지 않았습니다 / bundle from {sender} holds op {seq} in this site's name that this site never made (forged, or this database is an older copy); nothing was changed"
    )]
    ForgedOwnOp { sender: String, seq: i64 },
    /// A relayed op (origin other than the sender) without a proof from its origin.
    #[error(
        "기관 {sender}의 묶음에 기관 {origin}의 변경 {seq}이(가) 그 기관의 서명 없이 들어 있어 받지 않았습니다(위조되었을 수 있습니다). 아무것도 바뀌지 않았습니다 / bundle from {sender} relays op {origin}/{seq} without its origin's signature (possibly forged); nothing was changed"
    )]
    UnprovenOp {
        sender: String,
        origin: String,
        seq: i64,
    },
    /// A relayed op whose content differs from what its origin signed.
    #[error(
        "기관 {sender}의 묶음에 있는 기관 {origin}의 변경 {seq}이(가) 그 기관이 서명한 내용과 달라 받지 않았습니다(변조되었습니다). 아무것도 바뀌지 않았습니다 / bundle from {sender} relays op {origin}/{seq} whose content differs from what its origin signed (tampered); nothing was changed"
    )]
    TamperedOp {
        sender: String,
        origin: String,
        seq: i64,
    },
    /// A proof of origin whose signature does not verify, or signed by another key than the
    /// one recorded for its origin.
    #[error(
        "기관 {sender}의 묶음에 있는 기관 {origin}의 서명(변경 {first}–{last})이 맞지 않습니다{detail}. 아무것도 바뀌지 않았습니다 / bundle from {sender} holds a bad signature of {origin} over ops {first}–{last}{detail}; nothing was changed"
    )]
    BadProof {
        sender: String,
        origin: String,
        first: i64,
        last: i64,
        detail: String,
    },
    /// Wrong combination of options.
    #[error("{0}")]
    Usage(String),
    /// Reading a secret file (passphrase) failed.
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Result of sync operations.
pub type SyncResult<T> = Result<T, SyncError>;

/// This site's keys, made and stored on first use. Never print the secret form.
pub fn site_keys(store: &Store) -> SyncResult<SiteKeys> {
    if let Some(text) = store.site_keys_secret()? {
        return Ok(SiteKeys::from_secret_string(&text)?);
    }
    let fresh = SiteKeys::generate();
    // If another process made keys meanwhile, theirs win and we read them back.
    store.store_site_keys_secret(fresh.to_secret_string().expose_secret())?;
    let text = store
        .site_keys_secret()?
        .ok_or(KeyError::MalformedSecret("not stored"))?;
    Ok(SiteKeys::from_secret_string(&text)?)
}

/// The public identity partners need: printed by `dolbom sync keys`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicKeys {
    pub site_id: String,
    pub site_name: String,
    /// age recipient (`age1…`): partners encrypt bundles to it with `--recipient`.
    pub recipient: String,
    /// Signing key (`ed25519:…`): partners check it on the first `--trust` import.
    pub signer: String,
}

/// This site's public keys (making the keys if needed).
pub fn public_keys(store: &Store) -> SyncResult<PublicKeys> {
    let keys = site_keys(store)?;
    Ok(PublicKeys {
        site_id: store.site().id.clone(),
        site_name: store.site().name.clone(),
        recipient: keys.recipient_string(),
        signer: keys.verifying_key_string(),
    })
}

/// Reads a passphrase file: the first line, without its line ending.
pub fn read_passphrase_file(path: &std::path::Path) -> SyncResult<age::secrecy::SecretString> {
    let text = std::fs::read_to_string(path).map_err(|source| SyncError::Io {
        path: path.to_owned(),
        source,
    })?;
    // Notepad may save "UTF-8 with BOM"; the BOM is not part of the passphrase.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(SyncError::Usage(format!(
            "{}: 암호 파일이 비어 있습니다 / passphrase file is empty",
            path.display()
        )));
    }
    Ok(age::secrecy::SecretString::from(line.to_owned()))
}
