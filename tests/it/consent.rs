//! 동의 (issue #16 item 3): a referral without consent is refused with a clear message; an
//! override is recorded in the audit log; a withdrawal blocks the next referral; expiring
//! consents are listed for 오늘; an export to another agency needs consent too (CLI).

use crate::approval::{case_in, team_db};
use crate::common::dolbom_at;
use chrono::NaiveDate;
use dolbom::model::{ConsentScope, EntryKind, Scope, Stage};
use dolbom::store::Store;
use dolbom::timeline::consent::{self, NewConsent};
use dolbom::timeline::{self, EntryData, NewEntry};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn resource(store: &Store) -> String {
    rusqlite::Connection::open(store.path())
        .expect("raw")
        .query_row(
            "SELECT id FROM resources WHERE deleted = 0 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("resource")
}

fn referral(resource: &str) -> NewEntry {
    NewEntry {
        kind: EntryKind::Referral,
        body: "도시락 지원 의뢰".into(),
        due_on: None,
        data: EntryData::Referral {
            resource_id: resource.to_string(),
        },
    }
}

fn consent_of(scopes: &[ConsentScope], on: &str, expires: Option<&str>) -> NewConsent {
    NewConsent {
        scopes: scopes.to_vec(),
        on: day(on),
        expires: expires.map(day),
        paper: "2025 동의서철 1권 3쪽".into(),
        note: String::new(),
    }
}

#[test]
fn referral_needs_consent_override_is_audited_withdrawal_blocks_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = team_db(dir.path(), "a", "박주무");
    let case = case_in(&store, Stage::Monitoring);
    let res = resource(&store);
    let referrals_before = timeline::load(&store, &case).expect("load").referrals.len();

    // No consent: refused, clearly, and nothing written.
    let err = timeline::add_entry(&mut store, &case, &referral(&res))
        .expect_err("no consent")
        .to_string();
    assert!(
        err.contains("연계할 수 없습니다") && err.contains("제3자 제공 동의가 없습니다"),
        "{err}"
    );
    assert_eq!(
        timeline::load(&store, &case).expect("load").referrals.len(),
        referrals_before
    );

    // A consent for 수집·이용 only does not cover 제3자 제공.
    consent::record(
        &mut store,
        &case,
        &consent_of(&[ConsentScope::Collect], "2025-02-01", None),
    )
    .expect("collect consent");
    assert!(timeline::add_entry(&mut store, &case, &referral(&res)).is_err());

    // Override with a reason: written, and the reason is in the audit log and on the entry.
    let e = timeline::add_entry_as(
        &mut store,
        &case,
        &referral(&res),
        Some("긴급 식품 지원, 동의서 방문 시 받기로 함"),
    )
    .expect("override");
    assert_eq!(
        e.data["consent_override"],
        "긴급 식품 지원, 동의서 방문 시 받기로 함"
    );
    let audit = store.audit_rows(&Default::default()).expect("audit");
    let row = audit
        .iter()
        .find(|r| r.detail.starts_with("consent_override:third_party"))
        .expect("override audited");
    assert!(row.detail.contains("긴급 식품 지원"), "{}", row.detail);
    assert_eq!(row.operator, "박주무");
    assert_eq!(row.subject, format!("case:{case}"));

    // With a 제3자 제공 consent the referral goes through.
    let c = consent::record(
        &mut store,
        &case,
        &consent_of(
            &[ConsentScope::Collect, ConsentScope::ThirdParty],
            "2025-02-20",
            Some("2026-02-19"),
        ),
    )
    .expect("consent");
    timeline::add_entry(&mut store, &case, &referral(&res)).expect("with consent");

    // Withdrawal blocks the next referral.
    assert!(
        consent::withdraw(&mut store, &c.id, " ").is_err(),
        "reason needed"
    );
    consent::withdraw(&mut store, &c.id, "본인 요청으로 철회").expect("withdraw");
    let err = timeline::add_entry(&mut store, &case, &referral(&res))
        .expect_err("withdrawn")
        .to_string();
    assert!(err.contains("제3자 제공 동의가 없습니다"), "{err}");
    assert!(
        consent::withdraw(&mut store, &c.id, "다시").is_err(),
        "only once"
    );

    let all = consent::of_case(&store, &case).expect("consents");
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].status("2025-03-01"), "철회");
    assert_eq!(all[1].paper, "2025 동의서철 1권 3쪽");
    // Consent steps are not corrected in place.
    assert!(timeline::correct_entry(&mut store, &c.id, "x", None).is_err());
}

