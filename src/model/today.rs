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

/// A row of the 오늘 follow-up list as the store reads it, borrowed from the statement: the
/// everyone list has thousands, and an item keeps only the strings it shows (see
/// `timeline::due::follow_up_row`).
#[derive(Debug, Clone, Copy)]
pub struct FollowUpRow<'a> {
    pub case_id: &'a str,
    pub resident_name: &'a str,
    pub worker: &'a str,
    pub entry_id: &'a str,
    pub kind: EntryKind,
    pub at: &'a str,
    pub due_on: &'a str,
    /// As [`FollowUpFact::body`]: up to and including the first line break.
    pub body: &'a str,
    pub last_contact: Option<&'a str>,
}

impl FollowUpFact {
    /// The fact as the store's borrowed row.
    pub fn as_row(&self) -> FollowUpRow<'_> {
        FollowUpRow {
            case_id: &self.case.case_id,
            resident_name: &self.case.resident_name,
            worker: &self.case.worker,
            entry_id: &self.entry_id,
            kind: self.kind,
            at: &self.at,
            due_on: &self.due_on,
            body: &self.body,
            last_contact: self.last_contact.as_deref(),
        }
    }
}

/// A case in a stage with guide deadlines, borrowed from the statement; `stage_changes` as
/// `case_today` keeps them (`day=stage,…`).
#[derive(Debug, Clone, Copy)]
pub struct StageRow<'a> {
    pub case_id: &'a str,
    pub resident_name: &'a str,
    pub worker: &'a str,
    pub stage: Stage,
    pub opened_on: &'a str,
    pub stage_changes: &'a str,
}

/// A case's latest contact, borrowed from the statement (see [`ContactFact`]).
#[derive(Debug, Clone, Copy)]
pub struct ContactRow<'a> {
    pub case_id: &'a str,
    pub resident_name: &'a str,
    pub worker: &'a str,
    pub stage: Stage,
    pub opened_on: &'a str,
    pub aftercare_on: Option<&'a str>,
    pub last_contact: Option<&'a str>,
}

impl ContactFact {
    /// The fact as the store's borrowed row.
    pub fn as_row(&self) -> ContactRow<'_> {
        ContactRow {
            case_id: &self.case.case_id,
            resident_name: &self.case.resident_name,
            worker: &self.case.worker,
            stage: self.stage,
            opened_on: &self.opened_on,
            aftercare_on: self.aftercare_on.as_deref(),
            last_contact: self.last_contact.as_deref(),
        }
    }
}

impl CaseRef {
    /// A case reference from borrowed columns.
    pub fn from_strs(case_id: &str, resident_name: &str, worker: &str) -> CaseRef {
        CaseRef {
            case_id: case_id.to_owned(),
            resident_name: resident_name.to_owned(),
            worker: worker.to_owned(),
        }
    }
}
