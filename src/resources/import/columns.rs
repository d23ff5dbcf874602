//! Column recognition: header aliases, `--map MAP.toml` overrides, and the missing-column check.

use std::collections::BTreeMap;
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A field an import can fill, with its built-in header aliases (in priority order).
pub trait Field: Copy + Eq + fmt::Debug + 'static {
    /// Every field, in index order (`field as usize` indexes this slice).
    const ALL: &'static [Self];
    /// The field's name in `MAP.toml` (`[columns] name = [...]`).
    fn key(self) -> &'static str;
    /// Built-in header aliases, most specific first.
    fn aliases(self) -> &'static [&'static str];
    /// Position in [`Field::ALL`].
    fn index(self) -> usize;
}

macro_rules! fields {
    ($(#[$m:meta])* $ty:ident { $($(#[$vm:meta])* $var:ident = $key:literal [$($alias:literal),* $(,)?]),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty { $($(#[$vm])* $var),* }
        impl Field for $ty {
            const ALL: &'static [Self] = &[$($ty::$var),*];
            fn key(self) -> &'static str { match self { $($ty::$var => $key),* } }
            fn aliases(self) -> &'static [&'static str] { match self { $($ty::$var => &[$($alias),*]),* } }
            fn index(self) -> usize { self as usize }
        }
    };
}

fields! {
    /// Columns of a resource (directory) file.
    ResourceField {
        /// Source key for upserts.
        Key = "key" ["시설코드", "기관코드", "자원코드", "id", "key"],
        /// Resource name (required).
        Name = "name" ["시설명", "기관명", "자원명", "name"],
        /// Category, normalised to the directory's categories.
        Category = "category" ["시설종류명(시설유형)", "시설유형", "시설종류", "시설종류명", "분류", "category"],
        /// Detailed type, kept raw.
        DetailType = "detail_type" ["시설종류상세명(시설종류)", "시설종류상세명", "세부유형", "detail_type"],
        /// 공공 / 민간.
        ProviderType = "provider_type" ["운영주체", "설립주체", "운영주체구분", "provider_type"],
        /// Address.
        Address = "address" ["시설주소", "소재지도로명주소", "도로명주소", "주소", "address"],
        /// Phone number.
        Phone = "phone" ["전화번호", "연락처", "대표전화", "대표전화번호", "phone"],
        /// Opening hours.
        Hours = "hours" ["운영시간", "이용시간", "hours"],
        /// Who may use it.
        Eligibility = "eligibility" ["이용대상", "지원대상", "대상", "eligibility"],
        /// Capacity (a non-negative integer).
        Capacity = "capacity" ["정원(수용인원)", "정원", "수용인원", "capacity"],
    }
}

fields! {
    /// Columns of a resident list (관리대상자 명단).
    ResidentField {
        /// Name (required).
        Name = "name" ["성명", "이름", "대상자명", "name"],
        /// Birth date (required unless a 주민등록번호 column is present).
        BirthDate = "birth_date" ["생년월일", "생일", "birth_date"],
        /// Sex: 남/여, M/F.
        Sex = "sex" ["성별", "sex"],
        /// Phone number.
        Phone = "phone" ["연락처", "전화번호", "휴대폰", "휴대전화", "phone"],
        /// Address.
        Address = "address" ["주소", "거주지", "address"],
        /// 읍면동 (else taken from the address).
        Dong = "dong" ["읍면동", "행정동", "동", "dong"],
        /// 주민등록번호: reduced to birth date, sex and a masked form on reading.
        Rrn = "rrn" ["주민등록번호", "주민번호", "rrn"],
        /// Free-text remark (비고).
        Note = "note" ["비고", "메모", "특이사항", "note"],
    }
}

fields! {
    /// Columns of a 복지사각지대 발굴 list (발굴 대상자 명단), issue #16 item 5.
    DiscoveryField {
        /// Name (required).
        Name = "name" ["성명", "이름", "대상자명", "가구주명", "name"],
        /// Birth date (or a 주민등록번호 column; else the address identifies the row).
        BirthDate = "birth_date" ["생년월일", "생일", "birth_date"],
        /// 주민등록번호: reduced to birth date and a masked form on reading.
        Rrn = "rrn" ["주민등록번호", "주민번호", "rrn"],
        /// Phone number.
        Phone = "phone" ["연락처", "전화번호", "휴대폰", "휴대전화", "phone"],
        /// Address.
        Address = "address" ["주소", "거주지", "도로명주소", "address"],
        /// 읍면동 (else taken from the address).
        Dong = "dong" ["읍면동", "행정동", "동", "dong"],
        /// Risk signals: a list, `,` or `;` separated (단전, 단수, 건보료 체납 …).
        Signals = "signals" ["위기정보", "위기유형", "위기지표", "발굴정보", "발굴사유", "signals"],
        /// 회차 (else `--round`).
        Round = "round" ["회차", "발굴회차", "차수", "round"],
        /// 처리기한 (else `--deadline`).
        Deadline = "deadline" ["처리기한", "조사기한", "회신기한", "기한", "deadline"],
        /// Free-text remark (비고).
        Note = "note" ["비고", "메모", "특이사항", "note"],
    }
}

