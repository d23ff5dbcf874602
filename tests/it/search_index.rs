//! The persisted search index (issue #18): stored after a build, used while current, rebuilt
//! when a change moved the counter or the blob is damaged, with the same results as a fresh
//! build; a damaged blob never panics the decoder.

use crate::common::sync::{add_resident, edit};
use dolbom::search::Searcher;
use dolbom::search::residents::{Filters, ResidentIndex, find};
use dolbom::store::Store;
use std::path::Path;

fn demo(dir: &Path) -> Store {
    crate::common::demo_store(dir, 400, 18)
}

/// What `dolbom search` would list for a few query kinds (ids, in order).
fn answers(store: &Store, ix: &ResidentIndex) -> Vec<Vec<String>> {
    ["김", "ㄱㅁ", "민수", "1950", "이ㅈ", ""]
        .iter()
        .map(|q| {
            find(store, ix, &mut Searcher::new(), q, &Filters::default(), 50)
                .expect("find")
                .into_iter()
                .map(|h| h.summary.id)
                .collect()
        })
        .collect()
}

#[test]
fn stored_after_a_build_and_used_while_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo(dir.path());
    let built = ResidentIndex::build_from(&store).expect("build");
    assert!(!built.is_stored());
    let opened = ResidentIndex::open(&store).expect("open");
    assert!(opened.is_stored(), "a build is stored for the next process");
    let again = ResidentIndex::stored(&store)
        .expect("stored")
        .expect("current, so used without a rebuild");
    assert_eq!(again.len(), built.len());
    assert_eq!(answers(&store, &again), answers(&store, &built));
    assert!(answers(&store, &built).iter().any(|a| !a.is_empty()));
}

#[test]
fn a_damaged_blob_is_rebuilt_with_the_same_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo(dir.path());
    let fresh = ResidentIndex::build_from(&store).expect("build");
    ResidentIndex::open(&store).expect("open");
    store
        .damage_search_index(100, b"\xff\xff\xff\xff")
        .expect("damage");
    assert!(
        ResidentIndex::stored(&store).expect("stored").is_none(),
        "the checksum catches the damage"
    );
    let rebuilt = ResidentIndex::open(&store).expect("rebuild");
    assert!(rebuilt.is_stored());
    assert_eq!(answers(&store, &rebuilt), answers(&store, &fresh));
    assert!(ResidentIndex::stored(&store).expect("stored").is_some());
}

#[test]
fn a_change_is_reflected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = demo(dir.path());
    let before = ResidentIndex::open(&store).expect("open");
    let id = add_resident(&mut store, "갈매기순", "010-1111-2222", "주소");
    // The blob is stale; read with the one resident changed since, it is current again.
    let after = ResidentIndex::stored(&store)
        .expect("stored")
        .expect("refreshed");
    assert_eq!(
        after.describe(),
        ResidentIndex::build_from(&store).expect("build").describe()
    );
    assert_eq!(after.len(), before.len() + 1);
    let hits = find(
        &store,
        &after,
        &mut Searcher::new(),
        "갈매",
        &Filters::default(),
        5,
    )
    .expect("find");
    assert_eq!(
        hits.first().map(|h| h.summary.id.as_str()),
        Some(id.as_str())
    );
    // A rename is a change too: the old name no longer finds them.
    edit(&mut store, "residents", &id, "name", "물총새");
    let renamed = ResidentIndex::open(&store).expect("open");
    let old = find(
        &store,
        &renamed,
        &mut Searcher::new(),
        "갈매기순",
        &Filters::default(),
        5,
    )
    .expect("find");
    assert!(old.iter().all(|h| h.summary.id != id));
    let new = find(
        &store,
        &renamed,
        &mut Searcher::new(),
        "ㅁㅊㅅ",
        &Filters::default(),
        50,
    )
    .expect("find");
    assert!(new.iter().any(|h| h.summary.id == id));
}

#[test]
fn an_index_read_before_a_change_is_not_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = demo(dir.path());
    let mut stale = ResidentIndex::build_from(&store).expect("build");
    add_resident(&mut store, "늦게온이", "010-3333-4444", "주소");
    assert!(
        !stale.persist(&store).expect("persist"),
        "stale: not written"
    );
    assert!(ResidentIndex::stored(&store).expect("stored").is_none());
}

#[test]
fn damaged_bytes_never_panic_the_decoder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo(dir.path());
    let bytes = ResidentIndex::build_from(&store).expect("build").encode();
    assert!(ResidentIndex::decode(&bytes).is_some());
    for cut in (0..bytes.len()).step_by(97) {
        assert!(
            ResidentIndex::decode(&bytes[..cut]).is_none(),
            "cut at {cut}"
        );
    }
    let mut state = 18u64;
    for _ in 0..500 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut b = bytes.clone();
        let at = (state >> 33) as usize % b.len();
        b[at] ^= (state >> 8) as u8 | 1;
        // Either rejected or a well-formed index; searching it must not panic.
        if let Some(ix) = ResidentIndex::decode(&b) {
            let _ = answers(&store, &ix);
        }
    }
}

