//! Bundle files: round trips in every encryption mode, and refusal of every damaged,
//! foreign, or too-new bundle with a specific error (never a panic).

use age::secrecy::SecretString;
use dolbom::model::{Op, OpKind};
use dolbom::sync::bundle::{
    BundleError, BundleMeta, Decryption, Encryption, EncryptionKind, MAGIC, Manifest, open_bundle,
    read_bundle, write_bundle,
};
use dolbom::sync::keys::SiteKeys;
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The reader can move to a worker thread (TUI progress gauge).
const _: fn() = || {
    fn send<T: Send>() {}
    send::<dolbom::sync::bundle::BundleReader>();
};

const SCHEMA: u32 = 3;
/// Low scrypt work factor so passphrase tests take milliseconds.
const FAST_SCRYPT: u8 = 10;

/// A resident-like insert with eight fields.
fn resident_op(origin: &str, seq: i64) -> Op {
    let mut fields = BTreeMap::new();
    fields.insert("name".into(), json!(format!("김민수{}", seq % 977)));
    fields.insert(
        "birth_date".into(),
        json!(format!(
            "19{:02}-0{}-1{}",
            seq % 90 + 10,
            seq % 9 + 1,
            seq % 10
        )),
    );
    fields.insert("sex".into(), json!(if seq % 2 == 0 { "F" } else { "M" }));
    fields.insert(
        "phone".into(),
        json!(format!("010-{:04}-{:04}", seq % 9973, seq % 7919)),
    );
    fields.insert("sigungu".into(), json!("서울특별시 관악구"));
    fields.insert(
        "eupmyeondong".into(),
        json!(["신림동", "봉천동", "남현동"][(seq % 3) as usize]),
    );
    fields.insert(
        "address_detail".into(),
        json!(format!("{}길 {}", seq % 40 + 1, seq % 120 + 1)),
    );
    fields.insert(
        "household_id".into(),
        json!(format!(
            "0193a0c2-{:04x}-7000-8000-{:012x}",
            seq % 65536,
            seq
        )),
    );
    Op {
        origin: origin.to_owned(),
        seq,
        hlc: (1_732_000_000_000 + seq) << 16,
        table: if seq % 5 == 0 {
            "households"
        } else {
            "residents"
        }
        .to_owned(),
        row_id: format!("0193a0c2-0000-7000-8000-{seq:012x}"),
        kind: OpKind::Insert,
        fields,
    }
}

fn sample_ops(n: i64) -> Vec<Op> {
    let mut ops: Vec<Op> = (1..=n).map(|s| resident_op("site-a", s)).collect();
    // A relayed op from a third site, an update and a delete.
    let mut relayed = resident_op("site-c", 40);
    relayed.kind = OpKind::Update;
    relayed.fields.retain(|k, _| k == "phone");
    ops.push(relayed);
    let mut del = resident_op("site-c", 41);
    del.kind = OpKind::Delete;
    del.fields.clear();
    ops.push(del);
    ops
}

fn meta(schema: u32) -> BundleMeta {
    BundleMeta::new(schema, "site-a", "관악구 신림동 주민센터")
}

