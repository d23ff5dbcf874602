//! `dolbom sync status`: this site, its peers, what each peer is known to hold and what is
//! pending for it, and unresolved conflicts.

use super::site::{PublicKeys, SyncResult, public_keys};
use crate::store::Store;
use rusqlite::params;
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
    let conn = store.conn();
    let err = |e| store.sql_err(e);
    let site = public_keys(store)?;
    let version_vector = vv(
        store,
        "SELECT origin, max(seq) FROM ops GROUP BY origin",
        None,
    )?;
    let mut stmt = conn
        .prepare(
            "SELECT site_id, name, trusted, sign_key, last_import_at, last_export_at
             FROM sync_peers ORDER BY name, site_id",
        )
        .map_err(err)?;
    let mut peers = stmt
        .query_map([], |r| {
            Ok(PeerStatus {
                site_id: r.get(0)?,
                name: r.get(1)?,
                trusted: r.get::<_, i64>(2)? != 0,
                sign_key: r.get(3)?,
                last_import_at: r.get(4)?,
                last_export_at: r.get(5)?,
                version_vector: BTreeMap::new(),
                pending_ops: 0,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(err)?;
    for p in &mut peers {
        p.version_vector = vv(
            store,
            "SELECT origin, seq FROM sync_vv WHERE peer = ?1",
            Some(&p.site_id),
        )?;
        p.pending_ops = pending_ops(store, &p.site_id)?;
    }
    let unresolved_conflicts = conn
        .query_row(
            "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    Ok(SyncStatus {
        site,
        version_vector,
        peers,
        unresolved_conflicts,
    })
}

fn vv(store: &Store, sql: &str, peer: Option<&str>) -> SyncResult<BTreeMap<String, i64>> {
    let mut stmt = store.conn().prepare(sql).map_err(|e| store.sql_err(e))?;
    let args: Vec<&dyn rusqlite::ToSql> = match &peer {
        Some(p) => vec![p],
        None => Vec::new(),
    };
    let map = stmt
        .query_map(args.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<String, i64>>>())
        .map_err(|e| store.sql_err(e))?;
    Ok(map)
}

/// Ops held here that `peer`'s version vector lacks (its own ops excluded: it has them).
pub fn pending_ops(store: &Store, peer: &str) -> SyncResult<i64> {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM ops o WHERE o.origin <> ?1 AND o.seq >
                coalesce((SELECT v.seq FROM sync_vv v WHERE v.peer = ?1 AND v.origin = o.origin), 0)",
            params![peer],
            |r| r.get(0),
        )
        .map_err(|e| store.sql_err(e).into())
}
