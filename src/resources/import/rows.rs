//! Typed rows and the per-field validation that produces them.

use super::columns::{Columns, DiscoveryField, ResidentField, ResourceField};
use crate::privacy::{mask_rrn_like, parse_rrn};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// The directory's categories, in display order.
pub use crate::model::RESOURCE_CATEGORIES as CATEGORIES;

/// The catch-all category.
pub const OTHER_CATEGORY: &str = "기타";

/// One resource read from a file, validated and normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRow {
    /// The file's own key (시설코드 …), for upserts by (source, key).
    pub key: Option<String>,
    pub name: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// The raw type from the file (세부유형, or the raw 시설종류 when it is not a category).
    pub detail_type: Option<String>,
    /// `공공`, `민간`, or the raw text when it is neither.
    pub provider_type: Option<String>,
    pub address: Option<String>,
    /// Hyphenated: `063-111-2222`, `010-1234-5678`, `1588-1234`, `132`.
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub eligibility: Option<String>,
    pub capacity: Option<i64>,
    /// Physical line (CSV), sheet row (XLSX …) or element number (JSON) of the row.
    pub line: u64,
}

impl ResourceRow {
    /// The upsert key for files without a key column: see [`natural_key`].
    pub fn natural_key(&self) -> String {
        natural_key(&self.name, self.address.as_deref().unwrap_or(""))
    }
}

pub use crate::model::Sex;

/// One resident read from a list. Never holds a full 주민등록번호: only what is derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResidentRow {
    /// NFC.
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// 읍면동, from its column or else from the address.
    pub dong: Option<String>,
    /// `500101-1******`.
    pub rrn_masked: Option<String>,
    /// 비고; any 13-digit number that looks like a 주민등록번호 is masked.
    pub note: Option<String>,
    pub line: u64,
}

impl ResidentRow {
    /// Key used to find the same person again: NFC name + birth date.
    pub fn identity_key(&self) -> String {
        format!("{}\u{1f}{}", compact(&self.name), self.birth_date)
    }
}

/// Normalised name + address, for upserts when a file has no key: NFC, lower case, only letters
/// and digits (spaces, punctuation and `·` dropped), joined by U+001F.
pub fn natural_key(name: &str, address: &str) -> String {
    format!("{}\u{1f}{}", compact(name), compact(address))
}

fn compact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if surely_nfc(s) {
        out.extend(s.chars().filter(|&c| keep_in_key(c)).flat_map(lower));
    } else {
        out.extend(s.nfc().filter(|&c| keep_in_key(c)).flat_map(lower));
    }
    out
}

/// Letters and digits, with fast paths for ASCII and Hangul syllables.
fn keep_in_key(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_syllable(c) || c.is_alphanumeric()
    }
}

fn lower(c: char) -> impl Iterator<Item = char> {
    let fast = c.is_ascii() || is_syllable(c);
    let (a, b) = if fast {
        (Some(c.to_ascii_lowercase()), None)
    } else {
        (None, Some(c.to_lowercase()))
    };
    a.into_iter().chain(b.into_iter().flatten())
}

fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// True when `s` is certainly NFC without a table lookup: only ASCII, precomposed Hangul
/// syllables and `·`.
fn surely_nfc(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii() || is_syllable(c) || c == '·')
}

/// Access to one record's cells by column.
pub(crate) trait Cells {
    fn cell(&self, idx: usize) -> Option<&str>;
}

impl Cells for csv::StringRecord {
    fn cell(&self, idx: usize) -> Option<&str> {
        self.get(idx)
    }
}

/// Trimmed, NFC, non-empty text of a field.
fn text<F: super::columns::Field>(rec: &dyn Cells, cols: &Columns<F>, f: F) -> Option<String> {
    let raw = rec.cell(cols.get(f)?)?.trim();
    if raw.is_empty() {
        return None;
    }
    Some(nfc(raw))
}

