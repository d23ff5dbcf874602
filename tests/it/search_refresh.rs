//! A stale stored search index made current from the residents changed since it was stored
//! (issue #18): the same index a rebuild from every resident makes, whatever changed (names,
//! phones, 동, flags, deletions, new residents, cases opened, moved and closed), found through
//! the `search_dirty` list the triggers keep; stored again only when the list grows long.

use crate::common::rng::Rng;
use crate::common::sync::{add_resident, edit};
use dolbom::search::Searcher;
use dolbom::search::residents::{Filters, ResidentIndex, STORE_AFTER, find};
use dolbom::store::{SearchRecord, Store, Val};
use std::collections::BTreeMap;

fn record(g: &mut Rng, rowid: i64) -> SearchRecord {
    let name: String = (0..2 + g.below(2))
        .map(|_| g.pick(&["김", "이", "민", "수", "서", "지", "박", "영", "희 "]))
        .collect();
    let cased = g.below(3) > 0;
    let list = |g: &mut Rng, from: &[&str]| -> String {
        (0..g.below(3))
            .map(|_| g.pick(from))
            .collect::<Vec<_>>()
            .join(",")
    };
    SearchRecord {
        rowid,
        name,
        birth_date: (g.below(4) > 0).then(|| {
            format!(
                "19{:02}-0{}-1{}",
                30 + g.below(60),
                1 + g.below(9),
                g.below(10)
            )
        }),
        phone: (g.below(4) > 0).then(|| format!("010-1234-{:04}", g.below(10_000))),
        dong: g.pick(&["신림동", "봉천동", "남현동", "서원동"]).into(),
        risks: list(g, &["단전", "단수", "체납"]),
        flags: list(g, &["독거", "기초수급", "차상위", "장애"]),
        stage: cased.then(|| {
            g.pick(&["intake", "assessment", "monitoring", "closed"])
                .into()
        }),
        worker: cased.then(|| g.pick(&["박지현", "김하늘", "이수민"]).into()),
        category: cased.then(|| g.pick(&["", "긴급", "통합사례"]).into()),
        last_activity: cased.then(|| format!("2026-0{}-1{} 10:00", 1 + g.below(9), g.below(10))),
    }
}

/// What `dolbom search` would list for a few queries and filters (record rowids, in order).
fn answers(ix: &ResidentIndex) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    for q in ["김", "ㅁ", "민수", "ㄱㅁ", "희", "1234", "1950", ""] {
        for filters in [
            Filters::default(),
            Filters {
                dong: Some("봉천동".into()),
                ..Filters::default()
            },
            Filters {
                flag: Some("독거".into()),
                worker: Some("박지현".into()),
                ..Filters::default()
            },
        ] {
            let query = dolbom::search::Query::parse(q, 2026);
            let mut s = Searcher::new();
            let mut ranking = ix.rank(&mut s, &query, &filters);
            let hits = ix.page(&mut ranking, 0, 40);
            out.push(hits.iter().map(|h| ix.rowid(h.record)).collect());
        }
    }
    out
}

