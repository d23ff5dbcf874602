//! Shared-folder sync in the background (#19): when `setting.sync_folder` is set (`dolbom sync
//! folder PATH --remember`), a pass ([`crate::sync::folder::run_pass`]) runs on a worker thread
//! at start, every [`PERIOD`], and [`DEBOUNCE`] after this PC's last write — never blocking
//! input. The status bar shows the last exchange, or a quiet warning after a failure (the next
//! try comes by itself). At quit one more pass (export only) gets at most [`QUIT_WAIT`]; then
//! the app leaves anyway and what was not sent goes at the next start. This holds only the
//! timing and the outcome; the app spawns the pass.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often the loop is asked whether a pass is due.
pub const TICK: Duration = Duration::from_secs(5);
/// A pass at least this often by default (peers' changes arrive within about this); the
/// `sync_folder_every` setting changes it (the sync pane's 주기).
pub const PERIOD: Duration = Duration::from_secs(30);
/// The shortest and longest period the setting takes (seconds).
pub const PERIOD_RANGE: std::ops::RangeInclusive<u64> = 10..=3600;
/// The longest the app waits at quit for its last pass.
pub const QUIT_WAIT: Duration = Duration::from_secs(3);

/// What quitting waits for ([`FolderSync::quit_step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuitStep {
    /// Start the last pass now (export only).
    Start,
    /// A pass is running: wait for it (at most until the deadline).
    Wait,
    /// Leave now: the last pass ended, nothing was left to send, or time is up.
    Done,
}
/// An acknowledgement-only file (what this PC holds, so peers can delete their old bundles)
/// at most this often; a bundle of this PC's own changes carries one anyway.
pub const ACK_EVERY: Duration = Duration::from_secs(600);
/// Quiet time after a write before its pass (a burst of edits goes as one bundle).
pub const DEBOUNCE: Duration = Duration::from_secs(3);

/// The background pass's timing and last outcome.
#[derive(Debug, Default)]
pub struct FolderSync {
    /// The shared folder, if this PC syncs through one.
    pub folder: Option<PathBuf>,
    running: bool,
    last_pass: Option<Instant>,
    /// This site's highest op seq when the last pass started.
    passed_seq: i64,
    /// The highest seq seen since, and when it changed (the debounce).
    seen: (i64, Option<Instant>),
    /// Local time (HH:MM) of the last pass that worked.
    pub last_exchange: Option<String>,
    /// The last pass failed (folder missing, no permission, disk full): shown quietly.
    pub failed: bool,
    /// How often a pass runs at least.
    pub period: Duration,
    /// Plain (signed-only) bundles allowed when no peer key is known (`sync_folder_plain`).
    pub plain: bool,
    /// The last pass exported nothing because no peer key is known (a quiet warning).
    pub no_key: bool,
    /// A tick thread runs (started with the loop when a folder is set, or when one is set).
    pub ticking: bool,
    /// Quitting: until when the last pass may run, and whether it started.
    quit: Option<(Instant, bool)>,
}

impl FolderSync {
    pub fn new(folder: Option<String>) -> FolderSync {
        FolderSync {
            folder: folder.filter(|f| !f.trim().is_empty()).map(PathBuf::from),
            period: PERIOD,
            ..FolderSync::default()
        }
    }

    /// The folder, period and plain-bundle settings as stored (an unreadable setting is unset).
    pub fn from_store(store: &crate::store::Store) -> FolderSync {
        let mut s = FolderSync::new(store.sync_folder().ok().flatten());
        if let Some(secs) = store.sync_folder_every().ok().flatten() {
            s.period = Duration::from_secs(secs.clamp(*PERIOD_RANGE.start(), *PERIOD_RANGE.end()));
        }
        s.plain = crate::sync::folder::plain_allowed(store).unwrap_or(false);
        s
    }

    /// Whether a pass is running.
    pub fn running(&self) -> bool {
        self.running
    }

    /// Whether a quit is waiting for the last pass.
    pub fn quitting(&self) -> bool {
        self.quit.is_some()
    }

    /// Quit was asked: what to do now. The first call sets the deadline ([`QUIT_WAIT`]); call
    /// again whenever something arrives (a pass ended, a tick) until it says [`QuitStep::Done`].
    /// A pass is started at most once, and only when this PC wrote since the last pass began or
    /// the last pass failed.
    pub fn quit_step(&mut self, own_seq: i64, now: Instant) -> QuitStep {
        if self.folder.is_none() {
            return QuitStep::Done;
        }
        let (deadline, started) = *self.quit.get_or_insert((now + QUIT_WAIT, false));
        if now >= deadline {
            return QuitStep::Done;
        }
        if self.running {
            return QuitStep::Wait;
        }
        let sent = self.last_pass.is_some() && own_seq == self.passed_seq && !self.failed;
        if started || sent {
            return QuitStep::Done;
        }
        QuitStep::Start
    }

    /// The status-bar message while the last pass runs.
    pub fn quit_message() -> String {
        format!(
            "공유 폴더로 보내는 중… (최대 {}초, 못 보낸 것은 다음 실행 때)",
            QUIT_WAIT.as_secs()
        )
    }