fn nfc(s: &str) -> String {
    if surely_nfc(s) || is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// Builds a resource from a record, or says why the row is rejected.
pub(crate) fn resource_from(
    rec: &dyn Cells,
    cols: &Columns<ResourceField>,
    line: u64,
) -> Result<ResourceRow, String> {
    use ResourceField as F;
    let t = |f| text(rec, cols, f);
    let name = t(F::Name).ok_or("이름(시설명)이 비어 있습니다")?;
    let raw_category = t(F::Category);
    let key = compact(raw_category.as_deref().unwrap_or(""));
    let exact = category_of_compact(&key);
    let category = exact.unwrap_or_else(|| category_by_rules(&key));
    // Keep a raw type that is not itself a category when no detail column says more.
    let detail_type = t(F::DetailType).or_else(|| raw_category.filter(|_| exact.is_none()));
    let phone = t(F::Phone).map(|p| normalize_phone(&p)).transpose()?;
    let capacity = t(F::Capacity).map(|c| parse_capacity(&c)).transpose()?;
    Ok(ResourceRow {
        key: t(F::Key),
        name,
        category: category.to_owned(),
        detail_type,
        provider_type: t(F::ProviderType).map(|p| normalize_provider(&p)),
        address: t(F::Address),
        phone,
        hours: t(F::Hours),
        eligibility: t(F::Eligibility),
        capacity,
        line,
    })
}

/// Builds a resident from a record, or says why the row is rejected. Error texts never echo a
/// 주민등록번호.
pub(crate) fn resident_from(
    rec: &dyn Cells,
    cols: &Columns<ResidentField>,
    line: u64,
) -> Result<ResidentRow, String> {
    use ResidentField as F;
    let t = |f| text(rec, cols, f);
    let name = t(F::Name).ok_or("이름(성명)이 비어 있습니다")?;
    let rrn = t(F::Rrn).map(|r| parse_rrn(&r)).transpose()?;
    let birth = t(F::BirthDate).map(|d| parse_birth_date(&d)).transpose()?;
    let sex = t(F::Sex).map(|s| parse_sex(&s)).transpose()?;
    let birth_date = match (birth, &rrn) {
        (Some(b), Some(r)) if b != r.birth_date => {
            return Err(format!("생년월일({b})이 주민등록번호 앞자리와 다릅니다"));
        }
        (Some(b), _) => b,
        (None, Some(r)) => r.birth_date,
        (None, None) => return Err("생년월일이 비어 있습니다".to_owned()),
    };
    let sex = match (sex, &rrn) {
        (Some(s), Some(r)) if s != r.sex => {
            return Err("성별이 주민등록번호 뒷자리 첫 숫자와 다릅니다".to_owned());
        }
        (Some(s), _) => Some(s),
        (None, r) => r.as_ref().map(|r| r.sex),
    };
    let phone = t(F::Phone).map(|p| normalize_phone(&p)).transpose()?;
    let address = t(F::Address);
    let dong = t(F::Dong).or_else(|| address.as_deref().and_then(dong_from_address));
    Ok(ResidentRow {
        name,
        birth_date: birth_date.format("%Y-%m-%d").to_string(),
        sex,
        phone,
        address,
        dong,
        rrn_masked: rrn.map(|r| r.masked),
        note: t(F::Note).map(|n| mask_rrn_like(&n)),
        line,
    })
}

/// One row of a 복지사각지대 발굴 list. Never holds a full 주민등록번호.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscoveryRow {
    /// NFC.
    pub name: String,
    /// `YYYY-MM-DD`, from its column or a 주민등록번호.
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// 읍면동, from its column or else from the address.
    pub dong: Option<String>,
    /// Risk signals, trimmed, in file order, without repeats.
    pub signals: Vec<String>,
    /// 회차 from a column, if the file has one.
    pub round: Option<String>,
    /// 처리기한 (`YYYY-MM-DD`) from a column, if the file has one.
    pub deadline: Option<String>,
    /// 비고; RRN-like numbers masked.
    pub note: Option<String>,
    pub line: u64,
}

