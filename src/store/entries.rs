//! Timeline entries (append-only: a correction is a new row pointing at the original): reads
//! on the store or inside a write transaction, and the insert.

use super::{Result, Store, StoreError, Tx, Val, bad};
use crate::model::{Entry, EntryKind};
use rusqlite::{Connection, OptionalExtension, Row};

pub(super) const ENTRY_COLS: &str =
    "e.id, e.case_id, e.kind, e.author, e.at, e.body, e.due_on, e.data, e.corrects, e.voids";

pub(super) fn read_entry(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let kind: String = r.get(2)?;
    let data: String = r.get(7)?;
    Ok(Entry {
        id: r.get(0)?,
        case_id: r.get(1)?,
        kind: EntryKind::parse(&kind).ok_or_else(|| bad("entry kind", &kind))?,
        author: r.get(3)?,
        at: r.get(4)?,
        body: r.get(5)?,
        due_on: r.get(6)?,
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        corrects: r.get(8)?,
        voids: r.get::<_, i64>(9)? != 0,
    })
}

/// One entry by id, on any connection.
fn entry_on(conn: &Connection, id: &str) -> rusqlite::Result<Option<Entry>> {
    conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLS} FROM entries e WHERE e.id = ?1"
    ))?
    .query_row([id], read_entry)
    .optional()
}

impl Store {
    /// One entry by id.
    pub fn entry(&self, id: &str) -> Result<Entry> {
        entry_on(self.conn(), id)
            .map_err(|e| self.sql_err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("entry {id}")))
    }

    /// Every entry of a case (corrections included), oldest first; ties in time keep the order
    /// they were written in (hybrid logical clock).
    pub fn case_entries(&self, case_id: &str) -> Result<Vec<Entry>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLS} FROM entries e WHERE e.case_id = ?1 AND e.deleted = 0 ORDER BY e.at, e.hlc"
            ))
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([case_id], read_entry)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))
    }
}

impl Tx<'_> {
    /// One entry, read inside this transaction.
    pub fn entry(&self, id: &str) -> Result<Entry> {
        entry_on(self.conn(), id)
            .map_err(|e| self.sql_error(e))?
            .ok_or_else(|| StoreError::NotFound(format!("entry {id}")))
    }

    /// Corrections of entry `root_id`, oldest first.
    pub fn corrections_of(&self, root_id: &str) -> Result<Vec<Entry>> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {ENTRY_COLS} FROM entries e WHERE e.corrects = ?1 ORDER BY e.at, e.hlc"
            ))
            .map_err(|e| self.sql_error(e))?;
        stmt.query_map([root_id], read_entry)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_error(e))
    }

    /// Appends an entry row (the id and every field as given).
    pub fn insert_entry(&mut self, e: &Entry) -> Result<()> {
        self.insert(
            "entries",
            &e.id,
            &[
                ("case_id", e.case_id.as_str().into()),
                ("kind", e.kind.code().into()),
                ("author", e.author.as_str().into()),
                ("at", e.at.as_str().into()),
                ("body", e.body.as_str().into()),
                ("due_on", e.due_on.clone().into()),
                ("data", e.data.to_string().into()),
                ("corrects", e.corrects.clone().into()),
                ("voids", Val::Int(i64::from(e.voids))),
            ],
        )
    }
}
