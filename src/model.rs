//! Plain data types shared by every layer. No I/O here.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Kind of change recorded in the op log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// A new row; `fields` holds every column.
    Insert,
    /// Some columns of an existing row changed; `fields` holds only those.
    Update,
    /// Tombstone: the row's `deleted` flag set.
    Delete,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Insert => "insert",
            OpKind::Update => "update",
            OpKind::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "insert" => Some(OpKind::Insert),
            "update" => Some(OpKind::Update),
            "delete" => Some(OpKind::Delete),
            _ => None,
        }
    }
}

/// One entry of the op log (`ops` table): a change to one row of a synced table, made on site
/// `origin` as its `seq`-th op, stamped with hybrid logical clock `hlc`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    pub origin: String,
    pub seq: i64,
    pub hlc: i64,
    pub table: String,
    pub row_id: String,
    pub kind: OpKind,
    /// Column name → value (JSON null, string or integer). Ordered so that bundles are stable.
    pub fields: BTreeMap<String, serde_json::Value>,
}
