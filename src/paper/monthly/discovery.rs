//! The 발굴 figures of the 월별 실적 (issue #16 item 5): every 복지사각지대 발굴 회차 still
//! running in the month, as it stood at the month's end — 대상, 처리 (by the last day and
//! within the month), 기한 경과, and the answers by outcome. Defined once in
//! [`super::DEFINITIONS`] (codes `discovery_*`), read with one store call, and printed as rows
//! of the 세부 sheet / CSV (구분 `발굴 회차`, 이름 = the 회차). The 통계 screen shows the same.

use super::{MonthlyReport, PaperError};
use crate::model::{Outcome, RoundAtMonthEnd};
use crate::store::Store;
use chrono::NaiveDate;

/// The 구분 of the 발굴 rows.
pub const DISCOVERY_KIND: &str = "발굴 회차";

/// The rounds of the month `first..=last` (see [`Store::discovery_rounds_at`]).
pub fn discovery_rounds(
    store: &Store,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<RoundAtMonthEnd>, PaperError> {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(store.discovery_rounds_at(&day(first), &day(last))?)
}

/// The report's 발굴 figures as long rows (구분, 이름, 지표 code, 세부, 값); an outcome row
/// for each outcome a round has.
pub fn discovery_rows(r: &MonthlyReport) -> Vec<(&'static str, String, &'static str, String, u64)> {
    let mut rows = Vec::new();
    for d in &r.discovery {
        let name = || d.round.clone();
        rows.push((
            DISCOVERY_KIND,
            name(),
            "discovery_total",
            String::new(),
            d.total,
        ));
        rows.push((
            DISCOVERY_KIND,
            name(),
            "discovery_checked",
            String::new(),
            d.checked,
        ));
        rows.push((
            DISCOVERY_KIND,
            name(),
            "discovery_checked_in_month",
            String::new(),
            d.checked_in_month,
        ));
        rows.push((
            DISCOVERY_KIND,
            name(),
            "discovery_overdue",
            String::new(),
            d.overdue,
        ));
        for (o, n) in Outcome::ALL.iter().zip(d.outcomes) {
            if n > 0 {
                rows.push((
                    DISCOVERY_KIND,
                    name(),
                    "discovery_outcomes",
                    o.label().to_string(),
                    n,
                ));
            }
        }
    }
    rows
}
