//! File-reading and row-mapping layer of the importer: every fixture format gives the same rows,
//! broken inputs give clear errors naming file and line, resident lists keep no full 주민등록번호.

use crate::common::import_fixture as fixture;
use dolbom::resources::import::{
    EncodingChoice, ImportError, ImportOptions, ResidentRow, ResourceRow, RowError, Sex,
    open_residents, open_resources, write_cp949_resources,
};
use proptest::prelude::*;
use std::path::Path;

type Split<T> = (Vec<T>, Vec<RowError>);

fn read_resources(path: &Path, opts: &ImportOptions) -> Result<Split<ResourceRow>, ImportError> {
    let mut ok = vec![];
    let mut bad = vec![];
    for item in open_resources(path, opts)? {
        match item? {
            Ok(r) => ok.push(r),
            Err(e) => bad.push(e),
        }
    }
    Ok((ok, bad))
}

fn read_residents(path: &Path, opts: &ImportOptions) -> Result<Split<ResidentRow>, ImportError> {
    let mut ok = vec![];
    let mut bad = vec![];
    for item in open_residents(path, opts)? {
        match item? {
            Ok(r) => ok.push(r),
            Err(e) => bad.push(e),
        }
    }
    Ok((ok, bad))
}

fn resources_ok(name: &str) -> Vec<ResourceRow> {
    let (ok, bad) = read_resources(&fixture(name), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(bad.is_empty(), "{name}: {bad:?}");
    ok
}

fn without_lines(rows: &[ResourceRow]) -> Vec<ResourceRow> {
    rows.iter()
        .cloned()
        .map(|mut r| {
            r.line = 0;
            r
        })
        .collect()
}

#[test]
fn reference_rows_are_read_correctly() {
    let rows = resources_ok("resources_sample_utf8bom.csv");
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        (2..=8).collect::<Vec<_>>()
    );
    let third = &rows[2];
    assert_eq!(third.key.as_deref(), Some("R-0003"));
    assert_eq!(third.name, "효자노인복지관");
    assert_eq!(third.category, "돌봄·요양");
    assert_eq!(third.detail_type.as_deref(), Some("노인맞춤돌봄서비스"));
    assert_eq!(
        third.address.as_deref(),
        Some("전북특별자치도 전주시 완산구 효자로 20, 2층")
    );
    assert_eq!(third.phone.as_deref(), Some("063-333-4444"));
    assert_eq!(third.capacity, Some(120));
    assert!(rows.iter().any(|r| r.name.contains('똠')));
    let legal = rows.last().unwrap();
    assert_eq!(legal.phone.as_deref(), Some("132"));
    assert_eq!(legal.category, "법률·금융");
    assert_eq!(rows[0].capacity, None);
}

#[test]
fn every_format_gives_the_same_resources() {
    let want = without_lines(&resources_ok("resources_sample_utf8bom.csv"));
    for name in [
        "resources_sample_cp949.csv",
        "resources_utf8.csv",
        "resources_semicolon.csv",
        "resources_tab_cp949.tsv",
        "resources.xlsx",
        "resources.ods",
        "resources.xls",
        "resources.json",
        "resources_hsds",
        "resources_hsds.json",
    ] {
        let got = resources_ok(name);
        assert_eq!(without_lines(&got), want, "{name}");
    }
}

