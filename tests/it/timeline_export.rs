//! Export of a hand-built fixture case: md/csv/json equal the checked-in files in
//! tests/fixtures/timeline/, contact details are masked unless full, and each export is audited.
//! Regenerate the expected files with `DOLBOM_BLESS=1 cargo test --test it timeline_export::`.

use dolbom::clock::Clock;
use dolbom::privacy::mask_phone;
use dolbom::store::{OpenOptions, Store, Val};
use dolbom::timeline::export::{self, Format};
use std::path::{Path, PathBuf};

/// id, kind, author, at, body, due_on, data, corrects, voids.
type EntryRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    i64,
);

fn fixture(dir: &Path) -> Store {
    let mut opts = OpenOptions::new("박지현");
    opts.clock = Clock::fixed(dolbom::clock::parse_datetime("2026-03-01T10:00:00").expect("t"));
    let mut store = Store::open(&dir.join("f.db"), &opts).expect("open");
    let mut tx = store.write().expect("tx");
    let t = |s: &str| Val::text(s);
    tx.insert(
        "households",
        "H1",
        &[
            ("dong", t("신림동")),
            ("address", t("서울특별시 관악구 신림로 123, 101동 202호")),
        ],
    )
    .expect("hh");
    tx.insert(
        "residents",
        "R1",
        &[
            ("name", t("김순자")),
            ("birth_date", t("1948-03-02")),
            ("sex", t("F")),
            ("phone", t("010-2345-6789")),
            ("sigungu", t("서울특별시 관악구")),
            ("dong", t("신림동")),
            ("address", t("서울특별시 관악구 신림로 123, 101동 202호")),
            ("household_id", t("H1")),
            ("flags", t("독거,기초수급")),
            ("rrn_masked", t("480302-2******")),
        ],
    )
    .expect("resident");
    tx.insert(
        "resources",
        "S1",
        &[
            ("name", t("관악구 정신건강복지센터")),
            ("category", t("정신건강")),
            ("phone", t("02-879-4911")),
        ],
    )
    .expect("resource");
    tx.insert(
        "cases",
        "C1",
        &[
            ("resident_id", t("R1")),
            ("household_id", t("H1")),
            ("worker", t("박지현")),
            ("category", t("사례관리 일반")),
            ("crisis_score", Val::Int(24)),
            ("crisis_level", t("고위험")),
            ("tags", t("1인가구,고독사 위험")),
            ("stage", t("monitoring")),
            ("opened_on", t("2026-01-05")),
            ("last_activity", t("2026-02-03 16:00")),
        ],
    )
    .expect("case");
    tx.insert(
        "referrals",
        "F1",
        &[
            ("case_id", t("C1")),
            ("resource_id", t("S1")),
            ("status", t("접수")),
            ("requested_on", t("2026-02-02")),
            ("updated_on", t("2026-02-05")),
            ("note", t("초기 면담 예약")),
        ],
    )
    .expect("referral");
    let entries: [EntryRow; 10] = [
        (
            "E01",
            "memo",
            "이수진",
            "2026-01-05 10:00",
            "통장 제보: 며칠째 인기척이 없다고 함.",
            None,
            "{}",
            None,
            0,
        ),
        (
            "E02",
            "stage_change",
            "박지현",
            "2026-01-06 09:00",
            "발굴 → 초기상담",
            None,
            r#"{"from":"discovery","to":"initial_consult"}"#,
            None,
            0,
        ),
        (
            "E03",
            "initial_consult",
            "박지현",
            "2026-01-07 14:30",
            "자택 방문 초기상담.\n생계 곤란과 무릎 통증 호소.",
            None,
            "{}",
            None,
            0,
        ),
        (
            "E04",
            "stage_change",
            "박지현",
            "2026-01-08 09:00",
            "초기상담 → 접수",
            None,
            r#"{"from":"initial_consult","to":"intake"}"#,
            None,
            0,
        ),
        (
            "E05",
            "visit",
            "박지현",
            "2026-01-12 11:00",
            "가정 방문 | 식사 불규칙.",
            Some("2026-01-19"),
            "{}",
            None,
            0,
        ),
        (
            "E06",
            "visit",
            "박지현",
            "2026-01-13 09:00",
            "가정 방문 | 식사 불규칙, 도시락 연계 검토.",
            Some("2026-01-20"),
            "{}",
            Some("E05"),
            0,
        ),
        (
            "E07",
            "call",
            "박지현",
            "2026-01-20 10:00",
            "전화 연결 안 됨.",
            None,
            "{}",
            None,
            0,
        ),
        (
            "E08",
            "call",
            "박지현",
            "2026-01-20 15:00",
            "다른 사례에 잘못 입력",
            None,
            "{}",
            Some("E07"),
            1,
        ),
        (
            "E09",
            "referral",
            "박지현",
            "2026-02-02 10:00",
            "정신건강복지센터 연계 의뢰.",
            None,
            r#"{"referral_id":"F1","resource_id":"S1","status":"의뢰"}"#,
            None,
            0,
        ),
        (
            "E10",
            "stage_change",
            "박지현",
            "2026-02-03 16:00",
            "접수 → 제공·점검 (사유: 긴급지원, 사례회의 생략)",
            None,
            r#"{"from":"intake","to":"monitoring","reason":"긴급지원, 사례회의 생략"}"#,
            None,
            0,
        ),
    ];
    for (id, kind, author, at, body, due, data, corrects, voids) in entries {
        tx.insert(
            "entries",
            id,
            &[
                ("case_id", t("C1")),
                ("kind", t(kind)),
                ("author", t(author)),
                ("at", t(at)),
                ("body", t(body)),
                ("due_on", Val::opt(due)),
                ("data", t(data)),
                ("corrects", Val::opt(corrects)),
                ("voids", Val::Int(voids)),
            ],
        )
        .expect("entry");
    }
    tx.commit().expect("commit");
    store
}

