//! Data the timeline pane, the 오늘 pane and the CLI work with. Plain data, no I/O.

pub use crate::model::{CaseFilter, CaseHeader, CaseRow, ReferralView};
use crate::model::{Entry, EntryKind, Stage};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The data key of a follow-up marker on a correction: `{"follow_up": {"done": "YYYY-MM-DD"}}`
/// or `{"follow_up": {"moved": "YYYY-MM-DD"}}` (the date it was due).
pub const FOLLOW_UP: &str = "follow_up";

/// One entry of the timeline with its corrections (append-only: the original never changes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineItem {
    pub original: Entry,
    /// Corrections of `original`, oldest first. The last one is the current version.
    pub corrections: Vec<Entry>,
}

impl TimelineItem {
    /// The version to show: the latest correction, else the original.
    pub fn current(&self) -> &Entry {
        self.corrections.last().unwrap_or(&self.original)
    }
    /// Whether any correction exists (shown as "정정됨").
    pub fn is_corrected(&self) -> bool {
        !self.corrections.is_empty()
    }
    /// Whether the latest correction voids the entry (shown struck through, with the reason).
    pub fn is_voided(&self) -> bool {
        self.corrections.last().is_some_and(|c| c.voids)
    }
    /// The text to show: the current version's body (for a voided entry, the original's text;
    /// see [`TimelineItem::void_reason`]).
    pub fn text(&self) -> &str {
        if self.is_voided() {
            self.corrections
                .iter()
                .rev()
                .find(|c| !c.voids)
                .map_or(&self.original.body, |c| &c.body)
        } else {
            &self.current().body
        }
    }
    /// Why the entry was voided.
    pub fn void_reason(&self) -> Option<&str> {
        self.corrections
            .last()
            .filter(|c| c.voids)
            .map(|c| c.body.as_str())
    }
    /// The open follow-up date of the current version (none once voided).
    pub fn due_on(&self) -> Option<&str> {
        if self.is_voided() {
            None
        } else {
            self.current().due_on.as_deref()
        }
    }
    /// The day the follow-up was marked done, if the current version says so.
    pub fn follow_up_done(&self) -> Option<&str> {
        self.current()
            .data
            .get(FOLLOW_UP)
            .and_then(|m| m.get("done"))
            .and_then(|d| d.as_str())
    }
    /// Whether a correction changed the text or the date (not only a follow-up marker).
    pub fn is_edited(&self) -> bool {
        self.corrections
            .iter()
            .any(|c| c.voids || c.data.get(FOLLOW_UP).is_none())
    }
    /// Every version, oldest first (the history shown on demand).
    pub fn history(&self) -> impl Iterator<Item = &Entry> {
        std::iter::once(&self.original).chain(self.corrections.iter())
    }
}

/// A stage the case went through, with the day it entered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageStep {
    pub stage: Stage,
    /// `YYYY-MM-DD`.
    pub on: String,
    /// Reason recorded with the move (out-of-order, closure, 재개), if any.
    pub reason: Option<String>,
}

/// Everything the timeline pane shows for one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub header: CaseHeader,
    /// Entries oldest first; corrections are folded into their original.
    pub items: Vec<TimelineItem>,
    pub referrals: Vec<ReferralView>,
}

impl Timeline {
    /// Stages with dates: the opening stage on `opened_on`, then one step per stage change.
    pub fn stage_history(&self) -> Vec<StageStep> {
        let case = &self.header.case;
        let changes: Vec<&TimelineItem> = self
            .items
            .iter()
            .filter(|i| i.original.kind == EntryKind::StageChange && !i.is_voided())
            .collect();
        let first = changes
            .first()
            .and_then(|i| i.original.data.get("from"))
            .and_then(|v| v.as_str())
            .and_then(Stage::parse)
            .unwrap_or(case.stage);
        let mut steps = vec![StageStep {
            stage: first,
            on: case.opened_on.clone(),
            reason: None,
        }];
        for item in changes {
            let e = item.current();
            let Some(to) = e
                .data
                .get("to")
                .and_then(|v| v.as_str())
                .and_then(Stage::parse)
            else {
                continue;
            };
            let reason = e
                .data
                .get("reason")
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(String::from);
            steps.push(StageStep {
                stage: to,
                on: e.at.get(..10).unwrap_or(&e.at).to_string(),
                reason,
            });
        }
        steps
    }
}

/// Kind-specific content of a new entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryData {
    /// 초기상담, 방문, 전화, 내방, 모니터링, 메모.
    Plain,
    /// 욕구·위기도 조사: a 1–5 score for every domain of [`super::rules::CRISIS_DOMAINS`].
    Assessment { scores: BTreeMap<String, i64> },
    /// 사례회의.
    Conference { attendees: Vec<String> },
    /// 서비스 제공계획.
    Plan {
        goals: Vec<String>,
        services: Vec<String>,
    },
    /// 연계: creates a referral (status 의뢰) to this resource.
    Referral { resource_id: String },
}

/// A new timeline entry; author and time come from the store's operator and clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub body: String,
    pub due_on: Option<NaiveDate>,
    pub data: EntryData,
}

impl NewEntry {
    /// A plain entry (방문, 전화, 메모 …).
    pub fn plain(kind: EntryKind, body: impl Into<String>) -> Self {
        NewEntry {
            kind,
            body: body.into(),
            due_on: None,
            data: EntryData::Plain,
        }
    }
    /// The same entry with a follow-up date.
    pub fn due(mut self, on: NaiveDate) -> Self {
        self.due_on = Some(on);
        self
    }
}

/// Errors of timeline operations.
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Rule(#[from] super::rules::RuleError),
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}
