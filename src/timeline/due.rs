//! What is due: follow-ups, guide deadlines, quiet cases, 사후관리, waiting referrals.
//!
//! The store gathers *facts* (dates, latest contacts) with indexed queries; the pure functions
//! here apply the rules for a given `today`, so every rule is testable with a fixed date.
//!
//! Every rule yields a [`DueItem`] with the day it became due (`due`); an item is listed once
//! `due <= today`, and `days_over = today - due` (0 = due today, > 0 = overdue).
//!
//! - **Follow-up** (후속 조치): the current version of an entry with a `due_on` date (a voided entry
//!   has none) on an open case is *open* unless a contact entry (초기상담, 방문, 전화, 내방, 조사,
//!   모니터링 — originals, not corrections) was written strictly after it. Open follow-ups due
//!   today or earlier are listed.
//! - **Guide deadlines** (업무안내 기한), from the day the case entered a stage (its latest
//!   stage-change entry into it; the opening day if there is none): 접수 → 조사 10 days (while in
//!   접수), 사례회의 → 구분 5 days (while in 사례회의), 선정 → 계획 15 days (while in 선정), and
//!   접수 → 계획 30 days in all (while anywhere from 접수 to 선정).
//! - **No contact** (장기 미접촉): a case in 모니터링 whose latest contact (or opening day, if none)
//!   is 30 or more days ago.
//! - **사후관리**: a closed case (종결/사후관리) whose 사후관리 date has come and that has had no
//!   contact on or after that date.
//! - **Waiting referral** (연계 대기): a referral still in 의뢰 14 or more days after it was made.

use crate::clock::parse_date;
pub use crate::model::{
    CaseRef, ContactFact, FollowUpFact, ReferralFact, Scope, StageFact, TodayFacts,
};
use crate::model::{EntryKind, Stage};
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// Days a guide deadline allows: 접수 → 조사.
pub const INTAKE_TO_ASSESSMENT_DAYS: i64 = 10;
/// 사례회의 → 대상자 구분.
pub const CONFERENCE_TO_SELECTION_DAYS: i64 = 5;
/// 대상자 구분·선정 → 서비스 제공계획.
pub const SELECTION_TO_PLANNING_DAYS: i64 = 15;
/// 접수 → 서비스 제공계획, in all.
pub const INTAKE_TO_PLANNING_DAYS: i64 = 30;
/// 모니터링 without contact for this many days is listed.
pub const QUIET_DAYS: i64 = 30;
/// A referral in 의뢰 for this many days is listed.
pub const REFERRAL_WAIT_DAYS: i64 = 14;
/// Weeks in the entries-per-week chart.
pub const CHART_WEEKS: usize = 12;

/// Guide deadlines (업무안내 기한).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeadlineRule {
    IntakeToAssessment,
    ConferenceToSelection,
    SelectionToPlanning,
    IntakeToPlanning,
}

impl DeadlineRule {
    pub const ALL: [DeadlineRule; 4] = [
        DeadlineRule::IntakeToAssessment,
        DeadlineRule::ConferenceToSelection,
        DeadlineRule::SelectionToPlanning,
        DeadlineRule::IntakeToPlanning,
    ];

    /// Days allowed.
    pub fn days(self) -> i64 {
        match self {
            DeadlineRule::IntakeToAssessment => INTAKE_TO_ASSESSMENT_DAYS,
            DeadlineRule::ConferenceToSelection => CONFERENCE_TO_SELECTION_DAYS,
            DeadlineRule::SelectionToPlanning => SELECTION_TO_PLANNING_DAYS,
            DeadlineRule::IntakeToPlanning => INTAKE_TO_PLANNING_DAYS,
        }
    }

    /// The stage whose entry starts the clock.
    pub fn from(self) -> Stage {
        match self {
            DeadlineRule::IntakeToAssessment | DeadlineRule::IntakeToPlanning => Stage::Intake,
            DeadlineRule::ConferenceToSelection => Stage::Conference,
            DeadlineRule::SelectionToPlanning => Stage::Selection,
        }
    }

    /// Whether the rule runs while the case is in `stage`.
    pub fn applies_in(self, stage: Stage) -> bool {
        match self {
            DeadlineRule::IntakeToPlanning => matches!(
                stage,
                Stage::Intake | Stage::Assessment | Stage::Conference | Stage::Selection
            ),
            other => stage == other.from(),
        }
    }

    /// UI label, e.g. `접수→조사 10일`.
    pub fn label(self) -> &'static str {
        match self {
            DeadlineRule::IntakeToAssessment => "접수→조사 10일",
            DeadlineRule::ConferenceToSelection => "회의→구분 5일",
            DeadlineRule::SelectionToPlanning => "선정→계획 15일",
            DeadlineRule::IntakeToPlanning => "접수→계획 30일",
        }
    }
}