impl DiscoveryRow {
    /// The row's identity within a round: NFC name + birth date, or name + address.
    pub fn identity_key(&self) -> String {
        identity_key(
            &self.name,
            self.birth_date.as_deref(),
            self.address.as_deref(),
        )
    }
}

/// Identity of a person in a list: `b` + compact name + birth date when the birth date is
/// known, else `a` + [`natural_key`] (name + address).
pub fn identity_key(name: &str, birth_date: Option<&str>, address: Option<&str>) -> String {
    match birth_date {
        Some(b) => format!("b{}\u{1f}{b}", compact(name)),
        None => format!("a{}", natural_key(name, address.unwrap_or(""))),
    }
}

pub(crate) fn discovery_from(
    rec: &dyn Cells,
    cols: &Columns<DiscoveryField>,
    line: u64,
) -> Result<DiscoveryRow, String> {
    use DiscoveryField as F;
    let t = |f| text(rec, cols, f);
    let name = t(F::Name).ok_or("이름(성명)이 비어 있습니다")?;
    let rrn = t(F::Rrn).map(|r| parse_rrn(&r)).transpose()?;
    let birth = t(F::BirthDate).map(|d| parse_birth_date(&d)).transpose()?;
    let birth_date = match (birth, &rrn) {
        (Some(b), Some(r)) if b != r.birth_date => {
            return Err(format!("생년월일({b})이 주민등록번호 앞자리와 다릅니다"));
        }
        (Some(b), _) => Some(b),
        (None, r) => r.as_ref().map(|r| r.birth_date),
    };
    let phone = t(F::Phone).map(|p| normalize_phone(&p)).transpose()?;
    let address = t(F::Address).map(|a| mask_rrn_like(&a));
    if birth_date.is_none() && address.is_none() {
        return Err("생년월일(또는 주민등록번호)과 주소가 모두 비어 있습니다".to_owned());
    }
    let dong = t(F::Dong).or_else(|| address.as_deref().and_then(dong_from_address));
    let mut signals: Vec<String> = Vec::new();
    for s in t(F::Signals).unwrap_or_default().split([',', ';']) {
        let s = s.trim();
        if !s.is_empty() && !signals.iter().any(|x| x == s) {
            signals.push(mask_rrn_like(s));
        }
    }
    let deadline = match t(F::Deadline) {
        None => None,
        Some(d) => Some(
            parse_date_loose(&d, false)
                .ok_or_else(|| format!("처리기한이 올바른 날짜가 아닙니다: {d}"))?
                .format("%Y-%m-%d")
                .to_string(),
        ),
    };
    Ok(DiscoveryRow {
        name,
        birth_date: birth_date.map(|b| b.format("%Y-%m-%d").to_string()),
        phone,
        address,
        dong,
        signals,
        round: t(F::Round),
        deadline,
        note: t(F::Note).map(|n| mask_rrn_like(&n)),
        line,
    })
}

/// Maps a raw facility type (시설종류명 …) to one of [`CATEGORIES`]; unknown → `기타`.
pub fn normalize_category(raw: &str) -> &'static str {
    let r = compact(raw);
    category_of_compact(&r).unwrap_or_else(|| category_by_rules(&r))
}

/// Keyword rules over a compacted raw type.
fn category_by_rules(r: &str) -> &'static str {
    const RULES: &[(&[&str], &str)] = &[
        (&["정신", "자살", "중독"], "정신건강"),
        (&["장애"], "장애인"),
        (
            &["노인", "요양", "돌봄", "재가", "치매", "경로"],
            "돌봄·요양",
        ),
        (
            &[
                "아동",
                "청소년",
                "가족",
                "보육",
                "어린이",
                "한부모",
                "다문화",
                "지역아동",
            ],
            "아동·가족",
        ),
        (
            &["푸드", "식품", "급식", "도시락", "생계", "반찬", "무료급식"],
            "식품·생계",
        ),
        (&["주거", "노숙", "쉼터", "주택", "임대"], "주거"),
        (
            &["보건", "의료", "병원", "의원", "건강", "약국", "간호"],
            "보건·의료",
        ),
        (&["고용", "일자리", "취업", "자활", "직업"], "고용·일자리"),
        (
            &["법률", "금융", "채무", "신용", "법무", "상담소"],
            "법률·금융",
        ),
        (
            &["교육", "문화", "도서관", "평생", "학습", "체육"],
            "교육·문화",
        ),
    ];
    for (words, cat) in RULES {
        if words.iter().any(|w| r.contains(w)) {
            return cat;
        }
    }
    OTHER_CATEGORY
}

