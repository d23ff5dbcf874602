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
    CaseRef, ContactFact, ContactRow, FollowUpFact, FollowUpRow, ReferralFact, Scope, StageFact,
    StageRow, TodayFacts,
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

/// Where the rules put their items: each comes with its `days_over` and case first, and is
/// built only if the sink takes it (a page of the everyone lists keeps a few hundred of the
/// tens of thousands due; see [`TodayBuilder::paged`]).
trait Sink {
    fn offer(&mut self, days_over: i64, case_id: &str, make: &mut dyn FnMut() -> DueItem);
}

impl Sink for Vec<DueItem> {
    fn offer(&mut self, _: i64, _: &str, make: &mut dyn FnMut() -> DueItem) {
        self.push(make());
    }
}

/// The one item of a rule that yields at most one.
impl Sink for Option<DueItem> {
    fn offer(&mut self, _: i64, _: &str, make: &mut dyn FnMut() -> DueItem) {
        *self = Some(make());
    }
}

/// The item, if it is due by `today`, offered to `out`; its case, kind and detail are built
/// only if taken.
#[allow(clippy::too_many_arguments)]
fn offer(
    out: &mut dyn Sink,
    case_id: &str,
    case: &dyn Fn() -> CaseRef,
    kind: &dyn Fn() -> DueKind,
    since: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
    detail: &dyn Fn() -> String,
) {
    if due > today {
        return;
    }
    let days_over = (today - due).num_days();
    out.offer(days_over, case_id, &mut || DueItem {
        case: case(),
        kind: kind(),
        since,
        due,
        days_over,
        detail: detail(),
    });
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
    follow_up_row(&f.as_row(), today)
}

/// [`follow_up`] on the store's borrowed row: the item copies only the strings it keeps (the
/// everyone list has thousands).
pub fn follow_up_row(f: &FollowUpRow<'_>, today: NaiveDate) -> Option<DueItem> {
    let mut out = None;
    follow_up_into(f, today, &mut out);
    out
}

fn follow_up_into(f: &FollowUpRow<'_>, today: NaiveDate, out: &mut dyn Sink) {
    let (Some(due), Some(since)) = (date_of(f.due_on), date_of(f.at)) else {
        return;
    };
    let answered = f.last_contact.is_some_and(|c| c > f.at);
    if answered {
        return;
    }
    offer(
        out,
        f.case_id,
        &|| CaseRef::from_strs(f.case_id, f.resident_name, f.worker),
        &|| DueKind::FollowUp {
            entry_id: f.entry_id.to_owned(),
            kind: f.kind,
        },
        since,
        due,
        today,
        &|| f.body.lines().next().unwrap_or("").to_owned(),
    );
}

/// Guide deadlines a case has reached by `today`.
pub fn deadlines(f: &StageFact, today: NaiveDate) -> Vec<DueItem> {
    let mut out = Vec::new();
    deadlines_fact_into(f, today, &mut out);
    out
}

fn deadlines_fact_into(f: &StageFact, today: NaiveDate, out: &mut dyn Sink) {
    deadlines_with(
        f.stage,
        &f.case.case_id,
        &f.opened_on,
        |from| {
            f.entered
                .iter()
                .filter(|(s, _)| *s == from)
                .filter_map(|(_, on)| date_of(on))
                .max()
        },
        &|| f.case.clone(),
        today,
        out,
    );
}

/// [`deadlines`] on the store's borrowed row, appended to `out`; the stage changes are read
/// in place (`day=stage,…`).
pub fn deadlines_row(f: &StageRow<'_>, today: NaiveDate, out: &mut Vec<DueItem>) {
    deadlines_row_into(f, today, out);
}