/// Which rule made an item due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DueKind {
    /// An entry's follow-up date.
    FollowUp {
        entry_id: String,
        kind: EntryKind,
    },
    Deadline(DeadlineRule),
    NoContact,
    Aftercare,
    ReferralWaiting {
        referral_id: String,
    },
}

/// One line of the 오늘 pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub case: CaseRef,
    pub kind: DueKind,
    /// The day the clock started (entry written, stage entered, last contact, requested…).
    pub since: NaiveDate,
    /// The day it became due.
    pub due: NaiveDate,
    /// `today - due`: 0 = due today, > 0 = overdue.
    pub days_over: i64,
    /// Short text (the entry's first line, the resource's name …).
    pub detail: String,
}

impl DueItem {
    pub fn is_overdue(&self) -> bool {
        self.days_over > 0
    }
}

fn item(
    case: &CaseRef,
    kind: DueKind,
    since: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
    detail: String,
) -> Option<DueItem> {
    (due <= today).then(|| DueItem {
        case: case.clone(),
        kind,
        since,
        due,
        days_over: (today - due).num_days(),
        detail,
    })
}

fn date_of(stamp: &str) -> Option<NaiveDate> {
    let s = stamp.get(..10).unwrap_or(stamp);
    plain_date(s).or_else(|| parse_date(s))
}

/// `YYYY-MM-DD` read digit by digit: chrono's format-driven parse cost more than the rest of
/// an item, and the 오늘 list for everyone reads two dates for each of thousands of follow-ups.
/// Anything else (or an impossible date, which `parse_date` refuses as well) is left to
/// `parse_date`.
fn plain_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0, 4)?).ok()?, num(5, 7)?, num(8, 10)?)
}

/// A follow-up, if it is still open and due by `today`.
pub fn follow_up(f: &FollowUpFact, today: NaiveDate) -> Option<DueItem> {
    follow_up_owned(f.clone(), today)
}

/// [`follow_up`] taking the fact, whose strings the item keeps (the everyone list has
/// thousands).
fn follow_up_owned(f: FollowUpFact, today: NaiveDate) -> Option<DueItem> {
    let due = date_of(&f.due_on)?;
    let since = date_of(&f.at)?;
    let answered = f.last_contact.as_deref().is_some_and(|c| c > f.at.as_str());
    if answered || due > today {
        return None;
    }
    let mut detail = f.body;
    let first = detail.lines().next().map_or(0, str::len);
    detail.truncate(first);
    Some(DueItem {
        case: f.case,
        kind: DueKind::FollowUp {
            entry_id: f.entry_id,
            kind: f.kind,
        },
        since,
        due,
        days_over: (today - due).num_days(),
        detail,
    })
}

/// Guide deadlines a case has reached by `today`.
pub fn deadlines(f: &StageFact, today: NaiveDate) -> Vec<DueItem> {
    let opened = date_of(&f.opened_on);
    DeadlineRule::ALL
        .into_iter()
        .filter(|r| r.applies_in(f.stage))
        .filter_map(|rule| {
            let entered = f
                .entered
                .iter()
                .filter(|(s, _)| *s == rule.from())
                .filter_map(|(_, on)| date_of(on))
                .max()
                .or(opened)?;
            let due = entered + Duration::days(rule.days());
            item(
                &f.case,
                DueKind::Deadline(rule),
                entered,
                due,
                today,
                rule.label().to_string(),
            )
        })
        .collect()
}

/// A case in 모니터링 with no contact for [`QUIET_DAYS`] or more.
pub fn no_contact(f: &ContactFact, today: NaiveDate) -> Option<DueItem> {
    if f.stage != Stage::Monitoring {
        return None;
    }
    let since = f
        .last_contact
        .as_deref()
        .and_then(date_of)
        .or_else(|| date_of(&f.opened_on))?;
    let due = since + Duration::days(QUIET_DAYS);
    let detail = format!("{}일째 연락 없음", (today - since).num_days());
    item(&f.case, DueKind::NoContact, since, due, today, detail)
}

/// A closed case whose 사후관리 date has come with no contact since.
pub fn aftercare(f: &ContactFact, today: NaiveDate) -> Option<DueItem> {
    if f.stage.is_open() {
        return None;
    }
    let due = f.aftercare_on.as_deref().and_then(date_of)?;
    let contacted = f
        .last_contact
        .as_deref()
        .and_then(date_of)
        .is_some_and(|c| c >= due);
    if contacted {
        return None;
    }
    item(
        &f.case,
        DueKind::Aftercare,
        due,
        due,
        today,
        "사후관리 점검".to_string(),
    )
}

