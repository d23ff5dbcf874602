//! Export: every op a peer lacks (or all of them) into a signed bundle.
//!
//! # What a peer has
//! `sync_vv(peer, origin, seq)` is the highest seq of each origin that we *know* the peer holds.
//! Every site holds a contiguous prefix of each origin's ops (each bundle carries everything
//! its sender has that the receiver may lack), so "seq ≤ vv" is exactly what can be skipped.
//! The vector advances only on **import**: a bundle from peer P proves P holds every op in it
//! and, per origin, every op up to the highest seq in it (its manifest's `seq_ranges`). Export
//! does **not** advance it — we cannot know that a file was delivered — so until P's next bundle
//! arrives, later exports to P repeat what P may already have; importing a repeated op is a no-op.
//! A peer always has its own ops, so they are never sent back to it.
//!
//! So that a peer can learn what *we* hold (including its own ops we received, which it never
//! gets back from us), every bundle ends with one *knowledge record*: a pseudo-op on the table
//! [`KNOWLEDGE_TABLE`] from our site with seq 0, whose fields map each origin to the highest
//! seq we hold. Import reads it into the sender's version vector and does not store it as an op.
//!
//! Before it come the proofs of origin ([`super::proof`]): our signature over our own ops in the
//! bundle, and the origins' signatures over the relayed ones, as received.

use super::bundle::{BundleMeta, BundleWriter, Encryption};
use super::proof::{self, OwnProofs, PROOF_TABLE};
use super::site::{SyncResult, site_keys};
use crate::audit::Event;
use crate::model::{AuditAction, Op, OpKind};
use crate::store::Store;
use crate::store::schema::CURRENT_VERSION;
use crate::store::sync::ExportRecord;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Table name of the knowledge record closing every bundle (not a real table).
pub const KNOWLEDGE_TABLE: &str = "@held";

