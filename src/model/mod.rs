//! Plain data types shared by every layer. No I/O here.

mod case_views;
pub mod discovery;
pub mod labels;
pub mod team;
mod today;
pub mod visits;

pub use case_views::{CaseFilter, CaseHeader, CaseRow, ReferralView};
pub use discovery::{DiscoveryItem, Outcome, RoundAtMonthEnd, RoundProgress};
pub use team::{ApprovalFact, ConsentFact, ConsentScope, HandoverFact};
pub use today::{
    CaseRef, ContactFact, ContactRow, FollowUpFact, FollowUpRow, ReferralFact, Scope, StageFact,
    StageRow, TodayFacts,
};
pub use visits::{PlannedVisit, VisitSource};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Kind of change recorded in the op log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// A new row; `fields` holds every column.
    Insert,
    /// Some columns of an existing row changed; `fields` holds only those.
    Update,
    /// Tombstone: the row's `deleted` flag set.
    Delete,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Insert => "insert",
            OpKind::Update => "update",
            OpKind::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "insert" => Some(OpKind::Insert),
            "update" => Some(OpKind::Update),
            "delete" => Some(OpKind::Delete),
            _ => None,
        }
    }
}

/// One entry of the op log (`ops` table): a change to one row of a synced table, made on site
/// `origin` as its `seq`-th op, stamped with hybrid logical clock `hlc`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    pub origin: String,
    pub seq: i64,
    pub hlc: i64,
    pub table: String,
    pub row_id: String,
    pub kind: OpKind,
    /// Column name → value (JSON null, string or integer). Ordered so that bundles are stable.
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// Sex as recorded on the resident card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "남",
            Sex::Female => "여",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "M" | "m" | "남" | "남자" | "male" => Some(Sex::Male),
            "F" | "f" | "여" | "여자" | "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// A resident (주민) as the store returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resident {
    pub id: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub sigungu: String,
    pub dong: String,
    pub address: String,
    pub household_id: Option<String>,
    /// Status flags (독거, 기초수급, 차상위, 장애 …).
    pub flags: Vec<String>,
    /// Risk indicators from outreach (단전, 단수, 건보료 체납 …).
    pub risks: Vec<String>,
    /// Masked 주민등록번호 (`500101-1******`); the full number is never stored.
    pub rrn_masked: Option<String>,
}

/// A household (세대): residents share its address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: String,
    pub dong: String,
    pub address: String,
}

/// Stages of 통합사례관리 (보건복지부 업무안내) plus the 서비스연계 track.
/// Stored by `code()`; shown by `label()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Discovery,
    InitialConsult,
    Intake,
    Assessment,
    Conference,
    Selection,
    Planning,
    Monitoring,
    Reassessment,
    Closed,
    Aftercare,
    Linkage,
}

impl Stage {
    pub const ALL: [Stage; 12] = [
        Stage::Discovery,
        Stage::InitialConsult,
        Stage::Intake,
        Stage::Assessment,
        Stage::Conference,
        Stage::Selection,
        Stage::Planning,
        Stage::Monitoring,
        Stage::Reassessment,
        Stage::Closed,
        Stage::Aftercare,
        Stage::Linkage,
    ];

    /// The 통합사례관리 track, 발굴 to 사후관리, in order.
    pub const MAIN_TRACK: [Stage; 11] = [
        Stage::Discovery,
        Stage::InitialConsult,
        Stage::Intake,
        Stage::Assessment,
        Stage::Conference,
        Stage::Selection,
        Stage::Planning,
        Stage::Monitoring,
        Stage::Reassessment,
        Stage::Closed,
        Stage::Aftercare,
    ];

    /// The 서비스연계 track: 연계 → 점검 → 사후관리 after the first contact.
    pub const LINKAGE_TRACK: [Stage; 5] = [
        Stage::Discovery,
        Stage::InitialConsult,
        Stage::Linkage,
        Stage::Monitoring,
        Stage::Aftercare,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Discovery => "discovery",
            Stage::InitialConsult => "initial_consult",
            Stage::Intake => "intake",
            Stage::Assessment => "assessment",
            Stage::Conference => "conference",
            Stage::Selection => "selection",
            Stage::Planning => "planning",
            Stage::Monitoring => "monitoring",
            Stage::Reassessment => "reassessment",
            Stage::Closed => "closed",
            Stage::Aftercare => "aftercare",
            Stage::Linkage => "linkage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Discovery => "발굴",
            Stage::InitialConsult => "초기상담",
            Stage::Intake => "접수",
            Stage::Assessment => "욕구·위기도 조사",
            Stage::Conference => "사례회의",
            Stage::Selection => "대상자 구분·선정",
            Stage::Planning => "서비스 제공계획",
            Stage::Monitoring => "제공·점검",
            Stage::Reassessment => "재사정",
            Stage::Closed => "종결",
            Stage::Aftercare => "사후관리",
            Stage::Linkage => "서비스연계",
        }
    }

    /// A short label (≤ 4 syllables) for narrow columns.
    pub fn short(self) -> &'static str {
        match self {
            Stage::Assessment => "조사",
            Stage::Selection => "선정",
            Stage::Planning => "계획",
            Stage::Monitoring => "점검",
            Stage::Linkage => "연계",
            other => other.label(),
        }
    }

    /// Parses a code (`intake`) or a Korean label (`접수`, `조사`, `욕구·위기도 조사`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Stage::ALL
            .into_iter()
            .find(|st| st.code() == s || st.label() == s || st.short() == s)
    }

    /// Whether the case is still being worked (not 종결 or 사후관리).
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Closed | Stage::Aftercare)
    }
}

