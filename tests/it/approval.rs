//! 결재 (issue #16 item 2): request → return → re-request → approve; no self-approval; only a
//! 팀장 decides; the stage gate and the centre setting; a lead's approval made at site B
//! arriving at site A through a bundle; and the 결재 대기 list's speed of plan.

use crate::common::sync::{base_time, export, import};
use dolbom::clock::Clock;
use dolbom::model::{EntryKind, Scope, Stage};
use dolbom::store::{OpenOptions, Role, Store};
use dolbom::timeline::approval::{self, ApprovalState};
use dolbom::timeline::rules::StageMove;
use dolbom::timeline::{self, CaseFilter};
use std::path::Path;

/// Opens `name.db` in `dir` as `operator` (the first operator of a file is admin).
pub fn open_as(dir: &Path, file: &str, operator: &str) -> Store {
    let mut opts = OpenOptions::new(operator);
    opts.site_name = Some(file.to_string());
    opts.clock = Clock::fixed(base_time());
    Store::open(&dir.join(format!("{file}.db")), &opts).expect("open")
}

/// A demo database at `dir/name.db` with 김팀장 (lead), 박주무 and 이주무 (staff); returns it
/// opened as `operator`.
pub fn team_db(dir: &Path, file: &str, operator: &str) -> Store {
    team_db_of(dir, file, operator, 150)
}

/// [`team_db`] with `residents` demo residents.
pub fn team_db_of(dir: &Path, file: &str, operator: &str, residents: usize) -> Store {
    {
        let mut admin = open_as(dir, file, "관리자");
        dolbom::demo::generate(
            &mut admin,
            &dolbom::demo::DemoOptions {
                residents,
                seed: 16,
            },
            &mut |_, _| {},
        )
        .expect("demo");
        admin.add_user("김팀장", Role::Lead).expect("lead");
        admin.add_user("박주무", Role::Staff).expect("staff");
        admin.add_user("이주무", Role::Staff).expect("staff");
    }
    open_as(dir, file, operator)
}

pub fn case_in(store: &Store, stage: Stage) -> String {
    store
        .list_cases(&CaseFilter {
            stage: Some(stage),
            ..CaseFilter::default()
        })
        .expect("cases")
        .first()
        .expect("a case in that stage")
        .id
        .clone()
}

fn mv(to: Stage) -> StageMove {
    StageMove {
        to,
        reason: String::new(),
        closure_reason: None,
    }
}

fn reopen(dir: &Path, store: Store, operator: &str) -> Store {
    let file = store
        .path()
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("stem")
        .to_string();
    drop(store);
    open_as(dir, &file, operator)
}

