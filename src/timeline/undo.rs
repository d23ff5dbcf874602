//! Undo of the last change made in this session (`u`): on an append-only log an undo is a new
//! change that takes the last one back — a void for an entry, a stage move back (with a reason)
//! for a stage change, a correction restoring the follow-up date for a follow-up marker, the
//! old values for a resident edit. Each is audited and synced like any correction.

use super::ops;
use super::rules::StageMove;
use super::types::TimelineError;
use crate::model::Stage;
use crate::store::{ResidentEdit, Store};
use chrono::{NaiveDate, NaiveDateTime};

/// How long after a change it can still be undone.
pub const UNDO_MINUTES: i64 = 10;

/// A change that can be taken back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An entry was added.
    Entry { entry_id: String },
    /// The case moved from stage `from` (the stage-change entry `entry_id`).
    Stage {
        case_id: String,
        from: Stage,
        to: Stage,
    },
    /// A follow-up was marked done or moved by correction `entry_id`; `due` is the date it had.
    FollowUp {
        entry_id: String,
        due: Option<NaiveDate>,
    },
    /// A resident was edited; `before` holds the old values.
    Resident {
        resident_id: String,
        before: ResidentEdit,
    },
}

/// The last change, stamped with the store clock's time it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undo {
    pub at: NaiveDateTime,
    pub change: Change,
}

impl Undo {
    /// A change made now.
    pub fn now(store: &Store, change: Change) -> Undo {
        Undo {
            at: store.clock().now(),
            change,
        }
    }
}

/// Takes `undo` back if it is recent enough; returns the status message.
pub fn apply(store: &mut Store, undo: &Undo) -> Result<String, TimelineError> {
    let age = store.clock().now() - undo.at;
    if age.num_minutes() >= UNDO_MINUTES {
        return Err(TimelineError::Invalid(format!(
            "{UNDO_MINUTES}분이 지나 되돌릴 수 없습니다: 기록 정정(c)이나 단계 변경(s)으로 고치세요"
        )));
    }
    match &undo.change {
        Change::Entry { entry_id } => {
            ops::void_entry(store, entry_id, "되돌리기: 방금 입력을 취소함")?;
            Ok("방금 추가한 기록을 되돌렸습니다 (무효 처리, 원본 보존)".into())
        }
        Change::Stage { case_id, from, to } => {
            let header = store.case_header(case_id)?;
            if header.case.stage != *to {
                return Err(TimelineError::Invalid(
                    "그 뒤에 단계가 다시 바뀌어 되돌릴 수 없습니다".into(),
                ));
            }
            let mv = StageMove {
                to: *from,
                reason: format!("되돌리기: {} → {} 취소", from.label(), to.label()),
                closure_reason: None,
            };
            ops::change_stage(store, case_id, &mv)?;
            Ok(format!("단계를 {}(으)로 되돌렸습니다", from.label()))
        }
        Change::FollowUp { entry_id, due } => {
            ops::restore_follow_up(store, entry_id, *due)?;
            Ok("후속 일정을 되돌렸습니다".into())
        }
        Change::Resident {
            resident_id,
            before,
        } => {
            store.edit_resident(resident_id, before)?;
            Ok("주민 정보 수정을 되돌렸습니다".into())
        }
    }
}
