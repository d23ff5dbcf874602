//! 방문 계획 (issue #16 item 6): planning a visit, moving or cancelling it, recording it done,
//! and the week and day views.
//!
//! A plan on a case is a `visit_plan` entry (append-only like every entry, synced the same
//! way): `data` holds `on` (`YYYY-MM-DD`), `time` (`HH:MM` or empty), `purpose` and `place`
//! (the resident's address when planned). A reschedule is a correction carrying the new day; a
//! cancel voids the plan (the existing correction mechanism). The visit itself is the ordinary
//! 방문 entry, linked by `data.plan_id`, which shows the plan 완료; a plan is never a contact.
//!
//! A 발굴 row whose person has no case (a candidate, not yet a resident with a case) carries its
//! plan on the row itself (`visit_on`, `visit_time`, `visit_purpose`, `visit_by`; synced per
//! field): promoting the candidate first would open a case for everyone on the list before
//! anyone has met them. A row whose resident has an open case plans on that case. Answering
//! the row (처리 결과) shows its visit 완료.

use super::ops::{Ctx, entry_text, new_id};
use super::types::TimelineError;
use crate::audit::Event;
use crate::model::{AuditAction, Entry, EntryKind, PlannedVisit, Scope};
use crate::store::{Store, Val};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde_json::json;
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, TimelineError>;

/// Longest 목적 kept (characters).
pub const MAX_PURPOSE: usize = 200;

/// What a person types for a plan, checked by [`VisitInput::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitInput {
    pub on: NaiveDate,
    /// `HH:MM`, or empty.
    pub time: String,
    pub purpose: String,
}

/// Which field of the plan form a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitField {
    Date,
    Time,
    Purpose,
}

/// A refused plan: the field and a Korean message naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitInputError {
    pub field: VisitField,
    pub message: String,
}

impl std::fmt::Display for VisitInputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn input_err(field: VisitField, message: impl Into<String>) -> VisitInputError {
    VisitInputError {
        field,
        message: message.into(),
    }
}

/// `YYYY-MM-DD`, `YYYY.MM.DD`, `YYYYMMDD`, or `MM-DD` (this year).
pub fn parse_date(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    let t = s.trim().replace(['.', '/'], "-");
    let t = t.trim_end_matches('-');
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y%m%d"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&format!("{}-{t}", today.year()), "%Y-%m-%d").ok())
}

/// `HH:MM`, `H:MM`, `HHMM` or `HH` (24-hour) → `HH:MM`; empty stays empty.
pub fn parse_time(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return Some(String::new());
    }
    let parsed = NaiveTime::parse_from_str(t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H%M"))
        .or_else(|_| NaiveTime::parse_from_str(&format!("{t}:00"), "%H:%M"))
        .ok()?;
    Some(parsed.format("%H:%M").to_string())
}

impl VisitInput {
    /// Checks typed values: the day is a date not before `today`, the time a 24-hour time (or
    /// empty), the 목적 given and not too long.
    pub fn parse(
        date: &str,
        time: &str,
        purpose: &str,
        today: NaiveDate,
    ) -> std::result::Result<VisitInput, VisitInputError> {
        let on = parse_date(date, today).ok_or_else(|| {
            input_err(
                VisitField::Date,
                format!(
                    "방문일: '{}'은(는) 날짜가 아닙니다 (예: 2026-12-01)",
                    date.trim()
                ),
            )
        })?;
        if on < today {
            return Err(input_err(
                VisitField::Date,
                "방문일: 오늘이나 그 뒤여야 합니다",
            ));
        }
        let time = parse_time(time).ok_or_else(|| {
            input_err(
                VisitField::Time,
                format!("시간: '{}'은(는) 시각이 아닙니다 (예: 14:30)", time.trim()),
            )
        })?;
        let purpose = crate::privacy::terminal_line(purpose.trim())
            .trim()
            .to_string();
        if purpose.is_empty() {
            return Err(input_err(
                VisitField::Purpose,
                "목적: 방문 목적을 입력하세요",
            ));
        }
        if purpose.chars().count() > MAX_PURPOSE {
            return Err(input_err(
                VisitField::Purpose,
                format!("목적: {MAX_PURPOSE}자 이내로 입력하세요"),
            ));
        }
        Ok(VisitInput { on, time, purpose })
    }

