//! Import refusals (each with its specific error, database unchanged), re-import, dry run,
//! encryption modes, clock skew, sequential vs concurrent edits and conflict resolution.

use crate::common::sync::*;
use age::secrecy::SecretString;
use dolbom::model::{Op, OpKind};
use dolbom::store::schema::CURRENT_VERSION;
use dolbom::store::{Store, Val};
use dolbom::sync::bundle::{BundleError, BundleMeta, Encryption, write_bundle};
use dolbom::sync::keys::SiteKeys;
use dolbom::sync::{
    ExportOptions, ImportOptions, Resolution, SyncError, export_bundle, import_bundle,
    open_conflicts, resolve_conflict, site_keys,
};
use std::collections::BTreeMap;
use std::path::Path;

/// Site A with demo data, site B empty; B has imported nothing yet.
fn two_sites(dir: &Path) -> (Store, Store) {
    let mut a = open_site(dir, "a", 0);
    dolbom::demo::generate(
        &mut a,
        &dolbom::demo::DemoOptions {
            residents: 40,
            seed: 7,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let b = open_site(dir, "b", 0);
    (a, b)
}

fn sync_log_rows(s: &Store) -> i64 {
    let conn = rusqlite::Connection::open(s.path()).expect("open");
    conn.query_row(
        "SELECT count(*) FROM sync_log WHERE direction = 'import'",
        [],
        |r| r.get(0),
    )
    .expect("count")
}

/// Imports `path` into `b` expecting failure; checks nothing changed. Returns the error.
fn refused(b: &mut Store, path: &Path, opts: &ImportOptions) -> SyncError {
    let before = digest(b);
    let logs = sync_log_rows(b);
    let err = import_bundle(b, path, opts, &mut |_, _| {}).expect_err("must be refused");
    assert_eq!(digest(b), before, "a refused bundle changed the database");
    assert_eq!(sync_log_rows(b), logs);
    err
}

fn trust() -> ImportOptions {
    ImportOptions {
        trust: true,
        ..ImportOptions::default()
    }
}

#[test]
fn reimport_changes_nothing_and_reports_all_known() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let path = export(&a, None, true, &dir.path().join("a.bundle"));
    let first = import(&mut b, &path).expect("import");
    assert!(first.applied > 0);
    assert_eq!(first.known, 0);
    assert_eq!(digest(&b), digest(&a));
    let after = digest(&b);
    let again = import(&mut b, &path).expect("re-import");
    assert_eq!(again.applied, 0);
    assert_eq!(again.known, again.total);
    assert_eq!(again.conflicts, 0);
    assert!(again.per_table.values().all(|c| c.applied == 0));
    assert_eq!(digest(&b), after);
}

#[test]
fn dry_run_reports_without_changing() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let path = export(&a, None, true, &dir.path().join("a.bundle"));
    let before = digest(&b);
    let opts = ImportOptions {
        trust: true,
        dry_run: true,
        ..ImportOptions::default()
    };
    let report = import_bundle(&mut b, &path, &opts, &mut |_, _| {}).expect("dry run");
    assert!(report.dry_run && report.applied > 0 && report.new_peer);
    assert_eq!(digest(&b), before);
    // Still unknown afterwards: the dry run did not trust the sender.
    let err = refused(&mut b, &path, &ImportOptions::default());
    assert!(matches!(err, SyncError::UnknownSite { .. }), "{err}");
}

#[test]
fn unknown_site_needs_trust() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let path = export(&a, None, true, &dir.path().join("a.bundle"));
    let err = refused(&mut b, &path, &ImportOptions::default());
    assert!(matches!(err, SyncError::UnknownSite { .. }));
    assert!(err.to_string().contains("--trust"));
    assert!(
        err.to_string()
            .contains(&site_keys(&a).expect("keys").verifying_key_string())
    );
}

