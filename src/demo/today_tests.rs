//! 오늘 from the tables migration V_TODAY maintains, against the per-case computation they
//! replaced (`store::today::reference`), on varied databases: a seeded demo, a second site's
//! demo merged in by a bundle, corrections, voids, hand-overs, stage moves, renames, deletes and
//! a retention purge; and random write sequences checked against a from-scratch recompute.
//! (Here rather than in `store`, whose layer may not use the demo, sync or timeline code.)

use super::{DemoOptions, generate};
use crate::clock::{Clock, parse_datetime};
use crate::model::{Scope, Stage, TodayFacts};
use crate::store::{OpenOptions, Store, Val, today_reference as reference};
use crate::timeline::due;
use chrono::{Duration, NaiveDate};
use std::path::Path;

fn open(path: &Path, user: &str, now: &str) -> Store {
    let mut opts = OpenOptions::new(user);
    opts.clock = Clock::fixed(parse_datetime(now).expect("time"));
    Store::open(path, &opts).expect("open")
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The facts with each case's stage changes in one order (the old query gave them in the
/// order of whichever index the planner chose; the rules take their maximum).
fn normalized(mut f: TodayFacts) -> TodayFacts {
    for s in &mut f.stages {
        s.entered.sort();
    }
    f.stages.sort_by(|a, b| a.case.case_id.cmp(&b.case.case_id));
    f.referrals.sort_by(|a, b| {
        (&a.requested_on, &a.case.case_id, &a.referral_id).cmp(&(
            &b.requested_on,
            &b.case.case_id,
            &b.referral_id,
        ))
    });
    f.contacts.sort_by(|a, b| {
        (a.case.case_id.as_str(), a.stage.code()).cmp(&(b.case.case_id.as_str(), b.stage.code()))
    });
    f
}

/// Facts, lists, stage counts and the weekly chart for `scope` on each day: the maintained
/// tables' against the old computation. Returns how many list items were compared.
fn compare(store: &Store, scope: Scope, days: &[NaiveDate]) -> usize {
    let mut items = 0;
    for &today in days {
        let referral_before = day(today - Duration::days(due::REFERRAL_WAIT_DAYS));
        let mut old = reference::facts(store, scope, &day(today), &referral_before).expect("old");
        // Referrals of one day came in no set order before; now by case, then id.
        old.referrals.sort_by(|a, b| {
            (&a.requested_on, &a.case.case_id, &a.referral_id).cmp(&(
                &b.requested_on,
                &b.case.case_id,
                &b.referral_id,
            ))
        });
        let new = crate::timeline::ops::today_facts(store, scope, today).expect("new");
        assert_eq!(
            old.follow_ups, new.follow_ups,
            "{scope:?} {today}: follow-ups"
        );
        let (old_lists, new_lists) = (due::compute(&old, today), due::compute(&new, today));
        assert_eq!(old_lists, new_lists, "{scope:?} {today}: lists");
        let built = crate::timeline::ops::today_at(store, scope, today).expect("rows");
        assert_eq!(old_lists, built, "{scope:?} {today}: lists from the rows");
        assert_pages(store, scope, today, &built);
        items += new_lists
            .sections()
            .iter()
            .map(|(_, l)| l.len())
            .sum::<usize>();
        let (old, new) = (normalized(old), normalized(new));
        assert_eq!(old.stages, new.stages, "{scope:?} {today}: stages");
        assert_eq!(old.contacts, new.contacts, "{scope:?} {today}: contacts");
        assert_eq!(old.referrals, new.referrals, "{scope:?} {today}: referrals");
        for i in 0..due::CHART_WEEKS {
            let (from, to) = due::week_range(today, i);
            assert_eq!(
                reference::entries_between(store, scope, &day(from), &day(to)).expect("old"),
                store
                    .entries_between(scope, &day(from), &day(to))
                    .expect("new"),
                "{scope:?} {today}: week {i}"
            );
        }
    }
    assert_eq!(
        reference::cases_by_stage(store, scope).expect("old"),
        store.cases_by_stage(scope).expect("new"),
        "{scope:?}: by stage"
    );
    items
}

/// The whole lists cut to their first `cap` items, with the whole lists' counts.
fn first_of(full: &due::Today, cap: usize) -> due::Today {
    let cut = |v: &Vec<due::DueItem>| v.iter().take(cap).cloned().collect::<Vec<_>>();
    due::Today {
        due_today: cut(&full.due_today),
        overdue: cut(&full.overdue),
        deadlines: cut(&full.deadlines),
        no_contact: cut(&full.no_contact),
        aftercare: cut(&full.aftercare),
        referrals: cut(&full.referrals),
        counts: full.counts,
    }
}

/// A page of the 오늘 lists (what the pane shows) is the whole lists' first items, with
/// their counts; the counts are the lists' lengths, overdue items counted as the whole lists
/// have them.
fn assert_pages(store: &Store, scope: Scope, today: NaiveDate, full: &due::Today) {
    for ((_, items), count) in full.sections().iter().zip(full.counts) {
        assert_eq!(count.items, items.len(), "{scope:?} {today}: count");
        let overdue = items.iter().filter(|i| i.is_overdue()).count();
        assert_eq!(count.overdue, overdue, "{scope:?} {today}: overdue");
    }
    for cap in [0, 1, 3, 40, usize::MAX] {
        let page = crate::timeline::ops::today_page_at(store, scope, today, cap).expect("page");
        assert_eq!(
            page,
            first_of(full, cap),
            "{scope:?} {today}: page of {cap}"
        );
        assert_eq!(page.overdue_count(), full.overdue_count());
        assert_eq!(page.is_partial(), first_of(full, cap) != *full);
    }
}

/// The maintained tables equal a from-scratch recompute.
fn assert_fresh(store: &Store, what: &str) {
    let kept = reference::dump(store).expect("dump");
    let fresh = reference::rebuilt(store).expect("rebuild");
    if kept != fresh {
        let only_kept: Vec<_> = kept.iter().filter(|l| !fresh.contains(l)).collect();
        let only_fresh: Vec<_> = fresh.iter().filter(|l| !kept.contains(l)).collect();
        panic!(
            "{what}: maintained rows differ\nonly maintained: {only_kept:#?}\nonly fresh: {only_fresh:#?}"
        );
    }
}

fn column(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn_for_tests().prepare(sql).expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .expect("query")
}

fn entry(
    tx: &mut crate::store::Tx<'_>,
    case_id: &str,
    kind: &str,
    at: &str,
    due_on: Option<&str>,
    corrects: Option<(&str, bool)>,
    data: &str,
) -> String {
    let (corrects, voids) = corrects.map_or((None, false), |(id, v)| (Some(id), v));
    let id = uuid::Uuid::now_v7().to_string();
    tx.insert(
        "entries",
        &id,
        &[
            ("case_id", case_id.into()),
            ("kind", kind.into()),
            ("author", "시험자".into()),
            ("at", at.into()),
            ("body", format!("{kind} {at}\n둘째 줄").into()),
            ("due_on", Val::opt(due_on)),
            ("data", data.into()),
            ("corrects", Val::opt(corrects)),
            ("voids", Val::Int(i64::from(voids))),
        ],
    )
    .expect("entry");
    id
}

#[test]
fn maintained_today_matches_the_per_case_computation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = "2026-03-01T10:00:00";
    let a_path = dir.path().join("a.db");
    let mut a = open(&a_path, "박지현", now);
    generate(
        &mut a,
        &DemoOptions {
            residents: 400,
            seed: 11,
        },
        &mut |_, _| {},
    )
    .expect("demo a");
    // Everything reaches a second site by a bundle (the sync merge, not the form path, keeps
    // its tables), which corrects and voids there and sends that back.
    let mut b = open(&dir.path().join("b.db"), "박지현", "2026-03-01T11:00:00");
    let export = |from: &Store, name: &str| {
        let out = dir.path().join(name);
        crate::sync::export_bundle(
            from,
            &crate::sync::ExportOptions {
                out: out.clone(),
                to: None,
                full: true,
                encryption: crate::sync::bundle::Encryption::Plain,
            },
            &mut |_| {},
        )
        .expect("export");
        out
    };
    let opts = crate::sync::ImportOptions {
        trust: true,
        ..crate::sync::ImportOptions::default()
    };
    crate::sync::import_bundle(&mut b, &export(&a, "a.bundle"), &opts, &mut |_, _| {})
        .expect("import into b");
    assert_fresh(&b, "after the import");
    for id in column(
        &b,
        "SELECT id FROM entries WHERE corrects IS NULL AND kind <> 'stage_change' AND (due_on IS NOT NULL OR kind IN ('call', 'visit', 'office_visit')) ORDER BY hlc DESC LIMIT 40",
    )
    .iter()
    .step_by(3)
    {
        crate::timeline::void_entry(&mut b, id, "다른 곳에서 무효").expect("void in b");
    }
    crate::sync::import_bundle(&mut a, &export(&b, "b.bundle"), &opts, &mut |_, _| {})
        .expect("import into a");
    assert_fresh(&a, "after demo and import");

    // Voids of the latest contacts (the one before counts again), corrections of follow-ups
    // (new dates, voids), hand-overs, stage moves, a rename, a deleted case.
    let latest_contacts = column(
        &a,
        "SELECT (SELECT x.id FROM entries x WHERE x.case_id = c.id AND x.corrects IS NULL
                   AND x.kind IN ('visit', 'call', 'office_visit', 'monitoring') AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = x.id)
                 ORDER BY x.at DESC LIMIT 1)
         FROM cases c WHERE c.stage = 'monitoring' AND c.deleted = 0 LIMIT 60",
    );
    for id in latest_contacts.iter().step_by(2) {
        crate::timeline::void_entry(&mut a, id, "잘못 입력").expect("void contact");
    }
    let follow_ups = column(
        &a,
        "SELECT id FROM entries e WHERE due_on IS NOT NULL AND corrects IS NULL AND kind <> 'stage_change' AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = e.id) ORDER BY id LIMIT 90",
    );
    for (i, id) in follow_ups.iter().enumerate() {
        match i % 3 {
            0 => {
                crate::timeline::void_entry(&mut a, id, "취소").expect("void follow-up");
            }
            1 => {
                let on = NaiveDate::from_ymd_opt(2026, 2, 1 + (i % 27) as u32);
                crate::timeline::correct_entry(&mut a, id, "날짜 정정", on).expect("correct");
            }
            _ => {
                crate::timeline::correct_entry(&mut a, id, "기한 없음", None).expect("correct");
            }
        }
    }
    let cases = column(
        &a,
        "SELECT id FROM cases WHERE deleted = 0 ORDER BY id LIMIT 40",
    );
    let resident = column(&a, "SELECT resident_id FROM cases ORDER BY id LIMIT 1");
    crate::timeline::handover::hand_over(&mut a, &cases[..10], "박지현", "휴직 인계")
        .expect("hand over");
    {
        let mut tx = a.write().expect("tx");
        for (i, id) in cases[10..].iter().enumerate() {
            let stage = [
                Stage::Closed,
                Stage::Monitoring,
                Stage::Intake,
                Stage::Conference,
            ][i % 4];
            tx.update("cases", id, &[("stage", stage.code().into())])
                .expect("stage");
            if i % 5 == 0 {
                tx.update("cases", id, &[("aftercare_on", "2026-02-10".into())])
                    .expect("aftercare");
            }
        }
        tx.delete("cases", &cases[30]).expect("delete case");
        tx.update("residents", &resident[0], &[("name", "이름바꿈".into())])
            .expect("rename");
        tx.commit().expect("commit");
    }
    assert_fresh(&a, "after corrections and moves");

    // A retention purge of a few cases (and their entries), as a peer's purge op applies it.
    {
        let purge: Vec<(String, String)> = column(
            &a,
            "SELECT id FROM cases WHERE stage IN ('closed', 'aftercare') ORDER BY id LIMIT 5",
        )
        .into_iter()
        .map(|id| ("cases".to_string(), id))
        .chain(
            column(&a, "SELECT id FROM entries e WHERE kind = 'visit' AND NOT EXISTS (SELECT 1 FROM entries k WHERE k.corrects = e.id) ORDER BY id LIMIT 5")
                .into_iter()
                .map(|id| ("entries".to_string(), id)),
        )
        .collect();
        let tx = a.write().expect("tx");
        let who = crate::store::sync::Actor {
            operator: "박지현",
            host: "test",
            at: "2026-03-01 10:00",
        };
        tx.apply_purge("peer", &purge, &who).expect("purge");
        tx.commit().expect("commit");
    }
    assert_fresh(&a, "after a purge");

    let days: Vec<NaiveDate> = ["2025-12-15", "2026-02-10", "2026-03-01", "2026-04-20"]
        .iter()
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("day"))
        .collect();
    let all = compare(&a, Scope::All, &days);
    assert!(all > 100, "a varied database lists things: {all}");
    let workers = column(
        &a,
        "SELECT worker FROM cases WHERE deleted = 0 GROUP BY worker ORDER BY count(*) DESC LIMIT 3",
    );
    let mut mine = 0;
    for w in workers.iter().chain(std::iter::once(&"박지현".to_string())) {
        let store = open(&a_path, w, now);
        mine += compare(&store, Scope::Mine, &days);
    }
    assert!(mine > 0, "someone's own list is not empty");
}