    fn day(&self) -> String {
        self.on.format("%Y-%m-%d").to_string()
    }

    fn body(&self) -> String {
        let when = if self.time.is_empty() {
            self.day()
        } else {
            format!("{} {}", self.day(), self.time)
        };
        entry_text(&format!("방문 예정 {when} — {}", self.purpose))
    }
}

fn invalid(msg: impl Into<String>) -> TimelineError {
    TimelineError::Invalid(msg.into())
}

/// Plans a visit on a case: a `visit_plan` entry (audited as 입력, synced like every entry).
pub fn plan(store: &mut Store, case_id: &str, input: &VisitInput) -> Result<Entry> {
    let resident_id = store.case_header(case_id)?.case.resident_id;
    let place = store.case_resident(&resident_id)?.address;
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(case_id)?;
    let entry = Entry {
        id: new_id(),
        case_id: case_id.to_string(),
        kind: EntryKind::VisitPlan,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body: input.body(),
        due_on: None,
        data: json!({
            "on": input.day(),
            "time": input.time,
            "purpose": input.purpose,
            "place": place,
        }),
        corrects: None,
        voids: false,
    };
    ctx.record(
        &mut tx,
        &entry,
        case_id,
        &header.case.resident_id,
        AuditAction::Create,
        &format!("case:{case_id}"),
        &format!("entry:{} visit_plan {}", entry.id, input.day()),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// The root plan entry of `plan_id` (a plan or any of its corrections) and its current version.
fn current_plan(store: &Store, plan_id: &str) -> Result<(Entry, Entry)> {
    let e = store.entry(plan_id)?;
    let root = match &e.corrects {
        Some(r) => store.entry(r)?,
        None => e,
    };
    if root.kind != EntryKind::VisitPlan {
        return Err(invalid(format!(
            "방문 계획이 아닙니다 ({} 기록)",
            root.kind.label()
        )));
    }
    let items = super::resolve(store.case_entries(&root.case_id)?);
    let item = items
        .into_iter()
        .find(|i| i.original.id == root.id)
        .ok_or_else(|| invalid("방문 계획을 찾을 수 없습니다"))?;
    if item.is_voided() {
        return Err(invalid("취소된 방문 계획입니다"));
    }
    let current = item.current().clone();
    Ok((item.original, current))
}

/// Moves a plan to another day, time or 목적: a correction of the plan entry (the original
/// stays). Audited as 변경.
pub fn reschedule(store: &mut Store, plan_id: &str, input: &VisitInput) -> Result<Entry> {
    let (root, current) = current_plan(store, plan_id)?;
    if store.visit_plan_done(&root.id)? {
        return Err(invalid(
            "이미 다녀온 방문입니다 (완료된 계획은 바꿀 수 없습니다)",
        ));
    }
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(&root.case_id)?;
    let mut data = current.data.clone();
    if !data.is_object() {
        data = json!({});
    }
    data["on"] = input.day().into();
    data["time"] = input.time.clone().into();
    data["purpose"] = input.purpose.clone().into();
    data["moved_from"] = crate::store::visits::plan_field(&current, "on").into();
    let entry = Entry {
        id: new_id(),
        case_id: root.case_id.clone(),
        kind: EntryKind::VisitPlan,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body: input.body(),
        due_on: None,
        data,
        corrects: Some(root.id.clone()),
        voids: false,
    };
    ctx.record(
        &mut tx,
        &entry,
        &root.case_id,
        &header.case.resident_id,
        AuditAction::Update,
        &format!("case:{}", root.case_id),
        &format!(
            "correct:{} → {} visit_plan {}",
            root.id,
            entry.id,
            input.day()
        ),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// Cancels a plan: voids it with `reason` (the existing correction mechanism).
pub fn cancel(store: &mut Store, plan_id: &str, reason: &str) -> Result<Entry> {
    let (root, _) = current_plan(store, plan_id)?;
    super::void_entry(store, &root.id, reason)
}

/// Records the visit of plan `plan_id` as done: the ordinary 방문 entry with `body`, linked by
/// `data.plan_id` (a contact, counted in the 월별 실적 like every 방문). Audited as 입력.
pub fn complete(store: &mut Store, plan_id: &str, body: &str) -> Result<Entry> {
    let (root, current) = current_plan(store, plan_id)?;
    if store.visit_plan_done(&root.id)? {
        return Err(invalid("이미 완료로 기록된 방문입니다"));
    }
    let body = if body.trim().is_empty() {
        format!(
            "방문 ({})",
            crate::store::visits::plan_field(&current, "purpose")
        )
    } else {
        body.to_string()
    };
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(&root.case_id)?;
    let entry = Entry {
        id: new_id(),
        case_id: root.case_id.clone(),
        kind: EntryKind::Visit,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body: entry_text(&body),
        due_on: None,
        data: json!({ "plan_id": root.id }),
        corrects: None,
        voids: false,
    };
    ctx.record(
        &mut tx,
        &entry,
        &root.case_id,
        &header.case.resident_id,
        AuditAction::Create,
        &format!("case:{}", root.case_id),
        &format!("entry:{} visit plan={}", entry.id, root.id),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// What planning from a 발굴 row did.
#[derive(Debug, Clone, PartialEq)]
pub enum DiscoveryPlan {
    /// The row's resident has an open case: the plan is an entry on it.
    OnCase(Box<Entry>),
    /// A candidate without a case: the plan is on the row.
    OnRow,
}

/// Plans a visit for a 발굴 row: on the matched resident's open case if there is one, else on
/// the row (audited as 변경 of the row, synced per field).
pub fn plan_discovery(store: &mut Store, id: &str, input: &VisitInput) -> Result<DiscoveryPlan> {
    let item = store
        .discovery_item(id)?
        .ok_or_else(|| invalid(format!("발굴 대상을 찾을 수 없습니다: {id}")))?;
    if let Some(r) = &item.resident_id
        && let Some(case) = store
            .cases_of_resident(r)?
            .into_iter()
            .find(|c| c.stage.is_open())
    {
        return Ok(DiscoveryPlan::OnCase(Box::new(plan(
            store, &case.id, input,
        )?)));
    }
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    tx.update(
        "discovery",
        id,
        &[
            ("visit_on", Val::text(input.day())),
            ("visit_time", Val::text(input.time.as_str())),
            ("visit_purpose", Val::text(input.purpose.as_str())),
            ("visit_by", Val::text(ctx.operator.as_str())),
        ],
    )?;
    ctx.audit(
        &tx,
        &Event {
            action: AuditAction::Update,
            resident_id: item.resident_id.as_deref(),
            subject: &format!("discovery:{id}"),
            detail: &format!("visit_plan {}", input.day()),
        },
    )?;
    tx.commit()?;
    Ok(DiscoveryPlan::OnRow)
}

/// Cancels the plan on a 발굴 row.
pub fn cancel_discovery(store: &mut Store, id: &str) -> Result<()> {
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    tx.update("discovery", id, &[("visit_on", Val::Null)])?;
    ctx.audit(
        &tx,
        &Event {
            action: AuditAction::Update,
            resident_id: None,
            subject: &format!("discovery:{id}"),
            detail: "visit_plan cancel",
        },
    )?;
    tx.commit()?;
    Ok(())
}

/// The Monday of `day`'s week.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// `월`..`일` for a day.
pub fn weekday_label(day: NaiveDate) -> &'static str {
    ["월", "화", "수", "목", "금", "토", "일"][day.weekday().num_days_from_monday() as usize]
}

/// A natural-order key of an address: digit runs compare as numbers (`관악로 9` before
/// `관악로 10`).
fn address_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(u64::from(d)),
            );
        } else {
            if let Some(n) = num.take() {
                out.push((std::mem::take(&mut text), n));
            }
            text.push(c);
        }
    }
    out.push((text, num.unwrap_or(0)));
    out
}

/// Sorts visits in walking order: 동, then address (natural order), then time.
pub fn sort_by_address(visits: &mut [PlannedVisit]) {
    visits.sort_by_cached_key(|v| {
        (
            v.on.clone(),
            v.dong.clone(),
            address_key(&v.address),
            v.time.clone(),
            v.id.clone(),
        )
    });
}

fn day_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The visits of `from..=to` for `scope` (mine: planned by or held by the operator).
pub fn between(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
) -> Result<Vec<PlannedVisit>> {
    let mut v = store.planned_visits(&day_str(from), &day_str(to))?;
    if scope == Scope::Mine {
        let me = store.operator().to_string();
        v.retain(|p| p.is_for(&me));
    }
    sort_by_address(&mut v);
    Ok(v)
}

/// A day's visit list in address order (동, then address).
pub fn day(store: &Store, on: NaiveDate, scope: Scope) -> Result<Vec<PlannedVisit>> {
    between(store, on, on, scope)
}

/// The week view: one row per 동, seven day columns (Monday first).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Week {
    /// Monday.
    pub start: Option<NaiveDate>,
    /// 동 → the visits of each day (Monday first), in address order.
    pub rows: BTreeMap<String, [Vec<PlannedVisit>; 7]>,
}

