//! The 복지사각지대 발굴 queue (issue #16 item 5): importing a round's list, matching each row
//! to a resident, and answering it with an outcome.
//!
//! - `import` reads the list with the resource/resident importers' reader (CSV in CP949 or
//!   UTF-8, XLSX …, header aliases, `--map`), in one transaction; every malformed row is
//!   reported as `file:line: reason` and skipped. A row's identity within its round is its
//!   NFC name + birth date (or name + address); the row id is derived from (round, identity),
//!   so re-importing a round adds nothing, here or at a site that imports it too.
//! - A row is matched to a live resident by name + birth date, else name + address; a key two
//!   residents share matches nobody (a new candidate is safer than a wrong person).
//! - `mark` sets the outcome and note of one row (any operator), audited and synced.

use crate::audit::Event;
use crate::batch::{Batch, produce};
use crate::model::{AuditAction, DiscoveryItem, Outcome};
use crate::resources::import::Rows;
use crate::resources::import::{
    DiscoveryRow, ImportError, ImportOptions, RowError, SourceInfo, identity_key, open_discovery,
};
use crate::store::{Role, RoundCount, Store, StoreError, Tx, Val};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// How many rejected rows a report lists; the rest are only counted.
pub const MAX_LISTED: usize = 100_000;

/// Settings of `dolbom discovery import`.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryImport {
    /// Encoding, format, sheet and `--map` aliases.
    pub options: ImportOptions,
    /// `--round`: the 회차 of rows without a 회차 column.
    pub round: Option<String>,
    /// `--deadline YYYY-MM-DD`: the 처리기한 of rows without one.
    pub deadline: Option<String>,
    /// `--dry-run`: do everything, then roll back.
    pub dry_run: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoveryReport {
    pub file: String,
    pub format: &'static str,
    pub encoding: Option<String>,
    pub dry_run: bool,
    /// New queue rows.
    pub inserted: u64,
    /// Of those, matched to an existing resident.
    pub matched: u64,
    /// Of those, new candidates (no resident matched).
    pub new_candidates: u64,
    /// Rows already in their round (a re-import).
    pub unchanged: u64,
    pub rejected: u64,
    /// `(line, reason)`, at most [`MAX_LISTED`].
    pub rejected_rows: Vec<RejectedRow>,
    /// The rounds the file's rows belong to.
    pub rounds: Vec<String>,
}

/// One skipped row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
    /// `file:line: reason`.
    pub message: String,
}

/// Why a discovery command failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error(
        "{0}\n가져오기를 취소했습니다: 아무것도 바뀌지 않았습니다 (import cancelled; nothing was written)"
    )]
    File(ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
}

impl From<ImportError> for DiscoveryError {
    fn from(e: ImportError) -> Self {
        DiscoveryError::File(e)
    }
}

fn format_name(info: &SourceInfo) -> &'static str {
    use crate::resources::import::Format;
    match info.format {
        Format::Csv => "csv",
        Format::Spreadsheet => "spreadsheet",
        Format::Json => "json",
        Format::Hsds => "hsds",
    }
}

/// The row id: a UUID (version 8) made from the round and the row's identity, so the same
/// person in the same round is the same row everywhere.
pub fn row_id(round: &str, row_key: &str) -> String {
    row_uuid(round, row_key).to_string()
}

