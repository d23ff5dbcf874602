//! The merge: how received ops become rows. The import driver ([`super::import`]) hands each op
//! to a [`Merger`]; every statement is a typed method of the store's transaction.
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
//!   ([`BASE_KEY`]). Conflicts are a function of the set of ops held, never of the order they
//!   arrived in (issue #19 item 3; see [`field_conflicts`]): a write that a greater-stamped
//!   write with another value did not see (through base links, its own site's earlier writes,
//!   or a write of the same value) lost concurrently, whether or not later writes replaced
//!   both, and is recorded once, under an id made from the lost write (the same at every
//!   site). The kept value named is the earliest write that beat it. An edit made after seeing
//!   a value is sequential and is no conflict. A write whose base names the lost value (a
//!   person's choice, `Tx::settle`, or an edit where it was current) closes the conflict
//!   wherever it arrives (or it is never recorded). An open conflict the ops no longer make one
//!   (an op between the two writes arrived late) is withdrawn.
//! - Received ops keep their fields as they came (never "pointing at their row" as local
//!   inserts may, see `store::materialize_insert`), so that a relay reproduces each op's bytes
//!   and can forward its origin's proof (`super::proof`).
//! - 발굴 rows (`discovery`): an edit (outcome, note, intake link) outranks every insert of the
//!   row whatever the stamps, and an insert it outranks is no conflict: the same round imported
//!   at a second site after an outcome was set at the first re-inserts the same row (ids come
//!   from round + identity), and the outcome is the newer information.
//! - Two sites correcting one entry: a correction carries the corrections of that entry its
//!   site had seen (`@base` of its insert); corrections from different sites that had not seen
//!   each other are a conflict over the corrected entry (`check_corrections`, again a function
//!   of the corrections held), not a silent "latest wins" in the timeline. A local correction
//!   closes the conflicts it saw at its own site at once (`Tx::insert`), as the merge closes
//!   them where it arrives. A person settling such a conflict writes a correction too
//!   (restating the version chosen, `super::conflicts`), never a mark of its own site only, so
//!   the open correction conflicts are the same at every site holding the same ops, the one
//!   that settled included.
//! - Foreign keys are checked at commit (`Tx::begin_merge`), since a bundle may carry a child
//!   row from one origin before its parent from another.
//! - A stored op that does not parse is an error that stops the import, never an empty op.

use super::site::{SyncError, SyncResult};
use crate::model::{Op, OpKind};
use crate::store::oplog::stamps::{BASE_KEY, Stamp, parse_stamps};
use crate::store::schema::{ROW_META, SYNCED_TABLES};
use crate::store::sync::{NewConflict, OpenConflict, RowMeta, RowOp};
use crate::store::{Tx, Val};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Records ops and collects the rows to recompute.
#[derive(Default)]
pub(super) struct Merger {
    /// Columns of each synced table (validated op fields must be among them).
    columns: HashMap<String, HashSet<String>>,
    /// Rows (table, id) to recompute from all their ops.
    touched: BTreeSet<(String, String)>,
    /// Entries that received a correction: checked for two sites correcting them at once.
    corrected: BTreeSet<String>,
    /// RRN-shaped numbers masked in the ops received (issue #20: audited per bundle).
    pub(super) masked: u64,
}

fn bad(what: String) -> SyncError {
    SyncError::BadOp(what)
}

impl Merger {
    fn columns(&mut self, tx: &Tx<'_>, table: &str) -> SyncResult<&HashSet<String>> {
        if !self.columns.contains_key(table) {
            let cols = tx.synced_columns(table)?;
            self.columns
                .insert(table.to_owned(), cols.into_iter().collect());
        }
        self.columns.get(table).ok_or_else(|| bad(table.to_owned()))
    }

