//! The write path: one transaction, and for every change to a synced table one op in `ops`
//! stamped with this site's next seq and a hybrid logical clock.

use super::oplog::stamps::{Stamp, field_stamps};
use super::schema::{ROW_META, SYNCED_TABLES};
use super::{Result, StoreError, sql_err};
use crate::model::OpKind;
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{OptionalExtension, ToSql, Transaction, params};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A column value written through [`Tx`]: null, integer or text (all our columns are one of these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl Val {
    pub fn text(s: impl Into<String>) -> Val {
        Val::Text(s.into())
    }
    pub fn opt(s: Option<impl Into<String>>) -> Val {
        s.map_or(Val::Null, |s| Val::Text(s.into()))
    }
    fn to_json(&self) -> serde_json::Value {
        match self {
            Val::Null => serde_json::Value::Null,
            Val::Int(i) => serde_json::Value::from(*i),
            Val::Text(s) => serde_json::Value::from(s.as_str()),
        }
    }
    /// The value of a JSON field from an op (strings, integers, null; booleans as 0/1).
    pub fn from_json(v: &serde_json::Value) -> Val {
        match v {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Int(i64::from(*b)),
            serde_json::Value::Number(n) => n.as_i64().map_or(Val::Text(n.to_string()), Val::Int),
            serde_json::Value::String(s) => Val::Text(s.clone()),
            other => Val::Text(other.to_string()),
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(i)
    }
}
impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Val {
        Val::opt(s)
    }
}
impl From<Option<i64>> for Val {
    fn from(i: Option<i64>) -> Val {
        i.map_or(Val::Null, Val::Int)
    }
}

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Owned(SqlValue::Null),
            Val::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
            Val::Text(s) => ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls everything back.
pub struct Tx<'c> {
    tx: Transaction<'c>,
    path: PathBuf,
    site_id: String,
    hlc: i64,
    seq: i64,
    now_ms: i64,
    /// The clock's `YYYY-MM-DD HH:MM:SS` at the start (as the merge stamps conflicts).
    stamp: String,
    wrote_ops: bool,
    /// The text of the last INSERT: (table, columns, SQL).
    last_insert: Option<(String, Vec<String>, String)>,
}

impl<'c> Tx<'c> {
    pub(super) fn begin(
        tx: Transaction<'c>,
        path: PathBuf,
        site_id: String,
        now_ms: i64,
        stamp: String,
    ) -> Result<Tx<'c>> {
        let err = |e| sql_err(&path, e);
        let hlc: i64 = tx
            .query_row("SELECT value FROM meta WHERE key = 'hlc'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .map_err(err)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let seq: i64 = tx
            .query_row(
                "SELECT coalesce(max(seq), 0) FROM ops WHERE origin = ?1",
                [&site_id],
                |r| r.get(0),
            )
            .map_err(err)?;
        Ok(Tx {
            tx,
            path,
            site_id,
            hlc,
            seq,
            now_ms,
            stamp,
            wrote_ops: false,
            last_insert: None,
        })
    }

    /// The connection inside the transaction, for reads and for local-only tables.
    pub(in crate::store) fn conn(&self) -> &rusqlite::Connection {
        &self.tx
    }

    pub fn site_id(&self) -> &str {
        &self.site_id
    }

    /// Wall-clock milliseconds this transaction started at.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Wraps an error from a query run on [`Tx::conn`] with the database path.
    pub fn sql_err(&self, e: rusqlite::Error) -> StoreError {
        sql_err(&self.path, e)
    }

    fn check_table(table: &str) -> Result<()> {
        if SYNCED_TABLES.contains(&table) {
            Ok(())
        } else {
            Err(StoreError::Invalid(format!("not a synced table: {table}")))
        }
    }

    fn next_stamp(&mut self) -> (i64, i64) {
        self.hlc = super::oplog::hlc::tick(self.hlc, self.now_ms);
        self.seq += 1;
        (self.hlc, self.seq)
    }