/// A small deterministic generator (xorshift), so a failing sequence replays from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

#[test]
fn random_writes_keep_the_tables_equal_to_a_recompute() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir.path().join("p.db"), "박지현", "2026-03-01T10:00:00");
    generate(
        &mut store,
        &DemoOptions {
            residents: 30,
            seed: 2,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let kinds = [
        "visit",
        "call",
        "office_visit",
        "monitoring",
        "initial_consult",
        "assessment",
        "memo",
        "plan",
        "stage_change",
        "conference",
    ];
    let stages: Vec<&str> = Stage::ALL.iter().map(|s| s.code()).collect();
    let workers = ["박지현", "김서연", "이도윤"];
    let days = [
        "2026-01-05",
        "2026-02-01",
        "2026-02-01",
        "2026-02-20",
        "2026-03-01",
        "2026-03-09",
    ];
    let check_days: Vec<NaiveDate> = ["2026-02-15", "2026-03-01"]
        .iter()
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("day"))
        .collect();
    for seed in 1..=6u64 {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491));
        for step in 0..40 {
            let cases = column(&store, "SELECT id FROM cases ORDER BY id");
            let entries = column(
                &store,
                "SELECT id || '|' || case_id || '|' || kind FROM entries ORDER BY id DESC LIMIT 200",
            );
            let residents = column(
                &store,
                "SELECT id || '|' || resident_id FROM cases ORDER BY id",
            );
            let case = rng.pick(&cases).clone();
            let at = format!(
                "{} {:02}:{:02}",
                rng.pick(&days),
                9 + rng.below(3),
                rng.below(2) * 30
            );
            let due = [
                None,
                Some("2026-02-01"),
                Some("2026-02-25"),
                Some("2026-03-01"),
                Some("2026-03-20"),
            ];
            let mut tx = store.write().expect("tx");
            // One to three writes per transaction.
            for _ in 0..1 + rng.below(3) {
                match rng.below(10) {
                    0..=3 => {
                        let kind = *rng.pick(&kinds);
                        let data = if kind == "stage_change" {
                            format!("{{\"to\": \"{}\"}}", rng.pick(&stages))
                        } else {
                            "{}".to_string()
                        };
                        entry(&mut tx, &case, kind, &at, *rng.pick(&due), None, &data);
                    }
                    4 | 5 => {
                        // A correction or a void of a recent entry (of its own case).
                        let picked = rng.pick(&entries).clone();
                        let mut parts = picked.split('|');
                        let target = parts.next().unwrap_or_default().to_string();
                        let of_case = parts.next().unwrap_or_default().to_string();
                        let kind = parts.next().unwrap_or_default().to_string();
                        let voids = rng.below(2) == 0;
                        let due = if voids { None } else { *rng.pick(&due) };
                        entry(
                            &mut tx,
                            &of_case,
                            &kind,
                            &at,
                            due,
                            Some((&target, voids)),
                            "{}",
                        );
                    }
                    6 => {
                        tx.update("cases", &case, &[("stage", (*rng.pick(&stages)).into())])
                            .expect("stage");
                    }
                    7 => {
                        tx.update("cases", &case, &[("worker", (*rng.pick(&workers)).into())])
                            .expect("worker");
                    }
                    8 => {
                        let on = [Val::Null, "2026-02-01".into(), "2026-03-15".into()];
                        tx.update("cases", &case, &[("aftercare_on", rng.pick(&on).clone())])
                            .expect("aftercare");
                    }
                    _ => {
                        if rng.below(4) == 0 {
                            tx.delete("cases", &case).expect("delete");
                        } else {
                            let rid = residents
                                .iter()
                                .find_map(|l| l.strip_prefix(&format!("{case}|")))
                                .unwrap_or_default()
                                .to_string();
                            tx.update("residents", &rid, &[("name", format!("주민{step}").into())])
                                .expect("rename");
                        }
                    }
                }
            }
            tx.commit().expect("commit");
            if step % 10 == 9 {
                assert_fresh(&store, &format!("seed {seed} step {step}"));
            }
        }
        // A purge of some entries and a case, as a peer's purge op applies it.
        let victims: Vec<(String, String)> =
            column(&store, "SELECT id FROM entries ORDER BY id DESC LIMIT 3")
                .into_iter()
                .map(|id| ("entries".to_string(), id))
                .chain(std::iter::once((
                    "cases".to_string(),
                    rng.pick(&column(&store, "SELECT id FROM cases ORDER BY id"))
                        .clone(),
                )))
                .collect();
        let tx = store.write().expect("tx");
        let who = crate::store::sync::Actor {
            operator: "박지현",
            host: "test",
            at: "2026-03-01 10:00",
        };
        tx.apply_purge("peer", &victims, &who).expect("purge");
        tx.commit().expect("commit");
        assert_fresh(&store, &format!("seed {seed} after a purge"));
        compare(&store, Scope::All, &check_days);
        compare(&store, Scope::Mine, &check_days);
    }
}
