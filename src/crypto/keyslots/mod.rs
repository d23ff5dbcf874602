//! Key slots, as LUKS does them: one random 32-byte database key, wrapped once per operator.
//!
//! A slot holds `XChaCha20-Poly1305(KEK, nonce, db_key, aad)` where
//! `KEK = argon2id(NFC(passphrase), salt, params)` with a fresh random salt and nonce per slot.
//! The associated data binds the slot to its operator name, id and KDF parameters, so renaming a
//! slot in the file (to log in as someone else with one's own passphrase) or weakening its
//! parameters makes it fail to open. Removing a slot revokes that operator without re-encrypting
//! the database; someone who kept a copy of the old slot file *and* their passphrase can still
//! unwrap the same key, which only a re-key (a new database key) stops (see [`KeySlots::digest`]
//! for detecting a rolled-back slot file).
//!
//! Unlocking costs one argon2id run ([`KdfParams::DEFAULT`]: 64 MiB, 3 passes, 1 lane);
//! wrapping and unwrapping the 32-byte key itself costs microseconds.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, Zeroizing};

/// Length of the database key (a ChaCha20 key).
pub const DB_KEY_LEN: usize = 32;
/// Length of each slot's argon2id salt.
pub const SALT_LEN: usize = 16;
/// Length of each slot's XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of a wrapped key: the key and its 16-byte Poly1305 tag.
pub const WRAPPED_LEN: usize = DB_KEY_LEN + 16;
/// The slot file format this code writes and reads.
pub const FORMAT: u32 = 1;
/// Longest operator name, in characters.
pub const MAX_OPERATOR_CHARS: usize = 64;
/// Shortest passphrase accepted for a new slot, in characters (after NFC).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

const AAD_CONTEXT: &[u8] = b"dolbom key slot v1\0";

// Upper bounds for parameters read from a file, so a tampered file cannot make an unlock
// allocate gigabytes or run for minutes (it could not make a slot open anyway).
const MAX_M_COST_KIB: u32 = 1024 * 1024;
const MAX_T_COST: u32 = 32;
const MAX_P_COST: u32 = 16;

/// Errors of key slots. `WrongPassphrase` and `UnknownOperator` are the two a login screen shows.
#[derive(Debug, thiserror::Error)]
pub enum KeySlotError {
    #[error("operator name: {0}")]
    InvalidName(#[from] NameError),
    #[error("no key slot for operator {0:?}")]
    UnknownOperator(String),
    #[error("wrong passphrase for operator {0:?}")]
    WrongPassphrase(String),
    #[error("operator {0:?} already has a key slot")]
    DuplicateOperator(String),
    #[error("the last key slot cannot be removed (nobody could open the database)")]
    LastSlot,
    #[error("a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters")]
    WeakPassphrase,
    #[error("key file: {0}")]
    KeyFile(&'static str),
    #[error("key derivation parameters: {0}")]
    Kdf(String),
    #[error("the system random number generator failed: {0}")]
    Random(String),
    #[error("key slot file: {0}")]
    Format(String),
    #[error("key slot file {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, KeySlotError>;

/// Why an operator name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("empty")]
    Empty,
    #[error("longer than {MAX_OPERATOR_CHARS} characters")]
    TooLong,
    #[error("holds a control or invisible formatting character (U+{0:04X})")]
    ControlCharacter(u32),
}

/// Validates an operator name and returns its canonical form: surrounding whitespace trimmed,
/// NFC-normalized (so a decomposed 김 typed on one system equals a composed one), no control
/// characters (C0, DEL, C1: newlines and ESC codes) and no invisible formatting characters
/// (zero-width, bidi overrides, BOM, soft hyphen) that would make look-alike names.
pub fn normalize_operator(raw: &str) -> std::result::Result<String, NameError> {
    let name: String = raw.trim().nfc().collect();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c.is_control() || is_invisible_format(c))
    {
        return Err(NameError::ControlCharacter(c as u32));
    }
    if name.chars().count() > MAX_OPERATOR_CHARS {
        return Err(NameError::TooLong);
    }
    Ok(name)
}

/// Invisible formatting characters (Unicode category Cf and the Hangul fillers) that render
/// as nothing and so make two different names look alike.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}')
}

/// A passphrase as the KDF sees it: NFC-normalized (Hangul typed through different IMEs or
/// systems may arrive composed or decomposed), nothing else changed.
fn canonical_passphrase(passphrase: &str) -> Zeroizing<String> {
    Zeroizing::new(passphrase.nfc().collect())
}

