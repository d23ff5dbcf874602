//! Encrypted databases through the store (#13 items 1, 2, 4): a new database is encrypted with
//! a key slot in `<db>.keys`; personal data is absent from the file, its WAL, the backups made
//! before a migration and the slot file; a wrong passphrase, no passphrase, a missing, damaged
//! or swapped slot file each get a clear message and leave the database byte-for-byte as it was.

use crate::common::paper::t;
use dolbom::crypto::engine::{FileKind, file_kind};
use dolbom::crypto::{KdfParams, KeySlots, Passphrase};
use dolbom::store::{OpenOptions, Store, StoreError, Val, slots_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const NAME: &str = "홍길순";
pub const PHONE: &str = "010-4417-2958";
pub const NOTE: &str = "가정 내 갈등으로 위기 상담 요청 ENCNOTE-93c1";
pub const PASS: &str = "봄날 햇살 2026!";

/// Options that unlock (or create) an encrypted database as `operator`, with the fast test KDF.
pub fn enc_opts(operator: &str, passphrase: &str) -> OpenOptions {
    let mut o = OpenOptions::new(operator).with_passphrase(passphrase);
    o.kdf = KdfParams::INSECURE_FAST;
    o
}

/// Writes a resident (name, phone), a case and a note, plus filler over several pages.
pub fn write_personal_data(store: &mut Store) {
    let mut tx = store.write().expect("tx");
    tx.insert(
        "residents",
        "R1",
        &[
            ("name", t(NAME)),
            ("birth_date", t("1951-04-09")),
            ("phone", t(PHONE)),
            ("sigungu", t("서울특별시 관악구")),
            ("dong", t("신림동")),
        ],
    )
    .expect("resident");
    tx.insert(
        "cases",
        "C1",
        &[
            ("resident_id", t("R1")),
            ("worker", t("박지현")),
            ("stage", t("intake")),
            ("opened_on", t("2026-03-02")),
            ("last_activity", t("2026-03-02 10:00")),
        ],
    )
    .expect("case");
    tx.insert(
        "entries",
        "E1",
        &[
            ("case_id", t("C1")),
            ("kind", t("memo")),
            ("author", t("박지현")),
            ("at", t("2026-03-02 10:00")),
            ("body", t(NOTE)),
            ("voids", Val::Int(0)),
        ],
    )
    .expect("entry");
    for i in 0..300 {
        tx.insert(
            "residents",
            &format!("F{i}"),
            &[
                ("name", t(&format!("주민{i}"))),
                ("phone", t(&format!("010-0000-{i:04}"))),
                ("sigungu", t("서울특별시 관악구")),
                ("dong", t("봉천동")),
            ],
        )
        .expect("filler");
    }
    tx.commit().expect("commit");
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every file in the folder whose name starts with `prefix`, and its bytes.
pub fn snapshot(dir: &Path, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

/// No file beside the database holds the secrets; returns how many files were looked at.
pub fn assert_no_secrets(dir: &Path) -> usize {
    let files = snapshot(dir, "");
    for (name, bytes) in &files {
        for secret in [NAME, PHONE, NOTE, "residents", "박지현"] {
            assert!(!contains(bytes, secret), "{secret:?} readable in {name}");
        }
    }
    files.len()
}

fn new_encrypted(dir: &Path) -> PathBuf {
    let path = dir.join("enc.db");
    let mut store = Store::open(&path, &enc_opts("관리자", PASS)).expect("create");
    write_personal_data(&mut store);
    path
}

#[test]
fn a_new_encrypted_database_and_its_wal_hold_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enc.db");
    let mut store = Store::open(&path, &enc_opts("관리자", PASS)).expect("create");
    assert!(store.is_encrypted());
    write_personal_data(&mut store);
    // The writes sit in the WAL while the store is open.
    let wal = dir.path().join("enc.db-wal");
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0,
        "no WAL"
    );
    assert!(
        assert_no_secrets(dir.path()) >= 3,
        "db, WAL and slot file looked at"
    );
    // The background index reads through a keyed connection too.
    let ix = dolbom::search::residents::ResidentIndex::load(store.file()).expect("index");
    assert_eq!(ix.len(), 301);
    drop(store);
    assert_eq!(file_kind(&path).unwrap(), FileKind::Encrypted);
    assert_no_secrets(dir.path());
    let slots = KeySlots::load(&slots_path(&path)).expect("slots");
    assert_eq!(slots.operators().collect::<Vec<_>>(), ["관리자"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(slots_path(&path))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "slot file private");
    }
    let store = Store::open(&path, &enc_opts("관리자", PASS)).expect("reopen");
    assert_eq!(store.counts().unwrap().residents, 301);
    assert_eq!(store.operator(), "관리자");
}

#[test]
fn a_backup_before_a_migration_is_encrypted_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_encrypted(dir.path());
    // Pretend the file is one schema version older: the next open backs it up, then re-runs
    // the last migration's bookkeeping (user_version only; the tables are there already).
    let key_store = Store::open(&path, &enc_opts("관리자", PASS)).expect("open");
    let file = key_store.file();
    drop(key_store);
    dolbom::store::cipher::with_connection(&file, |conn| {
        let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        conn.pragma_update(None, "user_version", v - 1)
    })
    .expect("downgrade");
    let v = dolbom::store::schema::CURRENT_VERSION - 1;
    // Re-running the last migration may fail on tables that exist; the backup is made first.
    let _ = Store::open(&path, &enc_opts("관리자", PASS));
    let bak = dir.path().join(format!("enc.db.bak-v{v}"));
    assert!(bak.exists(), "backup made");
    assert_eq!(file_kind(&bak).unwrap(), FileKind::Encrypted);
    assert_no_secrets(dir.path());
}