/// [`row_id`] as a UUID (its order is the text's order: the importer sorts by it).
fn row_uuid(round: &str, row_key: &str) -> uuid::Uuid {
    let digest = Sha256::new()
        .chain_update(round.as_bytes())
        .chain_update([0x1f])
        .chain_update(row_key.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The columns a new queue row is written with, in [`Pending::values`] order.
const COLUMNS: [&str; 12] = [
    "round",
    "row_key",
    "line",
    "name",
    "birth_date",
    "phone",
    "address",
    "dong",
    "signals",
    "deadline",
    "resident_id",
    "note",
];

/// A new queue row, held until the whole file is read (rows are written in id order).
struct Pending {
    id: uuid::Uuid,
    /// Index into the import's rounds.
    round: usize,
    key: String,
    deadline: String,
    resident: Option<String>,
    row: DiscoveryRow,
}

impl Pending {
    fn values(self, rounds: &[String]) -> (String, [Val; 12]) {
        let r = self.row;
        (
            self.id.to_string(),
            [
                Val::text(rounds.get(self.round).map_or("", String::as_str)),
                Val::Text(self.key),
                Val::Int(i64::try_from(r.line).unwrap_or(i64::MAX)),
                Val::Text(r.name),
                Val::opt(r.birth_date),
                Val::opt(r.phone),
                Val::Text(r.address.unwrap_or_default()),
                Val::Text(r.dong.unwrap_or_default()),
                Val::Text(r.signals.join(",")),
                Val::Text(self.deadline),
                Val::opt(self.resident),
                Val::Text(r.note.unwrap_or_default()),
            ],
        )
    }
}

/// Checks `--deadline` (or a cell): `YYYY-MM-DD` and the loose forms the importers take.
pub fn parse_deadline(raw: &str) -> Result<String, DiscoveryError> {
    crate::resources::import::parse_date_loose(raw, false)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or_else(|| {
            DiscoveryError::Invalid(format!(
                "처리기한이 올바른 날짜가 아닙니다: {raw} (YYYY-MM-DD)"
            ))
        })
}

/// Live residents by identity key; a key held by two residents maps to `None`.
struct Matcher {
    keys: HashMap<String, Option<String>>,
}

impl Matcher {
    fn load(tx: &Tx<'_>) -> Result<Matcher, StoreError> {
        let mut keys: HashMap<String, Option<String>> = HashMap::new();
        let mut add = |k: String, id: &str| {
            keys.entry(k)
                .and_modify(|v| {
                    if v.as_deref() != Some(id) {
                        *v = None;
                    }
                })
                .or_insert_with(|| Some(id.to_string()));
        };
        tx.for_each_resident_identity(|id, name, birth, address| {
            if let Some(b) = birth {
                add(identity_key(name, Some(b), None), id);
            }
            if !address.is_empty() {
                add(identity_key(name, None, Some(address)), id);
            }
        })?;
        Ok(Matcher { keys })
    }

    /// The resident `row` is, if any; `key` is the row's [`DiscoveryRow::identity_key`] (with a
    /// birth date it is the name + birth date key, so it is looked up as it is).
    fn find(&self, row: &DiscoveryRow, key: &str) -> Option<String> {
        let by_birth = row.birth_date.as_ref().and_then(|_| self.keys.get(key));
        let by_address = || {
            row.address
                .as_deref()
                .and_then(|a| self.keys.get(&identity_key(&row.name, None, Some(a))))
        };
        by_birth.or_else(by_address).cloned().flatten()
    }
}

struct Importer<'a> {
    settings: &'a DiscoveryImport,
    matcher: Matcher,
    report: DiscoveryReport,
    /// Ids of the rows this import adds (an id is its round + identity).
    seen: HashSet<uuid::Uuid>,
    /// The identities each round met so far held before this import (read once per round).
    known: HashMap<String, HashSet<String>>,
    rounds: Vec<String>,
    /// The rows to add, written once the file is read.
    pending: Vec<Pending>,
}

impl Importer<'_> {
    fn reject(&mut self, e: RowError) {
        self.report.rejected += 1;
        if self.report.rejected_rows.len() < MAX_LISTED {
            let reason = crate::privacy::mask_rrn_like(&e.reason);
            let e = RowError { reason, ..e };
            self.report.rejected_rows.push(RejectedRow {
                line: e.line,
                message: e.to_string(),
                reason: e.reason,
            });
        }
    }

    fn apply(
        &mut self,
        tx: &Tx<'_>,
        path: &Path,
        item: Result<DiscoveryRow, RowError>,
    ) -> Result<(), StoreError> {
        let row = match item {
            Ok(row) => row,
            Err(e) => {
                self.reject(e);
                return Ok(());
            }
        };
        let reject = |line, reason: &str| RowError {
            path: path.into(),
            line,
            reason: reason.to_string(),
        };
        let Some(round) = row.round.clone().or_else(|| self.settings.round.clone()) else {
            self.reject(reject(
                row.line,
                "회차가 없습니다 (--round 또는 회차 열을 주세요)",
            ));
            return Ok(());
        };
        let Some(deadline) = row
            .deadline
            .clone()
            .or_else(|| self.settings.deadline.clone())
        else {
            self.reject(reject(
                row.line,
                "처리기한이 없습니다 (--deadline 또는 처리기한 열을 주세요)",
            ));
            return Ok(());
        };
        let round_index = match self.rounds.iter().position(|r| *r == round) {
            Some(i) => i,
            None => {
                self.rounds.push(round.clone());
                self.rounds.len() - 1
            }
        };
        let key = row.identity_key();
        let id = row_uuid(&round, &key);
        if self.seen.contains(&id) {
            self.reject(reject(
                row.line,
                "같은 사람이 이 파일의 앞 행에도 있습니다 (앞 행을 반영했습니다)",
            ));
            return Ok(());
        }
        if !self.known.contains_key(&round) {
            let keys = tx.discovery_keys(&round)?;
            self.known.insert(round.clone(), keys);
        }
        if self.known.get(&round).is_some_and(|k| k.contains(&key)) {
            self.report.unchanged += 1;
            return Ok(());
        }
        let resident = self.matcher.find(&row, &key);
        self.seen.insert(id);
        self.report.inserted += 1;
        if resident.is_some() {
            self.report.matched += 1;
        } else {
            self.report.new_candidates += 1;
        }
        self.pending.push(Pending {
            id,
            round: round_index,
            key,
            deadline,
            resident,
            row,
        });
        Ok(())
    }

    /// Writes the new rows in id order (the primary key index then grows at its end instead of
    /// splitting pages all over), and counts them into `discovery_rounds` once per round rather
    /// than by the insert trigger per row (see `Tx::discovery_bulk_insert`).
    fn write(&mut self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_unstable_by_key(|p| p.id);
        let mut counts: Vec<RoundCount> = self
            .rounds
            .iter()
            .map(|r| RoundCount {
                round: r.clone(),
                ..RoundCount::default()
            })
            .collect();
        for p in &pending {
            if let Some(c) = counts.get_mut(p.round) {
                c.add(&p.deadline, p.resident.is_some());
            }
        }
        let rounds = &self.rounds;
        tx.discovery_bulk_insert(
            &COLUMNS,
            pending.into_iter().map(|p| p.values(rounds)),
            &counts,
        )?;
        Ok(())
    }
}

