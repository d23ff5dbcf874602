//! Parsers for option values that clap cannot check from a plain list: stages (code, label or
//! short label), flags (Korean or English), `--since` dates and `--month`. Each returns an error
//! message; clap prints it with the flag's name and exits 2.

use crate::model::Stage;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// `--stage`: a stage code (`monitoring`), label (`제공·점검`) or short label (`점검`).
pub fn stage(s: &str) -> Result<Stage, String> {
    Stage::parse(s).ok_or_else(|| {
        let known: Vec<String> = Stage::ALL
            .iter()
            .map(|s| format!("{} ({})", s.code(), s.label()))
            .collect();
        format!(
            "알 수 없는 단계입니다 (unknown stage); 가능한 값: {}",
            known.join(", ")
        )
    })
}

/// A status flag or risk indicator, as imports and the demo record them (the words of
/// `resources::upsert::residents`), with English and spacing aliases for `--flag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Flag {
    #[value(name = "독거", alias = "living-alone")]
    LivingAlone,
    #[value(name = "기초수급", aliases = ["기초생활수급", "수급자", "basic-livelihood"])]
    BasicLivelihood,
    #[value(name = "차상위", alias = "near-poverty")]
    NearPoverty,
    #[value(name = "장애", alias = "disability")]
    Disability,
    #[value(name = "한부모", alias = "single-parent")]
    SingleParent,
    #[value(name = "조손", alias = "grandparent")]
    Grandparent,
    #[value(name = "단전", alias = "power-cut")]
    PowerCut,
    #[value(name = "단수", alias = "water-cut")]
    WaterCut,
    #[value(name = "건보료 체납", aliases = ["건보료체납", "건강보험료체납", "health-insurance-arrears"])]
    HealthInsuranceArrears,
    #[value(name = "통신비 체납", aliases = ["통신비체납", "phone-bill-arrears"])]
    PhoneBillArrears,
    #[value(name = "주거위기", aliases = ["주거 위기", "housing-crisis"])]
    HousingCrisis,
    #[value(name = "연락두절", aliases = ["연락 두절", "unreachable"])]
    Unreachable,
}

impl Flag {
    /// The word stored on residents (`건보료 체납`).
    pub fn label(self) -> String {
        use clap::ValueEnum as _;
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// `--since`: a date (`2026-11-01`, from the start of that day) or a date-time
/// (`2026-11-01T09:00`, `2026-11-01 09:00:30`).
pub fn since(s: &str) -> Result<NaiveDateTime, String> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_time(NaiveTime::MIN));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(t);
        }
    }
    Err("날짜나 일시가 아닙니다 (not a date or date-time); 예: 2026-11-01, 2026-11-01T09:00".into())
}

/// `--month`: `YYYY-MM`.
pub fn month(s: &str) -> Result<String, String> {
    let t = s.trim();
    match NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d") {
        Ok(d) if t.len() == 7 => Ok(d.format("%Y-%m").to_string()),
        _ => Err("YYYY-MM 형식이 아닙니다 (not a month); 예: 2026-11".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn since_takes_dates_and_date_times() {
        let at = |s: &str| since(s).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
        assert_eq!(at("2026-11-01").as_deref(), Ok("2026-11-01 00:00:00"));
        assert_eq!(at("2026-11-01T09:00").as_deref(), Ok("2026-11-01 09:00:00"));
        assert_eq!(
            at("2026-11-01 09:00:30").as_deref(),
            Ok("2026-11-01 09:00:30")
        );
        assert_eq!(
            at("2026-11-01T09:00:30").as_deref(),
            Ok("2026-11-01 09:00:30")
        );
        for bad in [
            "garbage",
            "",
            "2026-13-01",
            "2026-11-01T25:00",
            "11/01/2026",
        ] {
            assert!(since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn months_and_stages() {
        assert_eq!(month("2026-11").as_deref(), Ok("2026-11"));
        for bad in ["2026-13", "2026-1", "nov", "2026-11-01"] {
            assert!(month(bad).is_err(), "{bad}");
        }
        assert_eq!(stage("monitoring"), stage("점검"));
        assert!(stage("없는단계").unwrap_err().contains("알 수 없는 단계"));
    }

    #[test]
    fn flags_accept_korean_and_english() {
        let parse = |s| Flag::from_str(s, false).map(Flag::label);
        assert_eq!(parse("독거").as_deref(), Ok("독거"));
        assert_eq!(parse("living-alone").as_deref(), Ok("독거"));
        assert_eq!(parse("건보료체납").as_deref(), Ok("건보료 체납"));
        assert!(parse("없는표시").is_err());
        for f in Flag::value_variants() {
            assert!(!f.label().is_empty());
        }
    }
}