#[test]
fn detected_encoding_and_format_are_reported() {
    let rows = open_resources(
        &fixture("resources_sample_cp949.csv"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(rows.info().encoding.as_deref(), Some("cp949"));
    let rows = open_resources(
        &fixture("resources_sample_utf8bom.csv"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(rows.info().encoding.as_deref(), Some("utf-8"));
    assert_eq!(rows.info().headers[0], "기관명");
}

#[test]
fn spreadsheet_line_numbers_are_sheet_rows_and_sheet_can_be_chosen() {
    let rows = resources_ok("resources.xlsx");
    assert_eq!(rows[0].line, 2);
    let opts = ImportOptions {
        sheet: Some("없는시트".into()),
        ..Default::default()
    };
    let err = read_resources(&fixture("resources.xlsx"), &opts).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("resources.xlsx") && msg.contains("기관목록"),
        "{msg}"
    );
}

#[test]
fn explicit_encoding_is_obeyed_and_mismatch_is_reported_by_line() {
    let cp949 = ImportOptions {
        encoding: EncodingChoice::parse("ms949").unwrap(),
        ..Default::default()
    };
    let (ok, bad) = read_resources(&fixture("resources_sample_cp949.csv"), &cp949).unwrap();
    assert_eq!((ok.len(), bad.len()), (7, 0));
    let utf8 = ImportOptions {
        encoding: EncodingChoice::parse("utf-8").unwrap(),
        ..Default::default()
    };
    let err = read_resources(&fixture("resources_sample_cp949.csv"), &utf8).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("resources_sample_cp949.csv:1:") && msg.contains("utf-8"),
        "{msg}"
    );
}

#[test]
fn truncated_cp949_byte_rejects_that_row_by_line() {
    let (ok, bad) = read_resources(
        &fixture("broken_truncated_cp949.csv"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(ok.len(), 6);
    assert_eq!(bad.len(), 1);
    let msg = bad[0].to_string();
    assert!(msg.contains("broken_truncated_cp949.csv:4: "), "{msg}");
    assert!(
        msg.contains("잘못된 바이트") && msg.contains("cp949"),
        "{msg}"
    );
    assert!(ok.iter().all(|r| !r.name.contains('\u{FFFD}')));
}

#[test]
fn too_many_fields_rejects_that_row() {
    let (ok, bad) = read_resources(
        &fixture("broken_too_many_fields.csv"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(ok.len(), 6);
    assert_eq!(bad.len(), 1);
    let msg = bad[0].to_string();
    assert!(
        msg.contains("broken_too_many_fields.csv:3: 열이 너무 많습니다"),
        "{msg}"
    );
}

#[test]
fn empty_and_binary_files_are_refused() {
    let err = read_resources(&fixture("broken_empty.csv"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::Empty { .. }), "{err}");
    assert!(err.to_string().contains("broken_empty.csv"));
    let err = read_resources(&fixture("broken_binary.csv"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::Binary { .. }), "{err}");
    assert!(err.to_string().contains("broken_binary.csv"));
}

#[test]
fn missing_name_column_lists_headers_found() {
    let err = read_resources(
        &fixture("broken_no_name_column.csv"),
        &ImportOptions::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ImportError::MissingColumns { .. }), "{msg}");
    assert!(msg.contains("broken_no_name_column.csv"), "{msg}");
    assert!(
        msg.contains("[기관 이름]") && msg.contains("[연락처]"),
        "{msg}"
    );
    assert!(msg.contains("name (시설명"), "{msg}");
}

#[test]
fn map_file_adds_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\nname = [\"기관 이름\"]\n").unwrap();
    let mut opts = ImportOptions::default();
    opts.load_map(&map).unwrap();
    let (ok, _) = read_resources(&fixture("broken_no_name_column.csv"), &opts).unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].name, "완산구보건소");
    std::fs::write(&map, "[columns]\nnaem = \"x\"\n").unwrap();
    let mut opts = ImportOptions::default();
    opts.load_map(&map).unwrap();
    let err = read_resources(&fixture("resources_utf8.csv"), &opts).unwrap_err();
    assert!(err.to_string().contains("naem"), "{err}");
}

#[test]
fn invalid_values_are_rejected_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    std::fs::write(
        &p,
        "시설명,전화번호,정원\n좋은곳,010-1234-5678,10\n,02-123-4567,1\n나쁜전화,12345,1\n나쁜정원,02-123-4567,-3\n",
    )
    .unwrap();
    let (ok, bad) = read_resources(&p, &ImportOptions::default()).unwrap();
    assert_eq!(ok.len(), 1);
    let msgs: Vec<String> = bad.iter().map(ToString::to_string).collect();
    assert!(
        msgs[0].ends_with("bad.csv:3: 이름(시설명)이 비어 있습니다"),
        "{msgs:?}"
    );
    assert!(msgs[1].contains("bad.csv:4: 전화번호"), "{msgs:?}");
    assert!(msgs[2].contains("bad.csv:5: 정원"), "{msgs:?}");
}

#[test]
fn residents_sample_in_both_encodings() {
    for name in ["residents_sample_utf8bom.csv", "residents_sample_cp949.csv"] {
        let (ok, bad) = read_residents(&fixture(name), &ImportOptions::default()).unwrap();
        assert!(bad.is_empty(), "{name}: {bad:?}");
        let dates: Vec<&str> = ok.iter().map(|r| r.birth_date.as_str()).collect();
        assert_eq!(
            dates,
            ["1942-03-15", "1948-07-20", "1951-11-02", "1956-01-01"],
            "{name}"
        );
        let sexes: Vec<Option<Sex>> = ok.iter().map(|r| r.sex).collect();
        assert_eq!(
            sexes,
            [
                Some(Sex::Female),
                Some(Sex::Male),
                Some(Sex::Female),
                Some(Sex::Male)
            ]
        );
        assert_eq!(ok[0].dong.as_deref(), Some("효자동2가"));
        assert_eq!(ok[0].note.as_deref(), Some("독거, 기초수급"));
        assert_eq!(ok[2].phone, None);
        assert_eq!(ok[1].phone.as_deref(), Some("010-3456-7890"));
    }
}

#[test]
fn resident_rrn_is_reduced_and_never_kept_whole() {
    let path = fixture("residents_rrn.csv");
    let (ok, bad) = read_residents(&path, &ImportOptions::default()).unwrap();
    assert_eq!(ok.len(), 4);
    assert_eq!(ok[0].birth_date, "1942-03-15");
    assert_eq!(ok[0].sex, Some(Sex::Female));
    assert_eq!(ok[0].rrn_masked.as_deref(), Some("420315-2******"));
    assert_eq!(ok[0].dong.as_deref(), Some("효자동2가"));
    assert_eq!(ok[1].rrn_masked.as_deref(), Some("480720-1******"));
    assert_eq!(
        ok[1].dong.as_deref(),
        Some("삼천동"),
        "column beats address"
    );
    assert_eq!(ok[2].birth_date, "2015-05-05");
    assert_eq!(ok[2].sex, Some(Sex::Female));
    assert_eq!(ok[3].birth_date, "1980-01-01", "foreigner digit 5");
    assert_eq!(ok[3].sex, Some(Sex::Male));
    assert_eq!(bad.len(), 1);
    // No output carries the secret part of any number, in any rendering.
    let raw = std::fs::read_to_string(&path).unwrap();
    let secrets: Vec<String> = raw
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .map(|rrn| rrn.replace('-', ""))
        .filter(|d| d.len() >= 11)
        .map(|d| d[6..].to_owned())
        .collect();
    assert_eq!(secrets.len(), 5);
    let rendered = format!(
        "{ok:?}{bad:?}{}{}",
        serde_json::to_string(&ok).unwrap(),
        bad.iter().map(ToString::to_string).collect::<String>()
    );
    for s in &secrets {
        assert!(!rendered.contains(s.as_str()), "{s} leaked: {rendered}");
    }
}

#[test]
fn residents_need_birth_date_or_rrn_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    std::fs::write(&p, "성명,주소\n홍길동,전주시\n").unwrap();
    let err = read_residents(&p, &ImportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("birth_date") && msg.contains("rrn") && msg.contains("[성명]"),
        "{msg}"
    );
}

