//! Writing imported rows to the store (admin only). One transaction per file: every row of a
//! file is applied, or — on a file-level error, a crash or Ctrl-C — none is.
//!
//! - Resources are upserted by (source, key), or by natural key (normalised name + address)
//!   among the source's keyless rows when a row has no key.
//! - Residents are matched by NFC name + birth date; a match is updated, never duplicated.
//!
//! Both report inserted / updated / unchanged / rejected counts, every rejected row as
//! `file:line: reason`, and write one audit row (`import:FILE`, counts only).
//!
//! The file is parsed on a second thread while this one writes, in batches over a bounded
//! channel, so memory stays flat for any file size.

mod residents;
mod resources;

pub use residents::{import_residents, sigungu_from_address};
pub use resources::import_resources;

use super::import::{ImportError, ImportOptions, RowError, SourceInfo};
use crate::audit::Event;
use crate::batch::{Batch, produce};
use crate::model::AuditAction;
use crate::store::{Store, StoreError, Tx};
use serde::Serialize;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// How many rejected rows a report lists; the rest are only counted (memory stays bounded).
pub const MAX_LISTED: usize = 100_000;

/// Settings of a resource import (`dolbom resources import`).
#[derive(Debug, Clone, Default)]
pub struct ResourceImport {
    /// Encoding, format, sheet and `--map` aliases.
    pub options: ImportOptions,
    /// `--source NAME`; default: the file stem.
    pub source: Option<String>,
    /// `--dry-run`: do everything, then roll back.
    pub dry_run: bool,
}

/// Settings of a resident-list import (`dolbom residents import`).
#[derive(Debug, Clone, Default)]
pub struct ResidentImport {
    /// Encoding, format, sheet and `--map` aliases.
    pub options: ImportOptions,
    /// `--dry-run`: do everything, then roll back.
    pub dry_run: bool,
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The file as given.
    pub file: String,
    /// `resources` or `residents`.
    pub kind: &'static str,
    /// The resource source name (resources only).
    pub source: Option<String>,
    /// `csv`, `spreadsheet`, `json` or `hsds`.
    pub format: &'static str,
    /// Detected or chosen text encoding.
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Rejected rows (at most [`MAX_LISTED`]).
    pub rejected_rows: Vec<Rejected>,
    /// Residents only: inserted people who look like someone already present (same 초성,
    /// birth year and 동) but were not merged.
    pub possible_duplicates: Vec<PossibleDuplicate>,
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
    /// `file:line: reason`.
    pub message: String,
}

/// An inserted resident who resembles one already present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PossibleDuplicate {
    pub line: u64,
    pub name: String,
    pub birth_date: String,
    pub dong: String,
    /// The similar people already present: (name, birth date).
    pub similar: Vec<(String, String)>,
}

/// Why an import stopped. Nothing was written in either case.
#[derive(Debug, thiserror::Error)]
pub enum UpsertError {
    /// The file as a whole cannot be imported (unreadable, empty, binary, missing column …).
    #[error(
        "{0}\n가져오기를 취소했습니다: 아무것도 바뀌지 않았습니다 (import cancelled; nothing was written)"
    )]
    File(ImportError),
    /// The database refused (or the operator is not an admin).
    #[error(transparent)]
    Store(#[from] StoreError),
}

// By hand rather than `#[from]`, so the message is not repeated as the error's source.
impl From<ImportError> for UpsertError {
    fn from(e: ImportError) -> Self {
        UpsertError::File(e)
    }
}

impl ImportReport {
    fn new(kind: &'static str, info: &SourceInfo, path: &Path, dry_run: bool) -> Self {
        ImportReport {
            file: path.display().to_string(),
            kind,
            source: None,
            format: format_name(info.format),
            encoding: info.encoding.clone(),
            dry_run,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            rejected_rows: Vec::new(),
            possible_duplicates: Vec::new(),
        }
    }

    fn reject(&mut self, e: RowError) {
        self.rejected += 1;
        if self.rejected_rows.len() < MAX_LISTED {
            // A reason may quote the cell; a 주민등록번호 typed in the wrong column must not
            // reach the report (stderr, --json, the TUI preview).
            let reason = crate::privacy::mask_rrn_like(&e.reason);
            let e = RowError { reason, ..e };
            self.rejected_rows.push(Rejected {
                line: e.line,
                message: e.to_string(),
                reason: e.reason,
            });
        }
    }

    fn reject_line(&mut self, path: &Path, line: u64, reason: String) {
        self.reject(RowError {
            path: path.into(),
            line,
            reason,
        });
    }

    /// Counts only, for the audit log (no personal data).
    fn audit_detail(&self) -> String {
        let source = self
            .source
            .as_deref()
            .map(|s| format!(" source={s}"))
            .unwrap_or_default();
        format!(
            "{}{source} inserted={} updated={} unchanged={} rejected={}",
            self.kind, self.inserted, self.updated, self.unchanged, self.rejected
        )
    }

    /// Rows read from the file (applied or rejected).
    pub fn total(&self) -> u64 {
        self.inserted + self.updated + self.unchanged + self.rejected
    }
}

fn format_name(f: super::import::Format) -> &'static str {
    use super::import::Format;
    match f {
        Format::Csv => "csv",
        Format::Spreadsheet => "spreadsheet",
        Format::Json => "json",
        Format::Hsds => "hsds",
    }
}

