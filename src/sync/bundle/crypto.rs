//! age encryption of the bundle body: by passphrase (scrypt) or to site keys (X25519).

use super::manifest::EncryptionKind;
use super::{BundleError, corrupt};
use age::secrecy::SecretString;
use age::{DecryptError, Decryptor, Encryptor, scrypt, x25519};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

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

    pub(super) fn kind(&self) -> EncryptionKind {
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

pub(super) fn encryptor(path: &Path, enc: &Encryption) -> Result<Option<Encryptor>, BundleError> {
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

/// Opens the age layer with the caller's secret.
pub(super) fn decrypt(
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