#[test]
fn the_worker_path_reads_the_stored_index_through_its_own_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = demo(dir.path());
    let built = ResidentIndex::open(&store).expect("open");
    let file = store.file();
    let loaded = ResidentIndex::load_stored(&file)
        .expect("load")
        .expect("current, so read from the blob");
    assert!(loaded.is_stored());
    assert_eq!(answers(&store, &loaded), answers(&store, &built));
    // A resident added after the blob was written: the blob is stale, so the worker reads it
    // with the changed resident, and the new resident is found.
    let id = add_resident(&mut store, "갈매기순", "010-1111-2222", "주소");
    let mut refreshed = ResidentIndex::load_or_build(file.clone()).expect("load");
    assert!(
        refreshed.is_stored(),
        "one change: the blob and the list are enough"
    );
    let hits = find(
        &store,
        &refreshed,
        &mut Searcher::new(),
        "갈매",
        &Filters::default(),
        5,
    )
    .expect("find");
    assert_eq!(
        hits.first().map(|h| h.summary.id.as_str()),
        Some(id.as_str())
    );
    assert!(
        !refreshed.persist(&store).expect("persist"),
        "nothing to store"
    );
    assert_eq!(store.search_dirty_count().expect("dirty"), 1);
    // Damaged blob: the worker builds it afresh from the residents, and the UI thread stores it.
    store
        .damage_search_index(100, b"\xff\xff\xff\xff")
        .expect("damage");
    assert!(ResidentIndex::load_stored(&file).expect("load").is_none());
    let mut rebuilt = ResidentIndex::load_or_build(file.clone()).expect("build");
    assert!(!rebuilt.is_stored());
    assert!(rebuilt.persist(&store).expect("persist"));
    assert_eq!(
        store.search_dirty_count().expect("dirty"),
        0,
        "storing empties the list"
    );
    let next = ResidentIndex::load_or_build(file).expect("load");
    assert!(next.is_stored());
    assert_eq!(next.len(), built.len() + 1);
}

#[test]
fn a_checksum_mismatch_is_caught_even_when_the_bytes_decode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo(dir.path());
    let fresh = ResidentIndex::build_from(&store).expect("build");
    ResidentIndex::open(&store).expect("open");
    // Magic (4), record count (4), unit count (4), unit width (1): byte 13 starts the first
    // name's first character. 힣 is a valid character, so the blob still decodes.
    let mut bytes = fresh.encode();
    assert_eq!(bytes[12], 2, "names stored two bytes per character");
    bytes[13..15].copy_from_slice(&0xD7A3u16.to_le_bytes());
    let decoded = ResidentIndex::decode(&bytes).expect("still decodes");
    assert!(decoded.len() == fresh.len());
    store
        .damage_search_index(13, &0xD7A3u16.to_le_bytes())
        .expect("damage");
    assert!(
        ResidentIndex::stored(&store).expect("stored").is_none(),
        "the checksum catches it"
    );
    assert!(
        ResidentIndex::load_stored(&store.file())
            .expect("load")
            .is_none(),
        "on the worker's path too"
    );
    let rebuilt = ResidentIndex::open(&store).expect("rebuild");
    assert_eq!(answers(&store, &rebuilt), answers(&store, &fresh));
}

#[test]
fn a_blob_in_another_format_is_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = demo(dir.path());
    let fresh = ResidentIndex::build_from(&store).expect("build");
    let changes = store.search_changes().expect("changes").expect("counter");
    // A blob an older build wrote (format 1), current by the counter and with a sound checksum.
    assert!(
        store
            .store_search_index(1, changes, &fresh.encode())
            .expect("store")
    );
    assert!(ResidentIndex::stored(&store).expect("stored").is_none());
    let rebuilt = ResidentIndex::open(&store).expect("open");
    assert!(rebuilt.is_stored());
    assert!(ResidentIndex::stored(&store).expect("stored").is_some());
    assert_eq!(answers(&store, &rebuilt), answers(&store, &fresh));
}

#[test]
fn wide_rowids_and_characters_beyond_two_bytes_round_trip() {
    use dolbom::store::SearchRecord;
    let rec = |rowid: i64, name: &str| SearchRecord {
        rowid,
        name: name.into(),
        birth_date: None,
        phone: None,
        dong: "신림동".into(),
        risks: String::new(),
        flags: String::new(),
        stage: None,
        worker: None,
        category: None,
        last_activity: None,
    };
    // A rowid past u32 and a name outside the Basic Multilingual Plane: the wide layouts.
    let ix = ResidentIndex::build(&[rec(7, "김민수"), rec(1 << 40, "이𠀀희")]);
    let back = ResidentIndex::decode(&ix.encode()).expect("decode");
    assert_eq!(back.rowid(0), 7);
    assert_eq!(back.rowid(1), 1 << 40);
    let q = dolbom::search::Query::parse("이𠀀", 2026);
    let hits = back.search(&mut Searcher::new(), &q, &Filters::default(), 5);
    assert_eq!(hits.first().map(|h| h.record), Some(1));
}
