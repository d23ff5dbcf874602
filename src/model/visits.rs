//! 방문 계획 (issue #16 item 6): a planned visit as lists and the week view show it.

use serde::Serialize;

/// Where a planned visit is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VisitSource {
    /// A `visit_plan` entry on this case's timeline (the plan's id is the entry's root id).
    Case { case_id: String },
    /// A 발굴 row without a case (the plan's id is the row's id).
    Discovery,
}

/// One planned visit, current version (a reschedule shows its new day; a cancelled plan is
/// not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedVisit {
    /// The plan's root entry id, or the 발굴 row id.
    pub id: String,
    pub source: VisitSource,
    /// `YYYY-MM-DD`.
    pub on: String,
    /// `HH:MM`, or empty when no time was set.
    pub time: String,
    pub purpose: String,
    /// Who planned it (the operator who wrote the current version).
    pub planner: String,
    /// The case's worker (empty for a 발굴 row).
    pub worker: String,
    pub resident_id: Option<String>,
    pub name: String,
    pub dong: String,
    pub address: String,
    pub phone: Option<String>,
    /// A 방문 entry records it (`data.plan_id`), or the 발굴 row has its outcome.
    pub done: bool,
}

impl PlannedVisit {
    /// Whether `operator` planned it or holds the case.
    pub fn is_for(&self, operator: &str) -> bool {
        self.planner == operator || self.worker == operator
    }

    /// The case it belongs to, if any.
    pub fn case_id(&self) -> Option<&str> {
        match &self.source {
            VisitSource::Case { case_id } => Some(case_id),
            VisitSource::Discovery => None,
        }
    }
}
