//! Lists to XLSX, read back with calamine: header, row count, dates as dates, Hangul intact;
//! the 방문 목록 is masked and sorted by 동, 통 and address; files are written privately.

use crate::common::paper as fixture;

use calamine::{Data, Reader, Xlsx, open_workbook};
use dolbom::model::{Resident, Sex};
use dolbom::paper::lists;
use dolbom::paper::xlsx::{self, Table, Value};
use dolbom::timeline::{CaseFilter, Scope};
use std::path::Path;

fn read(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let range = wb.worksheet_range(sheet).expect("sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// (year, month, day, hour, minute) of a date cell; panics on anything but a date.
fn ymdhm(d: &Data) -> (u16, u8, u8, u8, u8) {
    match d {
        Data::DateTime(dt) => {
            assert!(dt.is_datetime(), "a date, not a duration");
            let (y, m, d, h, mi, _, _) = dt.to_ymd_hms_milli();
            (y, m, d, h, mi)
        }
        other => panic!("not a date cell: {other:?}"),
    }
}

#[test]
fn a_generic_table_round_trips() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("명단.xlsx");
    let mut t = Table::new(
        "검색 결과",
        &["이름", "생년월일", "최근 활동", "기록 수", "메모"],
    );
    for i in 0..25 {
        t.rows.push(vec![
            Value::text(format!("김민수{i}")),
            Value::date_or_text("1948-03-02"),
            Value::date_or_text("2026-11-03 14:30"),
            Value::Int(i),
            Value::text(if i == 0 { "한 줄\n두 줄" } else { "" }),
        ]);
    }
    xlsx::write(&path, &[t]).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let rows = read(&path, "검색 결과");
    assert_eq!(rows.len(), 26, "header + 25 rows");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(header, ["이름", "생년월일", "최근 활동", "기록 수", "메모"]);
    assert_eq!(text(&rows[1][0]), "김민수0");
    assert_eq!(ymdhm(&rows[1][1]), (1948, 3, 2, 0, 0));
    assert_eq!(ymdhm(&rows[1][2]), (2026, 11, 3, 14, 30));
    assert_eq!(rows[25][3], Data::Float(24.0));
    assert_eq!(text(&rows[1][4]), "한 줄\n두 줄");
    assert_eq!(rows[2][4], Data::Empty);
}

#[test]
fn the_sheet_is_frozen_filtered_and_sized_for_hangul() {
    let mut t = Table::new("목록", &["이름", "주소"]);
    t.rows.push(vec![
        Value::text("김"),
        Value::text("서울특별시 관악구 신림로 123"),
    ]);
    let bytes = xlsx::workbook(&[t]).expect("workbook");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut z.by_name("xl/worksheets/sheet1.xml").expect("sheet1"),
        &mut sheet,
    )
    .expect("read");
    let doc = roxmltree::Document::parse(&sheet).expect("xml");
    let pane = doc
        .descendants()
        .find(|n| n.tag_name().name() == "pane")
        .expect("frozen pane");
    assert_eq!(pane.attribute("state"), Some("frozen"));
    assert_eq!(pane.attribute("topLeftCell"), Some("A2"));
    let filter = doc
        .descendants()
        .find(|n| n.tag_name().name() == "autoFilter")
        .expect("autofilter");
    assert_eq!(filter.attribute("ref"), Some("A1:B2"));
    let widths: Vec<f64> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "col")
        .filter_map(|n| n.attribute("width")?.parse().ok())
        .collect();
    // "서울특별시 관악구 신림로 123" is 28 columns wide (a syllable counts two), not 18 chars.
    assert!(widths[1] >= 28.0, "{widths:?}");
    assert!(widths[0] < widths[1]);
}