#[test]
fn a_wrong_passphrase_no_passphrase_or_unknown_operator_leave_the_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_encrypted(dir.path());
    let before = snapshot(dir.path(), "enc.db");
    let err = Store::open(&path, &enc_opts("관리자", "틀린 암호입니다"))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("암호가 틀렸습니다") && msg.contains("enc.db"),
        "{msg}"
    );
    let err = Store::open(&path, &OpenOptions::new("관리자"))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("암호가 필요합니다"), "{err}");
    let err = Store::open(&path, &enc_opts("누구", PASS))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::UnknownOperator { .. }), "{err}");
    assert!(err.to_string().contains("enc.db.keys"), "{err}");
    let mut after = snapshot(dir.path(), "enc.db");
    let failed = after.remove("enc.db.keys-failed").expect("failure counted");
    assert_eq!(String::from_utf8_lossy(&failed).lines().count(), 1);
    assert_eq!(
        before, after,
        "database and slot file byte-for-byte unchanged"
    );
    // The failure is audited at the next unlock, and the count cleared.
    let store = Store::open(&path, &enc_opts("관리자", PASS)).expect("unlock");
    let rows = store.audit_rows(&Default::default()).expect("audit");
    assert!(
        rows.iter()
            .any(|r| r.action == "거부" && r.subject == "login:관리자"),
        "{rows:?}"
    );
    assert!(!dolbom::store::failures_path(&path).exists());
}

#[test]
fn a_missing_damaged_or_swapped_slot_file_is_named_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_encrypted(dir.path());
    let keys = slots_path(&path);
    let good = std::fs::read(&keys).unwrap();
    let db_before = std::fs::read(&path).unwrap();

    std::fs::remove_file(&keys).unwrap();
    let err = Store::open(&path, &enc_opts("관리자", PASS))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::SlotFileMissing { .. }), "{err}");
    assert!(err.to_string().contains("enc.db.keys"), "{err}");
    assert!(err.to_string().contains("키 슬롯 파일이 없습니다"), "{err}");

    std::fs::write(&keys, b"{ not json").unwrap();
    let err = Store::open(&path, &enc_opts("관리자", PASS))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::SlotFileDamaged { .. }), "{err}");
    assert!(err.to_string().contains("손상"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), db_before);

    // An older copy of the slot file (one that still holds a removed operator) is noticed.
    std::fs::write(&keys, &good).unwrap();
    let store = Store::open(&path, &enc_opts("관리자", PASS)).expect("open");
    let kim = Passphrase::new("김주무관의 암호");
    store
        .add_key_slot("김주무관", &kim, KdfParams::INSECURE_FAST)
        .expect("add");
    let with_kim = std::fs::read(&keys).unwrap();
    store.remove_key_slot("김주무관").expect("remove");
    drop(store);
    std::fs::write(&keys, &with_kim).unwrap();
    let db_before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, &enc_opts("김주무관", kim.as_str()))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::SlotsReplaced { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), db_before);
    // A slot file from another database does not open this one.
    let other = dir.path().join("other.db");
    drop(Store::open(&other, &enc_opts("관리자", PASS)).expect("other"));
    std::fs::copy(slots_path(&other), &keys).unwrap();
    let err = Store::open(&path, &enc_opts("관리자", PASS))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::KeyMismatch { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), db_before);
}

