//! Audit heads witnessed through sync (`audit_heads`, `audit_head_warnings`; V_AUDIT).
//!
//! Every bundle carries its sender's signed head and the heads the sender last witnessed of
//! other sites. A receiver keeps, per (site, witness), the highest head:
//! - of the sender's chain, witnessed by this site: a later bundle whose head is shorter, or
//!   names the same row with another value, leaves a warning (the sender's log was trimmed or
//!   rewritten) and an audit row; the highest head is kept;
//! - of this site's own chain, witnessed by the sender and sent back: `audit verify` checks
//!   each against the local chain, which a local rebuild under the key cannot satisfy.
//!
//! A head is stored only if its site's signature verifies, so a peer cannot frame another.

use super::key::{AuditHead, own_verifying_key};
use super::{Event, append};
use crate::model::AuditAction;
use crate::store::sync::Actor;
use crate::store::{Result, Store, Tx};
use ed25519_dalek::VerifyingKey;
use rusqlite::{Connection, OptionalExtension, params};

/// A head of `head.site`'s chain as `witness` saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessedHead {
    pub head: AuditHead,
    pub witness: String,
    /// The witness's name, if it is a known peer.
    pub witness_name: Option<String>,
    pub seen_at: String,
}

impl WitnessedHead {
    /// The witness's name, or its site id.
    pub fn witness_name(&self) -> &str {
        self.witness_name.as_deref().unwrap_or(&self.witness)
    }
}

/// A peer's head that went backwards or sideways since this site last saw it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeadWarning {
    pub at: String,
    pub site: String,
    /// Highest head witnessed before: seq and chain value.
    pub witnessed_seq: i64,
    pub witnessed_chain: String,
    /// What the later bundle carried.
    pub got_seq: i64,
    pub got_chain: String,
}

impl HeadWarning {
    /// In words (Korean first), for the CLI and the audit row's detail.
    pub fn describe(&self) -> String {
        if self.got_seq < self.witnessed_seq {
            format!(
                "감사 로그가 짧아졌습니다: 전에 {}행까지 보았는데 이번 묶음은 {}행 (audit log shortened)",
                self.witnessed_seq, self.got_seq
            )
        } else {
            format!(
                "감사 로그가 바뀌었습니다: {}행의 값이 전에 본 것과 다릅니다 (audit log rewritten)",
                self.got_seq
            )
        }
    }
}

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<WitnessedHead> {
    Ok(WitnessedHead {
        head: AuditHead {
            site: r.get(0)?,
            seq: r.get(2)?,
            chain: r.get(3)?,
            sig: r.get(4)?,
        },
        witness: r.get(1)?,
        seen_at: r.get(5)?,
        witness_name: r.get(6)?,
    })
}

const SELECT: &str = "SELECT h.site, h.witness, h.seq, h.chain, h.sig, h.seen_at, p.name
     FROM audit_heads h LEFT JOIN sync_peers p ON p.site_id = h.witness";

/// Every witnessed head of `site`'s chain (by any witness).
pub(super) fn witnessed_of(conn: &Connection, site: &str) -> rusqlite::Result<Vec<WitnessedHead>> {
    let mut stmt = conn.prepare(&format!("{SELECT} WHERE h.site = ?1 ORDER BY h.witness"))?;
    stmt.query_map([site], read)?.collect()
}

fn stored(conn: &Connection, site: &str, witness: &str) -> rusqlite::Result<Option<AuditHead>> {
    conn.query_row(
        "SELECT site, seq, chain, sig FROM audit_heads WHERE site = ?1 AND witness = ?2",
        params![site, witness],
        |r| {
            Ok(AuditHead {
                site: r.get(0)?,
                seq: r.get(1)?,
                chain: r.get(2)?,
                sig: r.get(3)?,
            })
        },
    )
    .optional()
}

fn put(conn: &Connection, head: &AuditHead, witness: &str, at: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO audit_heads (site, witness, seq, chain, sig, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![head.site, witness, head.seq, head.chain, head.sig, at],
    )?;
    Ok(())
}