#[test]
fn generated_cp949_file_parses_fully() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gen.csv");
    write_cp949_resources(&p, 2000).unwrap();
    let (ok, bad) = read_resources(&p, &ImportOptions::default()).unwrap();
    assert!(bad.is_empty(), "{:?}", &bad[..bad.len().min(3)]);
    assert_eq!(ok.len(), 2000);
    assert_eq!(ok[1999].line, 2001);
    assert!(ok[0].address.as_deref().unwrap().contains(", 2층"));
    assert!(ok[0].name.starts_with('똠'));
}

/// A malformed byte deep in a multi-chunk file is pinned to its exact line.
#[test]
fn bad_byte_line_is_exact_across_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gen.csv");
    write_cp949_resources(&p, 20_000).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    let target_line = 15_001usize; // 1-based physical line
    let start = bytes
        .split(|&b| b == b'\n')
        .take(target_line - 1)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    // Replace the first comma of that line with a lone lead byte.
    let comma = start + bytes[start..].iter().position(|&b| b == b',').unwrap();
    bytes[comma - 1] = 0xB0; // the trail byte before the comma becomes a lead byte
    std::fs::write(&p, &bytes).unwrap();
    let (ok, bad) = read_resources(&p, &ImportOptions::default()).unwrap();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].line, target_line as u64);
    assert_eq!(ok.len(), 19_999);
}