/// What to export.
pub struct ExportOptions {
    /// The bundle file to write (atomically).
    pub out: PathBuf,
    /// The peer site id the bundle is for; `None` exports everything.
    pub to: Option<String>,
    /// Everything, whatever the peer's vector says.
    pub full: bool,
    pub encryption: Encryption,
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportReport {
    pub path: PathBuf,
    pub bundle_id: String,
    pub peer: Option<String>,
    pub ops: u64,
    pub per_table: BTreeMap<String, u64>,
    /// Bundle size in bytes.
    pub file_len: u64,
}

/// Writes a bundle of the ops `opts.to` lacks (all ops with `full` or without a peer), records
/// it in `sync_log` and the audit log. `progress(ops_written)` is called every 10 000 ops.
pub fn export_bundle(
    store: &Store,
    opts: &ExportOptions,
    progress: &mut dyn FnMut(u64),
) -> SyncResult<ExportReport> {
    let peer = if opts.full { None } else { opts.to.as_deref() };
    write_export(
        store,
        &opts.out,
        opts.to.as_deref(),
        &opts.encryption,
        &mut |each| stream_ops(store, peer, each),
        progress,
    )
}

/// Writes a bundle of this site's own ops with `after < seq <= upto` (a shared-folder bundle:
/// every peer reads this site's folder itself, so nothing is relayed), recorded like
/// [`export_bundle`] with no peer.
pub fn export_own_range(
    store: &Store,
    out: &Path,
    after: i64,
    upto: i64,
    encryption: &Encryption,
) -> SyncResult<ExportReport> {
    let own = store.site().id.clone();
    write_export(
        store,
        out,
        None,
        encryption,
        &mut |each| store.for_each_op_of_origin(&own, after, upto, each),
        &mut |_| {},
    )
}

/// Where the ops of a bundle come from: called once with the sink each op goes to.
type OpSource<'a> = dyn FnMut(&mut dyn FnMut(&Op) -> SyncResult<()>) -> SyncResult<()> + 'a;

fn write_export(
    store: &Store,
    out: &Path,
    to: Option<&str>,
    encryption: &Encryption,
    source: &mut OpSource<'_>,
    progress: &mut dyn FnMut(u64),
) -> SyncResult<ExportReport> {
    let keys = site_keys(store)?;
    let site = store.site().clone();
    let mut meta = BundleMeta::new(CURRENT_VERSION, &site.id, &site.name);
    super::witness::fill(store, &mut meta)?;
    let mut writer = BundleWriter::new(out, meta)?;
    let mut own = OwnProofs::new(&site.id, keys.signing_key());
    // Per other origin, the seqs sent: their proofs (kept from import) go along.
    let mut relayed: BTreeMap<String, [i64; 2]> = BTreeMap::new();
    source(&mut |op| {
        writer.push(op)?;
        if op.origin == site.id {
            own.add(op)?;
        } else {
            let range = relayed.entry(op.origin.clone()).or_insert([op.seq, op.seq]);
            range[0] = range[0].min(op.seq);
            range[1] = range[1].max(op.seq);
        }
        if writer.op_count().is_multiple_of(10_000) {
            progress(writer.op_count());
        }
        Ok(())
    })?;
    let ops = writer.op_count();
    for p in own.finish() {
        writer.push(&proof::to_op(&p))?;
    }
    for (origin, [first, last]) in &relayed {
        for p in store.proofs_for(origin, *first, *last)? {
            writer.push(&proof::to_op(&p))?;
        }
    }
    writer.push(&knowledge(store)?)?;
    let info = writer.finish(keys.signing_key(), encryption)?;
    record(store, to, &info.manifest, ops, out)?;
    Ok(ExportReport {
        path: info.path,
        bundle_id: info.manifest.bundle_id.clone(),
        peer: to.map(str::to_string),
        ops,
        per_table: info
            .manifest
            .table_counts
            .iter()
            .filter(|(t, _)| t.as_str() != KNOWLEDGE_TABLE && t.as_str() != PROOF_TABLE)
            .map(|(t, n)| (t.clone(), *n))
            .collect(),
        file_len: info.file_len,
    })
}

/// Calls `each` for every op `peer` lacks (every op when `peer` is `None`), in (origin, seq)
/// order; an insert op whose fields are not stored gets them from its row.
pub fn stream_ops(
    store: &Store,
    peer: Option<&str>,
    each: &mut dyn FnMut(&Op) -> SyncResult<()>,
) -> SyncResult<()> {
    store.for_each_op(peer, each)
}

/// The knowledge record: the highest seq we hold per origin.
fn knowledge(store: &Store) -> SyncResult<Op> {
    let fields = store
        .held_seqs()?
        .into_iter()
        .map(|(origin, seq)| (origin, serde_json::Value::from(seq)))
        .collect();
    Ok(Op {
        origin: store.site().id.clone(),
        seq: 0,
        hlc: 0,
        table: KNOWLEDGE_TABLE.to_string(),
        row_id: String::new(),
        kind: OpKind::Update,
        fields,
    })
}

/// `sync_log`, the peer's last export time and the audit row (다운로드, `bundle:FILE`), in one
/// transaction.
fn record(
    store: &Store,
    peer: Option<&str>,
    manifest: &super::bundle::Manifest,
    ops: u64,
    path: &Path,
) -> SyncResult<()> {
    let at = store.clock().stamp();
    let file = path.display().to_string();
    let subject = format!("bundle:{file}");
    let detail = format!("ops {ops} · {:?}", manifest.encryption);
    let rec = ExportRecord {
        at: &at,
        peer,
        bundle_id: &manifest.bundle_id,
        file: &file,
        ops_total: ops,
    };
    let ev = Event {
        action: AuditAction::Download,
        resident_id: None,
        subject: &subject,
        detail: &detail,
    };
    store.record_export(&rec, &ev)?;
    Ok(())
}
