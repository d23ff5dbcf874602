//! The key slots of an encrypted database on disk: the side file `<db>.keys` (JSON, written
//! atomically, private to the user), its digest kept inside the database's `meta` table (so a
//! slot file swapped for an older copy is noticed once the database is unlocked), the count of
//! wrong passphrases in `<db>.keys-failed` (audited and cleared at the next unlock), and the
//! slot changes an admin makes (`users add/passwd/disable`, `db rekey`, `db encrypt`).
//!
//! Changing the slots is crash-safe: the new digest is first recorded as *pending* inside the
//! database, then the slot file is replaced (temp file, fsync, rename), then the pending digest
//! becomes the current one. An open accepts either, so a kill between the steps locks nobody
//! out.

use super::cipher;
use super::{Result, Store, StoreError, sql_err};
use crate::clock::Clock;
use crate::crypto::{DbKey, KdfParams, KeySlotError, KeySlots, Passphrase};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::io::Write;
use std::path::{Path, PathBuf};

const DIGEST: &str = "key_slots_digest";
const DIGEST_NEXT: &str = "key_slots_digest_next";

fn with_suffix(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `<db>.keys`: the key slots of an encrypted database.
pub fn slots_path(db: &Path) -> PathBuf {
    with_suffix(db, ".keys")
}

/// `<db>.keys.new`: the slots under a new key while `db rekey` runs.
fn next_slots_path(db: &Path) -> PathBuf {
    with_suffix(db, ".keys.new")
}

/// `<db>.keys-failed`: wrong passphrases since the last unlock (time, operator, host per line).
pub fn failures_path(db: &Path) -> PathBuf {
    with_suffix(db, ".keys-failed")
}

/// Reads `<db>.keys`.
pub(super) fn load_slots_file(db: &Path) -> Result<KeySlots> {
    let path = slots_path(db);
    match KeySlots::load(&path) {
        Ok(slots) => Ok(slots),
        Err(KeySlotError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Err(StoreError::SlotFileMissing {
                db: db.to_path_buf(),
                keys: path,
            })
        }
        Err(e) => Err(StoreError::SlotFileDamaged {
            keys: path,
            reason: e.to_string(),
        }),
    }
}

/// Writes `<db>.keys` atomically.
pub(super) fn save_slots_file(db: &Path, slots: &KeySlots) -> Result<()> {
    save_to(&slots_path(db), slots)
}

fn save_to(path: &Path, slots: &KeySlots) -> Result<()> {
    slots.save(path).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// A key-slot error as the store reports it (Korean, naming the file).
pub(super) fn slot_error(db: &Path, operator: &str, e: KeySlotError) -> StoreError {
    match e {
        KeySlotError::WrongPassphrase(op) => StoreError::WrongPassphrase {
            path: db.to_path_buf(),
            operator: op,
        },
        KeySlotError::UnknownOperator(op) => StoreError::UnknownOperator {
            keys: slots_path(db),
            operator: op,
        },
        KeySlotError::InvalidName(n) => StoreError::Invalid(format!(
            "작업자 이름 {operator:?}을(를) 쓸 수 없습니다 (invalid operator name: {n})"
        )),
        KeySlotError::WeakPassphrase => StoreError::Invalid(format!(
            "암호가 너무 짧습니다: {} 글자 이상 (passphrase too short)",
            crate::crypto::keyslots::MIN_PASSPHRASE_CHARS
        )),
        KeySlotError::DuplicateOperator(op) => StoreError::Invalid(format!(
            "작업자 {op:?}의 키 슬롯이 이미 있습니다 (already has a key slot)"
        )),
        KeySlotError::LastSlot => StoreError::Invalid(
            "마지막 키 슬롯은 지울 수 없습니다: 아무도 열 수 없게 됩니다 (the last slot cannot be removed)"
                .into(),
        ),
        e => StoreError::SlotFileDamaged {
            keys: slots_path(db),
            reason: e.to_string(),
        },
    }
}

/// Wrong passphrases recorded since the last unlock.
pub fn failures(db: &Path) -> u32 {
    std::fs::read_to_string(failures_path(db))
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).count() as u32)
        .unwrap_or(0)
}

/// Counts a wrong passphrase (best effort: a read-only folder just does not count it).
pub(super) fn record_failure(db: &Path, operator: &str, clock: &Clock) {
    let path = failures_path(db);
    let line = format!("{}\t{}\t{}\n", clock.stamp(), operator, super::host_name());
    let write = || -> std::io::Result<()> {
        let mut file = crate::files::create_private(&path)?;
        use std::io::Seek;
        file.seek(std::io::SeekFrom::End(0))?;
        file.write_all(line.as_bytes())?;
        file.sync_all()
    };
    let _ = write();
}

fn digest_hex(slots: &KeySlots) -> String {
    hex::encode(slots.digest())
}

fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

/// Records `slots` as the database's current slots (and drops a pending digest).
pub(super) fn record_digest(conn: &Connection, slots: &KeySlots) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![DIGEST, digest_hex(slots)],
    )?;
    conn.execute("DELETE FROM meta WHERE key = ?1", [DIGEST_NEXT])?;
    Ok(())
}

