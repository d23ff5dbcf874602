//! Hybrid logical clock (HLC) packed into an `i64`: `(physical_ms << 16) | logical`.
//!
//! The physical part is milliseconds since the Unix epoch, the logical part a 16-bit counter.
//! Because the counter sits in the low bits, `stamp + 1` is always the next stamp: a counter
//! overflow simply carries into the millisecond part, and plain integer comparison orders stamps.
//! Packed stamps stay positive until the year 6429.
//!
//! # Far-future stamps
//! A stamp whose physical part is more than [`MAX_DRIFT_MS`] (one day) ahead of the local wall
//! clock is refused: sync import rejects a bundle holding such an op, naming its origin (whose
//! clock to fix), and `Tx::observe_hlc` ignores such a stamp, so the local clock never follows
//! it. Adopting it (as an earlier version did, only flagging it) let one op stamped `i64::MAX`
//! pin every later local edit to the same stamp, after which no edit could win a merge.
//! [`observe`] still returns the flag for callers that only want to know. All arithmetic
//! saturates at `i64::MAX`, so no input can make these functions panic.

use chrono::{DateTime, TimeZone, Utc};

/// Number of low bits holding the logical counter.
pub const LOGICAL_BITS: u32 = 16;
/// Mask of the logical counter.
pub const LOGICAL_MASK: i64 = (1 << LOGICAL_BITS) - 1;
/// A remote stamp more than this far ahead of the local wall clock is refused (24 hours).
pub const MAX_DRIFT_MS: i64 = 24 * 60 * 60 * 1000;
/// Largest physical time (ms since the epoch) a packed stamp can hold.
pub const MAX_PHYSICAL_MS: i64 = i64::MAX >> LOGICAL_BITS;

/// Packs a physical time (ms, clamped to `0..=MAX_PHYSICAL_MS`) and a logical counter.
pub fn pack(physical_ms: i64, logical: u16) -> i64 {
    (physical_ms.clamp(0, MAX_PHYSICAL_MS) << LOGICAL_BITS) | i64::from(logical)
}

/// The physical part of a stamp, in milliseconds since the Unix epoch.
pub fn physical_ms(hlc: i64) -> i64 {
    hlc >> LOGICAL_BITS
}

/// The logical counter of a stamp.
pub fn logical(hlc: i64) -> u16 {
    // The mask keeps 16 bits, so the conversion cannot fail.
    u16::try_from(hlc & LOGICAL_MASK).unwrap_or(u16::MAX)
}

/// The stamp for a local event: greater than `last`, and at least the wall clock `now_ms`.
/// Monotonic even if the wall clock goes back.
pub fn tick(last: i64, now_ms: i64) -> i64 {
    pack(now_ms, 0).max(last.saturating_add(1))
}

/// Advances the clock on receiving `remote`: the result is greater than both `last` and
/// `remote`, and at least the wall clock `now_ms`. The flag is true when `remote` is more than
/// [`MAX_DRIFT_MS`] ahead of `now_ms`; callers refuse such a stamp before observing it (see
/// the module docs).
pub fn observe(last: i64, remote: i64, now_ms: i64) -> (i64, bool) {
    let flagged = is_far_future(remote, now_ms);
    let next = pack(now_ms, 0).max(last.max(remote).saturating_add(1));
    (next, flagged)
}

/// True when `stamp` is more than [`MAX_DRIFT_MS`] ahead of the wall clock `now_ms`.
pub fn is_far_future(stamp: i64, now_ms: i64) -> bool {
    physical_ms(stamp) > now_ms.saturating_add(MAX_DRIFT_MS)
}

/// The wall clock in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Formats a stamp as `YYYY-MM-DD HH:MM:SS.mmm+n` in UTC (`n` = logical counter).
pub fn format_utc(hlc: i64) -> String {
    format_in(hlc, &Utc)
}

/// Formats a stamp as `YYYY-MM-DD HH:MM:SS.mmm+n` in the time zone `tz` (e.g. KST as
/// `FixedOffset::east_opt(9 * 3600)`, or `chrono::Local`).
pub fn format_in<Tz: TimeZone>(hlc: i64, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let ms = physical_ms(hlc);
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => format!(
            "{}+{}",
            t.with_timezone(tz).format("%Y-%m-%d %H:%M:%S%.3f"),
            logical(hlc)
        ),
        None => format!("{ms}ms+{}", logical(hlc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;
    use proptest::prelude::*;

    /// Realistic stamps: physical part up to the year ~4200.
    fn stamp() -> impl Strategy<Value = i64> {
        0i64..(1 << 62)
    }

    fn wall() -> impl Strategy<Value = i64> {
        0i64..(1 << 46)
    }

    #[test]
    fn pack_round_trips() {
        let h = pack(1_700_000_000_123, 7);
        assert_eq!(physical_ms(h), 1_700_000_000_123);
        assert_eq!(logical(h), 7);
    }

    #[test]
    fn tick_uses_wall_clock_when_ahead() {
        let last = pack(1000, 5);
        assert_eq!(tick(last, 2000), pack(2000, 0));
    }

    #[test]
    fn tick_counts_when_clock_goes_back() {
        let last = pack(5000, 3);
        assert_eq!(tick(last, 1000), pack(5000, 4));
        // Counter overflow carries into the millisecond part.
        assert_eq!(tick(pack(5000, u16::MAX), 5000), pack(5001, 0));
    }

    #[test]
    fn tick_saturates_instead_of_overflowing() {
        assert_eq!(tick(i64::MAX, 0), i64::MAX);
        assert_eq!(observe(0, i64::MAX, 0).0, i64::MAX);
    }

    #[test]
    fn far_future_is_flagged_but_adopted() {
        let now = 1_700_000_000_000;
        let year = 365 * 24 * 3600 * 1000;
        let (next, flagged) = observe(pack(now, 0), pack(now + year, 2), now);
        assert!(flagged);
        assert_eq!(next, pack(now + year, 3));
        let (_, flagged) = observe(pack(now, 0), pack(now + 3_600_000, 0), now);
        assert!(!flagged, "one hour ahead is ordinary skew");
    }

    #[test]
    fn formats_for_display() {
        let h = pack(1_700_000_000_123, 4);
        assert_eq!(format_utc(h), "2023-11-14 22:13:20.123+4");
        let kst = FixedOffset::east_opt(9 * 3600).expect("valid offset");
        assert_eq!(format_in(h, &kst), "2023-11-15 07:13:20.123+4");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn tick_is_monotonic(start in stamp(), clocks in prop::collection::vec(wall(), 1..50)) {
            let mut last = start;
            for now in clocks {
                let next = tick(last, now);
                prop_assert!(next > last);
                prop_assert!(physical_ms(next) >= now);
                last = next;
            }
        }

        #[test]
        fn observe_exceeds_both_inputs(last in stamp(), remote in stamp(), now in wall()) {
            let (next, flagged) = observe(last, remote, now);
            prop_assert!(next > last);
            prop_assert!(next > remote);
            prop_assert!(physical_ms(next) >= now);
            prop_assert_eq!(flagged, physical_ms(remote) > now + MAX_DRIFT_MS);
        }
    }
}
