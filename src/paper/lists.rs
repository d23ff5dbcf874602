//! The lists the console exports to Excel: search results, the case list, the resource
//! directory, the 오늘 lists and the 방문 목록 of an outreach day. Each is an [`xlsx::Table`];
//! contact details are masked unless `full`.

use super::xlsx::{Table, Value};
use crate::model::Resident;
use crate::privacy::mask_phone;
use crate::search::residents::ResidentHit;
use crate::store::ResourceRow;
use crate::timeline::{CaseRow, Today};

fn phone(p: Option<&str>, full: bool) -> Value {
    match p {
        Some(p) if full => Value::text(p),
        Some(p) => Value::text(mask_phone(p)),
        None => Value::Empty,
    }
}

/// Search results (`dolbom search 김 --format xlsx`).
pub fn search_results(hits: &[ResidentHit], full: bool) -> Table {
    let mut t = Table::new(
        "검색 결과",
        &[
            "이름",
            "생년월일",
            "성별",
            "동",
            "전화",
            "위기 징후",
            "특성",
            "단계",
        ],
    );
    for h in hits {
        let s = &h.summary;
        t.rows.push(vec![
            Value::text(&s.name),
            Value::opt_date(s.birth_date.as_deref()),
            Value::text(s.sex.map_or("", |x| x.label())),
            Value::text(&s.dong),
            phone(s.phone.as_deref(), full),
            Value::text(s.risks.join(", ")),
            Value::text(s.flags.join(", ")),
            Value::text(s.stage.map_or("", |x| x.label())),
        ]);
    }
    t
}

/// The case list (`dolbom timeline --list --format xlsx`).
pub fn case_list(rows: &[CaseRow]) -> Table {
    let mut t = Table::new(
        "사례 목록",
        &[
            "사례 ID",
            "이름",
            "단계",
            "담당",
            "대상자 구분",
            "기록 수",
            "최근 접촉",
            "최근 활동",
        ],
    );
    for r in rows {
        t.rows.push(vec![
            Value::text(&r.id),
            Value::text(&r.resident_name),
            Value::text(r.stage.label()),
            Value::text(&r.worker),
            Value::text(&r.category),
            Value::Int(r.entry_count),
            Value::opt_date(r.last_contact.as_deref()),
            Value::date_or_text(&r.last_activity),
        ]);
    }
    t
}

/// The resource directory (`dolbom resources export --format xlsx`).
pub fn resources(rows: &[ResourceRow]) -> Table {
    let mut t = Table::new(
        "자원 목록",
        &[
            "이름",
            "분야",
            "세부 유형",
            "공공/민간",
            "주소",
            "전화",
            "운영 시간",
            "대상",
            "정원",
            "연계 중",
            "출처",
            "가져온 때",
        ],
    );
    for row in rows {
        let r = &row.resource;
        t.rows.push(vec![
            Value::text(&r.name),
            Value::text(&r.category),
            Value::text(&r.detail_type),
            Value::text(&r.provider_type),
            Value::text(&r.address),
            Value::text(&r.phone),
            Value::text(&r.hours),
            Value::text(&r.eligibility),
            r.capacity.map_or(Value::Empty, Value::Int),
            Value::Int(row.load),
            Value::text(&r.source),
            Value::opt_date(r.imported_at.as_deref().map(|s| s.get(..16).unwrap_or(s))),
        ]);
    }
    t
}

/// The 오늘 lists, one row per item with its list's title.
pub fn today(t: &Today) -> Table {
    let mut out = Table::new(
        "오늘",
        &[
            "구분",
            "이름",
            "담당",
            "사례 ID",
            "내용",
            "시작일",
            "기한",
            "경과일",
        ],
    );
    for (title, items) in t.sections() {
        for i in items {
            out.rows.push(vec![
                Value::text(title),
                Value::text(&i.case.resident_name),
                Value::text(&i.case.worker),
                Value::text(&i.case.case_id),
                Value::text(&i.detail),
                Value::Date(i.since),
                Value::Date(i.due),
                Value::Int(i.days_over),
            ]);
        }
    }
    out
}

/// The 통 of an address (`… 12통 …`), if it names one.
pub fn tong(address: &str) -> Option<String> {
    address
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|w| {
            w.strip_suffix('통')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .map(String::from)
}

/// The address without its detail (the part after the first comma: 동·호수).
pub fn street_address(address: &str) -> &str {
    address.split(',').next().unwrap_or(address).trim()
}

/// A natural-order key: digit runs compare as numbers (`관악로 9` before `관악로 10`).
fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(u64::from(d)),
            );
        } else {
            if let Some(n) = num.take() {
                out.push((std::mem::take(&mut text), n));
            }
            text.push(c);
        }
    }
    out.push((text, num.unwrap_or(0)));
    out
}

/// A 방문 목록 for an outreach day: masked (phone, address detail), sorted by 동, 통 and
/// address in natural order, with blank columns for the visit's result. `full` shows the
/// complete address and phone.
pub fn visit_list(residents: &[Resident], full: bool) -> Table {
    let mut sorted: Vec<&Resident> = residents.iter().collect();
    let tong_num = |r: &Resident| {
        tong(&r.address)
            .and_then(|t| t.trim_end_matches('통').parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    };
    sorted.sort_by_cached_key(|r| {
        (
            r.dong.clone(),
            tong_num(r),
            natural_key(street_address(&r.address)),
            r.name.clone(),
        )
    });
    let mut t = Table::new(
        "방문 목록",
        &[
            "동",
            "통",
            "주소",
            "이름",
            "생년월일",
            "전화",
            "위기 징후",
            "특성",
            "방문 결과",
            "메모",
        ],
    );
    for r in sorted {
        let address = if full {
            r.address.clone()
        } else {
            street_address(&r.address).to_string()
        };
        t.rows.push(vec![
            Value::text(&r.dong),
            Value::text(tong(&r.address).unwrap_or_default()),
            Value::text(address),
            Value::text(&r.name),
            Value::opt_date(r.birth_date.as_deref()),
            phone(r.phone.as_deref(), full),
            Value::text(r.risks.join(", ")),
            Value::text(r.flags.join(", ")),
            Value::Empty,
            Value::Empty,
        ]);
    }
    t
}