#[test]
fn roles_are_ordered_and_lead_round_trips() {
    assert!(Role::Staff < Role::Lead && Role::Lead < Role::Admin);
    assert!(Role::Admin >= Role::Lead);
    for r in [Role::Staff, Role::Lead, Role::Admin] {
        assert_eq!(Role::parse(r.as_str()), Some(r));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let lead = team_db(dir.path(), "a", "김팀장");
    assert_eq!(lead.role(), Role::Lead);
    assert!(
        lead.users()
            .expect("users")
            .contains(&("김팀장".to_string(), Role::Lead))
    );
}

#[test]
fn request_return_rerequest_approve_then_the_stage_moves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut worker = team_db(dir.path(), "a", "박주무");
    let case = case_in(&worker, Stage::Assessment);

    // The gate: no approval yet.
    let err = timeline::change_stage(&mut worker, &case, &mv(Stage::Conference))
        .expect_err("gate")
        .to_string();
    assert!(err.contains("욕구사정 결재가 없습니다"), "{err}");

    let req =
        approval::request(&mut worker, &case, Stage::Assessment, "조사 완료").expect("request");
    assert_eq!(req.kind, EntryKind::ApprovalRequest);
    // A second request while one waits is refused.
    assert!(approval::request(&mut worker, &case, Stage::Assessment, "").is_err());
    let err = timeline::change_stage(&mut worker, &case, &mv(Stage::Conference))
        .expect_err("still waiting")
        .to_string();
    assert!(err.contains("결재 대기 중"), "{err}");
    // A staff member may not decide.
    let err = approval::approve(&mut worker, &req.id, "").expect_err("staff");
    assert!(err.to_string().contains("팀장"), "{err}");

    let mut lead = reopen(dir.path(), worker, "김팀장");
    let pending = lead.pending_approvals(Scope::All).expect("pending");
    assert!(
        pending
            .iter()
            .any(|p| p.request_id == req.id && p.stage == Stage::Assessment)
    );
    // A return needs a comment.
    assert!(approval::send_back(&mut lead, &req.id, "  ").is_err());
    let ret = approval::send_back(&mut lead, &req.id, "가족관계 점수 근거 보완").expect("return");
    assert_eq!(ret.kind, EntryKind::ApprovalReturn);
    assert!(
        !lead
            .pending_approvals(Scope::All)
            .expect("pending")
            .iter()
            .any(|p| p.request_id == req.id)
    );
    // Deciding the same request twice is refused.
    assert!(approval::approve(&mut lead, &req.id, "").is_err());

    let mut worker = reopen(dir.path(), lead, "박주무");
    let err = timeline::change_stage(&mut worker, &case, &mv(Stage::Conference))
        .expect_err("returned")
        .to_string();
    assert!(err.contains("반려") && err.contains("근거 보완"), "{err}");
    let req2 = approval::request(&mut worker, &case, Stage::Assessment, "보완했습니다")
        .expect("re-request");

    let mut lead = reopen(dir.path(), worker, "김팀장");
    let ok = approval::approve(&mut lead, &req2.id, "확인").expect("approve");
    assert_eq!(ok.kind, EntryKind::ApprovalApprove);
    assert!(matches!(
        approval::state(&lead, &case, Stage::Assessment).expect("state"),
        ApprovalState::Approved(_)
    ));

    let mut worker = reopen(dir.path(), lead, "박주무");
    timeline::change_stage(&mut worker, &case, &mv(Stage::Conference)).expect("moves now");

    // Every step is on the timeline and in the audit log.
    let kinds: Vec<EntryKind> = timeline::load(&worker, &case)
        .expect("load")
        .items
        .iter()
        .map(|i| i.original.kind)
        .filter(|k| k.is_team_step())
        .collect();
    assert_eq!(
        kinds,
        vec![
            EntryKind::ApprovalRequest,
            EntryKind::ApprovalReturn,
            EntryKind::ApprovalRequest,
            EntryKind::ApprovalApprove
        ]
    );
    let audit = worker.audit_rows(&Default::default()).expect("audit");
    for word in [
        "approval_request:assessment",
        "approval_return:assessment",
        "approval_approve:assessment",
    ] {
        assert!(
            audit.iter().any(|r| r.detail.starts_with(word)),
            "audit has {word}"
        );
    }
    // Refusals are audited too (the staff member's attempt).
    assert!(
        audit
            .iter()
            .any(|r| r.action == "거부" && r.detail.contains("lead only"))
    );
}

#[test]
fn nobody_approves_their_own_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lead = team_db(dir.path(), "a", "김팀장");
    let case = case_in(&lead, Stage::Planning);
    let req = approval::request(&mut lead, &case, Stage::Planning, "").expect("request");
    let err = approval::approve(&mut lead, &req.id, "").expect_err("self");
    assert!(err.to_string().contains("자기 결재 요청"), "{err}");
    let err = approval::send_back(&mut lead, &req.id, "x").expect_err("self");
    assert!(err.to_string().contains("자기 결재 요청"), "{err}");
    assert!(
        lead.pending_approvals(Scope::All)
            .expect("pending")
            .iter()
            .any(|p| p.request_id == req.id),
        "still waiting for another lead"
    );
    // The admin (another person) may approve.
    let mut admin = reopen(dir.path(), lead, "관리자");
    approval::approve(&mut admin, &req.id, "").expect("admin approves");
}

#[test]
fn closing_needs_approval_and_the_centre_can_turn_it_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut worker = team_db(dir.path(), "a", "박주무");
    let case = case_in(&worker, Stage::Monitoring);
    let close = StageMove {
        to: Stage::Closed,
        reason: String::new(),
        closure_reason: Some("목표 달성".into()),
    };
    let err = timeline::change_stage(&mut worker, &case, &close).expect_err("gate");
    assert!(err.to_string().contains("종결 결재"), "{err}");
    // Going back a stage needs no approval.
    let planning = case_in(&worker, Stage::Planning);
    timeline::change_stage(
        &mut worker,
        &planning,
        &StageMove {
            to: Stage::Selection,
            reason: "계획 재수립".into(),
            closure_reason: None,
        },
    )
    .expect("backward move is not gated");
    // Staff may not change the setting.
    assert!(approval::set_required_stages(&worker, &[]).is_err());

    let lead = reopen(dir.path(), worker, "김팀장");
    approval::set_required_stages(&lead, &[Stage::Assessment]).expect("setting");
    assert_eq!(
        approval::required_stages(&lead).expect("read"),
        vec![Stage::Assessment]
    );
    let mut worker = reopen(dir.path(), lead, "박주무");
    timeline::change_stage(&mut worker, &case, &close).expect("종결 결재 off");
    // 종결 결재 can no longer be requested; 욕구사정 still gates.
    let open = case_in(&worker, Stage::Monitoring);
    assert!(approval::request(&mut worker, &open, Stage::Closed, "").is_err());
    let a = case_in(&worker, Stage::Assessment);
    assert!(timeline::change_stage(&mut worker, &a, &mv(Stage::Conference)).is_err());

    let lead = reopen(dir.path(), worker, "김팀장");
    approval::set_required_stages(&lead, &[]).expect("off");
    let mut worker = reopen(dir.path(), lead, "박주무");
    timeline::change_stage(&mut worker, &a, &mv(Stage::Conference)).expect("approval off");
}

