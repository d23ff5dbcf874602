//! Audit heads in bundles (issue #20 item 3): every bundle carries the sender's signed audit
//! head and the heads it witnessed of other sites; import keeps them (see
//! `store::audit::witness` for what is kept and what is compared).

use super::bundle::{BundleMeta, Manifest};
use super::site::SyncResult;
use crate::store::sync::Actor;
use crate::store::{Store, Tx};
use ed25519_dalek::VerifyingKey;

/// Puts this site's head and the heads it witnessed into a bundle's metadata.
pub(super) fn fill(store: &Store, meta: &mut BundleMeta) -> SyncResult<()> {
    meta.audit_head = store.audit_head()?;
    meta.witnessed = store.witnessed_by_us()?;
    Ok(())
}

/// Keeps the heads a bundle carried (inside the import's transaction): the sender's own,
/// checked against its bundle key, and those of this site's chain that the sender witnessed,
/// checked against this site's key. Returns warnings, in words, about a sender whose head went
/// back or changed.
pub(super) fn record(
    tx: &Tx<'_>,
    manifest: &Manifest,
    signer: &VerifyingKey,
    who: &Actor<'_>,
) -> SyncResult<Vec<String>> {
    let mut warnings = Vec::new();
    if let Some(head) = &manifest.audit_head
        && let Some(w) = tx.witness_peer_head(&manifest.origin_site, signer, head, who)?
    {
        warnings.push(w.describe());
    }
    for head in &manifest.witnessed {
        tx.witness_own_head(&manifest.origin_site, head, who.at)?;
    }
    Ok(warnings)
}