fn passphrase(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

fn fast_passphrase(text: &str) -> Encryption {
    Encryption::Passphrase {
        passphrase: passphrase(text),
        work_factor: Some(FAST_SCRYPT),
    }
}

fn write(dir: &Path, name: &str, keys: &SiteKeys, enc: &Encryption, ops: &[Op]) -> PathBuf {
    let path = dir.join(name);
    write_bundle(&path, meta(SCHEMA), ops, keys.signing_key(), enc).expect("write bundle");
    path
}

fn read(path: &Path, dec: &Decryption) -> Result<(Manifest, Vec<Op>), BundleError> {
    read_bundle(path, dec, SCHEMA, None).map(|(m, _, ops)| (m, ops))
}

/// True for every error that says precisely why a damaged bundle was refused.
fn is_refusal(e: &BundleError) -> bool {
    !matches!(e, BundleError::Io { .. } | BundleError::Encrypt { .. })
}

#[test]
fn plain_round_trip_keeps_every_op_and_describes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let ops = sample_ops(50);
    let path = write(dir.path(), "a.dolbom", &keys, &Encryption::Plain, &ops);

    let (manifest, signer, back) = read_bundle(
        &path,
        &Decryption::None,
        SCHEMA,
        Some(&keys.verifying_key()),
    )
    .expect("read");
    assert_eq!(back, ops);
    assert_eq!(signer, keys.verifying_key());
    assert_eq!(manifest.encryption, EncryptionKind::Plain);
    assert_eq!(manifest.op_count, 52);
    assert_eq!(manifest.schema_version, SCHEMA);
    assert_eq!(manifest.origin_name, "관악구 신림동 주민센터");
    assert_eq!(manifest.seq_ranges["site-a"], [1, 50]);
    assert_eq!(manifest.seq_ranges["site-c"], [40, 41]);
    assert_eq!(manifest.table_counts["households"], 11);
    assert_eq!(manifest.table_counts["residents"], 41);
    assert_eq!(manifest.signer, keys.verifying_key_string());

    // Only the bundle is left: no temp file.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("a.dolbom")]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn empty_bundle_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let path = write(dir.path(), "empty.dolbom", &keys, &Encryption::Plain, &[]);
    let (manifest, ops) = read(&path, &Decryption::None).expect("read");
    assert!(ops.is_empty());
    assert_eq!(manifest.op_count, 0);
}

#[test]
fn rewriting_replaces_the_old_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    write(
        dir.path(),
        "b.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(5),
    );
    let path = write(
        dir.path(),
        "b.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(9),
    );
    assert_eq!(read(&path, &Decryption::None).expect("read").1.len(), 11);
}

#[test]
fn passphrase_round_trip_and_refusals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let ops = sample_ops(20);
    let path = write(
        dir.path(),
        "p.dolbom",
        &keys,
        &fast_passphrase("봄날 2025!"),
        &ops,
    );

    let bytes = std::fs::read(&path).expect("read file");
    assert!(
        !bytes.windows(6).any(|w| w == b"site-a"),
        "manifest must be encrypted"
    );

    let (manifest, back) =
        read(&path, &Decryption::Passphrase(passphrase("봄날 2025!"))).expect("read");
    assert_eq!(back, ops);
    assert_eq!(manifest.encryption, EncryptionKind::Passphrase);

    let wrong = read(&path, &Decryption::Passphrase(passphrase("봄날 2024!")));
    assert!(
        matches!(wrong, Err(BundleError::WrongPassphrase { .. })),
        "{wrong:?}"
    );
    let none = read(&path, &Decryption::None);
    assert!(
        matches!(none, Err(BundleError::PassphraseRequired { .. })),
        "{none:?}"
    );
    let key = read(
        &path,
        &Decryption::Identities(vec![keys.age_identity().clone()]),
    );
    assert!(
        matches!(key, Err(BundleError::PassphraseRequired { .. })),
        "{key:?}"
    );
}

#[test]
fn recipients_round_trip_for_each_recipient_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let me = SiteKeys::generate();
    let (b, c, outsider) = (
        SiteKeys::generate(),
        SiteKeys::generate(),
        SiteKeys::generate(),
    );
    let ops = sample_ops(30);
    let enc = Encryption::Recipients(vec![b.recipient(), c.recipient()]);
    let path = write(dir.path(), "r.dolbom", &me, &enc, &ops);

    for reader in [&b, &c] {
        let dec = Decryption::Identities(vec![
            outsider.age_identity().clone(),
            reader.age_identity().clone(),
        ]);
        let (manifest, back) = read(&path, &dec).expect("read");
        assert_eq!(back, ops);
        assert_eq!(manifest.encryption, EncryptionKind::Recipients);
    }
    let other = read(
        &path,
        &Decryption::Identities(vec![outsider.age_identity().clone()]),
    );
    assert!(
        matches!(other, Err(BundleError::NoMatchingIdentity { .. })),
        "{other:?}"
    );
    let none = read(&path, &Decryption::None);
    assert!(
        matches!(none, Err(BundleError::IdentityRequired { .. })),
        "{none:?}"
    );
    let pass = read(&path, &Decryption::Passphrase(passphrase("x")));
    assert!(
        matches!(pass, Err(BundleError::IdentityRequired { .. })),
        "{pass:?}"
    );
}

