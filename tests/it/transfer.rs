//! 이관 (issue #16 item 4): a case goes to a partner site through a bundle; the sender's copy is
//! read-only and every refused write points at where it went; the receiver works on it.

use crate::common::sync::{export, import, open_site};
use dolbom::model::{EntryKind, Stage};
use dolbom::timeline::{self, CaseFilter, NewEntry, transfer};

#[test]
fn a_transferred_case_is_read_only_at_the_sender_and_continues_at_the_receiver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = open_site(dir.path(), "관악 행정복지센터", 0);
    let mut b = open_site(dir.path(), "서초 행정복지센터", 5);
    dolbom::demo::generate(
        &mut a,
        &dolbom::demo::DemoOptions {
            residents: 60,
            seed: 9,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let case = a
        .list_cases(&CaseFilter {
            stage: Some(Stage::Monitoring),
            ..CaseFilter::default()
        })
        .expect("cases")[0]
        .id
        .clone();
    // Unknown site: refused. A learns of B from B's first bundle.
    assert!(transfer::transfer(&mut a, &case, "서초 행정복지센터", "이사").is_err());
    let hello = export(&b, None, true, &dir.path().join("b0.bundle"));
    import(&mut a, &hello).expect("B's bundle at A");
    assert!(transfer::transfer(&mut a, &case, "서초 행정복지센터", " ").is_err());

    let e = transfer::transfer(
        &mut a,
        &case,
        "서초 행정복지센터",
        "서초구로 이사, 주거 지원 진행 중",
    )
    .expect("transfer");
    assert_eq!(e.kind, EntryKind::Transfer);
    assert!(
        transfer::transferred_away(&a, &case)
            .expect("read")
            .is_some()
    );

    // The sender's copy is read-only, and says where the case went.
    let err = timeline::add_entry(&mut a, &case, &NewEntry::plain(EntryKind::Call, "전화"))
        .expect_err("read-only")
        .to_string();
    assert!(
        err.contains("이관된 사례입니다") && err.contains("서초 행정복지센터"),
        "{err}"
    );
    assert!(
        timeline::handover::hand_over(&mut a, std::slice::from_ref(&case), "tester", "x").is_err()
    );
    let audit = a.audit_rows(&Default::default()).expect("audit");
    assert!(audit.iter().any(|r| r.detail.starts_with("transfer:")));

    // The bundle carries case, resident and timeline; at B the case is writable.
    let bundle = export(&a, Some(&b.site().id), false, &dir.path().join("a1.bundle"));
    import(&mut b, &bundle).expect("A's bundle at B");
    let t = timeline::load(&b, &case).expect("case at B");
    assert!(
        t.items
            .iter()
            .any(|i| i.original.kind == EntryKind::Transfer)
    );
    assert!(b.case_resident(&t.header.case.resident_id).is_ok());
    assert!(
        transfer::transferred_away(&b, &case)
            .expect("read")
            .is_none()
    );
    timeline::add_entry(
        &mut b,
        &case,
        &NewEntry::plain(EntryKind::Call, "이관 후 첫 전화"),
    )
    .expect("writable at B");
}
