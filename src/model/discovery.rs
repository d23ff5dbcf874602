//! The 복지사각지대 발굴 queue (issue #16 item 5): one row per person on a round's list.

use serde::{Deserialize, Serialize};

/// What checking a 발굴 row found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// 지원 연계: linked to support (an intake or a service).
    #[serde(rename = "지원 연계")]
    Linked,
    /// 비해당: not eligible / not at risk.
    #[serde(rename = "비해당")]
    NotApplicable,
    /// 조사 불가: could not be reached or surveyed.
    #[serde(rename = "조사 불가")]
    Unreachable,
    /// 거부: refused.
    #[serde(rename = "거부")]
    Refused,
    /// 이미 관리 중: already a case.
    #[serde(rename = "이미 관리 중")]
    AlreadyManaged,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Linked,
        Outcome::NotApplicable,
        Outcome::Unreachable,
        Outcome::Refused,
        Outcome::AlreadyManaged,
    ];

    /// The Korean label (also the stored value).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Linked => "지원 연계",
            Outcome::NotApplicable => "비해당",
            Outcome::Unreachable => "조사 불가",
            Outcome::Refused => "거부",
            Outcome::AlreadyManaged => "이미 관리 중",
        }
    }

    /// A label, spaces ignored (`지원연계` = `지원 연계`), or an English code name.
    pub fn parse(s: &str) -> Option<Outcome> {
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let code = compact.to_ascii_lowercase();
        Outcome::ALL.into_iter().find(|o| {
            o.label().replace(' ', "") == compact
                || o.code() == code
                || o.code().replace('-', "") == code.replace(['-', '_'], "")
        })
    }

    /// English code name (`linked`, `not-applicable`, `unreachable`, `refused`, `managed`).
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Linked => "linked",
            Outcome::NotApplicable => "not-applicable",
            Outcome::Unreachable => "unreachable",
            Outcome::Refused => "refused",
            Outcome::AlreadyManaged => "managed",
        }
    }
}

/// One row of the queue, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoveryItem {
    pub id: String,
    pub round: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub address: String,
    pub dong: String,
    /// Signals, in file order.
    pub signals: Vec<String>,
    /// `YYYY-MM-DD`.
    pub deadline: String,
    /// The matched resident, if any.
    pub resident_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub note: String,
    pub checked_on: Option<String>,
    /// The line of the file it came from.
    pub line: u64,
}

impl DiscoveryItem {
    /// Days until the deadline from `today` (negative when overdue); None for a bad date.
    pub fn days_left(&self, today: chrono::NaiveDate) -> Option<i64> {
        let d = chrono::NaiveDate::parse_from_str(&self.deadline, "%Y-%m-%d").ok()?;
        Some((d - today).num_days())
    }
}

/// Progress of one 회차.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundProgress {
    pub round: String,
    /// The earliest deadline of the round's rows.
    pub deadline: String,
    pub total: u64,
    /// Rows with an outcome.
    pub checked: u64,
    /// Rows without an outcome whose deadline has passed.
    pub overdue: u64,
    /// Rows matched to an existing resident.
    pub matched: u64,
}

/// One 회차 as it stood at a month's end, for the 월별 실적 and the 통계 screen (the figures
/// are defined in `paper::monthly::DEFINITIONS`, codes `discovery_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundAtMonthEnd {
    pub round: String,
    /// The earliest deadline of the round's rows.
    pub deadline: String,
    pub total: u64,
    /// Rows answered by the month's last day.
    pub checked: u64,
    /// Of those, answered within the month.
    pub checked_in_month: u64,
    /// Rows unanswered at the month's end whose deadline passed before its last day.
    pub overdue: u64,
    /// Answered rows by outcome, in [`Outcome::ALL`] order.
    pub outcomes: [u64; 5],
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn outcomes_parse_by_label_and_code() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.label()), Some(o));
            assert_eq!(Outcome::parse(o.code()), Some(o));
        }
        assert_eq!(Outcome::parse("지원연계"), Some(Outcome::Linked));
        assert_eq!(Outcome::parse("이미관리중"), Some(Outcome::AlreadyManaged));
        assert_eq!(Outcome::parse("모름"), None);
    }
}