#[test]
fn damaged_bundles_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let good = export(&a, None, true, &dir.path().join("a.bundle"));
    let bytes = std::fs::read(&good).expect("read");

    let truncated = dir.path().join("truncated.bundle");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let err = refused(&mut b, &truncated, &trust());
    assert!(
        matches!(err, SyncError::Bundle(BundleError::Truncated { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("잘려"));

    let flipped = dir.path().join("flipped.bundle");
    let mut f = bytes.clone();
    let at = f.len() - f.len() / 4;
    f[at] ^= 0x40;
    std::fs::write(&flipped, &f).expect("write");
    let err = refused(&mut b, &flipped, &trust());
    assert!(
        matches!(
            err,
            SyncError::Bundle(BundleError::Tampered { .. } | BundleError::Corrupt { .. })
        ),
        "{err}"
    );

    // The good bundle still imports after all that.
    import(&mut b, &good).expect("good bundle");
    assert_eq!(digest(&b), digest(&a));
}

#[test]
fn wrong_passphrase_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let path = dir.path().join("p.bundle");
    let opts = ExportOptions {
        out: path.clone(),
        to: None,
        full: true,
        encryption: Encryption::Passphrase {
            passphrase: SecretString::from("correct horse".to_string()),
            work_factor: Some(10),
        },
    };
    export_bundle(&a, &opts, &mut |_| {}).expect("export");
    let wrong = ImportOptions {
        passphrase: Some(SecretString::from("battery staple".to_string())),
        trust: true,
        ..ImportOptions::default()
    };
    let err = refused(&mut b, &path, &wrong);
    assert!(
        matches!(err, SyncError::Bundle(BundleError::WrongPassphrase { .. })),
        "{err}"
    );
    let err = refused(&mut b, &path, &trust());
    assert!(
        matches!(
            err,
            SyncError::Bundle(BundleError::PassphraseRequired { .. })
        ),
        "{err}"
    );
    let right = ImportOptions {
        passphrase: Some(SecretString::from("correct horse".to_string())),
        trust: true,
        ..ImportOptions::default()
    };
    import_bundle(&mut b, &path, &right, &mut |_, _| {}).expect("right passphrase");
    assert_eq!(digest(&b), digest(&a));
}

#[test]
fn bundle_to_site_key_opens_only_there() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let mut c = open_site(dir.path(), "c", 0);
    let b_key = site_keys(&b).expect("keys").recipient();
    let path = dir.path().join("r.bundle");
    let opts = ExportOptions {
        out: path.clone(),
        to: None,
        full: true,
        encryption: Encryption::Recipients(vec![b_key]),
    };
    export_bundle(&a, &opts, &mut |_| {}).expect("export");
    let err = refused(&mut c, &path, &trust());
    assert!(
        matches!(
            err,
            SyncError::Bundle(BundleError::NoMatchingIdentity { .. })
        ),
        "{err}"
    );
    import(&mut b, &path).expect("own key decrypts");
    assert_eq!(digest(&b), digest(&a));
}

/// A bundle claiming to come from `origin`, signed by `key`, at `schema`.
fn forged(path: &Path, origin: &str, key: &SiteKeys, schema: u32, ops: Vec<Op>) {
    let meta = BundleMeta::new(schema, origin, "forged");
    write_bundle(path, meta, ops, key.signing_key(), &Encryption::Plain).expect("write");
}

fn resident_op(origin: &str, seq: i64, field: &str) -> Op {
    let mut fields = BTreeMap::new();
    fields.insert(field.to_string(), serde_json::json!("x"));
    Op {
        origin: origin.to_string(),
        seq,
        hlc: 1 << 40,
        table: "residents".into(),
        row_id: uuid::Uuid::now_v7().to_string(),
        kind: OpKind::Insert,
        fields,
    }
}

