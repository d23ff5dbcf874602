//! Shared-folder sync (issue #19): the PCs of a team exchange bundles through one folder (a
//! Windows share, a NAS, or a folder Syncthing/OneDrive replicates). SQLite never lives there.
//!
//! # Layout
//! `FOLDER/<site-id>/<from>-<to>.bundle`: the ops of site `<site-id>` with seqs `from..=to`,
//! written by that site only (a temp name, fsync, rename: see [`super::bundle`]), signed and
//! encrypted to every enrolled peer's age key. `<n+1>-<n>.bundle` holds no ops: it only carries
//! the site's `@held` record (what it holds of everyone), rewritten when that changes, so that
//! a site that reads but never writes still acknowledges.
//!
//! # One pass ([`run_pass`])
//! 1. **Import**: for every enrolled peer's folder, its bundles in seq order. A bundle applies
//!    only if it continues what is held of that peer (`from <= held + 1`): a site holds a
//!    contiguous prefix of each origin's ops, whatever order the files arrive in. Anything else
//!    is skipped with a reason — a name that is not exactly ours (temp names, `.syncthing.*.tmp`,
//!    OneDrive's `name-PC.bundle` conflict copies), a file still being copied (short, empty:
//!    the reader's length/checksum error; retried next pass), a gap, a replay (already held), a
//!    folder of a site not enrolled, a name that does not match the signed manifest.
//! 2. **Export**: this site's ops since its last folder export, as one bundle.
//! 3. **Compaction**: this site's bundles every enrolled peer acknowledges holding (their
//!    `@held`, read on import into `sync_vv`) are deleted, and older acknowledgement files.

use super::bundle::{BundleError, Decryption, Encryption, open_bundle};
use super::export::{KNOWLEDGE_TABLE, export_own_range};
use super::import::{ImportOptions, import_bundle};
use super::keys::parse_recipient;
use super::proof::PROOF_TABLE;
use super::site::{SyncError, SyncResult, site_keys};
use crate::store::Store;
use crate::store::schema::CURRENT_VERSION;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Suffix of a bundle file in the folder.
pub const SUFFIX: &str = ".bundle";

/// A file name of the folder layout: `<from>-<to>.bundle`, digits only (no leading zero).
/// `from == to + 1` is an acknowledgement file (no ops).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BundleName {
    pub from: i64,
    pub to: i64,
}

impl BundleName {
    /// Parses a file name; anything else (temp names, conflict copies) is `None`.
    pub fn parse(name: &str) -> Option<BundleName> {
        let stem = name.strip_suffix(SUFFIX)?;
        let (from, to) = stem.split_once('-')?;
        let num = |s: &str| -> Option<i64> {
            let ok = !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_digit())
                && (s == "0" || !s.starts_with('0'))
                && s.len() <= 18;
            if ok { s.parse().ok() } else { None }
        };
        let (from, to) = (num(from)?, num(to)?);
        (from >= 1 && (from <= to || from == to + 1)).then_some(BundleName { from, to })
    }

    pub fn file_name(&self) -> String {
        format!("{}-{}{SUFFIX}", self.from, self.to)
    }

    /// An acknowledgement file (no ops).
    pub fn is_ack(&self) -> bool {
        self.from == self.to + 1
    }
}

/// Why a file was not applied. `retry`: it may apply on a later pass as it is (still being
/// copied, or waiting for an earlier bundle).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub file: PathBuf,
    pub reason: String,
    pub retry: bool,
}

/// A bundle applied in a pass.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    pub file: PathBuf,
    pub site: String,
    pub applied: u64,
    pub known: u64,
    pub conflicts: u64,
}

/// The bundle a pass wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    pub file: PathBuf,
    pub ops: u64,
    pub bytes: u64,
    /// Peers (site ids) it is encrypted to; empty when written plain.
    pub recipients: Vec<String>,
}

