//! Purges (파기) through sync: a purge op (`store::retention::PURGE_TABLE`) names the rows a
//! site destroyed. Import records it like any op (so it is relayed), applies it to this site's
//! own copies after the merge, whatever their stamps, and skips every op of a purged row, now
//! or in any later bundle, so an older copy cannot bring a purged resident back.

use super::site::{SyncError, SyncResult};
use crate::model::Op;
use crate::store::retention::{PURGE_TABLE, PurgeRows, purge_rows_of};
use crate::store::sync::Actor;
use crate::store::{Store, Tx};
use std::collections::HashSet;

/// Columns that point at a row a purge may destroy, and that row's table.
const PARENTS: [(&str, &str); 3] = [
    ("resident_id", "residents"),
    ("case_id", "cases"),
    ("household_id", "households"),
];

/// The purge state of one import.
pub(super) struct Purges {
    /// Rows purged here before this bundle.
    purged: HashSet<(String, String)>,
    /// Purge ops received in this bundle: (origin, rows).
    pending: Vec<(String, PurgeRows)>,
}

impl Purges {
    pub(super) fn load(store: &Store) -> SyncResult<Purges> {
        Ok(Purges {
            purged: store.purged_rows()?,
            pending: Vec::new(),
        })
    }

    /// Whether `op` is about a row purged here, or inserts a row under a purged parent (a case
    /// a peer opened for a purged resident before the purge reached it): skip it, as known.
    /// Skipped inserts join the purged rows, so the row's later ops are skipped too.
    pub(super) fn skips(&mut self, op: &Op) -> bool {
        if self.purged.is_empty() {
            return false;
        }
        let row = (op.table.clone(), op.row_id.clone());
        if self.purged.contains(&row) {
            return true;
        }
        let orphan = PARENTS.iter().any(|(column, table)| {
            op.fields
                .get(*column)
                .and_then(|v| v.as_str())
                .is_some_and(|id| {
                    self.purged
                        .contains(&((*table).to_string(), id.to_string()))
                })
        });
        if orphan && op.kind == crate::model::OpKind::Insert {
            self.purged.insert(row);
        }
        orphan
    }

    /// `None` if `op` is not a purge op; else records it and returns whether it was new (then
    /// its rows are applied by [`Purges::apply`]).
    pub(super) fn take(&mut self, tx: &Tx<'_>, op: &Op) -> SyncResult<Option<bool>> {
        if op.table != PURGE_TABLE {
            return Ok(None);
        }
        let rows = purge_rows_of(&op.fields)
            .ok_or_else(|| SyncError::BadOp(format!("{PURGE_TABLE} {}", op.row_id)))?;
        let fields = serde_json::to_string(&op.fields)
            .map_err(|e| SyncError::BadOp(format!("{PURGE_TABLE} {}: {e}", op.row_id)))?;
        let new = tx.record_received_op(op, Some(&fields), None)?;
        if new {
            self.pending.push((op.origin.clone(), rows));
        }
        Ok(Some(new))
    }

    /// Applies the purges received (after the merge, in the import's transaction); returns how
    /// many rows went.
    pub(super) fn apply(&mut self, tx: &Tx<'_>, who: &Actor<'_>) -> SyncResult<usize> {
        let mut n = 0;
        for (origin, rows) in std::mem::take(&mut self.pending) {
            n += tx.apply_purge(&origin, &rows, who)?;
        }
        Ok(n)
    }
}
