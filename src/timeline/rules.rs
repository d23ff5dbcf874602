//! The 통합사례관리 lifecycle as data: which stage may follow which, what a move needs
//! (nothing, a reason, a closure reason), and the closure reasons.
//!
//! Moves listed in [`NEXT`] are the regular path and need nothing. Any other move between open
//! stages is allowed only with a reason, which is recorded on the stage-change entry. Moving an
//! open case to 종결 (or straight to 사후관리, as the 서비스연계 track does) closes it: that needs a
//! closure reason from [`CLOSURE_REASONS`] and sets the 사후관리 date. Moving a closed case back to
//! an open stage is 재개 (reopening) and needs a reason.

use crate::model::Stage;
use chrono::{Duration, NaiveDate};

/// Days from closing to the 사후관리 check.
pub const AFTERCARE_DAYS: i64 = 90;

/// Closure reasons (종결 사유). `기타` needs a note saying what.
pub const CLOSURE_REASONS: [&str; 7] = [
    "목표 달성",
    "이사",
    "사망",
    "거부",
    "연락두절",
    "타기관 이관",
    "기타",
];

/// 위기도 level from the summed domain scores (7 domains × 1–5).
pub fn crisis_level(score: i64) -> &'static str {
    match score {
        s if s >= 28 => "위기",
        s if s >= 22 => "고위험",
        s if s >= 15 => "중위험",
        _ => "저위험",
    }
}

/// 위기도 domains scored 1–5 in a 욕구·위기도 조사.
pub const CRISIS_DOMAINS: [&str; 7] = [
    "안전",
    "건강",
    "일상생활",
    "가족관계",
    "경제",
    "주거",
    "정신건강",
];

/// The regular path: each stage and the stages that may follow it without a reason.
/// (Closing is not listed: it is always possible with a closure reason.)
pub const NEXT: &[(Stage, &[Stage])] = &[
    (Stage::Discovery, &[Stage::InitialConsult]),
    // 초기상담 leads to 접수 (통합사례관리) or to the 서비스연계 track.
    (Stage::InitialConsult, &[Stage::Intake, Stage::Linkage]),
    (Stage::Intake, &[Stage::Assessment]),
    (Stage::Assessment, &[Stage::Conference]),
    (Stage::Conference, &[Stage::Selection]),
    // 대상자 구분: 사례관리 goes on to 계획; 서비스연계 goes to the 연계 track.
    (Stage::Selection, &[Stage::Planning, Stage::Linkage]),
    (Stage::Planning, &[Stage::Monitoring]),
    (Stage::Monitoring, &[Stage::Reassessment]),
    // 재사정 goes back to 계획 or 점검 (or on to 종결, which is a closure).
    (Stage::Reassessment, &[Stage::Planning, Stage::Monitoring]),
    (Stage::Linkage, &[Stage::Monitoring]),
    (Stage::Closed, &[Stage::Aftercare]),
    (Stage::Aftercare, &[]),
];

/// What a stage move needs, by [`check_move`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// On the regular path.
    Allowed,
    /// Out of order: allowed with a reason, which is recorded.
    NeedsReason,
    /// Closes an open case (to 종결, or to 사후관리): needs a closure reason; sets the 사후관리 date.
    Close,
    /// 재개: a closed case back to an open stage; needs a reason.
    Reopen,
    /// Already in that stage.
    Unchanged,
}

/// Whether `to` may follow `from`, and what the move needs.
pub fn check_move(from: Stage, to: Stage) -> Move {
    if from == to {
        return Move::Unchanged;
    }
    if from.is_open() && !to.is_open() {
        return Move::Close;
    }
    if !from.is_open() && to.is_open() {
        return Move::Reopen;
    }
    let regular = NEXT
        .iter()
        .find(|(s, _)| *s == from)
        .is_some_and(|(_, next)| next.contains(&to));
    if regular {
        Move::Allowed
    } else {
        Move::NeedsReason
    }
}

