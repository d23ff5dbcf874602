//! Read records (issue #20 item 2; 개인정보의 안전성 확보조치 기준 §8 접속기록): every listing of
//! residents — `dolbom search`, `timeline --list`, their exports, the TUI's search results, case
//! list and 오늘 lists — leaves one audit row (조회) with the query or filter and how many
//! residents were shown, never the results themselves.
//!
//! A headless read that would show more residents than the bulk-read limit (`meta`
//! `bulk_read_limit`, default [`DEFAULT_BULK_READ_LIMIT`]; `dolbom audit limit N` sets it) is a
//! *bulk read*: it is served only with a reason, recorded as subject `bulk-read:VIEW` with the
//! reason; without one it is refused and the refusal recorded (거부, `bulk-read:VIEW`).
//! `dolbom audit summary` counts them per operator ([`Store::read_summary`]).

use super::audit::Event;
use super::{Result, Store, StoreError};
use crate::model::AuditAction;
use rusqlite::{OptionalExtension, params};

/// Residents one headless command may show without `--reason`.
pub const DEFAULT_BULK_READ_LIMIT: usize = 500;

/// `meta` key of the limit.
const LIMIT_KEY: &str = "bulk_read_limit";

/// Longest query or reason text kept in a record (characters).
const MAX_TEXT: usize = 120;

/// One read of personal data.
#[derive(Debug, Clone, Copy)]
pub struct Read<'a> {
    /// What showed it: `search`, `timeline-list`, `tui:search`, `tui:cases`, `tui:today` …
    pub view: &'a str,
    /// The query and filters as the person gave them (a name typed into search is recorded:
    /// it says whom they looked for).
    pub query: &'a str,
    /// How many residents were shown.
    pub residents: usize,
    /// Why, for a bulk read.
    pub reason: Option<&'a str>,
}

/// Text as recorded: one line, no 주민등록번호, at most [`MAX_TEXT`] characters.
fn clean(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let masked = crate::privacy::mask_rrn_like(one_line.trim());
    let mut out: String = masked.chars().take(MAX_TEXT).collect();
    if masked.chars().count() > MAX_TEXT {
        out.push('…');
    }
    out
}

/// The detail of a read record: `주민 12명 · 조건 "김민수" · 사유 "…"`.
fn detail(r: &Read<'_>) -> String {
    let mut d = format!("주민 {}명 · 조건 \"{}\"", r.residents, clean(r.query));
    if let Some(reason) = r.reason {
        d.push_str(&format!(" · 사유 \"{}\"", clean(reason)));
    }
    d
}

/// The number of residents a record's detail names (`주민 N명 …`).
fn residents_of(detail: &str) -> u64 {
    detail
        .strip_prefix("주민 ")
        .and_then(|d| d.split('명').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Bulk reads per operator for `dolbom audit summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReadSummary {
    pub operator: String,
    /// Listings recorded (bulk ones included).
    pub reads: u64,
    /// Residents shown by them in all.
    pub residents_shown: u64,
    /// Reads above the limit, served with a reason.
    pub bulk_reads: u64,
    /// Bulk reads refused for want of a reason.
    pub refused: u64,
}

impl Store {
    /// The bulk-read limit (`meta` `bulk_read_limit`; [`DEFAULT_BULK_READ_LIMIT`] if unset).
    pub fn bulk_read_limit(&self) -> Result<usize> {
        let v: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [LIMIT_KEY], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql_err(e))?;
        Ok(v.and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_BULK_READ_LIMIT))
    }

    /// Sets the bulk-read limit (admin only) and records the change.
    pub fn set_bulk_read_limit(&self, limit: usize) -> Result<()> {
        if self.role() != super::Role::Admin {
            return Err(StoreError::Invalid(
                "대량 조회 기준은 관리자만 바꿀 수 있습니다 (admin only)".into(),
            ));
        }
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![LIMIT_KEY, limit.to_string()],
            )
            .map_err(|e| self.sql_err(e))?;
        self.audit(&Event {
            action: AuditAction::Update,
            resident_id: None,
            subject: "setting:bulk_read_limit",
            detail: &format!("대량 조회 기준 {limit}명"),
        })
    }

    /// Whether a read of `residents` needs a reason.
    pub fn is_bulk_read(&self, residents: usize) -> Result<bool> {
        Ok(residents > self.bulk_read_limit()?)
    }

    /// Records a read (조회): `read:VIEW`, or `bulk-read:VIEW` when it is above the limit.
    pub fn record_read(&self, r: &Read<'_>) -> Result<()> {
        let subject = if self.is_bulk_read(r.residents)? {
            format!("bulk-read:{}", r.view)
        } else {
            format!("read:{}", r.view)
        };
        self.audit(&Event {
            action: AuditAction::View,
            resident_id: None,
            subject: &subject,
            detail: &detail(r),
        })
    }

    /// Records a bulk read refused for want of a reason (거부, `bulk-read:VIEW`).
    pub fn record_refused_read(&self, r: &Read<'_>) -> Result<()> {
        let limit = self.bulk_read_limit()?;
        self.audit(&Event {
            action: AuditAction::Denied,
            resident_id: None,
            subject: &format!("bulk-read:{}", r.view),
            detail: &format!("{} · 기준 {limit}명 초과, 사유 없음", detail(r)),
        })
    }

    /// Reads per operator in `month` (`YYYY-MM`), by name.
    pub fn read_summary(&self, month: &str) -> Result<Vec<ReadSummary>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT operator, action, subject, detail FROM audit_log
                 WHERE substr(at, 1, 7) = ?1
                   AND (subject LIKE 'read:%' OR subject LIKE 'bulk-read:%')
                 ORDER BY operator",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows = stmt
            .query_map([month], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql_err(e))?;
        let mut out: Vec<ReadSummary> = Vec::new();
        for (operator, action, subject, detail) in rows {
            if out.last().is_none_or(|s| s.operator != operator) {
                out.push(ReadSummary {
                    operator: operator.clone(),
                    ..ReadSummary::default()
                });
            }
            let Some(s) = out.last_mut() else { continue };
            let bulk = subject.starts_with("bulk-read:");
            if action == AuditAction::Denied.label() {
                s.refused += u64::from(bulk);
                continue;
            }
            s.reads += 1;
            s.residents_shown += residents_of(&detail);
            s.bulk_reads += u64::from(bulk);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_keep_no_rrn_and_parse_back() {
        let r = Read {
            view: "search",
            query: "김민수\n500302-1234567",
            residents: 12,
            reason: Some("연말 일제조사"),
        };
        let d = detail(&r);
        assert_eq!(
            d,
            "주민 12명 · 조건 \"김민수 500302-1******\" · 사유 \"연말 일제조사\""
        );
        assert_eq!(residents_of(&d), 12);
        assert!(clean(&"가".repeat(500)).chars().count() <= MAX_TEXT + 1);
    }
}