#[test]
fn a_lead_at_site_b_approves_and_the_approval_arrives_at_site_a() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = team_db(dir.path(), "a", "박주무");
    let case = case_in(&a, Stage::Planning);
    let req = approval::request(&mut a, &case, Stage::Planning, "계획 결재 부탁드립니다")
        .expect("request");

    // Site B starts from A's full bundle; its lead approves there.
    // B's first operator is its admin (who alone may import); the lead is added by them.
    let mut b = open_as(dir.path(), "b", "관리자");
    let full = export(&a, None, true, &dir.path().join("a-full.bundle"));
    import(&mut b, &full).expect("import at B");
    b.add_user("김팀장", Role::Lead).expect("lead at B");
    let mut b = reopen(dir.path(), b, "김팀장");
    assert_eq!(b.role(), Role::Lead);
    let pending = b.pending_approvals(Scope::All).expect("pending at B");
    assert!(pending.iter().any(|p| p.request_id == req.id));
    approval::approve(&mut b, &req.id, "승인합니다").expect("approve at B");

    // Before the bundle, A still waits.
    assert!(timeline::change_stage(&mut a, &case, &mv(Stage::Monitoring)).is_err());
    let back = export(&b, Some(&a.site().id), false, &dir.path().join("b.bundle"));
    // B is a new site to A: trusting it is the admin's step (#13); the worker goes on after.
    let mut admin_a = reopen(dir.path(), a, "관리자");
    let report = import(&mut admin_a, &back).expect("import at A");
    assert!(report.applied > 0);
    let mut a = reopen(dir.path(), admin_a, "박주무");
    assert!(matches!(
        approval::state(&a, &case, Stage::Planning).expect("state"),
        ApprovalState::Approved(e) if e.author == "김팀장"
    ));
    assert!(
        !a.pending_approvals(Scope::All)
            .expect("pending at A")
            .iter()
            .any(|p| p.request_id == req.id)
    );
    timeline::change_stage(&mut a, &case, &mv(Stage::Monitoring)).expect("gate opens at A");
}

#[test]
fn team_lists_use_their_indexes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = team_db(dir.path(), "a", "김팀장");
    for (name, plan) in store.team_query_plans().expect("plans") {
        let text = plan.join("\n");
        // Only the small `approval_pending` table, or a partial index, is ever scanned.
        for line in &plan {
            assert!(
                !line.starts_with("SCAN ") || line.contains("USING") || line == "SCAN p",
                "{name} scans: {text}"
            );
        }
        if name == "pending_approvals" {
            assert!(text.contains("SCAN p"), "{text}");
        } else {
            assert!(text.contains("USING INDEX entries_"), "{name}: {text}");
        }
    }
}

/// Entries may arrive by sync in any order: a decision that arrives before its request keeps
/// the request off the 결재 대기 list.
#[test]
fn a_decision_arriving_before_its_request_keeps_the_queue_right() {
    use dolbom::model::Entry;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = team_db(dir.path(), "a", "김팀장");
    let case = case_in(&store, Stage::Assessment);
    let entry = |id: &str, kind: EntryKind, data: serde_json::Value| Entry {
        id: id.to_string(),
        case_id: case.clone(),
        kind,
        author: "원격".into(),
        at: "2025-03-01 08:00".into(),
        body: String::new(),
        due_on: None,
        data,
        corrects: None,
        voids: false,
    };
    let req = uuid::Uuid::now_v7().to_string();
    let dec = uuid::Uuid::now_v7().to_string();
    let mut tx = store.write().expect("tx");
    tx.insert_entry(&entry(
        &dec,
        EntryKind::ApprovalApprove,
        serde_json::json!({ "stage": "assessment", "request": req }),
    ))
    .expect("decision first");
    tx.insert_entry(&entry(
        &req,
        EntryKind::ApprovalRequest,
        serde_json::json!({ "stage": "assessment" }),
    ))
    .expect("then the request");
    tx.commit().expect("commit");
    assert!(
        store
            .pending_approvals(Scope::All)
            .expect("list")
            .is_empty()
    );
    assert!(matches!(
        approval::state(&store, &case, Stage::Assessment).expect("state"),
        ApprovalState::Approved(_)
    ));
    let _ = &mut store;
}

