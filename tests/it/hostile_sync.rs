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

    // A person at A writes the right text after seeing both: that correction closes the
    // conflict at A at once (nothing left to mark as seen), and at B when it arrives.
    correct_entry(&mut a, &entry, "방문 시각 14시 30분 (양쪽 확인)", None).expect("settle");
    assert!(correction_conflicts(&a, true).is_empty());
    assert!(
        dolbom::sync::resolve_conflict(&mut a, &c.id, dolbom::sync::Resolution::KeepCurrent)
            .is_err(),
        "already closed by the correction"
    );
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

/// The texts of `entry` in its timeline: its own, then its corrections' (the last is shown).
fn versions(s: &Store, entry: &str) -> Vec<String> {
    let e = s.entry(entry).expect("entry");
    let t = dolbom::timeline::load(s, &e.case_id).expect("timeline");
    let item = t
        .items
        .into_iter()
        .find(|i| i.original.id == entry)
        .expect("item");
    std::iter::once(item.original)
        .chain(item.corrections)
        .map(|e| e.body)
        .collect()
}

fn current_text(s: &Store, entry: &str) -> String {
    versions(s, entry).pop().expect("a version")
}

/// Issue #19 item 3: settling two sites' corrections of one entry is itself a correction (it
/// restates the version chosen, after seeing both), so it syncs: the other site closes its
/// conflict when it arrives, and a fresh site receiving all the ops never opens one. (It used
/// to be a local mark only: the conflict stayed open at every other site, and a site that
/// received the same corrections later opened it.) Restoring the other restates the lost text.
#[test]
fn settling_two_corrections_is_a_correction_that_syncs() {
    use dolbom::sync::Resolution;
    use dolbom::timeline::correct_entry;
    let dir = tempfile::tempdir().expect("dir");
    let (mut a, mut b) = two_sites(dir.path());
    let (a_id, b_id) = (a.site().id.clone(), b.site().id.clone());
    import(&mut b, &export(&a, None, true, &dir.path().join("0"))).expect("first");
    let entry = correctable_entry(&a);
    let exchange = |a: &mut Store, b: &mut Store, n: &str| {
        let to_b = export(a, Some(&b_id), false, &dir.path().join(format!("{n}ab")));
        let to_a = export(b, Some(&a_id), false, &dir.path().join(format!("{n}ba")));
        import(b, &to_b).expect("a → b");
        import(a, &to_a).expect("b → a");
    };
    for (round, how) in [
        ("1", Resolution::KeepCurrent),
        ("2", Resolution::RestoreOther),
    ] {
        correct_entry(&mut a, &entry, &format!("A의 정정 {round}"), None).expect("a");
        correct_entry(&mut b, &entry, &format!("B의 정정 {round}"), None).expect("b");
        exchange(&mut a, &mut b, round);
        let open = correction_conflicts(&a, true);
        assert_eq!(open.len(), 1, "round {round}: one conflict");
        assert_eq!(correction_conflicts(&b, true), {
            let mut at_b = open.clone();
            at_b[0].detected_at = correction_conflicts(&b, true)[0].detected_at.clone();
            at_b
        });
        let c = &open[0];
        let before = current_text(&a, &entry);
        let chosen = match how {
            Resolution::KeepCurrent => before.clone(),
            Resolution::RestoreOther => c.lost_value.clone().expect("lost text"),
        };
        let count = |s: &Store| versions(s, &entry).len();
        let n = count(&a);
        dolbom::sync::resolve_conflict(&mut a, &c.id, how).expect("settle");
        assert_eq!(
            count(&a),
            n + 1,
            "round {round}: the choice is a correction"
        );
        assert_eq!(current_text(&a, &entry), chosen, "round {round}");
        assert!(
            correction_conflicts(&a, true).is_empty(),
            "closed here at once"
        );
        let settled = dolbom::sync::conflicts::all_conflicts(&a)
            .expect("all")
            .into_iter()
            .find(|k| k.id == c.id)
            .expect("kept for the record");
        assert_eq!(settled.resolution.as_deref(), Some(how_code(how)));
        exchange(&mut a, &mut b, &format!("{round}s"));
        assert!(
            correction_conflicts(&b, true).is_empty(),
            "round {round}: closed at the other site when the choice arrives"
        );
        assert_eq!(current_text(&b, &entry), chosen);
        assert_eq!(digest(&a), digest(&b));
    }
    // A site that receives everything (in either order) has nothing to review.
    for (k, order) in [[&a, &b], [&b, &a]].into_iter().enumerate() {
        let mut fresh = open_site(dir.path(), &format!("fresh{k}"), 0);
        for (i, s) in order.into_iter().enumerate() {
            let p = export(s, None, true, &dir.path().join(format!("full{k}{i}")));
            import(&mut fresh, &p).expect("full");
        }
        assert!(correction_conflicts(&fresh, true).is_empty(), "order {k}");
        assert_eq!(digest(&fresh), digest(&a));
    }
}

fn how_code(how: dolbom::sync::Resolution) -> &'static str {
    match how {
        dolbom::sync::Resolution::KeepCurrent => "keep_current",
        dolbom::sync::Resolution::RestoreOther => "restore_other",
    }
}

