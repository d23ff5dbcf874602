//! Cost of sqlite3mc's cipher schemes against a plain file, on the store's settings (WAL,
//! 16 KiB pages, 32 MiB cache):
//! - `insert`: a new file, 5,000 residents (name, phone, a 300-byte note) in one transaction,
//!   an index on name, then close (the checkpoint writes every page to the main file);
//! - `scan_cold`: open an existing 5,000-row file, key it, read every row and do 200 indexed
//!   lookups, close (every page is read and decrypted once: the search-index build at start-up);
//! - `open`: open + key + first read of the schema, the cost added to a login beyond argon2id.
//!
//! Also `argon2id/*`: one key-slot unlock with `KdfParams::DEFAULT` and two other costs.
//!
//! Run: `cargo bench --bench cipher` (about two minutes).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use dolbom::crypto::{DbKey, KdfParams, KeySlots};
use rusqlite::{Connection, params};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const ROWS: usize = 5_000;

/// (label, cipher pragmas) — `None` is a plain file.
const SCHEMES: &[(&str, Option<&str>)] = &[
    ("plain", None),
    ("chacha20", Some("chacha20")),
    ("sqlcipher", Some("sqlcipher")),
    ("aes256cbc", Some("aes256cbc")),
    ("aegis", Some("aegis")),
];

fn open(path: &Path, cipher: Option<&str>, key: &DbKey) -> Connection {
    let conn = Connection::open(path).unwrap();
    if let Some(cipher) = cipher {
        conn.execute_batch(&format!("PRAGMA cipher = '{cipher}';"))
            .unwrap();
        if cipher == "aes256cbc" {
            // This scheme has no raw-key form: derive with one round instead (no per-open PBKDF).
            conn.execute_batch("PRAGMA kdf_iter = 1;").unwrap();
        }
        let mut stmt = conn.prepare(&key.pragma_statement("key")).unwrap();
        let mut rows = stmt.query([]).unwrap();
        while rows.next().unwrap().is_some() {}
    }
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap();
    conn.pragma_update(None, "page_size", 16_384).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "cache_size", -32_768).unwrap();
    conn
}

fn fill(conn: &mut Connection) {
    conn.execute_batch(
        "CREATE TABLE residents (id INTEGER PRIMARY KEY, name TEXT, phone TEXT, note TEXT);
         CREATE INDEX residents_name ON residents(name);",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare("INSERT INTO residents (name, phone, note) VALUES (?1, ?2, ?3)")
            .unwrap();
        for i in 0..ROWS {
            stmt.execute(params![
                format!("주민{i:05}"),
                format!("010-{:04}-{:04}", i / 10_000, i % 10_000),
                format!("{i} 방문 상담 기록: 가족 관계, 건강, 소득 상황을 확인함. ").repeat(4),
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn scan(conn: &Connection) -> usize {
    let mut total = 0usize;
    let mut stmt = conn
        .prepare("SELECT name, phone, note FROM residents")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        total += row.get_ref(2).unwrap().as_str().unwrap().len();
    }
    let mut lookup = conn
        .prepare("SELECT phone FROM residents WHERE name = ?1")
        .unwrap();
    for i in (0..ROWS).step_by(ROWS / 200) {
        let phone: String = lookup
            .query_row([format!("주민{i:05}")], |r| r.get(0))
            .unwrap();
        total += phone.len();
    }
    total
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();

    let mut group = c.benchmark_group("cipher");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(4));
    group.warm_up_time(Duration::from_secs(1));
    for &(label, cipher) in SCHEMES {
        let mut n = 0u32;
        group.bench_with_input(BenchmarkId::new("insert", label), &cipher, |b, &cipher| {
            b.iter(|| {
                n += 1;
                let path = dir.path().join(format!("insert-{label}-{n}.db"));
                let mut conn = open(&path, cipher, &key);
                fill(&mut conn);
                drop(conn);
                let _ = std::fs::remove_file(&path);
            })
        });

        let path = dir.path().join(format!("scan-{label}.db"));
        let mut conn = open(&path, cipher, &key);
        fill(&mut conn);
        drop(conn);
        group.bench_with_input(
            BenchmarkId::new("scan_cold", label),
            &cipher,
            |b, &cipher| {
                b.iter(|| {
                    let conn = open(&path, cipher, &key);
                    black_box(scan(&conn))
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("open", label), &cipher, |b, &cipher| {
            b.iter(|| black_box(open(&path, cipher, &key)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("argon2id");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let candidates = [
        ("default", KdfParams::DEFAULT),
        (
            "19MiB-t2",
            KdfParams {
                m_cost_kib: 19 * 1024,
                t_cost: 2,
                p_cost: 1,
            },
        ),
        (
            "64MiB-t2",
            KdfParams {
                m_cost_kib: 64 * 1024,
                t_cost: 2,
                p_cost: 1,
            },
        ),
    ];
    for (label, params) in candidates {
        let (slots, _) = KeySlots::create("관리자", "관리자 비밀번호", params).unwrap();
        group.bench_function(label, |b| {
            b.iter(|| black_box(slots.unlock("관리자", "관리자 비밀번호").unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
