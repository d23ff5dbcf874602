//! Import: verify a bundle, then merge its ops in one transaction.
//!
//! # Merge rules
//! - An op whose `(origin, seq)` is already in `ops` is skipped: re-importing changes nothing.
//! - New ops are recorded in `ops` as received (never re-logged as local ops).
//! - `entries` are insert-only: a new entry row is added (timelines merge by union).
//! - Other tables: each field is last-writer-wins by `(hlc, origin)`; `deleted` is a field
//!   written by inserts (0) and deletes (1), so a tombstone follows the same rule. Rather than
//!   applying ops one by one, a row touched by anything but a lone first insert is
//!   **recomputed from all its ops** after the bundle is recorded, so the end state does not
//!   depend on the order ops or bundles arrive in (an update may even arrive before its insert:
//!   the row appears when the insert does). A row whose insert is unknown stays absent.
//! - Conflicts: every update op carries, per column, the stamp of the value it replaced
//!   ([`BASE_KEY`]). A written value that no other write replaced is a *head*; when a field has
//!   several heads they were written concurrently (neither side had seen the other), and each
//!   head but the winner is recorded in `conflicts` (kept and lost value, stamps, origins).
//!   An edit made after seeing a value is sequential and is no conflict. A person's choice on a
//!   conflict is an op whose base names both values (`Tx::settle`): wherever it arrives, the
//!   conflict is closed (or never recorded).
//! - Inserts are stored pointing at their row when they set every column and create it, as
//!   local inserts are (see `store::materialize_insert`).
//! - Foreign keys are checked at commit (`defer_foreign_keys`), since a bundle may carry a child
//!   row from one origin before its parent from another.
//! - The whole import commits only after the bundle reader ended without an error (checksum,
//!   length and counts are verified after the last op), so a damaged bundle changes nothing.

use super::bundle::{BundleError, BundleReader, Decryption, Manifest, open_bundle};
use super::export::KNOWLEDGE_TABLE;
use super::hlc;
use super::keys::{format_verifying_key, parse_verifying_key};
use super::site::{SyncError, SyncResult, site_keys};
use super::stamps::{BASE_KEY, Stamp, parse_stamps};
use crate::audit::{self, Event};
use crate::batch::{Batch, produce};
use crate::model::{AuditAction, Op, OpKind};
use crate::store::schema::{CURRENT_VERSION, ROW_META, SYNCED_TABLES};
use crate::store::{Store, Tx, Val, materialize_insert};
use age::secrecy::SecretString;
use rusqlite::{Connection, OptionalExtension, ToSql, params};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
    /// Ops stamped more than a day ahead of our clock, per origin site (whose clock to fix).
    pub far_future: BTreeMap<String, u64>,
    /// The sender was unknown and is now trusted (`--trust`).
    pub new_peer: bool,
    pub dry_run: bool,
}