/// Reads every row of `path` as the importer would: each refusal must name the file (and a
/// rejected row its line), so a person can find what is wrong.
fn drain(path: &Path) -> Result<(), TestCaseError> {
    let file = path.display().to_string();
    match open_resources(path, &ImportOptions::default()) {
        Err(e) => prop_assert!(e.to_string().starts_with(&file), "{e}"),
        Ok(rows) => {
            for item in rows {
                match item {
                    Ok(Ok(row)) => prop_assert!(!row.name.trim().is_empty(), "{row:?}"),
                    Ok(Err(bad)) => {
                        prop_assert!(bad.line >= 1, "{bad}");
                        let at = format!("{file}:{}:", bad.line);
                        prop_assert!(bad.to_string().starts_with(&at), "{bad}");
                    }
                    Err(e) => {
                        prop_assert!(e.to_string().starts_with(&file), "{e}");
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_give_rows_or_errors_naming_the_file(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, &bytes).unwrap();
        drain(&p)?;
    }

    #[test]
    fn mutated_cp949_gives_rows_or_errors_naming_the_file(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16),
        cut in any::<usize>(),
    ) {
        let mut bytes = std::fs::read(fixture("resources_sample_cp949.csv")).unwrap();
        for (at, b) in edits {
            let i = at % bytes.len();
            bytes[i] = b;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, &bytes).unwrap();
        drain(&p)?;
    }
}

/// Throughput: `cargo test --release --test it -- --ignored --nocapture import_parse::throughput`.
#[test]
#[ignore]
fn throughput_1m_rows() {
    let n: u64 = std::env::var("ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.csv");
    let t = std::time::Instant::now();
    let bytes = write_cp949_resources(&p, n).unwrap();
    println!("generated {n} rows, {bytes} bytes in {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let (mut ok, mut bad) = (0u64, 0u64);
    for item in open_resources(&p, &ImportOptions::default()).unwrap() {
        match item.unwrap() {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "parsed {ok} rows ({bad} rejected) in {secs:.2}s = {:.0} rows/s, {:.1} MB/s",
        ok as f64 / secs,
        bytes as f64 / secs / 1e6
    );
    assert_eq!(ok, n);
}

#[test]
fn utf16_with_bom_and_content_sniffing() {
    let want = without_lines(&resources_ok("resources_sample_utf8bom.csv"));
    let text = std::fs::read_to_string(fixture("resources_utf8.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // UTF-16LE with BOM.
    let p = dir.path().join("u16.csv");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&p, bytes).unwrap();
    let (ok, bad) = read_resources(&p, &ImportOptions::default()).unwrap();
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(without_lines(&ok), want);
    // Unknown extensions: the content decides.
    for (src, name) in [
        ("resources.xlsx", "renamed.bin"),
        ("resources.json", "renamed.dat"),
        ("resources_sample_cp949.csv", "renamed.dat2"),
    ] {
        let p = dir.path().join(name);
        std::fs::copy(fixture(src), &p).unwrap();
        let (ok, bad) = read_resources(&p, &ImportOptions::default()).unwrap();
        assert!(bad.is_empty(), "{name}: {bad:?}");
        assert_eq!(without_lines(&ok), want, "{name}");
    }
}

#[test]
fn json_wrapped_array_as_public_data_apis_return() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("api.json");
    std::fs::write(
        &p,
        r#"{"currentCount": 1, "data": [{"시설명": "완산 푸드뱅크", "시설종류명(시설유형)": "푸드뱅크", "정원(수용인원)": 30, "전화번호": "0632223333"}]}"#,
    )
    .unwrap();
    let (ok, bad) = read_resources(&p, &ImportOptions::default()).unwrap();
    assert!(bad.is_empty());
    assert_eq!(ok[0].category, "식품·생계");
    assert_eq!(ok[0].detail_type.as_deref(), Some("푸드뱅크"));
    assert_eq!(ok[0].capacity, Some(30));
    assert_eq!(ok[0].phone.as_deref(), Some("063-222-3333"));
    assert_eq!(ok[0].line, 1);
    std::fs::write(&p, "[1, 2]").unwrap();
    let err = read_resources(&p, &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("api.json"), "{err}");
}

/// The reader can move to a worker thread (the TUI imports in the background).
#[test]
fn rows_are_send() {
    fn assert_send<T: Send>() {}
    assert_send::<dolbom::resources::import::Rows<ResourceRow>>();
    assert_send::<dolbom::resources::import::Rows<ResidentRow>>();
}
