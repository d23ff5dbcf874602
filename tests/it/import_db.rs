//! Imports into a real database: every format gives the same directory, re-imports change
//! nothing, broken files leave the database untouched, dry runs write nothing, staff are
//! refused (and audited), resident lists never store a whole 주민등록번호, and a SIGKILL at any
//! moment leaves the directory exactly as before or after the import.

use crate::common::{dolbom_at, import_fixture as fixture};
#[cfg(unix)]
use dolbom::resources::import::write_cp949_resources;
use dolbom::resources::import::{EncodingChoice, ImportOptions};
use dolbom::resources::upsert::{
    ImportReport, ResidentImport, ResourceImport, UpsertError, import_residents, import_resources,
};
use dolbom::store::{OpenOptions, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ADMIN: &str = "관리자";
const STAFF: &str = "직원";

fn open(db: &Path, user: &str) -> Store {
    Store::open(db, &OpenOptions::new(user)).unwrap()
}

fn settings(source: Option<&str>) -> ResourceImport {
    ResourceImport {
        source: source.map(String::from),
        ..Default::default()
    }
}

fn import(store: &mut Store, path: &Path, s: &ResourceImport) -> Result<ImportReport, UpsertError> {
    import_resources(store, path, s, &mut |_, _| {})
}

fn residents(store: &mut Store, path: &Path) -> ImportReport {
    import_residents(store, path, &ResidentImport::default(), &mut |_, _| {}).unwrap()
}

/// The directory's content without ids or import dates, sorted.
fn content(store: &Store) -> Vec<String> {
    let mut v: Vec<String> = store
        .resources()
        .unwrap()
        .into_iter()
        .map(|r| {
            let d = r.resource;
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{}|{:?}|{}|{:?}",
                d.name,
                d.category,
                d.detail_type,
                d.provider_type,
                d.address,
                d.phone,
                d.hours,
                d.eligibility,
                d.capacity,
                d.source,
                d.source_key
            )
        })
        .collect();
    v.sort();
    v
}

fn counts(r: &ImportReport) -> (u64, u64, u64, u64) {
    (r.inserted, r.updated, r.unchanged, r.rejected)
}

fn audit_len(store: &Store) -> usize {
    store.audit_rows(&Default::default()).unwrap().len()
}

fn ops_len(store: &Store) -> i64 {
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.query_row("SELECT count(*) FROM ops", [], |r| r.get(0))
        .unwrap()
}

const FORMATS: [&str; 9] = [
    "resources_sample_utf8bom.csv",
    "resources_sample_cp949.csv",
    "resources_utf8.csv",
    "resources_semicolon.csv",
    "resources_tab_cp949.tsv",
    "resources.xlsx",
    "resources.json",
    "resources_hsds",
    "resources_hsds.json",
];

#[test]
fn every_format_imports_the_same_resources_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut want = None;
    for (i, name) in FORMATS.iter().enumerate() {
        let mut store = open(&dir.path().join(format!("{i}.db")), ADMIN);
        let s = settings(Some("전주시 목록"));
        let first = import(&mut store, &fixture(name), &s).unwrap();
        assert_eq!(counts(&first), (7, 0, 0, 0), "{name}: {first:?}");
        let got = content(&store);
        assert_eq!(got.len(), 7);
        match &want {
            None => want = Some(got),
            Some(w) => assert_eq!(&got, w, "{name}"),
        }
        let digest = store.content_digest().unwrap();
        let ops = ops_len(&store);
        let second = import(&mut store, &fixture(name), &s).unwrap();
        assert_eq!(counts(&second), (0, 0, 7, 0), "{name}: {second:?}");
        assert_eq!(store.content_digest().unwrap(), digest, "{name}");
        assert_eq!(ops_len(&store), ops, "{name}: a re-import logs no op");
    }
}

#[test]
fn source_defaults_to_file_stem_and_imported_at_is_today() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let r = import(&mut store, &fixture("resources_utf8.csv"), &settings(None)).unwrap();
    assert_eq!(r.source.as_deref(), Some("resources_utf8"));
    let today = store.clock().today().format("%Y-%m-%d").to_string();
    for row in store.resources().unwrap() {
        assert_eq!(row.resource.source, "resources_utf8");
        assert_eq!(row.resource.imported_at.as_deref(), Some(today.as_str()));
    }
}

