//! The audit chain's key and the signed head.
//!
//! - [`audit_key`]: the HMAC-SHA256 key of the chain. Today it is derived (HKDF-SHA256, fixed
//!   label) from the site's Ed25519 signing seed, kept in `meta` as the site keys' secret text
//!   (`crate::sync::keys` reads and writes that text; this module only reads the seed, and makes
//!   the keys if the site has none yet, in the same text form). Once the database is encrypted,
//!   switch this one function to derive from the database key.
//! - [`AuditHead`]: (site, seq, chain value) signed with the site's Ed25519 key. It is kept in
//!   `meta` (updated with every append, in the same transaction), in a side file
//!   `<db>.audit-head`, and it travels in every sync bundle so peers can witness it.
//!
//! HMAC and HKDF are written out here (RFC 2104, RFC 5869) over `sha2`, tested against the RFC
//! vectors, rather than adding crates pinned to an older `sha2`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// `meta` key of the site's secret keys (the same row `store::sync` reads).
const KEYS_META: &str = "site_keys";
/// `meta` key of the signed head (JSON of [`AuditHead`]).
pub(super) const HEAD_META: &str = "audit_head";
/// First word of the site keys' secret text (see `crate::sync::keys`).
const SECRET_TAG: &str = "dolbom-site-keys-1";
const ED25519_SECRET_PREFIX: &str = "ed25519-secret:";
/// HKDF salt and info for the chain key; change the version to change the key.
const KEY_SALT: &[u8] = b"dolbom audit chain";
const KEY_INFO: &[u8] = b"dolbom audit chain hmac-sha256 v1";
/// Domain separation for head signatures.
const HEAD_CONTEXT: &str = "dolbom-audit-head-v1";

/// HMAC-SHA256 (RFC 2104) over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        let digest: [u8; 32] = Sha256::digest(key).into();
        block[..32].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let inner: [u8; 32] = inner.finalize().into();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// HKDF-SHA256 (RFC 5869) with a 32-byte output.
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let prk = hmac_sha256(salt, &[ikm]);
    hmac_sha256(&prk, &[info, &[1]])
}

/// The site's secret keys text, making the keys if the site has none.
fn site_secret(conn: &Connection) -> rusqlite::Result<String> {
    let stored = |conn: &Connection| -> rusqlite::Result<Option<String>> {
        conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([KEYS_META], |r| r.get(0))
            .optional()
    };
    if let Some(t) = stored(conn)? {
        return Ok(t);
    }
    // Another process may make them at the same moment: theirs win, read them back.
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
        params![KEYS_META, new_site_keys_secret()?],
    )?;
    Ok(stored(conn)?.unwrap_or_default())
}

/// The site's Ed25519 seed from its stored secret keys, making the keys if the site has none.
fn site_seed(conn: &Connection) -> rusqlite::Result<[u8; 32]> {
    seed_of(&site_secret(conn)?).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            "사이트 키를 읽을 수 없습니다 / malformed site keys".into(),
        )
    })
}

/// The Ed25519 seed inside the secret text `dolbom-site-keys-1 AGE-SECRET-KEY-1… ed25519-secret:…`.
fn seed_of(text: &str) -> Option<[u8; 32]> {
    let mut words = text.split_whitespace();
    if words.next() != Some(SECRET_TAG) {
        return None;
    }
    words
        .find_map(|w| w.strip_prefix(ED25519_SECRET_PREFIX))
        .and_then(|b| B64.decode(b).ok())
        .and_then(|b| b.try_into().ok())
}

/// Fresh site keys in the text form `crate::sync::keys::SiteKeys` reads.
fn new_site_keys_secret() -> rusqlite::Result<String> {
    use age::secrecy::ExposeSecret as _;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        rusqlite::Error::ToSqlConversionFailure(format!("no random source: {e}").into())
    })?;
    let age = age::x25519::Identity::generate();
    Ok(format!(
        "{SECRET_TAG} {} {ED25519_SECRET_PREFIX}{}",
        age.to_string().expose_secret(),
        B64.encode(seed)
    ))
}

/// The key of the audit chain: only someone who can read the site's secret keys has it.
/// The one place to change when the chain should hang off the database key instead.
pub fn audit_key(conn: &Connection) -> rusqlite::Result<[u8; 32]> {
    Ok(hkdf_sha256(KEY_SALT, &site_seed(conn)?, KEY_INFO))
}

/// What appending and verifying need: the chain key, the signing key and the site id.
pub(super) struct ChainKeys {
    pub(super) mac: [u8; 32],
    pub(super) signing: SigningKey,
    pub(super) site: String,
}

