//! What a Windows office PC hands dolbom: folders named in Hangul with spaces
//! (`C:\Users\김민수\바탕 화면\자원 목록.csv`), files saved by Excel or Notepad with CRLF line
//! endings (and Notepad's UTF-8 BOM), and the platform data folder. These run on every target;
//! `.ci/windows-smoke.sh` runs the same paths through the real `dolbom.exe` under Wine.

use dolbom::resources::export;
use dolbom::resources::import::ImportOptions;
use dolbom::resources::upsert::{ImportReport, ResourceImport, import_resources};
use dolbom::store::{OpenOptions, Store};
use dolbom::tui::Keymap;
use std::path::{Path, PathBuf};

/// A user's desktop folder the way Windows names it for a Korean account.
fn desktop(root: &Path) -> PathBuf {
    let dir = root.join("김민수").join("바탕 화면").join("돌봄 자료");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import(store: &mut Store, file: &Path) -> ImportReport {
    import_resources(store, file, &ResourceImport::default(), &mut |_, _| {}).unwrap()
}

/// Every text field of every resource, sorted, ids left out.
fn directory(store: &Store) -> Vec<String> {
    let mut v: Vec<String> = store
        .resources()
        .unwrap()
        .into_iter()
        .map(|r| {
            let d = r.resource;
            [
                d.name,
                d.category,
                d.detail_type,
                d.provider_type,
                d.address,
                d.phone,
                d.hours,
                d.eligibility,
            ]
            .join("|")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_database_in_a_hangul_folder_with_spaces_opens_and_reopens() {
    let tmp = tempfile::tempdir().unwrap();
    let db = desktop(tmp.path()).join("관악 센터 자료.db");
    {
        let store = Store::open(&db, &OpenOptions::new("박지현")).unwrap();
        assert_eq!(store.path(), db.as_path());
    }
    assert!(db.is_file(), "the database file keeps its Hangul name");
    let store = Store::open(&db, &OpenOptions::new("박지현")).unwrap();
    assert!(store.audit_verify().unwrap().broken.is_none());
}

#[test]
fn a_crlf_cp949_file_at_a_hangul_path_with_spaces_imports_without_stray_carriage_returns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = desktop(tmp.path());
    let bytes = std::fs::read(fixture("resources_sample_cp949.csv")).unwrap();
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "the sample is an Excel CSV with CRLF line endings"
    );
    let csv = dir.join("자원 목록 (2025년 3월).csv");
    std::fs::write(&csv, &bytes).unwrap();
    let mut store = Store::open(&dir.join("센터.db"), &OpenOptions::new("관리자")).unwrap();
    let report = import(&mut store, &csv);
    assert_eq!((report.inserted, report.rejected), (7, 0), "{report:?}");
    assert_eq!(report.source.as_deref(), Some("자원 목록 (2025년 3월)"));
    let rows = directory(&store);
    assert_eq!(rows.len(), 7);
    assert!(
        rows.iter().all(|r| !r.contains('\r')),
        "no field keeps the CR of a CRLF line end: {rows:?}"
    );
}

#[test]
fn crlf_and_lf_copies_of_a_file_import_the_same_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = desktop(tmp.path());
    let lf = std::fs::read_to_string(fixture("resources_utf8.csv")).unwrap();
    assert!(!lf.contains('\r'));
    let crlf = lf.replace('\n', "\r\n");
    let (a, b) = (dir.join("목록 LF.csv"), dir.join("목록 CRLF.csv"));
    std::fs::write(&a, &lf).unwrap();
    std::fs::write(&b, &crlf).unwrap();
    let mut sa = Store::open(&dir.join("a.db"), &OpenOptions::new("관리자")).unwrap();
    let mut sb = Store::open(&dir.join("b.db"), &OpenOptions::new("관리자")).unwrap();
    let (ra, rb) = (import(&mut sa, &a), import(&mut sb, &b));
    assert_eq!((ra.inserted, ra.rejected), (rb.inserted, rb.rejected));
    assert!(ra.inserted > 0);
    assert_eq!(directory(&sa), directory(&sb));
}

#[test]
fn an_export_to_a_hangul_path_with_spaces_leaves_no_temp_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = desktop(tmp.path());
    let mut store = Store::open(&dir.join("센터.db"), &OpenOptions::new("관리자")).unwrap();
    import(&mut store, &fixture("resources_sample_cp949.csv"));
    let out = dir.join("내보내기 결과").join("자원 목록 사본.csv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    assert_eq!(export::write_csv(&store, &out).unwrap(), 7);
    let names: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["자원 목록 사본.csv".to_string()]);
    // The export reads back as the same directory.
    let mut again = Store::open(&dir.join("다시.db"), &OpenOptions::new("관리자")).unwrap();
    assert_eq!(import(&mut again, &out).inserted, 7);
    assert_eq!(directory(&again), directory(&store));
}