#[test]
fn encryption_setup_errors_leave_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let path = dir.path().join("x.dolbom");
    let none = write_bundle(
        &path,
        meta(SCHEMA),
        sample_ops(3),
        keys.signing_key(),
        &Encryption::Recipients(vec![]),
    );
    assert!(matches!(none, Err(BundleError::Encrypt { .. })), "{none:?}");
    let bad = Encryption::Passphrase {
        passphrase: passphrase("x"),
        work_factor: Some(0),
    };
    let bad = write_bundle(&path, meta(SCHEMA), sample_ops(3), keys.signing_key(), &bad);
    assert!(matches!(bad, Err(BundleError::Encrypt { .. })), "{bad:?}");
    let missing = dir.path().join("no/such/dir/x.dolbom");
    let io = write_bundle(
        &missing,
        meta(SCHEMA),
        sample_ops(3),
        keys.signing_key(),
        &Encryption::Plain,
    );
    assert!(matches!(io, Err(BundleError::Io { .. })), "{io:?}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
}

#[test]
fn unexpected_signer_is_refused_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (SiteKeys::generate(), SiteKeys::generate());
    let path = write(
        dir.path(),
        "s.dolbom",
        &b,
        &Encryption::Plain,
        &sample_ops(5),
    );
    let got = read_bundle(&path, &Decryption::None, SCHEMA, Some(&a.verifying_key()));
    match got {
        Err(e @ BundleError::UnexpectedSigner { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains(&b.verifying_key_string()), "{msg}");
            assert!(msg.contains("s.dolbom"), "{msg}");
        }
        other => panic!("expected UnexpectedSigner, got {other:?}"),
    }
}

#[test]
fn altered_manifest_fails_the_signature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let path = write(
        dir.path(),
        "m.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(5),
    );
    let mut bytes = std::fs::read(&path).expect("read");
    // Same length, still valid JSON: claim another origin site.
    let at = find(&bytes, b"\"origin_site\":\"site-a\"").expect("origin in manifest");
    let end = at + b"\"origin_site\":\"site-".len();
    bytes[end] = b'b';
    std::fs::write(&path, &bytes).expect("write");
    let got = read(&path, &Decryption::None);
    assert!(
        matches!(got, Err(BundleError::BadSignature { .. })),
        "{got:?}"
    );
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let path = dir.path().join("n.dolbom");
    write_bundle(
        &path,
        meta(SCHEMA + 1),
        sample_ops(3),
        keys.signing_key(),
        &Encryption::Plain,
    )
    .expect("write");
    match read(&path, &Decryption::None) {
        Err(
            e @ BundleError::NewerSchema {
                found, supported, ..
            },
        ) => {
            assert_eq!((found, supported), (SCHEMA + 1, SCHEMA));
            assert!(e.to_string().contains("n.dolbom"));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    // An older schema is fine.
    assert!(read_bundle(&path, &Decryption::None, SCHEMA + 2, None).is_ok());
}

#[test]
fn other_files_and_future_formats_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let csv = dir.path().join("residents.csv");
    std::fs::write(&csv, "이름,생년월일\n김민수,1950-01-01\n").expect("write");
    let got = read(&csv, &Decryption::None);
    assert!(
        matches!(got, Err(BundleError::NotABundle { .. })),
        "{got:?}"
    );

    let path = write(
        dir.path(),
        "f.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(3),
    );
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[8] = 2;
    std::fs::write(&path, &bytes).expect("write");
    let got = read(&path, &Decryption::None);
    assert!(
        matches!(got, Err(BundleError::UnsupportedFormat { found: 2, .. })),
        "{got:?}"
    );

    let gone = read(&dir.path().join("missing.dolbom"), &Decryption::None);
    assert!(matches!(gone, Err(BundleError::Io { .. })), "{gone:?}");
}

