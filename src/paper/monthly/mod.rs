//! 월별 실적: the month's figures per worker (담당) and per 동, each defined once in
//! [`DEFINITIONS`] (printed on a sheet of its own so the 구청 can audit them).
//!
//! [`gather`] reads the month's facts through the store's public API; [`compute`] is a pure
//! function of those facts, so a test can feed it a hand-made month.

use super::PaperError;
use super::xlsx::{Table, Value};
use crate::model::{Case, Entry, EntryKind, Stage};
use crate::store::Store;
use crate::timeline::{CaseFilter, TimelineItem};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One figure's code, Korean name and definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Definition {
    pub code: &'static str,
    pub label: &'static str,
    pub definition: &'static str,
}

/// Every figure of the report, defined once. Shared rules: a figure counts a case under its
/// assigned worker (담당) and its resident's 동; voided entries never count, corrections do not
/// count again (the original's time counts); "in the month" means the entry's time (or the
/// case's opening day) falls from the 1st 00:00 to the last day 23:59.
pub const DEFINITIONS: [Definition; 21] = [
    Definition {
        code: "discovered",
        label: "신규 발굴",
        definition: "그 달에 개시된 사례 수 (사례 개시일 기준).",
    },
    Definition {
        code: "intake",
        label: "신규 접수",
        definition: "그 달에 '접수' 단계로 들어간 사례 수 (단계 변경 기록 기준, 사례당 1회).",
    },
    Definition {
        code: "stage_moves",
        label: "단계 이동",
        definition: "그 달에 작성된 단계 변경 기록 수 (종결·재개 포함). 도착 단계별 내역은 '단계 이동' 표.",
    },
    Definition {
        code: "conferences",
        label: "사례회의",
        definition: "그 달에 작성된 사례회의 기록 수.",
    },
    Definition {
        code: "visits",
        label: "방문",
        definition: "그 달에 작성된 방문 기록 수.",
    },
    Definition {
        code: "calls",
        label: "전화",
        definition: "그 달에 작성된 전화 기록 수.",
    },
    Definition {
        code: "office_visits",
        label: "내방",
        definition: "그 달에 작성된 내방 기록 수.",
    },
    Definition {
        code: "referrals",
        label: "연계 의뢰",
        definition: "그 달에 새로 의뢰된 연계 수 (연계 기록 중 상태 변경이 아닌 것). 자원 분야와 월말 결과(그 달 말까지의 마지막 상태)별 내역은 '연계' 표.",
    },
    Definition {
        code: "closures",
        label: "종결",
        definition: "그 달에 종결(또는 진행 중에서 사후관리로 바로 이동)된 단계 변경 수. 종결 사유별 내역은 '종결 사유' 표.",
    },
    Definition {
        code: "aftercare_done",
        label: "사후관리 실시",
        definition: "종결·사후관리 단계에 있는 동안 그 달에 접촉 기록(상담·방문·전화·내방·조사·모니터링)이 있는 사례 수 (사례당 1회).",
    },
    Definition {
        code: "overdue_follow_ups",
        label: "기한 경과 후속조치",
        definition: "월말에 진행 중인 사례에서, 후속 조치 기한이 그 달 말일 이전이고 그 기록 뒤 말일까지 접촉 기록이 없는 기록 수.",
    },
    Definition {
        code: "open_at_end",
        label: "월말 진행 사례",
        definition: "말일 기준 종결·사후관리가 아닌 단계에 있는 사례 수 (말일까지의 단계 변경 기록으로 단계를 정함).",
    },
    Definition {
        code: "by_stage",
        label: "월말 단계별 사례",
        definition: "월말 진행 사례를 말일 기준 단계별로 센 수.",
    },
    Definition {
        code: "by_category",
        label: "대상자 구분별 사례",
        definition: "월말 진행 사례를 대상자 구분(고난도/일반/서비스연계, 미선정은 '미구분')별로 센 수. 구분은 현재 값.",
    },
    Definition {
        code: "referrals_by",
        label: "연계 (분야·결과)",
        definition: "'연계 의뢰'를 자원 분야와 말일까지의 마지막 상태(의뢰·접수·제공 중·완료·거절)별로 센 수.",
    },
    Definition {
        code: "closures_by_reason",
        label: "종결 사유",
        definition: "'종결'을 종결 사유별로 센 수.",
    },
    // 발굴 회차 (see `discovery`): per round, not per worker or 동.
    Definition {
        code: "discovery_total",
        label: "발굴 대상",
        definition: "복지사각지대 발굴 회차의 대상 수. 말일 기준이며, 처리기한(가장 늦은 것)이 그 달 1일 이후인 회차를 모두 싣습니다.",
    },
    Definition {
        code: "discovery_checked",
        label: "발굴 처리",
        definition: "말일까지 처리 결과(지원 연계·비해당·조사 불가·거부·이미 관리 중)가 입력된 대상 수 (처리일 기준).",
    },
    Definition {
        code: "discovery_checked_in_month",
        label: "발굴 처리 (그 달)",
        definition: "처리 결과가 그 달에 입력된 대상 수 (처리일 기준).",
    },
    Definition {
        code: "discovery_overdue",
        label: "발굴 기한 경과",
        definition: "말일까지 처리 결과가 없고 처리기한이 말일 전에 지난 대상 수.",
    },
    Definition {
        code: "discovery_outcomes",
        label: "발굴 처리 결과",
        definition: "말일까지 입력된 처리 결과별 대상 수.",
    },
];