#[test]
fn slots_added_changed_and_removed_control_who_unlocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_encrypted(dir.path());
    let store = Store::open(&path, &enc_opts("관리자", PASS)).expect("open");
    let kim = Passphrase::new("김주무관의 암호");
    store
        .add_key_slot(" 김주무관", &kim, KdfParams::INSECURE_FAST)
        .expect("add");
    drop(store);
    let store = Store::open(&path, &enc_opts("김주무관", kim.as_str())).expect("kim");
    assert_eq!(store.operator(), "김주무관");
    let new = Passphrase::new("새로 바꾼 암호 123");
    store
        .set_key_passphrase("김주무관", &new, KdfParams::INSECURE_FAST)
        .expect("passwd");
    drop(store);
    assert!(Store::open(&path, &enc_opts("김주무관", kim.as_str())).is_err());
    let store = Store::open(&path, &enc_opts("김주무관", new.as_str())).expect("new pass");
    store.remove_key_slot("김주무관").expect("disable");
    drop(store);
    let err = Store::open(&path, &enc_opts("김주무관", new.as_str()))
        .err()
        .expect("revoked");
    assert!(matches!(err, StoreError::UnknownOperator { .. }), "{err}");
}

#[test]
fn rekey_gives_a_new_key_and_the_old_slot_file_no_longer_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_encrypted(dir.path());
    let old_keys = std::fs::read(slots_path(&path)).unwrap();
    let mut store = Store::open(&path, &enc_opts("관리자", PASS)).expect("open");
    store
        .rekey(|key| {
            let mut slots =
                KeySlots::create("임시", "임시 암호 12345", KdfParams::INSECURE_FAST)?.0;
            slots.add_slot(key, "관리자", PASS, KdfParams::INSECURE_FAST)?;
            slots.remove_slot("임시")?;
            Ok(slots)
        })
        .expect("rekey");
    drop(store);
    let store = Store::open(&path, &enc_opts("관리자", PASS)).expect("after rekey");
    assert_eq!(store.counts().unwrap().residents, 301);
    drop(store);
    std::fs::write(slots_path(&path), old_keys).unwrap();
    let err = Store::open(&path, &enc_opts("관리자", PASS))
        .err()
        .expect("old key");
    assert!(matches!(err, StoreError::KeyMismatch { .. }), "{err}");
    assert_no_secrets(dir.path());
}

#[test]
fn a_rekey_killed_before_renaming_its_slot_file_is_finished_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_encrypted(dir.path());
    let keys = slots_path(&path);
    let old_keys = std::fs::read(&keys).unwrap();
    let mut store = Store::open(&path, &enc_opts("관리자", PASS)).expect("open");
    store
        .rekey(|key| KeySlots::with_key(key, "관리자", PASS, KdfParams::INSECURE_FAST))
        .expect("rekey");
    drop(store);
    // The state a kill leaves after the database was re-encrypted, before the rename.
    let next = dir.path().join("enc.db.keys.new");
    std::fs::rename(&keys, &next).unwrap();
    std::fs::write(&keys, &old_keys).unwrap();
    let store = Store::open(&path, &enc_opts("관리자", PASS)).expect("recovered");
    assert_eq!(store.counts().unwrap().residents, 301);
    assert!(!next.exists());
    drop(store);
    // A kill before re-encrypting leaves a stale `.keys.new`: the old file still opens.
    std::fs::write(&next, b"stale").unwrap();
    drop(Store::open(&path, &enc_opts("관리자", PASS)).expect("old slots"));
    assert!(!next.exists(), "stale new slot file removed");
}