/// 대상자 구분 of a case.
pub const CASE_CATEGORIES: [&str; 3] = ["사례관리 고난도", "사례관리 일반", "서비스연계"];

/// A case (사례).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub resident_id: String,
    pub household_id: Option<String>,
    pub worker: String,
    /// 대상자 구분 (see [`CASE_CATEGORIES`]); empty until 선정.
    pub category: String,
    /// 위기도 점수 (sum over domains) and level (위기/고위험/중위험/저위험).
    pub crisis_score: Option<i64>,
    pub crisis_level: Option<String>,
    pub tags: Vec<String>,
    pub stage: Stage,
    /// `YYYY-MM-DD`.
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub closure_reason: Option<String>,
    pub aftercare_on: Option<String>,
    /// `YYYY-MM-DD HH:MM`, time of the latest entry.
    pub last_activity: String,
}

/// Kinds of timeline entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    InitialConsult,
    Visit,
    Call,
    OfficeVisit,
    Assessment,
    Conference,
    Plan,
    Referral,
    Monitoring,
    Memo,
    /// A stage change (data: from, to, reason).
    StageChange,
    /// 결재 요청 (data: stage; see `timeline::approval`).
    ApprovalRequest,
    /// 결재 승인 (data: stage, request).
    ApprovalApprove,
    /// 결재 반려 with a comment (data: stage, request).
    ApprovalReturn,
    /// 동의 (data: scopes, on, expires, paper).
    Consent,
    /// 동의 철회 (data: consent, scopes).
    ConsentWithdrawal,
    /// 인계: the case moved to another worker (data: from, to, batch).
    Handover,
    /// 이관: the case moved to another site (data: to_site, to_site_name); read-only elsewhere.
    Transfer,
    /// 방문 예정: a planned visit (data: on `YYYY-MM-DD`, time `HH:MM`, purpose, place; see
    /// `timeline::visits`). Not a contact: the 방문 entry that records it (data: plan_id) is.
    VisitPlan,
}

impl EntryKind {
    pub const ALL: [EntryKind; 19] = [
        EntryKind::InitialConsult,
        EntryKind::Visit,
        EntryKind::Call,
        EntryKind::OfficeVisit,
        EntryKind::Assessment,
        EntryKind::Conference,
        EntryKind::Plan,
        EntryKind::Referral,
        EntryKind::Monitoring,
        EntryKind::Memo,
        EntryKind::StageChange,
        EntryKind::ApprovalRequest,
        EntryKind::ApprovalApprove,
        EntryKind::ApprovalReturn,
        EntryKind::Consent,
        EntryKind::ConsentWithdrawal,
        EntryKind::Handover,
        EntryKind::Transfer,
        EntryKind::VisitPlan,
    ];

    /// Kinds written by team steps (결재, 동의, 인계), never through `add_entry` and never
    /// corrected: a new step supersedes an old one.
    pub fn is_team_step(self) -> bool {
        matches!(
            self,
            EntryKind::ApprovalRequest
                | EntryKind::ApprovalApprove
                | EntryKind::ApprovalReturn
                | EntryKind::Consent
                | EntryKind::ConsentWithdrawal
                | EntryKind::Handover
                | EntryKind::Transfer
        )
    }