/// The scalar figures in column order: (code, label).
pub const SCALAR_FIGURES: [&str; 12] = [
    "discovered",
    "intake",
    "stage_moves",
    "conferences",
    "visits",
    "calls",
    "office_visits",
    "referrals",
    "closures",
    "aftercare_done",
    "overdue_follow_ups",
    "open_at_end",
];

/// The label of a figure code.
pub fn label(code: &str) -> &'static str {
    DEFINITIONS
        .iter()
        .find(|d| d.code == code)
        .map_or("", |d| d.label)
}

/// The figures of one group (a worker, a 동, or everyone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub discovered: u64,
    pub intake: u64,
    pub stage_moves: u64,
    pub conferences: u64,
    pub visits: u64,
    pub calls: u64,
    pub office_visits: u64,
    pub referrals: u64,
    pub closures: u64,
    pub aftercare_done: u64,
    pub overdue_follow_ups: u64,
    pub open_at_end: u64,
    /// Stage label → cases open at month end.
    pub by_stage: BTreeMap<String, u64>,
    /// 대상자 구분 → cases open at month end.
    pub by_category: BTreeMap<String, u64>,
    /// Stage moves by the stage moved to.
    pub moves_to: BTreeMap<String, u64>,
    /// (자원 분야, 결과) → referrals.
    pub referrals_by: BTreeMap<String, BTreeMap<String, u64>>,
    pub closures_by_reason: BTreeMap<String, u64>,
}

impl Figures {
    /// A scalar figure by code.
    pub fn get(&self, code: &str) -> u64 {
        match code {
            "discovered" => self.discovered,
            "intake" => self.intake,
            "stage_moves" => self.stage_moves,
            "conferences" => self.conferences,
            "visits" => self.visits,
            "calls" => self.calls,
            "office_visits" => self.office_visits,
            "referrals" => self.referrals,
            "closures" => self.closures,
            "aftercare_done" => self.aftercare_done,
            "overdue_follow_ups" => self.overdue_follow_ups,
            "open_at_end" => self.open_at_end,
            _ => 0,
        }
    }

    fn add(&mut self, o: &Figures) {
        self.discovered += o.discovered;
        self.intake += o.intake;
        self.stage_moves += o.stage_moves;
        self.conferences += o.conferences;
        self.visits += o.visits;
        self.calls += o.calls;
        self.office_visits += o.office_visits;
        self.referrals += o.referrals;
        self.closures += o.closures;
        self.aftercare_done += o.aftercare_done;
        self.overdue_follow_ups += o.overdue_follow_ups;
        self.open_at_end += o.open_at_end;
        let merge = |a: &mut BTreeMap<String, u64>, b: &BTreeMap<String, u64>| {
            for (k, v) in b {
                *a.entry(k.clone()).or_default() += v;
            }
        };
        merge(&mut self.by_stage, &o.by_stage);
        merge(&mut self.by_category, &o.by_category);
        merge(&mut self.moves_to, &o.moves_to);
        merge(&mut self.closures_by_reason, &o.closures_by_reason);
        for (cat, m) in &o.referrals_by {
            merge(self.referrals_by.entry(cat.clone()).or_default(), m);
        }
    }
}