/// Who and when, taken from the store before the write transaction borrows it.
struct Actor {
    operator: String,
    host: String,
    stamp: String,
    today: String,
}

impl Actor {
    fn of(store: &Store) -> Actor {
        Actor {
            operator: store.operator().to_string(),
            host: store.host().to_string(),
            stamp: store.clock().stamp(),
            today: store.clock().today().format("%Y-%m-%d").to_string(),
        }
    }

    /// Appends the import's audit row inside the transaction, then commits (or, for a dry
    /// run, drops the transaction: everything rolls back).
    fn finish(&self, tx: Tx<'_>, report: &ImportReport) -> Result<(), UpsertError> {
        if report.dry_run {
            drop(tx);
            return Ok(());
        }
        let action = if report.inserted > 0 {
            AuditAction::Create
        } else {
            AuditAction::Update
        };
        tx.audit(
            &self.operator,
            &self.host,
            &self.stamp,
            &Event {
                action,
                resident_id: None,
                subject: &format!("import:{}", report.file),
                detail: &report.audit_detail(),
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}

const BATCH: usize = 2048;

/// What the parsing thread iterates: a file's [`Rows`] (or, in tests, any such iterator).
pub(crate) type Item<T> = Result<Result<T, RowError>, ImportError>;

/// Runs `apply` on every row of `rows` (parsed on a second thread), calling `progress` after
/// each batch. Stops at the first file-level error or the first error `apply` returns.
fn pipeline<T, I, F>(
    rows: I,
    progress_of: fn(&I) -> (u64, u64),
    progress: &mut dyn FnMut(u64, u64),
    mut apply: F,
) -> Result<(), UpsertError>
where
    T: Send,
    I: Iterator<Item = Item<T>> + Send,
    F: FnMut(Result<T, RowError>) -> Result<(), UpsertError>,
{
    std::thread::scope(|scope| {
        type RowBatch<T> = Batch<Result<T, RowError>, ImportError>;
        let (tx, rx): (SyncSender<RowBatch<T>>, Receiver<RowBatch<T>>) = sync_channel(4);
        scope.spawn(move || produce(rows, BATCH, progress_of, &tx));
        for batch in rx {
            for item in batch.items {
                apply(item)?;
            }
            if let Some(e) = batch.error {
                return Err(UpsertError::File(e));
            }
            progress(batch.progress.0, batch.progress.1);
        }
        Ok(())
    })
}

/// A set of rowids touched by this import (to catch a key repeated within one file): a bitmap
/// for ordinary rowids, a hash set beyond.
#[derive(Default)]
struct RowSet {
    bits: Vec<u64>,
    far: std::collections::HashSet<i64>,
}

impl RowSet {
    const DENSE: i64 = 1 << 30;

    /// Adds `rowid`; false if it was already there.
    fn insert(&mut self, rowid: i64) -> bool {
        if (0..Self::DENSE).contains(&rowid) {
            let (word, bit) = ((rowid / 64) as usize, rowid % 64);
            if word >= self.bits.len() {
                self.bits.resize(word + 1, 0);
            }
            let was = self.bits[word] & (1 << bit) != 0;
            self.bits[word] |= 1 << bit;
            !was
        } else {
            self.far.insert(rowid)
        }
    }
}

/// The keys a source may already hold: a Bloom filter (4 MiB, two probes) over key hashes, so
/// a key that is surely new skips the index lookup. A "maybe" is checked in the database, so a
/// false positive costs one query and never a wrong answer. About 0.4% false positives at a
/// million keys, 5% at four million; memory stays the same.
struct KeyFilter {
    bits: Vec<u64>,
}

impl KeyFilter {
    const BITS: u64 = 1 << 25;

    fn new() -> KeyFilter {
        KeyFilter {
            bits: vec![0; (Self::BITS / 64) as usize],
        }
    }

    fn probes(hash: u64) -> [u64; 2] {
        [hash % Self::BITS, hash.rotate_left(32) % Self::BITS]
    }

    fn add(&mut self, hash: u64) {
        for p in Self::probes(hash) {
            self.bits[(p / 64) as usize] |= 1 << (p % 64);
        }
    }

    fn may_contain(&self, hash: u64) -> bool {
        Self::probes(hash)
            .iter()
            .all(|p| self.bits[(p / 64) as usize] & (1 << (p % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyFilter, RowSet};

    #[test]
    fn key_filter_has_no_false_negatives_and_few_false_positives() {
        let hash = |i: u64| {
            use std::hash::{BuildHasher, BuildHasherDefault};
            BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .hash_one(format!("G-{i:07}"))
        };
        let mut f = KeyFilter::new();
        for i in 0..100_000 {
            f.add(hash(i));
        }
        assert!((0..100_000).all(|i| f.may_contain(hash(i))));
        let false_positives = (100_000..200_000)
            .filter(|&i| f.may_contain(hash(i)))
            .count();
        assert!(false_positives < 100, "{false_positives}");
    }

    #[test]
    fn rowset_remembers() {
        let mut s = RowSet::default();
        for r in [1, 64, 65, 1 << 20, -5, 1 << 40] {
            assert!(s.insert(r), "{r}");
            assert!(!s.insert(r), "{r}");
        }
        assert!(s.insert(2));
    }
}