/// What one pass did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FolderReport {
    pub folder: PathBuf,
    pub site_id: String,
    pub applied: Vec<Applied>,
    pub skipped: Vec<Skipped>,
    pub written: Option<Written>,
    /// This site's bundles deleted because every enrolled peer holds them.
    pub compacted: Vec<PathBuf>,
    /// Things the operator should know (no peer key known: written plain).
    pub warnings: Vec<String>,
}

/// One pass over `folder`: import, export, compact (see the module notes). Per-file problems
/// are in the report's `skipped`; an error means the folder itself failed (missing, no
/// permission, disk full) or the database did. Plain bundles only as the site's setting
/// ([`PLAIN_SETTING`]) allows.
pub fn run_pass(store: &mut Store, folder: &Path) -> SyncResult<FolderReport> {
    let opts = PassOptions {
        plain: plain_allowed(store)?,
        ..PassOptions::default()
    };
    run_pass_with(store, folder, &opts)
}

/// Whether this site allows plain bundles in the folder ([`PLAIN_SETTING`]).
pub fn plain_allowed(store: &Store) -> SyncResult<bool> {
    Ok(store.setting(PLAIN_SETTING)?.as_deref() == Some("1"))
}

/// How a pass behaves beyond the folder.
#[derive(Debug, Clone, Default)]
pub struct PassOptions {
    /// Write an acknowledgement-only file at most this often (by the wall clock). Acks only
    /// let peers compact, so a background loop that passes every 30 s need not rewrite one
    /// each time something arrived; zero (a command run by hand) writes it at once.
    pub ack_every: std::time::Duration,
    /// Write bundles plain (signed, not encrypted) when no enrolled peer's age key is known.
    /// Off by default: a shared folder is read by everyone with access to the share, so
    /// without a key nothing is exported (a warning says so, [`NO_PEER_KEY`]). An explicit
    /// opt-in (`sync folder --plain`, the `sync_folder_plain` setting).
    pub plain: bool,
    /// Skip the import (the pass at quit: only this PC's new changes matter then, and time is
    /// short; what peers wrote is read at the next start).
    pub export_only: bool,
}

/// The warning of a pass that exported nothing because no peer age key is known.
pub const NO_PEER_KEY: &str = "팀 PC의 키가 등록되지 않아 공유 폴더로 내보내지 않았습니다 — dolbom sync team add 로 등록하세요 / no enrolled peer age key: nothing exported (plain bundles only with --plain)";

/// The setting that allows plain (signed-only) bundles in the folder when no peer key is known
/// (`meta` key `setting.sync_folder_plain`, `1` = allowed).
pub const PLAIN_SETTING: &str = "sync_folder_plain";

/// Why a folder cannot be used (checked before it is remembered).
#[derive(Debug, thiserror::Error)]
pub enum FolderProblem {
    #[error("폴더가 없습니다: {0}")]
    Missing(PathBuf),
    #[error("폴더가 아닙니다: {0}")]
    NotADirectory(PathBuf),
    #[error("이 폴더에 쓸 수 없습니다: {path} ({source})")]
    NotWritable {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Checks that `folder` exists, is a folder, and takes a file (one is written and removed,
/// under a temp name that peers pass over).
pub fn check_folder(folder: &Path) -> Result<(), FolderProblem> {
    match std::fs::metadata(folder) {
        Err(_) => return Err(FolderProblem::Missing(folder.to_owned())),
        Ok(m) if !m.is_dir() => return Err(FolderProblem::NotADirectory(folder.to_owned())),
        Ok(_) => {}
    }
    let probe = folder.join(format!(".dolbom-check-{}.tmp", std::process::id()));
    let written = std::fs::write(&probe, b"dolbom").map_err(|source| FolderProblem::NotWritable {
        path: folder.to_owned(),
        source,
    });
    let _ = std::fs::remove_file(&probe);
    written
}

/// [`run_pass`] with options.
pub fn run_pass_with(
    store: &mut Store,
    folder: &Path,
    opts: &PassOptions,
) -> SyncResult<FolderReport> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SyncError::Io { path, source }
    };
    if !folder.is_dir() {
        return Err(SyncError::Io {
            path: folder.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "공유 폴더가 없습니다 / shared folder not found",
            ),
        });
    }
    let own = store.site().id.clone();
    let mut report = FolderReport {
        folder: folder.to_owned(),
        site_id: own.clone(),
        ..FolderReport::default()
    };
    if !opts.export_only {
        import_all(store, folder, &mut report)?;
    }
    let own_dir = folder.join(&own);
    std::fs::create_dir_all(&own_dir).map_err(io(&own_dir))?;
    export_new(store, &own_dir, opts, &mut report)?;
    compact(store, &own_dir, &mut report)?;
    Ok(report)
}

