//! Teamwork data (issue #16): 결재 steps, consents (동의) and handovers (인계) as the store
//! returns them for the 오늘 lists. The rules live in `timeline::{approval, consent, handover}`.
//! Plain data, no I/O.

use super::Stage;
use super::today::CaseRef;
use serde::Serialize;

/// Stages that may need 결재 (a centre picks which; see `timeline::approval`).
pub const APPROVAL_STAGES: [Stage; 3] = [Stage::Assessment, Stage::Planning, Stage::Closed];

/// The 결재 name of a stage: 욕구사정, 서비스 계획, 종결.
pub fn approval_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Assessment => "욕구사정",
        Stage::Planning => "서비스 계획",
        Stage::Closed => "종결",
        other => other.label(),
    }
}

/// A 결재 request still waiting for a decision (the 결재 대기 list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalFact {
    pub case: CaseRef,
    /// The request entry.
    pub request_id: String,
    pub stage: Stage,
    /// Who asked.
    pub requested_by: String,
    /// `YYYY-MM-DD HH:MM`.
    pub requested_at: String,
    pub note: String,
}

/// Scopes of 개인정보 동의.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ConsentScope {
    /// 수집·이용.
    Collect,
    /// 제3자 제공 (a referral or an export to another agency).
    ThirdParty,
    /// 민감정보 (health, disability …).
    Sensitive,
}

impl ConsentScope {
    pub const ALL: [ConsentScope; 3] = [
        ConsentScope::Collect,
        ConsentScope::ThirdParty,
        ConsentScope::Sensitive,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ConsentScope::Collect => "collect",
            ConsentScope::ThirdParty => "third_party",
            ConsentScope::Sensitive => "sensitive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ConsentScope::Collect => "수집·이용",
            ConsentScope::ThirdParty => "제3자 제공",
            ConsentScope::Sensitive => "민감정보",
        }
    }

    /// A code (`third_party`), a label (`제3자 제공`) or a short form (`제3자`, `수집`, `민감`).
    pub fn parse(s: &str) -> Option<ConsentScope> {
        let squash: String = s
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '·')
            .collect();
        ConsentScope::ALL.into_iter().find(|c| {
            let label: String = c
                .label()
                .chars()
                .filter(|x| *x != ' ' && *x != '·')
                .collect();
            c.code() == squash
                || label == squash
                || (squash.chars().count() >= 2 && label.starts_with(&squash))
        })
    }
}

/// A consent that ends within the warning window (오늘: 동의 만료 예정).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentFact {
    pub case: CaseRef,
    pub consent_id: String,
    pub scopes: Vec<ConsentScope>,
    /// `YYYY-MM-DD`.
    pub expires: String,
}

/// A case handed over to the operator (오늘: 인계받음).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandoverFact {
    pub case: CaseRef,
    pub from: String,
    /// `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub note: String,
}
