//! Merging received ops, as statements: record an op, insert or rewrite a synced row from the
//! values the merge chose, read a row's ops back, and record or close conflicts. The rules —
//! which op wins, what is a conflict — live in `crate::sync::merge`; these only read and write.

use super::{check_synced, corrupt_op, i64_of};
use crate::model::OpKind;
use crate::store::oplog::stamps::Stamp;
use crate::store::schema::ROW_META;
use crate::store::{Result, Tx, Val, materialize_insert};
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::Value;
use std::collections::BTreeMap;

/// The bookkeeping columns of a row being written (see [`ROW_META`]).
#[derive(Debug, Clone, Copy)]
pub struct RowMeta<'a> {
    /// `site_id`: the origin of the row's earliest insert.
    pub site: &'a str,
    pub hlc: i64,
    pub deleted: i64,
    /// The seq of the insert op that points at the row.
    pub insert_seq: Option<i64>,
}

/// One stored op of a row, parsed: its stamp, kind, written fields and `@base` stamps.
#[derive(Debug, Clone, PartialEq)]
pub struct RowOp {
    pub stamp: Stamp,
    pub kind: OpKind,
    pub fields: BTreeMap<String, Value>,
    /// Per column, the stamp(s) of the value the op replaced (as JSON; see `oplog::stamps`).
    pub base: serde_json::Map<String, Value>,
}

/// An unresolved conflict recorded before this import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenConflict {
    pub id: String,
    pub table: String,
    pub row_id: String,
    pub field: String,
    pub lost: Stamp,
}

/// A conflict the merge found: the value kept in the row and the one that lost.
#[derive(Debug, Clone, Copy)]
pub struct NewConflict<'a> {
    pub id: &'a str,
    pub table: &'a str,
    pub row_id: &'a str,
    pub field: &'a str,
    pub kept_value: Option<&'a str>,
    pub kept: &'a Stamp,
    pub lost_value: Option<&'a str>,
    pub lost: &'a Stamp,
    pub detected_at: &'a str,
}

/// A correction of an entry, with what it had seen: the stamps of the corrections of the same
/// entry that were there when it was written (its `@base`, see `Tx::corrections_here`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub id: String,
    /// `(hlc, site_id)` of the entry (its insert op's stamp).
    pub stamp: Stamp,
    pub at: String,
    pub body: String,
    pub seen: Vec<Stamp>,
}

/// What an import brought, for `sync_peers`, `sync_vv` and `sync_log`.
#[derive(Debug, Clone, Copy)]
pub struct ImportRecord<'a> {
    pub at: &'a str,
    pub origin_site: &'a str,
    pub origin_name: &'a str,
    /// The sender's signing key (`ed25519:…`).
    pub signer: &'a str,
    /// Replace a key already stored for the sender (a new peer accepted with `--trust`).
    pub replace_key: bool,
    pub bundle_id: &'a str,
    pub file: &'a str,
    pub total: u64,
    pub applied: u64,
    pub known: u64,
    pub conflicts: u64,
}

