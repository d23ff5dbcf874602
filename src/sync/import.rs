//! Import: verify a bundle, then merge its ops in one transaction (the merge rules are in
//! `merge`).
//!
//! - The sender must be a known peer signing with its recorded key, or be accepted with
//!   `--trust` (then its key is recorded).
//! - The bundle is decrypted, decompressed and parsed on a second thread while this one writes.
//! - An op in this site's own name that this site does not have is refused: it was forged by
//!   the sender (or this database is an older copy). A new op of another origin than the sender
//!   (relayed) must match a proof signed by its origin ([`super::proof`]), else the bundle is
//!   refused naming the op; the proofs are kept so that this site can relay the ops in turn.
//! - An op stamped more than a day ([`hlc::MAX_DRIFT_MS`]) ahead of our wall clock refuses the
//!   whole bundle, naming its origin (whose clock to fix); our clock never sees the stamp.
//! - The whole import commits only after the bundle reader ended without an error (checksum,
//!   length and counts are verified after the last op), so a damaged bundle changes nothing.
//! - What the sender holds (its `@held` record and the bundle's seq ranges) advances its
//!   version vector; the import is logged in `sync_log` and the audit log.

use super::bundle::{BundleError, BundleReader, Decryption, Manifest, open_bundle};
use super::export::KNOWLEDGE_TABLE;
use super::keys::{format_verifying_key, parse_verifying_key};
use super::merge::Merger;
use super::proof::{self, PROOF_TABLE};
use super::site::{SyncError, SyncResult, site_keys};
use crate::audit::Event;
use crate::batch::{Batch, produce};
use crate::model::{AuditAction, Op};
use crate::store::Store;
use crate::store::Tx;
use crate::store::oplog::hlc;
use crate::store::schema::CURRENT_VERSION;
use crate::store::sync::{Actor, ImportRecord, KnownPeer, ProofRow};
use age::secrecy::SecretString;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How to import.
#[derive(Default)]
pub struct ImportOptions {
    /// The passphrase of a passphrase bundle; otherwise this site's key decrypts.
    pub passphrase: Option<SecretString>,
    /// Accept a bundle from a site never seen before and remember its signing key.
    pub trust: bool,
    /// Do everything, report, then roll back.
    pub dry_run: bool,
}

/// Counts for one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TableCounts {
    pub applied: u64,
    pub known: u64,
    pub conflicts: u64,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub path: PathBuf,
    pub bundle_id: String,
    pub origin_site: String,
    pub origin_name: String,
    pub total: u64,
    /// New ops recorded and merged.
    pub applied: u64,
    /// Ops already known (skipped).
    pub known: u64,
    /// New conflicts recorded.
    pub conflicts: u64,
    pub per_table: BTreeMap<String, TableCounts>,
    /// The sender was unknown and is now trusted (`--trust`).
    pub new_peer: bool,
    pub dry_run: bool,
    /// RRN-shaped numbers masked on arrival (issue #20).
    pub masked: u64,
    /// The sender's audit head went back or changed since this site last saw it (in words).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub audit_warnings: Vec<String>,
}