fn expected(name: &str) -> PathBuf {
    crate::common::fixture("timeline").join(name)
}

fn check(actual: &str, name: &str) {
    let path = expected(name);
    if std::env::var_os("DOLBOM_BLESS").is_some() {
        std::fs::write(&path, actual).expect("bless");
    }
    let want = std::fs::read_to_string(&path).expect("expected file");
    assert_eq!(actual, want, "{name} differs from {}", path.display());
}

#[test]
fn exports_equal_expected_files_and_are_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = fixture(dir.path());
    for (format, name) in [
        (Format::Md, "case.md"),
        (Format::Csv, "case.csv"),
        (Format::Json, "case.json"),
    ] {
        let out = dir.path().join(name);
        let text = export::export(&store, "C1", format, false, Some(&out)).expect("export");
        check(&text, name);
        assert_eq!(std::fs::read_to_string(&out).expect("written"), text);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Masked: no full phone, no street address.
        assert!(!text.contains("010-2345-6789"));
        assert!(text.contains("010-****-6789"));
        assert!(!text.contains("신림로 123"));
        assert!(text.contains("480302-2******"));
        // Corrections applied, voided entry marked, original text of the corrected one gone.
        assert!(text.contains("도시락 연계 검토"));
        assert!(text.contains("다른 사례에 잘못 입력"));
    }
    let rows = store.audit_rows(&Default::default()).expect("audit");
    let prints: Vec<_> = rows.iter().filter(|r| r.action == "출력").collect();
    assert_eq!(prints.len(), 3);
    assert!(
        prints
            .iter()
            .all(|r| r.subject == "case:C1" && r.resident_id.as_deref() == Some("R1"))
    );
    assert!(prints[0].detail.contains("연락처 가림"));
}

#[test]
fn full_export_shows_contacts_and_says_so_in_the_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = fixture(dir.path());
    let text = export::export(&store, "C1", Format::Json, true, None).expect("export");
    assert!(text.contains("010-2345-6789"));
    assert!(text.contains("신림로 123"));
    assert!(text.contains("\"masked\": false"));
    let rows = store.audit_rows(&Default::default()).expect("audit");
    let last = rows.last().expect("row");
    assert_eq!(last.action, "출력");
    assert!(last.detail.contains("--full"));
    assert!(!last.detail.contains("010"));
}

#[test]
fn phone_masking() {
    assert_eq!(mask_phone("010-1234-5678"), "010-****-5678");
    assert_eq!(mask_phone("02-879-4911"), "02-***-4911");
    assert_eq!(mask_phone("01012345678"), "*******5678");
    assert_eq!(mask_phone("123"), "123");
}