#[test]
fn other_signer_newer_schema_and_bad_ops_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let a_id = a.site().id.clone();
    import(
        &mut b,
        &export(&a, None, true, &dir.path().join("a.bundle")),
    )
    .expect("first");

    let impostor = SiteKeys::generate();
    let path = dir.path().join("impostor.bundle");
    forged(
        &path,
        &a_id,
        &impostor,
        CURRENT_VERSION,
        vec![resident_op(&a_id, 999_999, "name")],
    );
    let err = refused(&mut b, &path, &trust());
    assert!(
        matches!(err, SyncError::Bundle(BundleError::UnexpectedSigner { .. })),
        "{err}"
    );

    let a_keys = site_keys(&a).expect("keys");
    let path = dir.path().join("newer.bundle");
    forged(&path, &a_id, &a_keys, CURRENT_VERSION + 1, vec![]);
    let err = refused(&mut b, &path, &trust());
    assert!(
        matches!(err, SyncError::Bundle(BundleError::NewerSchema { .. })),
        "{err}"
    );

    // Column names are spliced into SQL: anything not a real column is refused.
    let path = dir.path().join("badcol.bundle");
    forged(
        &path,
        &a_id,
        &a_keys,
        CURRENT_VERSION,
        vec![resident_op(&a_id, 999_999, "name = 1; --")],
    );
    let err = refused(&mut b, &path, &trust());
    assert!(matches!(err, SyncError::BadOp(_)), "{err}");

    let mut op = resident_op(&a_id, 999_999, "name");
    op.table = "audit_log".into();
    let path = dir.path().join("badtable.bundle");
    forged(&path, &a_id, &a_keys, CURRENT_VERSION, vec![op]);
    let err = refused(&mut b, &path, &trust());
    assert!(matches!(err, SyncError::BadOp(_)), "{err}");

    // Our own site id coming back is refused.
    let b_id = b.site().id.clone();
    let path = dir.path().join("own.bundle");
    forged(&path, &b_id, &impostor, CURRENT_VERSION, vec![]);
    let err = refused(&mut b, &path, &trust());
    assert!(matches!(err, SyncError::OwnBundle { .. }), "{err}");
}

#[test]
fn sequential_edits_make_no_conflict() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    let b_id = b.site().id.clone();
    let a_id = a.site().id.clone();
    import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("1")),
    )
    .expect("1");
    edit(&mut b, "residents", &id, "phone", "010-3333-4444");
    import(
        &mut a,
        &export(&b, Some(&a_id), false, &dir.path().join("2")),
    )
    .expect("2");
    edit(&mut a, "residents", &id, "phone", "010-5555-6666");
    let r = import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("3")),
    )
    .expect("3");
    assert_eq!(r.conflicts, 0);
    assert!(open_conflicts(&a).expect("list").is_empty());
    assert!(open_conflicts(&b).expect("list").is_empty());
    assert_eq!(
        field(&b, "residents", &id, "phone").as_deref(),
        Some("010-5555-6666")
    );
    // B's bundle told A what B holds (its knowledge record): A sends only its new edit.
    assert_eq!((r.total, r.applied, r.known), (1, 1, 0));
}

#[test]
fn concurrent_edit_conflict_and_restore_syncs() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 10);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    let (a_id, b_id) = (a.site().id.clone(), b.site().id.clone());
    import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("1")),
    )
    .expect("1");
    edit(&mut a, "residents", &id, "address", "봉천동 A");
    edit(&mut b, "residents", &id, "address", "남현동 B");
    let ra = import(
        &mut a,
        &export(&b, Some(&a_id), false, &dir.path().join("2")),
    )
    .expect("2");
    let rb = import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("3")),
    )
    .expect("3");
    assert_eq!((ra.conflicts, rb.conflicts), (1, 1));
    assert_eq!(ra.per_table["residents"].conflicts, 1);
    assert_eq!(digest(&a), digest(&b));
    // B's clock is ahead, so B's value wins; A's is kept in conflicts on both sites.
    assert_eq!(
        field(&a, "residents", &id, "address").as_deref(),
        Some("남현동 B")
    );
    let ca = open_conflicts(&a).expect("list");
    assert_eq!(ca.len(), 1);
    assert_eq!(ca[0].lost_value.as_deref(), Some("봉천동 A"));
    assert_eq!(ca[0].kept_value.as_deref(), Some("남현동 B"));
    assert_eq!(ca[0].lost_origin, a_id);
    // A restores its value: a new op that syncs; B converges, with no new conflict.
    resolve_conflict(&mut a, &ca[0].id, Resolution::RestoreOther).expect("restore");
    assert!(open_conflicts(&a).expect("list").is_empty());
    let r = import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("4")),
    )
    .expect("4");
    assert_eq!(r.conflicts, 0);
    assert_eq!(
        field(&b, "residents", &id, "address").as_deref(),
        Some("봉천동 A")
    );
    assert_eq!(digest(&a), digest(&b));
    // B's record of the same conflict was closed by A's choice.
    assert!(open_conflicts(&b).expect("list").is_empty());
    let cb = dolbom::sync::conflicts::all_conflicts(&b).expect("all");
    assert_eq!(cb.len(), 1);
    assert_eq!(cb[0].resolution.as_deref(), Some("restore_other@sync"));
    assert!(resolve_conflict(&mut a, &ca[0].id, Resolution::KeepCurrent).is_err());
}