/// Stages that follow `from` on the regular path (for pickers: offer these first).
pub fn next_stages(from: Stage) -> &'static [Stage] {
    NEXT.iter()
        .find(|(s, _)| *s == from)
        .map_or(&[], |(_, next)| next)
}

/// A requested stage change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMove {
    pub to: Stage,
    /// Why (required for out-of-order moves, 재개, and closure reason `기타`).
    pub reason: String,
    /// One of [`CLOSURE_REASONS`], required when the move closes the case.
    pub closure_reason: Option<String>,
}

/// Why a stage move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("이미 {0} 단계입니다 (already in that stage)")]
    Unchanged(&'static str),
    #[error(
        "{from} → {to}: 순서를 벗어난 이동은 사유가 필요합니다 (out-of-order move needs a reason)"
    )]
    NeedsReason {
        from: &'static str,
        to: &'static str,
    },
    #[error("종결 사유를 고르세요: {} (closure needs a reason)", CLOSURE_REASONS.join(", "))]
    NeedsClosureReason,
    #[error("알 수 없는 종결 사유: {0} (unknown closure reason)")]
    UnknownClosureReason(String),
    #[error("종결 사유 '기타'는 내용을 적어야 합니다 (closure reason 기타 needs a note)")]
    OtherNeedsNote,
    #[error("재개(다시 열기)는 사유가 필요합니다 (reopening needs a reason)")]
    ReopenNeedsReason,
}

/// What a validated move does to the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveEffect {
    pub kind: Move,
    /// Set when closing: `(closed_on, closure_reason, aftercare_on)`.
    pub close: Option<(NaiveDate, String, NaiveDate)>,
    /// Whether 종결 fields are cleared (재개).
    pub reopen: bool,
}

/// Checks `mv` against the rules for a case now in `from`; `today` dates a closure.
pub fn validate(from: Stage, mv: &StageMove, today: NaiveDate) -> Result<MoveEffect, RuleError> {
    let reason = mv.reason.trim();
    let kind = check_move(from, mv.to);
    match kind {
        Move::Unchanged => Err(RuleError::Unchanged(from.label())),
        Move::NeedsReason if reason.is_empty() => Err(RuleError::NeedsReason {
            from: from.label(),
            to: mv.to.label(),
        }),
        Move::Reopen if reason.is_empty() => Err(RuleError::ReopenNeedsReason),
        Move::Close => {
            let closure = mv
                .closure_reason
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or(RuleError::NeedsClosureReason)?;
            if !CLOSURE_REASONS.contains(&closure) {
                return Err(RuleError::UnknownClosureReason(closure.to_string()));
            }
            if closure == "기타" && reason.is_empty() {
                return Err(RuleError::OtherNeedsNote);
            }
            Ok(MoveEffect {
                kind,
                close: Some((
                    today,
                    closure.to_string(),
                    today + Duration::days(AFTERCARE_DAYS),
                )),
                reopen: false,
            })
        }
        Move::Reopen => Ok(MoveEffect {
            kind,
            close: None,
            reopen: true,
        }),
        Move::Allowed | Move::NeedsReason => Ok(MoveEffect {
            kind,
            close: None,
            reopen: false,
        }),
    }
}

/// Referral status moves: 의뢰 → 접수 → 제공 중 → 완료, and 거절 from any unfinished status.
/// Skipping forward is allowed (a provider may accept and start at once); going back is not,
/// and 완료/거절 are final.
pub fn referral_move_ok(from: &str, to: &str) -> bool {
    let order = ["의뢰", "접수", "제공 중", "완료"];
    let pos = |s: &str| order.iter().position(|o| *o == s);
    match (from, to) {
        ("완료" | "거절", _) => false,
        (_, "거절") => pos(from).is_some(),
        _ => matches!((pos(from), pos(to)), (Some(a), Some(b)) if b > a),
    }
}