/// Verifies and merges the bundle at `path`. `progress(bytes_read, bytes_total)` is called now
/// and then. Nothing changes unless every check passes (and never with `dry_run`). Any operator
/// may merge a bundle from a trusted site (the daily exchange between colleagues' PCs); trusting
/// a new site (`trust`) is an admin's decision, in the TUI and the CLI alike
/// ([`Store::require_admin`]; the refusal is audited).
pub fn import_bundle(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> SyncResult<ImportReport> {
    let decryption = match &opts.passphrase {
        Some(p) => Decryption::Passphrase(p.clone()),
        None => Decryption::Identities(vec![site_keys(store)?.age_identity().clone()]),
    };
    let reader = open_bundle(path, &decryption, CURRENT_VERSION, None)?;
    let manifest = reader.manifest().clone();
    if manifest.origin_site == store.site().id {
        return Err(SyncError::OwnBundle {
            site: manifest.origin_site,
        });
    }
    let signer = *reader.signer();
    let new_peer = check_peer(store, path, &manifest, &signer, opts.trust)?;
    let operator = store.operator().to_string();
    let host = store.host().to_string();
    let at = store.clock().stamp();
    let now_ms = store.clock().now_ms();
    let own_site = store.site().id.clone();
    let mut report = ImportReport {
        path: path.to_owned(),
        bundle_id: manifest.bundle_id.clone(),
        origin_site: manifest.origin_site.clone(),
        origin_name: manifest.origin_name.clone(),
        new_peer,
        dry_run: opts.dry_run,
        ..ImportReport::default()
    };
    let mut purges = super::purge::Purges::load(store)?;
    let mut tx = store.write()?;
    tx.begin_merge()?;
    let mut merger = Merger::default();
    let mut held: Option<BTreeMap<String, Value>> = None;
    let mut proofs: Vec<ProofRow> = Vec::new();
    // New ops of other origins, with the hash of their canonical bytes, to prove.
    let mut unproven: Vec<(String, i64, [u8; 32])> = Vec::new();
    // A reader error (checksum, length, counts: checked after the last op) arrives in order
    // and stops the import before anything commits.
    std::thread::scope(|scope| -> SyncResult<()> {
        let (send, batches) = std::sync::mpsc::sync_channel::<Batch<Op, BundleError>>(4);
        scope.spawn(move || produce(reader, OP_BATCH, BundleReader::progress, &send));
        for batch in batches {
            for op in batch.items {
                if op.table == KNOWLEDGE_TABLE {
                    // What the sender holds (see `export`); only its own record counts.
                    if op.origin == manifest.origin_site {
                        held = Some(op.fields);
                    }
                    continue;
                }
                if op.table == PROOF_TABLE {
                    proofs.push(proof::from_op(&op)?);
                    continue;
                }
                report.total += 1;
                if purges.skips(&op) {
                    // A purged row: no older copy brings it back (see `super::purge`).
                    report.known += 1;
                    continue;
                }
                if hlc::is_far_future(op.hlc, now_ms) {
                    // Refused before the clock sees it: the whole import rolls back.
                    return Err(SyncError::FarFuture {
                        origin: op.origin.clone(),
                        seq: op.seq,
                        stamp: hlc::format_utc(op.hlc),
                        limit: hlc::format_utc(hlc::pack(
                            now_ms.saturating_add(hlc::MAX_DRIFT_MS),
                            0,
                        )),
                    });
                }
                if op.origin == own_site && !tx.op_known(&op.origin, op.seq)? {
                    // Every op of ours is here from the moment it was made: one we lack was
                    // made elsewhere in our name (or this database is an older copy).
                    return Err(SyncError::ForgedOwnOp {
                        sender: manifest.origin_site.clone(),
                        seq: op.seq,
                    });
                }
                tx.observe_hlc(op.hlc);
                if let Some(new) = purges.take(&tx, &op)? {
                    if new {
                        report.applied += 1;
                        if op.origin != own_site {
                            unproven.push((op.origin.clone(), op.seq, proof::op_hash(&op)?));
                        }
                    } else {
                        report.known += 1;
                    }
                    continue;
                }
                let table = op.table.clone();
                let check = if op.origin == own_site {
                    None
                } else {
                    Some((op.origin.clone(), op.seq, proof::op_hash(&op)?))
                };
                let applied = merger.add(&tx, op)?;
                if applied && let Some(c) = check {
                    unproven.push(c);
                }
                let counts = report.per_table.entry(table).or_default();
                if applied {
                    counts.applied += 1;
                    report.applied += 1;
                } else {
                    counts.known += 1;
                    report.known += 1;
                }
            }
            if let Some(e) = batch.error {
                return Err(e.into());
            }
            progress(batch.progress.0, batch.progress.1);
        }
        Ok(())
    })?;
    check_origins(&tx, &manifest, &signer, &own_site, &proofs, unproven)?;
    for (table, n) in merger.finish(&tx, &at)? {
        report.per_table.entry(table).or_default().conflicts += n;
        report.conflicts += n;
    }
    let file = path.display().to_string();
    // Every op in a bundle from P is held by P, and (prefix-closed) every earlier op of its
    // origin; so is what its `@held` record says.
    let from_ops = manifest
        .seq_ranges
        .iter()
        .map(|(o, [_, max])| (o.as_str(), *max));
    let from_record = held
        .iter()
        .flatten()
        .filter_map(|(o, v)| Some((o.as_str(), v.as_i64()?)));
    let record = ImportRecord {
        at: &at,
        origin_site: &manifest.origin_site,
        origin_name: &manifest.origin_name,
        signer: &manifest.signer,
        replace_key: opts.trust && report.new_peer,
        bundle_id: &manifest.bundle_id,
        file: &file,
        total: report.total,
        applied: report.applied,
        known: report.known,
        conflicts: report.conflicts,
    };
    tx.record_import(&record, &mut from_ops.chain(from_record))?;
    let subject = format!("bundle:{file}");
    let detail = format!(
        "from {} · applied {} · known {} · conflicts {}",
        manifest.origin_site, report.applied, report.known, report.conflicts
    );
    let who = Actor {
        operator: &operator,
        host: &host,
        at: &at,
    };
    report.audit_warnings = super::witness::record(&tx, &manifest, &signer, &who)?;
    let purged = purges.apply(&tx, &who)?;
    tx.append_sync_audit(
        &who,
        &Event {
            action: AuditAction::Create,
            resident_id: None,
            subject: &subject,
            detail: &detail,
        },
    )?;
    if merger.masked > 0 {
        // One row per bundle, with the count; never the numbers.
        let detail = format!(
            "주민등록번호 형태 {}건을 받으며 가림 (RRN-shaped numbers masked on arrival) · from {}",
            merger.masked, manifest.origin_site
        );
        tx.append_sync_audit(
            &who,
            &Event {
                action: AuditAction::Update,
                resident_id: None,
                subject: &subject,
                detail: &detail,
            },
        )?;
    }
    report.masked = merger.masked;
    if !opts.dry_run {
        tx.commit()?;
        if purged > 0 {
            // The purged rows leave no trace in the file: checkpoint, vacuum.
            store.compact()?;
        }
    }
    Ok(report)
}

/// Ops per batch from the reading thread.
const OP_BATCH: usize = 1024;

/// Refuses an unknown sender (unless `trust`) or a known one signing with another key.
/// Returns whether the sender is new.
fn check_peer(
    store: &Store,
    path: &Path,
    manifest: &Manifest,
    signer: &ed25519_dalek::VerifyingKey,
    trust: bool,
) -> SyncResult<bool> {
    match store.known_peer(&manifest.origin_site)? {
        Some(KnownPeer {
            sign_key: Some(key),
            trusted: true,
        }) => {
            let expected = parse_verifying_key(&key)?;
            if expected != *signer {
                return Err(BundleError::UnexpectedSigner {
                    path: path.to_owned(),
                    expected: format_verifying_key(&expected),
                    found: manifest.signer.clone(),
                }
                .into());
            }
            Ok(false)
        }
        _ => {
            // A key a relay introduced for this site (see `check_origins`) must be its own.
            if let Some(key) = store.origin_key(&manifest.origin_site)?
                && parse_verifying_key(&key).ok() != Some(*signer)
            {
                return Err(BundleError::UnexpectedSigner {
                    path: path.to_owned(),
                    expected: key,
                    found: manifest.signer.clone(),
                }
                .into());
            }
            if trust {
                store.require_admin("sync import")?;
                Ok(true)
            } else {
                Err(SyncError::UnknownSite {
                    site: manifest.origin_site.clone(),
                    name: manifest.origin_name.clone(),
                    signer: manifest.signer.clone(),
                })
            }
        }
    }
}

/// (origin, seq) → every (signed hash, index of its proof) in the bundle.
type SignedHashes<'a> = HashMap<(&'a str, i64), Vec<([u8; 32], usize)>>;

