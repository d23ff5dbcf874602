//! Trust: audit review, tamper detection from the CLI, crash safety of demo generation, two
//! processes on one file, and fuzzed parsers (keymap, search query).

use dolbom::clock::{Clock, parse_datetime};
use proptest::prelude::*;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The binary with the shared clean environment and a fixed clock.
fn dolbom() -> Command {
    let mut c = crate::common::dolbom();
    c.env("DOLBOM_NOW", "2026-11-25T09:00:00");
    c
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn audit_verify_from_the_cli_names_the_broken_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    assert!(
        dolbom()
            .arg("--db")
            .arg(&db)
            .args(["demo", "--residents", "50", "--no-tui"])
            .status()
            .unwrap()
            .success()
    );
    // Three detail views, audited.
    let mut o = dolbom::store::OpenOptions::new("tester");
    o.clock = Clock::fixed(parse_datetime("2026-11-25 10:00").unwrap());
    let store = dolbom::store::Store::open(&db, &o).unwrap();
    let ids: Vec<String> = rusqlite::Connection::open(&db)
        .unwrap()
        .prepare("SELECT id FROM residents LIMIT 3")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for id in &ids {
        store.view_resident(id).unwrap();
    }
    drop(store);
    let ok = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
    let summary = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["audit", "summary", "--month", "2026-11", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&summary.stdout).unwrap();
    assert_eq!(rows[0]["operator"], "tester");
    assert_eq!(rows[0]["residents_viewed"], 3);
    // Someone removes row 2 behind dolbom's back.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE seq = 2;")
        .unwrap();
    drop(conn);
    let bad = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(text.contains("row 2 is missing"), "{text}");
}

