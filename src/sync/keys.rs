//! Site keys: an age X25519 identity (bundles are encrypted to it) and an Ed25519 signing key
//! (bundles are signed with it), made at first use and stored by the caller as one secret string.
//!
//! Public forms, printed for partners: the age recipient `age1…` and the signing key
//! `ed25519:<base64>`.

use age::secrecy::{ExposeSecret, SecretString};
use age::x25519;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Prefix of the public signing key's text form.
pub const ED25519_PREFIX: &str = "ed25519:";
/// First word of the secret text form; bump if the layout changes.
const SECRET_TAG: &str = "dolbom-site-keys-1";
/// Prefix of the signing secret inside the secret text form.
const ED25519_SECRET_PREFIX: &str = "ed25519-secret:";

/// A malformed key string.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The stored site keys could not be read.
    #[error("사이트 키를 읽을 수 없습니다 / malformed site keys: {0}")]
    MalformedSecret(&'static str),
    /// Not an age recipient (`age1…`).
    #[error("age 공개키가 아닙니다 / not an age recipient (age1…): {0}")]
    BadRecipient(String),
    /// Not an Ed25519 public key (`ed25519:<base64>`).
    #[error("서명 공개키가 아닙니다 / not an Ed25519 public key (ed25519:…): {0}")]
    BadVerifyingKey(String),
}

/// A site's secret keys. `Debug` never shows the secrets.
#[derive(Clone)]
pub struct SiteKeys {
    age: x25519::Identity,
    signing: SigningKey,
}

impl std::fmt::Debug for SiteKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteKeys")
            .field("recipient", &self.recipient_string())
            .field("signer", &self.verifying_key_string())
            .finish_non_exhaustive()
    }
}

impl SiteKeys {
    /// Makes fresh random keys (from the operating system's random source).
    pub fn generate() -> Self {
        SiteKeys {
            age: x25519::Identity::generate(),
            signing: SigningKey::from_bytes(&random_seed()),
        }
    }

    /// The secret text form to store in the database:
    /// `dolbom-site-keys-1 AGE-SECRET-KEY-1… ed25519-secret:<base64 seed>`.
    pub fn to_secret_string(&self) -> SecretString {
        let line = format!(
            "{SECRET_TAG} {} {ED25519_SECRET_PREFIX}{}",
            self.age.to_string().expose_secret(),
            B64.encode(self.signing.to_bytes())
        );
        SecretString::from(line)
    }

    /// Reads keys written by [`SiteKeys::to_secret_string`].
    pub fn from_secret_string(text: &str) -> Result<Self, KeyError> {
        let mut words = text.split_whitespace();
        if words.next() != Some(SECRET_TAG) {
            return Err(KeyError::MalformedSecret("unknown format"));
        }
        let age_text = words
            .next()
            .ok_or(KeyError::MalformedSecret("no age key"))?;
        let age: x25519::Identity = age_text
            .parse()
            .map_err(|_| KeyError::MalformedSecret("bad age key"))?;
        let seed_text = words
            .next()
            .and_then(|w| w.strip_prefix(ED25519_SECRET_PREFIX))
            .ok_or(KeyError::MalformedSecret("no signing key"))?;
        let seed: [u8; 32] = B64
            .decode(seed_text)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(KeyError::MalformedSecret("bad signing key"))?;
        if words.next().is_some() {
            return Err(KeyError::MalformedSecret("trailing text"));
        }
        Ok(SiteKeys {
            age,
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// The age identity that decrypts bundles sent to this site.
    pub fn age_identity(&self) -> &x25519::Identity {
        &self.age
    }

    /// The key that signs this site's bundles.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The age recipient partners encrypt to.
    pub fn recipient(&self) -> x25519::Recipient {
        self.age.to_public()
    }

    /// The age recipient as text (`age1…`).
    pub fn recipient_string(&self) -> String {
        self.recipient().to_string()
    }

    /// The public signing key partners verify against.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The public signing key as text (`ed25519:<base64>`).
    pub fn verifying_key_string(&self) -> String {
        format_verifying_key(&self.verifying_key())
    }
}

/// Parses an age recipient (`age1…`).
pub fn parse_recipient(text: &str) -> Result<x25519::Recipient, KeyError> {
    text.trim()
        .parse()
        .map_err(|_| KeyError::BadRecipient(text.to_owned()))
}

/// Formats a public signing key as `ed25519:<base64>`.
pub fn format_verifying_key(key: &VerifyingKey) -> String {
    format!("{ED25519_PREFIX}{}", B64.encode(key.as_bytes()))
}

/// Parses a public signing key written by [`format_verifying_key`].
pub fn parse_verifying_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let bad = || KeyError::BadVerifyingKey(text.to_owned());
    let bytes: [u8; 32] = text
        .trim()
        .strip_prefix(ED25519_PREFIX)
        .and_then(|b| B64.decode(b).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

/// 32 random bytes for an Ed25519 seed. The crate has no direct random-number dependency, so
/// this hashes the secret of a throwaway age identity, which age draws from the OS (`OsRng`).
fn random_seed() -> [u8; 32] {
    let throwaway = x25519::Identity::generate();
    let mut hasher = Sha256::new();
    hasher.update(b"dolbom ed25519 seed v1\0");
    hasher.update(throwaway.to_string().expose_secret().as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_string_round_trips() {
        let keys = SiteKeys::generate();
        let text = keys.to_secret_string();
        let back = SiteKeys::from_secret_string(text.expose_secret()).expect("parses");
        assert_eq!(back.recipient_string(), keys.recipient_string());
        assert_eq!(back.verifying_key(), keys.verifying_key());
        assert_eq!(back.signing_key().to_bytes(), keys.signing_key().to_bytes());
    }

    #[test]
    fn generated_keys_differ() {
        let a = SiteKeys::generate();
        let b = SiteKeys::generate();
        assert_ne!(a.verifying_key(), b.verifying_key());
        assert_ne!(a.recipient_string(), b.recipient_string());
    }

    #[test]
    fn public_forms_round_trip() {
        let keys = SiteKeys::generate();
        let r = keys.recipient_string();
        assert!(r.starts_with("age1"));
        assert_eq!(parse_recipient(&r).expect("recipient").to_string(), r);
        let v = keys.verifying_key_string();
        assert!(v.starts_with(ED25519_PREFIX));
        assert_eq!(parse_verifying_key(&v), Ok(keys.verifying_key()));
    }

    #[test]
    fn debug_hides_secrets() {
        let keys = SiteKeys::generate();
        let dbg = format!("{keys:?}");
        let secret = keys.to_secret_string();
        let age_secret = secret.expose_secret().split(' ').nth(1).unwrap_or("");
        assert!(!dbg.contains(age_secret));
        assert!(!dbg.contains("ed25519-secret"));
    }

    #[test]
    fn malformed_input_is_an_error() {
        for bad in [
            "",
            "dolbom-site-keys-1",
            "x y z",
            "dolbom-site-keys-1 AGE-SECRET-KEY-1 ed25519-secret:AA",
        ] {
            assert!(SiteKeys::from_secret_string(bad).is_err(), "{bad:?}");
        }
        assert!(parse_recipient("age1nope").is_err());
        assert!(parse_verifying_key("ed25519:AAAA").is_err());
        assert!(parse_verifying_key("nope").is_err());
    }
}