#[test]
fn changed_rows_are_updated_and_only_changed_columns_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let s = settings(Some("목록"));
    import(&mut store, &fixture("resources_utf8.csv"), &s).unwrap();
    let text = std::fs::read_to_string(fixture("resources_utf8.csv")).unwrap();
    let changed = text.replace("063-222-3333", "063-222-9999")
        + "새희망 푸드마켓,식품·생계,푸드마켓,전북특별자치도 전주시 완산구 서원로 9,063-777-8888,,R-0008\n";
    let p = dir.path().join("v2.csv");
    std::fs::write(&p, changed).unwrap();
    let ops = ops_len(&store);
    let r = import(&mut store, &p, &s).unwrap();
    assert_eq!(counts(&r), (1, 1, 6, 0), "{r:?}");
    assert_eq!(ops_len(&store), ops + 2);
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let fields: String = conn
        .query_row(
            "SELECT fields FROM ops WHERE kind = 'update' AND tbl = 'resources'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&fields).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["phone"], "imported_at is already today: {fields}");
    assert_eq!(v["phone"], "063-222-9999");
}

#[test]
fn keyless_files_match_by_normalised_name_and_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let s = settings(Some("협력기관"));
    let p = dir.path().join("keyless.csv");
    std::fs::write(
        &p,
        "기관명,주소,연락처\n완산 푸드뱅크,전주시 완산구 서원로 1,063-111-2222\n\
         햇살 돌봄,전주시 덕진구 송천로 5,063-111-3333\n",
    )
    .unwrap();
    assert_eq!(counts(&import(&mut store, &p, &s).unwrap()), (2, 0, 0, 0));
    std::fs::write(
        &p,
        "기관명,주소,연락처\n완산푸드뱅크,전주시  완산구 서원로 1,063-111-4444\n\
         햇살 돌봄,전주시 덕진구 송천로 5,063-111-3333\n\
         햇살돌봄,전주시 덕진구 송천로 5,063-111-5555\n",
    )
    .unwrap();
    let r = import(&mut store, &p, &s).unwrap();
    assert_eq!(counts(&r), (0, 1, 1, 1), "{r:?}");
    assert!(
        r.rejected_rows[0].message.contains("keyless.csv:4:"),
        "{r:?}"
    );
    assert_eq!(store.resources().unwrap().len(), 2);
}

#[test]
fn a_key_repeated_within_a_file_is_rejected_and_reimport_stays_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let p = dir.path().join("dup.csv");
    std::fs::write(
        &p,
        "기관명,기관코드,연락처\n가나복지관,K1,063-111-2222\n다라복지관,K1,063-111-3333\n",
    )
    .unwrap();
    let r = import(&mut store, &p, &settings(None)).unwrap();
    assert_eq!(counts(&r), (1, 0, 0, 1));
    assert!(
        r.rejected_rows[0]
            .message
            .contains("dup.csv:3: 시설코드 K1")
    );
    let r = import(&mut store, &p, &settings(None)).unwrap();
    assert_eq!(counts(&r), (0, 0, 1, 1));
}

#[test]
fn broken_rows_are_rejected_by_line_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let r = import(
        &mut store,
        &fixture("broken_truncated_cp949.csv"),
        &settings(None),
    )
    .unwrap();
    assert_eq!(counts(&r), (6, 0, 0, 1));
    assert_eq!(r.rejected_rows[0].line, 4);
    assert!(
        r.rejected_rows[0]
            .message
            .contains("broken_truncated_cp949.csv:4: 잘못된 바이트"),
        "{r:?}"
    );
    let r = import(
        &mut store,
        &fixture("broken_too_many_fields.csv"),
        &settings(None),
    )
    .unwrap();
    assert_eq!(counts(&r), (6, 0, 0, 1));
    assert!(
        r.rejected_rows[0]
            .message
            .contains("broken_too_many_fields.csv:3: 열이 너무 많습니다"),
        "{r:?}"
    );
}

#[test]
fn file_level_errors_leave_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    import(&mut store, &fixture("resources_utf8.csv"), &settings(None)).unwrap();
    let digest = store.content_digest().unwrap();
    let audits = audit_len(&store);
    let wrong_encoding = ResourceImport {
        options: ImportOptions {
            encoding: EncodingChoice::parse("utf-8").unwrap(),
            ..Default::default()
        },
        ..Default::default()
    };
    let cases: [(&str, &ResourceImport, &str); 5] = [
        ("broken_empty.csv", &settings(None), "빈 파일"),
        ("broken_binary.csv", &settings(None), "이진 파일"),
        (
            "broken_no_name_column.csv",
            &settings(None),
            "필수 열이 없습니다",
        ),
        ("resources_sample_cp949.csv", &wrong_encoding, "utf-8"),
        ("no_such_file.csv", &settings(None), "읽을 수 없습니다"),
    ];
    for (name, s, says) in cases {
        let err = import(&mut store, &fixture(name), s).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, UpsertError::File(_)), "{name}: {msg}");
        assert!(msg.contains(name) && msg.contains(says), "{name}: {msg}");
        assert!(msg.contains("아무것도 바뀌지 않았습니다"), "{msg}");
        assert_eq!(store.content_digest().unwrap(), digest, "{name}");
        assert_eq!(audit_len(&store), audits, "{name}");
    }
}

