//! Timeline operations: load and view a case, add, correct and void entries, change stages and
//! referral statuses, and the 오늘 lists. Each write is one transaction with its audit row.

use super::due::{self, Charts, Scope, Today, TodayFacts};
use super::rules::{self, CRISIS_DOMAINS, StageMove};
use super::types::{EntryData, NewEntry, Timeline, TimelineError, TimelineItem};
use crate::audit::Event;
use crate::model::{AuditAction, Entry, EntryKind, Referral};
use crate::store::{Store, Tx};
use chrono::{Duration, NaiveDate};
use serde_json::json;
use std::collections::HashMap;

type Result<T> = std::result::Result<T, TimelineError>;

/// Who and when, captured before the transaction borrows the store.
pub(crate) struct Ctx {
    pub(crate) operator: String,
    pub(crate) host: String,
    pub(crate) stamp: String,
    /// `YYYY-MM-DD HH:MM`.
    pub(crate) at: String,
    pub(crate) today: NaiveDate,
}

impl Ctx {
    pub(crate) fn of(store: &Store) -> Ctx {
        let now = store.clock().now();
        Ctx {
            operator: store.operator().to_string(),
            host: store.host().to_string(),
            stamp: store.clock().stamp(),
            at: now.format("%Y-%m-%d %H:%M").to_string(),
            today: now.date(),
        }
    }

    pub(crate) fn audit(&self, tx: &Tx<'_>, ev: &Event<'_>) -> Result<()> {
        tx.audit(&self.operator, &self.host, &self.stamp, ev)?;
        Ok(())
    }

    /// Appends `entry`, marks its case active and writes the audit row, all in `tx`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record(
        &self,
        tx: &mut Tx<'_>,
        entry: &Entry,
        case_id: &str,
        resident_id: &str,
        action: AuditAction,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        super::transfer::refuse_if_transferred(tx, case_id)?;
        tx.insert_entry(entry)?;
        tx.touch_case(case_id, &self.at)?;
        self.audit(
            tx,
            &Event {
                action,
                resident_id: Some(resident_id),
                subject,
                detail,
            },
        )
    }

    pub(crate) fn today_str(&self) -> String {
        self.today.format("%Y-%m-%d").to_string()
    }
}

