//! Case timelines (통합사례관리): the stage rules, entries with append-only corrections,
//! what is due today, the headless case list and the case-summary export.
//!
//! The TUI panes call [`ops`] (re-exported here) and read [`types`] and [`due`] data.

pub mod approval;
pub mod consent;
pub mod due;
pub mod export;
pub mod handover;
pub mod ops;
pub mod rules;
pub mod transfer;
pub mod types;
pub mod undo;
pub mod visits;

pub use due::{Charts, DueItem, DueKind, Scope, Today};
pub use ops::{
    FOLLOW_UP, add_entry, add_entry_as, change_stage, charts, complete_follow_up, correct_entry,
    load, reschedule_follow_up, resolve, restore_follow_up, set_referral_status, today, view,
    void_entry,
};
pub use rules::{Move, StageMove, check_move};
pub use types::{
    CaseFilter, CaseHeader, CaseRow, EntryData, NewEntry, Timeline, TimelineError, TimelineItem,
};