/// The report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyReport {
    /// `YYYY-MM`.
    pub month: String,
    pub generated_at: String,
    pub generated_by: String,
    pub by_worker: BTreeMap<String, Figures>,
    pub by_dong: BTreeMap<String, Figures>,
    pub total: Figures,
    pub definitions: Vec<Definition>,
    /// 발굴 회차 at the month's end (`discovery`; filled by [`monthly`]).
    pub discovery: Vec<crate::model::RoundAtMonthEnd>,
}

/// One case's facts for the month.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub case: Case,
    /// The resident's 동.
    pub dong: String,
    /// The case's timeline: every entry with its corrections folded in, oldest first
    /// (`crate::timeline::resolve` of the case's entries).
    pub items: Vec<TimelineItem>,
}

/// What [`compute`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthInput {
    /// First and last day of the month.
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub cases: Vec<CaseFacts>,
    /// Resource id → category.
    pub resource_categories: HashMap<String, String>,
}

/// Parses `YYYY-MM` into the month's first and last day.
pub fn parse_month(s: &str) -> Result<(NaiveDate, NaiveDate), PaperError> {
    let bad = || {
        PaperError::Invalid(format!(
            "월은 YYYY-MM 꼴로 적으세요 (month must be YYYY-MM): {s}"
        ))
    };
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok((first, next.pred_opt().ok_or_else(bad)?))
}

const NO_WORKER: &str = "(담당 없음)";
const NO_DONG: &str = "(동 없음)";
const NO_CATEGORY: &str = "미구분";

/// Whether a case can count in the month `first_s..=last_s` (days): opened by the month's
/// end, and not closed before the month and untouched since.
fn may_count(case: &Case, first_s: &str, last_s: &str) -> bool {
    if case.opened_on.as_str() > last_s {
        return false;
    }
    let closed_before =
        case.closed_on.as_deref().is_some_and(|c| c < first_s) && !case.stage.is_open();
    !(closed_before && case.last_activity.as_str() < first_s)
}

/// Reads the month's facts with two bulk store queries: every live case with its resident's 동
/// (one join), and one scan of the entries table in storage order
/// ([`Store::report_month_entries`]: slim rows, only the entries the month can need, only of
/// cases that may count), grouped by case here and sorted by time as the timeline is. The
/// result gives the same report as [`gather_by_case`] (checked by a test and by the bench).
pub fn gather(store: &Store, month: &str) -> Result<MonthInput, PaperError> {
    let (first, last) = parse_month(month)?;
    let first_s = first.format("%Y-%m-%d").to_string();
    let last_s = last.format("%Y-%m-%d").to_string();
    let resource_categories = store
        .resources()?
        .into_iter()
        .map(|r| (r.resource.id, r.resource.category))
        .collect();
    let mut wanted: Vec<(Case, String)> = store
        .report_cases()?
        .into_iter()
        .filter(|(c, _)| may_count(c, &first_s, &last_s))
        .collect();
    wanted.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let index: HashMap<String, usize> = wanted
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.id.clone(), i))
        .collect();
    // Per case: (hlc, entry) in storage order.
    let mut buckets: Vec<Vec<(i64, Entry)>> = vec![Vec::new(); wanted.len()];
    let slot = std::cell::Cell::new(0usize);
    store.report_month_entries(
        &format!("{last_s} 23:59"),
        |case_id| match index.get(case_id) {
            Some(&i) => {
                slot.set(i);
                true
            }
            None => false,
        },
        |hlc, e| buckets[slot.get()].push((hlc, e)),
    )?;
    let cases = wanted
        .into_iter()
        .zip(buckets)
        .map(|((case, dong), mut entries)| {
            // The timeline's order: time, then the order written (a stable sort keeps storage
            // order for equal stamps, as the case index does).
            entries.sort_by(|a, b| a.1.at.cmp(&b.1.at).then(a.0.cmp(&b.0)));
            let has_corrections = entries.iter().any(|(_, e)| e.corrects.is_some());
            let entries = entries.into_iter().map(|(_, e)| e);
            // With no correction every entry is its own item (what `resolve` gives, without
            // its id index).
            let items = if has_corrections {
                crate::timeline::resolve(entries.collect())
            } else {
                entries
                    .map(|original| TimelineItem {
                        original,
                        corrections: Vec::new(),
                    })
                    .collect()
            };
            CaseFacts { case, dong, items }
        })
        .collect();
    Ok(MonthInput {
        first,
        last,
        cases,
        resource_categories,
    })
}

