//! Hostile and careless input to the importers (issue #21, items 1–3 and 9): zip bombs, an
//! unterminated quote, endless input, huge lines and fields, mixed encodings, UTF-32, `--sheet`
//! on a CSV, and the database path checks. Every case ends in a clear message, fast, with
//! nothing silently lost. Then a bounded, deterministic fuzz run over each importer's corpus
//! (`tests/fixtures/fuzz/import/`). Big inputs are made here, in a temp dir, never committed.

use crate::common::rng::Rng;
use crate::common::{dolbom, dolbom_at, fixture};
use dolbom::resources::import::limits::{
    MAX_FIELD_CHARS, MAX_RECORD_BYTES, MAX_ZIP_ENTRY_BYTES, human_bytes,
};
use dolbom::resources::import::{
    ImportError, ImportOptions, ResourceRow, RowError, open_residents, open_resources,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

type Outcome = Result<(Vec<ResourceRow>, Vec<RowError>), ImportError>;

fn read(path: &Path, opts: &ImportOptions) -> Outcome {
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

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs `f` on a thread and fails the test if it takes longer than `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}"))
}

const XLSX_HEAD: &[(&str, &str)] = &[
    (
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    ),
    (
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    ),
    (
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    ),
];

/// An XLSX whose one sheet holds a header `name` and one cell of `n` times `A`, streamed
/// through the compressor (a few hundred KB on disk for tens of MB inflated).
fn xlsx_with_big_cell(path: &Path, n: u64) {
    use zip::write::SimpleFileOptions;
    let file = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in XLSX_HEAD {
        z.start_file(*name, o).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.start_file("xl/worksheets/sheet1.xml", o.large_file(true))
        .unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>"#).unwrap();
    let chunk = vec![b'A'; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(chunk.len() as u64) as usize;
        z.write_all(&chunk[..k]).unwrap();
        left -= k as u64;
    }
    z.write_all(b"</t></is></c></row></sheetData></worksheet>")
        .unwrap();
    z.finish().unwrap();
}

// 1. Zip bomb.
#[test]
fn zip_bomb_is_refused_before_inflating() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bomb.xlsx");
    xlsx_with_big_cell(&p, MAX_ZIP_ENTRY_BYTES + (1 << 20));
    assert!(std::fs::metadata(&p).unwrap().len() < 2 << 20);
    let started = Instant::now();
    let e = read(&p, &ImportOptions::default()).expect_err("a bomb must not import");
    let msg = e.to_string();
    assert!(matches!(e, ImportError::TooLarge { .. }), "{msg}");
    assert!(
        msg.contains(&human_bytes(MAX_ZIP_ENTRY_BYTES)) && msg.contains("sheet1.xml"),
        "{msg}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Sets every stated uncompressed size (local headers and central directory) of the zip at
/// `path` to `size`: a directory that lies.
fn lie_about_sizes(path: &Path, size: u32) {
    let mut b = std::fs::read(path).unwrap();
    let mut i = 0;
    while i + 46 <= b.len() {
        if b[i..i + 4] == *b"PK\x01\x02" {
            b[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            i += 46;
        } else if b[i..i + 4] == *b"PK\x03\x04" {
            b[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            i += 30;
        } else {
            i += 1;
        }
    }
    std::fs::write(path, b).unwrap();
}

#[test]
fn a_zip_directory_that_lies_about_sizes_is_still_capped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("liar.xlsx");
    xlsx_with_big_cell(&p, MAX_ZIP_ENTRY_BYTES + (1 << 20));
    lie_about_sizes(&p, 1000);
    let started = Instant::now();
    let e = read(&p, &ImportOptions::default()).expect_err("a bomb must not import");
    assert!(
        matches!(
            e,
            ImportError::TooLarge { .. } | ImportError::Spreadsheet { .. }
        ),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_sparse_sheet_spanning_the_whole_grid_is_refused() {
    use zip::write::SimpleFileOptions;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sparse.xlsx");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let o = SimpleFileOptions::default();
    for (name, body) in XLSX_HEAD {
        z.start_file(*name, o).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.start_file("xl/worksheets/sheet1.xml", o).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#).unwrap();
    z.finish().unwrap();
    let e = within(Duration::from_secs(10), move || {
        read(&p, &ImportOptions::default()).map(|_| ())
    })
    .unwrap_err();
    assert!(e.to_string().contains("시트 범위가 너무 큽니다"), "{e}");
}

#[test]
fn a_sheet_under_the_limit_still_imports() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ok.xlsx");
    xlsx_with_big_cell(&p, 100);
    let (ok, bad) = read(&p, &ImportOptions::default()).unwrap();
    assert_eq!((ok.len(), bad.len()), (1, 0));
    assert_eq!(ok[0].name, "A".repeat(100));
}

// 2. Unterminated quote.
fn thousand_rows_with_quote_at(line: usize) -> Vec<u8> {
    let mut s = String::from("시설명,주소,전화번호\n");
    for i in 2..=1000 {
        if i == line {
            s.push_str(&format!("\"기관{i},전주시 {i}번길,063-123-4567\n"));
        } else {
            s.push_str(&format!("기관{i},전주시 {i}번길,063-123-4567\n"));
        }
    }
    s.into_bytes()
}

#[test]
fn an_unterminated_quote_fails_the_import_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "q.csv", &thousand_rows_with_quote_at(502));
    let e = read(&p, &ImportOptions::default()).expect_err("rows after the quote must not vanish");
    let msg = e.to_string();
    assert!(msg.contains(":502:"), "{msg}");
    assert!(msg.contains("따옴표"), "{msg}");

    // Through the command line: exit 1 and nothing saved.
    let db = dir.path().join("d.db");
    let o = dolbom_at(&db)
        .args(["resources", "import"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = dolbom_at(&db).args(["resources", "list"]).output().unwrap();
    assert!(o.stdout.is_empty(), "nothing from the file was saved");
}

#[test]
fn a_quote_that_swallows_rows_with_the_right_cell_count_is_caught() {
    // The quote opens in the last column, so the swallowed record has the header's width.
    let dir = tempfile::tempdir().unwrap();
    let text = "시설명,주소,전화번호\n가,전주,\"063\n나,익산,063-111-2222\n다,군산,063-111-3333\n";
    let p = write(dir.path(), "q.csv", text.as_bytes());
    let e = read(&p, &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains(":2:"), "{e}");
}

#[test]
fn a_quoted_line_break_inside_a_cell_is_still_fine() {
    let dir = tempfile::tempdir().unwrap();
    let text = "시설명,주소,전화번호\n가,\"전주시\n완산구\",063-111-2222\n나,익산,063-111-3333\n";
    let p = write(dir.path(), "ok.csv", text.as_bytes());
    let (ok, bad) = read(&p, &ImportOptions::default()).unwrap();
    assert_eq!((ok.len(), bad.len()), (2, 0), "{bad:?}");
    assert_eq!(ok[1].line, 4);
}

// 3. Endless input.
#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused_at_once() {
    let e = within(Duration::from_secs(5), || {
        read(Path::new("/dev/zero"), &ImportOptions::default()).map(|_| ())
    })
    .unwrap_err();
    assert!(matches!(e, ImportError::NotAFile { .. }), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let f = fifo.clone();
        let e = within(Duration::from_secs(5), move || {
            read(&f, &ImportOptions::default()).map(|_| ())
        })
        .unwrap_err();
        assert!(e.to_string().contains("일반 파일이 아닙니다"), "{e}");
    }
}

// 9. Smaller items.
#[test]
fn a_huge_header_without_a_newline_is_cut_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "h.csv", &vec![b'x'; 10 << 20]);
    let e = within(Duration::from_secs(20), move || {
        read(&p, &ImportOptions::default()).map(|_| ())
    })
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.len() < 1000, "{} bytes of message", msg.len());
    assert!(msg.contains(":1:") && msg.contains("1 MiB"), "{msg}");
}

#[test]
fn many_wide_headers_are_shown_cut() {
    let dir = tempfile::tempdir().unwrap();
    let header: Vec<String> = (0..500)
        .map(|i| format!("{i}{}", "열".repeat(300)))
        .collect();
    let p = write(
        dir.path(),
        "w.csv",
        format!("{}\n1\n", header.join(",")).as_bytes(),
    );
    let e = read(&p, &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, ImportError::MissingColumns { .. }));
    assert!(
        e.to_string().chars().count() < 3000,
        "{}",
        e.to_string().len()
    );
}

#[test]
fn a_cp949_line_in_a_utf8_file_is_blamed_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes =
        "시설명,주소\n가나복지관,전주시 효자동\n다라센터,익산시 모현동\n마바쉼터,군산시 나운동\n"
            .as_bytes()
            .to_vec();
    bytes.extend_from_slice(&encoding_rs::EUC_KR.encode("사아쉼터,남원시 도통동\n").0);
    bytes.extend_from_slice("자차센터,정읍시 수성동\n".as_bytes());
    let p = write(dir.path(), "mixed.csv", &bytes);
    let (ok, bad) = read(&p, &ImportOptions::default()).unwrap();
    assert_eq!(ok.len(), 4);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 5, "{}", bad[0]);
}

#[test]
fn utf32_is_refused_without_printing_nul_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE, 0, 0];
    for c in "시설명,주소\n가,나\n".chars() {
        bytes.extend_from_slice(&(c as u32).to_le_bytes());
    }
    let p = write(dir.path(), "u32.csv", &bytes);
    let e = read(&p, &ImportOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(!msg.contains('\0'), "{msg:?}");
    assert!(msg.contains("UTF-32"), "{msg}");
}

#[test]
fn sheet_on_a_csv_is_an_error() {
    let opts = ImportOptions {
        sheet: Some("Sheet2".into()),
        ..Default::default()
    };
    let p = fixture("import/resources_utf8.csv");
    let e = read(&p, &opts).unwrap_err();
    assert!(matches!(e, ImportError::SheetNotSpreadsheet { .. }), "{e}");
    assert!(e.to_string().contains("--sheet"));
}

#[test]
fn an_overlong_field_is_rejected_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let long = "가".repeat(MAX_FIELD_CHARS + 1);
    let text = format!("시설명,주소\n보통,전주\n{long},익산\n끝,군산\n");
    let p = write(dir.path(), "long.csv", text.as_bytes());
    let (ok, bad) = read(&p, &ImportOptions::default()).unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 3);
    assert!(bad[0].reason.contains("너무 깁니다"), "{}", bad[0]);
    assert!(bad[0].to_string().len() < 300);

    // A 10 MB name is past the record limit: the file stops there, naming the line.
    let huge = "x".repeat(10 << 20);
    let text = format!("시설명,주소\n보통,전주\n{huge},익산\n");
    let p = write(dir.path(), "huge.csv", text.as_bytes());
    let e = read(&p, &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains(":3:"), "{e}");
    const { assert!(MAX_RECORD_BYTES < 10 << 20) };

    // Resident lists too.
    let text = format!("성명,생년월일\n{long},1950-01-01\n");
    let p = write(dir.path(), "res.csv", text.as_bytes());
    let rows: Vec<_> = open_residents(&p, &ImportOptions::default())
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(rows[0].as_ref().is_err_and(|e| e.line == 2));
}

#[test]
fn a_db_path_into_a_missing_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("no-such-folder").join("d.db");
    let o = dolbom()
        .env("DOLBOM_DB", &db)
        .args(["resources", "list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("폴더가 없습니다").count(),
        1,
        "said once: {err}"
    );
    assert!(!db.parent().unwrap().exists(), "no folder was made");
}

#[cfg(unix)]
#[test]
fn an_empty_file_filled_with_a_database_becomes_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    std::fs::write(&db, b"").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = dolbom_at(&db).args(["resources", "list"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// A database we may not write still serves reads (`resources list`), and a command that must
/// write fails. Run as `nobody` through `setpriv` (root may write any file); skipped
/// where that is not possible.
#[cfg(unix)]
#[test]
fn a_read_only_database_serves_reads() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let has_setpriv = Command::new("setpriv").arg("--help").output().is_ok();
    if !as_root || !has_setpriv {
        eprintln!("skipped: needs root and setpriv to run as another user");
        return;
    }
    let dir = tempfile::Builder::new().prefix("ro").tempdir().unwrap();
    let db = dir.path().join("r.db");
    let o = dolbom_at(&db)
        .args(["resources", "import"])
        .arg(fixture("import/resources_utf8.csv"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Fold the WAL in so the file alone holds everything, then make file and folder read-only.
    let o = dolbom_at(&db).args(["resources", "list"]).output().unwrap();
    let expected = o.stdout;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let as_nobody = |args: &[&str]| {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(crate::common::BIN)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("DOLBOM_DB")
            .env("DOLBOM_USER", "tester");
        c.output().unwrap()
    };
    let o = as_nobody(&["resources", "list"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    if err.contains("Permission denied") && !err.contains("r.db") {
        eprintln!("skipped: nobody cannot reach the temp dir: {err}");
        return;
    }
    assert!(o.status.success(), "{err}");
    assert_eq!(o.stdout, expected);
    // A write cannot happen; it fails (exit 1) instead of changing anything.
    let fixture_path = fixture("import/resources_utf8.csv");
    let o = as_nobody(&["resources", "import", fixture_path.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

// Fuzzing: a deterministic mutation loop over the corpus, a bounded number of cases.

const INTERESTING: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\0",
    b"\xFF",
    b"\xB0",
    b"\xEF\xBB\xBF",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\\",
    b"\xE2\x80\xAE",
    "똠".as_bytes(),
    b"9999999999999999999999",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let s = INTERESTING[rng.below(INTERESTING.len())];
                b.splice(at..at, s.iter().copied());
            }
            2 if at < b.len() => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            3 if at < b.len() => {
                let end = (at + rng.below(256)).min(b.len());
                let piece = b[at..end].to_vec();
                b.splice(at..at, piece);
            }
            4 => b.truncate(at),
            _ => {}
        }
    }
    b
}

/// Every outcome is an `Ok` (rows and rejected rows) or an `ImportError`, each message short and
/// free of control characters; no panic, no hang.
fn check_outcome(name: &str, path: &Path) {
    let check_msg = |m: &str| {
        assert!(m.len() < 20_000, "{name}: {} byte message", m.len());
        assert!(!m.contains('\0'), "{name}: NUL in {m:?}");
    };
    match read(path, &ImportOptions::default()) {
        Ok((_, bad)) => bad.iter().for_each(|e| check_msg(&e.to_string())),
        Err(e) => check_msg(&e.to_string()),
    }
    if let Ok(rows) = open_residents(path, &ImportOptions::default()) {
        for r in rows {
            match r {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => check_msg(&e.to_string()),
                Err(e) => {
                    check_msg(&e.to_string());
                    break;
                }
            }
        }
    }
}

fn fuzz(exts: &[&str], cases: usize, seed: u64) {
    let corpus_dir = fixture("fuzz/import");
    let mut corpus: Vec<(String, Vec<u8>)> = std::fs::read_dir(&corpus_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        })
        .map(|p| {
            let ext = p.extension().unwrap().to_string_lossy().into_owned();
            (ext, std::fs::read(&p).unwrap())
        })
        .collect();
    corpus.sort();
    assert!(!corpus.is_empty(), "no corpus for {exts:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed);
    let started = Instant::now();
    for i in 0..cases {
        let (ext, seed) = &corpus[rng.below(corpus.len())];
        let bytes = mutate(&mut rng, seed);
        let p = write(dir.path(), &format!("case{i}.{ext}"), &bytes);
        check_outcome(
            &format!("case {i} ({ext}, seed {seed:?})", seed = rng.0),
            &p,
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{exts:?}: {cases} cases took {:?}",
        started.elapsed()
    );
}

#[test]
fn fuzz_csv() {
    fuzz(&["csv"], 400, 0x00C5_F00D);
}

#[test]
fn fuzz_spreadsheets() {
    fuzz(&["xlsx", "ods"], 200, 0x05EE_D5EE);
}

#[test]
fn fuzz_json_and_hsds() {
    fuzz(&["json"], 400, 0x0015_0123);
}