    /// Checks the op's table and columns (they are spliced into SQL, so only known names pass).
    fn validate(&mut self, tx: &Tx<'_>, op: &Op) -> SyncResult<()> {
        if !SYNCED_TABLES.contains(&op.table.as_str()) {
            return Err(bad(format!("table {}", op.table)));
        }
        if op.table == "entries" && op.kind != OpKind::Insert {
            return Err(bad(format!("{} of entry {}", op.kind.as_str(), op.row_id)));
        }
        let cols = self.columns(tx, &op.table)?;
        for k in op.fields.keys() {
            let reserved = ROW_META.contains(&k.as_str());
            if k != BASE_KEY && (reserved || !cols.contains(k)) {
                return Err(bad(format!("column {}.{k}", op.table)));
            }
        }
        Ok(())
    }

    /// Records one op; applies a first insert directly, marks other rows for recomputing.
    /// Returns false if the op was known already (and so skipped).
    pub(super) fn add(&mut self, tx: &Tx<'_>, mut op: Op) -> SyncResult<bool> {
        self.validate(tx, &op)?;
        let is_entry = op.table == "entries";
        let mut fields = std::mem::take(&mut op.fields);
        // A peer's op never brings a 주민등록번호 into storage (issue #20 item 1): text is masked
        // before the op is recorded or applied, as a local write is in `Tx`. (The op then no
        // longer hashes to its origin's proof, so a relay of it is refused by a third site
        // until that site has it from the origin; an origin running this version never
        // writes one unmasked.)
        let mut masked = 0;
        for (k, v) in fields.iter_mut() {
            if let Value::String(s) = v {
                let (m, n) = crate::privacy::mask_rrn_in_field(k, s);
                if n > 0 {
                    *s = m.into_owned();
                    masked += n as u64;
                }
            }
        }
        let base = match fields.remove(BASE_KEY) {
            Some(b @ Value::Object(_)) => Some(b.to_string()),
            Some(_) => return Err(bad(format!("{BASE_KEY} of {}", op.row_id))),
            None => None,
        };
        // A received op keeps its fields as it came (not "pointing at its row" as a local insert
        // may): a relay must reproduce its canonical bytes to forward its origin's proof
        // (`super::proof`).
        let to_json = |f: &BTreeMap<String, Value>| {
            serde_json::to_string(f).map_err(|e| bad(format!("fields of {}: {e}", op.row_id)))
        };
        let fields_json = Some(to_json(&fields)?);
        if !tx.record_received_op(&op, fields_json.as_deref(), base.as_deref())? {
            return Ok(false);
        }
        self.masked += masked;
        if op.kind != OpKind::Insert {
            self.touched.insert((op.table.clone(), op.row_id.clone()));
            return Ok(true);
        }
        let values: Vec<(&str, Val)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), Val::from_json(v)))
            .collect();
        let row = RowMeta {
            site: &op.origin,
            hlc: op.hlc,
            deleted: 0,
            insert_seq: None,
        };
        let inserted = tx.insert_synced_row(&op.table, &op.row_id, &row, &values)?;
        if is_entry {
            if let Some(Value::String(root)) = fields.get("corrects") {
                self.corrected.insert(root.clone());
            }
            return Ok(true);
        }
        if !inserted && !tx.synced_row_exists(&op.table, &op.row_id)? {
            // Ignored although the id is new: it clashes on another unique column (a resource
            // with the same source and key under another id, from before ids were derived from
            // them). Stop with a message rather than drop the row.
            return Err(bad(format!(
                "{} {} clashes with a row already here on a unique column (resources: same source and key under another id)",
                op.table, op.row_id
            )));
        }
        // Other ops of the row (in ops_row, with this insert).
        let lone = tx.indexed_op_count(&op.table, &op.row_id)? == 1;
        if !inserted || !lone {
            self.touched.insert((op.table.clone(), op.row_id.clone()));
        }
        Ok(true)
    }

    /// Recomputes every touched row; returns the new conflicts per table.
    pub(super) fn finish(&mut self, tx: &Tx<'_>, at: &str) -> SyncResult<BTreeMap<String, u64>> {
        let mut open: OpenConflicts = HashMap::new();
        for c in tx.open_conflicts()? {
            open.entry((c.table.clone(), c.row_id.clone()))
                .or_default()
                .push(c);
        }
        let mut conflicts = BTreeMap::new();
        for (table, id) in std::mem::take(&mut self.touched) {
            let n = recompute_row(tx, &table, &id, at, &open)?;
            if n > 0 {
                *conflicts.entry(table).or_default() += n;
            }
        }
        // A local correction closes the conflicts it saw at once (`Tx::insert`); the entries
        // with open correction conflicts (few) are still checked at every import, so that a
        // database written before that (closed only at its next import) converges too.
        let mut roots = std::mem::take(&mut self.corrected);
        roots.extend(
            open.values()
                .flatten()
                .filter(|c| c.table == "entries" && c.field == CORRECTION_FIELD)
                .map(|c| c.row_id.clone()),
        );
        for root in roots {
            let n = check_corrections(tx, &root, at, &open)?;
            if n > 0 {
                *conflicts.entry("entries".to_owned()).or_default() += n;
            }
        }
        Ok(conflicts)
    }
}