/// Enrolled peers: trusted, with a signing key. Site id → age recipient (if stored).
fn enrolled(store: &Store) -> SyncResult<BTreeMap<String, Option<String>>> {
    Ok(store
        .peers()?
        .into_iter()
        .filter(|p| p.trusted && p.sign_key.is_some())
        .map(|p| (p.site_id, p.age_recipient))
        .collect())
}

fn list_dir(dir: &Path) -> SyncResult<Vec<(String, PathBuf, bool)>> {
    let rd = std::fs::read_dir(dir).map_err(|source| SyncError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut out = Vec::new();
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        out.push((name, entry.path(), is_dir));
    }
    out.sort();
    Ok(out)
}

/// The reason a file name is not ours, in words.
fn foreign_reason(name: &str) -> (String, bool) {
    if name.starts_with(".syncthing.") && name.ends_with(".tmp") {
        (
            "Syncthing 임시 파일(복사 중) / Syncthing temp file, still arriving".into(),
            true,
        )
    } else if name.ends_with(".tmp") || name.starts_with('.') || name.starts_with('~') {
        (
            "임시 파일(쓰는 중) / temp file, still being written".into(),
            true,
        )
    } else {
        (
            "이름이 묶음 형식(<from>-<to>.bundle)이 아님 — 충돌 사본이나 다른 파일 / not our bundle name (a conflict copy or another file)".into(),
            false,
        )
    }
}

fn skip(report: &mut FolderReport, file: &Path, reason: impl Into<String>, retry: bool) {
    report.skipped.push(Skipped {
        file: file.to_owned(),
        reason: reason.into(),
        retry,
    });
}

