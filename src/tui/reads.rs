//! The TUI's read records (issue #20 item 2): what a list view shows — search results, the case
//! list, the 오늘 lists — is recorded once per query or filter, after it has settled, never per
//! keystroke: typing `김민수` writes one row, not three. Only the view, the query or filter and how
//! many residents were shown are recorded (see `store::reads`), never who they were.
//!
//! A shown list becomes *pending*; it is written when the next event comes after it stayed
//! unchanged for [`SETTLE`], when the view changes (the person acted on it), or when the app
//! exits ([`ReadLog::flush`]). A list equal to the last one written is not written again.

use std::time::{Duration, Instant};

/// How long a list must stay unchanged to count as read on its own.
pub const SETTLE: Duration = Duration::from_millis(1500);

/// A list as shown: view, query or filter, residents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub view: &'static str,
    pub query: String,
    pub residents: usize,
}

#[derive(Debug, Default)]
pub struct ReadLog {
    /// (view, query) of the last record written.
    written: Option<(&'static str, String)>,
    /// Shown and not yet written, since when its query last changed.
    pending: Option<(Shown, Instant)>,
}

impl ReadLog {
    /// Takes what is shown now; returns what is to be recorded (at most one record).
    pub fn observe(&mut self, now: Instant, current: Option<Shown>) -> Option<Shown> {
        let mut out = None;
        if let Some((p, since)) = &self.pending {
            let settled = now.duration_since(*since) >= SETTLE;
            let moved = current.as_ref().is_none_or(|c| c.view != p.view);
            if settled || moved {
                out = self.pending.take().map(|(p, _)| p);
            }
        }
        if let Some(p) = &out {
            self.written = Some((p.view, p.query.clone()));
        }
        let Some(c) = current else {
            return out;
        };
        if self
            .written
            .as_ref()
            .is_some_and(|(v, q)| *v == c.view && *q == c.query)
        {
            self.pending = None;
            return out;
        }
        match &mut self.pending {
            Some((p, since)) if p.view == c.view => {
                if p.query != c.query {
                    *since = now;
                }
                *p = c;
            }
            _ => self.pending = Some((c, now)),
        }
        out
    }

    /// What is pending, to record at exit.
    pub fn flush(&mut self) -> Option<Shown> {
        let (p, _) = self.pending.take()?;
        self.written = Some((p.view, p.query.clone()));
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(view: &'static str, q: &str, n: usize) -> Option<Shown> {
        Some(Shown {
            view,
            query: q.into(),
            residents: n,
        })
    }

    #[test]
    fn typing_writes_one_row_and_a_pause_writes_what_was_seen() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut log = ReadLog::default();
        assert_eq!(log.observe(ms(0), shown("tui:search", "김", 40)), None);
        assert_eq!(log.observe(ms(100), shown("tui:search", "김민", 9)), None);
        assert_eq!(log.observe(ms(200), shown("tui:search", "김민수", 2)), None);
        // Moving in the list after a pause: the settled query is recorded once.
        let got = log.observe(ms(2000), shown("tui:search", "김민수", 2));
        assert_eq!(got, shown("tui:search", "김민수", 2));
        assert_eq!(
            log.observe(ms(4000), shown("tui:search", "김민수", 2)),
            None
        );
        assert_eq!(log.flush(), None);
        // Another view right away: the one left is recorded at once.
        assert_eq!(log.observe(ms(4100), shown("tui:search", "박", 30)), None);
        assert_eq!(
            log.observe(ms(4200), shown("tui:cases", "전체 사례", 80)),
            shown("tui:search", "박", 30)
        );
        assert_eq!(log.flush(), shown("tui:cases", "전체 사례", 80));
    }
}