/// Unresolved conflicts recorded before this import, by (table, row).
type OpenConflicts = HashMap<(String, String), Vec<OpenConflict>>;

/// One write of a field: who, what, and the stamps of the values it replaced.
#[derive(Clone)]
struct Write {
    stamp: Stamp,
    value: Value,
    base: Vec<Stamp>,
    /// Written by an insert op (a row's first values) rather than an edit.
    insert: bool,
}

/// Tables whose edits outrank every insert of the row, whatever the stamps. A 발굴 row's id
/// comes from its round and identity, so a round imported again at another site re-inserts
/// the same row: the list's data is older information than an outcome (or intake link) set
/// anywhere, so that edit wins and the re-insert is no conflict (issue #16).
const EDITS_OUTRANK_INSERTS: [&str; 1] = ["discovery"];

/// The write that wins a field: the greatest stamp, or on [`EDITS_OUTRANK_INSERTS`] tables
/// the greatest stamp among edits when there is one.
fn winner<'w>(table: &str, writes: &'w [Write]) -> Option<&'w Write> {
    if EDITS_OUTRANK_INSERTS.contains(&table) {
        writes
            .iter()
            .max_by(|a, b| (!a.insert, &a.stamp).cmp(&(!b.insert, &b.stamp)))
    } else {
        writes.iter().max_by(|a, b| a.stamp.cmp(&b.stamp))
    }
}

/// The state of a row folded from all its ops.
#[derive(Default)]
struct RowState {
    /// Earliest insert (its origin becomes `site_id`).
    insert: Option<Stamp>,
    deleted: Option<(Stamp, i64)>,
    fields: BTreeMap<String, Vec<Write>>,
    latest: i64,
}

impl RowState {
    /// Folds one op of the row in.
    fn add(&mut self, op: RowOp) {
        let stamp = op.stamp;
        let insert = op.kind == OpKind::Insert;
        self.latest = self.latest.max(stamp.0);
        let set_deleted = match op.kind {
            OpKind::Insert => {
                if self.insert.as_ref().is_none_or(|s| stamp < *s) {
                    self.insert = Some(stamp.clone());
                }
                Some(0)
            }
            OpKind::Delete => Some(1),
            OpKind::Update => None,
        };
        if let Some(d) = set_deleted
            && self.deleted.as_ref().is_none_or(|(s, _)| stamp > *s)
        {
            self.deleted = Some((stamp.clone(), d));
        }
        for (k, value) in op.fields {
            let base = op.base.get(&k).map(parse_stamps).unwrap_or_default();
            self.fields.entry(k).or_default().push(Write {
                stamp: stamp.clone(),
                value,
                base,
                insert,
            });
        }
    }
}

