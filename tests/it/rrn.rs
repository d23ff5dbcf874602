//! Issue #20 item 1: a 주민등록번호 / 외국인등록번호 typed into any free-text field, on any path
//! (forms and edits through the store, the importers, a peer's bundle), never reaches the file;
//! the one-time migration scrubs rows, op copies, conflict copies and backups made by older
//! versions; phone numbers and 사업자등록번호 are left alone.

use crate::common::dolbom_at;
use crate::common::sync::*;
use dolbom::model::{Op, OpKind};
use dolbom::store::schema::{CURRENT_VERSION, MIGRATIONS};
use dolbom::store::{Store, Val};
use dolbom::sync::bundle::{BundleMeta, Decryption, Encryption, open_bundle, write_bundle};
use dolbom::sync::keys::SiteKeys;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The back halves used below: none may be found in any file afterwards.
const BACKS: [&str; 4] = ["1234567", "2345678", "5678901", "6543210"];

/// The RRN examples of the issue, dashed, undashed, spaced, foreign, embedded.
fn samples() -> Vec<&'static str> {
    vec![
        "서울 관악구 500302-1234567 101호",
        "서울 관악구 5003021234567 101호",
        "주민번호 500302 - 1234567 확인",
        "외국인 901231-5678901 (등록증)",
        "800101-2345678",
        "메모:0501016543210.",
    ]
}

