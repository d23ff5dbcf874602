//! The messages the event loop reacts to, and the background index build that sends one. Kept
//! apart from the loop ([`super::run`]) so the app can start jobs without importing the loop.

use crate::search::residents::ResidentIndex;
use crossterm::event::Event;
use std::sync::mpsc::Sender;
use std::thread;

/// Everything the loop reacts to.
pub enum Msg {
    /// Every terminal event that was waiting when the input thread woke (a burst of keys or a
    /// plain paste arrives as one batch, handled whole before the next draw).
    Input(Vec<Event>),
    /// Ctrl-Z or an outside SIGTSTP (Unix): restore the terminal, stop, and take it back on `fg`.
    Suspend,
    /// The search index finished building.
    Index(Result<Box<ResidentIndex>, String>),
    /// SIGTERM / SIGHUP: leave cleanly so the terminal is restored.
    Terminate,
    /// A background import's progress (done, total).
    ImportProgress(u64, u64),
    /// A background sync job's progress (done, total; total 0 when unknown).
    JobProgress(u64, u64),
    /// A background sync job finished: its report, or the error.
    JobDone(Box<Result<String, String>>),
    /// A background import finished.
    ImportDone(Box<Result<crate::resources::upsert::ImportReport, String>>),
    /// A background 오늘 load finished: the request's generation and its lists and charts.
    TodayLoaded(u64, Box<Result<super::panes::today::TodayData, String>>),
    /// A background 통계 (월별 실적) load finished: the request's generation and the report.
    StatsLoaded(
        u64,
        Box<Result<crate::paper::monthly::MonthlyReport, String>>,
    ),
    /// Time to ask whether a shared-folder pass is due ([`super::folder_sync`]).
    FolderTick,
    /// A shared-folder pass finished.
    FolderDone(Box<Result<crate::sync::folder::FolderReport, String>>),
}

/// Sends [`Msg::FolderTick`] now and every [`super::folder_sync::TICK`] until the loop is gone.
pub fn spawn_folder_ticks(tx: Sender<Msg>) {
    thread::spawn(move || {
        while tx.send(Msg::FolderTick).is_ok() {
            thread::sleep(super::folder_sync::TICK);
        }
    });
}

/// Loads the stored resident index (or builds it when it is stale) on a worker thread; it
/// arrives as [`Msg::Index`].
pub fn spawn_index(tx: Sender<Msg>, file: crate::store::DbFile) {
    thread::spawn(move || {
        let result = ResidentIndex::load_or_build(file)
            .map(Box::new)
            .map_err(|e| e.to_string());
        // A refresh or a rebuild just freed tens of MB (at 1M residents): give them back.
        crate::memory::release();
        let _ = tx.send(Msg::Index(result));
    });
}