/// Extra header aliases per field name, from `--map MAP.toml`; these take priority over the
/// built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    aliases: BTreeMap<String, Vec<String>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    #[serde(default)]
    columns: BTreeMap<String, OneOrMany>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl ColumnMap {
    /// Parses a map file's text, e.g. `[columns]\nname = ["기관 이름"]`. Field names are checked
    /// later against the kind of import (see [`ColumnMap::check`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: MapFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let aliases = file
            .columns
            .into_iter()
            .map(|(k, v)| {
                let list = match v {
                    OneOrMany::One(s) => vec![s],
                    OneOrMany::Many(v) => v,
                };
                (k, list)
            })
            .collect();
        Ok(Self { aliases })
    }

    /// Adds one alias for a field (by its map name, e.g. `"name"`).
    pub fn add(&mut self, field: &str, header: &str) {
        self.aliases
            .entry(field.to_owned())
            .or_default()
            .push(header.to_owned());
    }

    /// Field names in the map that `F` does not know.
    pub fn check<F: Field>(&self) -> Result<(), String> {
        let unknown: Vec<&str> = self
            .aliases
            .keys()
            .filter(|k| !F::ALL.iter().any(|f| f.key() == k.as_str()))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            let known: Vec<&str> = F::ALL.iter().map(|f| f.key()).collect();
            Err(format!(
                "알 수 없는 열 이름: {} (가능한 이름: {})",
                unknown.join(", "),
                known.join(", ")
            ))
        }
    }

    fn get(&self, key: &str) -> &[String] {
        self.aliases.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Normalises a header for comparison: NFC, no BOM, no whitespace, lower case.
pub fn normalize_header(h: &str) -> String {
    h.nfc()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The header without a trailing parenthesised part: `정원(명)` → `정원`.
fn strip_paren(h: &str) -> &str {
    match h.find('(') {
        Some(i) if i > 0 && h.ends_with(')') => &h[..i],
        _ => h,
    }
}

/// Which column index holds each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns<F: Field> {
    index: Vec<Option<usize>>,
    _f: std::marker::PhantomData<F>,
}

impl<F: Field> Columns<F> {
    /// Matches headers to fields: map aliases first, then built-in aliases in order; an exact
    /// (normalised) match anywhere beats a match that ignores a trailing `(…)`. A header serves
    /// one field at most.
    pub fn resolve(headers: &[String], map: &ColumnMap) -> Self {
        let norm: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        let mut used = vec![false; norm.len()];
        let mut index = vec![None; F::ALL.len()];
        let exact = |h: &str, a: &str| h == a;
        let loose = |h: &str, a: &str| strip_paren(h) == strip_paren(a);
        for matcher in [&exact as &dyn Fn(&str, &str) -> bool, &loose] {
            for &field in F::ALL {
                if index[field.index()].is_some() {
                    continue;
                }
                let aliases = map
                    .get(field.key())
                    .iter()
                    .map(|a| normalize_header(a))
                    .chain(field.aliases().iter().map(|a| normalize_header(a)));
                'alias: for alias in aliases {
                    for (i, h) in norm.iter().enumerate() {
                        if !used[i] && matcher(h, &alias) {
                            used[i] = true;
                            index[field.index()] = Some(i);
                            break 'alias;
                        }
                    }
                }
            }
        }
        Self {
            index,
            _f: std::marker::PhantomData,
        }
    }

    /// The column index of a field, if the file has it.
    pub fn get(&self, field: F) -> Option<usize> {
        self.index.get(field.index()).copied().flatten()
    }

    /// Whether the file has this field.
    pub fn has(&self, field: F) -> bool {
        self.get(field).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn standard_data_headers() {
        let headers = h(&[
            "\u{FEFF}시설명",
            "시설종류명(시설유형)",
            "시설종류상세명(시설종류)",
            "소재지도로명주소",
            "전화번호",
            "정원(수용인원)",
        ]);
        let c = Columns::<ResourceField>::resolve(&headers, &ColumnMap::default());
        assert_eq!(c.get(ResourceField::Name), Some(0));
        assert_eq!(c.get(ResourceField::Category), Some(1));
        assert_eq!(c.get(ResourceField::DetailType), Some(2));
        assert_eq!(c.get(ResourceField::Address), Some(3));
        assert_eq!(c.get(ResourceField::Phone), Some(4));
        assert_eq!(c.get(ResourceField::Capacity), Some(5));
        assert_eq!(c.get(ResourceField::Key), None);
    }

    #[test]
    fn spaces_case_and_parens() {
        let headers = h(&[" Name ", "정원 (명)", "주 소"]);
        let c = Columns::<ResourceField>::resolve(&headers, &ColumnMap::default());
        assert_eq!(c.get(ResourceField::Name), Some(0));
        assert_eq!(c.get(ResourceField::Capacity), Some(1));
        assert_eq!(c.get(ResourceField::Address), Some(2));
    }

    #[test]
    fn map_overrides() {
        let map =
            ColumnMap::parse("[columns]\nname = [\"기관 이름\"]\nphone = \"전화\"\n").unwrap();
        let headers = h(&["기관명", "기관 이름", "전화"]);
        let c = Columns::<ResourceField>::resolve(&headers, &map);
        assert_eq!(c.get(ResourceField::Name), Some(1));
        assert_eq!(c.get(ResourceField::Phone), Some(2));
        assert!(map.check::<ResourceField>().is_ok());
        let bad = ColumnMap::parse("[columns]\nnmae = \"x\"\n").unwrap();
        assert!(bad.check::<ResourceField>().unwrap_err().contains("nmae"));
        assert!(ColumnMap::parse("[colums]\n").is_err());
    }
}
