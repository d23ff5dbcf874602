//! 인계 (issue #16 item 4): one case, a marked set, everything a departing worker holds —
//! 300 cases in one transaction with one audit summary row and one entry per case; the new
//! worker sees them in 오늘 as 인계받음 until they write on them; the CLI does the same.

use crate::approval::{open_as, team_db};
use crate::common::dolbom_at;
use dolbom::model::{EntryKind, Scope};
use dolbom::store::{Store, Val};
use dolbom::timeline::handover;
use dolbom::timeline::{self, CaseFilter, NewEntry};

fn cases_of(store: &Store, worker: &str) -> Vec<String> {
    store
        .list_cases(&CaseFilter {
            worker: Some(worker.to_string()),
            ..CaseFilter::default()
        })
        .expect("cases")
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// Gives `n` of the demo's cases to `worker` (as if they had been working them).
fn assign(store: &mut Store, worker: &str, n: usize) -> Vec<String> {
    let ids: Vec<String> = store
        .list_cases(&CaseFilter::default())
        .expect("cases")
        .into_iter()
        .take(n)
        .map(|c| c.id)
        .collect();
    assert_eq!(ids.len(), n, "enough demo cases");
    let mut tx = store.write().expect("tx");
    for id in &ids {
        tx.update("cases", id, &[("worker", Val::text(worker))])
            .expect("assign");
    }
    tx.commit().expect("commit");
    ids
}

#[test]
fn bulk_handover_of_300_cases_is_one_transaction_one_audit_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = crate::approval::team_db_of(dir.path(), "a", "관리자", 3000);
    let ids = assign(&mut store, "박주무", 300);
    let audit_before = store.audit_rows(&Default::default()).expect("audit").len();
    let ops_before: i64 = rusqlite::Connection::open(store.path())
        .expect("raw")
        .query_row("SELECT max(seq) FROM ops", [], |r| r.get(0))
        .expect("ops");

    let mut lead = {
        drop(store);
        open_as(dir.path(), "a", "김팀장")
    };
    let report = handover::hand_over_all(
        &mut lead,
        "박주무",
        "이주무",
        "휴직으로 인계. 위기 사례 우선 확인",
    )
    .expect("handover");
    assert_eq!(report.moved, 300);
    assert!(cases_of(&lead, "박주무").is_empty());
    assert_eq!(cases_of(&lead, "이주무").len(), 300);

    // One audit row for the whole handover.
    let audit = lead.audit_rows(&Default::default()).expect("audit");
    assert_eq!(audit.len(), audit_before + 1);
    let row = audit.last().expect("row");
    assert_eq!(row.subject, format!("handover:{}", report.batch));
    assert_eq!(row.detail, "인계 300건 박주무 → 이주무");
    assert_eq!(row.resident_id, None);

    // One 인계 entry per case, all of one batch, written in one transaction: the op log holds
    // them (and the worker updates) as contiguous seqs.
    let conn = rusqlite::Connection::open(lead.path()).expect("raw");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM entries WHERE kind = 'handover' AND json_extract(data, '$.batch') = ?1",
            [&report.batch],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(n, 300);
    let (lo, hi, count): (i64, i64, i64) = conn
        .query_row(
            "SELECT min(seq), max(seq), count(*) FROM ops WHERE seq > ?1",
            [ops_before],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("ops");
    assert_eq!(hi - lo + 1, count, "contiguous");
    assert!(
        count >= 600,
        "an entry and a worker change per case: {count}"
    );
    let t = timeline::load(&lead, &ids[0]).expect("load");
    let h = t
        .items
        .iter()
        .find(|i| i.original.kind == EntryKind::Handover)
        .expect("handover entry");
    assert!(h.original.body.contains("박주무 → 이주무"));

    // The new worker sees them as 인계받음 until they write on one.
    drop(lead);
    let mut new = open_as(dir.path(), "a", "이주무");
    let got = new.handed_over(Scope::Mine).expect("handed over");
    assert_eq!(got.len(), 300);
    assert!(
        got.iter()
            .all(|h| h.from == "박주무" && h.note.contains("휴직"))
    );
    timeline::add_entry(
        &mut new,
        &ids[0],
        &NewEntry::plain(EntryKind::Call, "인사 전화"),
    )
    .expect("call");
    assert_eq!(
        new.handed_over(Scope::Mine).expect("handed over").len(),
        299
    );
}

#[test]
fn staff_hand_over_only_their_own_cases_and_a_failure_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = team_db(dir.path(), "a", "관리자");
    let mine = assign(&mut admin, "박주무", 3);
    let theirs = cases_of(&admin, "이주무");
    let other = admin
        .list_cases(&CaseFilter::default())
        .expect("cases")
        .into_iter()
        .find(|c| c.worker != "박주무")
        .expect("another worker's case")
        .id;
    drop(admin);
    let mut staff = open_as(dir.path(), "a", "박주무");
    // A note is required; the worker must exist.
    assert!(handover::hand_over(&mut staff, &mine, "이주무", " ").is_err());
    assert!(handover::hand_over(&mut staff, &mine, "없는사람", "메모").is_err());
    // Someone else's case in the set: refused, and none of the set moved.
    let mut set = mine.clone();
    set.push(other.clone());
    let err = handover::hand_over(&mut staff, &set, "이주무", "메모").expect_err("not theirs");
    assert!(err.to_string().contains("팀장"), "{err}");
    assert_eq!(cases_of(&staff, "박주무").len(), 3);
    // Their own: fine.
    let r = handover::hand_over(&mut staff, &mine[..2], "이주무", "전보").expect("own");
    assert_eq!(r.moved, 2);
    assert_eq!(cases_of(&staff, "이주무").len(), theirs.len() + 2);
}

#[test]
fn cli_handover_from_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut admin = team_db(dir.path(), "a", "관리자");
    assign(&mut admin, "kim", 5);
    admin
        .add_user("lee", dolbom::store::Role::Staff)
        .expect("lee");
    let db = admin.path().to_path_buf();
    drop(admin);
    let out = dolbom_at(&db)
        .env("DOLBOM_USER", "김팀장")
        .args([
            "timeline", "handover", "--from", "kim", "--to", "lee", "--note", "전보",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("인계 5건 → lee"));
    let store = open_as(dir.path(), "a", "관리자");
    assert!(cases_of(&store, "kim").is_empty());
    assert_eq!(cases_of(&store, "lee").len(), 5);
    // Without --from or --case: a usage error.
    let out = dolbom_at(&db)
        .args(["timeline", "handover", "--to", "lee", "--note", "x"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