thread_local! {
    /// The last keys derived on this thread, by (site id, secret text): deriving them (HKDF,
    /// the Ed25519 public point) costs more than the append itself.
    static KEYS_CACHE: std::cell::RefCell<Option<(String, String, std::rc::Rc<ChainKeys>)>> =
        const { std::cell::RefCell::new(None) };
}

impl ChainKeys {
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<std::rc::Rc<ChainKeys>> {
        let secret = site_secret(conn)?;
        let site: String = conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'site_id'")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or_default();
        let hit = KEYS_CACHE.with_borrow(|c| match c {
            Some((s, t, keys)) if *s == site && *t == secret => Some(keys.clone()),
            _ => None,
        });
        if let Some(keys) = hit {
            return Ok(keys);
        }
        let seed = site_seed(conn)?;
        let keys = std::rc::Rc::new(ChainKeys {
            mac: audit_key(conn)?,
            signing: SigningKey::from_bytes(&seed),
            site: site.clone(),
        });
        KEYS_CACHE.with_borrow_mut(|c| *c = Some((site, secret, keys.clone())));
        Ok(keys)
    }

    pub(super) fn sign(&self, seq: i64, chain: &str) -> AuditHead {
        let sig = self
            .signing
            .sign(&head_message(&self.site, seq, chain))
            .to_bytes();
        AuditHead {
            site: self.site.clone(),
            seq,
            chain: chain.to_string(),
            sig: B64.encode(sig),
        }
    }
}

/// The head of a site's audit chain: its last row's seq and chain value, signed by the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// The site whose chain this is.
    pub site: String,
    pub seq: i64,
    /// The last row's chain value (hex HMAC-SHA256).
    pub chain: String,
    /// Ed25519 signature (base64) by the site's signing key over site, seq and chain.
    pub sig: String,
}

fn head_message(site: &str, seq: i64, chain: &str) -> Vec<u8> {
    format!("{HEAD_CONTEXT}\0{site}\0{seq}\0{chain}").into_bytes()
}

impl AuditHead {
    /// Whether `key` signed this head.
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let Some(sig) = B64
            .decode(&self.sig)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
        else {
            return false;
        };
        key.verify_strict(
            &head_message(&self.site, self.seq, &self.chain),
            &Signature::from_bytes(&sig),
        )
        .is_ok()
    }
}

/// This site's public signing key (to check heads it signed).
pub(super) fn own_verifying_key(conn: &Connection) -> rusqlite::Result<VerifyingKey> {
    Ok(SigningKey::from_bytes(&site_seed(conn)?).verifying_key())
}

/// The head as last recorded in `meta`.
pub fn meta_head(conn: &Connection) -> rusqlite::Result<Option<AuditHead>> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [HEAD_META], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

pub(super) fn set_meta_head(conn: &Connection, head: &AuditHead) -> rusqlite::Result<()> {
    let text = serde_json::to_string(head)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
        .execute(params![HEAD_META, text])?;
    Ok(())
}

/// The side file beside the database: `<db>.audit-head`.
pub fn head_file(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".audit-head");
    PathBuf::from(name)
}

/// Writes the head to the side file: a temp file then a rename, so a crash leaves the old
/// head or the new one, never half of one. Not fsynced (a lost head after a power cut only
/// lags, and verify accepts a side file that lags behind the table).
pub fn write_head_file(db: &Path, head: &AuditHead) -> std::io::Result<()> {
    let path = head_file(db);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let text = serde_json::to_vec(head).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text)?;
    crate::files::make_private(&tmp)?;
    std::fs::rename(&tmp, &path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Reads the side file; `Ok(None)` if there is none.
pub fn read_head_file(db: &Path) -> std::io::Result<Option<AuditHead>> {
    match std::fs::read(head_file(db)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(std::io::Error::other),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_hashes_a_long_key_first() {
        // RFC 4231 case 6: a 131-byte key.
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn hkdf_matches_rfc_5869_case_1() {
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        assert_eq!(
            hex::encode(hkdf_sha256(&salt, &ikm, &info)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    #[test]
    fn made_keys_parse_and_heads_verify() {
        let text = new_site_keys_secret().expect("random");
        let seed = seed_of(&text).expect("seed");
        let keys = ChainKeys {
            mac: hkdf_sha256(KEY_SALT, &seed, KEY_INFO),
            signing: SigningKey::from_bytes(&seed),
            site: "s".into(),
        };
        let head = keys.sign(7, "ab");
        assert!(head.verify(&keys.signing.verifying_key()));
        let forged = AuditHead {
            seq: 6,
            ..head.clone()
        };
        assert!(!forged.verify(&keys.signing.verifying_key()));
    }
}