    /// Whether a pass should start now, given this site's highest op seq.
    pub fn due(&mut self, own_seq: i64, now: Instant) -> bool {
        if self.folder.is_none() || self.running || self.quit.is_some() {
            return false;
        }
        if own_seq != self.seen.0 {
            self.seen = (own_seq, Some(now));
        }
        let Some(last) = self.last_pass else {
            return true;
        };
        let written = own_seq != self.passed_seq
            && self
                .seen
                .1
                .is_some_and(|t| now.duration_since(t) >= DEBOUNCE);
        written || now.duration_since(last) >= self.period
    }

    /// Asks for a pass at the next tick (e.g. after the folder setting changed).
    pub fn request(&mut self) {
        self.last_pass = None;
    }

    /// A pass starts.
    pub fn started(&mut self, own_seq: i64, now: Instant) {
        if let Some((_, started)) = &mut self.quit {
            *started = true;
        }
        self.running = true;
        self.last_pass = Some(now);
        self.passed_seq = own_seq;
    }

    /// A pass ended (`at`: local HH:MM). `no_key`: it exported nothing for want of a peer key.
    pub fn finished_with(&mut self, ok: bool, no_key: bool, at: String) {
        self.no_key = ok && no_key;
        self.finished(ok, at);
    }

    /// A pass ended (`at`: local HH:MM).
    pub fn finished(&mut self, ok: bool, at: String) {
        self.running = false;
        self.failed = !ok;
        if ok {
            self.last_exchange = Some(at);
        }
    }

    /// The shortest form, for a narrow status bar: `14:02`, `폴더!`, `…`.
    pub fn status_short(&self) -> Option<String> {
        self.folder.as_ref()?;
        if self.failed || self.no_key {
            return Some("폴더!".to_string());
        }
        Some(
            self.last_exchange
                .clone()
                .unwrap_or_else(|| "…".to_string()),
        )
    }

    /// The status-bar part: `폴더 14:02`, `폴더 동기화 실패(다시 시도)`, or nothing.
    pub fn status(&self) -> Option<String> {
        self.folder.as_ref()?;
        if self.failed {
            return Some("폴더 동기화 안 됨(곧 다시)".to_string());
        }
        if self.no_key {
            return Some("폴더: 팀 PC 키 없음 — 보내지 않음".to_string());
        }
        Some(match &self.last_exchange {
            Some(t) => format!("폴더 {t}"),
            None => "폴더 …".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_due_at_start_after_a_quiet_write_and_every_period() {
        let mut s = FolderSync::new(Some("/share".into()));
        let t0 = Instant::now();
        assert!(s.due(5, t0), "at start");
        s.started(5, t0);
        assert!(!s.due(5, t0 + PERIOD), "not while running");
        s.finished(true, "09:00".into());
        assert!(!s.due(5, t0 + TICK));
        // A write: due once it has been quiet for DEBOUNCE.
        assert!(!s.due(6, t0 + TICK));
        assert!(!s.due(6, t0 + TICK + DEBOUNCE / 2));
        assert!(s.due(6, t0 + TICK + DEBOUNCE));
        s.started(6, t0 + TICK + DEBOUNCE);
        s.finished(false, "09:01".into());
        assert_eq!(s.status().as_deref(), Some("폴더 동기화 안 됨(곧 다시)"));
        assert!(s.due(6, t0 + TICK + DEBOUNCE + PERIOD), "retried by itself");
        assert!(FolderSync::new(None).status().is_none());
        assert!(!FolderSync::new(None).due(1, t0));
    }

    #[test]
    fn quitting_passes_once_and_never_waits_past_the_deadline() {
        let t0 = Instant::now();
        // No folder: leave at once.
        assert_eq!(FolderSync::new(None).quit_step(3, t0), QuitStep::Done);
        // Written since the last pass: one pass, then leave when it ends.
        let mut s = FolderSync::new(Some("/share".into()));
        s.started(1, t0);
        s.finished(true, "09:00".into());
        assert_eq!(s.quit_step(2, t0), QuitStep::Start);
        assert!(s.quitting());
        s.started(2, t0);
        assert!(!s.due(2, t0 + PERIOD), "no regular pass while quitting");
        assert_eq!(s.quit_step(2, t0 + QUIT_WAIT / 2), QuitStep::Wait);
        s.finished(false, "09:01".into());
        assert_eq!(s.quit_step(2, t0 + QUIT_WAIT / 2), QuitStep::Done, "once");
        // A slow folder: the pass never ends, the deadline lets the app go.
        let mut s = FolderSync::new(Some("/slow".into()));
        assert_eq!(s.quit_step(0, t0), QuitStep::Start);
        s.started(0, t0);
        assert_eq!(s.quit_step(0, t0 + QUIT_WAIT / 2), QuitStep::Wait);
        assert_eq!(s.quit_step(0, t0 + QUIT_WAIT), QuitStep::Done);
        // Nothing new since a pass that worked: no pass at all.
        let mut s = FolderSync::new(Some("/share".into()));
        s.started(4, t0);
        s.finished(true, "09:00".into());
        assert_eq!(s.quit_step(4, t0), QuitStep::Done);
        // A pass already running: wait for it, then send what is newer.
        let mut s = FolderSync::new(Some("/share".into()));
        s.started(4, t0);
        assert_eq!(s.quit_step(5, t0), QuitStep::Wait);
        s.finished(true, "09:00".into());
        assert_eq!(s.quit_step(5, t0), QuitStep::Start);
    }
}