#[test]
fn dry_run_reports_the_same_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let digest = store.content_digest().unwrap();
    let audits = audit_len(&store);
    let dry = ResourceImport {
        dry_run: true,
        ..settings(None)
    };
    let path = fixture("broken_truncated_cp949.csv");
    let d = import(&mut store, &path, &dry).unwrap();
    assert!(d.dry_run);
    assert_eq!(store.content_digest().unwrap(), digest);
    assert_eq!(audit_len(&store), audits);
    assert_eq!(ops_len(&store), 0);
    let real = import(&mut store, &path, &settings(None)).unwrap();
    assert_eq!(
        ImportReport {
            dry_run: true,
            ..real
        },
        d
    );
    let d = import_residents(
        &mut store,
        &fixture("residents_rrn.csv"),
        &ResidentImport {
            dry_run: true,
            ..Default::default()
        },
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(d.inserted, 4);
    assert!(store.resident_summaries(&[1, 2, 3, 4]).unwrap().is_empty());
}

#[test]
fn staff_are_refused_and_the_refusal_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    drop(open(&db, ADMIN));
    let mut store = open(&db, STAFF);
    let digest = store.content_digest().unwrap();
    let err = import(&mut store, &fixture("resources_utf8.csv"), &settings(None)).unwrap_err();
    assert!(err.to_string().contains("관리자만"), "{err}");
    let err = import_residents(
        &mut store,
        &fixture("residents_rrn.csv"),
        &ResidentImport::default(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("관리자만"), "{err}");
    assert_eq!(store.content_digest().unwrap(), digest);
    let audit = store.audit_rows(&Default::default()).unwrap();
    let denied: Vec<_> = audit.iter().filter(|a| a.action == "거부").collect();
    assert_eq!(denied.len(), 2);
    assert_eq!(denied[0].operator, STAFF);
    assert_eq!(denied[0].subject, "resources import");
    assert_eq!(denied[1].subject, "residents import");
}

#[test]
fn an_import_writes_one_audit_row_with_counts_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let before = audit_len(&store);
    import(&mut store, &fixture("resources_utf8.csv"), &settings(None)).unwrap();
    residents(&mut store, &fixture("residents_sample_utf8bom.csv"));
    residents(&mut store, &fixture("residents_sample_utf8bom.csv"));
    let audit = store.audit_rows(&Default::default()).unwrap();
    let rows = &audit[before..];
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].action, "입력");
    assert!(
        rows[0].subject.starts_with("import:") && rows[0].subject.ends_with("resources_utf8.csv")
    );
    assert_eq!(
        rows[0].detail,
        "resources source=resources_utf8 inserted=7 updated=0 unchanged=0 rejected=0"
    );
    assert_eq!(rows[2].action, "변경");
    assert!(rows[2].detail.contains("unchanged=4"));
    for r in rows {
        assert!(!r.detail.contains("박순자") && !r.subject.contains("박순자"));
    }
    assert!(store.audit_verify().unwrap().broken.is_none());
}

#[test]
fn resident_lists_upsert_by_name_and_birth_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    let r = residents(&mut store, &fixture("residents_sample_utf8bom.csv"));
    assert_eq!(counts(&r), (4, 0, 0, 0));
    let r = residents(&mut store, &fixture("residents_sample_cp949.csv"));
    assert_eq!(counts(&r), (0, 0, 4, 0), "same people, other encoding");
    let all = store.resident_summaries(&[1, 2, 3, 4, 5]).unwrap();
    assert_eq!(all.len(), 4);
    let births: Vec<_> = all.iter().map(|s| s.birth_date.clone().unwrap()).collect();
    assert_eq!(
        births,
        ["1942-03-15", "1948-07-20", "1951-11-02", "1956-01-01"]
    );
    assert_eq!(all[0].flags, ["독거", "기초수급"]);
    assert_eq!(all[1].risks, ["단전"]);
    assert_eq!(all[2].risks, ["연락두절"]);
    assert_eq!(all[0].dong, "효자동2가");
    // The 주민등록번호 list names two of the same people (updated) and two new ones.
    let r = residents(&mut store, &fixture("residents_rrn.csv"));
    assert_eq!(counts(&r), (2, 2, 0, 1), "{r:?}");
    let r = residents(&mut store, &fixture("residents_rrn.csv"));
    assert_eq!(counts(&r), (0, 0, 4, 1), "{r:?}");
    let detail = store.resident(&all[0].id).unwrap().unwrap();
    assert_eq!(detail.rrn_masked.as_deref(), Some("420315-2******"));
    assert_eq!(detail.sigungu, "전주시 완산구");
    assert_eq!(detail.flags, ["독거", "기초수급"], "flags kept");
}

