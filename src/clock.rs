//! Wall clock, fixable for tests and demos with `DOLBOM_NOW=YYYY-MM-DDTHH:MM:SS`.

use chrono::{Local, NaiveDate, NaiveDateTime};

/// Source of "now". `Clock::system()` reads `DOLBOM_NOW` once, else the local time.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<NaiveDateTime>,
}

impl Clock {
    /// The system clock, unless `DOLBOM_NOW` fixes it (tests, reproducible demos).
    pub fn system() -> Self {
        let fixed = std::env::var("DOLBOM_NOW")
            .ok()
            .and_then(|s| parse_datetime(&s));
        Clock { fixed }
    }

    /// A clock stopped at `at`.
    pub fn fixed(at: NaiveDateTime) -> Self {
        Clock { fixed: Some(at) }
    }

    /// Local date-time now.
    pub fn now(&self) -> NaiveDateTime {
        self.fixed.unwrap_or_else(|| Local::now().naive_local())
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// Milliseconds since the Unix epoch (local time read as UTC; only used for HLC stamps).
    pub fn now_ms(&self) -> i64 {
        match self.fixed {
            Some(t) => t.and_utc().timestamp_millis(),
            None => chrono::Utc::now().timestamp_millis(),
        }
    }

    /// `YYYY-MM-DD HH:MM:SS`.
    pub fn stamp(&self) -> String {
        self.now().format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS]`.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    parse_date(s).and_then(|d| d.and_hms_opt(9, 0, 0))
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}