/// Every mode, every cut point class: inside the magic, the header, the manifest, the payload,
/// and the last byte.
#[test]
fn truncated_bundles_are_refused_as_truncated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let peer = SiteKeys::generate();
    let modes = [
        ("plain", Encryption::Plain, Decryption::None),
        (
            "pass",
            fast_passphrase("pw"),
            Decryption::Passphrase(passphrase("pw")),
        ),
        (
            "keys",
            Encryption::Recipients(vec![peer.recipient()]),
            Decryption::Identities(vec![peer.age_identity().clone()]),
        ),
    ];
    for (name, enc, dec) in &modes {
        let path = write(dir.path(), name, &keys, enc, &sample_ops(200));
        let full = std::fs::read(&path).expect("read");
        assert!(read(&path, dec).is_ok());
        let len = full.len();
        for cut in [0, 3, 8, 17, 18, 40, 200, len / 2, len - 100, len - 1] {
            let cut_path = dir.path().join(format!("{name}-cut-{cut}"));
            std::fs::write(&cut_path, &full[..cut]).expect("write");
            let got = read(&cut_path, dec);
            assert!(
                matches!(got, Err(BundleError::Truncated { .. })),
                "{name} cut at {cut}/{len}: {got:?}"
            );
        }
        // Bytes appended after the end are refused too.
        let mut longer = full.clone();
        longer.extend_from_slice(b"junk");
        let long_path = dir.path().join(format!("{name}-long"));
        std::fs::write(&long_path, &longer).expect("write");
        let got = read(&long_path, dec);
        assert!(
            matches!(got, Err(BundleError::Corrupt { .. })),
            "{name} appended: {got:?}"
        );
    }
}

/// One byte flipped anywhere in a plain or key-encrypted bundle, and at sampled positions in a
/// passphrase bundle: always refused with a specific error.
#[test]
fn every_flipped_byte_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let peer = SiteKeys::generate();
    let modes = [
        ("plain", Encryption::Plain, Decryption::None, 1),
        (
            "keys",
            Encryption::Recipients(vec![peer.recipient()]),
            Decryption::Identities(vec![peer.age_identity().clone()]),
            3,
        ),
        (
            "pass",
            fast_passphrase("pw"),
            Decryption::Passphrase(passphrase("pw")),
            37,
        ),
    ];
    for (name, enc, dec, step) in &modes {
        let path = write(dir.path(), name, &keys, enc, &sample_ops(6));
        let full = std::fs::read(&path).expect("read");
        let flipped = dir.path().join(format!("{name}-flipped"));
        let mut kinds = BTreeMap::new();
        let started = std::time::Instant::now();
        for pos in (0..full.len()).step_by(*step) {
            // Alternate a low and a high bit (file writes dominate the test's time).
            let mask = if pos % 2 == 0 { 0x01u8 } else { 0x80 };
            let mut bytes = full.clone();
            bytes[pos] ^= mask;
            std::fs::write(&flipped, &bytes).expect("write");
            match read(&flipped, dec) {
                Ok(_) => panic!("{name}: flip at {pos} (mask {mask:#x}) accepted"),
                Err(e) => {
                    assert!(is_refusal(&e), "{name}: flip at {pos}: {e:?}");
                    *kinds.entry(variant(&e)).or_insert(0) += 1;
                }
            }
        }
        eprintln!(
            "{name}: {} bytes, refusals by kind {kinds:?} in {:?}",
            full.len(),
            started.elapsed()
        );
    }
}