/// Proves every new op of another origin (`unproven`: origin, seq, hash of its canonical bytes)
/// by the bundle's proofs, and keeps the proofs that prove them (linked from the ops).
///
/// A proof counts only if signed by its origin's key: the sender's bundle key for the sender's
/// own ops; for another origin the key recorded here, or, for an origin never seen, the key the
/// proof names (vouched for by the trusted sender, and recorded so that it cannot change). A
/// relayed op with no proof, or whose hash differs from the signed one, refuses the bundle. The
/// sender's own ops are proven by the bundle signature already and pass without a proof (a
/// bundle from an older version carries none).
fn check_origins(
    tx: &Tx<'_>,
    manifest: &Manifest,
    signer: &ed25519_dalek::VerifyingKey,
    own_site: &str,
    proofs: &[ProofRow],
    unproven: Vec<(String, i64, [u8; 32])>,
) -> SyncResult<()> {
    let sender = &manifest.origin_site;
    let mut signed: SignedHashes<'_> = HashMap::new();
    for (i, p) in proofs.iter().enumerate() {
        if p.origin == own_site {
            continue;
        }
        let bad = |detail: String| SyncError::BadProof {
            sender: sender.clone(),
            origin: p.origin.clone(),
            first: p.first_seq,
            last: p.last_seq,
            detail,
        };
        let named = proof::signer_of(p)?;
        let key = if p.origin == *sender {
            *signer
        } else if let Some(k) = tx.origin_key(&p.origin)? {
            parse_verifying_key(&k)?
        } else {
            tx.introduce_origin_key(&p.origin, &p.signer, sender)?;
            named
        };
        if named != key {
            return Err(bad(format!(
                " (서명 키 {}, 이 기관이 아는 키 {} / signed by {0}, known key {1})",
                p.signer,
                format_verifying_key(&key)
            )));
        }
        if !proof::verify(p, &key) {
            return Err(bad(String::new()));
        }
        for (k, h) in p.hashes.chunks_exact(32).enumerate() {
            let Ok(h) = <[u8; 32]>::try_from(h) else {
                continue;
            };
            let seq = p
                .first_seq
                .saturating_add(i64::try_from(k).unwrap_or(i64::MAX));
            signed
                .entry((p.origin.as_str(), seq))
                .or_default()
                .push((h, i));
        }
    }
    let mut stored: HashMap<usize, i64> = HashMap::new();
    for (origin, seq, hash) in unproven {
        let candidates = signed.get(&(origin.as_str(), seq));
        let Some(candidates) = candidates else {
            if origin == *sender {
                continue;
            }
            return Err(SyncError::UnprovenOp {
                sender: sender.clone(),
                origin,
                seq,
            });
        };
        let Some(&(_, i)) = candidates.iter().find(|(h, _)| *h == hash) else {
            return Err(SyncError::TamperedOp {
                sender: sender.clone(),
                origin,
                seq,
            });
        };
        let id = match stored.get(&i) {
            Some(id) => *id,
            None => {
                let id = tx.store_proof(&proofs[i])?;
                stored.insert(i, id);
                id
            }
        };
        tx.link_proof(&origin, seq, id)?;
    }
    Ok(())
}
