//! Timeline writes: unit tests.
use super::*;
use crate::store::OpenOptions;

/// A referral whose resource was deleted keeps working: the status change is written and
/// the timeline names no resource (only a failed read is an error).
#[test]
fn status_of_a_referral_to_a_deleted_resource_still_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opts = OpenOptions::new("박지현");
    opts.clock = crate::clock::Clock::fixed(
        crate::clock::parse_datetime("2026-03-01T10:30:00").expect("time"),
    );
    let mut store = Store::open(&dir.path().join("t.db"), &opts).expect("open");
    let new = crate::store::NewResident {
        name: "김민수".into(),
        dong: "청룡동".into(),
        ..Default::default()
    };
    let (_, case_id) = store.register_resident(&new, true).expect("register");
    let case_id = case_id.expect("a case at 접수");
    let resource_id = new_id();
    let mut tx = store.write().expect("tx");
    tx.insert(
        "resources",
        &resource_id,
        &[("name", "관악구 정신건강복지센터".into())],
    )
    .expect("resource");
    tx.commit().expect("commit");
    // Not about consent: an audited override lets the referral through.
    let e = add_entry_as(
        &mut store,
        &case_id,
        &NewEntry {
            kind: EntryKind::Referral,
            body: "연계".into(),
            due_on: None,
            data: EntryData::Referral {
                resource_id: resource_id.clone(),
            },
        },
        Some("테스트"),
    )
    .expect("referral");
    let referral_id = e.data["referral_id"].as_str().expect("id").to_string();
    let mut tx = store.write().expect("tx");
    tx.delete("resources", &resource_id).expect("delete");
    tx.commit().expect("commit");

    let f = set_referral_status(&mut store, &referral_id, "접수", "").expect("status");
    assert_eq!(f.status, "접수");
    let t = load(&store, &case_id).expect("load");
    assert!(
        t.items
            .iter()
            .any(|i| i.current().body == "연계 상태 변경 (): 의뢰 → 접수"),
        "the status entry names no resource"
    );
}
