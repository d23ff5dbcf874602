//! The manifest: what a bundle holds, signed by its origin site; and the tally of the ops
//! written or read, checked against it.

use crate::audit::AuditHead;
use crate::model::Op;
use crate::sync::keys::parse_verifying_key;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
    /// The sender's signed audit head (issue #20): peers keep the highest they saw and warn
    /// when a later one is shorter or different. Absent in bundles from older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<AuditHead>,
    /// Heads of other sites' audit chains the sender witnessed (each signed by its own site),
    /// so that a site learns what its peers saw of its chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnessed: Vec<AuditHead>,
    /// The signing key, `ed25519:<base64>`.
    pub signer: String,
    /// Ed25519 signature (base64) over [`Manifest::signed_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Manifest {
    /// The canonical bytes that are signed: this manifest as JSON without `signature`.
    /// An error here is never papered over: signing or verifying empty bytes would be wrong.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        let unsigned = Manifest {
            signature: None,
            ..self.clone()
        };
        serde_json::to_vec(&unsigned)
    }

    /// The signer's public key, if `signer` parses and `signature` verifies over the manifest.
    pub fn verify(&self) -> Option<VerifyingKey> {
        let key = parse_verifying_key(&self.signer).ok()?;
        let sig: [u8; 64] = B64
            .decode(self.signature.as_deref()?)
            .ok()?
            .try_into()
            .ok()?;
        key.verify_strict(&self.signed_bytes().ok()?, &Signature::from_bytes(&sig))
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
    /// See [`Manifest::audit_head`].
    pub audit_head: Option<AuditHead>,
    /// See [`Manifest::witnessed`].
    pub witnessed: Vec<AuditHead>,
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
            audit_head: None,
            witnessed: Vec::new(),
        }
    }
}

/// Per-origin seq ranges, per-table counts and the total, accumulated op by op.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Tally {
    pub(super) seq_ranges: BTreeMap<String, [i64; 2]>,
    pub(super) table_counts: BTreeMap<String, u64>,
    pub(super) op_count: u64,
}

impl Tally {
    pub(super) fn add(&mut self, op: &Op) {
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
    pub(super) fn mismatch(&self, m: &Manifest) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};

    fn manifest(key: &SigningKey) -> Manifest {
        Manifest {
            format_version: 1,
            bundle_id: "b".into(),
            schema_version: 1,
            origin_site: "s".into(),
            origin_name: "기관".into(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            encryption: EncryptionKind::Plain,
            seq_ranges: BTreeMap::from([("s".to_string(), [1, 2])]),
            table_counts: BTreeMap::from([("residents".to_string(), 2)]),
            op_count: 2,
            payload_len: 10,
            payload_sha256: "00".into(),
            audit_head: None,
            witnessed: Vec::new(),
            signer: crate::sync::keys::format_verifying_key(&key.verifying_key()),
            signature: None,
        }
    }

    #[test]
    fn signed_bytes_are_the_manifest_without_its_signature() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let mut m = manifest(&key);
        let unsigned = m.signed_bytes().expect("encodes");
        assert!(!unsigned.is_empty());
        m.signature = Some(B64.encode(key.sign(&unsigned).to_bytes()));
        assert_eq!(m.signed_bytes().expect("encodes"), unsigned);
        assert_eq!(m.verify(), Some(key.verifying_key()));
        m.op_count = 3;
        assert_eq!(m.verify(), None, "a changed manifest no longer verifies");
    }

    #[test]
    fn a_manifest_without_audit_heads_reads_and_verifies_as_before() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let mut m = manifest(&key);
        m.signature = Some(B64.encode(key.sign(&m.signed_bytes().expect("encodes")).to_bytes()));
        let text = serde_json::to_string(&m).expect("encodes");
        assert!(!text.contains("audit_head") && !text.contains("witnessed"));
        let back: Manifest = serde_json::from_str(&text).expect("old manifests still read");
        assert_eq!(back.verify(), Some(key.verifying_key()));
        let mut with = m.clone();
        with.audit_head = Some(AuditHead {
            site: "s".into(),
            seq: 3,
            chain: "ab".into(),
            sig: "x".into(),
        });
        assert_eq!(with.verify(), None, "the head is covered by the signature");
    }
}
