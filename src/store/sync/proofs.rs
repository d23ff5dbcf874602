//! Proofs of origin (`op_proofs`, `ops.proof`) and the signing keys of origins known only
//! through a relay (`origin_keys`); see `crate::sync::proof` for what they prove.

use crate::store::{Result, Store, Tx};
use rusqlite::{OptionalExtension, params};

/// One origin's signature over a batch of its ops, as stored and as carried in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofRow {
    pub origin: String,
    pub first_seq: i64,
    pub last_seq: i64,
    /// 32 bytes per seq from `first_seq` to `last_seq`.
    pub hashes: Vec<u8>,
    /// The origin's public signing key (`ed25519:…`).
    pub signer: String,
    pub sig: Vec<u8>,
}

fn proof_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProofRow> {
    Ok(ProofRow {
        origin: r.get(0)?,
        first_seq: r.get(1)?,
        last_seq: r.get(2)?,
        hashes: r.get(3)?,
        signer: r.get(4)?,
        sig: r.get(5)?,
    })
}

/// The signing key recorded for `origin`: a peer's (`sync_peers`), else one introduced by a
/// relay (`origin_keys`).
fn known_key(conn: &rusqlite::Connection, origin: &str) -> rusqlite::Result<Option<String>> {
    let peer: Option<String> = conn
        .query_row(
            "SELECT sign_key FROM sync_peers WHERE site_id = ?1 AND sign_key IS NOT NULL",
            [origin],
            |r| r.get(0),
        )
        .optional()?;
    if peer.is_some() {
        return Ok(peer);
    }
    conn.query_row(
        "SELECT sign_key FROM origin_keys WHERE origin = ?1",
        [origin],
        |r| r.get(0),
    )
    .optional()
}

impl Store {
    /// The proofs linked to ops of `origin` with seq in `first..=last` held here.
    pub fn proofs_for(&self, origin: &str, first: i64, last: i64) -> Result<Vec<ProofRow>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT p.origin, p.first_seq, p.last_seq, p.hashes, p.signer, p.sig FROM op_proofs p
                 WHERE p.id IN (SELECT DISTINCT o.proof FROM ops o
                                WHERE o.origin = ?1 AND o.seq BETWEEN ?2 AND ?3 AND o.proof IS NOT NULL)
                 ORDER BY p.first_seq, p.id",
            )
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map(params![origin, first, last], proof_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql_err(e))
    }

    /// The signing key recorded for `origin` (a peer's, else one introduced by a relay).
    pub fn origin_key(&self, origin: &str) -> Result<Option<String>> {
        known_key(self.conn(), origin).map_err(|e| self.sql_err(e))
    }
}

impl Tx<'_> {
    /// The signing key recorded for `origin` (a peer's, else one introduced by a relay).
    pub fn origin_key(&self, origin: &str) -> Result<Option<String>> {
        known_key(self.conn(), origin).map_err(|e| self.sql_err(e))
    }

    /// Records `key` as `origin`'s signing key, introduced by `by` (a relay), unless a key is
    /// recorded already.
    pub fn introduce_origin_key(&self, origin: &str, key: &str, by: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT OR IGNORE INTO origin_keys (origin, sign_key, introduced_by) VALUES (?1, ?2, ?3)",
                params![origin, key, by],
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }

    /// Stores a proof (once: the signature is unique); returns its id.
    pub fn store_proof(&self, p: &ProofRow) -> Result<i64> {
        let conn = self.conn();
        (|| -> rusqlite::Result<i64> {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO op_proofs (origin, first_seq, last_seq, hashes, signer, sig)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                p.origin,
                p.first_seq,
                p.last_seq,
                p.hashes,
                p.signer,
                p.sig
            ])?;
            conn.prepare_cached("SELECT id FROM op_proofs WHERE sig = ?1")?
                .query_row([&p.sig], |r| r.get(0))
        })()
        .map_err(|e| self.sql_err(e))
    }

    /// Links op (origin, seq) to the proof `proof`.
    pub fn link_proof(&self, origin: &str, seq: i64, proof: i64) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE ops SET proof = ?3 WHERE origin = ?1 AND seq = ?2")
            .and_then(|mut s| s.execute(params![origin, seq, proof]))
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }
}
