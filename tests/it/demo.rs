//! Demo data is deterministic for a seed and realistic in shape.

use dolbom::clock::{Clock, parse_datetime};
use dolbom::demo::{DemoOptions, generate};
use dolbom::store::{OpenOptions, Store};

fn demo_digest(dir: &std::path::Path, name: &str, seed: u64, n: usize) -> (String, Store) {
    let mut o = OpenOptions::new("tester");
    o.clock = Clock::fixed(parse_datetime("2026-11-25 09:00").unwrap());
    let mut store = Store::open(&dir.join(name), &o).unwrap();
    let summary = generate(
        &mut store,
        &DemoOptions { residents: n, seed },
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(summary.residents, n);
    (store.content_digest().unwrap(), store)
}

#[test]
fn same_seed_same_content_different_seed_different() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = demo_digest(dir.path(), "a.db", 7, 600);
    let (b, _) = demo_digest(dir.path(), "b.db", 7, 600);
    let (c, _) = demo_digest(dir.path(), "c.db", 8, 600);
    assert_eq!(a, b, "same seed must give identical content");
    assert_ne!(a, c, "a different seed must give different content");
}

#[test]
fn demo_data_has_the_expected_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = demo_digest(dir.path(), "shape.db", 3, 2000);
    let c = store.counts().unwrap();
    assert_eq!(c.residents, 2000);
    // Cases on about a quarter of residents.
    assert!((300..=700).contains(&c.cases), "cases: {}", c.cases);
    assert!(
        (280..=320).contains(&c.resources),
        "resources: {}",
        c.resources
    );
    assert!(c.referrals > 0);
    // 3–40 entries per case.
    assert!(c.entries >= 3 * c.cases && c.entries <= 40 * c.cases);
    let stats = store.demo_stats().unwrap();
    assert!(
        stats.over_65 * 2 > stats.residents,
        "most residents are over 65: {stats:?}"
    );
    assert!((15..=30).contains(&stats.dongs), "{stats:?}");
    assert!(stats.single_households * 3 > stats.households, "{stats:?}");
    assert!(
        stats.kim * 100 / stats.residents >= 15,
        "김 is the most common surname: {stats:?}"
    );
    assert!(
        stats.with_risk > 0 && stats.with_risk * 100 / stats.residents < 15,
        "{stats:?}"
    );
    assert!(
        stats.phones_ok,
        "phones look like 010-XXXX-XXXX or 02-XXX-XXXX"
    );
    assert!(
        stats.min_entries >= 3 && stats.max_entries <= 40,
        "{stats:?}"
    );
}

/// `demo --force` replaces the whole database, side files included: the old file's signed audit
/// head (`<db>.audit-head`, #20) must not be left to contradict the new file's log.
#[test]
fn demo_force_leaves_no_side_file_of_the_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let run = |args: &[&str]| {
        let o = crate::common::dolbom_at(&db)
            .env("DOLBOM_USER", "관리자")
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o
    };
    run(&["demo", "--residents", "30", "--no-tui"]);
    run(&["search", "김", "--limit", "3"]); // an audited read: the head file is written
    assert!(dir.path().join("d.db.audit-head").exists());
    run(&[
        "demo",
        "--residents",
        "20",
        "--seed",
        "5",
        "--force",
        "--no-tui",
    ]);
    assert!(!dir.path().join("d.db.audit-head").exists());
    let o = run(&["audit", "verify"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("정상"));
}