/// Checks `<db>.keys` against the digest inside the database: the current one or a pending one
/// (a slot change that was interrupted). A database without any digest yet (made before digests
/// were kept) accepts the file it was unlocked with, and records it.
pub(super) fn check_digest(db: &Path, conn: &Connection) -> Result<()> {
    let slots = load_slots_file(db)?;
    let have = digest_hex(&slots);
    let current = meta_get(conn, DIGEST).map_err(|e| sql_err(db, e))?;
    let next = meta_get(conn, DIGEST_NEXT).map_err(|e| sql_err(db, e))?;
    match (current, next) {
        (None, None) => Ok(()),
        (c, n) if c.as_deref() == Some(&have) || n.as_deref() == Some(&have) => Ok(()),
        _ => Err(StoreError::SlotsReplaced {
            keys: slots_path(db),
        }),
    }
}

/// After a read-write unlock: settle a pending digest, and audit the wrong passphrases counted
/// since the last unlock, then clear the count.
pub(super) fn after_unlock(store: &Store) -> Result<()> {
    let db = store.path();
    let slots = load_slots_file(db)?;
    let conn = store.conn();
    let current = meta_get(conn, DIGEST).map_err(|e| store.sql_err(e))?;
    if current.as_deref() != Some(digest_hex(&slots).as_str()) {
        record_digest(conn, &slots).map_err(|e| store.sql_err(e))?;
    }
    let path = failures_path(db);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) => return Ok(()),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split('\t');
        let at = parts.next().unwrap_or("");
        let operator = parts.next().unwrap_or("?");
        let host = parts.next().unwrap_or("");
        let subject = format!("login:{operator}");
        let detail = format!("암호 틀림 (wrong passphrase) {at} {host}");
        store.audit(&super::audit::Event {
            action: crate::model::AuditAction::Denied,
            resident_id: None,
            subject: &subject,
            detail: &detail,
        })?;
    }
    std::fs::remove_file(&path).map_err(|e| StoreError::Io { path, source: e })?;
    Ok(())
}

/// What `dolbom db status` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbStatus {
    pub encrypted: bool,
    /// sqlite3mc's scheme (`chacha20`) for an encrypted file.
    pub cipher: Option<String>,
    /// Operators with a key slot (empty for a plain file).
    pub slots: Vec<String>,
    pub page_size: i64,
    pub pages: i64,
    pub schema_version: u32,
}

impl Store {
    /// Whether the database file is encrypted (opened through a key slot).
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The key slots (`None` for a plain database).
    pub fn key_slots(&self) -> Result<Option<KeySlots>> {
        if self.key.is_none() {
            return Ok(None);
        }
        load_slots_file(&self.path).map(Some)
    }

    /// Plain or encrypted, cipher, slots, page size.
    pub fn db_status(&self) -> Result<DbStatus> {
        let conn = self.conn();
        let q = |sql: &str| -> Result<i64> {
            conn.query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.sql_err(e))
        };
        let slots = self
            .key_slots()?
            .map(|s| s.operators().map(String::from).collect())
            .unwrap_or_default();
        Ok(DbStatus {
            encrypted: self.is_encrypted(),
            cipher: self.key_slots()?.map(|s| s.cipher),
            slots,
            page_size: q("PRAGMA page_size")?,
            pages: q("PRAGMA page_count")?,
            schema_version: q("PRAGMA user_version")? as u32,
        })
    }

    /// Changes the key slots (the caller checks who may): the new digest is recorded as pending,
    /// the file replaced, then the digest made current.
    fn change_slots(
        &self,
        change: impl FnOnce(&mut KeySlots, &DbKey) -> std::result::Result<(), KeySlotError>,
        operator: &str,
    ) -> Result<()> {
        let key = self.key.as_ref().ok_or_else(not_encrypted)?;
        let mut slots = load_slots_file(&self.path)?;
        change(&mut slots, key).map_err(|e| slot_error(&self.path, operator, e))?;
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![DIGEST_NEXT, digest_hex(&slots)],
            )
            .map_err(|e| self.sql_err(e))?;
        save_slots_file(&self.path, &slots)?;
        record_digest(self.conn(), &slots).map_err(|e| self.sql_err(e))
    }

    /// Gives `operator` a key slot with `passphrase` (`users add` on an encrypted database).
    pub fn add_key_slot(
        &self,
        operator: &str,
        passphrase: &Passphrase,
        kdf: KdfParams,
    ) -> Result<()> {
        self.change_slots(
            |s, key| {
                s.add_slot(key, operator, passphrase.as_str(), kdf)
                    .map(|_| ())
            },
            operator,
        )
    }

    /// Replaces `operator`'s slot with one under a new passphrase (`users passwd`).
    pub fn set_key_passphrase(
        &self,
        operator: &str,
        passphrase: &Passphrase,
        kdf: KdfParams,
    ) -> Result<()> {
        self.change_slots(
            |s, key| s.set_passphrase(key, operator, passphrase.as_str(), kdf),
            operator,
        )
    }

    /// Removes `operator`'s slot (`users disable`): they can no longer unlock the database.
    pub fn remove_key_slot(&self, operator: &str) -> Result<()> {
        self.change_slots(|s, _| s.remove_slot(operator).map(|_| ()), operator)
    }

    /// `db rekey`: a new random database key. The file is re-encrypted in place (one
    /// transaction through a rollback journal); the slots under the new key are written to
    /// `<db>.keys.new` first and renamed over `<db>.keys` after, and an open that finds the old
    /// file no longer fits tries the new one, so a kill at any step locks nobody out.
    /// `slots` are the new slots, made by the caller with [`KeySlots::create`]'s key through
    /// `make_slots`.
    pub fn rekey(
        &mut self,
        make_slots: impl FnOnce(&DbKey) -> std::result::Result<KeySlots, KeySlotError>,
    ) -> Result<()> {
        if self.key.is_none() {
            return Err(not_encrypted());
        }
        let new_key = DbKey::generate().map_err(|e| slot_error(&self.path, "", e))?;
        let slots = make_slots(&new_key).map_err(|e| slot_error(&self.path, "", e))?;
        let next = next_slots_path(&self.path);
        save_to(&next, &slots)?;
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![DIGEST_NEXT, digest_hex(&slots)],
            )
            .map_err(|e| self.sql_err(e))?;
        cipher::rekey(self.conn(), &new_key).map_err(|e| self.sql_err(e.into()))?;
        self.key = Some(new_key);
        std::fs::rename(&next, slots_path(&self.path)).map_err(|e| StoreError::Io {
            path: next.clone(),
            source: e,
        })?;
        record_digest(self.conn(), &slots).map_err(|e| self.sql_err(e))
    }
}

