//! Bookkeeping of shared-folder sync (`crate::sync::folder`): enrolling a team's PC (its
//! signing key trusted, its age key stored) and small `meta` records of what a folder pass did
//! (this site's last exported seq, the bundles applied per peer). The op log itself stays the
//! truth of what is held: a record here only saves work and names a replay.

use super::{Actor, append_audit};
use crate::model::AuditAction;
use crate::store::audit::Event;
use crate::store::{Result, Store};
use rusqlite::{OptionalExtension, params};

/// Prefix of every `meta` key written here.
const PREFIX: &str = "folder.";
/// The setting naming the shared folder (`meta` key `setting.sync_folder`).
pub const SYNC_FOLDER: &str = "sync_folder";
/// The setting of how often the TUI passes, in seconds (`meta` key `setting.sync_folder_every`).
pub const SYNC_FOLDER_EVERY: &str = "sync_folder_every";

impl Store {
    /// Enrols a team PC: `site_id` becomes a trusted peer whose bundles are accepted when signed
    /// by `signer` (`ed25519:…`), and to whose `recipient` (`age1…`) folder bundles are encrypted.
    /// Admin only (trusting a site is); audited. The caller checks the key texts parse.
    pub fn enrol_peer(
        &self,
        site_id: &str,
        name: Option<&str>,
        recipient: &str,
        signer: &str,
    ) -> Result<()> {
        self.require_admin("sync team add")?;
        let at = self.clock().stamp();
        let who = Actor {
            operator: self.operator(),
            host: self.host(),
            at: &at,
        };
        let subject = format!("site:{site_id}");
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        (|| -> rusqlite::Result<()> {
            tx.execute(
                "INSERT INTO sync_peers (site_id, name, sign_key, age_recipient, trusted)
                 VALUES (?1, coalesce(?2, ''), ?3, ?4, 1)
                 ON CONFLICT (site_id) DO UPDATE SET sign_key = excluded.sign_key,
                     age_recipient = excluded.age_recipient, trusted = 1,
                     name = CASE WHEN coalesce(?2, '') <> '' THEN ?2 ELSE name END",
                params![
                    site_id,
                    name.filter(|n| !n.trim().is_empty()),
                    signer,
                    recipient
                ],
            )?;
            append_audit(
                &tx,
                &who,
                &Event {
                    action: AuditAction::Create,
                    resident_id: None,
                    subject: &subject,
                    detail: "팀 PC 등록 (enrolled for folder sync)",
                },
            )
        })()
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))
    }

    /// Removes a PC from the team (a stolen laptop, a PC handed back): its bundles are no longer
    /// accepted and new bundles are not encrypted to it; compaction stops waiting for it. Admin
    /// only; audited. Returns false when the site was not a peer.
    pub fn unenrol_peer(&self, site_id: &str) -> Result<bool> {
        self.require_admin("sync team remove")?;
        let at = self.clock().stamp();
        let who = Actor {
            operator: self.operator(),
            host: self.host(),
            at: &at,
        };
        let subject = format!("site:{site_id}");
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        let changed = (|| -> rusqlite::Result<usize> {
            let n = tx.execute(
                "UPDATE sync_peers SET trusted = 0, age_recipient = NULL WHERE site_id = ?1",
                [site_id],
            )?;
            if n > 0 {
                append_audit(
                    &tx,
                    &who,
                    &Event {
                        action: AuditAction::Delete,
                        resident_id: None,
                        subject: &subject,
                        detail: "팀 PC 등록 해제 (removed from folder sync)",
                    },
                )?;
            }
            Ok(n)
        })()
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))?;
        Ok(changed > 0)
    }

    /// The shared folder this PC syncs through (`meta` `setting.sync_folder`), if set.
    /// An empty value (cleared in the TUI) is no folder.
    pub fn sync_folder(&self) -> Result<Option<String>> {
        Ok(self.setting(SYNC_FOLDER)?.filter(|p| !p.trim().is_empty()))
    }

    /// Remembers the shared folder (a setting of this PC, so any operator may set it); audited.
    /// An empty `path` clears it.
    pub fn set_sync_folder(&self, path: &str) -> Result<()> {
        let detail = if path.is_empty() {
            "공유 폴더 동기화 해제 (shared folder cleared)"
        } else {
            "공유 폴더 동기화 설정 (shared folder set)"
        };
        self.set_pc_setting(SYNC_FOLDER, path, detail)
    }

    /// How often the TUI passes (seconds), if set.
    pub fn sync_folder_every(&self) -> Result<Option<u64>> {
        Ok(self
            .setting(SYNC_FOLDER_EVERY)?
            .and_then(|v| v.trim().parse().ok()))
    }

    /// Remembers how often the TUI passes (seconds; a setting of this PC); audited.
    pub fn set_sync_folder_every(&self, secs: u64) -> Result<()> {
        self.set_pc_setting(
            SYNC_FOLDER_EVERY,
            &secs.to_string(),
            "공유 폴더 동기화 주기 (shared folder interval)",
        )
    }

    /// A setting of this PC (not the centre's: any operator may set it); audited.
    fn set_pc_setting(&self, key: &str, value: &str, detail: &str) -> Result<()> {
        let at = self.clock().stamp();
        let who = Actor {
            operator: self.operator(),
            host: self.host(),
            at: &at,
        };
        let subject = format!("setting:{key}");
        let tx = self
            .conn()
            .unchecked_transaction()
            .map_err(|e| self.sql_err(e))?;
        (|| -> rusqlite::Result<()> {
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![format!("setting.{key}"), value],
            )?;
            append_audit(
                &tx,
                &who,
                &Event {
                    action: AuditAction::Update,
                    resident_id: None,
                    subject: &subject,
                    detail,
                },
            )
        })()
        .map_err(|e| self.sql_err(e))?;
        tx.commit().map_err(|e| self.sql_err(e))
    }

    /// A folder-sync record (`meta` key `folder.KEY`), if written.
    pub fn folder_record(&self, key: &str) -> Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [format!("{PREFIX}{key}")],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql_err(e))
    }

    /// Writes a folder-sync record (bookkeeping, not a centre setting: not audited).
    pub fn set_folder_record(&self, key: &str, value: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![format!("{PREFIX}{key}"), value],
            )
            .map(drop)
            .map_err(|e| self.sql_err(e))
    }
}