#[test]
fn kill_9_during_demo_leaves_before_or_after() {
    let dir = tempfile::tempdir().unwrap();
    let n = 8000;
    let mut seed = 0x5eed_u64;
    let mut outcomes = Vec::new();
    for trial in 0..4 {
        let db = dir.path().join(format!("k{trial}.db"));
        let mut child = dolbom()
            .arg("--db")
            .arg(&db)
            .args(["demo", "--residents", &n.to_string(), "--no-tui"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = if trial == 3 {
            60_000
        } else {
            100 + (seed >> 33) % 900
        };
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(delay) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        if !db.exists() {
            outcomes.push("no file");
            continue;
        }
        let conn = rusqlite::Connection::open(&db).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        drop(conn);
        let residents = count(&db, "SELECT count(*) FROM residents");
        assert!(
            residents == 0 || residents == n,
            "trial {trial}: {residents} residents: half a demo"
        );
        if residents == n {
            let ops = count(&db, "SELECT count(*) FROM ops");
            assert!(ops > n, "the op log committed with the rows");
        }
        outcomes.push(if residents == 0 { "before" } else { "after" });
    }
    assert_eq!(outcomes.last(), Some(&"after"), "{outcomes:?}");
    eprintln!("kill -9 outcomes: {outcomes:?}");
}

#[test]
fn a_reader_works_while_another_process_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    assert!(
        dolbom()
            .arg("--db")
            .arg(&db)
            .args(["users", "list"])
            .status()
            .unwrap()
            .success()
    );
    let mut writer = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["demo", "--residents", "30000", "--no-tui", "--force"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    // Reading during the long write transaction works (WAL).
    let read = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["audit"])
        .output()
        .unwrap();
    assert!(read.status.success(), "{read:?}");
    // A second writer either waits its turn or says clearly that the file is busy.
    let write = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["users", "add", "kim"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&write.stderr);
    assert!(
        write.status.success() || err.contains("다른 dolbom이 이 파일을 쓰고 있습니다"),
        "{err}"
    );
    assert!(writer.wait().unwrap().success());
}

/// Applies `src` over the default keymap. An error must name the file and leave the keymap as it
/// was ("nothing changes if the text has any error"); returns whether it was an error.
fn apply_fuzz_keymap(src: &str) -> Result<bool, TestCaseError> {
    let mut km = dolbom::tui::Keymap::builtin_default();
    let before = format!("{km:?}");
    match km.apply_str("fuzz.toml", src) {
        Ok(()) => Ok(false),
        Err(e) => {
            prop_assert!(e.to_string().contains("fuzz.toml"), "{e}");
            prop_assert_eq!(
                format!("{km:?}"),
                before,
                "an error changed the keymap: {}",
                e
            );
            Ok(true)
        }
    }
}

#[test]
fn keymap_fuzz_corpus_gives_errors_that_name_the_file_and_change_nothing() {
    let corpus = std::fs::read_to_string("tests/fixtures/fuzz/keymap_cases.txt").unwrap();
    let (mut cases, mut accepted) = (0, vec![]);
    for (i, case) in corpus.split("\n[").enumerate() {
        let src = if i == 0 {
            case.to_string()
        } else {
            format!("[{case}")
        };
        cases += 1;
        if !apply_fuzz_keymap(&src).unwrap_or_else(|e| panic!("case {i}: {e}\n{src}")) {
            accepted.push(i);
        }
    }
    assert_eq!(cases, 11);
    // Only the long `g g …` sequence, the Hangul key and `alt-ctrl-shift-x` are valid; the other
    // eight cases are refused.
    assert_eq!(accepted, [2, 6, 9], "cases accepted");
}

#[test]
fn query_fuzz_corpus_searches_without_panic() {
    let names = ["김민수", "이영희", "박 철수", "Kim Minsu", "똠방각하"];
    let keys: Vec<dolbom::search::PersonKey> = names
        .iter()
        .map(|n| dolbom::search::PersonKey {
            name: n.to_string(),
            ..Default::default()
        })
        .collect();
    let index = dolbom::search::SearchIndex::build(&keys);
    let corpus = std::fs::read_to_string("tests/fixtures/fuzz/query_cases.txt").unwrap();
    let mut queries = 0;
    for line in corpus.lines() {
        let q = dolbom::search::Query::parse(line, 2026);
        let hits = index.search(&q, |_| true, 10);
        check_hits(&hits, &names).unwrap_or_else(|e| panic!("query {line:?}: {e}"));
        queries += 1;
    }
    assert_eq!(queries, 18, "every line of the corpus was searched");
}

/// A search over `names` returns each record at most once, only records that exist, and
/// highlight positions inside the name.
fn check_hits(hits: &[dolbom::search::Hit], names: &[&str]) -> Result<(), TestCaseError> {
    let mut seen = std::collections::BTreeSet::new();
    for h in hits {
        let name = names.get(h.record as usize);
        prop_assert!(name.is_some(), "record {} of {}", h.record, names.len());
        prop_assert!(seen.insert(h.record), "record {} twice", h.record);
        let len = name.map_or(0, |n| n.chars().count());
        prop_assert!(
            h.positions.iter().all(|&p| p < len),
            "positions {:?} outside {:?}",
            h.positions,
            name
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_keymap_text_never_panics(src in "(\\[[a-z]{0,8}\\]\n)?(\"[ -~ㄱ-ㅎ가-힣]{0,12}\" = (\"[a-z-]{0,14}\"|[0-9]+|\\{ action = \"[a-z-]{0,10}\" \\})\n){0,5}") {
        let mut km = dolbom::tui::Keymap::builtin_default();
        if let Err(e) = km.apply_str("fuzz.toml", &src) {
            // Errors name the file (and a line where there is one).
            prop_assert!(e.to_string().contains("fuzz.toml"), "{e}");
        }
    }

    #[test]
    fn random_bytes_as_keymap_name_the_file_and_change_nothing(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let src = String::from_utf8_lossy(&bytes);
        apply_fuzz_keymap(&src)?;
    }

    #[test]
    fn random_queries_never_panic(q in "[ 0-9a-zA-Zㄱ-ㅣ가-힣.\\-/]{0,24}") {
        let names = ["김민수", "기민수", "이영희", "Lee Younghee"];
        let keys: Vec<dolbom::search::PersonKey> = names.iter().map(|n| dolbom::search::PersonKey {
            name: n.to_string(),
            phone_tail: Some(1234),
            ..Default::default()
        }).collect();
        let index = dolbom::search::SearchIndex::build(&keys);
        let query = dolbom::search::Query::parse(&q, 2026);
        let hits = index.search(&query, |_| true, 10);
        prop_assert!(hits.len() <= names.len());
        check_hits(&hits, &names)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn resident_cells_parse_or_name_the_cell_and_keep_no_full_number(cell in "\\PC{0,16}") {
        use dolbom::resources::import::{normalize_phone, parse_birth_date, parse_rrn, parse_sex, mask_rrn_like};
        // Refusals quote the cell so the person can find it.
        if let Err(e) = parse_birth_date(&cell) {
            prop_assert!(e.contains(&cell), "{e}");
        }
        match normalize_phone(&cell) {
            Ok(p) => prop_assert!(p.chars().all(|c| c.is_ascii_digit() || c == '-'), "{p}"),
            Err(e) => prop_assert!(e.contains(&cell), "{e}"),
        }
        if let Err(e) = parse_sex(&cell) {
            prop_assert!(e.contains(&cell), "{e}");
        }
        // A 주민등록번호 keeps only its front and the first digit of the back.
        if let Ok(r) = parse_rrn(&cell) {
            prop_assert!(r.masked.ends_with("******"), "{}", r.masked);
            prop_assert_eq!(r.masked.chars().count(), 14);
        }
        // Masking leaves nothing that masking would change again.
        let masked = mask_rrn_like(&cell);
        prop_assert_eq!(mask_rrn_like(&masked), masked);
    }

    #[test]
    fn random_resident_files_give_masked_rows_or_located_errors(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        let mut content = "성명,생년월일,성별,연락처\n".as_bytes().to_vec();
        content.extend(bytes);
        std::fs::write(&path, content).unwrap();
        match dolbom::resources::import::open_residents(&path, &Default::default()) {
            Err(e) => prop_assert!(e.to_string().contains("list.csv"), "{e}"),
            Ok(rows) => {
                for item in rows.take(50) {
                    match item {
                        Ok(Ok(row)) => {
                            prop_assert!(row.line >= 2, "data starts under the header: {}", row.line);
                            if let Some(m) = &row.rrn_masked {
                                prop_assert!(m.ends_with("******"), "{m}");
                            }
                            if let Some(note) = &row.note {
                                prop_assert_eq!(&dolbom::resources::import::mask_rrn_like(note), note);
                            }
                        }
                        Ok(Err(e)) => {
                            prop_assert_eq!(&*e.path, path.as_path());
                            prop_assert!(e.line >= 1, "{e}");
                        }
                        Err(e) => prop_assert!(e.to_string().contains("list.csv"), "{e}"),
                    }
                }
            }
        }
    }
}

#[test]
fn a_registration_number_in_the_wrong_column_never_reaches_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "성명,생년월일,연락처\n김철수,500101-1234567,010-1234-5678\n이영희,19500101,500101-2345678\n").unwrap();
    let out = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["residents", "import"])
        .arg(&list)
        .arg("--json")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("1234567") && !all.contains("2345678"),
        "{all}"
    );
    for suffix in ["", "-wal"] {
        let bytes = std::fs::read(format!("{}{suffix}", db.display())).unwrap_or_default();
        for secret in [&b"1234567"[..], b"2345678"] {
            assert!(
                !bytes.windows(7).any(|w| w == secret),
                "not in the database{suffix}"
            );
        }
    }
}

#[test]
fn eight_byte_hangul_birth_cells_are_errors_not_panics() {
    use dolbom::resources::import::parse_birth_date;
    for cell in ["만75세", "불명ab", "ab불명", "1950년1월"] {
        let err = parse_birth_date(cell).expect_err(cell);
        assert!(err.contains(cell), "{err}");
    }
}