/// Verifies and merges the bundle at `path`. `progress(bytes_read, bytes_total)` is called now
/// and then. Nothing changes unless every check passes (and never with `dry_run`).
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
    let new_peer = check_peer(store, path, &manifest, reader.signer(), opts.trust)?;
    let operator = store.operator().to_string();
    let host = store.host().to_string();
    let at = store.clock().stamp();
    let now_ms = store.clock().now_ms();
    let mut report = ImportReport {
        path: path.to_owned(),
        bundle_id: manifest.bundle_id.clone(),
        origin_site: manifest.origin_site.clone(),
        origin_name: manifest.origin_name.clone(),
        new_peer,
        dry_run: opts.dry_run,
        ..ImportReport::default()
    };
    let mut tx = store.write()?;
    tx.conn()
        .execute_batch("PRAGMA defer_foreign_keys = ON")
        .map_err(|e| tx.sql_err(e))?;
    tx.conn().set_prepared_statement_cache_capacity(64);
    let mut merger = Merger::default();
    let mut held: Option<BTreeMap<String, Value>> = None;
    // The bundle is decrypted, decompressed and parsed on a second thread while this one
    // writes; a reader error (checksum, length, counts: checked after the last op) arrives in
    // order and stops the import before anything commits.
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
                report.total += 1;
                if hlc::is_far_future(op.hlc, now_ms) {
                    *report.far_future.entry(op.origin.clone()).or_default() += 1;
                }
                tx.observe_hlc(op.hlc);
                merger
                    .add(&tx, op, &mut report)
                    .map_err(|e| merge_err(&tx, e))?;
            }
            if let Some(e) = batch.error {
                return Err(e.into());
            }
            progress(batch.progress.0, batch.progress.1);
        }
        Ok(())
    })?;
    merger
        .finish(&tx, &at, &mut report)
        .map_err(|e| merge_err(&tx, e))?;
    record(&tx, &manifest, held.as_ref(), &report, &at, opts.trust).map_err(|e| tx.sql_err(e))?;
    let subject = format!("bundle:{}", path.display());
    let detail = format!(
        "from {} · applied {} · known {} · conflicts {}",
        manifest.origin_site, report.applied, report.known, report.conflicts
    );
    audit::append(
        tx.conn(),
        &operator,
        &host,
        &at,
        &Event {
            action: AuditAction::Create,
            resident_id: None,
            subject: &subject,
            detail: &detail,
        },
    )
    .map_err(|e| tx.sql_err(e))?;
    if !opts.dry_run {
        tx.commit()?;
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
    let known: Option<(Option<String>, i64)> = store
        .conn()
        .query_row(
            "SELECT sign_key, trusted FROM sync_peers WHERE site_id = ?1",
            [&manifest.origin_site],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| store.sql_err(e))?;
    match known {
        Some((Some(key), 1)) => {
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
        _ if trust => Ok(true),
        _ => Err(SyncError::UnknownSite {
            site: manifest.origin_site.clone(),
            name: manifest.origin_name.clone(),
            signer: manifest.signer.clone(),
        }),
    }
}

/// Upserts the peer (trusted, its key, last import), advances its version vector and logs.
fn record(
    tx: &Tx<'_>,
    m: &Manifest,
    held: Option<&BTreeMap<String, Value>>,
    report: &ImportReport,
    at: &str,
    trust: bool,
) -> rusqlite::Result<()> {
    let conn = tx.conn();
    conn.execute(
        "INSERT INTO sync_peers (site_id, name, sign_key, trusted, last_import_at)
         VALUES (?1, ?2, ?3, 1, ?4)
         ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, last_import_at = excluded.last_import_at,
             sign_key = CASE WHEN ?5 OR sign_key IS NULL OR trusted = 0 THEN excluded.sign_key ELSE sign_key END,
             trusted = 1",
        params![m.origin_site, m.origin_name, m.signer, at, trust && report.new_peer],
    )?;
    // Every op in a bundle from P is held by P, and (prefix-closed) every earlier op of its origin.
    let from_ops = m.seq_ranges.iter().map(|(o, [_, max])| (o.as_str(), *max));
    let from_record = held
        .into_iter()
        .flatten()
        .filter_map(|(o, v)| Some((o.as_str(), v.as_i64()?)));
    for (origin, max) in from_ops.chain(from_record) {
        conn.execute(
            "INSERT INTO sync_vv (peer, origin, seq) VALUES (?1, ?2, ?3)
             ON CONFLICT (peer, origin) DO UPDATE SET seq = max(seq, excluded.seq)",
            params![m.origin_site, origin, max],
        )?;
    }
    conn.execute(
        "INSERT INTO sync_log (at, direction, peer, bundle_id, file, ops_total, applied, known, conflicts)
         VALUES (?1, 'import', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            at,
            m.origin_site,
            m.bundle_id,
            report.path.display().to_string(),
            report.total as i64,
            report.applied as i64,
            report.known as i64,
            report.conflicts as i64
        ],
    )?;
    Ok(())
}

/// A merge failure before it is given the database path.
enum MergeErr {
    Sql(rusqlite::Error),
    Bad(String),
}

impl From<rusqlite::Error> for MergeErr {
    fn from(e: rusqlite::Error) -> Self {
        MergeErr::Sql(e)
    }
}

fn merge_err(tx: &Tx<'_>, e: MergeErr) -> SyncError {
    match e {
        MergeErr::Sql(e) => tx.sql_err(e).into(),
        MergeErr::Bad(what) => SyncError::BadOp(what),
    }
}

/// Records ops and collects the rows to recompute.
#[derive(Default)]
struct Merger {
    /// Columns of each synced table (validated op fields must be among them).
    columns: HashMap<String, HashSet<String>>,
    /// Rows (table, id) to recompute from all their ops.
    touched: BTreeSet<(String, String)>,
}

impl Merger {
    fn columns(&mut self, conn: &Connection, table: &str) -> Result<&HashSet<String>, MergeErr> {
        if !self.columns.contains_key(table) {
            let cols = table_columns(conn, table)?;
            self.columns
                .insert(table.to_owned(), cols.into_iter().collect());
        }
        self.columns
            .get(table)
            .ok_or_else(|| MergeErr::Bad(table.to_owned()))
    }

    /// Checks the op's table and columns (they are spliced into SQL, so only known names pass).
    fn validate(&mut self, conn: &Connection, op: &Op) -> Result<(), MergeErr> {
        if !SYNCED_TABLES.contains(&op.table.as_str()) {
            return Err(MergeErr::Bad(format!("table {}", op.table)));
        }
        if op.table == "entries" && op.kind != OpKind::Insert {
            return Err(MergeErr::Bad(format!(
                "{} of entry {}",
                op.kind.as_str(),
                op.row_id
            )));
        }
        let cols = self.columns(conn, &op.table)?;
        for k in op.fields.keys() {
            let reserved = ROW_META.contains(&k.as_str());
            if k != BASE_KEY && (reserved || !cols.contains(k)) {
                return Err(MergeErr::Bad(format!("column {}.{k}", op.table)));
            }
        }
        Ok(())
    }

    /// Records one op; applies a first insert directly, marks other rows for recomputing.
    fn add(&mut self, tx: &Tx<'_>, mut op: Op, report: &mut ImportReport) -> Result<(), MergeErr> {
        self.validate(tx.conn(), &op)?;
        let conn = tx.conn();
        let counts = report.per_table.entry(op.table.clone()).or_default();
        let is_entry = op.table == "entries";
        let fields = std::mem::take(&mut op.fields);
        let mut fields = fields;
        let base = match fields.remove(BASE_KEY) {
            Some(b @ Value::Object(_)) => Some(b.to_string()),
            Some(_) => return Err(MergeErr::Bad(format!("{BASE_KEY} of {}", op.row_id))),
            None => None,
        };
        // An insert that sets every column and creates its row is stored pointing at the row, as
        // local inserts are (see `store::materialize_insert`); if the row turns out to exist
        // already, its fields are stored after all (below).
        let whole_insert = op.kind == OpKind::Insert
            && (is_entry || fields.len() == self.columns(conn, &op.table)?.len());
        let to_json = |f: &BTreeMap<String, Value>| {
            serde_json::to_string(f).map_err(|e| MergeErr::Bad(e.to_string()))
        };
        let fields_json = if whole_insert {
            None
        } else {
            Some(to_json(&fields)?)
        };
        let added = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO ops (origin, seq, hlc, tbl, row_id, kind, fields, base)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                op.origin,
                op.seq,
                op.hlc,
                op.table,
                op.row_id,
                op.kind.as_str(),
                fields_json,
                base
            ])?;
        if added == 0 {
            counts.known += 1;
            report.known += 1;
            return Ok(());
        }
        counts.applied += 1;
        report.applied += 1;
        if op.kind != OpKind::Insert {
            self.touched.insert((op.table.clone(), op.row_id.clone()));
            return Ok(());
        }
        let values: Vec<(&str, Val)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), Val::from_json(v)))
            .collect();
        let pointer = (whole_insert && !is_entry).then_some(op.seq);
        let row = RowMeta {
            site: &op.origin,
            hlc: op.hlc,
            deleted: 0,
            insert_seq: pointer,
        };
        let inserted = insert_row(conn, &op.table, &op.row_id, &row, &values)?;
        if is_entry {
            return Ok(());
        }
        if !inserted {
            // Ignored although the id is new: it clashes on another unique column (a resource
            // with the same source and key under another id, from before ids were derived from
            // them). Stop with a message rather than drop the row.
            let present = conn
                .prepare_cached(&format!("SELECT 1 FROM {} WHERE id = ?1", op.table))?
                .query_row([&op.row_id], |_| Ok(()))
                .optional()?
                .is_some();
            if !present {
                return Err(MergeErr::Bad(format!(
                    "{} {} clashes with a row already here on a unique column (resources: same source and key under another id)",
                    op.table, op.row_id
                )));
            }
        }
        if whole_insert && !inserted {
            conn.prepare_cached("UPDATE ops SET fields = ?3 WHERE origin = ?1 AND seq = ?2")?
                .execute(params![op.origin, op.seq, to_json(&fields)?])?;
        }
        // Other ops of the row (in ops_row; this insert is there only if it kept its fields).
        let indexed: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM ops
                 WHERE tbl = ?1 AND row_id = ?2 AND tbl <> 'entries' AND fields IS NOT NULL",
            )?
            .query_row(params![op.table, op.row_id], |r| r.get(0))?;
        let lone = indexed == if pointer.is_some() { 0 } else { 1 };
        if !inserted || !lone {
            self.touched.insert((op.table.clone(), op.row_id.clone()));
        }
        Ok(())
    }

    /// Recomputes every touched row; counts new conflicts.
    fn finish(&mut self, tx: &Tx<'_>, at: &str, report: &mut ImportReport) -> Result<(), MergeErr> {
        let open = open_conflicts(tx.conn())?;
        for (table, id) in std::mem::take(&mut self.touched) {
            let n = recompute_row(tx.conn(), &table, &id, at, &open)?;
            if n > 0 {
                report.per_table.entry(table).or_default().conflicts += n;
                report.conflicts += n;
            }
        }
        Ok(())
    }
}