/// Keeping the current value is an op too: the other site closes its copy of the conflict,
/// the value stays, and no new conflict appears anywhere.
#[test]
fn keep_current_syncs_and_closes_the_conflict_everywhere() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 10);
    let mut c = open_site(dir.path(), "c", 20);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    import(&mut b, &export(&a, None, true, &dir.path().join("1"))).expect("1");
    edit(&mut a, "residents", &id, "phone", "010-0000-000A");
    edit(&mut b, "residents", &id, "phone", "010-0000-000B");
    import(&mut a, &export(&b, None, true, &dir.path().join("2"))).expect("2");
    import(&mut b, &export(&a, None, true, &dir.path().join("3"))).expect("3");
    let cb = open_conflicts(&b).expect("list");
    assert_eq!((cb.len(), open_conflicts(&a).expect("list").len()), (1, 1));
    assert_eq!(cb[0].kept_value.as_deref(), Some("010-0000-000B"));
    // B keeps its value.
    resolve_conflict(&mut b, &cb[0].id, Resolution::KeepCurrent).expect("keep");
    let r = import(&mut a, &export(&b, None, false, &dir.path().join("4"))).expect("4");
    assert_eq!(
        (r.applied, r.conflicts),
        (1, 0),
        "the choice arrives as one op"
    );
    assert!(open_conflicts(&a).expect("list").is_empty());
    let ca = dolbom::sync::conflicts::all_conflicts(&a).expect("all");
    assert_eq!(ca[0].resolution.as_deref(), Some("keep_current@sync"));
    assert_eq!(
        field(&a, "residents", &id, "phone").as_deref(),
        Some("010-0000-000B")
    );
    assert_eq!(digest(&a), digest(&b));
    // A site that gets every op at once (edits and the choice) records no conflict at all.
    import(&mut c, &export(&a, None, true, &dir.path().join("5"))).expect("5");
    assert!(
        dolbom::sync::conflicts::all_conflicts(&c)
            .expect("all")
            .is_empty()
    );
    assert_eq!(digest(&c), digest(&a));
}

#[test]
fn concurrent_delete_and_edit_converge() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    let (a_id, b_id) = (a.site().id.clone(), b.site().id.clone());
    import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("1")),
    )
    .expect("1");
    let mut tx = a.write().expect("tx");
    tx.delete("residents", &id).expect("delete");
    tx.commit().expect("commit");
    edit(&mut b, "residents", &id, "phone", "010-9999-9999");
    import(
        &mut a,
        &export(&b, Some(&a_id), false, &dir.path().join("2")),
    )
    .expect("2");
    import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("3")),
    )
    .expect("3");
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(
        field(&b, "residents", &id, "CAST(deleted AS TEXT)").as_deref(),
        Some("1")
    );
}

/// A site whose clock runs a year ahead: its bundle is refused (naming it), nothing changes,
/// and the receiver's clock does not follow (#21 item 7; it used to be applied with a warning).
#[test]
fn a_year_ahead_site_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let year_ms = 365 * 24 * 3600 * 1000;
    let a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let mut c = open_site(dir.path(), "c", year_ms);
    add_resident(&mut c, "박미래", "010-0000-0000", "미래동");
    let path = export(&c, Some(&b.site().id), false, &dir.path().join("c"));
    let err = refused(&mut b, &path, &trust());
    assert!(matches!(err, SyncError::FarFuture { .. }), "{err}");
    assert!(err.to_string().contains(&c.site().id), "{err}");
    // A's bundles still come in.
    import(&mut b, &export(&a, None, true, &dir.path().join("a"))).expect("a");
}

/// The insert op of `id` as exported from `s`: its fields.
fn exported_insert(s: &Store, id: &str) -> BTreeMap<String, serde_json::Value> {
    let mut found = None;
    dolbom::sync::export::stream_ops(s, None, &mut |op| {
        if op.row_id == id && op.kind == OpKind::Insert {
            found = Some(op.fields.clone());
        }
        Ok(())
    })
    .expect("stream");
    found.expect("insert op exported")
}

