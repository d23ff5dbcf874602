//! Names, phones and ages: surname frequencies, given-name syllables, staff, roads.

use super::*;

/// Surnames with their share per 10,000 people (통계청 2015 인구주택총조사, rounded).
pub(super) const SURNAMES: [(&str, u32); 40] = [
    ("김", 2150),
    ("이", 1470),
    ("박", 840),
    ("최", 470),
    ("정", 430),
    ("강", 240),
    ("조", 210),
    ("윤", 210),
    ("장", 200),
    ("임", 170),
    ("한", 150),
    ("오", 150),
    ("서", 150),
    ("신", 140),
    ("권", 140),
    ("황", 140),
    ("안", 140),
    ("송", 140),
    ("전", 130),
    ("홍", 110),
    ("유", 110),
    ("고", 90),
    ("문", 90),
    ("양", 90),
    ("손", 90),
    ("배", 80),
    ("백", 70),
    ("허", 60),
    ("남", 50),
    ("심", 50),
    ("노", 40),
    ("하", 40),
    ("곽", 40),
    ("성", 40),
    ("차", 40),
    ("주", 40),
    ("우", 40),
    ("구", 40),
    ("민", 30),
    ("나", 30),
];

pub(super) const MALE_FIRST: [&str; 24] = [
    "영", "정", "성", "상", "종", "재", "동", "병", "광", "민", "준", "현", "지", "태", "승", "기",
    "창", "용", "철", "석", "만", "춘", "덕", "수",
];
pub(super) const MALE_SECOND: [&str; 22] = [
    "수", "호", "철", "식", "석", "남", "길", "환", "훈", "민", "준", "우", "현", "진", "영", "기",
    "일", "근", "배", "규", "섭", "국",
];
pub(super) const FEMALE_FIRST: [&str; 24] = [
    "순", "영", "정", "옥", "말", "명", "춘", "경", "복", "금", "미", "은", "현", "지", "수", "혜",
    "민", "서", "윤", "하", "숙", "분", "점", "귀",
];
pub(super) const FEMALE_SECOND: [&str; 22] = [
    "자", "순", "숙", "희", "례", "녀", "옥", "선", "영", "정", "경", "진", "아", "연", "은", "임",
    "남", "분", "덕", "애", "란", "화",
];
pub(super) const ROADS: [&str; 12] = [
    "관악로",
    "남부순환로",
    "봉천로",
    "신림로",
    "난곡로",
    "호암로",
    "낙성대로",
    "은천로",
    "국회단지길",
    "조원로",
    "문성로",
    "쑥고개로",
];
pub(super) const STAFF: [&str; 9] = [
    "박지현",
    "이수진",
    "최민호",
    "정다은",
    "강은영",
    "조현우",
    "윤서연",
    "장민재",
    "임하늘",
];

impl Gen {
    /// One worker per ~400 residents (at least 10 including the operator).
    pub(super) fn staff(&mut self, residents: usize) {
        self.workers.push(self.operator.clone());
        self.workers.extend(STAFF.iter().map(|s| s.to_string()));
        while self.workers.len() < (residents / 400).max(10) {
            let sex = if self.rng.chance(0.7) { 'F' } else { 'M' };
            let name = self.name(sex, None);
            if !self.workers.contains(&name) {
                self.workers.push(name);
            }
        }
    }

    pub(super) fn date_ago(&mut self, lo_days: i64, hi_days: i64) -> NaiveDate {
        self.today - Duration::days(self.rng.range(lo_days, hi_days))
    }

    pub(super) fn birth_for_age(&mut self, lo: i64, hi: i64) -> NaiveDate {
        let age = self.rng.range(lo, hi);
        let year = self.today.year() - age as i32 - 1;
        let ordinal = self.rng.range(1, 365) as u32;
        NaiveDate::from_yo_opt(year, ordinal)
            .or_else(|| NaiveDate::from_yo_opt(year, 1))
            .unwrap_or(self.today)
    }

    pub(super) fn name(&mut self, sex: char, surname: Option<&str>) -> String {
        let s = surname.unwrap_or_else(|| *self.rng.weighted(&SURNAMES));
        let (first, second) = if sex == 'M' {
            (*self.rng.pick(&MALE_FIRST), *self.rng.pick(&MALE_SECOND))
        } else {
            (
                *self.rng.pick(&FEMALE_FIRST),
                *self.rng.pick(&FEMALE_SECOND),
            )
        };
        if self.rng.chance(0.02) {
            // Some single-syllable given names (김민, 이현).
            format!("{s}{first}")
        } else {
            format!("{s}{first}{second}")
        }
    }

    pub(super) fn phone(&mut self, elderly: bool) -> Option<String> {
        if self.rng.chance(0.04) {
            return None;
        }
        if elderly && self.rng.chance(0.15) {
            return Some(format!(
                "02-8{:02}-{:04}",
                self.rng.below(100),
                self.rng.below(10_000)
            ));
        }
        Some(format!(
            "010-{:04}-{:04}",
            self.rng.range(2000, 9999),
            self.rng.below(10_000)
        ))
    }
}