/// One conflict a field's writes make: a write that a concurrent one with another value beat.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldConflict {
    /// Index (in the field's writes) of the write that lost.
    lost: usize,
    /// Index of the write named as kept: the earliest (by stamp) of those that beat it.
    kept: usize,
    /// `Some(resolution)` if a later write replaced the lost value knowingly (see
    /// [`settled_how`]): the conflict is closed.
    closed: Option<&'static str>,
}

/// How a write whose base names `lost` settled it, as `resolution` (without `@sync`): a
/// person's choice replaces two values at once (`Tx::settle`) and either brings the lost value
/// back or keeps the other; an ordinary edit made where the lost value was current replaces
/// only it. The earliest such write decides, so the answer depends only on the writes held.
fn settled_how(writes: &[Write], lost: usize) -> Option<&'static str> {
    let stamp = &writes[lost].stamp;
    let settling = writes
        .iter()
        .filter(|w| w.base.contains(stamp))
        .min_by(|a, b| (a.base.len() < 2, &a.stamp).cmp(&(b.base.len() < 2, &b.stamp)))?;
    Some(if settling.base.len() < 2 {
        "superseded"
    } else if settling.value == writes[lost].value {
        "restore_other"
    } else {
        "keep_current"
    })
}

/// A set of small indices.
#[derive(Clone, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn set(&mut self, i: usize) {
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn has(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn union(&mut self, other: &Bits) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
}

/// The conflicts among one field's writes, as a function of the set of writes alone (never of
/// the order they arrived in, nor of which write is the winner at the moment):
///
/// A write *saw* another if it is reachable through `@base` links (the values each write
/// replaced) and the earlier writes of its own site (a site writes in order), or if it saw a
/// write with the same value (the value it replaced is the value the other wrote). A write
/// `lost` is in conflict if some write with a greater stamp and another value did not see it
/// (stamps follow the hybrid clock, so a write never sees a greater one): that write beat it
/// without knowing it. This holds whether or not later writes replaced both, so a site that
/// saw the two writes meet and a site that received them with their successors record the
/// same conflict. The conflict is closed if a write replaced the lost value knowingly (its
/// base names it: a person's choice, or an edit made where the lost value was current).
///
/// A local write never changes the result for the writes its site holds (its base is the
/// greatest stamp there, so whatever it did not see is in conflict already, or has the value
/// it replaced), which is why the merge need not run after local edits.
fn field_conflicts(writes: &[Write]) -> Vec<FieldConflict> {
    let n = writes.len();
    if n < 2 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| writes[a].stamp.cmp(&writes[b].stamp));
    let at: HashMap<&Stamp, usize> = writes
        .iter()
        .enumerate()
        .map(|(i, w)| (&w.stamp, i))
        .collect();
    let mut value_ids: HashMap<String, usize> = HashMap::new();
    let value_of: Vec<usize> = writes
        .iter()
        .map(|w| {
            let next = value_ids.len();
            *value_ids.entry(w.value.to_string()).or_insert(next)
        })
        .collect();
    // What each write saw: writes, and values.
    let mut seen = vec![Bits::default(); n];
    let mut seen_values = vec![Bits::default(); n];
    let mut last_of_site: HashMap<&str, usize> = HashMap::new();
    for &i in &order {
        let mut parents: Vec<usize> = writes[i]
            .base
            .iter()
            .filter_map(|s| at.get(s).copied())
            .filter(|&p| p != i)
            .collect();
        if let Some(&p) = last_of_site.get(writes[i].stamp.1.as_str()) {
            parents.push(p);
        }
        last_of_site.insert(writes[i].stamp.1.as_str(), i);
        let (mut s, mut v) = (Bits::default(), Bits::default());
        for p in parents {
            s.set(p);
            v.set(value_of[p]);
            // A parent later in the order (a base naming a greater stamp: not from this
            // engine) adds itself only.
            s.union(&seen[p]);
            v.union(&seen_values[p]);
        }
        seen[i] = s;
        seen_values[i] = v;
    }
    let mut out = Vec::new();
    for (k, &lost) in order.iter().enumerate() {
        let beaten_by = order[k + 1..].iter().copied().find(|&v| {
            writes[v].value != writes[lost].value
                && !seen[v].has(lost)
                && !seen_values[v].has(value_of[lost])
        });
        if let Some(kept) = beaten_by {
            out.push(FieldConflict {
                lost,
                kept,
                closed: settled_how(writes, lost),
            });
        }
    }
    out
}