/// Checks a passphrase chosen for a new slot.
pub fn check_new_passphrase(passphrase: &str) -> Result<()> {
    if canonical_passphrase(passphrase).chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(KeySlotError::WeakPassphrase);
    }
    Ok(())
}

/// Reads a passphrase from the bytes of a key file (`--key-file`, `DOLBOM_KEY_FILE`): UTF-8,
/// one trailing line ending (`\n` or `\r\n`, as editors and `echo` add) removed, nothing else.
pub fn passphrase_from_key_file(bytes: &[u8]) -> Result<Zeroizing<String>> {
    let text = std::str::from_utf8(bytes).map_err(|_| KeySlotError::KeyFile("not UTF-8 text"))?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    if text.is_empty() {
        return Err(KeySlotError::KeyFile("empty"));
    }
    if text.contains(['\n', '\r']) {
        return Err(KeySlotError::KeyFile("more than one line"));
    }
    Ok(Zeroizing::new(text.to_owned()))
}

/// The random key the database is encrypted with. Wiped from memory when dropped; never
/// printed (its `Debug` shows nothing).
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; DB_KEY_LEN]>);

impl DbKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Result<DbKey> {
        let mut key = Zeroizing::new([0u8; DB_KEY_LEN]);
        random(&mut key[..])?;
        Ok(DbKey(key))
    }

    /// `PRAGMA <pragma> = 'raw:<64 hex digits>'` (`key` or `rekey`): sqlite3mc takes the key as
    /// is, without deriving anything from it.
    pub fn pragma_statement(&self, pragma: &str) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(&self.0[..]));
        Zeroizing::new(format!("PRAGMA {pragma} = 'raw:{}'", hex.as_str()))
    }

    /// The key as a `?key=` URI parameter value or an `ATTACH … KEY` string: `raw:<hex>`.
    pub fn raw_key_string(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(&self.0[..]));
        Zeroizing::new(format!("raw:{}", hex.as_str()))
    }

    fn from_bytes(bytes: &[u8]) -> Option<DbKey> {
        let mut key = Zeroizing::new([0u8; DB_KEY_LEN]);
        if bytes.len() != DB_KEY_LEN {
            return None;
        }
        key.copy_from_slice(bytes);
        Some(DbKey(key))
    }
}

impl PartialEq for DbKey {
    /// Constant-time comparison.
    fn eq(&self, other: &DbKey) -> bool {
        self.0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl Eq for DbKey {}

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey(..)")
    }
}

/// argon2id cost. Stored in each slot, so slots made with other costs keep opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// For real slots: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended option is
    /// 64 MiB, t = 3, p = 4; one lane because the crate computes lanes on one thread, so more
    /// lanes would only add time). Measured 0.29 s per unlock on the 2-core development VM
    /// (`cargo bench --bench cipher`, `argon2id/default`), aimed at 0.3–0.5 s on a low-spec
    /// office PC; 64 MiB is affordable there and is what makes GPU guessing expensive.
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// For tests only: the smallest argon2id allows (about a millisecond).
    pub const INSECURE_FAST: KdfParams = KdfParams {
        m_cost_kib: 8,
        t_cost: 1,
        p_cost: 1,
    };

    fn argon2(&self) -> Result<Argon2<'static>> {
        if self.m_cost_kib > MAX_M_COST_KIB || self.t_cost > MAX_T_COST || self.p_cost > MAX_P_COST
        {
            return Err(KeySlotError::Kdf(format!(
                "{self:?} is beyond the allowed maximum"
            )));
        }
        let params = Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(DB_KEY_LEN))
            .map_err(|e| KeySlotError::Kdf(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// The key-encryption key for a passphrase and salt.
    fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; DB_KEY_LEN]>> {
        let argon2 = self.argon2()?;
        let passphrase = canonical_passphrase(passphrase);
        let mut kek = Zeroizing::new([0u8; DB_KEY_LEN]);
        argon2
            .hash_password_into(passphrase.as_bytes(), salt, &mut kek[..])
            .map_err(|e| KeySlotError::Kdf(e.to_string()))?;
        Ok(kek)
    }
}

/// One operator's wrapped copy of the database key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySlot {
    /// Random, so that a slot re-made for the same operator never reuses associated data.
    pub id: String,
    /// Canonical operator name ([`normalize_operator`]).
    pub operator: String,
    /// Always `argon2id` in format 1.
    pub kdf: String,
    pub params: KdfParams,
    #[serde(with = "hex_bytes")]
    pub salt: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub nonce: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub wrapped: Vec<u8>,
}

