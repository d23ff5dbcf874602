//! Proof of origin for relayed ops (issue #21 item 6).
//!
//! A bundle's manifest signature proves who *sent* it, not who *made* each op in it: a relay
//! could otherwise put ops in another site's name, and when the real op with that (origin, seq)
//! arrived it would be skipped as known, leaving the sites different for good. So every site
//! signs its own ops at export, per batch of at most [`PROOF_BATCH`] contiguous seqs: Ed25519
//! over (origin, first seq, last seq, the SHA-256 of each op's canonical bytes). The canonical
//! bytes of an op are its JSON line in the bundle (`serde_json` of [`Op`], fields ordered);
//! received ops are stored verbatim, so a relay reproduces them and forwards the origin's
//! signature untouched (`op_proofs`).
//!
//! In a bundle a proof is a pseudo-op on [`PROOF_TABLE`] (seq 0, like the knowledge record)
//! whose fields hold `first`, `last`, `hashes` (hex), `signer` (`ed25519:…`) and `sig` (hex).
//! Import checks every new op of another origin than the sender against a proof verified with
//! the origin's key (the one recorded here; an origin never seen is known by the key its proof
//! names, vouched for by the trusted sender, and remembered).

use super::keys::{format_verifying_key, parse_verifying_key};
use super::site::{SyncError, SyncResult};
use crate::model::{Op, OpKind};
use crate::store::sync::ProofRow;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Table name of a proof record in a bundle (not a real table).
pub const PROOF_TABLE: &str = "@proof";
/// Most ops one proof covers (its hash list stays far below a bundle's longest line).
pub const PROOF_BATCH: usize = 4096;
/// Domain separation of the signed message.
const CONTEXT: &[u8] = b"dolbom op proof v1\0";

/// SHA-256 of an op's canonical bytes (its bundle line without the newline).
pub fn op_hash(op: &Op) -> SyncResult<[u8; 32]> {
    let bytes = serde_json::to_vec(op)
        .map_err(|e| SyncError::BadOp(format!("{}/{}: {e}", op.origin, op.seq)))?;
    Ok(Sha256::digest(&bytes).into())
}

/// The bytes an origin signs for a batch.
fn message(origin: &str, first: i64, last: i64, hashes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(CONTEXT.len() + origin.len() + 24 + hashes.len());
    m.extend_from_slice(CONTEXT);
    m.extend_from_slice(&(origin.len() as u64).to_le_bytes());
    m.extend_from_slice(origin.as_bytes());
    m.extend_from_slice(&first.to_le_bytes());
    m.extend_from_slice(&last.to_le_bytes());
    m.extend_from_slice(hashes);
    m
}

/// Collects this site's own ops as they are exported and signs them per batch.
pub(super) struct OwnProofs<'k> {
    origin: String,
    key: &'k SigningKey,
    first: i64,
    last: i64,
    hashes: Vec<u8>,
    done: Vec<ProofRow>,
}

impl<'k> OwnProofs<'k> {
    pub(super) fn new(origin: &str, key: &'k SigningKey) -> Self {
        OwnProofs {
            origin: origin.to_owned(),
            key,
            first: 0,
            last: 0,
            hashes: Vec::new(),
            done: Vec::new(),
        }
    }

    /// Adds one own op (in seq order).
    pub(super) fn add(&mut self, op: &Op) -> SyncResult<()> {
        let contiguous = !self.hashes.is_empty() && op.seq == self.last + 1;
        if !contiguous || self.hashes.len() / 32 >= PROOF_BATCH {
            self.flush();
            self.first = op.seq;
        }
        self.last = op.seq;
        self.hashes.extend_from_slice(&op_hash(op)?);
        Ok(())
    }

    fn flush(&mut self) {
        if self.hashes.is_empty() {
            return;
        }
        let hashes = std::mem::take(&mut self.hashes);
        let sig = self
            .key
            .sign(&message(&self.origin, self.first, self.last, &hashes));
        self.done.push(ProofRow {
            origin: self.origin.clone(),
            first_seq: self.first,
            last_seq: self.last,
            hashes,
            signer: format_verifying_key(&self.key.verifying_key()),
            sig: sig.to_bytes().to_vec(),
        });
    }

    /// The signed batches.
    pub(super) fn finish(mut self) -> Vec<ProofRow> {
        self.flush();
        self.done
    }
}