fn variant(e: &BundleError) -> String {
    format!("{e:?}")
        .split([' ', '{'])
        .next()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn payload_flip_in_plain_bundle_is_tampered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let path = write(
        dir.path(),
        "t.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(100),
    );
    let mut bytes = std::fs::read(&path).expect("read");
    let last = bytes.len() - 10;
    bytes[last] ^= 0x20;
    std::fs::write(&path, &bytes).expect("write");
    let got = read(&path, &Decryption::None);
    assert!(matches!(got, Err(BundleError::Tampered { .. })), "{got:?}");
}

/// A bundle signed by its real key whose manifest disagrees with its payload (a buggy or
/// malicious writer) is refused after the last op.
#[test]
fn signed_but_inconsistent_bundles_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let path = write(
        dir.path(),
        "c.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(10),
    );

    forge(&path, &keys, |m, _| m.op_count += 1);
    let got = read(&path, &Decryption::None);
    assert!(
        matches!(got, Err(BundleError::CountMismatch { .. })),
        "{got:?}"
    );

    let path = write(
        dir.path(),
        "d.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(10),
    );
    forge(&path, &keys, |m, _| {
        m.seq_ranges.insert("site-a".into(), [1, 11]);
    });
    let got = read(&path, &Decryption::None);
    assert!(
        matches!(got, Err(BundleError::CountMismatch { .. })),
        "{got:?}"
    );

    let path = write(
        dir.path(),
        "e.dolbom",
        &keys,
        &Encryption::Plain,
        &sample_ops(10),
    );
    forge(&path, &keys, |_, payload| {
        *payload = zstd::encode_all(&b"{\"not\":\"an op\"}\n"[..], 3).expect("zstd");
    });
    let got = read(&path, &Decryption::None);
    assert!(matches!(got, Err(BundleError::Corrupt { .. })), "{got:?}");
}

#[test]
fn streaming_reader_shows_manifest_first_and_reports_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let ops = sample_ops(500);
    let path = write(dir.path(), "s.dolbom", &keys, &Encryption::Plain, &ops);
    let mut reader = open_bundle(&path, &Decryption::None, SCHEMA, None).expect("open");
    assert_eq!(reader.manifest().op_count, 502);
    assert_eq!(reader.progress().0, 0);
    let first = reader.next().expect("one op").expect("valid");
    assert_eq!(first, ops[0]);
    let rest: Result<Vec<_>, _> = reader.by_ref().collect();
    assert_eq!(rest.expect("valid").len(), 501);
    let (done, total) = reader.progress();
    assert_eq!(done, total);
    assert!(reader.next().is_none());
}