fn person(name: &str, dong: &str, address: &str, phone: &str) -> Resident {
    Resident {
        id: name.into(),
        name: name.into(),
        birth_date: Some("1950-01-02".into()),
        sex: Some(Sex::Female),
        phone: Some(phone.into()),
        sigungu: "서울특별시 관악구".into(),
        dong: dong.into(),
        address: address.into(),
        household_id: None,
        flags: vec!["독거".into()],
        risks: vec!["단전".into()],
        rrn_masked: None,
    }
}

#[test]
fn the_visit_list_is_masked_and_sorted_by_dong_tong_and_address() {
    let people = [
        person(
            "가",
            "신림동",
            "관악구 신림로 10, 3통 101호",
            "010-1111-2222",
        ),
        person(
            "나",
            "봉천동",
            "관악구 봉천로 2 (12통), 201호",
            "010-3333-4444",
        ),
        person("다", "신림동", "관악구 신림로 9, 3통 2층", "010-5555-6666"),
        person("라", "신림동", "관악구 신림로 1, 1통", "010-7777-8888"),
        person("마", "봉천동", "관악구 봉천로 1 (2통)", "010-9999-0000"),
    ];
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("방문.xlsx");
    xlsx::write(&path, &[lists::visit_list(&people, false)]).expect("write");
    let rows = read(&path, "방문 목록");
    let got: Vec<(String, String, String, String)> = rows[1..]
        .iter()
        .map(|r| (text(&r[0]), text(&r[1]), text(&r[2]), text(&r[3])))
        .collect();
    let want = [
        ("봉천동", "2통", "관악구 봉천로 1 (2통)", "마"),
        ("봉천동", "12통", "관악구 봉천로 2 (12통)", "나"),
        ("신림동", "1통", "관악구 신림로 1", "라"),
        ("신림동", "3통", "관악구 신림로 9", "다"),
        ("신림동", "3통", "관악구 신림로 10", "가"),
    ];
    let want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(got, want);
    for r in &rows[1..] {
        let phone = text(&r[5]);
        assert!(phone.contains("-****-"), "{phone}");
        assert!(!text(&r[2]).contains('호'), "address detail masked");
    }
    assert_eq!(ymdhm(&rows[1][4]), (1950, 1, 2, 0, 0));
}

#[test]
fn store_lists_export_with_their_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let store = fixture::store(dir.path());
    let cases = store.list_cases(&CaseFilter::default()).expect("cases");
    let resources = store.resources().expect("resources");
    let today = dolbom::timeline::today(&store, Scope::All).expect("today");
    let path = dir.path().join("목록.xlsx");
    xlsx::write(
        &path,
        &[
            lists::case_list(&cases),
            lists::resources(&resources),
            lists::today(&today),
        ],
    )
    .expect("write");
    let rows = read(&path, "사례 목록");
    assert_eq!(rows.len(), 1 + cases.len());
    assert_eq!(text(&rows[1][1]), fixture::NAME);
    assert_eq!(text(&rows[1][2]), "종결");
    assert_eq!(ymdhm(&rows[1][7]), (2026, 4, 30, 16, 0));
    let rows = read(&path, "자원 목록");
    assert_eq!(rows.len(), 2);
    assert_eq!(text(&rows[1][0]), "관악구 정신건강복지센터");
    assert_eq!(text(&rows[1][1]), "정신건강");
    let rows = read(&path, "오늘");
    assert_eq!(text(&rows[0][0]), "구분");
}

#[test]
fn ten_thousand_rows_round_trip() {
    let mut t = Table::new("큰 목록", &["번호", "이름", "날짜"]);
    for i in 0..10_000i64 {
        t.rows.push(vec![
            Value::Int(i),
            Value::text(format!("주민{i}")),
            Value::date_or_text("2026-11-29"),
        ]);
    }
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("큰.xlsx");
    xlsx::write(&path, &[t]).expect("write");
    let rows = read(&path, "큰 목록");
    assert_eq!(rows.len(), 10_001);
    assert_eq!(text(&rows[10_000][1]), "주민9999");
}