/// Corpus files kept in `tests/fixtures/fuzz/bundles/` (small real bundles, plain, signed by a
/// throwaway key; regenerate with `DOLBOM_WRITE_FUZZ_CORPUS=1`).
fn fixture_corpus() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/bundles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "bundle"))
        .map(|p| std::fs::read(p).expect("read corpus"))
        .collect()
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One deterministic mutation of `seed` bytes: flips, overwrites, truncation, insertion,
/// duplication, a patched length field, or a splice with another corpus file.
fn mutate(rng: &mut u64, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    let rounds = 1 + splitmix(rng) % 4;
    for _ in 0..rounds {
        let len = b.len().max(1);
        let at = (splitmix(rng) % len as u64) as usize;
        match splitmix(rng) % 8 {
            0 => {
                if let Some(x) = b.get_mut(at) {
                    *x ^= 1 << (splitmix(rng) % 8);
                }
            }
            1 => {
                if let Some(x) = b.get_mut(at) {
                    *x = splitmix(rng) as u8;
                }
            }
            2 => b.truncate(at),
            3 => {
                let n = (splitmix(rng) % 64) as usize;
                let junk: Vec<u8> = (0..n).map(|_| splitmix(rng) as u8).collect();
                let at = at.min(b.len());
                b.splice(at..at, junk);
            }
            4 => {
                let end = (at + (splitmix(rng) % 256) as usize).min(b.len());
                let piece = b[at.min(end)..end].to_vec();
                b.splice(end..end, piece);
            }
            5 if b.len() >= 18 => {
                // The header's length field, made consistent with the new size or not.
                let v = if splitmix(rng).is_multiple_of(2) {
                    b.len() as u64
                } else {
                    splitmix(rng)
                };
                b[10..18].copy_from_slice(&v.to_le_bytes());
            }
            6 if b.len() >= 22 => {
                // The manifest length.
                let v = (splitmix(rng) % (b.len() as u64 + 16)) as u32;
                b[18..22].copy_from_slice(&v.to_le_bytes());
            }
            _ => {
                let cut = at.min(b.len());
                let from = (splitmix(rng) % other.len().max(1) as u64) as usize;
                b.truncate(cut);
                b.extend_from_slice(other.get(from..).unwrap_or_default());
            }
        }
    }
    b
}

/// #21: the bundle reader's fuzz target, run for a bounded number of cases in the suite. Every
/// mutation of a real bundle (made now, plain and encrypted to B, and the fixtures) is refused
/// with an error or imported whole; never a panic, never a half-written database.
#[test]
fn fuzzed_bundles_are_refused_cleanly_or_imported() {
    use dolbom::sync::bundle::Encryption;
    use dolbom::sync::{ExportOptions, export_bundle};
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    for i in 0..6 {
        add_resident(&mut a, &format!("김퍼즈{i}"), "010-1234-5678", "신림동");
    }
    let mut b = open_site(dir.path(), "b", 0);
    let plain = export(&a, None, true, &dir.path().join("plain.bundle"));
    let sealed = dir.path().join("sealed.bundle");
    let opts = ExportOptions {
        out: sealed.clone(),
        to: None,
        full: true,
        encryption: Encryption::Recipients(vec![site_keys(&b).expect("keys").recipient()]),
    };
    export_bundle(&a, &opts, &mut |_| {}).expect("sealed export");
    let mut corpus = vec![
        std::fs::read(&plain).expect("read"),
        std::fs::read(&sealed).expect("read"),
    ];
    if std::env::var_os("DOLBOM_WRITE_FUZZ_CORPUS").is_some() {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/bundles");
        std::fs::create_dir_all(&out).expect("mkdir");
        std::fs::copy(&plain, out.join("six_residents.bundle")).expect("copy");
    }
    corpus.extend(fixture_corpus());
    assert!(
        corpus.len() >= 3,
        "the fixtures in tests/fixtures/fuzz/bundles are found"
    );
    let case = dir.path().join("case.bundle");
    let mut rng = 0x5EED_u64;
    let (mut refused, mut imported) = (0, 0);
    for i in 0..400 {
        let seed = &corpus[i % corpus.len()];
        let other = &corpus[(i / corpus.len()) % corpus.len()];
        let bytes = mutate(&mut rng, seed, other);
        std::fs::write(&case, &bytes).expect("write case");
        let before = digest(&b);
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| import(&mut b, &case)));
        match outcome {
            Err(_) => panic!("case {i} panicked (seed {} bytes)", seed.len()),
            Ok(Err(e)) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
                assert_eq!(
                    digest(&b),
                    before,
                    "case {i} refused ({e}) but changed the database"
                );
            }
            Ok(Ok(_)) => imported += 1,
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "bounded: {:?}",
            started.elapsed()
        );
    }
    assert!(refused > 300, "refused {refused}, imported {imported}");
    let conn = rusqlite::Connection::open(b.path()).expect("open");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(ok, "ok");
}

/// #21 item 6 (the part done): a trusted peer's bundle carrying an op in the receiver's own
/// name that the receiver never made is refused (it was applied before, and the receiver's
/// next real op with that seq would have clashed with it).
#[test]
fn an_op_forged_in_the_receivers_name_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let id = add_resident(&mut a, "김하나", "010-1111-2222", "신림동");
    import(&mut b, &export(&a, None, true, &dir.path().join("1"))).expect("first");
    let b_id = b.site().id.clone();
    let next = b
        .held_seqs()
        .expect("seqs")
        .get(&b_id)
        .copied()
        .unwrap_or(0)
        + 1;
    let path = signed_by(
        &a,
        &dir.path().join("forged"),
        vec![phone_update(&b_id, next, 1 << 40, &id, "010-6666-6666")],
    );
    let before = digest(&b);
    let err = import(&mut b, &path).expect_err("refused");
    assert!(matches!(err, SyncError::ForgedOwnOp { .. }), "{err}");
    assert!(err.to_string().contains(&a.site().id), "{err}");
    assert_eq!(digest(&b), before);
    // B's own next edit takes that seq, and A still gets it.
    edit(&mut b, "residents", &id, "phone", "010-3333-3333");
    import(&mut a, &export(&b, None, false, &dir.path().join("2"))).expect("2");
    assert_eq!(
        field(&a, "residents", &id, "phone").as_deref(),
        Some("010-3333-3333")
    );
}