/// Bundles applied per peer from files still in its folder: `folder.applied.<peer>` = JSON
/// file name → bundle id. A file named there is passed over quietly; one that reappears after it
/// was gone is a replay and reported.
fn applied_record(store: &Store, peer: &str) -> SyncResult<BTreeMap<String, String>> {
    Ok(store
        .folder_record(&format!("applied.{peer}"))?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Imports every peer's folder, again while a round applied something (a bundle may wait for
/// another site's ops that a later folder in the same round brings); the skips reported are
/// the last round's.
fn import_all(store: &mut Store, folder: &Path, report: &mut FolderReport) -> SyncResult<()> {
    let rounds = enrolled(store)?.len() + 1;
    for _ in 0..rounds {
        let mut round = FolderReport::default();
        let progress = import_round(store, folder, &mut round)?;
        report.applied.append(&mut round.applied);
        report.skipped = round.skipped;
        if !progress {
            break;
        }
    }
    Ok(())
}

fn import_round(store: &mut Store, folder: &Path, report: &mut FolderReport) -> SyncResult<bool> {
    let own = store.site().id.clone();
    let peers = enrolled(store)?;
    let decryption = Decryption::Identities(vec![site_keys(store)?.age_identity().clone()]);
    let mut progress = false;
    for (site, dir, is_dir) in list_dir(folder)? {
        if site == own {
            continue;
        }
        if !is_dir {
            let (reason, retry) = foreign_reason(&site);
            skip(report, &dir, reason, retry);
            continue;
        }
        if !peers.contains_key(&site) {
            for (_, file, _) in list_dir(&dir)? {
                skip(
                    report,
                    &file,
                    format!(
                        "등록되지 않은 PC({site})의 묶음 — 아무것도 바꾸지 않음. `dolbom sync team add`로 등록하세요 / from a site not enrolled in this team; nothing changed"
                    ),
                    false,
                );
            }
            continue;
        }
        progress |= import_peer(store, &site, &dir, &decryption, report)?;
    }
    Ok(progress)
}

fn import_peer(
    store: &mut Store,
    site: &str,
    dir: &Path,
    decryption: &Decryption,
    report: &mut FolderReport,
) -> SyncResult<bool> {
    let own = store.site().id.clone();
    let team = enrolled(store)?;
    let mut progress = false;
    let mut named: Vec<(BundleName, PathBuf)> = Vec::new();
    let mut present: Vec<String> = Vec::new();
    for (name, path, is_dir) in list_dir(dir)? {
        match BundleName::parse(&name).filter(|_| !is_dir) {
            Some(n) => {
                named.push((n, path));
                present.push(name);
            }
            None => {
                let (reason, retry) = foreign_reason(&name);
                skip(report, &path, reason, retry);
            }
        }
    }
    // Ops bundles by first seq, acknowledgements last (the newest one counts).
    named.sort_by_key(|(n, _)| (n.is_ack(), n.from, n.to));
    let mut applied = applied_record(store, site)?;
    for (name, path) in named {
        let held = store.held_seqs()?.get(site).copied().unwrap_or(0);
        if !name.is_ack() {
            if name.to <= held && applied.contains_key(&name.file_name()) {
                // Applied from this very file before (it stays until its site compacts it).
                continue;
            }
            if name.to <= held {
                skip(
                    report,
                    &path,
                    format!(
                        "이미 적용됨(변경 {}까지 보유) — 다시 나타난 예전 묶음 / already applied (a replayed old bundle): ops up to {held} held",
                        name.to
                    ),
                    false,
                );
                continue;
            }
            if name.from > held + 1 {
                skip(
                    report,
                    &path,
                    format!(
                        "앞선 묶음(변경 {}–{})을 기다림 / waiting for the earlier bundle {}-{}",
                        held + 1,
                        name.from - 1,
                        held + 1,
                        name.from - 1
                    ),
                    true,
                );
                continue;
            }
        }
        // Read it whole first (bundles in a folder are small): the file must be complete, the
        // name must say what the signed manifest holds, and the sender's `@held` says which
        // ops of other sites its ops may depend on.
        let (manifest, deps) = match pre_read(&path, decryption, site) {
            Ok(x) => x,
            Err(e) => {
                let retry = transient(&e);
                let reason = if retry {
                    format!(
                        "아직 복사 중이거나 불완전함, 다음에 다시 시도 / incomplete, retried later: {e}"
                    )
                } else {
                    e.to_string()
                };
                skip(report, &path, reason, retry);
                continue;
            }
        };
        // The knowledge record and proofs are pseudo-ops with seq 0: they count in the
        // manifest's ranges and totals, so the real ops are counted by table. Seqs are unique
        // per origin, so `to - from + 1` ops of this site ending at `to` are exactly `from..=to`.
        let real: u64 = manifest
            .table_counts
            .iter()
            .filter(|(t, _)| t.as_str() != KNOWLEDGE_TABLE && t.as_str() != PROOF_TABLE)
            .map(|(_, n)| *n)
            .sum();
        let top = manifest.seq_ranges.get(site).map_or(0, |r| r[1]);
        let only_own = manifest.seq_ranges.keys().all(|o| o == site);
        let matches = manifest.origin_site == site
            && only_own
            && if name.is_ack() {
                real == 0
            } else {
                top == name.to && i64::try_from(real).ok() == Some(name.to - name.from + 1)
            };
        if !matches {
            skip(
                report,
                &path,
                "파일 이름이 묶음 내용과 다름 / file name does not match the signed manifest",
                false,
            );
            continue;
        }
        if !name.is_ack() {
            // Only enrolled sites' ops come through the folder: those are worth waiting for.
            let have = store.held_seqs()?;
            let missing = deps.iter().find(|(origin, seq)| {
                origin.as_str() != site
                    && origin.as_str() != own
                    && team.contains_key(origin.as_str())
                    && have.get(origin.as_str()).copied().unwrap_or(0) < **seq
            });
            if let Some((origin, seq)) = missing {
                skip(
                    report,
                    &path,
                    format!(
                        "먼저 와야 할 다른 PC({origin})의 변경 {seq}까지를 기다림 / waiting for site {origin}'s ops up to {seq} (causal order)"
                    ),
                    true,
                );
                continue;
            }
        }
        let file_name = name.file_name();
        if name.is_ack() && applied.get(&file_name) == Some(&manifest.bundle_id) {
            // Seen already; no reason to report each pass.
            continue;
        }
        match import_bundle(store, &path, &ImportOptions::default(), &mut |_, _| {}) {
            Ok(r) => {
                progress = true;
                applied.insert(file_name, manifest.bundle_id.clone());
                if !name.is_ack() {
                    report.applied.push(Applied {
                        file: path.clone(),
                        site: site.to_string(),
                        applied: r.applied,
                        known: r.known,
                        conflicts: r.conflicts,
                    });
                }
            }
            Err(SyncError::Bundle(e)) => {
                let retry = transient(&e);
                skip(report, &path, e.to_string(), retry);
            }
            // A database error rolled the import back; the file is tried again next pass.
            Err(SyncError::Store(e)) => skip(report, &path, e.to_string(), true),
            Err(e) => skip(report, &path, e.to_string(), false),
        }
    }
    applied.retain(|f, _| present.contains(f));
    let text = serde_json::to_string(&applied).unwrap_or_else(|_| "{}".into());
    store.set_folder_record(&format!("applied.{site}"), &text)?;
    Ok(progress)
}

/// A read error that may pass on a later try (the file is still arriving or being replaced).
fn transient(e: &BundleError) -> bool {
    matches!(
        e,
        BundleError::Truncated { .. }
            | BundleError::NotABundle { .. }
            | BundleError::Io { .. }
            | BundleError::Tampered { .. }
            | BundleError::Corrupt { .. }
            | BundleError::CountMismatch { .. }
    )
}

/// Reads a bundle to its end (every check of the reader) and returns its manifest and the
/// sender's `@held` record (origin → highest seq it held when it wrote the bundle).
fn pre_read(
    path: &Path,
    decryption: &Decryption,
    site: &str,
) -> Result<(super::bundle::Manifest, BTreeMap<String, i64>), BundleError> {
    let mut reader = open_bundle(path, decryption, CURRENT_VERSION, None)?;
    let mut held = BTreeMap::new();
    for op in &mut reader {
        let op = op?;
        if op.table == KNOWLEDGE_TABLE && op.origin == site {
            held = op
                .fields
                .iter()
                .filter_map(|(o, v)| Some((o.clone(), v.as_i64()?)))
                .collect();
        }
    }
    Ok((reader.manifest().clone(), held))
}

/// Key of this site's last exported seq, per folder (another folder starts from the beginning);
/// the folder as the system resolves it, so `share` and `/full/path/share` are one folder.
fn exported_key(own_dir: &Path) -> String {
    format!("exported.{}", folder_id(own_dir))
}

fn folder_id(own_dir: &Path) -> String {
    std::fs::canonicalize(own_dir)
        .unwrap_or_else(|_| own_dir.to_owned())
        .display()
        .to_string()
}

/// Seconds since the Unix epoch by the wall clock (0 if the clock is before it).
fn wall_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn export_new(
    store: &Store,
    own_dir: &Path,
    opts: &PassOptions,
    report: &mut FolderReport,
) -> SyncResult<()> {
    let own = store.site().id.clone();
    let held = store.held_seqs()?;
    let upto = held.get(&own).copied().unwrap_or(0);
    let key = exported_key(own_dir);
    let after = store
        .folder_record(&key)?
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(0)
        .min(upto);
    let held_text = serde_json::to_string(&held).unwrap_or_default();
    let acked = store.folder_record(&format!("held.{}", folder_id(own_dir)))?;
    if after >= upto && acked.as_deref() == Some(held_text.as_str()) {
        return Ok(());
    }
    let ack_key = format!("ack_at.{}", folder_id(own_dir));
    if after >= upto && !opts.ack_every.is_zero() {
        let last = store
            .folder_record(&ack_key)?
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        if wall_secs().saturating_sub(last) < opts.ack_every.as_secs() {
            return Ok(());
        }
    }
    let (encryption, recipients) = encryption(store)?;
    if recipients.is_empty() {
        if !opts.plain {
            // Personal data in the clear in a shared folder: not without an explicit opt-in.
            // Nothing is recorded as exported, so the ops go once a key is enrolled.
            report.warnings.push(NO_PEER_KEY.into());
            return Ok(());
        }
        report.warnings.push(
            "등록된 팀 PC의 age 공개키가 없어 암호화하지 않고(서명만) 썼습니다(--plain). `dolbom sync team add`로 등록하세요 / no enrolled peer age key known: bundle written plain (signed only), as allowed".into(),
        );
    }
    let name = if after >= upto {
        BundleName {
            from: upto + 1,
            to: upto,
        }
    } else {
        BundleName {
            from: after + 1,
            to: upto,
        }
    };
    let path = own_dir.join(name.file_name());
    let r = export_own_range(store, &path, after, upto, &encryption)?;
    store.set_folder_record(&key, &upto.to_string())?;
    store.set_folder_record(&ack_key, &wall_secs().to_string())?;
    store.set_folder_record(&format!("held.{}", folder_id(own_dir)), &held_text)?;
    report.written = Some(Written {
        file: r.path,
        ops: r.ops,
        bytes: r.file_len,
        recipients,
    });
    Ok(())
}

/// Encryption to every enrolled peer's age key; plain (signed) when none is known.
fn encryption(store: &Store) -> SyncResult<(Encryption, Vec<String>)> {
    let mut keys = Vec::new();
    let mut sites = Vec::new();
    for (site, recipient) in enrolled(store)? {
        if let Some(r) = recipient {
            keys.push(parse_recipient(&r)?);
            sites.push(site);
        }
    }
    if keys.is_empty() {
        Ok((Encryption::Plain, sites))
    } else {
        Ok((Encryption::Recipients(keys), sites))
    }
}

/// Deletes this site's bundles that every enrolled peer holds (by their `@held`), and every
/// acknowledgement file but the newest.
fn compact(store: &Store, own_dir: &Path, report: &mut FolderReport) -> SyncResult<()> {
    let own = store.site().id.clone();
    let peers = enrolled(store)?;
    let mut covered = i64::MAX;
    for peer in peers.keys() {
        covered = covered.min(store.peer_seqs(peer)?.get(&own).copied().unwrap_or(0));
    }
    if peers.is_empty() {
        covered = 0;
    }
    let mut files: Vec<(BundleName, PathBuf)> = list_dir(own_dir)?
        .into_iter()
        .filter_map(|(name, path, is_dir)| {
            Some((BundleName::parse(&name).filter(|_| !is_dir)?, path))
        })
        .collect();
    let newest_ack = files
        .iter()
        .filter(|(n, _)| n.is_ack())
        .map(|(n, _)| *n)
        .max();
    files.retain(|(n, _)| {
        if n.is_ack() {
            Some(*n) != newest_ack
        } else {
            n.to <= covered
        }
    });
    for (_, path) in files {
        match std::fs::remove_file(&path) {
            Ok(()) => report.compacted.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(SyncError::Io { path, source }),
        }
    }
    Ok(())
}
