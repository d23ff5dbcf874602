//! Field stamps: which op wrote a field last, and the `@base` key update ops carry so that a
//! merge can tell sequential edits from concurrent ones (see `crate::sync::merge`).

use crate::model::OpKind;
use rusqlite::params;
use std::collections::BTreeMap;

/// An update op records, per changed column, the stamp `[hlc, origin]` of the value the edit
/// replaced (the op that wrote it), in the `ops.base` column; in a bundle it travels inside the
/// op's `fields` under this key. Merging uses it to tell a sequential edit (made after seeing
/// the old value) from a concurrent one, whose loser goes to `conflicts`. A person settling a
/// conflict replaces both values at once: then the column has a list of stamps,
/// `[[hlc, origin], [hlc, origin]]` (see `Tx::settle`). Not a column name.
pub const BASE_KEY: &str = "@base";

/// A field's stamp: `(hlc, origin)` of the op that wrote it; ordered as last-writer-wins orders.
pub type Stamp = (i64, String);

/// The current stamp of each of `columns` of one row: the greatest `(hlc, origin)` over the row's
/// ops that wrote the column (an insert writes every column, defaults included).
pub fn field_stamps(
    conn: &rusqlite::Connection,
    table: &str,
    id: &str,
    columns: &[&str],
) -> rusqlite::Result<BTreeMap<String, Stamp>> {
    let mut out: BTreeMap<String, Stamp> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        // The terms of the partial index ops_row; an insert pointing at its row is not in it,
        // so callers materialize first (see `crate::store::materialize_insert`).
        "SELECT hlc, origin, kind, fields FROM ops
         WHERE tbl = ?1 AND row_id = ?2 AND tbl <> 'entries' AND fields IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![table, id])?;
    while let Some(r) = rows.next()? {
        let stamp: Stamp = (r.get(0)?, r.get(1)?);
        let kind: String = r.get(2)?;
        let fields: Option<String> = r.get(3)?;
        // A stored op that does not parse is an error (a damaged database), never "no fields".
        let corrupt = |e: Box<dyn std::error::Error + Send + Sync>| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e)
        };
        let kind = OpKind::parse(&kind)
            .ok_or_else(|| corrupt(format!("stored op {}: op kind {kind}", stamp.1).into()))?;
        let written: Vec<&str> = match kind {
            OpKind::Insert => columns.to_vec(),
            OpKind::Update => {
                let map: BTreeMap<String, serde_json::Value> = match fields.as_deref() {
                    Some(f) => serde_json::from_str(f).map_err(|e| corrupt(Box::new(e)))?,
                    None => BTreeMap::new(),
                };
                columns
                    .iter()
                    .copied()
                    .filter(|c| map.contains_key(*c))
                    .collect()
            }
            OpKind::Delete => Vec::new(),
        };
        for c in written {
            match out.get_mut(c) {
                Some(s) if *s >= stamp => {}
                Some(s) => *s = stamp.clone(),
                None => {
                    out.insert(c.to_string(), stamp.clone());
                }
            }
        }
    }
    Ok(out)
}

/// The stamps of one column's `@base` entry: one stamp `[hlc, origin]`, or a list of them.
pub fn parse_stamps(v: &serde_json::Value) -> Vec<Stamp> {
    fn one(v: &serde_json::Value) -> Option<Stamp> {
        let a = v.as_array()?;
        match a.as_slice() {
            [h, o] => Some((h.as_i64()?, o.as_str()?.to_owned())),
            _ => None,
        }
    }
    match one(v) {
        Some(s) => vec![s],
        None => v
            .as_array()
            .map(|list| list.iter().filter_map(one).collect())
            .unwrap_or_default(),
    }
}

/// `@base` JSON for one column replaced by several writes at once.
pub fn stamps_json(column: &str, replaced: &[Stamp]) -> String {
    let list: Vec<serde_json::Value> = replaced
        .iter()
        .map(|(h, o)| serde_json::json!([h, o]))
        .collect();
    serde_json::json!({ column: list }).to_string()
}