#[test]
fn a_keymap_saved_by_notepad_with_crlf_loads_and_errors_name_the_right_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = desktop(tmp.path());
    let good = dir.join("내 키맵.toml");
    std::fs::write(&good, "[global]\r\n\"ctrl-q\" = \"quit\"\r\n").unwrap();
    let km = Keymap::check(&good).unwrap();
    assert!(
        km.keys_for(dolbom::tui::Action::Quit)
            .iter()
            .any(|k| k.to_string() == "ctrl-q"),
        "the CRLF file's binding is merged"
    );
    let bom = dir.join("BOM 키맵.toml");
    std::fs::write(&bom, "\u{feff}[global]\r\n\"ctrl-q\" = \"quit\"\r\n").unwrap();
    assert!(
        Keymap::check(&bom).is_ok(),
        "Notepad's UTF-8 BOM is accepted"
    );
    let bad = dir.join("틀린 키맵.toml");
    std::fs::write(
        &bad,
        "[global]\r\n\"ctrl-q\" = \"quit\"\r\n\"ctrl-x\" = \"no-such-action\"\r\n",
    )
    .unwrap();
    let err = Keymap::check(&bad).unwrap_err().to_string();
    assert!(err.contains("틀린 키맵.toml"), "{err}");
    assert!(err.contains(":3"), "the error names line 3: {err}");
}

#[test]
fn a_column_map_with_crlf_line_endings_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let map = desktop(tmp.path()).join("열 이름 매핑.toml");
    std::fs::write(&map, "[columns]\r\nname = [\"기관 이름\"]\r\n").unwrap();
    let mut opts = ImportOptions::default();
    opts.load_map(&map).unwrap();
    assert_ne!(
        format!("{:?}", opts.columns),
        format!("{:?}", ImportOptions::default().columns)
    );
}

#[test]
fn a_passphrase_file_from_notepad_gives_the_same_passphrase() {
    use age::secrecy::ExposeSecret;
    let tmp = tempfile::tempdir().unwrap();
    let dir = desktop(tmp.path());
    let read = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        dolbom::sync::site::read_passphrase_file(&p)
            .unwrap()
            .expose_secret()
            .to_owned()
    };
    let lf = read("암호 LF.txt", "우리 동 암호 2025\n".as_bytes());
    assert_eq!(lf, "우리 동 암호 2025");
    assert_eq!(
        read("암호 CRLF.txt", "우리 동 암호 2025\r\n".as_bytes()),
        lf
    );
    assert_eq!(
        read("암호 끝줄 없음.txt", "우리 동 암호 2025".as_bytes()),
        lf
    );
    // Notepad's "UTF-8 (BOM)" puts EF BB BF first; the passphrase must not include it, or the
    // two sites derive different keys.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("우리 동 암호 2025\r\n".as_bytes());
    assert_eq!(read("암호 BOM.txt", &bom), lf);
}

#[test]
fn the_database_defaults_to_the_platform_data_folder() {
    let explicit = PathBuf::from("김민수")
        .join("바탕 화면")
        .join("센터 자료.db");
    assert_eq!(
        dolbom::paths::database(Some(explicit.clone())),
        Some(explicit)
    );
    let Some(data) = dolbom::paths::data_dir() else {
        return; // no home folder at all (a bare CI container): the CLI then asks for --db
    };
    let db = dolbom::paths::database(None).unwrap();
    assert_eq!(db, data.join("dolbom.db"));
    assert_eq!(
        dolbom::paths::demo_database(None).unwrap(),
        data.join("demo.db")
    );
    let text = data.to_string_lossy().to_lowercase();
    assert!(text.contains("dolbom"), "{text}");
    #[cfg(windows)]
    assert!(
        text.contains(r"appdata\roaming\dolbom"),
        "roams with the Windows profile: {text}"
    );
    #[cfg(target_os = "linux")]
    assert!(
        text.ends_with("dolbom") && !text.contains("appdata"),
        "{text}"
    );
}