impl Week {
    /// Visits per day over every 동.
    pub fn totals(&self) -> [usize; 7] {
        let mut t = [0; 7];
        for days in self.rows.values() {
            for (i, d) in days.iter().enumerate() {
                t[i] += d.len();
            }
        }
        t
    }
}

/// The week starting on the Monday of `day`.
pub fn week(store: &Store, day: NaiveDate, scope: Scope) -> Result<Week> {
    let start = week_start(day);
    let visits = between(store, start, start + Duration::days(6), scope)?;
    let mut rows: BTreeMap<String, [Vec<PlannedVisit>; 7]> = BTreeMap::new();
    for v in visits {
        let Ok(d) = NaiveDate::parse_from_str(&v.on, "%Y-%m-%d") else {
            continue;
        };
        let i = usize::try_from((d - start).num_days()).unwrap_or(0).min(6);
        let dong = if v.dong.is_empty() {
            "(동 없음)".to_string()
        } else {
            v.dong.clone()
        };
        rows.entry(dong).or_default()[i].push(v);
    }
    Ok(Week {
        start: Some(start),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn input_is_checked_with_messages_naming_the_field() {
        let today = d("2026-11-29");
        assert!(VisitInput::parse("2026-11-30", "오후", "안부 확인", today).is_err());
        let ok = VisitInput::parse("11-30", "0930", " 안부 확인 ", today).unwrap();
        assert_eq!(
            (ok.on, ok.time.as_str(), ok.purpose.as_str()),
            (d("2026-11-30"), "09:30", "안부 확인")
        );
        let e = VisitInput::parse("어제", "", "x", today).unwrap_err();
        assert_eq!(e.field, VisitField::Date);
        assert!(e.message.starts_with("방문일"), "{}", e.message);
        let e = VisitInput::parse("2026-11-28", "", "x", today).unwrap_err();
        assert_eq!(e.field, VisitField::Date);
        let e = VisitInput::parse("2026-11-30", "25:00", "x", today).unwrap_err();
        assert_eq!(e.field, VisitField::Time);
        assert!(e.message.starts_with("시간"));
        let e = VisitInput::parse("2026-11-30", "", "  ", today).unwrap_err();
        assert_eq!(e.field, VisitField::Purpose);
        assert!(e.message.starts_with("목적"));
        assert_eq!(parse_time("14").as_deref(), Some("14:00"));
        assert_eq!(parse_time("").as_deref(), Some(""));
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(week_start(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(weekday_label(d("2026-11-29")), "일");
    }

    #[test]
    fn addresses_sort_in_natural_order() {
        let mut a = ["관악로 10", "관악로 9", "관악로 9-1"];
        a.sort_by_key(|s| address_key(s));
        assert_eq!(a, ["관악로 9", "관악로 9-1", "관악로 10"]);
    }
}