/// Random rounds: an index of a few hundred records (grouped as a large one is), a random set
/// of deletions, edits, new rowids past the end and into gaps; refreshed, it equals a rebuild of
/// the records now, column by column, in its groups' order and in every answer.
#[test]
fn a_refreshed_index_is_the_one_a_rebuild_makes() {
    for seed in 1..=24u64 {
        let mut g = Rng(seed);
        let mut now: BTreeMap<i64, SearchRecord> = BTreeMap::new();
        let mut rowid = 0;
        for _ in 0..300 + g.below(200) {
            rowid += 1 + g.below(3) as i64;
            now.insert(rowid, record(&mut g, rowid));
        }
        let before: Vec<SearchRecord> = now.values().cloned().collect();
        let mut old = ResidentIndex::build(&before);
        let grouped = seed % 4 != 0;
        if grouped {
            old.seal_always(40);
        }
        let mut dirty = std::collections::BTreeSet::new();
        for _ in 0..g.below(60) {
            let keys: Vec<i64> = now.keys().copied().collect();
            let at = keys[g.below(keys.len())];
            match g.below(4) {
                0 => {
                    now.remove(&at);
                }
                1 => {
                    // A new resident: past the end, or in a gap.
                    let r = if g.below(2) == 0 {
                        rowid + 1 + g.below(5) as i64
                    } else {
                        at + 1
                    };
                    if now.contains_key(&r) {
                        continue;
                    }
                    rowid = rowid.max(r);
                    now.insert(r, record(&mut g, r));
                    dirty.insert(r);
                    continue;
                }
                _ => {
                    now.insert(at, record(&mut g, at));
                }
            }
            dirty.insert(at);
        }
        // A rowid on the list that never held a resident (added and deleted since).
        dirty.insert(rowid + 100);
        let dirty: Vec<i64> = dirty.into_iter().collect();
        let changed: Vec<SearchRecord> = dirty.iter().filter_map(|r| now.get(r).cloned()).collect();
        let refreshed = old.refreshed(&dirty, changed).expect("refreshed");
        let mut rebuilt = ResidentIndex::build(&now.values().cloned().collect::<Vec<_>>());
        if grouped {
            rebuilt.seal_always(40);
        }
        assert_eq!(refreshed.describe(), rebuilt.describe(), "seed {seed}");
        assert_eq!(answers(&refreshed), answers(&rebuilt), "seed {seed}");
        assert!(answers(&rebuilt).iter().filter(|a| !a.is_empty()).count() > 10);
        // The persisted form reads back as the same index.
        let back = ResidentIndex::decode(&refreshed.encode()).expect("decode");
        assert_eq!(back.describe().0, rebuilt.describe().0, "seed {seed}");
    }
}

/// An index not in rowid order (no store makes one), or records off the list, are not
/// refreshed: the index is rebuilt.
#[test]
fn an_index_out_of_rowid_order_is_not_refreshed() {
    let mut g = Rng(3);
    let ix = ResidentIndex::build(&[record(&mut g, 5), record(&mut g, 2)]);
    assert!(ix.refreshed(&[2], vec![record(&mut g, 2)]).is_none());
    // A record for a resident not on the list would be there twice: refused too.
    let ix = ResidentIndex::build(&[record(&mut g, 2), record(&mut g, 5)]);
    assert!(ix.refreshed(&[3], vec![record(&mut g, 5)]).is_none());
    let ix = ResidentIndex::build(&[record(&mut g, 2), record(&mut g, 5)]);
    assert_eq!(
        ix.refreshed(&[5], vec![record(&mut g, 5)]).map(|i| i.len()),
        Some(2)
    );
}