fn bytes_of(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn wal(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// No back half in the database file, its WAL, or any other file given.
fn assert_clean(files: &[PathBuf]) {
    for f in files {
        let b = bytes_of(f);
        for back in BACKS {
            assert!(!contains(&b, back), "{back} found in {}", f.display());
        }
    }
}

fn checkpoint(db: &Path) {
    let conn = Connection::open(db).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
}

/// Every text value of a bundle's ops, as JSON.
fn bundle_text(path: &Path) -> String {
    let reader = open_bundle(path, &Decryption::None, CURRENT_VERSION, None).expect("bundle");
    let mut out = String::new();
    for op in reader {
        out.push_str(&serde_json::to_string(&op.expect("op")).expect("json"));
        out.push('\n');
    }
    out
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[test]
fn rrn_in_every_free_text_field_never_reaches_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let mut s = open_site(dir.path(), "a", 0);
    let db = s.path().to_owned();
    let mut samples = samples().into_iter().cycle();
    let mut next = || samples.next().expect("cycle");

    // Forms and edits: every synced table's text columns, through the store's write path.
    let (hh, r, c, e, res, f) = (new_id(), new_id(), new_id(), new_id(), new_id(), new_id());
    let mut tx = s.write().expect("tx");
    tx.insert(
        "households",
        &hh,
        &[("dong", Val::text(next())), ("address", Val::text(next()))],
    )
    .expect("household");
    tx.insert(
        "residents",
        &r,
        &[
            ("name", Val::text("김민수")),
            ("phone", Val::text("010-1234-5678")),
            ("address", Val::text(next())),
            ("sigungu", Val::text(next())),
            ("dong", Val::text(next())),
            ("flags", Val::text(next())),
            ("risks", Val::text(next())),
            ("household_id", Val::text(&hh)),
        ],
    )
    .expect("resident");
    tx.insert(
        "cases",
        &c,
        &[
            ("resident_id", Val::text(&r)),
            ("worker", Val::text("tester")),
            ("category", Val::text(next())),
            ("tags", Val::text(next())),
            ("stage", Val::text("intake")),
            ("opened_on", Val::text("2025-03-01")),
            ("closure_reason", Val::text(next())),
            ("last_activity", Val::text("2025-03-01")),
        ],
    )
    .expect("case");
    tx.insert(
        "entries",
        &e,
        &[
            ("case_id", Val::text(&c)),
            ("kind", Val::text("memo")),
            ("author", Val::text("tester")),
            ("at", Val::text("2025-03-01T09:00:00")),
            ("body", Val::text(next())),
            (
                "data",
                Val::text(r#"{"memo":"500302-1234567","raw":5003021234567}"#),
            ),
        ],
    )
    .expect("entry");
    tx.insert(
        "resources",
        &res,
        &[
            ("name", Val::text("관악 푸드뱅크")),
            ("address", Val::text(next())),
            ("phone", Val::text("02-812-3456")),
            ("hours", Val::text(next())),
            ("eligibility", Val::text("사업자등록번호 123-45-67890")),
        ],
    )
    .expect("resource");
    tx.insert(
        "referrals",
        &f,
        &[
            ("case_id", Val::text(&c)),
            ("resource_id", Val::text(&res)),
            ("status", Val::text("requested")),
            ("requested_on", Val::text("2025-03-01")),
            ("updated_on", Val::text("2025-03-01")),
            ("note", Val::text(next())),
        ],
    )
    .expect("referral");
    tx.commit().expect("commit");
    // Corrections and edits: an update of each kind of row, and a correcting entry.
    edit(
        &mut s,
        "residents",
        &r,
        "address",
        "관악구 5003021234567 202호",
    );
    edit(&mut s, "referrals", &f, "note", "재의뢰 800101 - 2345678");
    edit(&mut s, "cases", &c, "closure_reason", "901231-5678901 이관");
    let mut tx = s.write().expect("tx");
    tx.insert(
        "entries",
        &new_id(),
        &[
            ("case_id", Val::text(&c)),
            ("kind", Val::text("memo")),
            ("author", Val::text("tester")),
            ("at", Val::text("2025-03-02T09:00:00")),
            ("body", Val::text("정정: 0501016543210")),
            ("corrects", Val::text(&e)),
        ],
    )
    .expect("correction");
    tx.commit().expect("commit");

    // The masked values read back as the RRN column masks: front half and the 7th digit.
    assert_eq!(
        field(&s, "residents", &r, "address").as_deref(),
        Some("관악구 5003021****** 202호")
    );
    assert_eq!(
        field(&s, "referrals", &f, "note").as_deref(),
        Some("재의뢰 800101 - 2******")
    );
    let data = field(&s, "entries", &e, "data").expect("data");
    let data: serde_json::Value = serde_json::from_str(&data).expect("still JSON");
    assert_eq!(data["memo"], "500302-1******");
    // Phone numbers and 사업자등록번호 survive unmasked.
    assert_eq!(
        field(&s, "residents", &r, "phone").as_deref(),
        Some("010-1234-5678")
    );
    assert_eq!(
        field(&s, "resources", &res, "phone").as_deref(),
        Some("02-812-3456")
    );
    assert_eq!(
        field(&s, "resources", &res, "eligibility").as_deref(),
        Some("사업자등록번호 123-45-67890")
    );
    drop(s);

    // Importers, through the command line: a resident list and a resource file.
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "성명,생년월일,성별,연락처,주소,비고\n\
         박순자,1942-03-15,여,010-2345-6789,전주시 효자동 420315-2234567 (500302-1234567),독거 800101-2345678\n\
         이철수,1948-07-20,남,01034567890,전주시 삼천동 5003021234567,\n",
    )
    .expect("write");
    let o = dolbom_at(&db)
        .args(["residents", "import"])
        .arg(&people)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let places = dir.path().join("places.csv");
    std::fs::write(
        &places,
        "기관명,분류,주소,연락처,운영시간,이용대상,기관코드\n\
         관악 복지관,돌봄·요양,관악구 901231-5678901,02-111-2222,평일 0501016543210,기초수급 800101-2345678,R-1\n",
    )
    .expect("write");
    let o = dolbom_at(&db)
        .args(["resources", "import"])
        .arg(&places)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The importers did write (masked) rows.
    let conn = Connection::open(&db).expect("open");
    let addr: String = conn
        .query_row(
            "SELECT address FROM residents WHERE name = '이철수'",
            [],
            |r| r.get(0),
        )
        .expect("imported");
    assert_eq!(addr, "전주시 삼천동 5003021******");
    drop(conn);

    // A bundle of all of it (everything this site holds).
    let s = Store::open(&db, &dolbom::store::OpenOptions::new("tester")).expect("reopen");
    let bundle = export(&s, None, true, &dir.path().join("all.bundle"));
    let text = bundle_text(&bundle);
    for back in BACKS {
        assert!(!text.contains(back), "{back} in the bundle's ops");
    }
    drop(s);

    // Before and after a checkpoint: neither the file nor its WAL holds a back half.
    assert_clean(&[db.clone(), wal(&db), bundle.clone()]);
    checkpoint(&db);
    assert_clean(&[db.clone(), wal(&db)]);
}

/// An op from a peer running an older version: inserts and an update carrying RRNs.
fn peer_ops(origin: &str, resident: &str) -> Vec<Op> {
    let mut ins = BTreeMap::new();
    ins.insert("name".to_owned(), serde_json::json!("박영희"));
    ins.insert("phone".to_owned(), serde_json::json!("010-9876-5432"));
    ins.insert(
        "address".to_owned(),
        serde_json::json!("서울 관악구 500302-1234567 101호"),
    );
    ins.insert("risks".to_owned(), serde_json::json!("5003021234567"));
    let mut upd = BTreeMap::new();
    upd.insert(
        "flags".to_owned(),
        serde_json::json!("독거 800101 - 2345678"),
    );
    vec![
        Op {
            origin: origin.to_owned(),
            seq: 1,
            hlc: 1 << 41,
            table: "residents".into(),
            row_id: resident.to_owned(),
            kind: OpKind::Insert,
            fields: ins,
        },
        Op {
            origin: origin.to_owned(),
            seq: 2,
            hlc: (1 << 41) + 1,
            table: "residents".into(),
            row_id: resident.to_owned(),
            kind: OpKind::Update,
            fields: upd,
        },
    ]
}

#[test]
fn a_peers_bundle_is_masked_on_arrival_and_audited() {
    let dir = tempfile::tempdir().expect("dir");
    let mut b = open_site(dir.path(), "b", 0);
    let keys = SiteKeys::generate();
    let origin = uuid::Uuid::new_v4().to_string();
    let resident = new_id();
    let path = dir.path().join("peer.bundle");
    let meta = BundleMeta::new(CURRENT_VERSION, &origin, "옛 센터");
    write_bundle(
        &path,
        meta,
        peer_ops(&origin, &resident),
        keys.signing_key(),
        &Encryption::Plain,
    )
    .expect("write");
    let report = import(&mut b, &path).expect("import");
    assert_eq!(report.applied, 2);
    assert_eq!(report.masked, 3);
    assert_eq!(
        field(&b, "residents", &resident, "address").as_deref(),
        Some("서울 관악구 500302-1****** 101호")
    );
    assert_eq!(
        field(&b, "residents", &resident, "flags").as_deref(),
        Some("독거 800101 - 2******")
    );
    assert_eq!(
        field(&b, "residents", &resident, "phone").as_deref(),
        Some("010-9876-5432")
    );
    // One audit row for the bundle, with the count and never the number.
    let rows = b
        .audit_rows(&dolbom::audit::AuditFilter::default())
        .expect("audit");
    let masked: Vec<_> = rows
        .iter()
        .filter(|r| r.detail.contains("masked on arrival"))
        .collect();
    assert_eq!(masked.len(), 1, "{rows:?}");
    assert!(masked[0].detail.contains("3건"), "{}", masked[0].detail);
    assert!(masked[0].subject.starts_with("bundle:"));
    // Re-importing the same bundle masks nothing new and audits nothing more.
    let again = import(&mut b, &path).expect("re-import");
    assert_eq!(again.masked, 0);
    // Nothing of it in our file, nor in what we send on.
    let db = b.path().to_owned();
    let out = export(&b, None, true, &dir.path().join("onward.bundle"));
    let text = bundle_text(&out);
    for back in BACKS {
        assert!(!text.contains(back), "{back} relayed");
    }
    drop(b);
    assert_clean(&[db.clone(), wal(&db)]);
    checkpoint(&db);
    assert_clean(&[db.clone(), wal(&db)]);
}

/// The migration that scrubs (found by its text, wherever the lead ordered it).
fn privacy_index() -> u32 {
    MIGRATIONS
        .iter()
        .position(|m| m.contains("privacy: RRN scrub"))
        .expect("the privacy migration") as u32
}

/// A database as an older version left it: the migrations before the scrub, then rows, ops and
/// conflicts holding RRNs, written with raw SQL.
fn old_database(path: &Path) {
    let mut conn = Connection::open(path).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    dolbom::store::migrate_to(&mut conn, privacy_index()).expect("migrate");
    conn.execute_batch(
        "INSERT INTO meta (key, value) VALUES ('site_id', 'S1'), ('site_name', '옛 센터');
         INSERT INTO households (id, site_id, hlc, address) VALUES ('h1', 'S1', 1, '관악구 500302-1234567');
         INSERT INTO residents (id, site_id, hlc, name, phone, address, flags, household_id)
             VALUES ('r1', 'S1', 1, '김민수', '010-1234-5678', '서울 관악구 500302-1234567 101호', '독거 8001012345678', 'h1');
         INSERT INTO cases (id, site_id, hlc, resident_id, worker, stage, opened_on, last_activity, closure_reason)
             VALUES ('c1', 'S1', 1, 'r1', 'tester', 'intake', '2025-01-01', '2025-01-01', '외국인 901231-5678901');
         INSERT INTO entries (id, site_id, hlc, case_id, kind, author, at, body, data)
             VALUES ('e1', 'S1', 1, 'c1', 'memo', 'tester', '2025-01-01T09:00:00', '주민번호 0501016543210 확인', '{\"n\":\"500302-1234567\"}');
         INSERT INTO resources (id, site_id, hlc, name, address, eligibility)
             VALUES ('s1', 'S1', 1, '복지관', '관악구 901231-5678901', '사업자 123-45-67890');
         INSERT INTO referrals (id, site_id, hlc, case_id, resource_id, status, requested_on, updated_on, note)
             VALUES ('f1', 'S1', 1, 'c1', 's1', 'requested', '2025-01-01', '2025-01-01', '800101-2345678');
         INSERT INTO ops (origin, seq, hlc, tbl, row_id, kind, fields) VALUES
             ('S1', 1, 1, 'residents', 'r1', 'insert', '{\"address\":\"서울 관악구 500302-1234567 101호\",\"name\":\"김민수\",\"phone\":\"010-1234-5678\"}'),
             ('S1', 2, 2, 'residents', 'r1', 'update', '{\"address\":\"옛 주소 5003021234567\"}'),
             ('S1', 3, 3, 'entries', 'e1', 'insert', NULL);
         INSERT INTO conflicts (id, tbl, row_id, field, kept_value, kept_hlc, kept_origin, lost_value, lost_hlc, lost_origin, detected_at)
             VALUES ('k1', 'residents', 'r1', 'address', '서울 관악구 500302-1234567 101호', 2, 'S1', '다른 주소 800101-2345678', 1, 'S2', '2025-01-02');",
    )
    .expect("old rows");
}

#[test]
fn the_migration_scrubs_rows_ops_conflicts_and_backups() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("old.db");
    old_database(&db);
    // A backup an earlier migration had left beside it.
    let older = dir.path().join("old.db.bak-v1");
    {
        let conn = Connection::open(&db).expect("open");
        conn.execute("VACUUM INTO ?1", [older.to_string_lossy()])
            .expect("backup");
    }
    assert!(
        contains(&bytes_of(&older), "1234567"),
        "the test's backup holds the number"
    );

    let s = Store::open(&db, &dolbom::store::OpenOptions::new("tester")).expect("open");
    let conn = Connection::open(&db).expect("read");
    let v: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, CURRENT_VERSION);
    let get = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(
        get("SELECT address FROM residents WHERE id = 'r1'"),
        "서울 관악구 500302-1****** 101호"
    );
    assert_eq!(
        get("SELECT flags FROM residents WHERE id = 'r1'"),
        "독거 8001012******"
    );
    assert_eq!(
        get("SELECT phone FROM residents WHERE id = 'r1'"),
        "010-1234-5678"
    );
    assert_eq!(
        get("SELECT eligibility FROM resources WHERE id = 's1'"),
        "사업자 123-45-67890"
    );
    assert_eq!(
        get("SELECT body FROM entries WHERE id = 'e1'"),
        "주민번호 0501016****** 확인"
    );
    assert_eq!(
        get("SELECT fields FROM ops WHERE seq = 2"),
        r#"{"address":"옛 주소 5003021******"}"#
    );
    assert_eq!(
        get("SELECT lost_value FROM conflicts WHERE id = 'k1'"),
        "다른 주소 800101-2******"
    );
    // The entries stay append-only: the guard triggers came back.
    assert!(
        conn.execute("UPDATE entries SET body = 'x' WHERE id = 'e1'", [])
            .is_err()
    );
    // One audit row with the counts, no number in it.
    let rows = s
        .audit_rows(&dolbom::audit::AuditFilter::default())
        .expect("audit");
    let scrub: Vec<_> = rows
        .iter()
        .filter(|r| r.subject == "privacy:rrn-scrub")
        .collect();
    assert_eq!(scrub.len(), 1, "{rows:?}");
    assert!(
        scrub[0].detail.contains("residents 1/2"),
        "{}",
        scrub[0].detail
    );
    assert!(scrub[0].detail.contains("백업 2개"), "{}", scrub[0].detail);
    drop(conn);
    // The backup this open made (before migrating) and the older one are rewritten, still
    // readable, still at their versions; nothing holds a back half.
    let made = dir.path().join(format!("old.db.bak-v{}", privacy_index()));
    assert!(made.exists());
    let bak = Connection::open(&made).expect("backup opens");
    let addr: String = bak
        .query_row("SELECT address FROM residents", [], |r| r.get(0))
        .expect("row");
    assert_eq!(addr, "서울 관악구 500302-1****** 101호");
    drop(bak);
    assert_clean(&[db.clone(), wal(&db), made.clone(), older.clone()]);
    drop(s);
    checkpoint(&db);
    assert_clean(&[db.clone(), wal(&db)]);
    // A second open finds nothing more to do and audits nothing more.
    let s = Store::open(&db, &dolbom::store::OpenOptions::new("tester")).expect("reopen");
    let n = s
        .audit_rows(&dolbom::audit::AuditFilter::default())
        .expect("audit")
        .iter()
        .filter(|r| r.subject == "privacy:rrn-scrub")
        .count();
    assert_eq!(n, 1);
}

#[test]
fn a_new_database_gets_no_scrub_row() {
    let dir = tempfile::tempdir().expect("dir");
    let s = open_site(dir.path(), "n", 0);
    let rows = s
        .audit_rows(&dolbom::audit::AuditFilter::default())
        .expect("audit");
    assert!(rows.iter().all(|r| r.subject != "privacy:rrn-scrub"));
}