/// A compacted raw type that names a category itself (ignoring spaces and the middle dot):
/// `보건의료` → `보건·의료`, `고용` → `고용·일자리`.
fn category_of_compact(r: &str) -> Option<&'static str> {
    if r.is_empty() {
        return None;
    }
    let same = |c: &str| c.chars().filter(|&ch| ch != '·').eq(r.chars());
    CATEGORIES
        .iter()
        .copied()
        .find(|c| same(c) || c.split('·').next() == Some(r))
}

fn normalize_provider(raw: &str) -> String {
    let r = compact(raw);
    const PUBLIC: &[&str] = &[
        "공공",
        "국공립",
        "국립",
        "공립",
        "시립",
        "구립",
        "군립",
        "도립",
        "지자체",
        "public",
    ];
    const PRIVATE: &[&str] = &["민간", "법인", "개인", "private"];
    if PUBLIC.iter().any(|w| r.contains(w)) {
        "공공".to_owned()
    } else if PRIVATE.iter().any(|w| r.contains(w)) {
        "민간".to_owned()
    } else {
        raw.to_owned()
    }
}

/// Normalises a Korean phone number to its hyphenated form, or explains why it is not one.
/// Accepts mobile (010-XXXX-XXXX), Seoul (02-XXX(X)-XXXX), area/VoIP codes (0XX-…, 050X-…),
/// nationwide numbers (1588-XXXX) and short service numbers (132, 1393); `+82` becomes `0`;
/// a leading 0 lost by a spreadsheet is restored. With several numbers, the first is used.
pub fn normalize_phone(raw: &str) -> Result<String, String> {
    let first = raw.split([',', '/', ';']).next().unwrap_or(raw).trim();
    let bad = || format!("전화번호 형식이 잘못되었습니다: {raw}");
    let allowed = |c: char| c.is_ascii_digit() || " -.()+".contains(c);
    if first.is_empty() || !first.chars().all(allowed) {
        return Err(bad());
    }
    let mut d: String = first.chars().filter(char::is_ascii_digit).collect();
    if first.starts_with('+') {
        d = match d.strip_prefix("82") {
            Some(rest) => format!("0{}", rest.trim_start_matches('0')),
            None => return Err(bad()),
        };
    }
    if !d.starts_with('0') && (9..=10).contains(&d.len()) {
        d.insert(0, '0');
    }
    let n = d.len();
    if d.starts_with('1') {
        return match n {
            3 | 4 => Ok(d),
            8 if ["15", "16", "18"].iter().any(|p| d.starts_with(p)) => {
                Ok(format!("{}-{}", &d[..4], &d[4..]))
            }
            _ => Err(bad()),
        };
    }
    let area = if d.starts_with("02") {
        2
    } else if d.starts_with("050") {
        4
    } else {
        3
    };
    if !d.starts_with('0') || !(area + 7..=area + 8).contains(&n) {
        return Err(bad());
    }
    Ok(format!(
        "{}-{}-{}",
        &d[..area],
        &d[area..n - 4],
        &d[n - 4..]
    ))
}

/// Parses a capacity: `120`, `1,200`, `120명`, `120.0` (from a spreadsheet).
pub fn parse_capacity(raw: &str) -> Result<i64, String> {
    let s: String = raw
        .trim()
        .trim_end_matches('명')
        .chars()
        .filter(|&c| c != ',' && !c.is_whitespace())
        .collect();
    let s = s.strip_suffix(".0").unwrap_or(&s);
    match s.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n),
        Ok(_) => Err(format!("정원이 음수입니다: {raw}")),
        Err(_) => Err(format!("정원이 숫자가 아닙니다: {raw}")),
    }
}