/// Ids of a few live residents and of a resident's live case.
fn ids(store: &Store, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(store.path()).expect("read");
    let mut stmt = conn.prepare(sql).expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Every kind of change a worker, an import or a sync makes reaches the list, and the stored
/// index read with it is the one a rebuild makes; a long list is stored over, a list that does
/// not start at the stored blob is not used.
#[test]
fn every_kind_of_change_reaches_a_stored_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = crate::common::demo_store(dir.path(), 300, 9);
    ResidentIndex::open(&store).expect("open");
    assert_eq!(store.search_dirty_count().expect("dirty"), 0);
    let residents = ids(
        &store,
        "SELECT id FROM residents WHERE deleted = 0 ORDER BY rowid LIMIT 6",
    );
    let cases = ids(
        &store,
        "SELECT id FROM cases WHERE deleted = 0 ORDER BY rowid LIMIT 3",
    );
    let current = |store: &Store, what: &str| {
        let stored = ResidentIndex::stored(store).expect("stored").expect(what);
        let rebuilt = ResidentIndex::build_from(store).expect("build");
        assert_eq!(stored.describe(), rebuilt.describe(), "after {what}");
        assert!(
            stored.is_stored(),
            "{what}: a short list is not stored over"
        );
        stored
    };
    let new = add_resident(&mut store, "갈매기순", "010-1111-2222", "주소");
    current(&store, "a new resident");
    edit(&mut store, "residents", &residents[0], "name", "물총새");
    edit(
        &mut store,
        "residents",
        &residents[1],
        "phone",
        "010-9999-8888",
    );
    edit(&mut store, "residents", &residents[2], "dong", "서원동");
    edit(
        &mut store,
        "residents",
        &residents[3],
        "flags",
        "독거,기초수급",
    );
    current(&store, "edits");
    let mut tx = store.write().expect("tx");
    tx.delete("residents", &residents[4]).expect("delete");
    tx.insert(
        "cases",
        "C-new",
        &[
            ("resident_id", Val::text(&new)),
            ("worker", Val::text("김하늘")),
            ("category", Val::text("긴급")),
            ("stage", Val::text("intake")),
            ("opened_on", Val::text("2026-03-01")),
            ("last_activity", Val::text("2026-03-01 09:00")),
        ],
    )
    .expect("case");
    tx.update(
        "cases",
        &cases[0],
        &[
            ("stage", Val::text("monitoring")),
            ("last_activity", Val::text("2026-03-02 11:00")),
        ],
    )
    .expect("stage");
    tx.update(
        "cases",
        &cases[1],
        &[("resident_id", Val::text(&residents[5]))],
    )
    .expect("moved");
    tx.delete("cases", &cases[2]).expect("case deleted");
    tx.commit().expect("commit");
    let ix = current(&store, "deletions and cases");
    let hits = find(
        &store,
        &ix,
        &mut Searcher::new(),
        "ㅁㅊㅅ",
        &Filters::default(),
        20,
    )
    .expect("find");
    assert!(
        hits.iter().any(|h| h.summary.id == residents[0]),
        "the renamed resident"
    );
    let dirty = store.search_dirty_count().expect("dirty");
    assert!(
        (8..=12).contains(&dirty),
        "the residents touched, each once: {dirty}"
    );

    // More than STORE_AFTER changed: the refreshed index is stored over the blob.
    let mut tx = store.write().expect("tx");
    for i in 0..=STORE_AFTER {
        tx.insert(
            "residents",
            &format!("R-bulk-{i}"),
            &[
                ("name", Val::text(format!("대량{i}"))),
                ("dong", Val::text("신림동")),
            ],
        )
        .expect("insert");
    }
    tx.commit().expect("commit");
    let mut long = ResidentIndex::stored(&store)
        .expect("stored")
        .expect("refreshed");
    assert!(!long.is_stored(), "a long list: store the refreshed index");
    assert!(long.persist(&store).expect("persist"));
    assert_eq!(store.search_dirty_count().expect("dirty"), 0);
    assert_eq!(current(&store, "storing").len(), long.len());

    // A list that does not start at the stored blob (as after the migration that adds it) is
    // not trusted: rebuild.
    add_resident(&mut store, "늦게온이", "010-3333-4444", "주소");
    let conn = rusqlite::Connection::open(store.path()).expect("write");
    conn.execute("UPDATE search_state SET since = -1", [])
        .expect("since");
    assert!(ResidentIndex::stored(&store).expect("stored").is_none());
    let rebuilt = ResidentIndex::open(&store).expect("open");
    assert!(rebuilt.is_stored());
    assert_eq!(store.search_dirty_count().expect("dirty"), 0);

    // A current blob with no list started at it (a database just migrated): the TUI's store
    // step starts the list there, and the next change is applied, not rebuilt.
    conn.execute("UPDATE search_state SET since = -1", [])
        .expect("since");
    let mut read = ResidentIndex::stored(&store)
        .expect("stored")
        .expect("current");
    assert!(!read.persist(&store).expect("persist"), "nothing to store");
    edit(&mut store, "residents", &residents[0], "name", "되돌이");
    current(&store, "a change after the list started");
}
