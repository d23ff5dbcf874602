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
        assert!(
            !text.contains("SCAN e") && !text.contains("SCAN n") && !text.contains("SCAN c"),
            "{name} scans: {text}"
        );
        assert!(text.contains("USING INDEX entries_"), "{name}: {text}");
    }
}