fn deadlines_row_into(f: &StageRow<'_>, today: NaiveDate, out: &mut dyn Sink) {
    deadlines_with(
        f.stage,
        f.case_id,
        f.opened_on,
        |from| {
            f.stage_changes
                .split(',')
                .filter_map(|p| {
                    let (on, to) = p.split_once('=')?;
                    if Stage::parse(to)? == from {
                        date_of(on)
                    } else {
                        None
                    }
                })
                .max()
        },
        &|| CaseRef::from_strs(f.case_id, f.resident_name, f.worker),
        today,
        out,
    );
}

/// The rules of [`deadlines`]: `entered(stage)` is the latest day the case entered `stage`.
#[allow(clippy::too_many_arguments)]
fn deadlines_with(
    stage: Stage,
    case_id: &str,
    opened_on: &str,
    entered: impl Fn(Stage) -> Option<NaiveDate>,
    case: &dyn Fn() -> CaseRef,
    today: NaiveDate,
    out: &mut dyn Sink,
) {
    let opened = date_of(opened_on);
    for rule in DeadlineRule::ALL {
        if !rule.applies_in(stage) {
            continue;
        }
        let Some(entered) = entered(rule.from()).or(opened) else {
            continue;
        };
        let due = entered + Duration::days(rule.days());
        offer(
            out,
            case_id,
            case,
            &|| DueKind::Deadline(rule),
            entered,
            due,
            today,
            &|| rule.label().to_string(),
        );
    }
}

/// A case in 모니터링 with no contact for [`QUIET_DAYS`] or more.
pub fn no_contact(f: &ContactFact, today: NaiveDate) -> Option<DueItem> {
    no_contact_row(&f.as_row(), today)
}

/// [`no_contact`] on the store's borrowed row.
pub fn no_contact_row(f: &ContactRow<'_>, today: NaiveDate) -> Option<DueItem> {
    let mut out = None;
    no_contact_into(f, today, &mut out);
    out
}

fn no_contact_into(f: &ContactRow<'_>, today: NaiveDate, out: &mut dyn Sink) {
    if f.stage != Stage::Monitoring {
        return;
    }
    let Some(since) = f
        .last_contact
        .and_then(date_of)
        .or_else(|| date_of(f.opened_on))
    else {
        return;
    };
    let due = since + Duration::days(QUIET_DAYS);
    offer(
        out,
        f.case_id,
        &|| row_case(f),
        &|| DueKind::NoContact,
        since,
        due,
        today,
        &|| format!("{}일째 연락 없음", (today - since).num_days()),
    );
}

/// A closed case whose 사후관리 date has come with no contact since.
pub fn aftercare(f: &ContactFact, today: NaiveDate) -> Option<DueItem> {
    aftercare_row(&f.as_row(), today)
}

/// [`aftercare`] on the store's borrowed row.
pub fn aftercare_row(f: &ContactRow<'_>, today: NaiveDate) -> Option<DueItem> {
    let mut out = None;
    aftercare_into(f, today, &mut out);
    out
}

fn aftercare_into(f: &ContactRow<'_>, today: NaiveDate, out: &mut dyn Sink) {
    if f.stage.is_open() {
        return;
    }
    let Some(due) = f.aftercare_on.and_then(date_of) else {
        return;
    };
    let contacted = f.last_contact.and_then(date_of).is_some_and(|c| c >= due);
    if contacted {
        return;
    }
    offer(
        out,
        f.case_id,
        &|| row_case(f),
        &|| DueKind::Aftercare,
        due,
        due,
        today,
        &|| "사후관리 점검".to_string(),
    );
}

fn row_case(f: &ContactRow<'_>) -> CaseRef {
    CaseRef::from_strs(f.case_id, f.resident_name, f.worker)
}

/// A referral still in 의뢰 [`REFERRAL_WAIT_DAYS`] or more days after it was made.
pub fn referral_waiting(f: &ReferralFact, today: NaiveDate) -> Option<DueItem> {
    let mut out = None;
    referral_into(f, today, &mut out);
    out
}