    pub fn code(self) -> &'static str {
        match self {
            EntryKind::InitialConsult => "initial_consult",
            EntryKind::Visit => "visit",
            EntryKind::Call => "call",
            EntryKind::OfficeVisit => "office_visit",
            EntryKind::Assessment => "assessment",
            EntryKind::Conference => "conference",
            EntryKind::Plan => "plan",
            EntryKind::Referral => "referral",
            EntryKind::Monitoring => "monitoring",
            EntryKind::Memo => "memo",
            EntryKind::StageChange => "stage_change",
            EntryKind::ApprovalRequest => "approval_request",
            EntryKind::ApprovalApprove => "approval_approve",
            EntryKind::ApprovalReturn => "approval_return",
            EntryKind::Consent => "consent",
            EntryKind::ConsentWithdrawal => "consent_withdrawal",
            EntryKind::Handover => "handover",
            EntryKind::Transfer => "transfer",
            EntryKind::VisitPlan => "visit_plan",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::InitialConsult => "초기상담",
            EntryKind::Visit => "방문",
            EntryKind::Call => "전화",
            EntryKind::OfficeVisit => "내방",
            EntryKind::Assessment => "욕구·위기도 조사",
            EntryKind::Conference => "사례회의",
            EntryKind::Plan => "계획",
            EntryKind::Referral => "연계",
            EntryKind::Monitoring => "모니터링",
            EntryKind::Memo => "메모",
            EntryKind::StageChange => "단계 변경",
            EntryKind::ApprovalRequest => "결재 요청",
            EntryKind::ApprovalApprove => "결재 승인",
            EntryKind::ApprovalReturn => "결재 반려",
            EntryKind::Consent => "동의",
            EntryKind::ConsentWithdrawal => "동의 철회",
            EntryKind::Handover => "인계",
            EntryKind::Transfer => "이관",
            EntryKind::VisitPlan => "방문 예정",
        }
    }

    /// A label of at most two syllables for the timeline's kind column.
    pub fn short_label(self) -> &'static str {
        match self {
            EntryKind::InitialConsult => "상담",
            EntryKind::Assessment => "조사",
            EntryKind::Conference => "회의",
            EntryKind::Monitoring => "점검",
            EntryKind::StageChange => "단계",
            EntryKind::ApprovalRequest => "결재",
            EntryKind::ApprovalApprove => "승인",
            EntryKind::ApprovalReturn => "반려",
            EntryKind::ConsentWithdrawal => "철회",
            EntryKind::VisitPlan => "예정",
            other => other.label(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        EntryKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.label() == s)
    }

    /// Whether this kind counts as a contact with the resident (for "no contact for 30 days").
    pub fn is_contact(self) -> bool {
        matches!(
            self,
            EntryKind::InitialConsult
                | EntryKind::Visit
                | EntryKind::Call
                | EntryKind::OfficeVisit
                | EntryKind::Assessment
                | EntryKind::Monitoring
        )
    }
}

/// One timeline entry. Append-only: a correction is a new entry with `corrects` set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub case_id: String,
    pub kind: EntryKind,
    pub author: String,
    /// `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub body: String,
    /// Follow-up due date `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// Kind-specific data (위기도 scores, attendees, goals, referral id, stage move …).
    pub data: serde_json::Value,
    /// The entry this one corrects.
    pub corrects: Option<String>,
    /// A correction that voids the original (with `body` as the reason).
    pub voids: bool,
}

/// Resource categories of the directory.
pub const RESOURCE_CATEGORIES: [&str; 11] = [
    "보건·의료",
    "돌봄·요양",
    "주거",
    "식품·생계",
    "고용·일자리",
    "정신건강",
    "장애인",
    "아동·가족",
    "법률·금융",
    "교육·문화",
    "기타",
];

/// A resource in the directory (자원).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub id: String,
    pub name: String,
    pub category: String,
    pub detail_type: String,
    /// 공공 or 민간.
    pub provider_type: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
    pub eligibility: String,
    pub capacity: Option<i64>,
    pub source: String,
    pub source_key: Option<String>,
    pub imported_at: Option<String>,
}

/// Referral status: 의뢰 → 접수 → 제공 중 → 완료/거절.
pub const REFERRAL_STATUSES: [&str; 5] = ["의뢰", "접수", "제공 중", "완료", "거절"];

/// A referral of a case to a resource (연계).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub id: String,
    pub case_id: String,
    pub resource_id: String,
    pub status: String,
    pub requested_on: String,
    pub updated_on: String,
    pub note: String,
}

/// Actions recorded in the audit log (개인정보의 안전성 확보조치 기준 §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    #[serde(rename = "조회")]
    View,
    #[serde(rename = "입력")]
    Create,
    #[serde(rename = "변경")]
    Update,
    #[serde(rename = "삭제")]
    Delete,
    #[serde(rename = "출력")]
    Print,
    #[serde(rename = "다운로드")]
    Download,
    /// A refused action (e.g. import by a staff member).
    #[serde(rename = "거부")]
    Denied,
}

impl AuditAction {
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::View => "조회",
            AuditAction::Create => "입력",
            AuditAction::Update => "변경",
            AuditAction::Delete => "삭제",
            AuditAction::Print => "출력",
            AuditAction::Download => "다운로드",
            AuditAction::Denied => "거부",
        }
    }
}

/// Splits a comma-separated list column into its items.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}