/// A proof as the pseudo-op a bundle carries.
pub(super) fn to_op(p: &ProofRow) -> Op {
    let mut fields = BTreeMap::new();
    fields.insert("first".to_owned(), Value::from(p.first_seq));
    fields.insert("last".to_owned(), Value::from(p.last_seq));
    fields.insert("hashes".to_owned(), Value::from(hex::encode(&p.hashes)));
    fields.insert("signer".to_owned(), Value::from(p.signer.clone()));
    fields.insert("sig".to_owned(), Value::from(hex::encode(&p.sig)));
    Op {
        origin: p.origin.clone(),
        seq: 0,
        hlc: 0,
        table: PROOF_TABLE.to_owned(),
        row_id: String::new(),
        kind: OpKind::Update,
        fields,
    }
}

/// Reads a proof pseudo-op; a malformed one refuses the bundle.
pub(super) fn from_op(op: &Op) -> SyncResult<ProofRow> {
    let bad = |what: &str| SyncError::BadOp(format!("{PROOF_TABLE} of {}: {what}", op.origin));
    let int = |k: &str| {
        op.fields
            .get(k)
            .and_then(Value::as_i64)
            .ok_or_else(|| bad(k))
    };
    let text = |k: &str| {
        op.fields
            .get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| bad(k))
    };
    let first = int("first")?;
    let last = int("last")?;
    let hashes = hex::decode(text("hashes")?).map_err(|_| bad("hashes"))?;
    let sig = hex::decode(text("sig")?).map_err(|_| bad("sig"))?;
    let span = last.checked_sub(first).and_then(|d| d.checked_add(1));
    let fits = span
        .and_then(|n| usize::try_from(n).ok())
        .is_some_and(|n| first >= 1 && n <= PROOF_BATCH && n.checked_mul(32) == Some(hashes.len()));
    if !fits || sig.len() != 64 {
        return Err(bad("range"));
    }
    Ok(ProofRow {
        origin: op.origin.clone(),
        first_seq: first,
        last_seq: last,
        hashes,
        signer: text("signer")?.to_owned(),
        sig,
    })
}

/// Whether `p` is signed by `key`.
pub(super) fn verify(p: &ProofRow, key: &VerifyingKey) -> bool {
    let Ok(bytes) = <[u8; 64]>::try_from(p.sig.as_slice()) else {
        return false;
    };
    let sig = Signature::from_bytes(&bytes);
    key.verify_strict(
        &message(&p.origin, p.first_seq, p.last_seq, &p.hashes),
        &sig,
    )
    .is_ok()
}

/// The key a proof's `signer` names.
pub(super) fn signer_of(p: &ProofRow) -> SyncResult<VerifyingKey> {
    Ok(parse_verifying_key(&p.signer)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::keys::SiteKeys;

    fn op(seq: i64, phone: &str) -> Op {
        Op {
            origin: "a".into(),
            seq,
            hlc: 1 << 40,
            table: "residents".into(),
            row_id: "r".into(),
            kind: OpKind::Update,
            fields: [("phone".to_string(), Value::from(phone))].into(),
        }
    }

    #[test]
    fn batches_are_contiguous_and_verify_after_a_round_trip() {
        let keys = SiteKeys::generate();
        let mut own = OwnProofs::new("a", keys.signing_key());
        for (seq, phone) in [(1, "1"), (2, "2"), (5, "5")] {
            own.add(&op(seq, phone)).expect("add");
        }
        let proofs = own.finish();
        let ranges: Vec<_> = proofs.iter().map(|p| (p.first_seq, p.last_seq)).collect();
        assert_eq!(ranges, [(1, 2), (5, 5)]);
        let back = from_op(&to_op(&proofs[0])).expect("parses");
        assert_eq!(back, proofs[0]);
        assert!(verify(&back, &keys.verifying_key()));
        assert_eq!(&back.hashes[32..], &op_hash(&op(2, "2")).expect("hash"));
        assert!(!verify(&back, &SiteKeys::generate().verifying_key()));
        let mut altered = back.clone();
        altered.hashes[32..].copy_from_slice(&op_hash(&op(2, "9")).expect("hash"));
        assert!(!verify(&altered, &keys.verifying_key()));
    }

    #[test]
    fn a_malformed_proof_record_is_an_error() {
        let keys = SiteKeys::generate();
        let mut own = OwnProofs::new("a", keys.signing_key());
        own.add(&op(1, "1")).expect("add");
        let good = to_op(&own.finish()[0]);
        for (k, v) in [
            ("last", Value::from(3)),
            ("first", Value::from(0)),
            ("hashes", Value::from("zz")),
            ("sig", Value::from("00")),
        ] {
            let mut bad = good.clone();
            bad.fields.insert(k.into(), v);
            assert!(from_op(&bad).is_err(), "{k}");
        }
    }
}