#[test]
fn errors_name_the_file_in_korean_and_english() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("보건소-1125.dolbom");
    std::fs::write(&path, b"DOLB").expect("write");
    let e = read(&path, &Decryption::None).expect_err("truncated");
    let msg = e.to_string();
    assert!(msg.contains("보건소-1125.dolbom"), "{msg}");
    assert!(msg.contains("잘려"), "{msg}");
    assert!(msg.contains("truncated"), "{msg}");
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Rewrites a plain bundle with an edited manifest and payload, re-signed by `keys`, with the
/// payload checksum and header length kept consistent.
fn forge(path: &Path, keys: &SiteKeys, edit: impl FnOnce(&mut Manifest, &mut Vec<u8>)) {
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

/// A plain and a key-encrypted bundle (bytes) and the keys that made and open them, built once.
fn small_bundles() -> &'static (Vec<u8>, Vec<u8>, SiteKeys) {
    static BUNDLES: std::sync::OnceLock<(Vec<u8>, Vec<u8>, SiteKeys)> = std::sync::OnceLock::new();
    BUNDLES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = SiteKeys::generate();
        let plain = write(
            dir.path(),
            "plain",
            &keys,
            &Encryption::Plain,
            &sample_ops(8),
        );
        let sealed = write(
            dir.path(),
            "sealed",
            &keys,
            &Encryption::Recipients(vec![keys.recipient()]),
            &sample_ops(8),
        );
        (
            std::fs::read(plain).expect("read"),
            std::fs::read(sealed).expect("read"),
            keys,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary bytes, bare or behind a valid-looking header, never panic and never pass.
    #[test]
    fn random_bytes_are_refused(body in prop::collection::vec(any::<u8>(), 0..2048), mode in prop::sample::select(vec![b'P', b'A', b'X']), with_header in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = Vec::new();
        if with_header {
            bytes.extend_from_slice(MAGIC);
            bytes.extend_from_slice(&[1, mode]);
            bytes.extend_from_slice(&((18 + body.len()) as u64).to_le_bytes());
        }
        bytes.extend_from_slice(&body);
        let path = dir.path().join("random");
        std::fs::write(&path, &bytes).expect("write");
        let keys = SiteKeys::generate();
        for dec in [Decryption::None, Decryption::Identities(vec![keys.age_identity().clone()])] {
            let got = read(&path, &dec);
            prop_assert!(got.is_err());
        }
    }

    /// Random multi-byte damage to real bundles is refused (or is a no-op), never a panic.
    #[test]
    fn damaged_bundles_are_refused(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6), sealed in any::<bool>()) {
        let (plain_bytes, sealed_bytes, keys) = small_bundles();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut bytes = if sealed { sealed_bytes.clone() } else { plain_bytes.clone() };
        let original = bytes.clone();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let path = dir.path().join("damaged");
        std::fs::write(&path, &bytes).expect("write");
        let dec = Decryption::Identities(vec![keys.age_identity().clone()]);
        match read(&path, &dec) {
            Ok(_) => prop_assert_eq!(bytes, original),
            Err(e) => prop_assert!(is_refusal(&e), "{:?}", e),
        }
    }
}

/// splitmix64: a tiny deterministic generator for realistic-looking measurement data.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A resident insert with random UUIDv7-like ids, names, phones and addresses (so compression
/// is not flattered by sequential data).
fn random_resident_op(rng: &mut u64, seq: i64) -> Op {
    const FAMILY: [&str; 8] = ["김", "이", "박", "최", "정", "강", "조", "윤"];
    const GIVEN: [&str; 12] = [
        "민", "수", "영", "희", "준", "서", "지", "현", "숙", "철", "순", "자",
    ];
    let mut pick = |n: usize| (splitmix(rng) % n as u64) as usize;
    let name = format!("{}{}{}", FAMILY[pick(8)], GIVEN[pick(12)], GIVEN[pick(12)]);
    let birth = format!(
        "19{:02}-{:02}-{:02}",
        30 + pick(70),
        1 + pick(12),
        1 + pick(28)
    );
    let sex = if pick(2) == 0 { "F" } else { "M" };
    let dong = ["신림동", "봉천동", "남현동", "서원동", "난향동"][pick(5)];
    let detail = format!(
        "{}길 {}, {}호",
        1 + pick(60),
        1 + pick(200),
        101 + pick(900)
    );
    let mut uuid = |ms: i64| {
        let (a, b) = (splitmix(rng), splitmix(rng));
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            ms >> 16,
            ms & 0xffff,
            a & 0xfff,
            0x8000 | (a >> 16) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    };
    let ms = 1_732_000_000_000 + seq * 37;
    let row_id = uuid(ms);
    let household = uuid(ms - 5);
    let phone = format!(
        "010-{:04}-{:04}",
        splitmix(rng) % 10_000,
        splitmix(rng) % 10_000
    );
    let mut fields = BTreeMap::new();
    fields.insert("name".into(), json!(name));
    fields.insert("birth_date".into(), json!(birth));
    fields.insert("sex".into(), json!(sex));
    fields.insert("phone".into(), json!(phone));
    fields.insert("sigungu".into(), json!("서울특별시 관악구"));
    fields.insert("eupmyeondong".into(), json!(dong));
    fields.insert("address_detail".into(), json!(detail));
    fields.insert("household_id".into(), json!(household));
    Op {
        origin: "0193a0c2-5f1e-7c3a-9d2b-4e6f8a1b2c3d".to_owned(),
        seq,
        hlc: ms << 16,
        table: "residents".to_owned(),
        row_id,
        kind: OpKind::Insert,
        fields,
    }
}