    /// Logs an op; returns its (hlc, seq).
    fn log(
        &mut self,
        table: &str,
        id: &str,
        kind: OpKind,
        fields: &[(&str, Val)],
    ) -> Result<(i64, i64)> {
        self.log_with_base(table, id, kind, fields, None)
    }

    /// Logs an op with the stamps of the values it replaced (`@base`, already JSON).
    fn log_with_base(
        &mut self,
        table: &str,
        id: &str,
        kind: OpKind,
        fields: &[(&str, Val)],
        base: Option<String>,
    ) -> Result<(i64, i64)> {
        let (hlc, seq) = self.next_stamp();
        // An insert op points at the row instead of copying it (see [`materialize_insert`]).
        let json = if kind == OpKind::Insert {
            None
        } else {
            let map: BTreeMap<&str, serde_json::Value> =
                fields.iter().map(|(k, v)| (*k, v.to_json())).collect();
            Some(
                serde_json::to_string(&map)
                    .map_err(|e| StoreError::Invalid(format!("op encoding: {e}")))?,
            )
        };
        self.tx
            .prepare_cached(
                "INSERT INTO ops (origin, seq, hlc, tbl, row_id, kind, fields, base) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![self.site_id, seq, hlc, table, id, kind.as_str(), json, base])
            })
            .map_err(|e| sql_err(&self.path, e))?;
        self.wrote_ops = true;
        Ok((hlc, seq))
    }

    /// Logs an op on a pseudo-table that is not a row table (`@purge`: see `store::retention`),
    /// with its fields as given; returns its (hlc, seq).
    pub(in crate::store) fn log_pseudo(
        &mut self,
        table: &str,
        id: &str,
        kind: OpKind,
        fields_json: &str,
    ) -> Result<(i64, i64)> {
        let (hlc, seq) = self.next_stamp();
        self.tx
            .prepare_cached(
                "INSERT INTO ops (origin, seq, hlc, tbl, row_id, kind, fields) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![self.site_id, seq, hlc, table, id, kind.as_str(), fields_json])
            })
            .map_err(|e| sql_err(&self.path, e))?;
        self.wrote_ops = true;
        Ok((hlc, seq))
    }

    /// Inserts a row into a synced table and logs it. RRN-shaped text is masked first.
    pub fn insert(&mut self, table: &str, id: &str, fields: &[(&str, Val)]) -> Result<()> {
        Self::check_table(table)?;
        let masked = mask_fields(fields);
        let fields: &[(&str, Val)] = &masked;
        let base = match self.corrections_here(table, fields)? {
            Some((root, stamps)) => {
                self.supersede_correction_conflicts(&root, &stamps)?;
                Some(super::oplog::stamps::stamps_json("corrects", &stamps))
            }
            None => None,
        };
        let (hlc, seq) = self.log_with_base(table, id, OpKind::Insert, fields, base)?;
        // The insert op points at the row: the row records the op's seq (not for entries,
        // which never change; see `materialize_insert`).
        let pointing = table != "entries";
        // Bulk writers insert many rows of one shape: build the statement's text once.
        let reuse = self.last_insert.as_ref().is_some_and(|(t, cols, _)| {
            t == table
                && cols.len() == fields.len()
                && cols.iter().zip(fields).all(|(c, (k, _))| c == k)
        });
        if !reuse {
            let mut sql = format!("INSERT INTO {table} (id, site_id, hlc, deleted");
            for (k, _) in fields {
                sql.push_str(", ");
                sql.push_str(k);
            }
            if pointing {
                sql.push_str(", insert_seq");
            }
            sql.push_str(") VALUES (?1, ?2, ?3, 0");
            for i in 0..fields.len() + usize::from(pointing) {
                sql.push_str(&format!(", ?{}", i + 4));
            }
            sql.push(')');
            let cols = fields.iter().map(|(k, _)| (*k).to_string()).collect();
            self.last_insert = Some((table.to_string(), cols, sql));
        }
        let sql = self
            .last_insert
            .as_ref()
            .map_or("", |(_, _, sql)| sql.as_str());
        let mut stmt = self
            .tx
            .prepare_cached(sql)
            .map_err(|e| sql_err(&self.path, e))?;
        let mut args: Vec<&dyn ToSql> = vec![&id, &self.site_id, &hlc];
        args.extend(fields.iter().map(|(_, v)| v as &dyn ToSql));
        if pointing {
            args.push(&seq);
        }
        stmt.execute(args.as_slice())
            .map_err(|e| sql_err(&self.path, e))?;
        Ok(())
    }

    /// Inserts many rows of one shape into a synced table and logs each, as [`Tx::insert`]
    /// does row by row (same ops, same RRN masking, same "insert op points at its row"), with
    /// the two statements prepared once and no per-row allocation beyond masking. For bulk
    /// importers (the 발굴 list); callers insert in primary-key order where they can, so the
    /// key index grows at its end. Not for `entries` (a correction needs its base). Returns
    /// the number of rows inserted.
    pub fn insert_rows<V: AsRef<[Val]>>(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: impl IntoIterator<Item = (String, V)>,
    ) -> Result<u64> {
        Self::check_table(table)?;
        if table == "entries" {
            return Err(StoreError::Invalid(
                "insert_rows: entries are inserted one by one (corrections carry a base)".into(),
            ));
        }
        let mut sql = format!("INSERT INTO {table} (id, site_id, hlc, deleted");
        for k in columns {
            sql.push_str(", ");
            sql.push_str(k);
        }
        sql.push_str(", insert_seq) VALUES (?1, ?2, ?3, 0");
        for i in 0..=columns.len() {
            sql.push_str(&format!(", ?{}", i + 4));
        }
        sql.push(')');
        let err = |e| sql_err(&self.path, e);
        let (mut hlc, mut seq, mut n) = (self.hlc, self.seq, 0u64);
        {
            let mut op = self
                .tx
                .prepare_cached(
                    "INSERT INTO ops (origin, seq, hlc, tbl, row_id, kind) VALUES (?1, ?2, ?3, ?4, ?5, 'insert')",
                )
                .map_err(err)?;
            let mut row = self.tx.prepare(&sql).map_err(err)?;
            op.raw_bind_parameter(1, &self.site_id).map_err(err)?;
            op.raw_bind_parameter(4, table).map_err(err)?;
            row.raw_bind_parameter(2, &self.site_id).map_err(err)?;
            for (id, values) in rows {
                let values = values.as_ref();
                if values.len() != columns.len() {
                    return Err(StoreError::Invalid(format!(
                        "insert_rows: {} values for {} columns",
                        values.len(),
                        columns.len()
                    )));
                }
                hlc = super::oplog::hlc::tick(hlc, self.now_ms);
                seq += 1;
                op.raw_bind_parameter(2, seq).map_err(err)?;
                op.raw_bind_parameter(3, hlc).map_err(err)?;
                op.raw_bind_parameter(5, &id).map_err(err)?;
                op.raw_execute().map_err(err)?;
                row.raw_bind_parameter(1, &id).map_err(err)?;
                row.raw_bind_parameter(3, hlc).map_err(err)?;
                for (i, (k, v)) in columns.iter().zip(values).enumerate() {
                    match v {
                        Val::Text(s) => {
                            let (masked, _) = crate::privacy::mask_rrn_in_field(k, s);
                            row.raw_bind_parameter(i + 4, masked.as_ref())
                        }
                        other => row.raw_bind_parameter(i + 4, other),
                    }
                    .map_err(err)?;
                }
                row.raw_bind_parameter(columns.len() + 4, seq)
                    .map_err(err)?;
                row.raw_execute().map_err(err)?;
                n += 1;
            }
        }
        self.hlc = hlc;
        self.seq = seq;
        self.wrote_ops |= n > 0;
        Ok(n)
    }

    /// For a correction (an entry with `corrects`): the entry it corrects and the stamps
    /// `[hlc, site]` of every correction of that entry already here — its `@base` (JSON
    /// `{"corrects": [...]}`), so a merge can tell a correction made after seeing another from
    /// two sites correcting at once (see `crate::sync::merge`). `None` for anything else, or
    /// when there is none yet.
    fn corrections_here(
        &self,
        table: &str,
        fields: &[(&str, Val)],
    ) -> Result<Option<(String, Vec<Stamp>)>> {
        if table != "entries" {
            return Ok(None);
        }
        let Some((_, Val::Text(root))) = fields.iter().find(|(k, _)| *k == "corrects") else {
            return Ok(None);
        };
        let stamps: Vec<Stamp> = self
            .tx
            .prepare_cached("SELECT hlc, site_id FROM entries WHERE corrects = ?1")
            .and_then(|mut s| {
                s.query_map([root], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| sql_err(&self.path, e))?;
        if stamps.is_empty() {
            return Ok(None);
        }
        Ok(Some((root.clone(), stamps)))
    }

    /// A correction written after seeing `stamps` (corrections of `root`) supersedes the open
    /// correction conflicts over them here and now, as the merge closes them at a site that
    /// receives it (`crate::sync::merge::check_corrections`), so a site's open conflicts never
    /// wait for its next import to match everyone else's.
    fn supersede_correction_conflicts(&self, root: &str, stamps: &[Stamp]) -> Result<()> {
        let mut close = self
            .tx
            .prepare_cached(
                "UPDATE conflicts SET resolved_at = ?1, resolution = 'superseded@sync'
                 WHERE tbl = 'entries' AND row_id = ?2 AND field = 'correction'
                   AND lost_hlc = ?3 AND lost_origin = ?4 AND resolved_at IS NULL",
            )
            .map_err(|e| sql_err(&self.path, e))?;
        for (hlc, site) in stamps {
            close
                .execute(params![self.stamp, root, hlc, site])
                .map_err(|e| sql_err(&self.path, e))?;
        }
        Ok(())
    }

    /// Updates some columns of a row in a synced table and logs the change. Columns whose value
    /// is unchanged are left out of the op; nothing is logged if nothing changed. RRN-shaped
    /// text is masked first.
    pub fn update(&mut self, table: &str, id: &str, fields: &[(&str, Val)]) -> Result<bool> {
        Self::check_table(table)?;
        let masked = mask_fields(fields);
        let fields: &[(&str, Val)] = &masked;
        if table == "entries" {
            return Err(StoreError::Invalid(
                "entries are append-only: add a correction instead".into(),
            ));
        }
        materialize_insert(&self.tx, table, id).map_err(|e| sql_err(&self.path, e))?;
        let mut changed = Vec::new();
        for (k, v) in fields {
            let sql = format!("SELECT {k} FROM {table} WHERE id = ?1");
            let current: Option<SqlValue> = self
                .tx
                .prepare_cached(&sql)
                .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
                .map_err(|e| sql_err(&self.path, e))?;
            let Some(current) = current else {
                return Err(StoreError::NotFound(format!("{table} {id}")));
            };
            let same = match (&current, v) {
                (SqlValue::Null, Val::Null) => true,
                (SqlValue::Integer(a), Val::Int(b)) => a == b,
                (SqlValue::Text(a), Val::Text(b)) => a == b,
                _ => false,
            };
            if !same {
                changed.push((*k, v.clone()));
            }
        }
        if changed.is_empty() {
            return Ok(false);
        }
        let columns: Vec<&str> = changed.iter().map(|(k, _)| *k).collect();
        let base =
            field_stamps(&self.tx, table, id, &columns).map_err(|e| sql_err(&self.path, e))?;
        // The stamps of the replaced values, kept beside `fields` (see `store::oplog::stamps`).
        let base = (!base.is_empty())
            .then(|| {
                let stamps: BTreeMap<&str, serde_json::Value> = base
                    .iter()
                    .map(|(k, (h, o))| (k.as_str(), serde_json::json!([h, o])))
                    .collect();
                serde_json::to_string(&stamps)
            })
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("op encoding: {e}")))?;
        let (hlc, _) = self.log_with_base(table, id, OpKind::Update, &changed, base)?;
        let sets: Vec<String> = changed
            .iter()
            .enumerate()
            .map(|(i, (k, _))| format!("{k} = ?{}", i + 3))
            .collect();
        let sql = format!(
            "UPDATE {table} SET hlc = ?2, {} WHERE id = ?1",
            sets.join(", ")
        );
        let mut args: Vec<&dyn ToSql> = vec![&id, &hlc];
        args.extend(changed.iter().map(|(_, v)| v as &dyn ToSql));
        self.tx
            .execute(&sql, args.as_slice())
            .map_err(|e| sql_err(&self.path, e))?;
        Ok(true)
    }

    /// Writes `value` to one column as the settlement of a conflict: an update op that replaced
    /// every value in `replaced` (the current one and the one that lost), logged even when the
    /// value does not change. Every site that merges it sees both values superseded, so the
    /// conflict closes there too (see `crate::sync::merge`).
    pub fn settle(
        &mut self,
        table: &str,
        id: &str,
        column: &str,
        value: Val,
        replaced: &[Stamp],
    ) -> Result<()> {
        Self::check_table(table)?;
        let known: bool = self
            .tx
            .query_row(
                "SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
                params![table, column],
                |r| r.get(0),
            )
            .map_err(|e| sql_err(&self.path, e))?;
        if !known || table == "entries" || ROW_META.contains(&column) {
            return Err(StoreError::Invalid(format!(
                "cannot settle {table}.{column}"
            )));
        }
        materialize_insert(&self.tx, table, id).map_err(|e| sql_err(&self.path, e))?;
        let base = super::oplog::stamps::stamps_json(column, replaced);
        let value = match value {
            Val::Text(s) => Val::Text(crate::privacy::mask_rrn_in_field(column, &s).0.into_owned()),
            other => other,
        };
        let fields = [(column, value)];
        let (hlc, _) = self.log_with_base(table, id, OpKind::Update, &fields, Some(base))?;
        let sql = format!("UPDATE {table} SET hlc = ?2, {column} = ?3 WHERE id = ?1");
        let n = self
            .tx
            .execute(&sql, params![id, hlc, fields[0].1])
            .map_err(|e| sql_err(&self.path, e))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("{table} {id}")));
        }
        Ok(())
    }

    /// Marks a row deleted (a tombstone; the row stays so the delete can sync).
    pub fn delete(&mut self, table: &str, id: &str) -> Result<()> {
        Self::check_table(table)?;
        if table == "entries" {
            return Err(StoreError::Invalid(
                "entries are append-only: void with a correction instead".into(),
            ));
        }
        materialize_insert(&self.tx, table, id).map_err(|e| sql_err(&self.path, e))?;
        let (hlc, _) = self.log(table, id, OpKind::Delete, &[])?;
        let sql = format!("UPDATE {table} SET deleted = 1, hlc = ?2 WHERE id = ?1");
        let n = self
            .tx
            .execute(&sql, params![id, hlc])
            .map_err(|e| sql_err(&self.path, e))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("{table} {id}")));
        }
        Ok(())
    }

    /// Advances the clock past a stamp seen elsewhere (sync import). A stamp more than
    /// [`MAX_DRIFT_MS`](super::oplog::hlc::MAX_DRIFT_MS) ahead of this transaction's wall clock
    /// is ignored: the local clock never follows a far-future stamp (sync refuses such ops).
    pub fn observe_hlc(&mut self, hlc: i64) {
        if super::oplog::hlc::is_far_future(hlc, self.now_ms) {
            return;
        }
        self.hlc = self.hlc.max(hlc);
        self.wrote_ops = true;
    }

    /// Commits every change made through this transaction.
    pub fn commit(self) -> Result<()> {
        if self.wrote_ops {
            self.tx
                .execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('hlc', ?1)",
                    [self.hlc.to_string()],
                )
                .map_err(|e| sql_err(&self.path, e))?;
        }
        // The audit head as this transaction leaves it, for the side file after the commit.
        let head = super::audit::meta_head(&self.tx).ok().flatten();
        self.tx.commit().map_err(|e| sql_err(&self.path, e))?;
        super::audit::refresh_head_file(&self.path, head.as_ref());
        Ok(())
    }
}