/// Inserts are stored pointing at their row; an edit first copies the row into the insert op,
/// so the op still says what was inserted — at the origin and at a site that received it.
#[test]
fn insert_op_keeps_inserted_values_after_edits() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 10);
    let id = add_resident(&mut a, "김민수", "010-1111-2222", "관악로 1");
    let first = exported_insert(&a, &id);
    assert_eq!(first["phone"], "010-1111-2222");
    assert_eq!(first["name"], "김민수");
    import(
        &mut b,
        &export(&a, None, true, &dir.path().join("a1.bundle")),
    )
    .expect("a→b");
    edit(&mut a, "residents", &id, "phone", "010-3333-4444");
    edit(&mut b, "residents", &id, "address", "관악로 2");
    for s in [&a, &b] {
        assert_eq!(exported_insert(s, &id), first, "{}", s.site().name);
    }
    import(
        &mut b,
        &export(&a, None, true, &dir.path().join("a2.bundle")),
    )
    .expect("a→b");
    import(
        &mut a,
        &export(&b, None, true, &dir.path().join("b.bundle")),
    )
    .expect("b→a");
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(
        field(&a, "residents", &id, "phone").as_deref(),
        Some("010-3333-4444")
    );
    assert_eq!(
        field(&a, "residents", &id, "address").as_deref(),
        Some("관악로 2")
    );
    // A third site that receives everything at once folds the same ops to the same row.
    let mut c = open_site(dir.path(), "c", 20);
    import(
        &mut c,
        &export(&a, None, true, &dir.path().join("a3.bundle")),
    )
    .expect("a→c");
    assert_eq!(digest(&c), digest(&a));
    assert_eq!(exported_insert(&c, &id), first);
}

/// Two centres import the same public-data file, then sync: the same facility has the same id
/// at both (derived from source and key), so nothing clashes, nothing doubles, and a referral
/// made at one centre to an imported resource is accepted at the other.
#[test]
fn same_file_imported_at_two_sites_merges_into_one_directory() {
    use dolbom::resources::upsert::{ResourceImport, import_resources};
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 10);
    let file = crate::common::import_fixture("resources_utf8.csv");
    for s in [&mut a, &mut b] {
        let r =
            import_resources(s, &file, &ResourceImport::default(), &mut |_, _| {}).expect("import");
        assert_eq!(r.inserted, 7);
    }
    let resources = |s: &Store| s.resources().expect("resources");
    assert_eq!(
        resources(&a)
            .iter()
            .map(|r| r.resource.id.clone())
            .collect::<Vec<_>>(),
        resources(&b)
            .iter()
            .map(|r| r.resource.id.clone())
            .collect::<Vec<_>>()
    );
    // B refers a new case to the first imported resource.
    let target = resources(&b)[0].resource.id.clone();
    let rid = add_resident(&mut b, "김하나", "010-1111-2222", "신림동");
    let (cid, fid) = (
        uuid::Uuid::now_v7().to_string(),
        uuid::Uuid::now_v7().to_string(),
    );
    let mut tx = b.write().expect("tx");
    tx.insert(
        "cases",
        &cid,
        &[
            ("resident_id", Val::text(&rid)),
            ("worker", Val::text("tester")),
            ("stage", Val::text("intake")),
            ("opened_on", Val::text("2025-03-01")),
            ("last_activity", Val::text("2025-03-01")),
        ],
    )
    .expect("case");
    tx.insert(
        "referrals",
        &fid,
        &[
            ("case_id", Val::text(&cid)),
            ("resource_id", Val::text(&target)),
            ("status", Val::text("의뢰")),
            ("requested_on", Val::text("2025-03-01")),
            ("updated_on", Val::text("2025-03-01")),
        ],
    )
    .expect("referral");
    tx.commit().expect("commit");
    let ra = import(
        &mut a,
        &export(&b, None, true, &dir.path().join("b.bundle")),
    )
    .expect("b→a");
    let rb = import(
        &mut b,
        &export(&a, None, true, &dir.path().join("a.bundle")),
    )
    .expect("a→b");
    assert_eq!((ra.conflicts, rb.conflicts), (0, 0));
    assert_eq!(resources(&a).len(), 7);
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(field(&a, "referrals", &fid, "resource_id"), Some(target));
    // Re-importing the file at A after the exchange changes nothing.
    let again =
        import_resources(&mut a, &file, &ResourceImport::default(), &mut |_, _| {}).expect("again");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 7));
}