impl KeySlot {
    fn seal(key: &DbKey, operator: &str, passphrase: &str, params: KdfParams) -> Result<KeySlot> {
        let mut salt = vec![0u8; SALT_LEN];
        random(&mut salt)?;
        let mut nonce = vec![0u8; NONCE_LEN];
        random(&mut nonce)?;
        let mut id_bytes = [0u8; 16];
        random(&mut id_bytes)?;
        let mut slot = KeySlot {
            id: hex::encode(id_bytes),
            operator: operator.to_owned(),
            kdf: "argon2id".to_owned(),
            params,
            salt,
            nonce,
            wrapped: Vec::new(),
        };
        let kek = params.derive(passphrase, &slot.salt)?;
        let aead = XChaCha20Poly1305::new_from_slice(&kek[..])
            .map_err(|_| KeySlotError::Kdf("key length".into()))?;
        let aad = slot.aad();
        slot.wrapped = aead
            .encrypt(
                XNonce::from_slice(&slot.nonce),
                Payload {
                    msg: &key.0[..],
                    aad: &aad,
                },
            )
            .map_err(|_| KeySlotError::Format("could not wrap the key".into()))?;
        Ok(slot)
    }

    fn open(&self, passphrase: &str) -> Result<DbKey> {
        self.check_shape()?;
        let kek = self.params.derive(passphrase, &self.salt)?;
        let aead = XChaCha20Poly1305::new_from_slice(&kek[..])
            .map_err(|_| KeySlotError::Kdf("key length".into()))?;
        let mut plain = aead
            .decrypt(
                XNonce::from_slice(&self.nonce),
                Payload {
                    msg: &self.wrapped,
                    aad: &self.aad(),
                },
            )
            .map_err(|_| KeySlotError::WrongPassphrase(self.operator.clone()))?;
        let key = DbKey::from_bytes(&plain);
        plain.zeroize();
        key.ok_or_else(|| KeySlotError::Format("wrapped key has the wrong length".into()))
    }

    /// Associated data: what the tag vouches for besides the key.
    fn aad(&self) -> Vec<u8> {
        let mut aad = Vec::with_capacity(128);
        aad.extend_from_slice(AAD_CONTEXT);
        for part in [
            self.id.as_bytes(),
            self.operator.as_bytes(),
            self.kdf.as_bytes(),
        ] {
            aad.extend_from_slice(&(part.len() as u32).to_le_bytes());
            aad.extend_from_slice(part);
        }
        for n in [
            self.params.m_cost_kib,
            self.params.t_cost,
            self.params.p_cost,
        ] {
            aad.extend_from_slice(&n.to_le_bytes());
        }
        aad
    }

    fn check_shape(&self) -> Result<()> {
        if self.kdf != "argon2id" {
            return Err(KeySlotError::Format(format!("unknown KDF {:?}", self.kdf)));
        }
        if self.salt.len() != SALT_LEN
            || self.nonce.len() != NONCE_LEN
            || self.wrapped.len() != WRAPPED_LEN
        {
            return Err(KeySlotError::Format(format!(
                "slot {} has fields of the wrong length",
                self.id
            )));
        }
        Ok(())
    }
}

/// All slots of one database. Serialized as JSON (see [`KeySlots::to_json`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySlots {
    pub format: u32,
    /// The sqlite3mc cipher scheme the database uses (`chacha20`).
    pub cipher: String,
    slots: Vec<KeySlot>,
}

