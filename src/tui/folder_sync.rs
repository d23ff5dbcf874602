//! Shared-folder sync in the background (#19): when `setting.sync_folder` is set (`dolbom sync
//! folder PATH --remember`), a pass ([`crate::sync::folder::run_pass`]) runs on a worker thread
//! at start, every [`PERIOD`], and [`DEBOUNCE`] after this PC's last write — never blocking
//! input. The status bar shows the last exchange, or a quiet warning after a failure (the next
//! try comes by itself). This holds only the timing and the outcome; the app spawns the pass.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often the loop is asked whether a pass is due.
pub const TICK: Duration = Duration::from_secs(5);
/// A pass at least this often (peers' changes arrive within about this).
pub const PERIOD: Duration = Duration::from_secs(30);
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
}

impl FolderSync {
    pub fn new(folder: Option<String>) -> FolderSync {
        FolderSync {
            folder: folder.filter(|f| !f.trim().is_empty()).map(PathBuf::from),
            ..FolderSync::default()
        }
    }

    /// Whether a pass should start now, given this site's highest op seq.
    pub fn due(&mut self, own_seq: i64, now: Instant) -> bool {
        if self.folder.is_none() || self.running {
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
        written || now.duration_since(last) >= PERIOD
    }

    /// Asks for a pass at the next tick (e.g. after the folder setting changed).
    pub fn request(&mut self) {
        self.last_pass = None;
    }

    /// A pass starts.
    pub fn started(&mut self, own_seq: i64, now: Instant) {
        self.running = true;
        self.last_pass = Some(now);
        self.passed_seq = own_seq;
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
        if self.failed {
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
}
