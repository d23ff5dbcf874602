//! Retention and destruction (파기; 개인정보보호법 제21조): closed cases are kept for a period
//! per case kind (default [`DEFAULT_YEARS`] years after 종결), then listed for an admin's
//! review and destroyed on their word.
//!
//! - [`due`]: the cases past their period, with the resident's name masked for showing;
//! - [`purge`]: destroys them (admin only): rows, op-log copies, conflict copies and migration
//!   backups; a resident with another case that stays is kept; a non-identifying line per case
//!   stays for statistics, and the audit row. The purge travels to peers as a purge op
//!   (`crate::sync`), which they apply to their own copies and which older ops cannot undo.
//!
//! Storage (every statement, the purge transaction) is in `store::retention`.

pub use crate::store::retention::{DEFAULT_YEARS, DueCase, PurgeReport, RetentionPolicy};

use crate::audit::Event;
use crate::model::AuditAction;
use crate::privacy::mask_name;
use crate::store::{Result, Store};

/// One line of the review list, for the CLI and the TUI (name masked, dates, kind, 동).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueLine {
    #[serde(flatten)]
    pub case: DueCase,
    /// The resident's name, masked (`김*수`).
    pub resident: String,
}

impl DueLine {
    /// `김*수  사례관리 일반  보라매동  종결 2020-01-31 → 파기 2025-01-31  (주민 유지)`
    pub fn text(&self) -> String {
        let kept = if self.case.resident_kept {
            "  (다른 사례가 있어 주민 정보 유지)"
        } else {
            ""
        };
        format!(
            "{}  {}  {}  종결 {} → 보존 기한 {}{kept}",
            self.resident,
            if self.case.category.is_empty() {
                "-"
            } else {
                &self.case.category
            },
            if self.case.dong.is_empty() {
                "-"
            } else {
                &self.case.dong
            },
            self.case
                .closed_on
                .get(..10)
                .unwrap_or(&self.case.closed_on),
            self.case.due_on
        )
    }
}

/// The closed cases past their retention period as of the store's today (admin only; the
/// review is audited as a view of how many, never of whom).
pub fn due(store: &Store) -> Result<Vec<DueLine>> {
    store.require_admin("retention list")?;
    let cases = store.retention_due(store.clock().today())?;
    store.audit(&Event {
        action: AuditAction::View,
        resident_id: None,
        subject: "retention list",
        detail: &format!("cases={}", cases.len()),
    })?;
    Ok(lines(cases))
}

/// The review lines of `cases` (names masked).
pub fn lines(cases: Vec<DueCase>) -> Vec<DueLine> {
    cases
        .into_iter()
        .map(|case| DueLine {
            resident: mask_name(&case.resident_name),
            case,
        })
        .collect()
}

/// Destroys the cases past their period (admin only). See the module notes.
pub fn purge(store: &mut Store) -> Result<PurgeReport> {
    let today = store.clock().today();
    store.retention_purge(today)
}