/// The 결재 대기 list at scale (issue #16: ≤ 20 ms at 100k residents). Ignored: it needs a big
/// database. Make one, run, and delete it:
///
/// ```text
/// DOLBOM_NOW=2026-03-01T10:00:00 dolbom --db target/big.db --user 관리자 demo --residents 100000 --no-tui
/// DOLBOM_BENCH_DB=target/big.db cargo test --test it approval::pending_list_at_scale -- --ignored --nocapture
/// rm target/big.db*
/// ```
///
/// It asks for 결재 on every case in 욕구·위기도 조사 and 계획 (~3,400 requests at 100k residents,
/// far beyond a real centre's backlog) and times the list with all of them waiting (reported);
/// then a lead decides nine in ten and the list is timed again (asserted ≤ 20 ms, median of 21).
#[test]
#[ignore]
fn pending_list_at_scale() {
    let Some(path) = std::env::var_os("DOLBOM_BENCH_DB").map(std::path::PathBuf::from) else {
        eprintln!("DOLBOM_BENCH_DB not set");
        return;
    };
    // The demo's own clock (see the command above).
    let now = dolbom::clock::parse_datetime("2026-03-01T10:00:00").expect("time");
    let open = |user: &str| {
        let mut o = OpenOptions::new(user);
        o.clock = Clock::fixed(now);
        Store::open(&path, &o).expect("open")
    };
    let admin = open("관리자");
    admin.add_user("김팀장", Role::Lead).expect("lead");
    drop(admin);
    let time = |scope: Scope, who: &str| {
        let store = open(who);
        let n = store.pending_approvals(scope).expect("warm").len();
        let mut times: Vec<std::time::Duration> = (0..21)
            .map(|_| {
                let t = std::time::Instant::now();
                std::hint::black_box(store.pending_approvals(scope).expect("list"));
                t.elapsed()
            })
            .collect();
        times.sort();
        eprintln!(
            "결재 대기 {scope:?} ({who}): {n} rows, median {:.2?}, max {:.2?}",
            times[10], times[20]
        );
        times[10]
    };
    let mut worker = open("박주무");
    if worker
        .pending_approvals(Scope::All)
        .expect("list")
        .is_empty()
    {
        let started = std::time::Instant::now();
        let (mut made, mut refused) = (0, 0);
        for stage in [Stage::Assessment, Stage::Planning] {
            for c in worker
                .list_cases(&CaseFilter {
                    stage: Some(stage),
                    ..CaseFilter::default()
                })
                .expect("cases")
            {
                match approval::request(&mut worker, &c.id, stage, "") {
                    Ok(_) => made += 1,
                    Err(_) => refused += 1,
                }
            }
        }
        eprintln!(
            "seeded {made} requests ({refused} refused) in {:.1?}",
            started.elapsed()
        );
    }
    drop(worker);
    let lead = open("김팀장");
    eprintln!("{:#?}", lead.team_query_plans().expect("plans")[0]);
    drop(lead);
    time(Scope::All, "김팀장");
    let mut lead = open("김팀장");
    let pending = lead.pending_approvals(Scope::All).expect("list");
    if pending.len() > 1000 {
        let started = std::time::Instant::now();
        for (i, p) in pending.iter().enumerate() {
            if i % 10 != 0 {
                let r = if i % 3 == 0 {
                    approval::send_back(&mut lead, &p.request_id, "보완")
                } else {
                    approval::approve(&mut lead, &p.request_id, "")
                };
                r.expect("decide");
            }
        }
        eprintln!("decided nine in ten in {:.1?}", started.elapsed());
    }
    drop(lead);
    let all = time(Scope::All, "김팀장");
    let mine = time(Scope::Mine, "장민재");
    assert!(all.as_millis() <= 20, "median {all:?}");
    assert!(mine.as_millis() <= 20, "median {mine:?}");
}
