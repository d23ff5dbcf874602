//! Encryption from the command line (#13): new databases encrypted by default, `--key-file`
//! (a trailing newline is fine), no key and a wrong key refused with a clear message and the
//! file unchanged, operators added/disabled by slot, the audit operator the one who unlocked,
//! `db status/encrypt/rekey`, and `db encrypt` killed at random points.

use crate::common::{dolbom, dolbom_encrypted};
use crate::encryption::{NAME, PHONE, assert_no_secrets, contains, snapshot};
use dolbom::crypto::engine::{FileKind, file_kind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ADMIN_PASS: &str = "관리자 암호 2026";

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A key file holding `pass` and a trailing newline, as `echo` writes it.
fn key_file(dir: &Path, name: &str, pass: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{pass}\n")).unwrap();
    p
}

fn at(db: &Path, key: Option<&Path>) -> Command {
    let mut c = dolbom_encrypted();
    c.arg("--db").arg(db);
    if let Some(k) = key {
        c.arg("--key-file").arg(k);
    }
    c
}

/// A new encrypted database made by the CLI's default, holding one resident.
fn new_db(dir: &Path) -> (PathBuf, PathBuf) {
    let db = dir.join("real.db");
    let key = key_file(dir, "admin.key", ADMIN_PASS);
    let csv = dir.join("r.csv");
    std::fs::write(
        &csv,
        format!("이름,생년월일,전화번호,읍면동\n{NAME},1951-04-09,{PHONE},신림동\n"),
    )
    .unwrap();
    let o = at(&db, Some(&key))
        .args(["residents", "import"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    std::fs::remove_file(&csv).unwrap();
    (db, key)
}

#[test]
fn a_new_database_is_encrypted_by_default_and_a_key_file_with_a_newline_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = new_db(dir.path());
    assert_eq!(file_kind(&db).unwrap(), FileKind::Encrypted);
    assert!(dir.path().join("real.db.keys").exists());
    let o = at(&db, Some(&key))
        .args(["search", "홍길"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(NAME), "{}", out(&o));
    // Every file but the key file: db, WAL, slot file.
    std::fs::remove_file(&key).unwrap();
    assert_no_secrets(dir.path());
    // DOLBOM_KEY_FILE works like --key-file.
    let key = key_file(dir.path(), "admin.key", ADMIN_PASS);
    let o = at(&db, None)
        .env("DOLBOM_KEY_FILE", &key)
        .args(["users", "list"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("tester\tadmin"), "{}", out(&o));
}

#[test]
fn no_key_or_a_wrong_key_is_refused_clearly_and_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _key) = new_db(dir.path());
    let before = snapshot(dir.path(), "real.db");
    let o = at(&db, None).args(["search", "홍"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("암호화된 데이터베이스입니다"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("--key-file"), "{}", err(&o));
    assert!(err(&o).contains("real.db"), "{}", err(&o));
    let wrong = key_file(dir.path(), "wrong.key", "틀린 암호 입니다");
    let o = at(&db, Some(&wrong))
        .args(["search", "홍"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("암호가 틀렸습니다"), "{}", err(&o));
    let empty = key_file(dir.path(), "empty.key", "");
    let o = at(&db, Some(&empty))
        .args(["search", "홍"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("empty.key"), "{}", err(&o));
    let mut after = snapshot(dir.path(), "real.db");
    after
        .remove("real.db.keys-failed")
        .expect("the wrong key is counted");
    assert_eq!(before, after, "database, WAL and slot file unchanged");
}

#[test]
fn a_new_database_without_a_passphrase_is_refused_unless_no_encryption() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let o = at(&db, None).args(["users", "list"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("--no-encryption"), "{}", err(&o));
    assert!(!db.exists(), "nothing created");
    let o = at(&db, None)
        .arg("--no-encryption")
        .args(["users", "list"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(file_kind(&db).unwrap(), FileKind::Plain);
}

#[test]
fn operators_unlock_their_own_slot_and_the_audit_names_who_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    let (db, admin) = new_db(dir.path());
    let kim_key = key_file(dir.path(), "kim.key", "김주무관 암호 1234");
    let o = at(&db, Some(&admin))
        .args(["users", "add", "kim", "--new-key-file"])
        .arg(&kim_key)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    // `--user` only selects the slot: kim with the admin's passphrase is refused.
    let o = at(&db, Some(&admin))
        .env("DOLBOM_USER", "kim")
        .args(["search", "홍"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("암호가 틀렸습니다"), "{}", err(&o));
    // kim with kim's passphrase (a leading space is the same operator).
    let o = at(&db, Some(&kim_key))
        .env("DOLBOM_USER", " kim")
        .args(["search", "홍"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let o = at(&db, Some(&admin)).args(["audit"]).output().unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let audit = out(&o);
    // The wrong passphrase is audited at kim's next unlock, by the operator who unlocked
    // (the slot's name "kim", not the typed " kim").
    let row = audit
        .lines()
        .find(|l| l.contains("login kim"))
        .unwrap_or_else(|| panic!("the wrong passphrase is audited: {audit}"));
    let fields: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(fields.get(3), Some(&"kim"), "{row}");
    assert!(row.contains("거부"), "{row}");
    // A generated first passphrase is shown once and works.
    let o = at(&db, Some(&admin))
        .args(["users", "add", "lee"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let generated = out(&o)
        .lines()
        .find_map(|l| l.strip_prefix("lee\t").map(String::from))
        .expect("generated passphrase");
    let lee_key = key_file(dir.path(), "lee.key", &generated);
    let o = at(&db, Some(&lee_key))
        .env("DOLBOM_USER", "lee")
        .args(["users", "list"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    // Disabled: kim can no longer unlock.
    let o = at(&db, Some(&admin))
        .args(["users", "disable", "kim"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let o = at(&db, Some(&kim_key))
        .env("DOLBOM_USER", "kim")
        .args(["search", "홍"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("키 슬롯이 없습니다"), "{}", err(&o));
    // Status shows the slots.
    let o = at(&db, Some(&admin))
        .args(["db", "status"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let s = out(&o);
    assert!(s.contains("암호화됨") && s.contains("chacha20"), "{s}");
    assert!(s.contains("tester, lee") && s.contains("16384"), "{s}");
}

#[test]
fn db_encrypt_turns_a_plain_database_into_an_encrypted_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let o = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["demo", "--no-tui", "--residents", "200"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let name = first_resident_name(&db);
    let key = key_file(dir.path(), "admin.key", ADMIN_PASS);
    let o = at(&db, Some(&key)).args(["db", "status"]).output().unwrap();
    assert!(out(&o).contains("평문"), "{}", out(&o));
    let o = at(&db, Some(&key))
        .args(["db", "encrypt"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(file_kind(&db).unwrap(), FileKind::Encrypted);
    let bytes = std::fs::read(&db).unwrap();
    assert!(!contains(&bytes, &name), "{name} readable after db encrypt");
    let o = at(&db, Some(&key))
        .args(["search", &name])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(&name), "{}", out(&o));
    // Rekey: the old slot file no longer opens the database.
    let old_slots = std::fs::read(dir.path().join("old.db.keys")).unwrap();
    let o = at(&db, Some(&key)).args(["db", "rekey"]).output().unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let o = at(&db, Some(&key))
        .args(["search", &name])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    std::fs::write(dir.path().join("old.db.keys"), old_slots).unwrap();
    let o = at(&db, Some(&key))
        .args(["search", &name])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("열리지 않습니다"), "{}", err(&o));
}

/// The name of some resident in a plain demo database.
fn first_resident_name(db: &Path) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT name FROM residents ORDER BY name LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Residents in `db`, plain or encrypted (the admin's passphrase).
fn residents_in(db: &Path) -> i64 {
    let opts = match file_kind(db).unwrap() {
        FileKind::Encrypted => {
            dolbom::store::OpenOptions::new("tester").with_passphrase(ADMIN_PASS)
        }
        _ => dolbom::store::OpenOptions::new("tester"),
    };
    let store =
        dolbom::store::Store::open(db, &opts).unwrap_or_else(|e| panic!("{}: {e}", db.display()));
    store.counts().unwrap().residents
}

#[test]
fn db_encrypt_killed_at_random_points_leaves_one_good_file_with_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let master = dir.path().join("master.db");
    let o = dolbom()
        .arg("--db")
        .arg(&master)
        .args(["demo", "--no-tui", "--residents", "1500"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let key = key_file(dir.path(), "admin.key", ADMIN_PASS);
    let expected = residents_in(&master);
    assert!(expected > 0);
    // How long one full run takes, to spread the kills over it.
    let run_dir = dir.path().join("full");
    std::fs::create_dir(&run_dir).unwrap();
    let db = run_dir.join("t.db");
    std::fs::copy(&master, &db).unwrap();
    let started = std::time::Instant::now();
    let o = at(&db, Some(&key))
        .args(["db", "encrypt"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let full = started.elapsed();
    assert_eq!(residents_in(&db), expected);
    let mut seed = std::process::id() as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut encrypted = 0;
    for i in 0..8 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Half the kills anywhere in the run, half in its last part (VACUUM INTO, fsync,
        // rename) and just after it.
        let full_ms = full.as_millis() as u64 + 1;
        let at_ms = if i % 2 == 0 {
            (seed >> 33) % full_ms
        } else {
            full_ms * 6 / 10 + (seed >> 33) % (full_ms / 2 + 1)
        };
        let run_dir = dir.path().join(format!("kill{i}"));
        std::fs::create_dir(&run_dir).unwrap();
        let db = run_dir.join("t.db");
        std::fs::copy(&master, &db).unwrap();
        let mut child = at(&db, Some(&key))
            .args(["db", "encrypt"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(at_ms));
        let _ = child.kill(); // SIGKILL (TerminateProcess on Windows)
        let _ = child.wait();
        let kind = file_kind(&db).unwrap();
        if kind == FileKind::Encrypted {
            encrypted += 1;
        }
        assert_eq!(
            residents_in(&db),
            expected,
            "killed after {at_ms} ms of {full:?}: {kind:?}"
        );
        if kind == FileKind::Encrypted {
            assert_no_secrets_except_key(&run_dir);
        }
        // Encrypting again after a kill finishes the job.
        if kind == FileKind::Plain {
            let o = at(&db, Some(&key))
                .args(["db", "encrypt"])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", err(&o));
            assert_eq!(residents_in(&db), expected);
        }
    }
    eprintln!("8 kills over {full:?}: {encrypted} left the encrypted file, the rest the plain one");
}

fn assert_no_secrets_except_key(dir: &Path) {
    for (name, bytes) in snapshot(dir, "t.db") {
        assert!(!contains(&bytes, "residents"), "schema readable in {name}");
    }
}

#[test]
fn an_encrypted_database_killed_mid_write_leaks_nothing_and_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = new_db(dir.path());
    let csv_dir = tempfile::tempdir().unwrap();
    let csv = csv_dir.path().join("big.csv");
    let mut text = String::from("이름,생년월일,전화번호,읍면동\n");
    for i in 0..100_000 {
        text.push_str(&format!("{NAME}{i},1950-01-01,{PHONE},봉천동\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let mut child = at(&db, Some(&key))
        .args(["residents", "import"])
        .arg(&csv)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // After the unlock (argon2id), while the import writes: as soon as its write-ahead log
    // holds a few MB (a fixed sleep was too long on a quiet machine: the import had finished).
    let wal = dir.path().join("real.db-wal");
    let start = std::time::Instant::now();
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 2 << 20
        && child.try_wait().unwrap().is_none()
        && start.elapsed() < std::time::Duration::from_secs(60)
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import finished before the kill: make the file bigger"
    );
    let _ = child.kill();
    let _ = child.wait();
    let files = snapshot(dir.path(), "real.db");
    assert!(files.len() >= 2, "{:?}", files.keys());
    for (name, bytes) in &files {
        for secret in [NAME, PHONE, "residents"] {
            assert!(!contains(bytes, secret), "{secret:?} readable in {name}");
        }
    }
    let o = at(&db, Some(&key))
        .args(["search", "홍길순"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(NAME), "{}", out(&o));
}