#[test]
fn a_text_file_without_slots_is_still_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "이름,전화\n").unwrap();
    let err = Store::open(&path, &enc_opts("관리자", PASS))
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
}

#[test]
fn login_delay_grows_from_the_third_failure() {
    use dolbom::crypto::login_delay;
    use std::time::Duration;
    assert_eq!(login_delay(0), Duration::ZERO);
    assert_eq!(login_delay(2), Duration::ZERO);
    assert_eq!(login_delay(3), Duration::from_secs(1));
    assert_eq!(login_delay(4), Duration::from_secs(2));
    assert_eq!(login_delay(5), Duration::from_secs(4));
    assert_eq!(login_delay(50), Duration::from_secs(30));
}

/// Figures for the closing note of #13 (not a check): open + unlock beyond argon2id, argon2id
/// itself, the search index load and demo generation, plain against encrypted.
/// `DOLBOM_FIGURES_RESIDENTS=10000 cargo test --test it encryption::figures -- --ignored --nocapture`
/// (the test profile: the crate at opt-level 0, dependencies, SQLite/sqlite3mc and argon2 at 2).
#[test]
#[ignore]
fn figures() {
    use dolbom::search::residents::ResidentIndex;
    use std::time::{Duration, Instant};
    fn median(mut v: Vec<Duration>) -> Duration {
        v.sort();
        v[v.len() / 2]
    }
    let n: usize = std::env::var("DOLBOM_FIGURES_RESIDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/crypt-figures");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    // argon2id at the default cost.
    let (slots, _) = KeySlots::create("관리자", PASS, KdfParams::DEFAULT).unwrap();
    let argon = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                slots.unlock("관리자", PASS).unwrap();
                t.elapsed()
            })
            .collect(),
    );
    let (fast, _) = KeySlots::create("관리자", PASS, KdfParams::INSECURE_FAST).unwrap();
    let argon_fast = median(
        (0..21)
            .map(|_| {
                let t = Instant::now();
                fast.unlock("관리자", PASS).unwrap();
                t.elapsed()
            })
            .collect(),
    );
    println!("argon2id m=64MiB t=3 p=1 unlock: median {argon:?} (5 runs)");
    let mut report = Vec::new();
    for (label, opts) in [
        ("plain", OpenOptions::new("관리자")),
        ("encrypted", enc_opts("관리자", PASS)),
    ] {
        let path = root.join(format!("{label}.db"));
        let mut store = Store::open(&path, &opts).unwrap();
        let t = Instant::now();
        dolbom::demo::generate(
            &mut store,
            &dolbom::demo::DemoOptions {
                residents: n,
                seed: 1,
            },
            &mut |_, _| {},
        )
        .unwrap();
        let gen_time = t.elapsed();
        drop(store);
        let open = median(
            (0..21)
                .map(|_| {
                    let t = Instant::now();
                    drop(Store::open(&path, &opts).unwrap());
                    t.elapsed()
                })
                .collect(),
        );
        let store = Store::open(&path, &opts).unwrap();
        let load = median(
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    ResidentIndex::load(store.file()).unwrap();
                    t.elapsed()
                })
                .collect(),
        );
        let size = std::fs::metadata(&path).unwrap().len();
        println!(
            "{label:<9} {n} residents: demo generate {gen_time:?}; open {open:?} (median of 21); index load {load:?} (median of 5); file {} MiB",
            size / (1 << 20)
        );
        report.push((gen_time, open, load));
    }
    let (p, e) = (report[0], report[1]);
    println!(
        "open + unlock beyond argon2id: {:?} (encrypted open {:?} − fast-KDF unlock {argon_fast:?} − plain open {:?})",
        e.1.saturating_sub(argon_fast).saturating_sub(p.1),
        e.1,
        p.1
    );
    println!(
        "encrypted / plain: demo generate {:.2}×, open {:.2}×, index load {:.2}×",
        e.0.as_secs_f64() / p.0.as_secs_f64(),
        e.1.as_secs_f64() / p.1.as_secs_f64(),
        e.2.as_secs_f64() / p.2.as_secs_f64()
    );
    std::fs::remove_dir_all(&root).unwrap();
}
