//! Proof of origin for relayed ops (issue #21 item 6): a relay forwards each origin's signature
//! over its ops; an op relayed in another site's name without that signature, or changed on
//! the way, is refused, and the origin's real op still arrives later.

use crate::common::sync::*;
use dolbom::model::{Op, OpKind};
use dolbom::store::Store;
use dolbom::sync::SyncError;
use dolbom::sync::bundle::{BundleMeta, Decryption, Encryption, read_bundle, write_bundle};
use dolbom::sync::proof::PROOF_TABLE;
use dolbom::sync::site_keys;
use std::path::{Path, PathBuf};

/// Writes `ops` as a bundle sent (and signed) by `sender`.
fn sent_by(sender: &Store, path: &Path, ops: Vec<Op>) -> PathBuf {
    let meta = BundleMeta::new(
        dolbom::store::schema::CURRENT_VERSION,
        &sender.site().id,
        &sender.site().name,
    );
    let keys = site_keys(sender).expect("keys");
    write_bundle(path, meta, ops, keys.signing_key(), &Encryption::Plain).expect("write");
    path.to_owned()
}

fn phone_update(origin: &str, seq: i64, hlc: i64, row: &str, phone: &str) -> Op {
    Op {
        origin: origin.to_string(),
        seq,
        hlc,
        table: "residents".into(),
        row_id: row.to_string(),
        kind: OpKind::Update,
        fields: [("phone".to_string(), serde_json::json!(phone))].into(),
    }
}

fn next_seq(s: &Store, origin: &str) -> i64 {
    s.held_seqs()
        .expect("seqs")
        .get(origin)
        .copied()
        .unwrap_or(0)
        + 1
}

/// A → B → C → D: each relay forwards A's (and B's, C's) proofs; D, which never heard from A,
/// B or C directly except its sender, converges, and A's key it learnt matches A's own bundle.
#[test]
fn a_relay_chain_with_proofs_is_accepted_and_converges() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let mut a = open_site(d, "a", 0);
    let mut b = open_site(d, "b", 10);
    let mut c = open_site(d, "c", 20);
    let mut dd = open_site(d, "d", 30);
    let r1 = add_resident(&mut a, "김하나", "010-1111-1111", "신림동");
    let r2 = add_resident(&mut a, "이둘", "010-2222-2222", "봉천동");
    edit(&mut a, "residents", &r1, "phone", "010-1111-9999");
    import(&mut b, &export(&a, None, true, &d.join("ab"))).expect("a→b");
    edit(&mut b, "residents", &r2, "address", "서원동");
    add_resident(&mut b, "박셋", "010-3333-3333", "난곡동");
    let report = import(&mut c, &export(&b, None, true, &d.join("bc"))).expect("b→c");
    assert_eq!(report.applied, 5);
    edit(&mut c, "residents", &r1, "address", "대학동");
    import(&mut dd, &export(&c, None, true, &d.join("cd"))).expect("c→d");
    assert_eq!(digest(&dd), digest(&c));
    assert_eq!(
        field(&dd, "residents", &r1, "phone").as_deref(),
        Some("010-1111-9999")
    );
    // Back along the chain, and A's own bundle to D: its key is the one D learnt from C.
    import(&mut a, &export(&dd, None, true, &d.join("da"))).expect("d→a");
    import(&mut b, &export(&dd, None, true, &d.join("db"))).expect("d→b");
    let again = import(&mut dd, &export(&a, None, true, &d.join("ad"))).expect("a→d");
    assert_eq!(again.applied, 0);
    for s in [&a, &b] {
        assert_eq!(digest(s), digest(&dd));
    }
}

/// B relays an op in A's name that A never made (the seq A uses next): C refuses it naming A
/// and the seq, with or without a made-up proof, and A's real op with that seq applies later.
#[test]
fn a_forged_op_relayed_in_another_sites_name_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let mut a = open_site(d, "a", 0);
    let mut b = open_site(d, "b", 0);
    let mut c = open_site(d, "c", 0);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    import(&mut b, &export(&a, None, true, &d.join("ab"))).expect("a→b");
    add_resident(&mut b, "박둘", "010-5555-5555", "봉천동");
    import(&mut c, &export(&a, None, true, &d.join("ac"))).expect("a→c");
    import(&mut c, &export(&b, None, true, &d.join("bc"))).expect("b→c: trusted");
    let a_id = a.site().id.clone();
    let seq = next_seq(&a, &a_id);
    let forged = phone_update(&a_id, seq, 1 << 40, &id, "010-6666-6666");
    let before = digest(&c);

    // No proof at all.
    let path = sent_by(&b, &d.join("forged1"), vec![forged.clone()]);
    let err = import(&mut c, &path).expect_err("refused");
    assert!(matches!(err, SyncError::UnprovenOp { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&a_id) && text.contains(&format!(" {seq}")),
        "{text}"
    );
    assert_eq!(digest(&c), before);

    // A proof B made up, signed with B's key but naming A: not A's key.
    let fake = {
        // B's genuine proof over its own ops, relabelled as A's.
        let own = export(&b, None, true, &d.join("bown"));
        let (_, _, ops) = read_bundle(&own, &Decryption::None, u32::MAX, None).expect("read");
        let mut proof = ops
            .into_iter()
            .find(|o| o.table == PROOF_TABLE && o.origin == b.site().id)
            .expect("B's proof");
        proof.origin = a_id.clone();
        proof
    };
    let path = sent_by(&b, &d.join("forged2"), vec![forged.clone(), fake]);
    let err = import(&mut c, &path).expect_err("refused");
    assert!(matches!(err, SyncError::BadProof { .. }), "{err}");
    assert!(err.to_string().contains(&a_id), "{err}");
    assert_eq!(digest(&c), before);

    // A's real edit takes that seq and reaches C.
    edit(&mut a, "residents", &id, "phone", "010-3333-3333");
    let report = import(&mut c, &export(&a, None, false, &d.join("ac2"))).expect("a→c real");
    assert_eq!(report.applied, 1);
    assert_eq!(
        field(&c, "residents", &id, "phone").as_deref(),
        Some("010-3333-3333")
    );
}

/// B forwards A's genuine ops and proofs but changes a field of one op: C refuses it.
#[test]
fn a_tampered_relayed_op_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let mut a = open_site(d, "a", 0);
    let mut b = open_site(d, "b", 0);
    let mut c = open_site(d, "c", 0);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    edit(&mut a, "residents", &id, "phone", "010-4444-4444");
    import(&mut b, &export(&a, None, true, &d.join("ab"))).expect("a→b");
    let genuine = export(&b, None, true, &d.join("bc"));
    let (_, _, mut ops) = read_bundle(&genuine, &Decryption::None, u32::MAX, None).expect("read");
    let a_id = a.site().id.clone();
    let target = ops
        .iter_mut()
        .find(|o| o.origin == a_id && o.kind == OpKind::Update)
        .expect("A's update");
    let seq = target.seq;
    target
        .fields
        .insert("phone".into(), serde_json::json!("010-6666-6666"));
    let path = sent_by(&b, &d.join("tampered"), ops);
    let before = digest(&c);
    let err = import(&mut c, &path).expect_err("refused");
    assert!(matches!(err, SyncError::TamperedOp { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&a_id) && text.contains(&format!(" {seq}")),
        "{text}"
    );
    assert_eq!(digest(&c), before);
    // The genuine bundle is accepted.
    import(&mut c, &genuine).expect("genuine");
    assert_eq!(
        field(&c, "residents", &id, "phone").as_deref(),
        Some("010-4444-4444")
    );
}