/// An entry's text as stored: a 주민등록번호 written into a note is kept masked.
pub(crate) fn entry_text(body: &str) -> String {
    crate::privacy::mask_rrn_like(body.trim_end())
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn invalid(msg: impl Into<String>) -> TimelineError {
    TimelineError::Invalid(msg.into())
}

/// Folds corrections into their originals. `entries` oldest first (as the store returns them).
pub fn resolve(entries: Vec<Entry>) -> Vec<TimelineItem> {
    let mut items: Vec<TimelineItem> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for e in entries {
        let root = e.corrects.as_ref().and_then(|c| index.get(c).copied());
        match root {
            Some(i) => {
                index.insert(e.id.clone(), i);
                items[i].corrections.push(e);
            }
            None => {
                index.insert(e.id.clone(), items.len());
                items.push(TimelineItem {
                    original: e,
                    corrections: Vec::new(),
                });
            }
        }
    }
    items
}

/// A case's timeline (no audit row: for refreshes after the pane has been opened).
pub fn load(store: &Store, case_id: &str) -> Result<Timeline> {
    Ok(Timeline {
        header: store.case_header(case_id)?,
        items: resolve(store.case_entries(case_id)?),
        referrals: store.case_referrals(case_id)?,
    })
}

/// Opens a case's timeline for a person to read, recording the view (조회) in the audit log.
pub fn view(store: &Store, case_id: &str) -> Result<Timeline> {
    let t = load(store, case_id)?;
    store.audit(&Event {
        action: AuditAction::View,
        resident_id: Some(&t.header.case.resident_id),
        subject: &format!("case:{case_id}"),
        detail: "타임라인",
    })?;
    Ok(t)
}

fn list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks that `new` fits its kind.
fn check_new(new: &NewEntry) -> Result<()> {
    let fits = match (&new.data, new.kind) {
        (EntryData::Plain, k) => matches!(
            k,
            EntryKind::InitialConsult
                | EntryKind::Visit
                | EntryKind::Call
                | EntryKind::OfficeVisit
                | EntryKind::Monitoring
                | EntryKind::Memo
        ),
        (EntryData::Assessment { .. }, k) => k == EntryKind::Assessment,
        (EntryData::Conference { .. }, k) => k == EntryKind::Conference,
        (EntryData::Plan { .. }, k) => k == EntryKind::Plan,
        (EntryData::Referral { .. }, k) => k == EntryKind::Referral,
    };
    if !fits {
        return Err(invalid(format!(
            "{}: 기록 종류와 내용이 맞지 않습니다 (kind and data do not match; stage changes use change_stage)",
            new.kind.label()
        )));
    }
    if matches!(new.data, EntryData::Plain) && new.body.trim().is_empty() {
        return Err(invalid("내용을 입력하세요 (text is empty)"));
    }
    if let EntryData::Assessment { scores } = &new.data {
        for d in CRISIS_DOMAINS {
            match scores.get(d) {
                Some(s) if (1..=5).contains(s) => {}
                Some(s) => {
                    return Err(invalid(format!(
                        "위기도 {d}: {s} — 1~5 사이여야 합니다 (score must be 1–5)"
                    )));
                }
                None => {
                    return Err(invalid(format!(
                        "위기도 {d} 점수가 없습니다 (missing score)"
                    )));
                }
            }
        }
        if let Some(extra) = scores
            .keys()
            .find(|k| !CRISIS_DOMAINS.contains(&k.as_str()))
        {
            return Err(invalid(format!(
                "알 수 없는 위기도 영역: {extra} (unknown domain)"
            )));
        }
    }
    if let EntryData::Conference { attendees } = &new.data
        && list(attendees).is_empty()
    {
        return Err(invalid("참석자를 입력하세요 (no attendees)"));
    }
    if let EntryData::Plan { goals, .. } = &new.data
        && list(goals).is_empty()
    {
        return Err(invalid("목표를 입력하세요 (no goals)"));
    }
    Ok(())
}

/// Writes what the entry's data implies (위기도 on the case, the referral row) and returns the
/// JSON stored on the entry.
fn apply_data(
    tx: &mut Tx<'_>,
    ctx: &Ctx,
    case_id: &str,
    data: &EntryData,
) -> Result<serde_json::Value> {
    Ok(match data {
        EntryData::Plain => json!({}),
        EntryData::Assessment { scores } => {
            let score: i64 = scores.values().sum();
            tx.set_case_crisis(case_id, score, super::rules::crisis_level(score))?;
            json!({ "scores": scores, "total": score })
        }
        EntryData::Conference { attendees } => json!({ "attendees": list(attendees) }),
        EntryData::Plan { goals, services } => {
            json!({ "goals": list(goals), "services": list(services) })
        }
        EntryData::Referral { resource_id } => {
            tx.resource_name(resource_id)?;
            let referral = Referral {
                id: new_id(),
                case_id: case_id.to_string(),
                resource_id: resource_id.clone(),
                status: "의뢰".to_string(),
                requested_on: ctx.today_str(),
                updated_on: ctx.today_str(),
                note: String::new(),
            };
            tx.insert_referral(&referral)?;
            json!({ "referral_id": referral.id, "resource_id": resource_id, "status": "의뢰" })
        }
    })
}

/// Adds an entry to a case (author: the operator; time: now). An 조사 updates the case's
/// 위기도; a 연계 creates a referral in 의뢰. Audited as 입력.
pub fn add_entry(store: &mut Store, case_id: &str, new: &NewEntry) -> Result<Entry> {
    add_entry_as(store, case_id, new, None)
}

/// [`add_entry`]; a 연계 needs valid 제3자 제공 consent (see [`super::consent`]) unless
/// `consent_override` gives a reason, which is recorded in the audit log and on the entry.
pub fn add_entry_as(
    store: &mut Store,
    case_id: &str,
    new: &NewEntry,
    consent_override: Option<&str>,
) -> Result<Entry> {
    check_new(new)?;
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(case_id)?;
    let overridden = if matches!(new.data, EntryData::Referral { .. }) {
        super::consent::require_in(
            &tx,
            &ctx,
            &header,
            crate::model::ConsentScope::ThirdParty,
            "연계",
            consent_override,
        )?
    } else {
        None
    };
    let mut data = apply_data(&mut tx, &ctx, case_id, &new.data)?;
    if let Some(reason) = &overridden {
        data["consent_override"] = reason.as_str().into();
    }
    let entry = Entry {
        id: new_id(),
        case_id: case_id.to_string(),
        kind: new.kind,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body: entry_text(&new.body),
        due_on: new.due_on.map(|d| d.format("%Y-%m-%d").to_string()),
        data,
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
        &format!("entry:{} {}", entry.id, entry.kind.code()),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// The root of `entry_id`'s chain and its corrections, refusing stage changes.
fn chain(tx: &Tx<'_>, entry_id: &str) -> Result<(Entry, Vec<Entry>)> {
    let e = tx.entry(entry_id)?;
    let root = match &e.corrects {
        Some(r) => tx.entry(r)?,
        None => e,
    };
    if root.kind == EntryKind::StageChange {
        return Err(invalid(
            "단계 변경 기록은 정정할 수 없습니다: 단계를 다시 바꾸세요 (change the stage again instead)",
        ));
    }
    if root.kind.is_team_step() {
        return Err(invalid(format!(
            "{} 기록은 정정할 수 없습니다: 새 단계로 대신하세요 (결재는 다시 요청, 동의는 철회·새 동의, 인계는 다시 인계)",
            root.kind.label()
        )));
    }
    let corrections = tx.corrections_of(&root.id)?;
    Ok((root, corrections))
}

/// Writes a correction of `entry_id`: a new entry of the same kind, linked to the original,
/// by the operator, now. A void carries no data; a correction keeps the current version's.
fn write_correction(
    store: &mut Store,
    entry_id: &str,
    text: String,
    due_on: Option<String>,
    voids: bool,
) -> Result<Entry> {
    let fix = Fix {
        text: Some(text),
        due_on,
        voids,
        marker: None,
    };
    write_fix(store, entry_id, fix)
}

/// What a correction changes: the text (`None`: keep the current version's), the follow-up
/// date, the void flag, and a marker merged into the data (`follow_up`: done / moved).
struct Fix {
    text: Option<String>,
    due_on: Option<String>,
    voids: bool,
    marker: Option<(&'static str, serde_json::Value)>,
}

fn write_fix(store: &mut Store, entry_id: &str, fix: Fix) -> Result<Entry> {
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let (root, corrections) = chain(&tx, entry_id)?;
    if corrections.last().is_some_and(|c| c.voids) {
        return Err(invalid(
            "이미 무효 처리된 기록입니다 (entry already voided)",
        ));
    }
    let current = corrections.last().unwrap_or(&root);
    let voids = fix.voids;
    let marked = fix.marker.is_some();
    let mut data = if voids {
        json!({})
    } else {
        current.data.clone()
    };
    if let Some((key, value)) = fix.marker {
        if !data.is_object() {
            data = json!({});
        }
        data[key] = value;
    } else if let Some(obj) = data.as_object_mut() {
        // A plain correction is not a follow-up marker.
        obj.remove(FOLLOW_UP);
    }
    let entry = Entry {
        id: new_id(),
        case_id: root.case_id.clone(),
        kind: root.kind,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body: fix.text.unwrap_or_else(|| current.body.clone()),
        due_on: fix.due_on,
        data,
        corrects: Some(root.id.clone()),
        voids,
    };
    let header = tx.case_header(&root.case_id)?;
    ctx.record(
        &mut tx,
        &entry,
        &root.case_id,
        &header.case.resident_id,
        AuditAction::Update,
        &format!("case:{}", root.case_id),
        &format!(
            "{}:{} → {}",
            if entry.voids {
                "void"
            } else if marked {
                "follow_up"
            } else {
                "correct"
            },
            root.id,
            entry.id
        ),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// Corrects an entry: a new entry linked to the original (which stays unchanged) with the new
/// text and follow-up date. Audited as 변경.
pub fn correct_entry(
    store: &mut Store,
    entry_id: &str,
    body: &str,
    due_on: Option<NaiveDate>,
) -> Result<Entry> {
    if body.trim().is_empty() {
        return Err(invalid("정정할 내용을 입력하세요 (text is empty)"));
    }
    let due_on = due_on.map(|d| d.format("%Y-%m-%d").to_string());
    write_correction(store, entry_id, entry_text(body), due_on, false)
}

/// Voids a mistaken entry: a correction that marks it void, with the reason as its text.
pub fn void_entry(store: &mut Store, entry_id: &str, reason: &str) -> Result<Entry> {
    if reason.trim().is_empty() {
        return Err(invalid("무효 사유를 입력하세요 (a reason is required)"));
    }
    write_correction(store, entry_id, reason.trim().to_string(), None, true)
}

pub use super::types::FOLLOW_UP;

/// The open follow-up date of `entry_id`'s current version.
fn open_due(store: &Store, entry_id: &str) -> Result<(String, String)> {
    let e = store.entry(entry_id)?;
    let root_id = e.corrects.clone().unwrap_or(e.id);
    let items = resolve(store.case_entries(&e.case_id)?);
    let item = items
        .iter()
        .find(|i| i.original.id == root_id)
        .ok_or_else(|| invalid("기록을 찾을 수 없습니다 (entry not found)"))?;
    let due = item
        .due_on()
        .ok_or_else(|| invalid("후속 일정이 없는 기록입니다 (no open follow-up)"))?;
    Ok((root_id, due.to_string()))
}

/// Marks an entry's follow-up done: a correction of the entry (same text, no follow-up date)
/// marked `follow_up.done`, so it leaves the 오늘 lists and the timeline shows it done. The
/// original stays; audited as 변경; synced like every entry.
pub fn complete_follow_up(store: &mut Store, entry_id: &str) -> Result<Entry> {
    let (root, due) = open_due(store, entry_id)?;
    let done = store.clock().today().format("%Y-%m-%d").to_string();
    let fix = Fix {
        text: None,
        due_on: None,
        voids: false,
        marker: Some((FOLLOW_UP, json!({ "done": done, "was_due": due }))),
    };
    write_fix(store, &root, fix)
}

/// Moves an entry's follow-up to `on`: a correction with the new date, marked
/// `follow_up.moved` (with the old date). Audited as 변경.
pub fn reschedule_follow_up(store: &mut Store, entry_id: &str, on: NaiveDate) -> Result<Entry> {
    let (root, due) = open_due(store, entry_id)?;
    if on < store.clock().today() {
        return Err(invalid(
            "새 후속 일정은 오늘이나 그 뒤여야 합니다 (the new date is in the past)",
        ));
    }
    let fix = Fix {
        text: None,
        due_on: Some(on.format("%Y-%m-%d").to_string()),
        voids: false,
        marker: Some((FOLLOW_UP, json!({ "moved": due }))),
    };
    write_fix(store, &root, fix)
}

/// Puts an entry's follow-up back as it was before it was marked done or moved (undo): a
/// correction with the old date, marked `follow_up.restored`. Audited as 변경.
pub fn restore_follow_up(
    store: &mut Store,
    entry_id: &str,
    due_on: Option<NaiveDate>,
) -> Result<Entry> {
    let e = store.entry(entry_id)?;
    let root = e.corrects.clone().unwrap_or(e.id);
    let due = due_on.map(|d| d.format("%Y-%m-%d").to_string());
    let fix = Fix {
        text: None,
        due_on: due.clone(),
        voids: false,
        marker: Some((FOLLOW_UP, json!({ "restored": due }))),
    };
    write_fix(store, &root, fix)
}

/// Moves a case to another stage under [`rules`]: writes a stage-change entry and updates the
/// case (closing sets 종결일, 종결 사유 and the 사후관리 date; 재개 clears them), with an audit
/// row (변경), all in one transaction.
pub fn change_stage(store: &mut Store, case_id: &str, mv: &StageMove) -> Result<Entry> {
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(case_id)?;
    let from = header.case.stage;
    let effect = rules::validate(from, mv, ctx.today)?;
    super::approval::gate(&tx, &header.case, mv.to)?;
    let note = mv.reason.trim();
    let mut data = json!({ "from": from.code(), "to": mv.to.code() });
    let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let body = if let Some((closed_on, closure, aftercare_on)) = &effect.close {
        data["closure_reason"] = closure.as_str().into();
        data["reason"] = if note.is_empty() {
            closure.clone()
        } else {
            format!("{closure}: {note}")
        }
        .into();
        tx.close_case(case_id, &fmt(*closed_on), closure, &fmt(*aftercare_on))?;
        let mut b = format!("사례 종결. 종결 사유: {closure}");
        if !note.is_empty() {
            b.push_str(&format!(" — {note}"));
        }
        b.push_str(&format!(" (사후관리 {})", fmt(*aftercare_on)));
        b
    } else {
        if !note.is_empty() {
            data["reason"] = note.into();
        }
        if effect.reopen {
            tx.reopen_case(case_id)?;
        }
        let mut b = if effect.reopen {
            format!("사례 재개: {} → {}", from.label(), mv.to.label())
        } else {
            format!("{} → {}", from.label(), mv.to.label())
        };
        if !note.is_empty() {
            b.push_str(&format!(" (사유: {note})"));
        }
        b
    };
    tx.set_case_stage(case_id, mv.to)?;
    let entry = Entry {
        id: new_id(),
        case_id: case_id.to_string(),
        kind: EntryKind::StageChange,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body,
        due_on: None,
        data,
        corrects: None,
        voids: false,
    };
    ctx.record(
        &mut tx,
        &entry,
        case_id,
        &header.case.resident_id,
        AuditAction::Update,
        &format!("case:{case_id}"),
        &format!("stage:{}→{}", from.code(), mv.to.code()),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// Changes a referral's status (의뢰 → 접수 → 제공 중 → 완료/거절, see
/// [`rules::referral_move_ok`]) and records it on the case's timeline. Audited as 변경.
pub fn set_referral_status(
    store: &mut Store,
    referral_id: &str,
    status: &str,
    note: &str,
) -> Result<Referral> {
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let mut f = tx.referral(referral_id)?;
    if !rules::referral_move_ok(&f.status, status) {
        return Err(invalid(format!(
            "연계 상태를 {} → {}(으)로 바꿀 수 없습니다 (not allowed)",
            f.status, status
        )));
    }
    let header = tx.case_header(&f.case_id)?;
    let from = std::mem::replace(&mut f.status, status.to_string());
    f.updated_on = ctx.today_str();
    let note = note.trim();
    if !note.is_empty() {
        f.note = note.to_string();
    }
    tx.update_referral(&f)?;
    // A deleted (tombstoned) resource keeps its referrals and shows no name; a failed read
    // is an error and rolls the change back.
    let resource = tx
        .resource_name_if_live(&f.resource_id)?
        .unwrap_or_default();
    let mut body = format!("연계 상태 변경 ({resource}): {from} → {status}");
    if !note.is_empty() {
        body.push_str(&format!(" — {note}"));
    }
    let entry = Entry {
        id: new_id(),
        case_id: f.case_id.clone(),
        kind: EntryKind::Referral,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body,
        due_on: None,
        data: json!({ "referral_id": f.id, "resource_id": f.resource_id, "status": status, "from": from }),
        corrects: None,
        voids: false,
    };
    ctx.record(
        &mut tx,
        &entry,
        &f.case_id,
        &header.case.resident_id,
        AuditAction::Update,
        &format!("referral:{referral_id}"),
        &format!("status:{from}→{status}"),
    )?;
    tx.commit()?;
    Ok(f)
}

/// Gathers the facts for the 오늘 lists as of `today`.
pub fn today_facts(store: &Store, scope: Scope, today: NaiveDate) -> Result<TodayFacts> {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(TodayFacts {
        follow_ups: store.follow_up_facts(scope, &day(today))?,
        stages: store.stage_facts(scope)?,
        contacts: store.contact_facts(scope, &day(today))?,
        referrals: store
            .waiting_referral_facts(scope, &day(today - Duration::days(due::REFERRAL_WAIT_DAYS)))?,
    })
}

/// The 오늘 lists for the store's clock.
pub fn today(store: &Store, scope: Scope) -> Result<Today> {
    today_at(store, scope, store.clock().today())
}

/// The 오늘 lists as of `today`: what [`due::compute`] makes of [`today_facts`], built from
/// the store's rows as they are read (no facts in between; see [`due::TodayBuilder`]).
pub fn today_at(store: &Store, scope: Scope, today: NaiveDate) -> Result<Today> {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let on = day(today);
    let mut b = due::TodayBuilder::new(today);
    store.visit_follow_ups(scope, &on, |r| b.follow_up(&r))?;
    store.visit_stages(scope, |r| b.stage(&r))?;
    store.visit_contacts(scope, &on, |r| b.contact(&r))?;
    let before = day(today - Duration::days(due::REFERRAL_WAIT_DAYS));
    for f in store.waiting_referral_facts(scope, &before)? {
        b.referral(&f);
    }
    Ok(b.finish())
}

/// The 오늘 lists as the pane shows them, for the store's clock: see [`today_page_at`].
pub fn today_page(store: &Store, scope: Scope, cap: usize) -> Result<Today> {
    today_page_at(store, scope, store.clock().today(), cap)
}

/// The first `cap` items of each 오늘 list as of `today` (the first of [`today_at`]'s, in
/// the same order), with every list's count ([`Today::counts`], overdue items included, so
/// the charts' overdue box counts them all). The follow-ups, most of the everyone lists, are
/// read no further than the page and counted from their per-day counts; the other lists are
/// read whole, and an item is built only if it is kept.
pub fn today_page_at(store: &Store, scope: Scope, today: NaiveDate, cap: usize) -> Result<Today> {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let on = day(today);
    let mut b = due::TodayBuilder::paged(today, cap);
    let (due_today, overdue) = store.visit_follow_up_page(scope, &on, cap, |r| b.follow_up(&r))?;
    b.follow_up_counts(due_today, overdue);
    store.visit_stages(scope, |r| b.stage(&r))?;
    store.visit_contacts(scope, &on, |r| b.contact(&r))?;
    let before = day(today - Duration::days(due::REFERRAL_WAIT_DAYS));
    for f in store.waiting_referral_facts(scope, &before)? {
        b.referral(&f);
    }
    Ok(b.finish())
}

/// Chart data for the 오늘 pane; `today` gives the overdue count.
pub fn charts(store: &Store, scope: Scope, today: &Today) -> Result<Charts> {
    let day = store.clock().today();
    let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut weeks = [0u64; due::CHART_WEEKS];
    for (i, w) in weeks.iter_mut().enumerate() {
        let (from, to) = due::week_range(day, i);
        *w = u64::try_from(store.entries_between(scope, &fmt(from), &fmt(to))?).unwrap_or(0);
    }
    Ok(Charts {
        by_stage: due::by_stage(&store.cases_by_stage(scope)?),
        entries_per_week: weeks,
        overdue: today.overdue_count(),
    })
}

#[cfg(test)]
mod tests;