/// The values about to be written with RRN-shaped text masked (issue #20 item 1): every write
/// to a synced table passes here (`insert`, `update`, `settle`; a received op is masked in
/// `crate::sync::merge`), so no form, importer or edit can store a 주민등록번호 by forgetting
/// to mask it. Borrowed when there is nothing to mask (the common case costs a digit count).
fn mask_fields<'s, 'f>(fields: &'s [(&'f str, Val)]) -> Cow<'s, [(&'f str, Val)]> {
    let hit = |k: &str, v: &Val| matches!(v, Val::Text(s) if crate::privacy::mask_rrn_in_field(k, s).1 > 0);
    if !fields.iter().any(|(k, v)| hit(k, v)) {
        return Cow::Borrowed(fields);
    }
    Cow::Owned(
        fields
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Val::Text(s) => {
                        Val::Text(crate::privacy::mask_rrn_in_field(k, s).0.into_owned())
                    }
                    other => other.clone(),
                };
                (*k, v)
            })
            .collect(),
    )
}

/// A row's columns (but the bookkeeping [`ROW_META`]) as op fields; `None` if there is no
/// such row. `table` must be one of [`SYNCED_TABLES`] (it is spliced into the SQL).
pub fn row_fields(
    conn: &rusqlite::Connection,
    table: &str,
    id: &str,
) -> rusqlite::Result<Option<BTreeMap<String, serde_json::Value>>> {
    debug_assert!(SYNCED_TABLES.contains(&table));
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let cols: Vec<String> = stmt.column_names().map(str::to_string).collect();
    stmt.query_row([id], |r| {
        let mut map = BTreeMap::new();
        for (i, c) in cols.iter().enumerate() {
            if ROW_META.contains(&c.as_str()) {
                continue;
            }
            let v = match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                rusqlite::types::ValueRef::Integer(n) => n.into(),
                rusqlite::types::ValueRef::Real(f) => f.into(),
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                    String::from_utf8_lossy(t).into_owned().into()
                }
            };
            map.insert(c.clone(), v);
        }
        Ok(map)
    })
    .optional()
}