impl Tx<'_> {
    /// Records the head a bundle from `sender` carried (signed by `key`, the bundle's signer):
    /// keeps the highest, and returns a warning (also stored and audited) if it is shorter than
    /// or diverges from the head this site witnessed before. A head that does not verify, or is
    /// not the sender's, is ignored.
    pub fn witness_peer_head(
        &self,
        sender: &str,
        key: &VerifyingKey,
        head: &AuditHead,
        who: &Actor<'_>,
    ) -> Result<Option<HeadWarning>> {
        self.witness_peer_head_inner(sender, key, head, who)
            .map_err(|e| self.sql_err(e))
    }

    fn witness_peer_head_inner(
        &self,
        sender: &str,
        key: &VerifyingKey,
        head: &AuditHead,
        who: &Actor<'_>,
    ) -> rusqlite::Result<Option<HeadWarning>> {
        let conn = self.conn();
        if head.site != sender || !head.verify(key) {
            return Ok(None);
        }
        let own: String =
            conn.query_row("SELECT value FROM meta WHERE key = 'site_id'", [], |r| {
                r.get(0)
            })?;
        let before = stored(conn, sender, &own)?;
        let warning = match &before {
            Some(b) if head.seq < b.seq || (head.seq == b.seq && head.chain != b.chain) => {
                Some(HeadWarning {
                    at: who.at.to_string(),
                    site: sender.to_string(),
                    witnessed_seq: b.seq,
                    witnessed_chain: b.chain.clone(),
                    got_seq: head.seq,
                    got_chain: head.chain.clone(),
                })
            }
            _ => None,
        };
        match (&before, &warning) {
            (_, Some(w)) => {
                conn.execute(
                    "INSERT INTO audit_head_warnings
                        (at, site, witnessed_seq, witnessed_chain, got_seq, got_chain)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        w.at,
                        w.site,
                        w.witnessed_seq,
                        w.witnessed_chain,
                        w.got_seq,
                        w.got_chain
                    ],
                )?;
                append(
                    conn,
                    who.operator,
                    who.host,
                    who.at,
                    &Event {
                        action: AuditAction::Denied,
                        resident_id: None,
                        subject: &format!("site:{sender}"),
                        detail: &format!(
                            "audit head of peer went back: witnessed {} got {}",
                            w.witnessed_seq, w.got_seq
                        ),
                    },
                )?;
            }
            (Some(b), None) if head.seq <= b.seq => {}
            _ => put(conn, head, &own, who.at)?,
        }
        Ok(warning)
    }

    /// Records a head of this site's own chain that `witness` saw (carried back in its
    /// bundle), if this site's key signed it; keeps the highest per witness.
    pub fn witness_own_head(&self, witness: &str, head: &AuditHead, at: &str) -> Result<()> {
        let run = || -> rusqlite::Result<()> {
            let conn = self.conn();
            let own: String =
                conn.query_row("SELECT value FROM meta WHERE key = 'site_id'", [], |r| {
                    r.get(0)
                })?;
            if head.site != own || !head.verify(&own_verifying_key(conn)?) {
                return Ok(());
            }
            match stored(conn, &own, witness)? {
                Some(b) if b.seq >= head.seq => Ok(()),
                _ => put(conn, head, witness, at),
            }
        };
        run().map_err(|e| self.sql_err(e))
    }
}

impl Store {
    /// The heads this site witnessed of other sites' chains (what its bundles carry back).
    pub fn witnessed_by_us(&self) -> Result<Vec<AuditHead>> {
        let run = || -> rusqlite::Result<Vec<AuditHead>> {
            let mut stmt = self.conn().prepare(&format!(
                "{SELECT} WHERE h.witness = ?1 AND h.site <> ?1 ORDER BY h.site"
            ))?;
            stmt.query_map([&self.site().id], read)?
                .map(|r| r.map(|w| w.head))
                .collect()
        };
        run().map_err(|e| self.sql_err(e))
    }

    /// Heads of this site's chain that peers witnessed.
    pub fn witnesses_of_us(&self) -> Result<Vec<WitnessedHead>> {
        witnessed_of(self.conn(), &self.site().id).map_err(|e| self.sql_err(e))
    }

    /// Warnings about peers' heads that went back, newest first.
    pub fn head_warnings(&self) -> Result<Vec<HeadWarning>> {
        let run = || -> rusqlite::Result<Vec<HeadWarning>> {
            let mut stmt = self.conn().prepare(
                "SELECT at, site, witnessed_seq, witnessed_chain, got_seq, got_chain
                 FROM audit_head_warnings ORDER BY id DESC",
            )?;
            stmt.query_map([], |r| {
                Ok(HeadWarning {
                    at: r.get(0)?,
                    site: r.get(1)?,
                    witnessed_seq: r.get(2)?,
                    witnessed_chain: r.get(3)?,
                    got_seq: r.get(4)?,
                    got_chain: r.get(5)?,
                })
            })?
            .collect()
        };
        run().map_err(|e| self.sql_err(e))
    }

    /// This site's signed head as it stands (`meta`).
    pub fn audit_head(&self) -> Result<Option<AuditHead>> {
        super::key::meta_head(self.conn()).map_err(|e| self.sql_err(e))
    }
}
