//! 동의 (개인정보 수집·이용·제공 동의, issue #16): a resident's consent is recorded on a case's
//! timeline with its date, scopes (수집·이용 / 제3자 제공 / 민감정보), expiry and where the signed
//! paper is filed; a withdrawal (철회) is another entry pointing at it. Consents belong to the
//! resident: one recorded on any of their cases counts for all of them.
//!
//! A referral to an outside resource, or an export of the resident's data to another agency,
//! needs a valid consent for 제3자 제공 — or an override with a reason, which is recorded in
//! the audit log (and on the referral entry).

use super::ops::{Ctx, entry_text, new_id};
use super::types::TimelineError;
use crate::audit::Event;
use crate::model::{AuditAction, CaseHeader, ConsentScope, Entry, EntryKind};
use crate::store::{Store, Tx, scopes_of};
use chrono::NaiveDate;
use serde_json::json;

type Result<T> = std::result::Result<T, TimelineError>;

/// Days before expiry a consent shows in 오늘.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

fn invalid(msg: impl Into<String>) -> TimelineError {
    TimelineError::Invalid(msg.into())
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A consent to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub scopes: Vec<ConsentScope>,
    /// The day it was signed.
    pub on: NaiveDate,
    /// The day it ends (none: until withdrawn).
    pub expires: Option<NaiveDate>,
    /// Where the signed paper is filed (e.g. `2026 동의서철 3권 12쪽`).
    pub paper: String,
    pub note: String,
}

/// A recorded consent and whether it was withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub case_id: String,
    pub scopes: Vec<ConsentScope>,
    /// `YYYY-MM-DD`.
    pub on: String,
    pub expires: Option<String>,
    pub paper: String,
    pub recorded_by: String,
    /// `(when, by, reason)` of the withdrawal.
    pub withdrawn: Option<(String, String, String)>,
}

impl Consent {
    /// Valid on `today` for `scope`: signed by then, not expired, not withdrawn.
    pub fn covers(&self, scope: ConsentScope, today: &str) -> bool {
        self.scopes.contains(&scope)
            && self.on.as_str() <= today
            && self.expires.as_deref().is_none_or(|e| e >= today)
            && self.withdrawn.is_none()
    }