impl Tx<'_> {
    /// Sets the transaction up for a merge: foreign keys checked at commit (a bundle may carry
    /// a child row before its parent), and room for the merge's cached statements.
    pub fn begin_merge(&self) -> Result<()> {
        self.conn()
            .execute_batch("PRAGMA defer_foreign_keys = ON")
            .map_err(|e| self.sql_err(e))?;
        self.conn().set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    /// Column names of a synced table, but the bookkeeping [`ROW_META`].
    pub fn synced_columns(&self, table: &str) -> Result<Vec<String>> {
        check_synced(table)?;
        let err = |e| self.sql_err(e);
        let mut stmt = self
            .conn()
            .prepare(&format!("PRAGMA table_info({table})"))
            .map_err(err)?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(1))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err)?;
        Ok(names
            .into_iter()
            .filter(|c| !ROW_META.contains(&c.as_str()))
            .collect())
    }

    /// Records a received op as is (`INSERT OR IGNORE`); false if its (origin, seq) was known.
    /// `fields` is `None` for an insert op that points at its row.
    pub fn record_received_op(
        &self,
        op: &crate::model::Op,
        fields: Option<&str>,
        base: Option<&str>,
    ) -> Result<bool> {
        let n = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO ops (origin, seq, hlc, tbl, row_id, kind, fields, base)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    op.origin,
                    op.seq,
                    op.hlc,
                    op.table,
                    op.row_id,
                    op.kind.as_str(),
                    fields,
                    base
                ])
            })
            .map_err(|e| self.sql_err(e))?;
        Ok(n > 0)
    }

    /// Whether op (origin, seq) is recorded here.
    pub fn op_known(&self, origin: &str, seq: i64) -> Result<bool> {
        self.conn()
            .prepare_cached("SELECT 1 FROM ops WHERE origin = ?1 AND seq = ?2")
            .and_then(|mut s| s.query_row(params![origin, seq], |_| Ok(())).optional())
            .map(|found| found.is_some())
            .map_err(|e| self.sql_err(e))
    }

    /// Whether row `id` of a synced table exists (tombstones included).
    pub fn synced_row_exists(&self, table: &str, id: &str) -> Result<bool> {
        check_synced(table)?;
        self.conn()
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id], |_| Ok(())).optional())
            .map(|found| found.is_some())
            .map_err(|e| self.sql_err(e))
    }

    /// The row's ops that carry their fields (the terms of the partial index `ops_row`; an
    /// insert pointing at its row is not among them until materialized).
    pub fn indexed_op_count(&self, table: &str, id: &str) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "SELECT count(*) FROM ops
                 WHERE tbl = ?1 AND row_id = ?2 AND tbl <> 'entries' AND fields IS NOT NULL",
            )
            .and_then(|mut s| s.query_row(params![table, id], |r| r.get(0)))
            .map_err(|e| self.sql_err(e))
    }

    /// `INSERT OR IGNORE` of a synced row; true if it was added. The caller validated the
    /// column names (they are spliced into SQL).
    pub fn insert_synced_row(
        &self,
        table: &str,
        id: &str,
        row: &RowMeta<'_>,
        values: &[(&str, Val)],
    ) -> Result<bool> {
        check_synced(table)?;
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
        let n = self
            .conn()
            .prepare_cached(&sql)
            .and_then(|mut s| s.execute(args.as_slice()))
            .map_err(|e| self.sql_err(e))?;
        Ok(n == 1)
    }

    /// Overwrites an existing synced row with the merged values (`insert_seq` untouched). The
    /// caller validated the column names.
    pub fn rewrite_synced_row(
        &self,
        table: &str,
        id: &str,
        row: &RowMeta<'_>,
        values: &[(&str, Val)],
    ) -> Result<()> {
        check_synced(table)?;
        let mut sql = format!("UPDATE {table} SET site_id = ?2, hlc = ?3, deleted = ?4");
        for (i, (k, _)) in values.iter().enumerate() {
            sql.push_str(&format!(", {k} = ?{}", i + 5));
        }
        sql.push_str(" WHERE id = ?1");
        let mut args: Vec<&dyn ToSql> = vec![&id, &row.site, &row.hlc, &row.deleted];
        args.extend(values.iter().map(|(_, v)| v as &dyn ToSql));
        self.conn()
            .prepare_cached(&sql)
            .and_then(|mut s| s.execute(args.as_slice()))
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }

    /// Copies a row into its pointing insert op (see [`materialize_insert`]).
    pub fn materialize(&self, table: &str, id: &str) -> Result<()> {
        check_synced(table)?;
        materialize_insert(self.conn(), table, id).map_err(|e| self.sql_err(e))
    }

    /// Calls `each` for every op of the row that carries its fields (materialize first), parsed.
    /// A stored op whose kind, fields or base does not parse is an error, never an empty op.
    pub fn for_each_row_op(
        &self,
        table: &str,
        id: &str,
        each: &mut dyn FnMut(RowOp),
    ) -> Result<()> {
        let err = |e| self.sql_err(e);
        let mut stmt = self
            .conn()
            .prepare_cached(
                // The terms of the partial index ops_row.
                "SELECT hlc, origin, kind, fields, base, seq FROM ops
                 WHERE tbl = ?1 AND row_id = ?2 AND tbl <> 'entries' AND fields IS NOT NULL",
            )
            .map_err(err)?;
        let mut rows = stmt.query(params![table, id]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let stamp: Stamp = (r.get(0).map_err(err)?, r.get(1).map_err(err)?);
            let seq: i64 = r.get(5).map_err(err)?;
            let kind: String = r.get(2).map_err(err)?;
            let kind = OpKind::parse(&kind).ok_or_else(|| {
                crate::store::StoreError::Invalid(format!(
                    "stored op {}/{seq}: op kind {kind}",
                    stamp.1
                ))
            })?;
            let fields: Option<String> = r.get(3).map_err(err)?;
            let fields = match fields {
                Some(f) => {
                    serde_json::from_str(&f).map_err(|e| corrupt_op(&stamp.1, seq, "fields", &e))?
                }
                None => BTreeMap::new(),
            };
            let base: Option<String> = r.get(4).map_err(err)?;
            let base = match base {
                Some(b) => {
                    serde_json::from_str(&b).map_err(|e| corrupt_op(&stamp.1, seq, "base", &e))?
                }
                None => serde_json::Map::new(),
            };
            each(RowOp {
                stamp,
                kind,
                fields,
                base,
            });
        }
        Ok(())
    }

    /// Every correction of entry `root`, with the corrections each had seen.
    pub fn corrections_seen(&self, root: &str) -> Result<Vec<Correction>> {
        let err = |e| self.sql_err(e);
        let mut stmt = self
            .conn()
            .prepare_cached(
                // The terms of the partial index ops_entry_base.
                "SELECT e.id, e.hlc, e.site_id, e.at, e.body,
                        (SELECT o.base FROM ops o
                         WHERE o.row_id = e.id AND o.tbl = 'entries' AND o.base IS NOT NULL)
                 FROM entries e WHERE e.corrects = ?1",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([root], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (r.get::<_, i64>(1)?, r.get::<_, String>(2)?),
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(err)?;
        rows.into_iter()
            .map(|(id, stamp, at, body, base)| {
                let seen = match base {
                    Some(b) => {
                        let v: Value = serde_json::from_str(&b)
                            .map_err(|e| corrupt_op(&stamp.1, 0, "base", &e))?;
                        v.get("corrects")
                            .map(crate::store::oplog::stamps::parse_stamps)
                            .unwrap_or_default()
                    }
                    None => Vec::new(),
                };
                Ok(Correction {
                    id,
                    stamp,
                    at,
                    body: body.unwrap_or_default(),
                    seen,
                })
            })
            .collect()
    }

    /// Unresolved conflicts (few, so all of them).
    pub fn open_conflicts(&self) -> Result<Vec<OpenConflict>> {
        let err = |e| self.sql_err(e);
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT tbl, row_id, field, lost_hlc, lost_origin, id FROM conflicts
                 WHERE resolved_at IS NULL",
            )
            .map_err(err)?;
        stmt.query_map([], |r| {
            Ok(OpenConflict {
                table: r.get(0)?,
                row_id: r.get(1)?,
                field: r.get(2)?,
                lost: (r.get(3)?, r.get(4)?),
                id: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(err)
    }

    /// Records a conflict unless one with its id is there already; true if recorded.
    pub fn record_conflict(&self, c: &NewConflict<'_>) -> Result<bool> {
        let n = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO conflicts (id, tbl, row_id, field, kept_value, kept_hlc, kept_origin,
                     lost_value, lost_hlc, lost_origin, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    c.id,
                    c.table,
                    c.row_id,
                    c.field,
                    c.kept_value,
                    c.kept.0,
                    c.kept.1,
                    c.lost_value,
                    c.lost.0,
                    c.lost.1,
                    c.detected_at
                ])
            })
            .map_err(|e| self.sql_err(e))?;
        Ok(n > 0)
    }

    /// Sets the value an open conflict (or one closed by sync) names as kept: the merge derives it
    /// from the ops held, so it may change as more arrive. A person's own resolution keeps the
    /// record as it was.
    pub fn set_conflict_kept(
        &self,
        id: &str,
        kept_value: Option<&str>,
        kept: &Stamp,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE conflicts SET kept_value = ?2, kept_hlc = ?3, kept_origin = ?4
                 WHERE id = ?1 AND (resolved_at IS NULL OR resolution LIKE '%@sync')
                   AND (kept_value IS NOT ?2 OR kept_hlc <> ?3 OR kept_origin <> ?4)",
            )
            .and_then(|mut s| s.execute(params![id, kept_value, kept.0, kept.1]))
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }

    /// Removes open conflict `id`: the ops held no longer make it one (an op it looked
    /// concurrent with turned out to follow it once the op between them arrived).
    pub fn withdraw_conflict(&self, id: &str) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM conflicts WHERE id = ?1 AND resolved_at IS NULL")
            .and_then(|mut s| s.execute([id]))
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }

    /// Closes conflict `id` (if still open) with `resolution` at `at`.
    pub fn close_conflict(&self, id: &str, at: &str, resolution: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE conflicts SET resolved_at = ?2, resolution = ?3
                 WHERE id = ?1 AND resolved_at IS NULL",
            )
            .and_then(|mut s| s.execute(params![id, at, resolution]))
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }

    /// Upserts the sender as a trusted peer (its key, last import), advances its version vector
    /// by `held` (origin → highest seq it holds) and logs the import in `sync_log`.
    pub fn record_import(
        &self,
        rec: &ImportRecord<'_>,
        held: &mut dyn Iterator<Item = (&str, i64)>,
    ) -> Result<()> {
        let conn = self.conn();
        (|| -> rusqlite::Result<()> {
            conn.execute(
                "INSERT INTO sync_peers (site_id, name, sign_key, trusted, last_import_at)
                 VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, last_import_at = excluded.last_import_at,
                     sign_key = CASE WHEN ?5 OR sign_key IS NULL OR trusted = 0 THEN excluded.sign_key ELSE sign_key END,
                     trusted = 1",
                params![rec.origin_site, rec.origin_name, rec.signer, rec.at, rec.replace_key],
            )?;
            for (origin, max) in held {
                conn.execute(
                    "INSERT INTO sync_vv (peer, origin, seq) VALUES (?1, ?2, ?3)
                     ON CONFLICT (peer, origin) DO UPDATE SET seq = max(seq, excluded.seq)",
                    params![rec.origin_site, origin, max],
                )?;
            }
            conn.execute(
                "INSERT INTO sync_log (at, direction, peer, bundle_id, file, ops_total, applied, known, conflicts)
                 VALUES (?1, 'import', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    rec.at,
                    rec.origin_site,
                    rec.bundle_id,
                    rec.file,
                    i64_of(rec.total),
                    i64_of(rec.applied),
                    i64_of(rec.known),
                    i64_of(rec.conflicts)
                ],
            )?;
            Ok(())
        })()
        .map_err(|e| self.sql_err(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::store::oplog::stamps::field_stamps;
    use crate::store::{OpenOptions, Store, StoreError};

    /// Stored op JSON that does not parse stops the merge, the export and the stamps lookup with
    /// an error naming the op; it is never read as "no fields". (An unknown kind cannot be
    /// stored: `ops.kind` has a CHECK constraint.)
    #[test]
    fn a_stored_op_that_does_not_parse_is_an_error() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store =
            Store::open(&dir.path().join("t.db"), &OpenOptions::new("t")).expect("open");
        let tx = store.write().expect("tx");
        tx.conn()
            .execute(
                "INSERT INTO ops (origin, seq, hlc, tbl, row_id, kind, fields, base)
                 VALUES ('x', 1, 1, 'residents', 'r1', 'update', '{not json', NULL)",
                [],
            )
            .expect("insert");
        let err = tx
            .for_each_row_op("residents", "r1", &mut |_| {})
            .expect_err("corrupt fields");
        assert!(err.to_string().contains("stored op x/1"), "{err}");
        assert!(field_stamps(tx.conn(), "residents", "r1", &["name"]).is_err());
        tx.conn()
            .execute(
                "UPDATE ops SET fields = '{}', base = '[1' WHERE origin = 'x'",
                [],
            )
            .expect("update");
        let err = tx
            .for_each_row_op("residents", "r1", &mut |_| {})
            .expect_err("corrupt base");
        assert!(err.to_string().contains("base"), "{err}");
        tx.commit().expect("commit");
        let err = store
            .for_each_op::<StoreError>(None, &mut |_| Ok(()))
            .expect_err("export refuses a corrupt op");
        assert!(err.to_string().contains("stored op x/1"), "{err}");
    }
}
