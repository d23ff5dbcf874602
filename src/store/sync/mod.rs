//! The sync bookkeeping tables (`sync_peers`, `sync_vv`, `sync_log`, `conflicts`, the site keys
//! in `meta`) and the op log as sync reads and merges it. `crate::sync` decides *what* to do
//! with a bundle; every statement it needs is a typed method here, so it holds no SQL.
//!
//! - this file: site keys, peers and their version vectors, the export side of the op log;
//! - [`merge`]: recording received ops and rewriting rows from them (one transaction, [`Tx`]);
//! - [`conflicts`]: the values that lost a concurrent edit, and settling them;
//! - [`proofs`]: origins' signatures over their ops, kept so that relays can forward them.

mod conflicts;
mod folder;
mod merge;
mod proofs;

pub use conflicts::Conflict;
pub use merge::{Correction, ImportRecord, NewConflict, OpenConflict, RowMeta, RowOp};
pub use proofs::ProofRow;

use super::audit::{self, Event};
use super::oplog::stamps::BASE_KEY;
use super::schema::SYNCED_TABLES;
use super::{Result, Store, StoreError, Tx, row_fields};
use crate::model::{Op, OpKind};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

/// `meta` key holding the site's secret keys (their text form).
const KEYS_META: &str = "site_keys";

/// A peer as stored in `sync_peers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRow {
    pub site_id: String,
    pub name: String,
    pub trusted: bool,
    pub sign_key: Option<String>,
    pub last_import_at: Option<String>,
    pub last_export_at: Option<String>,
    /// The age recipient bundles for this peer can be encrypted to, once recorded.
    pub age_recipient: Option<String>,
}

/// What `sync_peers` says about a sender: its signing key (if recorded) and whether trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPeer {
    pub sign_key: Option<String>,
    pub trusted: bool,
}

/// An export to record in `sync_log` (and the peer's last export time).
#[derive(Debug, Clone, Copy)]
pub struct ExportRecord<'a> {
    pub at: &'a str,
    pub peer: Option<&'a str>,
    pub bundle_id: &'a str,
    pub file: &'a str,
    pub ops_total: u64,
}

/// Who an audit row names, for the audit rows the sync bookkeeping writes in its transactions.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub operator: &'a str,
    pub host: &'a str,
    pub at: &'a str,
}

/// The one bridge from the sync bookkeeping to the audit log: appends `ev` on the transaction's
/// connection so that the audit row commits with the change it describes.
fn append_audit(conn: &Connection, who: &Actor<'_>, ev: &Event<'_>) -> rusqlite::Result<()> {
    audit::append(conn, who.operator, who.host, who.at, ev).map(drop)
}

fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Refuses a table name that is not a synced table (names are spliced into SQL).
fn check_synced(table: &str) -> Result<()> {
    if SYNCED_TABLES.contains(&table) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("not a synced table: {table}")))
    }
}

/// An op's `fields` or `base` JSON as stored here failed to parse: the database is damaged.
fn corrupt_op(origin: &str, seq: i64, what: &str, e: &serde_json::Error) -> StoreError {
    StoreError::Invalid(format!(
        "저장된 변경 기록이 손상되었습니다 / stored op {origin}/{seq} has unreadable {what}: {e}"
    ))
}

impl Store {
    /// The site's secret keys in their stored text form, if made yet. Never print it.
    pub fn site_keys_secret(&self) -> Result<Option<String>> {
        self.conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [KEYS_META], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Stores the site's secret keys unless some are stored already (another process may have
    /// made them meanwhile: theirs win; read them back with [`Store::site_keys_secret`]).
    pub fn store_site_keys_secret(&self, secret: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                params![KEYS_META, secret],
            )
            .map_err(|e| self.sql_err(e))?;
        Ok(())
    }