/// Rewrites one row from all its ops (last writer wins per field) and brings its conflicts in
/// line with [`field_conflicts`]: new ones recorded, the kept value of open ones updated,
/// those a write settled closed (`…@sync`), and open ones the ops no longer make a conflict
/// withdrawn. Returns the number of new open conflict rows.
fn recompute_row(
    tx: &Tx<'_>,
    table: &str,
    id: &str,
    at: &str,
    open: &OpenConflicts,
) -> SyncResult<u64> {
    tx.materialize(table, id)?;
    let mut state = RowState::default();
    tx.for_each_row_op(table, id, &mut |op| state.add(op))?;
    let Some(insert) = state.insert else {
        return Ok(0); // the insert has not arrived yet: the row appears when it does
    };
    let deleted = state.deleted.map_or(0, |(_, d)| d);
    let mut values: Vec<(&str, Val)> = Vec::with_capacity(state.fields.len());
    let mut conflicts = 0;
    let mut still_open: HashSet<String> = HashSet::new();
    let open_here: HashSet<&str> = open
        .get(&(table.to_owned(), id.to_owned()))
        .into_iter()
        .flatten()
        .map(|c| c.id.as_str())
        .collect();
    for (field, writes) in &state.fields {
        let Some(winner) = winner(table, writes) else {
            continue;
        };
        let outranks = EDITS_OUTRANK_INSERTS.contains(&table) && !winner.insert;
        values.push((field.as_str(), Val::from_json(&winner.value)));
        // On a table whose edits outrank inserts, once the field has an edit the inserts are
        // out of the contest: neither a lost nor a kept value (still a function of the set of
        // writes, whatever order they came in).
        let edits_only: Vec<Write>;
        let writes: &[Write] = if outranks {
            edits_only = writes.iter().filter(|w| !w.insert).cloned().collect();
            &edits_only
        } else {
            writes
        };
        for c in field_conflicts(writes) {
            let (lost, kept) = (&writes[c.lost], &writes[c.kept]);
            let cid = conflict_id(table, id, field, &lost.stamp);
            match c.closed {
                Some(how) => {
                    // Recorded only where it was seen open (a site that receives the writes
                    // with their settlement has nothing to review).
                    if open_here.contains(cid.as_str()) {
                        tx.close_conflict(&cid, at, &format!("{how}@sync"))?;
                    }
                }
                None => {
                    conflicts += record_conflict(tx, table, id, field, kept, lost, at)?;
                    let kept_value = value_text(&kept.value);
                    tx.set_conflict_kept(&cid, kept_value.as_deref(), &kept.stamp)?;
                    still_open.insert(cid);
                }
            }
        }
    }
    for c in open
        .get(&(table.to_owned(), id.to_owned()))
        .into_iter()
        .flatten()
    {
        if still_open.contains(&c.id) {
            continue;
        }
        let writes = state.fields.get(&c.field);
        let how = writes.and_then(|w| {
            let lost = w.iter().position(|w| w.stamp == c.lost)?;
            settled_how(w, lost)
        });
        match how {
            Some(how) => tx.close_conflict(&c.id, at, &format!("{how}@sync"))?,
            None => tx.withdraw_conflict(&c.id)?,
        }
    }
    let row = RowMeta {
        site: &insert.1,
        hlc: state.latest,
        deleted,
        insert_seq: None,
    };
    if tx.synced_row_exists(table, id)? {
        tx.rewrite_synced_row(table, id, &row, &values)?;
    } else {
        tx.insert_synced_row(table, id, &row, &values)?;
    }
    Ok(conflicts)
}

