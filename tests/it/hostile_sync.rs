//! Hostile bundles (issue #21 items 6–8 and the bundle-reader fuzz target) and two sites
//! correcting one entry (issue #12 item 12). Bombs are made at test time, never committed.

use crate::common::sync::*;
use dolbom::model::{Op, OpKind};
use dolbom::store::Store;
use dolbom::sync::bundle::{BundleError, Decryption, Manifest, open_bundle};
use dolbom::sync::keys::SiteKeys;
use dolbom::sync::{SyncError, site_keys};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Site A with a few residents (so its bundle's payload is a few kilobytes), site B empty.
fn two_sites(dir: &Path) -> (Store, Store) {
    let mut a = open_site(dir, "a", 0);
    dolbom::demo::generate(
        &mut a,
        &dolbom::demo::DemoOptions {
            residents: 60,
            seed: 11,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let b = open_site(dir, "b", 0);
    (a, b)
}

/// Offset and length of the payload of a plain bundle (header, manifest length, manifest).
fn payload_span(bytes: &[u8]) -> (usize, usize) {
    let mlen = u32::from_le_bytes(bytes[18..22].try_into().expect("4 bytes")) as usize;
    let manifest: Manifest = serde_json::from_slice(&bytes[22..22 + mlen]).expect("manifest");
    (22 + mlen, manifest.payload_len as usize)
}

/// A zstd frame expanding to about `expand` bytes of whole `line`s, exactly `len` bytes long (padded
/// with a skippable frame). `None` if it does not fit in `len`.
pub fn zstd_bomb(line: &[u8], expand: u64, len: usize) -> Option<Vec<u8>> {
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).expect("encoder");
    // Whole lines only, so that every line of the expansion is a valid record.
    let chunk = line.repeat(((1 << 20) / line.len()).max(1));
    let mut left = expand;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        let n = n - n % line.len();
        if n == 0 {
            break;
        }
        enc.write_all(&chunk[..n]).expect("compress");
        left -= n as u64;
    }
    let mut frame = enc.finish().expect("finish");
    let pad = len.checked_sub(frame.len())?;
    if pad == 0 {
        return Some(frame);
    }
    if pad < 8 {
        return None;
    }
    frame.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
    frame.extend_from_slice(&((pad - 8) as u32).to_le_bytes());
    frame.resize(len, 0);
    Some(frame)
}

/// A's genuine full bundle with its payload swapped for a bomb of the same length expanding to
/// `expand` bytes of valid-looking op lines: the manifest (and its signature) stay genuine.
pub fn bomb_bundle(a: &Store, dir: &Path, expand: u64) -> PathBuf {
    let path = export(a, None, true, &dir.join("bomb.bundle"));
    let mut bytes = std::fs::read(&path).expect("read");
    let (at, len) = payload_span(&bytes);
    let line = format!(
        "{}\n",
        serde_json::to_string(&Op {
            origin: a.site().id.clone(),
            seq: 1,
            hlc: 1 << 40,
            table: "residents".into(),
            row_id: "r".into(),
            kind: OpKind::Update,
            fields: [("phone".to_string(), serde_json::json!("010"))].into(),
        })
        .expect("op json")
    );
    let bomb = zstd_bomb(line.as_bytes(), expand, len).expect("bomb fits the payload");
    bytes[at..at + len].copy_from_slice(&bomb);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// #21 item 8: the payload's hash is checked before a byte is decompressed. Today's reader
/// opened the bomb and streamed ops from it (applying them) until the checksum failed at the end.
#[test]
fn a_bomb_behind_a_genuine_manifest_is_refused_before_decompressing() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, mut b) = two_sites(dir.path());
    let path = bomb_bundle(&a, dir.path(), 256 << 20);
    let started = Instant::now();
    let err = open_bundle(&path, &Decryption::None, u32::MAX, None).expect_err("refused at open");
    assert!(matches!(err, BundleError::Tampered { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let before = digest(&b);
    let started = Instant::now();
    let err = import(&mut b, &path).expect_err("refused");
    assert!(
        matches!(err, SyncError::Bundle(BundleError::Tampered { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("체크섬"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(digest(&b), before, "nothing changed");
}

/// #21 item 8: even a signed payload with a matching hash (a trusted peer gone bad) is read no
/// further than the manifest's op count: a line past it is refused at once.
#[test]
fn a_signed_payload_longer_than_its_counts_stops_at_the_count() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, _b) = two_sites(dir.path());
    let path = export(&a, None, true, &dir.path().join("long.bundle"));
    let keys = site_keys(&a).expect("keys");
    forge(&path, &keys, |m, payload| {
        // The genuine ops, then many more of the same line; the counts stay the genuine ones.
        let mut plain = zstd::decode_all(&payload[..]).expect("decode");
        let first = plain
            .split(|b| *b == b'\n')
            .next()
            .expect("a line")
            .to_vec();
        for _ in 0..200_000 {
            plain.extend_from_slice(&first);
            plain.push(b'\n');
        }
        *payload = zstd::encode_all(&plain[..], 3).expect("encode");
        assert!(m.op_count > 0);
    });
    let reader = open_bundle(&path, &Decryption::None, u32::MAX, None).expect("hash matches");
    let count = reader.manifest().op_count;
    let mut ops = 0u64;
    let mut last = None;
    for item in reader {
        match item {
            Ok(_) => ops += 1,
            Err(e) => last = Some(e),
        }
    }
    assert_eq!(ops, count, "no op past the manifest's count is yielded");
    let err = last.expect("refused");
    assert!(
        err.to_string().contains("more ops than the manifest"),
        "{err}"
    );
}

/// Rewrites a plain bundle with an edited manifest and payload, re-signed by `keys`, with the
/// payload checksum and header length kept consistent.
pub fn forge(path: &Path, keys: &SiteKeys, edit: impl FnOnce(&mut Manifest, &mut Vec<u8>)) {
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    use sha2::Digest as _;
    let bytes = std::fs::read(path).expect("read");
    let mlen = u32::from_le_bytes(bytes[18..22].try_into().expect("4 bytes")) as usize;
    let mut manifest: Manifest = serde_json::from_slice(&bytes[22..22 + mlen]).expect("manifest");
    let mut payload = bytes[22 + mlen..].to_vec();
    edit(&mut manifest, &mut payload);
    manifest.payload_len = payload.len() as u64;
    manifest.payload_sha256 = hex::encode(sha2::Sha256::digest(&payload));
    let sig = keys
        .signing_key()
        .sign(&manifest.signed_bytes().expect("signed bytes"));
    manifest.signature = Some(base64::engine::general_purpose::STANDARD.encode(sig.to_bytes()));
    let mjson = serde_json::to_vec(&manifest).expect("json");
    let mut out = bytes[..10].to_vec();
    let total = 18 + 4 + mjson.len() + payload.len();
    out.extend_from_slice(&(total as u64).to_le_bytes());
    out.extend_from_slice(&(mjson.len() as u32).to_le_bytes());
    out.extend_from_slice(&mjson);
    out.extend_from_slice(&payload);
    std::fs::write(path, out).expect("write");
}

/// For the figures in the closing note, not the suite: writes A's database and a bomb bundle
/// expanding to `DOLBOM_BOMB_GB` GiB (default 4) under `DOLBOM_BOMB_DIR`, then
/// `dolbom --db DIR/b.db sync import DIR/bomb.bundle --trust` is timed by hand.
#[test]
#[ignore = "writes a bomb for measuring by hand"]
fn write_bomb_for_measuring() {
    let Some(dir) = std::env::var_os("DOLBOM_BOMB_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let gb: u64 = std::env::var("DOLBOM_BOMB_GB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let mut a = open_site(&dir, "a", 0);
    dolbom::demo::generate(
        &mut a,
        &dolbom::demo::DemoOptions {
            residents: 2000,
            seed: 11,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let path = bomb_bundle(&a, &dir, gb << 30);
    eprintln!("bomb: {}", path.display());
}

/// A's own op with the given stamp, signed by A's key (a bundle A could have sent).
fn signed_by(a: &Store, path: &Path, ops: Vec<Op>) -> PathBuf {
    use dolbom::sync::bundle::{BundleMeta, Encryption, write_bundle};
    let meta = BundleMeta::new(
        dolbom::store::schema::CURRENT_VERSION,
        &a.site().id,
        &a.site().name,
    );
    let keys = site_keys(a).expect("keys");
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

/// The newest stamp among this site's own ops.
fn own_latest_hlc(s: &Store) -> i64 {
    let conn = rusqlite::Connection::open(s.path()).expect("open");
    conn.query_row(
        "SELECT hlc FROM ops WHERE origin = ?1 ORDER BY seq DESC LIMIT 1",
        [&s.site().id],
        |r| r.get(0),
    )
    .expect("own op")
}

/// #21 item 7: an op stamped i64::MAX is refused with a message naming its site, nothing
/// changes, and a later local edit is stamped near now (it used to inherit i64::MAX).
#[test]
fn a_far_future_stamp_is_refused_and_the_clock_does_not_follow() {
    use dolbom::store::oplog::hlc;
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    import(&mut b, &export(&a, None, true, &dir.path().join("1"))).expect("first");
    let next_seq = a.held_seqs().expect("seqs")[&a.site().id] + 1;
    for stamp in [
        i64::MAX,
        hlc::pack(hlc::now_ms() + 400 * 24 * 3600 * 1000, 0),
    ] {
        let path = signed_by(
            &a,
            &dir.path().join("future"),
            vec![phone_update(
                &a.site().id,
                next_seq,
                stamp,
                &id,
                "010-6666-6666",
            )],
        );
        let before = digest(&b);
        let err = import(&mut b, &path).expect_err("refused");
        assert!(matches!(err, SyncError::FarFuture { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(&a.site().id) && msg.contains("시계"), "{msg}");
        assert_eq!(digest(&b), before, "nothing changed");
    }
    edit(&mut b, "residents", &id, "phone", "010-3333-3333");
    let now = b.clock().now_ms();
    let stamp = own_latest_hlc(&b);
    assert!(
        (hlc::physical_ms(stamp) - now).abs() < 60_000,
        "local edit stamped {} (now {})",
        hlc::format_utc(stamp),
        now
    );
    // The real op with that seq still comes in afterwards.
    edit(&mut a, "residents", &id, "phone", "010-4444-4444");
    import(&mut b, &export(&a, None, false, &dir.path().join("2"))).expect("real op");
}

/// An entry of A's demo data that can be corrected (not a stage change, not a correction).
fn correctable_entry(s: &Store) -> String {
    let conn = rusqlite::Connection::open(s.path()).expect("open");
    conn.query_row(
        "SELECT id FROM entries WHERE corrects IS NULL AND kind <> 'stage_change' ORDER BY id LIMIT 1",
        [],
        |r| r.get(0),
    )
    .expect("an entry")
}

fn correction_conflicts(s: &Store, open_only: bool) -> Vec<dolbom::sync::Conflict> {
    let list = if open_only {
        dolbom::sync::open_conflicts(s)
    } else {
        dolbom::sync::conflicts::all_conflicts(s)
    };
    list.expect("conflicts")
        .into_iter()
        .filter(|c| c.table == "entries")
        .collect()
}

/// #12 item 12: two sites correcting the same entry is a conflict to review at both, showing
/// both texts (it used to be a silent "latest wins"); a correction written after seeing both
/// closes it everywhere, and a correction made after seeing the other is no conflict.
#[test]
fn two_sites_correcting_one_entry_is_a_conflict_at_both() {
    use dolbom::timeline::correct_entry;
    let dir = tempfile::tempdir().expect("dir");
    let (mut a, mut b) = two_sites(dir.path());
    let (a_id, b_id) = (a.site().id.clone(), b.site().id.clone());
    import(&mut b, &export(&a, None, true, &dir.path().join("0"))).expect("first");
    let entry = correctable_entry(&a);

    // Sequential first: A corrects, B sees it and corrects again: no conflict.
    correct_entry(&mut a, &entry, "A의 첫 정정", None).expect("a corrects");
    import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("1")),
    )
    .expect("1");
    correct_entry(&mut b, &entry, "B가 보고 고침", None).expect("b corrects after");
    let r = import(
        &mut a,
        &export(&b, Some(&a_id), false, &dir.path().join("2")),
    )
    .expect("2");
    assert_eq!(
        r.conflicts, 0,
        "a correction made after seeing the other is no conflict"
    );

    // Now both correct at once.
    correct_entry(&mut a, &entry, "A의 정정: 방문 시각 14시", None).expect("a");
    correct_entry(&mut b, &entry, "B의 정정: 방문 시각 15시", None).expect("b");
    let rb = import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("3")),
    )
    .expect("3");
    let ra = import(
        &mut a,
        &export(&b, Some(&a_id), false, &dir.path().join("4")),
    )
    .expect("4");
    assert_eq!(
        (ra.conflicts, rb.conflicts),
        (1, 1),
        "a conflict at each site"
    );
    let (ca, cb) = (
        correction_conflicts(&a, true),
        correction_conflicts(&b, true),
    );
    assert_eq!(ca.len(), 1);
    assert_eq!(
        ca,
        cb.iter()
            .map(|c| dolbom::sync::Conflict {
                detected_at: ca[0].detected_at.clone(),
                ..c.clone()
            })
            .collect::<Vec<_>>(),
        "the same conflict at both sites"
    );
    let c = &ca[0];
    assert_eq!(c.row_id, entry, "over the corrected entry");
    let mut texts = [c.kept_value.clone(), c.lost_value.clone()];
    texts.sort();
    assert_eq!(
        texts,
        [
            Some("A의 정정: 방문 시각 14시".to_string()),
            Some("B의 정정: 방문 시각 15시".to_string())
        ],
        "a person sees both texts"
    );
    assert_eq!(digest(&a), digest(&b));

    // A person at A writes the right text after seeing both: the conflict closes at B too.
    correct_entry(&mut a, &entry, "방문 시각 14시 30분 (양쪽 확인)", None).expect("settle");
    dolbom::sync::resolve_conflict(&mut a, &c.id, dolbom::sync::Resolution::KeepCurrent)
        .expect("seen");
    assert!(correction_conflicts(&a, true).is_empty());
    let r = import(
        &mut b,
        &export(&a, Some(&b_id), false, &dir.path().join("5")),
    )
    .expect("5");
    assert_eq!(r.conflicts, 0);
    assert!(
        correction_conflicts(&b, true).is_empty(),
        "closed by the later correction"
    );
    assert_eq!(
        correction_conflicts(&b, false).len(),
        1,
        "kept for the record"
    );
}
