//! `dolbom sync status`: this site, its peers, what each peer is known to hold and what is
//! pending for it, and unresolved conflicts.

use super::site::{PublicKeys, SyncResult, public_keys};
use crate::store::Store;
use std::collections::BTreeMap;

/// One peer as we know it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeerStatus {
    pub site_id: String,
    pub name: String,
    pub trusted: bool,
    pub sign_key: Option<String>,
    pub last_import_at: Option<String>,
    pub last_export_at: Option<String>,
    /// Highest seq per origin the peer is known to hold.
    pub version_vector: BTreeMap<String, i64>,
    /// Ops we hold that the peer's vector lacks (what `sync export --to` would send).
    pub pending_ops: i64,
}

/// The whole status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncStatus {
    pub site: PublicKeys,
    /// Highest seq per origin held here.
    pub version_vector: BTreeMap<String, i64>,
    pub peers: Vec<PeerStatus>,
    pub unresolved_conflicts: i64,
}

/// Reads the status (makes the site keys if this is the first sync command).
pub fn status(store: &Store) -> SyncResult<SyncStatus> {
    let site = public_keys(store)?;
    let version_vector = store.held_seqs()?;
    let mut peers = Vec::new();
    for p in store.peers()? {
        peers.push(PeerStatus {
            version_vector: store.peer_seqs(&p.site_id)?,
            pending_ops: store.pending_ops(&p.site_id)?,
            site_id: p.site_id,
            name: p.name,
            trusted: p.trusted,
            sign_key: p.sign_key,
            last_import_at: p.last_import_at,
            last_export_at: p.last_export_at,
        });
    }
    Ok(SyncStatus {
        site,
        version_vector,
        peers,
        unresolved_conflicts: store.unresolved_conflict_count()?,
    })
}

/// Ops held here that `peer`'s version vector lacks (its own ops excluded: it has them).
pub fn pending_ops(store: &Store, peer: &str) -> SyncResult<i64> {
    Ok(store.pending_ops(peer)?)
}