    /// The highest seq held here per origin site (this site's version vector).
    pub fn held_seqs(&self) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT origin, max(seq) FROM ops GROUP BY origin")
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<String, i64>>>())
            .map_err(|e| self.sql_err(e))
    }

    /// Every peer, by name.
    pub fn peers(&self) -> Result<Vec<PeerRow>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT site_id, name, trusted, sign_key, last_import_at, last_export_at,
                        age_recipient
                 FROM sync_peers ORDER BY name, site_id",
            )
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([], |r| {
            Ok(PeerRow {
                site_id: r.get(0)?,
                name: r.get(1)?,
                trusted: r.get::<_, i64>(2)? != 0,
                sign_key: r.get(3)?,
                last_import_at: r.get(4)?,
                last_export_at: r.get(5)?,
                age_recipient: r.get(6)?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| self.sql_err(e))
    }

    /// Records the age recipient (`age1…`, as `dolbom sync keys` prints it) that bundles for
    /// `site_id` may be encrypted to, adding the site as a peer if it is new: untrusted, so its
    /// own bundles still need `--trust` the first time (a recipient says nothing about who
    /// signs). `name` replaces the stored name when given. The caller checks the text is a
    /// recipient ([`crate::sync::keys::parse_recipient`]).
    pub fn set_peer_recipient(
        &self,
        site_id: &str,
        name: Option<&str>,
        recipient: &str,
    ) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO sync_peers (site_id, name, age_recipient, trusted)
                 VALUES (?1, coalesce(?2, ''), ?3, 0)
                 ON CONFLICT (site_id) DO UPDATE SET age_recipient = excluded.age_recipient,
                     name = CASE WHEN coalesce(?2, '') <> '' THEN ?2 ELSE name END",
                params![site_id, name.filter(|n| !n.trim().is_empty()), recipient],
            )
            .map(drop)
            .map_err(|e| self.sql_err(e))
    }

    /// The age recipient recorded for `site_id` ([`Store::set_peer_recipient`]), if any.
    pub fn peer_recipient(&self, site_id: &str) -> Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT age_recipient FROM sync_peers WHERE site_id = ?1",
                [site_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.sql_err(e))
    }

    /// What `sync_peers` says about site `site_id`, if anything.
    pub fn known_peer(&self, site_id: &str) -> Result<Option<KnownPeer>> {
        self.conn()
            .query_row(
                "SELECT sign_key, trusted FROM sync_peers WHERE site_id = ?1",
                [site_id],
                |r| {
                    Ok(KnownPeer {
                        sign_key: r.get(0)?,
                        trusted: r.get::<_, i64>(1)? == 1,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// The highest seq per origin that `peer` is known to hold.
    pub fn peer_seqs(&self, peer: &str) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT origin, seq FROM sync_vv WHERE peer = ?1")
            .map_err(|e| self.sql_err(e))?;
        stmt.query_map([peer], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<String, i64>>>())
            .map_err(|e| self.sql_err(e))
    }

    /// Ops held here that `peer`'s version vector lacks (its own ops excluded: it has them).
    pub fn pending_ops(&self, peer: &str) -> Result<i64> {
        self.conn()
            .query_row(
                "SELECT count(*) FROM ops o WHERE o.origin <> ?1 AND o.seq >
                    coalesce((SELECT v.seq FROM sync_vv v WHERE v.peer = ?1 AND v.origin = o.origin), 0)",
                params![peer],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
    }

    /// Conflicts not yet resolved.
    pub fn unresolved_conflict_count(&self) -> Result<i64> {
        self.conn()
            .query_row(
                "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql_err(e))
    }

    /// Calls `each` for every op `peer` lacks (every op when `peer` is `None`), in (origin, seq)
    /// order, with the `@base` stamps inside its fields as a bundle carries them. An insert op
    /// whose fields are not stored gets them from its row. A stored op that does not parse is an
    /// error (the database is damaged), never an op with empty fields.
    pub fn for_each_op<E: From<StoreError>>(
        &self,
        peer: Option<&str>,
        each: &mut dyn FnMut(&Op) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.for_each_op_where(
            "?1 IS NULL OR (o.origin <> ?1 AND o.seq >
                coalesce((SELECT v.seq FROM sync_vv v WHERE v.peer = ?1 AND v.origin = o.origin), 0))",
            params![peer],
            each,
        )
    }

    /// Calls `each` for the ops of `origin` with `after < seq <= upto`, in seq order (as
    /// [`Store::for_each_op`] gives them): one site's new ops for a shared-folder bundle.
    pub fn for_each_op_of_origin<E: From<StoreError>>(
        &self,
        origin: &str,
        after: i64,
        upto: i64,
        each: &mut dyn FnMut(&Op) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.for_each_op_where(
            "o.origin = ?1 AND o.seq > ?2 AND o.seq <= ?3",
            params![origin, after, upto],
            each,
        )
    }

    fn for_each_op_where<E: From<StoreError>>(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
        each: &mut dyn FnMut(&Op) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let conn = self.conn();
        let err = |e| self.sql_err(e);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT o.origin, o.seq, o.hlc, o.tbl, o.row_id, o.kind, o.fields, o.base FROM ops o
                 WHERE {filter}
                 ORDER BY o.origin, o.seq"
            ))
            .map_err(err)?;
        let mut rows = stmt.query(args).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let origin: String = r.get(0).map_err(err)?;
            let seq: i64 = r.get(1).map_err(err)?;
            let kind: String = r.get(5).map_err(err)?;
            let kind = OpKind::parse(&kind).ok_or_else(|| {
                StoreError::Invalid(format!("stored op {origin}/{seq}: op kind {kind}"))
            })?;
            let mut op = Op {
                origin,
                seq,
                hlc: r.get(2).map_err(err)?,
                table: r.get(3).map_err(err)?,
                row_id: r.get(4).map_err(err)?,
                kind,
                fields: BTreeMap::new(),
            };
            match r.get_ref(6).map_err(err)? {
                ValueRef::Text(t) => {
                    op.fields = serde_json::from_slice(t)
                        .map_err(|e| corrupt_op(&op.origin, op.seq, "fields", &e))?;
                }
                // An insert op points at its row (see `store::materialize_insert`).
                _ if op.kind == OpKind::Insert => {
                    check_synced(&op.table)?;
                    op.fields = row_fields(conn, &op.table, &op.row_id)
                        .map_err(err)?
                        .ok_or_else(|| {
                            StoreError::Invalid(format!(
                                "stored op {}/{}: {} {} missing",
                                op.origin, op.seq, op.table, op.row_id
                            ))
                        })?;
                }
                _ => {}
            }
            if let ValueRef::Text(t) = r.get_ref(7).map_err(err)? {
                let base: serde_json::Value = serde_json::from_slice(t)
                    .map_err(|e| corrupt_op(&op.origin, op.seq, "base", &e))?;
                op.fields.insert(BASE_KEY.to_string(), base);
            }
            each(&op)?;
        }
        Ok(())
    }

    /// Records an export in one transaction: its `sync_log` row, the peer's last export time and
    /// the audit row `ev` (다운로드).
    pub fn record_export(&self, rec: &ExportRecord<'_>, ev: &Event<'_>) -> Result<()> {
        let conn = self.conn();
        let who = Actor {
            operator: self.operator(),
            host: self.host(),
            at: rec.at,
        };
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| self.sql_err(e))?;
        (|| -> rusqlite::Result<()> {
            tx.execute(
                "INSERT INTO sync_log (at, direction, peer, bundle_id, file, ops_total)
                 VALUES (?1, 'export', ?2, ?3, ?4, ?5)",
                params![
                    rec.at,
                    rec.peer,
                    rec.bundle_id,
                    rec.file,
                    i64_of(rec.ops_total)
                ],
            )?;
            if let Some(p) = rec.peer {
                tx.execute(
                    "UPDATE sync_peers SET last_export_at = ?2 WHERE site_id = ?1",
                    params![p, rec.at],
                )?;
            }
            append_audit(&tx, &who, ev)
        })()
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))
    }
}

impl Tx<'_> {
    /// Appends the audit row `ev` inside this transaction (sync import, conflict settling).
    pub fn append_sync_audit(&self, who: &Actor<'_>, ev: &Event<'_>) -> Result<()> {
        append_audit(self.conn(), who, ev).map_err(|e| self.sql_err(e))
    }
}