/// Reads the month's facts through the store's per-case API: one `list_cases` plus three small
/// queries per case (about 9 s over the 100k demo's 25,025 cases). The reference [`gather`] is
/// checked against (same report); not used by the console.
pub fn gather_by_case(store: &Store, month: &str) -> Result<MonthInput, PaperError> {
    let (first, last) = parse_month(month)?;
    let first_s = first.format("%Y-%m-%d").to_string();
    let last_s = last.format("%Y-%m-%d").to_string();
    let resource_categories = store
        .resources()?
        .into_iter()
        .map(|r| (r.resource.id, r.resource.category))
        .collect();
    let mut cases = Vec::new();
    let mut dongs: HashMap<String, String> = HashMap::new();
    for row in store.list_cases(&CaseFilter::default())? {
        let case = store.case_header(&row.id)?.case;
        if !may_count(&case, &first_s, &last_s) {
            continue;
        }
        let dong = match dongs.get(&case.resident_id) {
            Some(d) => d.clone(),
            None => {
                let d = store.case_resident(&case.resident_id)?.dong;
                dongs.insert(case.resident_id.clone(), d.clone());
                d
            }
        };
        let items = crate::timeline::resolve(store.case_entries(&case.id)?);
        cases.push(CaseFacts { case, dong, items });
    }
    Ok(MonthInput {
        first,
        last,
        cases,
        resource_categories,
    })
}

fn stage_of(v: Option<&serde_json::Value>) -> Option<Stage> {
    v.and_then(|v| v.as_str()).and_then(Stage::parse)
}

/// The month's first day, last day and last minute as the store writes them.
struct Bounds {
    first: String,
    last: String,
    end: String,
}

impl Bounds {
    fn of(input: &MonthInput) -> Bounds {
        let last = input.last.format("%Y-%m-%d").to_string();
        Bounds {
            first: input.first.format("%Y-%m-%d").to_string(),
            end: format!("{last} 23:59"),
            last,
        }
    }
}