#[test]
fn look_alikes_are_reported_not_merged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join("t.db"), ADMIN);
    residents(&mut store, &fixture("residents_sample_utf8bom.csv"));
    let p = dir.path().join("more.csv");
    std::fs::write(
        &p,
        "성명,생년월일,동\n박선자,1942-08-01,효자동2가\n박순자,1942-03-15,효자동2가\n박선주,1942-01-01,삼천동1가\n",
    )
    .unwrap();
    let r = residents(&mut store, &p);
    assert_eq!(counts(&r), (2, 0, 1, 0), "{r:?}");
    assert_eq!(r.possible_duplicates.len(), 1, "{r:?}");
    let d = &r.possible_duplicates[0];
    assert_eq!((d.line, d.name.as_str()), (2, "박선자"));
    assert_eq!(
        d.similar,
        [("박순자".to_string(), "1942-03-15".to_string())]
    );
    let text = dolbom::cli::resources::report_text(&r);
    assert!(text.contains("more.csv:2: 박선자"), "{text}");
}

#[test]
fn a_whole_resident_registration_number_never_reaches_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut store = open(&db, ADMIN);
    residents(&mut store, &fixture("residents_rrn.csv"));
    let report = residents(&mut store, &fixture("residents_rrn.csv"));
    let raw = std::fs::read_to_string(fixture("residents_rrn.csv")).unwrap();
    let numbers: Vec<String> = raw
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .map(|n| n.replace('-', ""))
        .filter(|n| n.len() == 13)
        .collect();
    assert_eq!(numbers.len(), 4);
    let report_text = format!(
        "{}{}",
        dolbom::cli::resources::report_text(&report),
        dolbom::cli::resources::report_json(&report)
    );
    drop(store);
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        bytes.extend(std::fs::read(PathBuf::from(p)).unwrap_or_default());
    }
    let hay = String::from_utf8_lossy(&bytes);
    for n in &numbers {
        let dashed = format!("{}-{}", &n[..6], &n[6..]);
        for needle in [n.as_str(), dashed.as_str(), &n[6..]] {
            assert!(!hay.contains(needle), "{needle} found in the database file");
            assert!(!report_text.contains(needle), "{needle} in the report");
        }
    }
    assert!(hay.contains("420315-2******"));
}

/// The binary on `db`, run by `user`.
fn dolbom(db: &Path, user: &str) -> Command {
    let mut c = dolbom_at(db);
    c.env("DOLBOM_USER", user);
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn cli_import_report_json_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let run = |user: &str, args: &[&str]| dolbom(&db, user).args(args).output().unwrap();
    let truncated = fixture("broken_truncated_cp949.csv");
    let t = truncated.to_str().unwrap();
    let o = run(ADMIN, &["resources", "import", t, "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dry_text = stdout(&o);
    assert!(dry_text.contains("추가 6"), "{dry_text}");
    assert!(dry_text.contains("broken_truncated_cp949.csv:4: 잘못된 바이트"));
    assert!(dry_text.contains("dry run"));
    let o = run(
        ADMIN,
        &["resources", "import", t, "--json", "--source", "목록"],
    );
    assert_eq!(o.status.code(), Some(0), "rejected rows are not a failure");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["inserted"], 6);
    assert_eq!(v["rejected"], 1);
    assert_eq!(v["source"], "목록");
    assert_eq!(v["rejected_rows"][0]["line"], 4);
    assert!(
        o.stderr.is_empty(),
        "no progress bar off a terminal: {}",
        stderr(&o)
    );
    let o = run(ADMIN, &["resources", "import", t, "--source", "목록"]);
    assert!(
        stdout(&o).contains("추가 0 · 변경 0 · 그대로 6 · 거부 1"),
        "{}",
        stdout(&o)
    );

    let empty = fixture("broken_empty.csv");
    let o = run(ADMIN, &["resources", "import", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("broken_empty.csv: 빈 파일"),
        "{}",
        stderr(&o)
    );

    let o = run(ADMIN, &["resources", "import", t, "--encoding", "klingon"]);
    assert_eq!(o.status.code(), Some(2), "usage error");
    let o = run(ADMIN, &["resources", "import"]);
    assert_eq!(o.status.code(), Some(2));

    // A refusal exits 2 (see src/cli/mod.rs).
    let o = run(STAFF, &["resources", "import", t]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("관리자만"), "{}", stderr(&o));
    let o = run(STAFF, &["residents", "import", t]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(ADMIN, &["audit", "--json"]);
    let audit: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let denied = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "거부" && a["operator"] == STAFF)
        .count();
    assert_eq!(denied, 2);
}

#[test]
fn cli_map_file_adds_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\nname = [\"기관 이름\"]\n").unwrap();
    let f = fixture("broken_no_name_column.csv");
    let o = dolbom(&db, ADMIN)
        .args([
            "resources",
            "import",
            f.to_str().unwrap(),
            "--json",
            "--map",
        ])
        .arg(&map)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["inserted"].as_u64().unwrap() > 0, "{v}");
}