/// Throughput of 1M resident-like inserts. Run (optimised; `--release` works too):
/// `cargo test --release --test it -- --ignored --nocapture sync_bundle::measure`
#[test]
#[ignore]
fn measure_million_ops() {
    use std::time::Instant;
    let n: i64 = 1_000_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = SiteKeys::generate();
    let peer = SiteKeys::generate();
    let mut rng = 7u64;
    let t = Instant::now();
    let ops: Vec<Op> = (1..=n).map(|s| random_resident_op(&mut rng, s)).collect();
    eprintln!(
        "generated {n} ops in {:.2} s (not counted below)",
        t.elapsed().as_secs_f64()
    );
    let json_len: usize = ops[..1000]
        .iter()
        .map(|op| serde_json::to_vec(op).map_or(0, |v| v.len() + 1))
        .sum();
    eprintln!("uncompressed JSON line ≈ {} bytes/op", json_len / 1000);
    let cases = [
        ("plain", Encryption::Plain, Decryption::None),
        (
            "age-x25519",
            Encryption::Recipients(vec![peer.recipient()]),
            Decryption::Identities(vec![peer.age_identity().clone()]),
        ),
    ];
    for (name, enc, dec) in &cases {
        let path = dir.path().join(name);
        let t = Instant::now();
        let info = write_bundle(&path, meta(SCHEMA), &ops, keys.signing_key(), enc).expect("write");
        let write_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let reader = open_bundle(&path, dec, SCHEMA, Some(&keys.verifying_key())).expect("open");
        let mut count = 0u64;
        for op in reader {
            op.expect("valid op");
            count += 1;
        }
        let read_s = t.elapsed().as_secs_f64();
        assert_eq!(count, n as u64);
        eprintln!(
            "{name}: write {:.0} ops/s ({write_s:.2} s), read {:.0} ops/s ({read_s:.2} s), {} bytes = {:.1} bytes/op",
            n as f64 / write_s,
            n as f64 / read_s,
            info.file_len,
            info.file_len as f64 / n as f64
        );
    }
}

/// A passphrase bundle made the ordinary way (CLI, TUI) uses scrypt N = 2^18 (256 MiB), not
/// age's calibration to the sender's machine, which chose 2^20 (1 GiB) on a fast one.
#[test]
fn passphrase_bundles_use_a_fixed_moderate_work_factor() {
    let dir = tempfile::tempdir().expect("dir");
    let keys = SiteKeys::generate();
    let enc = Encryption::passphrase(passphrase("열쇠 문장 1234"));
    let path = write(dir.path(), "p.bundle", &keys, &enc, &sample_ops(3));
    let bytes = std::fs::read(&path).expect("read");
    let text = String::from_utf8_lossy(&bytes);
    let stanza = text
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .expect("an age scrypt stanza");
    assert_eq!(
        stanza.rsplit(' ').next(),
        Some(
            dolbom::sync::bundle::PASSPHRASE_WORK_FACTOR
                .to_string()
                .as_str()
        )
    );
    assert_eq!(dolbom::sync::bundle::PASSPHRASE_WORK_FACTOR, 18);
    let (_, ops) =
        read(&path, &Decryption::Passphrase(passphrase("열쇠 문장 1234"))).expect("opens");
    assert_eq!(ops, sample_ops(3));
}