impl KeySlots {
    /// A new database: a fresh random key and the first slot (the first admin's).
    pub fn create(
        operator: &str,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<(KeySlots, DbKey)> {
        let key = DbKey::generate()?;
        let mut slots = KeySlots {
            format: FORMAT,
            cipher: super::CIPHER.to_owned(),
            slots: Vec::new(),
        };
        slots.add_slot(&key, operator, passphrase, params)?;
        Ok((slots, key))
    }

    /// Slots for an existing key (`db rekey` wraps its new key): the first one `operator`'s.
    pub fn with_key(
        key: &DbKey,
        operator: &str,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<KeySlots> {
        let mut slots = KeySlots {
            format: FORMAT,
            cipher: super::CIPHER.to_owned(),
            slots: Vec::new(),
        };
        slots.add_slot(key, operator, passphrase, params)?;
        Ok(slots)
    }

    /// Adds a slot for `operator` wrapping `key` (the caller has unlocked the database, so it
    /// holds the key). One slot per operator.
    pub fn add_slot(
        &mut self,
        key: &DbKey,
        operator: &str,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<&KeySlot> {
        let operator = normalize_operator(operator)?;
        check_new_passphrase(passphrase)?;
        if self.find(&operator).is_some() {
            return Err(KeySlotError::DuplicateOperator(operator));
        }
        let slot = KeySlot::seal(key, &operator, passphrase, params)?;
        self.slots.push(slot);
        Ok(&self.slots[self.slots.len() - 1])
    }

    /// Unwraps the database key with an operator's passphrase. The name is normalized first, so
    /// " kim" and a decomposed 김 find the same slot.
    pub fn unlock(&self, operator: &str, passphrase: &str) -> Result<DbKey> {
        let operator = normalize_operator(operator)?;
        let slot = self
            .find(&operator)
            .ok_or(KeySlotError::UnknownOperator(operator))?;
        slot.open(passphrase)
    }

    /// Replaces an operator's slot with one under a new passphrase (an admin resetting a
    /// passphrase, or the operator after [`KeySlots::unlock`] with the old one).
    pub fn set_passphrase(
        &mut self,
        key: &DbKey,
        operator: &str,
        new_passphrase: &str,
        params: KdfParams,
    ) -> Result<()> {
        let operator = normalize_operator(operator)?;
        check_new_passphrase(new_passphrase)?;
        let index = self
            .slots
            .iter()
            .position(|s| s.operator == operator)
            .ok_or_else(|| KeySlotError::UnknownOperator(operator.clone()))?;
        self.slots[index] = KeySlot::seal(key, &operator, new_passphrase, params)?;
        Ok(())
    }

    /// Removes an operator's slot: they can no longer unlock the database. The last slot cannot
    /// be removed.
    pub fn remove_slot(&mut self, operator: &str) -> Result<KeySlot> {
        let operator = normalize_operator(operator)?;
        let index = self
            .slots
            .iter()
            .position(|s| s.operator == operator)
            .ok_or(KeySlotError::UnknownOperator(operator))?;
        if self.slots.len() == 1 {
            return Err(KeySlotError::LastSlot);
        }
        Ok(self.slots.remove(index))
    }

    /// The operators who have a slot, in the order the slots were made.
    pub fn operators(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().map(|s| s.operator.as_str())
    }

    pub fn slots(&self) -> &[KeySlot] {
        &self.slots
    }

    fn find(&self, operator: &str) -> Option<&KeySlot> {
        self.slots.iter().find(|s| s.operator == operator)
    }

    /// SHA-256 of the canonical serialization. Stored inside the encrypted database whenever
    /// the slots change, it lets an unlock notice a slot file that was replaced by an older copy
    /// (one that still holds a removed operator's slot).
    pub fn digest(&self) -> [u8; 32] {
        let json = serde_json::to_vec(self).unwrap_or_default();
        Sha256::digest(&json).into()
    }

    /// Pretty JSON, one field per line (slot files are small and may be inspected by hand).
    pub fn to_json(&self) -> String {
        // Serializing plain strings, numbers and byte vectors cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses and checks a slot file: known format, at least one slot, well-formed slots,
    /// canonical and unique operator names.
    pub fn from_json(text: &str) -> Result<KeySlots> {
        let slots: KeySlots =
            serde_json::from_str(text).map_err(|e| KeySlotError::Format(e.to_string()))?;
        if slots.format != FORMAT {
            return Err(KeySlotError::Format(format!(
                "format {} (this version reads {FORMAT})",
                slots.format
            )));
        }
        if slots.slots.is_empty() {
            return Err(KeySlotError::Format("no key slots".into()));
        }
        for (i, slot) in slots.slots.iter().enumerate() {
            slot.check_shape()?;
            if normalize_operator(&slot.operator).as_deref() != Ok(slot.operator.as_str()) {
                return Err(KeySlotError::Format(format!(
                    "slot {} has a non-canonical operator name",
                    slot.id
                )));
            }
            if slots.slots[..i].iter().any(|s| s.operator == slot.operator) {
                return Err(KeySlotError::Format(format!(
                    "two slots for operator {:?}",
                    slot.operator
                )));
            }
        }
        Ok(slots)
    }

    /// Reads a slot file.
    pub fn load(path: &Path) -> Result<KeySlots> {
        let text = std::fs::read_to_string(path).map_err(|e| KeySlotError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        KeySlots::from_json(&text)
    }

    /// Writes a slot file atomically (temp file, fsync, rename; owner-only on Unix).
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = self.to_json();
        crate::files::write_atomic(path, |f| {
            use std::io::Write;
            f.write_all(json.as_bytes())?;
            f.write_all(b"\n")
        })
        .map_err(|e| KeySlotError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    }
}

fn random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| KeySlotError::Random(e.to_string()))
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