/// A referral still in 의뢰 [`REFERRAL_WAIT_DAYS`] or more days after it was made.
pub fn referral_waiting(f: &ReferralFact, today: NaiveDate) -> Option<DueItem> {
    if f.status != "의뢰" {
        return None;
    }
    let since = date_of(&f.requested_on)?;
    let due = since + Duration::days(REFERRAL_WAIT_DAYS);
    let kind = DueKind::ReferralWaiting {
        referral_id: f.referral_id.clone(),
    };
    item(&f.case, kind, since, due, today, f.resource_name.clone())
}

/// The 오늘 pane's lists, most overdue first within each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Today {
    /// Follow-ups due today.
    pub due_today: Vec<DueItem>,
    /// Follow-ups past their date.
    pub overdue: Vec<DueItem>,
    pub deadlines: Vec<DueItem>,
    pub no_contact: Vec<DueItem>,
    pub aftercare: Vec<DueItem>,
    pub referrals: Vec<DueItem>,
}

impl Today {
    /// Every list with its Korean title, in display order.
    pub fn sections(&self) -> [(&'static str, &[DueItem]); 6] {
        [
            ("오늘 할 일", &self.due_today),
            ("후속 일정 지남", &self.overdue),
            ("업무안내 기한", &self.deadlines),
            ("장기 미접촉 (점검 30일+)", &self.no_contact),
            ("사후관리", &self.aftercare),
            ("연계 대기 (14일+)", &self.referrals),
        ]
    }

    /// Items past due (days_over > 0) across all lists.
    pub fn overdue_count(&self) -> usize {
        self.sections()
            .iter()
            .map(|(_, items)| items.iter().filter(|i| i.is_overdue()).count())
            .sum()
    }
}

fn sorted(mut v: Vec<DueItem>) -> Vec<DueItem> {
    v.sort_by(|a, b| {
        b.days_over
            .cmp(&a.days_over)
            .then_with(|| a.case.case_id.cmp(&b.case.case_id))
    });
    v
}

/// Applies every rule to the facts for `today`.
pub fn compute(facts: &TodayFacts, today: NaiveDate) -> Today {
    compute_owned(facts.clone(), today)
}

/// [`compute`] taking the facts, whose strings the items keep.
pub fn compute_owned(facts: TodayFacts, today: NaiveDate) -> Today {
    let (due_today, overdue): (Vec<_>, Vec<_>) = facts
        .follow_ups
        .into_iter()
        .filter_map(|f| follow_up_owned(f, today))
        .partition(|i| i.days_over == 0);
    Today {
        due_today: sorted(due_today),
        overdue: sorted(overdue),
        deadlines: sorted(
            facts
                .stages
                .iter()
                .flat_map(|f| deadlines(f, today))
                .collect(),
        ),
        no_contact: sorted(
            facts
                .contacts
                .iter()
                .filter_map(|f| no_contact(f, today))
                .collect(),
        ),
        aftercare: sorted(
            facts
                .contacts
                .iter()
                .filter_map(|f| aftercare(f, today))
                .collect(),
        ),
        referrals: sorted(
            facts
                .referrals
                .iter()
                .filter_map(|f| referral_waiting(f, today))
                .collect(),
        ),
    }
}

/// Data for the charts above the 오늘 lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Charts {
    /// Cases in scope per stage, in [`Stage::ALL`] order (zeros included).
    pub by_stage: Vec<(Stage, u64)>,
    /// Entries written per week (by the operator for scope "mine"), oldest first; the last
    /// bucket is the 7 days ending today (see [`week_range`]).
    pub entries_per_week: [u64; CHART_WEEKS],
    /// Overdue items across the 오늘 lists.
    pub overdue: usize,
}

/// The first day counted in the weekly chart.
pub fn chart_start(today: NaiveDate) -> NaiveDate {
    today - Duration::days(7 * CHART_WEEKS as i64 - 1)
}

/// Week `i` (0 = oldest) of the chart as a half-open range of days `[from, to)`; the last week
/// is the 7 days ending today.
pub fn week_range(today: NaiveDate, i: usize) -> (NaiveDate, NaiveDate) {
    let from = chart_start(today) + Duration::days(7 * i as i64);
    (from, from + Duration::days(7))
}

/// Stage counts in [`Stage::ALL`] order, zeros included.
pub fn by_stage(counts: &[(Stage, i64)]) -> Vec<(Stage, u64)> {
    Stage::ALL
        .into_iter()
        .map(|s| {
            let n: i64 = counts.iter().filter(|(c, _)| *c == s).map(|(_, n)| n).sum();
            (s, u64::try_from(n).unwrap_or(0))
        })
        .collect()
}