/// When `<db>.keys` does not open the database but `<db>.keys.new` does (a `db rekey` killed
/// after re-encrypting, before renaming), the new file takes the old one's place.
pub(super) fn recover_rekey(db: &Path) -> bool {
    let next = next_slots_path(db);
    next.exists() && std::fs::rename(&next, slots_path(db)).is_ok()
}

/// Removes a stale `<db>.keys.new` (a `db rekey` killed before re-encrypting).
pub(super) fn drop_stale_rekey(db: &Path) {
    let _ = std::fs::remove_file(next_slots_path(db));
}

fn not_encrypted() -> StoreError {
    StoreError::Invalid(
        "암호화되지 않은 데이터베이스입니다 (the database is plain): 먼저 `dolbom db encrypt`"
            .into(),
    )
}

/// `db encrypt`: turns the plain database at `db` into an encrypted one with `slots`' key,
/// atomically. The slot file is written first (harmless beside a plain file); the plain file's
/// WAL is folded in and removed; `VACUUM INTO` a keyed URI writes the encrypted copy
/// (`<db>.encrypting`; no plain copy reaches the disk), the slots' digest is recorded in it, it
/// is fsynced and renamed over the plain file. A kill at any point leaves either the plain file
/// or the encrypted one, each with every row.
pub fn encrypt_file(db: &Path, slots: &KeySlots, key: &DbKey) -> Result<()> {
    let tmp = with_suffix(db, ".encrypting");
    let err = |e: rusqlite::Error| sql_err(db, e);
    for stale in [
        tmp.clone(),
        with_suffix(&tmp, "-wal"),
        with_suffix(&tmp, "-shm"),
    ] {
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::Io {
                    path: stale,
                    source: e,
                });
            }
        }
    }
    save_slots_file(db, slots)?;
    {
        let conn = cipher::connect(db, OpenFlags::SQLITE_OPEN_READ_WRITE, None)
            .map_err(|e| err(e.into()))?;
        conn.busy_timeout(super::BUSY_TIMEOUT).map_err(err)?;
        // Fold the WAL into the file and drop it: a plain WAL left beside the encrypted file
        // would be replayed into it.
        conn.pragma_update(None, "journal_mode", "DELETE")
            .map_err(err)?;
        let uri = format!(
            "{}?cipher={}&key={}",
            cipher::file_uri(&tmp, false),
            crate::crypto::CIPHER,
            key.raw_key_string().as_str()
        );
        conn.execute("VACUUM INTO ?1", [uri.as_str()])
            .map_err(err)?;
    }
    {
        let conn = cipher::connect(&tmp, OpenFlags::SQLITE_OPEN_READ_WRITE, Some(key))
            .map_err(|e| sql_err(&tmp, e.into()))?;
        record_digest(&conn, slots).map_err(|e| sql_err(&tmp, e))?;
    }
    crate::files::make_private(&tmp).map_err(|e| StoreError::Io {
        path: tmp.clone(),
        source: e,
    })?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Io {
            path: tmp.clone(),
            source: e,
        })?;
    std::fs::rename(&tmp, db).map_err(|e| StoreError::Io {
        path: tmp.clone(),
        source: e,
    })?;
    #[cfg(unix)]
    if let Some(dir) = db.parent()
        && let Ok(d) = std::fs::File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = d.sync_all();
    }
    Ok(())
}