fn referral_into(f: &ReferralFact, today: NaiveDate, out: &mut dyn Sink) {
    if f.status != "의뢰" {
        return;
    }
    let Some(since) = date_of(&f.requested_on) else {
        return;
    };
    let due = since + Duration::days(REFERRAL_WAIT_DAYS);
    offer(
        out,
        &f.case.case_id,
        &|| f.case.clone(),
        &|| DueKind::ReferralWaiting {
            referral_id: f.referral_id.clone(),
        },
        since,
        due,
        today,
        &|| f.resource_name.clone(),
    );
}

/// Items per list the 오늘 pane shows (a few screenfuls): for everyone at a 시 of a million
/// residents the lists run to tens of thousands, which nobody scrolls; the pane says how many
/// more there are, and the export (`x`) writes them all (see `timeline::ops::today_page`).
pub const SHOWN_PER_SECTION: usize = 200;

/// How many items a list has in all, and how many of them are overdue (`days_over > 0`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SectionCount {
    pub items: usize,
    pub overdue: usize,
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
    /// Per list, in [`Today::sections`] order: its items in all. A full load holds every item
    /// (then `items` is the list's length); a page (`timeline::ops::today_page`) the first of
    /// each list, and these say how many there are.
    pub counts: [SectionCount; 6],
}

/// The lists' titles, in display order.
const TITLES: [&str; 6] = [
    "오늘 할 일",
    "후속 일정 지남",
    "업무안내 기한",
    "장기 미접촉 (점검 30일+)",
    "사후관리",
    "연계 대기 (14일+)",
];

impl Today {
    /// Every list with its Korean title, in display order.
    pub fn sections(&self) -> [(&'static str, &[DueItem]); 6] {
        let lists: [&[DueItem]; 6] = [
            &self.due_today,
            &self.overdue,
            &self.deadlines,
            &self.no_contact,
            &self.aftercare,
            &self.referrals,
        ];
        let mut i = 0;
        lists.map(|l| {
            i += 1;
            (TITLES[i - 1], l)
        })
    }

    /// [`Today::sections`], taking the lists, each with its count (more than its length when
    /// this is a page).
    pub fn into_sections(self) -> [(&'static str, Vec<DueItem>, SectionCount); 6] {
        let lists = [
            self.due_today,
            self.overdue,
            self.deadlines,
            self.no_contact,
            self.aftercare,
            self.referrals,
        ];
        let mut i = 0;
        lists.map(|l| {
            i += 1;
            (TITLES[i - 1], l, self.counts[i - 1])
        })
    }

    /// Items past due (days_over > 0) across all lists (those of a page not shown included).
    pub fn overdue_count(&self) -> usize {
        self.counts.iter().map(|c| c.overdue).sum()
    }

    /// Whether some list holds fewer items than it has (a page).
    pub fn is_partial(&self) -> bool {
        self.sections()
            .iter()
            .zip(self.counts)
            .any(|((_, l), c)| l.len() < c.items)
    }
}

/// Most overdue first, then by case.
fn sort(v: &mut [DueItem]) {
    v.sort_by(|a, b| {
        b.days_over
            .cmp(&a.days_over)
            .then_with(|| a.case.case_id.cmp(&b.case.case_id))
    });
}

/// Applies every rule to the facts for `today`.
pub fn compute(facts: &TodayFacts, today: NaiveDate) -> Today {
    let mut b = TodayBuilder::new(today);
    facts
        .follow_ups
        .iter()
        .for_each(|f| b.follow_up(&f.as_row()));
    facts.stages.iter().for_each(|f| b.stage_fact(f));
    facts.contacts.iter().for_each(|f| b.contact(&f.as_row()));
    facts.referrals.iter().for_each(|f| b.referral(f));
    b.finish()
}

/// One list being built: every item, or (a page) the first `cap` in the list's order, kept
/// sorted as they come; the count covers them all.
#[derive(Debug, Default)]
struct Section {
    items: Vec<DueItem>,
    count: SectionCount,
    cap: Option<usize>,
}

impl Sink for Section {
    fn offer(&mut self, days_over: i64, case_id: &str, make: &mut dyn FnMut() -> DueItem) {
        self.count.items += 1;
        if days_over > 0 {
            self.count.overdue += 1;
        }
        let Some(cap) = self.cap else {
            self.items.push(make());
            return;
        };
        // After every item that sorts before it or with it: a stable sort of every item,
        // in the order they came, then cut to `cap`.
        let at = self.items.partition_point(|i| {
            (std::cmp::Reverse(i.days_over), i.case.case_id.as_str())
                <= (std::cmp::Reverse(days_over), case_id)
        });
        if at < cap {
            self.items.insert(at, make());
            self.items.truncate(cap);
        }
    }
}

/// The follow-up lists: due today, or past their date.
struct FollowUps<'a>(&'a mut [Section]);

impl Sink for FollowUps<'_> {
    fn offer(&mut self, days_over: i64, case_id: &str, make: &mut dyn FnMut() -> DueItem) {
        let i = usize::from(days_over > 0);
        self.0[i].offer(days_over, case_id, make);
    }
}

