//! The 방문 계획 list of a day (or a week) for the road: in walking order (동, then address),
//! names masked, the phone's last four digits only, with blank columns for the visit's result.
//! As XLSX, CSV or a self-contained A4 HTML page; every file written atomically and recorded
//! in the audit log as 출력 (which list and how many rows, never its contents).

use super::layout::{Block, Cell, Layout};
use super::xlsx::{Table, Value};
use super::{PaperError, html, xlsx};
use crate::model::{AuditAction, PlannedVisit};
use crate::privacy::mask_name;
use crate::store::Store;
use std::path::Path;

/// Output formats of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Xlsx,
    Csv,
    Html,
}

impl ListFormat {
    /// `xlsx`, `csv` or `html`.
    pub fn parse(s: &str) -> Option<ListFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(ListFormat::Xlsx),
            "csv" => Some(ListFormat::Csv),
            "html" | "htm" => Some(ListFormat::Html),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ListFormat::Xlsx => "xlsx",
            ListFormat::Csv => "csv",
            ListFormat::Html => "html",
        }
    }
}

const HEADERS: [&str; 10] = [
    "날짜",
    "시간",
    "동",
    "주소",
    "이름",
    "전화",
    "목적",
    "상태",
    "방문 결과",
    "메모",
];

/// The phone's last four digits (`010-5678-1234` → `***-1234`); nothing else of it.
pub fn phone_tail(phone: Option<&str>) -> String {
    let digits: Vec<char> = phone
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() < 4 {
        return String::new();
    }
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("***-{tail}")
}

/// The address without its detail (the part after the first comma: 동·호수), for narrow
/// screens.
pub fn street(address: &str) -> String {
    let street = super::lists::street_address(address);
    let tokens: Vec<&str> = street.split_whitespace().collect();
    // The leading 시·도 and 시·군·구 are the same for a whole day's list.
    let skip = tokens
        .iter()
        .take_while(|t| {
            t.chars().count() >= 2
                && (t.ends_with('도')
                    || t.ends_with('시')
                    || t.ends_with('군')
                    || t.ends_with('구'))
        })
        .count();
    if skip >= tokens.len() {
        street.to_string()
    } else {
        tokens[skip..].join(" ")
    }
}

fn status(v: &PlannedVisit) -> &'static str {
    if v.done { "완료" } else { "예정" }
}

/// One row of text per visit, in the given order.
fn rows(visits: &[PlannedVisit]) -> Vec<[String; 10]> {
    visits
        .iter()
        .map(|v| {
            [
                v.on.clone(),
                v.time.clone(),
                v.dong.clone(),
                v.address.clone(),
                mask_name(&v.name),
                phone_tail(v.phone.as_deref()),
                v.purpose.clone(),
                status(v).to_string(),
                String::new(),
                String::new(),
            ]
        })
        .collect()
}

/// The list as an XLSX table.
pub fn table(visits: &[PlannedVisit], title: &str) -> Table {
    let mut t = Table::new(title, &HEADERS);
    for (v, r) in visits.iter().zip(rows(visits)) {
        let mut cells: Vec<Value> = r.into_iter().map(Value::text).collect();
        cells[0] = Value::date_or_text(&v.on);
        t.rows.push(cells);
    }
    t
}

/// The list as CSV (UTF-8 with a BOM, so Excel reads the Hangul).
pub fn csv(visits: &[PlannedVisit]) -> Result<Vec<u8>, PaperError> {
    let e = |e: csv::Error| PaperError::Invalid(format!("CSV: {e}"));
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADERS).map_err(e)?;
    for r in rows(visits) {
        w.write_record(&r).map_err(e)?;
    }
    w.into_inner()
        .map_err(|x| PaperError::Invalid(format!("CSV: {}", x.error())))
}

/// The list as a printable A4 layout.
pub fn layout(visits: &[PlannedVisit], title: &str, footer: &str) -> Layout {
    let cell = |text: &str, label: bool| Cell {
        text: text.to_string(),
        span: 1,
        label,
    };
    let mut table = vec![HEADERS.iter().map(|h| cell(h, true)).collect::<Vec<_>>()];
    for r in rows(visits) {
        table.push(r.iter().map(|t| cell(t, false)).collect());
    }
    Layout {
        name: title.to_string(),
        masked: true,
        footer: footer.to_string(),
        blocks: vec![
            Block::Title(title.to_string()),
            Block::Para(format!(
                "{}건 · 동, 주소 순 · 이름 가림, 전화 끝 네 자리만",
                visits.len()
            )),
            Block::Table {
                widths: vec![11, 6, 9, 22, 7, 8, 15, 6, 9, 9],
                rows: table,
            },
        ],
    }
}

/// The bytes of the list in `format`.
pub fn render(
    visits: &[PlannedVisit],
    title: &str,
    footer: &str,
    format: ListFormat,
) -> Result<Vec<u8>, PaperError> {
    match format {
        ListFormat::Xlsx => xlsx::workbook(&[table(visits, title)]),
        ListFormat::Csv => csv(visits),
        ListFormat::Html => Ok(html::render(&layout(visits, title, footer)).into_bytes()),
    }
}

/// Writes the list to `path` (atomically, private) and records one 출력 row in the audit log.
/// Returns the row count.
pub fn write(
    store: &Store,
    path: &Path,
    visits: &[PlannedVisit],
    title: &str,
    format: ListFormat,
) -> Result<usize, PaperError> {
    let now = store.clock().now().format("%Y-%m-%d %H:%M").to_string();
    let footer = format!("출력 {now} · {} · 이름·연락처 가림", store.operator());
    let bytes = render(visits, title, &footer, format)?;
    super::write_file(path, &bytes)?;
    store.audit(&crate::audit::Event {
        action: AuditAction::Print,
        resident_id: None,
        subject: "visits",
        detail: &format!("{title} {} {}건", format.code(), visits.len()),
    })?;
    Ok(visits.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_only_the_last_four_digits() {
        assert_eq!(phone_tail(Some("010-5678-1234")), "***-1234");
        assert_eq!(phone_tail(Some("12")), "");
        assert_eq!(phone_tail(None), "");
        assert_eq!(street("서울특별시 관악구 신림로 12, 3층"), "신림로 12");
        assert_eq!(street("관악구"), "관악구");
    }
}