#[test]
fn cli_export_list_and_reimport_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let f = fixture("resources_sample_cp949.csv");
    let o = dolbom(&db, ADMIN)
        .args([
            "resources",
            "import",
            f.to_str().unwrap(),
            "--source",
            "전주",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = dir.path().join("out.csv");
    let o = dolbom(&db, ADMIN)
        .args(["resources", "export"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&csv).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let json = dir.path().join("out.dat");
    let o = dolbom(&db, ADMIN)
        .args(["resources", "export", "--format", "json"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 7);

    let o = dolbom(&db, ADMIN)
        .args(["resources", "list", "--category", "돌봄·요양", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    let o = dolbom(&db, ADMIN)
        .args(["resources", "list"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o).lines().count(), 7);

    // The export reads back as the same directory.
    let db2 = dir.path().join("t2.db");
    let o = dolbom(&db2, ADMIN)
        .args(["resources", "import", "--source", "전주"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(content(&open(&db2, ADMIN)), content(&open(&db, ADMIN)));
}

#[test]
fn cli_residents_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for (name, want) in [
        ("residents_sample_cp949.csv", "추가 4"),
        ("residents_sample_utf8bom.csv", "추가 0 · 변경 0 · 그대로 4"),
    ] {
        let f = fixture(name);
        let o = dolbom(&db, ADMIN)
            .args(["residents", "import", f.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains(want), "{}", stdout(&o));
    }
}

/// splitmix64, for reproducible kill delays.
#[cfg(unix)]
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SIGKILL during a big import: the file is intact and holds the directory from before the
/// import or after it, never part of it.
#[cfg(unix)]
#[test]
fn sigkill_mid_import_leaves_before_or_after() {
    const ROWS: u64 = 60_000;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    write_cp949_resources(&big, ROWS).unwrap();
    let base = dir.path().join("base.db");
    let mut store = open(&base, ADMIN);
    import(&mut store, &fixture("resources_utf8.csv"), &settings(None)).unwrap();
    let before = store.content_digest().unwrap();
    drop(store);
    let mut seed = 0x5EED_u64;
    let mut outcomes = (0, 0);
    for trial in 0..5 {
        let db = dir.path().join(format!("kill{trial}.db"));
        std::fs::copy(&base, &db).unwrap();
        let mut child = dolbom(&db, ADMIN)
            .args(["resources", "import"])
            .arg(&big)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let delay = 50 + splitmix64(&mut seed) % 3000;
        std::thread::sleep(std::time::Duration::from_millis(delay));
        child.kill().unwrap();
        child.wait().unwrap();
        let conn = rusqlite::Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "trial {trial}");
        drop(conn);
        let store = open(&db, ADMIN);
        let n = store.resources().unwrap().len() as u64;
        if n == 7 {
            assert_eq!(store.content_digest().unwrap(), before, "trial {trial}");
            outcomes.0 += 1;
        } else {
            assert_eq!(
                n,
                7 + ROWS,
                "trial {trial} (after {delay} ms): half an import"
            );
            outcomes.1 += 1;
        }
    }
    eprintln!("kill trials: {} before, {} after", outcomes.0, outcomes.1);
    assert!(outcomes.0 > 0, "no kill landed during an import");
}
