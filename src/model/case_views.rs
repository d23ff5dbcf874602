//! Read models of cases: a case with its resident's name, a line of the case list, a
//! referral with its resource's name, and the case-list filter. Plain data, no I/O.

use super::{Case, Referral, Stage};
use chrono::NaiveDate;
use serde::Serialize;

/// A case with its resident's name (the pane header).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseHeader {
    pub case: Case,
    pub resident_name: String,
}

impl CaseHeader {
    /// Days since the case was opened (to its closing day if closed).
    pub fn days_open(&self, today: NaiveDate) -> i64 {
        let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let end = self
            .case
            .closed_on
            .as_deref()
            .and_then(parse)
            .unwrap_or(today);
        parse(&self.case.opened_on).map_or(0, |o| (end - o).num_days().max(0))
    }
}

/// A referral with the resource's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralView {
    pub referral: Referral,
    pub resource_name: String,
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub id: String,
    pub resident_id: String,
    pub resident_name: String,
    pub stage: Stage,
    pub worker: String,
    pub category: String,
    pub entry_count: i64,
    /// `YYYY-MM-DD HH:MM` of the latest contact entry (방문, 전화, 내방, 상담, 조사, 모니터링).
    pub last_contact: Option<String>,
    /// `YYYY-MM-DD HH:MM` of the latest entry.
    pub last_activity: String,
}

/// Filters for the case list; empty filter lists every case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub resident: Option<String>,
    pub stage: Option<Stage>,
    pub worker: Option<String>,
    pub limit: Option<usize>,
}