/// The month's figures for one case.
fn case_figures(c: &CaseFacts, input: &MonthInput, bounds: &Bounds) -> Figures {
    let mut f = Figures::default();
    let Bounds { first, last, end } = bounds;
    let in_month = |at: &str| at >= first.as_str() && at <= end.as_str();
    let case = &c.case;
    if case.opened_on.as_str() > last.as_str() {
        return f;
    }
    if case.opened_on >= *first && case.opened_on <= *last {
        f.discovered = 1;
    }
    let items: Vec<&TimelineItem> = c.items.iter().filter(|i| !i.is_voided()).collect();

    // The stage before the first change, then each change in time order.
    let first_change = items
        .iter()
        .find(|i| i.original.kind == EntryKind::StageChange);
    let mut stage = match first_change {
        Some(i) => {
            let d = &i.current().data;
            stage_of(d.get("from"))
                .or_else(|| stage_of(d.get("to")))
                .unwrap_or(case.stage)
        }
        None => case.stage,
    };
    let mut intake = false;
    let mut aftercare = false;
    let mut referral_status: HashMap<String, (String, bool, String)> = HashMap::new();
    for i in &items {
        let at = i.original.at.as_str();
        if at > end.as_str() {
            break;
        }
        let e = i.current();
        let month = in_month(at);
        match i.original.kind {
            EntryKind::StageChange => {
                let to = stage_of(e.data.get("to"));
                let from = stage_of(e.data.get("from")).unwrap_or(stage);
                if month {
                    f.stage_moves += 1;
                    if let Some(to) = to {
                        *f.moves_to.entry(to.label().to_string()).or_default() += 1;
                        if to == Stage::Intake {
                            intake = true;
                        }
                        if from.is_open() && !to.is_open() {
                            f.closures += 1;
                            let reason = e
                                .data
                                .get("closure_reason")
                                .and_then(|v| v.as_str())
                                .or_else(|| {
                                    e.data
                                        .get("reason")
                                        .and_then(|v| v.as_str())
                                        .map(|r| r.split(':').next().unwrap_or(r).trim())
                                })
                                .filter(|r| !r.is_empty())
                                .or(case.closure_reason.as_deref())
                                .unwrap_or("기타");
                            *f.closures_by_reason.entry(reason.to_string()).or_default() += 1;
                        }
                    }
                }
                if let Some(to) = to {
                    stage = to;
                }
            }
            EntryKind::Conference if month => f.conferences += 1,
            EntryKind::Visit if month => f.visits += 1,
            EntryKind::Call if month => f.calls += 1,
            EntryKind::OfficeVisit if month => f.office_visits += 1,
            EntryKind::Referral => {
                if let Some(id) = e.data.get("referral_id").and_then(|v| v.as_str()) {
                    let status = e
                        .data
                        .get("status")
                        .and_then(|v| v.as_str())
                        .unwrap_or("의뢰")
                        .to_string();
                    let created = e.data.get("from").is_none();
                    let resource = e
                        .data
                        .get("resource_id")
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    let slot = referral_status
                        .entry(id.to_string())
                        .or_insert_with(|| (status.clone(), false, resource.clone()));
                    slot.0 = status;
                    if created && month {
                        slot.1 = true;
                    }
                }
            }
            _ => {}
        }
        if month && i.original.kind.is_contact() && !stage.is_open() {
            aftercare = true;
        }
    }
    if intake {
        f.intake = 1;
    }
    if aftercare {
        f.aftercare_done = 1;
    }
    for (status, new_in_month, resource) in referral_status.into_values() {
        if new_in_month {
            f.referrals += 1;
            let cat = input
                .resource_categories
                .get(&resource)
                .cloned()
                .unwrap_or_else(|| "기타".to_string());
            *f.referrals_by
                .entry(cat)
                .or_default()
                .entry(status)
                .or_default() += 1;
        }
    }
    if stage.is_open() {
        f.open_at_end = 1;
        *f.by_stage.entry(stage.label().to_string()).or_default() += 1;
        let cat = if case.category.trim().is_empty() {
            NO_CATEGORY.to_string()
        } else {
            case.category.clone()
        };
        *f.by_category.entry(cat).or_default() += 1;
        // Follow-ups due by the last day with no contact after them by the month's end.
        let contacts: Vec<&str> = items
            .iter()
            .filter(|i| i.original.kind.is_contact() && i.original.at.as_str() <= end.as_str())
            .map(|i| i.original.at.as_str())
            .collect();
        for i in &items {
            let at = i.original.at.as_str();
            if at > end.as_str() {
                break;
            }
            let Some(due) = i.due_on() else { continue };
            if due > last.as_str() {
                continue;
            }
            if !contacts.iter().any(|c| *c > at) {
                f.overdue_follow_ups += 1;
            }
        }
    }
    f
}

/// Computes the report from a month's facts.
pub fn compute(input: &MonthInput, generated_at: &str, generated_by: &str) -> MonthlyReport {
    let mut by_worker: BTreeMap<String, Figures> = BTreeMap::new();
    let mut by_dong: BTreeMap<String, Figures> = BTreeMap::new();
    let mut total = Figures::default();
    let bounds = Bounds::of(input);
    for c in &input.cases {
        let f = case_figures(c, input, &bounds);
        if f == Figures::default() {
            continue;
        }
        let worker = if c.case.worker.trim().is_empty() {
            NO_WORKER
        } else {
            c.case.worker.as_str()
        };
        let dong = if c.dong.trim().is_empty() {
            NO_DONG
        } else {
            c.dong.as_str()
        };
        by_worker.entry(worker.to_string()).or_default().add(&f);
        by_dong.entry(dong.to_string()).or_default().add(&f);
        total.add(&f);
    }
    MonthlyReport {
        month: format!("{:04}-{:02}", input.first.year(), input.first.month()),
        generated_at: generated_at.to_string(),
        generated_by: generated_by.to_string(),
        by_worker,
        by_dong,
        total,
        definitions: DEFINITIONS.to_vec(),
        discovery: Vec::new(),
    }
}

/// Gathers and computes the report of `month` (`YYYY-MM`).
pub fn monthly(store: &Store, month: &str) -> Result<MonthlyReport, PaperError> {
    let input = gather(store, month)?;
    let at = store.clock().now().format("%Y-%m-%d %H:%M").to_string();
    let mut report = compute(&input, &at, store.operator());
    report.discovery = discovery_rounds(store, input.first, input.last)?;
    Ok(report)
}

mod discovery;
mod output;
pub use discovery::*;
pub use output::*;