/// Insert ops are stored with `fields` NULL: the op's values are the row's, every column of it.
/// That holds while the row is as inserted, and such an op is found from the row: its origin is
/// the row's `site_id` and its seq the row's `insert_seq` (it has no entry in the index
/// `ops_row`, which keeps bulk inserts cheap). Before anything changes a row (an update, a
/// delete, a merge recomputing it) this copies the row into that op, which puts it in `ops_row`,
/// and clears `insert_seq`. Entries never change, so theirs always point at the row.
pub fn materialize_insert(
    conn: &rusqlite::Connection,
    table: &str,
    id: &str,
) -> rusqlite::Result<()> {
    if table == "entries" {
        return Ok(());
    }
    debug_assert!(SYNCED_TABLES.contains(&table));
    let pointer: Option<(String, i64)> = conn
        .prepare_cached(&format!(
            "SELECT site_id, insert_seq FROM {table} WHERE id = ?1 AND insert_seq IS NOT NULL"
        ))?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((origin, seq)) = pointer else {
        return Ok(());
    };
    let Some(fields) = row_fields(conn, table, id)? else {
        return Ok(());
    };
    let json = serde_json::to_string(&fields)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached(
        "UPDATE ops SET fields = ?3 WHERE origin = ?1 AND seq = ?2 AND kind = 'insert' AND fields IS NULL",
    )?
    .execute(params![origin, seq, json])?;
    conn.prepare_cached(&format!(
        "UPDATE {table} SET insert_seq = NULL WHERE id = ?1"
    ))?
    .execute([id])?;
    Ok(())
}