/// Parses a birth date: `1950-01-01`, `19500101`, `500101`, `1950.1.1`, `1950/01/01`,
/// `1950. 1. 1.`, `1950년 1월 1일`, `50.1.1`. A two-digit year takes the century that makes the
/// date not lie in the future.
pub fn parse_birth_date(raw: &str) -> Result<NaiveDate, String> {
    let bad = || format!("생년월일이 올바른 날짜가 아닙니다: {raw}");
    let date = parse_date_loose(raw, true).ok_or_else(bad)?;
    if date.year() < 1880 || date > chrono::Local::now().date_naive() {
        return Err(bad());
    }
    Ok(date)
}

/// Parses a date as people type it (the importers' rules, shared with the TUI's date fields):
/// `2024-03-01`, `20240301`, `2024.3.1`, `2024/03/01`, `2024. 3. 1.`, `2024년 3월 1일`, and a
/// two-digit year (`240301`, `24.3.1`). A two-digit year is 20yy, or with `past` the century
/// that makes the date not lie in the future (birth dates). `None` when it is no real date.
pub fn parse_date_loose(raw: &str, past: bool) -> Option<NaiveDate> {
    let s = raw.trim().trim_end_matches('.').trim();
    let parts: Vec<&str> = s
        .split(['-', '.', '/', '년', '월', '일', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d, two_digit) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (num(y)?, num(m)?, num(d)?, false),
        [y, m, d] if y.len() == 2 => (num(y)?, num(m)?, num(d)?, true),
        [all] if all.len() == 8 && all.is_ascii() => {
            (num(&all[..4])?, num(&all[4..6])?, num(&all[6..])?, false)
        }
        [all] if all.len() == 6 && all.is_ascii() => {
            (num(&all[..2])?, num(&all[2..4])?, num(&all[4..])?, true)
        }
        _ => return None,
    };
    let y = if !two_digit {
        y
    } else if !past {
        2000 + y
    } else {
        let this_year = chrono::Local::now().year() as u32;
        if 2000 + y <= this_year {
            2000 + y
        } else {
            1900 + y
        }
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a sex: 남/여, 남자/여자, 남성/여성, M/F, male/female, 1/2.
pub fn parse_sex(raw: &str) -> Result<Sex, String> {
    match raw.trim().to_lowercase().as_str() {
        "남" | "남자" | "남성" | "m" | "male" | "1" => Ok(Sex::Male),
        "여" | "여자" | "여성" | "f" | "female" | "2" => Ok(Sex::Female),
        _ => Err(format!("성별을 알 수 없습니다: {raw} (남/여 또는 M/F)")),
    }
}

/// Takes the 읍/면/동/가 from an address: the first token after the 시/군/구 that ends in one of
/// them (`효자동2가`, `삼천동1가`, `봉동읍`), or the first such name inside parentheses
/// (`… 서원로 1 (효자동2가, ○○아파트)`).
pub fn dong_from_address(address: &str) -> Option<String> {
    let is_dong = |t: &str| {
        let t = t.trim_matches(|c: char| c == ',' || c == '(' || c == ')');
        let mut cs = t.chars();
        let last = cs.next_back()?;
        let first = t.chars().next()?;
        let hangul_start = ('가'..='힣').contains(&first);
        (matches!(last, '읍' | '면' | '동' | '가') && hangul_start && t.chars().count() >= 2)
            .then(|| t.to_owned())
    };
    if let (Some(open), Some(close)) = (address.find('('), address.rfind(')'))
        && open < close
        && let Some(d) = address[open + 1..close].split([',', ' ']).find_map(is_dong)
    {
        return Some(d);
    }
    let head = address.split('(').next().unwrap_or(address);
    let tokens: Vec<&str> = head.split_whitespace().collect();
    let after = tokens
        .iter()
        .rposition(|t| {
            let t = t.trim_end_matches(',');
            t.chars().count() >= 2 && (t.ends_with('시') || t.ends_with('군') || t.ends_with('구'))
        })
        .map_or(0, |i| i + 1);
    tokens[after..].iter().find_map(|t| is_dong(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        let ok = [
            ("010-1234-5678", "010-1234-5678"),
            ("01012345678", "010-1234-5678"),
            ("02-123-4567", "02-123-4567"),
            ("0212345678", "02-1234-5678"),
            ("063.111.2222", "063-111-2222"),
            ("(063) 111-2222", "063-111-2222"),
            ("1588-1234", "1588-1234"),
            ("15881234", "1588-1234"),
            ("132", "132"),
            ("1393", "1393"),
            ("+82 10-1234-5678", "010-1234-5678"),
            ("1012345678", "010-1234-5678"),
            ("0505-123-4567", "0505-123-4567"),
            ("063-111-2222, 063-111-3333", "063-111-2222"),
        ];
        for (raw, want) in ok {
            assert_eq!(normalize_phone(raw).as_deref(), Ok(want), "{raw}");
        }
        for raw in [
            "12345",
            "010-12-34",
            "없음",
            "063-111-2222 내선 3",
            "99999999999",
        ] {
            assert!(normalize_phone(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn birth_dates() {
        for raw in [
            "1950-01-01",
            "19500101",
            "500101",
            "1950.1.1",
            "1950/01/01",
            "1950. 1. 1.",
            "1950년 1월 1일",
        ] {
            assert_eq!(
                parse_birth_date(raw),
                Ok(NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()),
                "{raw}"
            );
        }
        assert_eq!(
            parse_birth_date("100101").unwrap(),
            NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()
        );
        for raw in [
            "1950-02-30",
            "1950-13-01",
            "abc",
            "2999-01-01",
            "19501",
            "1950-1",
        ] {
            assert!(parse_birth_date(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn dongs() {
        let cases = [
            (
                "전북특별자치도 전주시 완산구 효자동2가 100-3",
                Some("효자동2가"),
            ),
            (
                "전북특별자치도 전주시 덕진구 송천동2가 7",
                Some("송천동2가"),
            ),
            ("전북특별자치도 전주시 완산구 서원로 1", None),
            ("전북특별자치도 완주군 봉동읍 낙평리 1", Some("봉동읍")),
            (
                "전주시 완산구 서원로 1 (효자동2가, 무슨아파트)",
                Some("효자동2가"),
            ),
            ("서울특별시 종로구 종로1가 1", Some("종로1가")),
        ];
        for (addr, want) in cases {
            assert_eq!(dong_from_address(addr).as_deref(), want, "{addr}");
        }
    }

    #[test]
    fn categories() {
        let cases = [
            ("노인주거복지시설", "돌봄·요양"),
            ("장애인거주시설", "장애인"),
            ("정신요양시설", "정신건강"),
            ("지역아동센터", "아동·가족"),
            ("푸드뱅크", "식품·생계"),
            ("노숙인시설", "주거"),
            ("보건소", "보건·의료"),
            ("지역자활센터", "고용·일자리"),
            ("보건의료", "보건·의료"),
            ("고용", "고용·일자리"),
            ("법률·금융", "법률·금융"),
            ("사회복지관", "기타"),
            ("", "기타"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_category(raw), want, "{raw}");
        }
    }

    #[test]
    fn capacity_and_keys() {
        assert_eq!(parse_capacity("1,200명"), Ok(1200));
        assert_eq!(parse_capacity("120.0"), Ok(120));
        assert!(parse_capacity("-1").is_err());
        assert!(parse_capacity("많음").is_err());
        assert_eq!(
            natural_key("완산 푸드뱅크", "전주시  완산구 서원로 1"),
            natural_key("완산푸드뱅크", "전주시 완산구 서원로 1")
        );
    }
}
