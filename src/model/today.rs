//! The facts the 오늘 lists are computed from (gathered by the store with indexed queries;
//! the rules that turn them into due items live in `timeline::due`). Plain data, no I/O.

use super::{EntryKind, Stage};
use serde::Serialize;

/// Whose cases: the operator's (assigned worker) or everyone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    Mine,
    All,
}

/// Which case an item is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRef {
    pub case_id: String,
    pub resident_name: String,
    pub worker: String,
}

/// A follow-up candidate: the current version of an entry with a due date, and its case's
/// latest contact (`YYYY-MM-DD HH:MM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpFact {
    pub case: CaseRef,
    pub entry_id: String,
    pub kind: EntryKind,
    pub at: String,
    pub due_on: String,
    /// The body up to and including its first line break (the whole body if it has none):
    /// all the list shows, read from an index.
    pub body: String,
    pub last_contact: Option<String>,
}

/// A case in a stage with guide deadlines, with the days it entered stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFact {
    pub case: CaseRef,
    pub stage: Stage,
    pub opened_on: String,
    /// `(stage, YYYY-MM-DD)` for every (unvoided) stage change into `stage`.
    pub entered: Vec<(Stage, String)>,
}

/// A case's latest contact (for no-contact and 사후관리).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFact {
    pub case: CaseRef,
    pub stage: Stage,
    pub opened_on: String,
    pub aftercare_on: Option<String>,
    pub last_contact: Option<String>,
}

/// A referral and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFact {
    pub case: CaseRef,
    pub referral_id: String,
    pub resource_name: String,
    pub status: String,
    pub requested_on: String,
}

/// Everything the store gathered for the 오늘 pane.
#[derive(Debug, Clone, Default)]
pub struct TodayFacts {
    pub follow_ups: Vec<FollowUpFact>,
    pub stages: Vec<StageFact>,
    pub contacts: Vec<ContactFact>,
    pub referrals: Vec<ReferralFact>,
}