#[test]
fn expired_consent_refused_and_bad_dates_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = team_db(dir.path(), "a", "박주무");
    let case = case_in(&store, Stage::Monitoring);
    let res = resource(&store);
    // Expired yesterday (the clock says 2025-03-01).
    consent::record(
        &mut store,
        &case,
        &consent_of(
            &[ConsentScope::ThirdParty],
            "2024-03-01",
            Some("2025-02-28"),
        ),
    )
    .expect("old consent");
    assert!(timeline::add_entry(&mut store, &case, &referral(&res)).is_err());
    // Bad dates are refused.
    assert!(
        consent::record(
            &mut store,
            &case,
            &consent_of(&[ConsentScope::ThirdParty], "2025-03-02", None)
        )
        .is_err()
    );
    assert!(
        consent::record(
            &mut store,
            &case,
            &consent_of(
                &[ConsentScope::ThirdParty],
                "2025-03-01",
                Some("2025-01-01")
            )
        )
        .is_err()
    );
    assert!(consent::record(&mut store, &case, &consent_of(&[], "2025-03-01", None)).is_err());
}

#[test]
fn expiring_consents_are_listed_for_today() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = team_db(dir.path(), "a", "박주무");
    let a = case_in(&store, Stage::Monitoring);
    let b = case_in(&store, Stage::Planning);
    let soon = consent::record(
        &mut store,
        &a,
        &consent_of(
            &[ConsentScope::ThirdParty],
            "2024-03-20",
            Some("2025-03-20"),
        ),
    )
    .expect("soon");
    consent::record(
        &mut store,
        &b,
        &consent_of(&[ConsentScope::Collect], "2025-01-01", Some("2025-12-31")),
    )
    .expect("later");
    let list = store
        .expiring_consents(Scope::All, "2025-03-01", "2025-03-31")
        .expect("expiring");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].consent_id, soon.id);
    assert_eq!(list[0].expires, "2025-03-20");
    assert_eq!(list[0].scopes, vec![ConsentScope::ThirdParty]);
    // A renewal takes it off the list.
    consent::record(
        &mut store,
        &a,
        &consent_of(
            &[ConsentScope::ThirdParty],
            "2025-03-01",
            Some("2026-02-28"),
        ),
    )
    .expect("renewal");
    assert!(
        store
            .expiring_consents(Scope::All, "2025-03-01", "2025-03-31")
            .expect("expiring")
            .is_empty()
    );
}

#[test]
fn cli_export_to_another_agency_needs_consent_or_an_audited_override() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = team_db(dir.path(), "a", "박주무");
    let case = case_in(&store, Stage::Monitoring);
    let db = store.path().to_path_buf();
    drop(store);
    let run = |args: &[&str]| {
        dolbom_at(&db)
            .env("DOLBOM_USER", "박주무")
            .env("DOLBOM_NOW", "2025-03-01T09:00:00")
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&["timeline", &case, "--to-agency", "관악구정신건강복지센터"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("제3자 제공 동의가 없습니다"), "{err}");

    let out = run(&[
        "timeline",
        &case,
        "--to-agency",
        "관악구정신건강복지센터",
        "--consent-override",
        "자살 고위험 긴급 연계",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(&[
        "timeline",
        "consent",
        "add",
        &case,
        "--scope",
        "제3자 제공",
        "--scope",
        "수집",
        "--paper",
        "동의서철 2권",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["timeline", &case, "--to-agency", "관악구정신건강복지센터"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["timeline", "consent", "list", &case]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("유효")
            && text.contains("수집·이용, 제3자 제공")
            && text.contains("동의서철 2권"),
        "{text}"
    );

    let store = crate::approval::open_as(dir.path(), "a", "박주무");
    let audit = store.audit_rows(&Default::default()).expect("audit");
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.detail.starts_with("consent_override:third_party"))
            .count(),
        1
    );
}