/// Imports a 발굴 list round (팀장 or admin; a refusal is audited). One transaction;
/// `dry_run` rolls it back. One audit row with counts only.
pub fn import(
    store: &mut Store,
    path: &Path,
    settings: &DiscoveryImport,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DiscoveryReport, DiscoveryError> {
    store.require(Role::Lead, "discovery import")?;
    if let Some(d) = &settings.deadline {
        parse_deadline(d)?;
    }
    let rows = open_discovery(path, &settings.options)?;
    let report = DiscoveryReport {
        file: path.display().to_string(),
        format: format_name(rows.info()),
        encoding: rows.info().encoding.clone(),
        dry_run: settings.dry_run,
        inserted: 0,
        matched: 0,
        new_candidates: 0,
        unchanged: 0,
        rejected: 0,
        rejected_rows: Vec::new(),
        rounds: Vec::new(),
    };
    let (operator, host, stamp) = (
        store.operator().to_string(),
        store.host().to_string(),
        store.clock().stamp(),
    );
    let mut tx = store.write()?;
    let matcher = Matcher::load(&tx)?;
    let mut imp = Importer {
        settings,
        matcher,
        report,
        seen: HashSet::new(),
        known: HashMap::new(),
        rounds: Vec::new(),
        pending: Vec::new(),
    };
    // The file is parsed on a second thread while this one writes (as the other importers do).
    std::thread::scope(|scope| -> Result<(), DiscoveryError> {
        type RowBatch = Batch<Result<DiscoveryRow, RowError>, ImportError>;
        let (sender, receiver): (SyncSender<RowBatch>, Receiver<RowBatch>) = sync_channel(4);
        scope.spawn(move || produce(rows, 2048, Rows::progress, &sender));
        for batch in receiver {
            for item in batch.items {
                imp.apply(&tx, path, item)?;
            }
            if let Some(e) = batch.error {
                return Err(DiscoveryError::File(e));
            }
            progress(batch.progress.0, batch.progress.1);
        }
        Ok(())
    })?;
    imp.write(&mut tx)?;
    let mut report = imp.report;
    report.rounds = imp.rounds;
    if report.dry_run {
        drop(tx);
        return Ok(report);
    }
    let detail = format!(
        "discovery rounds={} inserted={} matched={} new={} unchanged={} rejected={}",
        report.rounds.join("|"),
        report.inserted,
        report.matched,
        report.new_candidates,
        report.unchanged,
        report.rejected
    );
    tx.audit(
        &operator,
        &host,
        &stamp,
        &Event {
            action: if report.inserted > 0 {
                AuditAction::Create
            } else {
                AuditAction::Update
            },
            resident_id: None,
            subject: &format!("import:{}", report.file),
            detail: &detail,
        },
    )?;
    tx.commit()?;
    Ok(report)
}

/// Sets the outcome and note of one queue row (any operator), with the date and operator who
/// checked it; audited (the outcome only, never the note) and synced.
pub fn mark(
    store: &mut Store,
    id: &str,
    outcome: Outcome,
    note: Option<&str>,
) -> Result<DiscoveryItem, DiscoveryError> {
    let (operator, host, stamp) = (
        store.operator().to_string(),
        store.host().to_string(),
        store.clock().stamp(),
    );
    let today = store.clock().today().format("%Y-%m-%d").to_string();
    let mut tx = store.write()?;
    let Some(item) = tx.discovery_item(id)? else {
        return Err(DiscoveryError::Invalid(format!(
            "발굴 대상을 찾을 수 없습니다: {id}"
        )));
    };
    let mut fields = vec![
        ("outcome", Val::text(outcome.label())),
        ("checked_on", Val::text(today)),
        ("checked_by", Val::text(operator.as_str())),
    ];
    if let Some(note) = note {
        fields.push(("note", Val::text(note.trim())));
    }
    tx.update("discovery", id, &fields)?;
    tx.audit(
        &operator,
        &host,
        &stamp,
        &Event {
            action: AuditAction::Update,
            resident_id: item.resident_id.as_deref(),
            subject: &format!("discovery:{id}"),
            detail: &format!("round={} outcome={}", item.round, outcome.code()),
        },
    )?;
    let updated = tx.discovery_item(id)?;
    tx.commit()?;
    updated.ok_or_else(|| DiscoveryError::Invalid(format!("발굴 대상을 찾을 수 없습니다: {id}")))
}

/// A 발굴 row promoted to an intake: the new (or found) resident becomes the row's match and,
/// unless the row was already answered, its outcome 지원 연계. Audited and synced.
pub fn link_intake(
    store: &mut Store,
    id: &str,
    resident_id: &str,
) -> Result<DiscoveryItem, DiscoveryError> {
    let (operator, host, stamp) = (
        store.operator().to_string(),
        store.host().to_string(),
        store.clock().stamp(),
    );
    let today = store.clock().today().format("%Y-%m-%d").to_string();
    let mut tx = store.write()?;
    let Some(item) = tx.discovery_item(id)? else {
        return Err(DiscoveryError::Invalid(format!(
            "발굴 대상을 찾을 수 없습니다: {id}"
        )));
    };
    let mut fields = vec![("resident_id", Val::text(resident_id))];
    if item.outcome.is_none() {
        fields.push(("outcome", Val::text(Outcome::Linked.label())));
        fields.push(("checked_on", Val::text(today)));
        fields.push(("checked_by", Val::text(operator.as_str())));
    }
    tx.update("discovery", id, &fields)?;
    tx.audit(
        &operator,
        &host,
        &stamp,
        &Event {
            action: AuditAction::Update,
            resident_id: Some(resident_id),
            subject: &format!("discovery:{id}"),
            detail: &format!("round={} intake", item.round),
        },
    )?;
    let updated = tx.discovery_item(id)?;
    tx.commit()?;
    updated.ok_or_else(|| DiscoveryError::Invalid(format!("발굴 대상을 찾을 수 없습니다: {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_ids_are_stable_uuids() {
        let a = row_id("2026-6", "b김민수\u{1f}1950-01-01");
        assert_eq!(a, row_id("2026-6", "b김민수\u{1f}1950-01-01"));
        assert_ne!(a, row_id("2026-7", "b김민수\u{1f}1950-01-01"));
        assert!(uuid::Uuid::parse_str(&a).is_ok());
    }

    #[test]
    fn deadlines() {
        assert_eq!(parse_deadline("2026.6.30").unwrap(), "2026-06-30");
        assert!(parse_deadline("내일").is_err());
    }
}