/// Column names of a table, but the bookkeeping [`ROW_META`].
fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names
        .into_iter()
        .filter(|c| !ROW_META.contains(&c.as_str()))
        .collect())
}

/// The bookkeeping columns of a row being inserted (see [`ROW_META`]).
struct RowMeta<'a> {
    site: &'a str,
    hlc: i64,
    deleted: i64,
    /// The seq of the insert op that points at the row.
    insert_seq: Option<i64>,
}

/// `INSERT OR IGNORE` of a row; true if it was added. Column names must be validated.
fn insert_row(
    conn: &Connection,
    table: &str,
    id: &str,
    row: &RowMeta<'_>,
    values: &[(&str, Val)],
) -> rusqlite::Result<bool> {
    let mut sql = format!("INSERT OR IGNORE INTO {table} (id, site_id, hlc, deleted");
    for (k, _) in values {
        sql.push_str(", ");
        sql.push_str(k);
    }
    if row.insert_seq.is_some() {
        sql.push_str(", insert_seq");
    }
    sql.push_str(") VALUES (?1, ?2, ?3, ?4");
    for i in 0..values.len() + usize::from(row.insert_seq.is_some()) {
        sql.push_str(&format!(", ?{}", i + 5));
    }
    sql.push(')');
    let mut args: Vec<&dyn ToSql> = vec![&id, &row.site, &row.hlc, &row.deleted];
    args.extend(values.iter().map(|(_, v)| v as &dyn ToSql));
    if let Some(seq) = &row.insert_seq {
        args.push(seq);
    }
    Ok(conn.prepare_cached(&sql)?.execute(args.as_slice())? == 1)
}