/// Builds the 오늘 lists from the store's rows as they are read (see
/// `timeline::ops::today_at`): each row is borrowed, and an item copies only the strings it
/// keeps, so the everyone lists (thousands of items) cost little more than their reading. A
/// page ([`TodayBuilder::paged`]) builds only the items it keeps.
pub struct TodayBuilder {
    today: NaiveDate,
    /// due today, overdue, deadlines, no contact, aftercare, referrals.
    lists: [Section; 6],
}

impl TodayBuilder {
    pub fn new(today: NaiveDate) -> Self {
        TodayBuilder {
            today,
            lists: Default::default(),
        }
    }

    /// Keeps the first `cap` items of each list (in its order) and counts the rest.
    pub fn paged(today: NaiveDate, cap: usize) -> Self {
        let mut b = TodayBuilder::new(today);
        for l in &mut b.lists {
            l.cap = Some(cap);
        }
        b
    }

    pub fn follow_up(&mut self, f: &FollowUpRow<'_>) {
        follow_up_into(f, self.today, &mut FollowUps(&mut self.lists[..2]));
    }

    /// The follow-up lists' counts, when the rows handed to [`TodayBuilder::follow_up`] were
    /// only their first ones (the store counts the rest): `due_today` items due today,
    /// `overdue` past their date. Call after the rows.
    pub fn follow_up_counts(&mut self, due_today: usize, overdue: usize) {
        self.lists[0].count = SectionCount {
            items: due_today,
            overdue: 0,
        };
        self.lists[1].count = SectionCount {
            items: overdue,
            overdue,
        };
    }

    pub fn stage(&mut self, f: &StageRow<'_>) {
        deadlines_row_into(f, self.today, &mut self.lists[2]);
    }

    fn stage_fact(&mut self, f: &StageFact) {
        deadlines_fact_into(f, self.today, &mut self.lists[2]);
    }

    pub fn contact(&mut self, f: &ContactRow<'_>) {
        no_contact_into(f, self.today, &mut self.lists[3]);
        aftercare_into(f, self.today, &mut self.lists[4]);
    }

    pub fn referral(&mut self, f: &ReferralFact) {
        referral_into(f, self.today, &mut self.lists[5]);
    }

    /// The lists, most overdue first within each (then by case; the follow-ups come in that
    /// order already, and a page's lists are kept in it, so their sort only checks it).
    pub fn finish(self) -> Today {
        let [a, b, c, d, e, f] = self.lists.map(|mut l| {
            sort(&mut l.items);
            (l.items, l.count)
        });
        Today {
            counts: [a.1, b.1, c.1, d.1, e.1, f.1],
            due_today: a.0,
            overdue: b.0,
            deadlines: c.0,
            no_contact: d.0,
            aftercare: e.0,
            referrals: f.0,
        }
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