/// The `conflicts.field` of two sites correcting one entry (`row_id` is the corrected entry).
pub(super) const CORRECTION_FIELD: &str = "correction";

/// Two sites correcting one entry, as a function of the corrections held (not of the order they
/// arrived in): a correction is in conflict if a later one (by time written, then stamp) from
/// another site had not seen it, nor it that one; the conflict names the latest such as kept.
/// A correction written after seeing it (any correction whose base names it) closes it; a site
/// that receives the corrections with that one records nothing. Returns the number of new
/// open conflict rows.
fn check_corrections(tx: &Tx<'_>, root: &str, at: &str, open: &OpenConflicts) -> SyncResult<u64> {
    let list = tx.corrections_seen(root)?;
    let open_here: Vec<&OpenConflict> = open
        .get(&("entries".to_owned(), root.to_owned()))
        .into_iter()
        .flatten()
        .filter(|c| c.field == CORRECTION_FIELD)
        .collect();
    let mut still_open: HashSet<String> = HashSet::new();
    let mut n = 0;
    for lost in &list {
        let later = |k: &&crate::store::sync::Correction| {
            (&k.at, &k.stamp) > (&lost.at, &lost.stamp)
                && k.stamp.1 != lost.stamp.1
                && !k.seen.contains(&lost.stamp)
                && !lost.seen.contains(&k.stamp)
        };
        let Some(kept) = list
            .iter()
            .filter(later)
            .max_by(|a, b| (&a.at, &a.stamp).cmp(&(&b.at, &b.stamp)))
        else {
            continue;
        };
        let cid = conflict_id("entries", root, CORRECTION_FIELD, &lost.stamp);
        if list.iter().any(|k| k.seen.contains(&lost.stamp)) {
            if open_here.iter().any(|c| c.id == cid) {
                tx.close_conflict(&cid, at, "superseded@sync")?;
            }
            continue;
        }
        let recorded = tx.record_conflict(&NewConflict {
            id: &cid,
            table: "entries",
            row_id: root,
            field: CORRECTION_FIELD,
            kept_value: Some(&kept.body),
            kept: &kept.stamp,
            lost_value: Some(&lost.body),
            lost: &lost.stamp,
            detected_at: at,
        })?;
        tx.set_conflict_kept(&cid, Some(&kept.body), &kept.stamp)?;
        n += u64::from(recorded);
        still_open.insert(cid);
    }
    for c in open_here {
        if still_open.contains(&c.id) {
            continue;
        }
        if list.iter().any(|k| k.seen.contains(&c.lost)) {
            tx.close_conflict(&c.id, at, "superseded@sync")?;
        } else {
            tx.withdraw_conflict(&c.id)?;
        }
    }
    Ok(n)
}

/// A value as stored in `conflicts`: text as is, numbers in decimal, null as NULL.
fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The id of the conflict over `lost`: the same at every site that finds it.
fn conflict_id(table: &str, id: &str, field: &str, lost: &Stamp) -> String {
    let mut h = Sha256::new();
    for part in [table, id, field, &lost.0.to_string(), &lost.1] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

fn record_conflict(
    tx: &Tx<'_>,
    table: &str,
    id: &str,
    field: &str,
    kept: &Write,
    lost: &Write,
    at: &str,
) -> SyncResult<u64> {
    let cid = conflict_id(table, id, field, &lost.stamp);
    let kept_value = value_text(&kept.value);
    let lost_value = value_text(&lost.value);
    let recorded = tx.record_conflict(&NewConflict {
        id: &cid,
        table,
        row_id: id,
        field,
        kept_value: kept_value.as_deref(),
        kept: &kept.stamp,
        lost_value: lost_value.as_deref(),
        lost: &lost.stamp,
        detected_at: at,
    })?;
    Ok(u64::from(recorded))
}