/// One write of a field: who, what, and the stamps of the values it replaced.
struct Write {
    stamp: Stamp,
    value: Value,
    base: Vec<Stamp>,
}

/// The state of a row folded from all its ops.
struct RowState {
    /// Earliest insert (its origin becomes `site_id`).
    insert: Option<Stamp>,
    deleted: Option<(Stamp, i64)>,
    fields: BTreeMap<String, Vec<Write>>,
    latest: i64,
}

fn fold_ops(conn: &Connection, table: &str, id: &str) -> rusqlite::Result<RowState> {
    let mut state = RowState {
        insert: None,
        deleted: None,
        fields: BTreeMap::new(),
        latest: 0,
    };
    let mut stmt = conn.prepare_cached(
        // The terms of the partial index ops_row (the caller materialized the row's inserts).
        "SELECT hlc, origin, kind, fields, base FROM ops
         WHERE tbl = ?1 AND row_id = ?2 AND tbl <> 'entries' AND fields IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![table, id])?;
    while let Some(r) = rows.next()? {
        let stamp: Stamp = (r.get(0)?, r.get(1)?);
        let kind: String = r.get(2)?;
        let fields: Option<String> = r.get(3)?;
        let base: Option<String> = r.get(4)?;
        let map: BTreeMap<String, Value> = fields
            .as_deref()
            .and_then(|f| serde_json::from_str(f).ok())
            .unwrap_or_default();
        let bases: serde_json::Map<String, Value> = base
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or_default();
        state.latest = state.latest.max(stamp.0);
        let set_deleted = match kind.as_str() {
            "insert" => {
                if state.insert.as_ref().is_none_or(|s| stamp < *s) {
                    state.insert = Some(stamp.clone());
                }
                Some(0)
            }
            "delete" => Some(1),
            _ => None,
        };
        if let Some(d) = set_deleted
            && state.deleted.as_ref().is_none_or(|(s, _)| stamp > *s)
        {
            state.deleted = Some((stamp.clone(), d));
        }
        for (k, value) in map {
            let base = bases.get(&k).map(parse_stamps).unwrap_or_default();
            state.fields.entry(k).or_default().push(Write {
                stamp: stamp.clone(),
                value,
                base,
            });
        }
    }
    Ok(state)
}

/// An unresolved conflict recorded here before this import: (field, lost stamp) → id.
type OpenConflicts = HashMap<(String, String), Vec<(String, Stamp, String)>>;