    /// 유효 / 만료 / 철회 on `today`.
    pub fn status(&self, today: &str) -> &'static str {
        if self.withdrawn.is_some() {
            "철회"
        } else if self.expires.as_deref().is_some_and(|e| e < today) {
            "만료"
        } else if self.on.as_str() > today {
            "예정"
        } else {
            "유효"
        }
    }

    /// `수집·이용, 제3자 제공`.
    pub fn scope_labels(&self) -> String {
        self.scopes
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Folds 동의 and 철회 entries (oldest first) into consents, oldest first.
pub fn fold(entries: &[Entry]) -> Vec<Consent> {
    let s = |e: &Entry, k: &str| e.data.get(k).and_then(|v| v.as_str()).map(String::from);
    let mut out: Vec<Consent> = Vec::new();
    for e in entries {
        match e.kind {
            EntryKind::Consent => out.push(Consent {
                id: e.id.clone(),
                case_id: e.case_id.clone(),
                scopes: scopes_of(e.data.get("scopes").map(|v| v.to_string()).as_deref()),
                on: s(e, "on").unwrap_or_else(|| e.at.get(..10).unwrap_or(&e.at).to_string()),
                expires: s(e, "expires"),
                paper: s(e, "paper").unwrap_or_default(),
                recorded_by: e.author.clone(),
                withdrawn: None,
            }),
            EntryKind::ConsentWithdrawal => {
                if let Some(target) = s(e, "consent")
                    && let Some(c) = out.iter_mut().find(|c| c.id == target)
                    && c.withdrawn.is_none()
                {
                    c.withdrawn = Some((e.at.clone(), e.author.clone(), e.body.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Every consent of a case's resident, oldest first.
pub fn of_case(store: &Store, case_id: &str) -> Result<Vec<Consent>> {
    let header = store.case_header(case_id)?;
    Ok(fold(&store.resident_consents(&header.case.resident_id)?))
}

/// Records a consent on a case. Audited as 입력.
pub fn record(store: &mut Store, case_id: &str, new: &NewConsent) -> Result<Entry> {
    let mut scopes = new.scopes.clone();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(invalid(
            "동의 범위를 고르세요: 수집·이용, 제3자 제공, 민감정보 (no scope)",
        ));
    }
    if let Some(exp) = new.expires
        && exp < new.on
    {
        return Err(invalid(
            "만료일이 동의일보다 앞섭니다 (expiry before the consent date)",
        ));
    }
    let ctx = Ctx::of(store);
    if new.on > ctx.today {
        return Err(invalid(
            "동의일이 오늘 뒤입니다 (consent date in the future)",
        ));
    }
    let mut tx = store.write()?;
    let header = tx.case_header(case_id)?;
    let labels: Vec<&str> = scopes.iter().map(|s| s.label()).collect();
    let mut body = format!("동의 ({}) {}", labels.join(", "), ymd(new.on));
    match new.expires {
        Some(e) => body.push_str(&format!(" ~ {}", ymd(e))),
        None => body.push_str(" ~ 철회 시까지"),
    }
    let paper = new.paper.trim();
    if !paper.is_empty() {
        body.push_str(&format!(", 서류: {paper}"));
    }
    let note = entry_text(&new.note);
    if !note.is_empty() {
        body.push_str(&format!(" — {note}"));
    }
    let codes: Vec<&str> = scopes.iter().map(|s| s.code()).collect();
    let entry = Entry {
        id: new_id(),
        case_id: case_id.to_string(),
        kind: EntryKind::Consent,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body,
        due_on: None,
        data: json!({
            "scopes": codes,
            "on": ymd(new.on),
            "expires": new.expires.map(ymd),
            "paper": paper,
        }),
        corrects: None,
        voids: false,
    };
    let resident = header.case.resident_id.clone();
    ctx.record(
        &mut tx,
        &entry,
        case_id,
        &resident,
        AuditAction::Create,
        &format!("case:{case_id}"),
        &format!("consent:{} entry:{}", codes.join(","), entry.id),
    )?;
    tx.commit()?;
    Ok(entry)
}

/// Withdraws a consent (all its scopes), with the reason. Written on the consent's case.
/// Audited as 변경.
pub fn withdraw(store: &mut Store, consent_id: &str, reason: &str) -> Result<Entry> {
    let reason = entry_text(reason);
    if reason.is_empty() {
        return Err(invalid(
            "철회 사유(주민이 밝힌 내용)를 적으세요 (a reason is required)",
        ));
    }
    let consent = store.entry(consent_id)?;
    if consent.kind != EntryKind::Consent {
        return Err(invalid("동의 기록이 아닙니다 (not a consent)"));
    }
    let ctx = Ctx::of(store);
    let mut tx = store.write()?;
    let header = tx.case_header(&consent.case_id)?;
    let all = fold(&tx.resident_consents(&header.case.resident_id)?);
    let Some(c) = all.iter().find(|c| c.id == consent_id) else {
        return Err(invalid("동의 기록을 찾을 수 없습니다 (consent not found)"));
    };
    if let Some((at, by, _)) = &c.withdrawn {
        return Err(invalid(format!("이미 철회된 동의입니다 ({by}, {at})")));
    }
    let entry = Entry {
        id: new_id(),
        case_id: c.case_id.clone(),
        kind: EntryKind::ConsentWithdrawal,
        author: ctx.operator.clone(),
        at: ctx.at.clone(),
        body: format!("동의 철회 ({}): {reason}", c.scope_labels()),
        due_on: None,
        data: json!({
            "consent": c.id,
            "scopes": c.scopes.iter().map(|s| s.code()).collect::<Vec<_>>(),
        }),
        corrects: None,
        voids: false,
    };
    let resident = header.case.resident_id.clone();
    ctx.record(
        &mut tx,
        &entry,
        &c.case_id,
        &resident,
        AuditAction::Update,
        &format!("case:{}", c.case_id),
        &format!("consent_withdrawal:{} entry:{}", c.id, entry.id),
    )?;
    tx.commit()?;
    Ok(entry)
}

fn refusal(scope: ConsentScope, purpose: &str) -> TimelineError {
    invalid(format!(
        "{purpose}할 수 없습니다: 이 주민의 유효한 {} 동의가 없습니다 (no valid consent). \
         동의를 기록하거나(동의서 확인 후), 꼭 필요하면 사유를 적어 예외로 진행하세요 (감사 기록에 남습니다)",
        scope.label()
    ))
}

fn override_event<'a>(resident: &'a str, subject: &'a str, detail: &'a str) -> Event<'a> {
    Event {
        action: AuditAction::Update,
        resident_id: Some(resident),
        subject,
        detail,
    }
}

fn override_detail(scope: ConsentScope, purpose: &str, reason: &str) -> String {
    format!(
        "consent_override:{} {purpose} — 사유: {}",
        scope.code(),
        crate::privacy::mask_rrn_like(reason)
    )
}

/// Inside a change's transaction: `Ok(None)` if the resident has a valid consent for `scope`;
/// `Ok(Some(reason))` if not but an override reason was given (audited here, in `tx`);
/// else the refusal.
pub(crate) fn require_in(
    tx: &Tx<'_>,
    ctx: &Ctx,
    header: &CaseHeader,
    scope: ConsentScope,
    purpose: &str,
    override_reason: Option<&str>,
) -> Result<Option<String>> {
    let today = ctx.today_str();
    let consents = fold(&tx.resident_consents(&header.case.resident_id)?);
    if consents.iter().any(|c| c.covers(scope, &today)) {
        return Ok(None);
    }
    let reason = override_reason.map(str::trim).unwrap_or("");
    if reason.is_empty() {
        return Err(refusal(scope, purpose));
    }
    ctx.audit(
        tx,
        &override_event(
            &header.case.resident_id,
            &format!("case:{}", header.case.id),
            &override_detail(scope, purpose, reason),
        ),
    )?;
    Ok(Some(reason.to_string()))
}

/// The same check for a step that writes no change (an export to another agency): the
/// override is audited on its own.
pub fn require(
    store: &Store,
    case_id: &str,
    scope: ConsentScope,
    purpose: &str,
    override_reason: Option<&str>,
) -> Result<Option<String>> {
    let header = store.case_header(case_id)?;
    let today = ymd(store.clock().today());
    let consents = fold(&store.resident_consents(&header.case.resident_id)?);
    if consents.iter().any(|c| c.covers(scope, &today)) {
        return Ok(None);
    }
    let reason = override_reason.map(str::trim).unwrap_or("");
    if reason.is_empty() {
        return Err(refusal(scope, purpose));
    }
    store.audit(&override_event(
        &header.case.resident_id,
        &format!("case:{case_id}"),
        &override_detail(scope, purpose, reason),
    ))?;
    Ok(Some(reason.to_string()))
}