/// Open conflicts by (table, row): each (field, lost stamp, conflict id). Few, so all in memory.
fn open_conflicts(conn: &Connection) -> rusqlite::Result<OpenConflicts> {
    let mut out: OpenConflicts = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT tbl, row_id, field, lost_hlc, lost_origin, id FROM conflicts WHERE resolved_at IS NULL",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        out.entry((r.get(0)?, r.get(1)?)).or_default().push((
            r.get(2)?,
            (r.get(3)?, r.get(4)?),
            r.get(5)?,
        ));
    }
    Ok(out)
}

/// Rewrites one row from all its ops (last writer wins per field) and records the losing heads
/// of concurrent writes in `conflicts`. An open conflict whose lost value a later write replaced
/// knowingly (a person settled it at some site, see `Tx::settle`) is closed here too. Returns
/// the number of new conflict rows.
fn recompute_row(
    conn: &Connection,
    table: &str,
    id: &str,
    at: &str,
    open: &OpenConflicts,
) -> Result<u64, MergeErr> {
    materialize_insert(conn, table, id)?;
    let state = fold_ops(conn, table, id)?;
    let Some(insert) = state.insert else {
        return Ok(0); // the insert has not arrived yet: the row appears when it does
    };
    let deleted = state.deleted.map_or(0, |(_, d)| d);
    let mut values: Vec<(&str, Val)> = Vec::with_capacity(state.fields.len());
    let mut conflicts = 0;
    for (field, writes) in &state.fields {
        let Some(winner) = writes.iter().max_by(|a, b| a.stamp.cmp(&b.stamp)) else {
            continue;
        };
        values.push((field.as_str(), Val::from_json(&winner.value)));
        let bases: HashSet<&Stamp> = writes.iter().flat_map(|w| w.base.iter()).collect();
        let settled = open
            .get(&(table.to_owned(), id.to_owned()))
            .into_iter()
            .flatten()
            .filter(|(f, lost, _)| f == field && bases.contains(lost));
        for (_, lost, conflict_id) in settled {
            // A person's choice replaces two values at once (`Tx::settle`); an ordinary edit
            // made where the lost value was current replaces only it.
            let chosen = writes
                .iter()
                .any(|w| w.base.len() > 1 && w.base.contains(lost));
            let lost_value = writes.iter().find(|w| w.stamp == *lost).map(|w| &w.value);
            let how = match (chosen, lost_value == Some(&winner.value)) {
                (true, true) => "restore_other",
                (true, false) => "keep_current",
                (false, _) => "superseded",
            };
            conn.prepare_cached(
                "UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1 AND resolved_at IS NULL",
            )?
            .execute(params![conflict_id, at, format!("{how}@sync")])?;
        }
        for lost in writes {
            if lost.stamp != winner.stamp
                && !bases.contains(&lost.stamp)
                && lost.value != winner.value
            {
                conflicts += record_conflict(conn, table, id, field, winner, lost, at)?;
            }
        }
    }
    let exists = conn
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some();
    if !exists {
        let row = RowMeta {
            site: &insert.1,
            hlc: state.latest,
            deleted,
            insert_seq: None,
        };
        insert_row(conn, table, id, &row, &values)?;
        return Ok(conflicts);
    }
    let mut sql = format!("UPDATE {table} SET site_id = ?2, hlc = ?3, deleted = ?4");
    for (i, (k, _)) in values.iter().enumerate() {
        sql.push_str(&format!(", {k} = ?{}", i + 5));
    }
    sql.push_str(" WHERE id = ?1");
    let mut args: Vec<&dyn ToSql> = vec![&id, &insert.1, &state.latest, &deleted];
    args.extend(values.iter().map(|(_, v)| v as &dyn ToSql));
    conn.prepare_cached(&sql)?.execute(args.as_slice())?;
    Ok(conflicts)
}

/// A value as stored in `conflicts`: text as is, numbers in decimal, null as NULL.
pub(crate) fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn record_conflict(
    conn: &Connection,
    table: &str,
    id: &str,
    field: &str,
    kept: &Write,
    lost: &Write,
    at: &str,
) -> rusqlite::Result<u64> {
    let mut h = Sha256::new();
    for part in [table, id, field, &lost.stamp.0.to_string(), &lost.stamp.1] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let cid = hex::encode(&h.finalize()[..16]);
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO conflicts (id, tbl, row_id, field, kept_value, kept_hlc, kept_origin,
                 lost_value, lost_hlc, lost_origin, detected_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            cid,
            table,
            id,
            field,
            value_text(&kept.value),
            kept.stamp.0,
            kept.stamp.1,
            value_text(&lost.value),
            lost.stamp.0,
            lost.stamp.1,
            at
        ])?;
    Ok(n as u64)
}
