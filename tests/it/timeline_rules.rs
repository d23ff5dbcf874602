//! Stage rules: the table of moves, what each needs, and stage changes through the store.

use chrono::NaiveDate;
use dolbom::clock::Clock;
use dolbom::model::{EntryKind, Stage};
use dolbom::store::{OpenOptions, Store};
use dolbom::timeline::rules::{
    self, AFTERCARE_DAYS, CLOSURE_REASONS, Move, RuleError, StageMove, check_move,
    referral_move_ok, validate,
};
use dolbom::timeline::{self, CaseFilter};

use Stage::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn mv(to: Stage, reason: &str, closure: Option<&str>) -> StageMove {
    StageMove {
        to,
        reason: reason.to_string(),
        closure_reason: closure.map(String::from),
    }
}

#[test]
fn regular_path_is_allowed_without_reason() {
    let allowed = [
        (Discovery, InitialConsult),
        (InitialConsult, Intake),
        (Intake, Assessment),
        (Assessment, Conference),
        (Conference, Selection),
        (Selection, Planning),
        (Planning, Monitoring),
        (Monitoring, Reassessment),
        (Reassessment, Planning),
        (Reassessment, Monitoring),
        // 서비스연계 track.
        (InitialConsult, Linkage),
        (Selection, Linkage),
        (Linkage, Monitoring),
        (Closed, Aftercare),
    ];
    for (from, to) in allowed {
        assert_eq!(check_move(from, to), Move::Allowed, "{from:?} → {to:?}");
        let effect = validate(from, &mv(to, "", None), day(2026, 3, 1)).expect("allowed");
        assert_eq!(effect.close, None);
        assert!(!effect.reopen);
    }
}

#[test]
fn out_of_order_moves_need_a_reason() {
    let skips = [
        (Discovery, Intake),
        (Intake, Planning),
        (Assessment, Selection),
        (Monitoring, Planning),
        (Planning, Assessment),
        (Linkage, Planning),
        (Conference, Intake),
    ];
    for (from, to) in skips {
        assert_eq!(check_move(from, to), Move::NeedsReason, "{from:?} → {to:?}");
        let err = validate(from, &mv(to, "  ", None), day(2026, 3, 1)).expect_err("needs reason");
        assert!(matches!(err, RuleError::NeedsReason { .. }), "{err}");
        let ok = validate(
            from,
            &mv(to, "긴급지원으로 사례회의 생략", None),
            day(2026, 3, 1),
        );
        assert_eq!(ok.expect("with reason").kind, Move::NeedsReason);
    }
}

#[test]
fn every_pair_has_one_verdict() {
    for from in Stage::ALL {
        for to in Stage::ALL {
            let m = check_move(from, to);
            match (from == to, from.is_open(), to.is_open()) {
                (true, _, _) => assert_eq!(m, Move::Unchanged),
                (false, true, false) => assert_eq!(m, Move::Close),
                (false, false, true) => assert_eq!(m, Move::Reopen),
                _ => assert!(matches!(m, Move::Allowed | Move::NeedsReason)),
            }
            if m == Move::Allowed {
                assert!(rules::next_stages(from).contains(&to));
            }
        }
    }
}

#[test]
fn closing_needs_a_known_closure_reason_and_sets_aftercare() {
    let today = day(2026, 12, 31);
    for from in [Discovery, InitialConsult, Monitoring, Reassessment] {
        assert_eq!(check_move(from, Closed), Move::Close);
        assert_eq!(
            validate(from, &mv(Closed, "사유", None), today),
            Err(RuleError::NeedsClosureReason)
        );
        assert!(matches!(
            validate(from, &mv(Closed, "", Some("몰라요")), today),
            Err(RuleError::UnknownClosureReason(_))
        ));
        assert_eq!(
            validate(from, &mv(Closed, "", Some("기타")), today),
            Err(RuleError::OtherNeedsNote)
        );
    }
    // 초기상담 → 종결 for 거부: a sensible skip, the closure reason is the reason.
    let effect = validate(InitialConsult, &mv(Closed, "", Some("거부")), today).expect("close");
    let (closed_on, reason, aftercare_on) = effect.close.expect("closure");
    assert_eq!(closed_on, today);
    assert_eq!(reason, "거부");
    assert_eq!(aftercare_on, day(2027, 3, 31));
    assert_eq!((aftercare_on - closed_on).num_days(), AFTERCARE_DAYS);
    // 서비스연계 track: 점검 → 사후관리 closes the case too.
    assert_eq!(check_move(Monitoring, Aftercare), Move::Close);
    for reason in CLOSURE_REASONS {
        let note = if reason == "기타" {
            "본인 요청"
        } else {
            ""
        };
        assert!(validate(Monitoring, &mv(Closed, note, Some(reason)), today).is_ok());
    }
}

#[test]
fn reopening_needs_a_reason_and_same_stage_is_refused() {
    let today = day(2028, 2, 29);
    assert_eq!(check_move(Closed, Intake), Move::Reopen);
    assert_eq!(check_move(Aftercare, Monitoring), Move::Reopen);
    assert_eq!(
        validate(Closed, &mv(Intake, "", None), today),
        Err(RuleError::ReopenNeedsReason)
    );
    let effect = validate(Aftercare, &mv(Monitoring, "위기 재발", None), today).expect("reopen");
    assert!(effect.reopen);
    assert!(matches!(
        validate(Monitoring, &mv(Monitoring, "x", None), today),
        Err(RuleError::Unchanged(_))
    ));
}

#[test]
fn referral_status_moves() {
    assert!(referral_move_ok("의뢰", "접수"));
    assert!(referral_move_ok("접수", "제공 중"));
    assert!(referral_move_ok("제공 중", "완료"));
    assert!(referral_move_ok("의뢰", "제공 중"));
    assert!(referral_move_ok("의뢰", "거절"));
    assert!(referral_move_ok("제공 중", "거절"));
    assert!(!referral_move_ok("접수", "의뢰"));
    assert!(!referral_move_ok("완료", "거절"));
    assert!(!referral_move_ok("거절", "접수"));
    assert!(!referral_move_ok("의뢰", "의뢰"));
    assert!(!referral_move_ok("의뢰", "아무거나"));
}

fn demo_store(dir: &std::path::Path, now: &str) -> Store {
    let mut opts = OpenOptions::new("박지현");
    opts.clock = Clock::fixed(dolbom::clock::parse_datetime(now).expect("time"));
    let mut store = Store::open(&dir.join("t.db"), &opts).expect("open");
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
            residents: 200,
            seed: 3,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    store
}

#[test]
fn stage_change_writes_entry_case_and_audit_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = demo_store(dir.path(), "2028-02-29T11:00:00");
    let case = store
        .list_cases(&CaseFilter {
            stage: Some(Monitoring),
            ..CaseFilter::default()
        })
        .expect("cases")
        .remove(0);
    // 결재 is its own test (approval.rs): this centre has it off.
    timeline::approval::set_required_stages(&store, &[]).expect("approval off");
    let audit_before = store.audit_rows(&Default::default()).expect("audit").len();

    // Refused: no closure reason. Nothing is written.
    let err = timeline::change_stage(&mut store, &case.id, &mv(Closed, "", None));
    assert!(err.is_err());
    assert_eq!(
        store.case_header(&case.id).expect("case").case.stage,
        Monitoring
    );
    assert_eq!(
        store.audit_rows(&Default::default()).expect("audit").len(),
        audit_before
    );

    let entry = timeline::change_stage(&mut store, &case.id, &mv(Closed, "", Some("목표 달성")))
        .expect("close");
    assert_eq!(entry.kind, EntryKind::StageChange);
    assert_eq!(entry.data["from"], "monitoring");
    assert_eq!(entry.data["to"], "closed");
    assert_eq!(entry.data["closure_reason"], "목표 달성");
    let c = store.case_header(&case.id).expect("case").case;
    assert_eq!(c.stage, Closed);
    assert_eq!(c.closed_on.as_deref(), Some("2028-02-29"));
    assert_eq!(c.closure_reason.as_deref(), Some("목표 달성"));
    assert_eq!(c.aftercare_on.as_deref(), Some("2028-05-29"));
    assert_eq!(c.last_activity, "2028-02-29 11:00");
    let rows = store.audit_rows(&Default::default()).expect("audit");
    let last = rows.last().expect("audit row");
    assert_eq!(last.action, "변경");
    assert_eq!(last.subject, format!("case:{}", case.id));
    assert_eq!(last.detail, "stage:monitoring→closed");

    // 재개 with a reason clears the closure.
    timeline::change_stage(&mut store, &case.id, &mv(Intake, "", None)).expect_err("needs reason");
    timeline::change_stage(&mut store, &case.id, &mv(Intake, "위기 재발", None)).expect("reopen");
    let c = store.case_header(&case.id).expect("case").case;
    assert_eq!(c.stage, Intake);
    assert_eq!(
        (c.closed_on, c.closure_reason, c.aftercare_on),
        (None, None, None)
    );

    // The stage bar reads the history back from the entries.
    let t = timeline::load(&store, &case.id).expect("load");
    let steps = t.stage_history();
    let tail: Vec<Stage> = steps.iter().rev().take(2).map(|s| s.stage).collect();
    assert_eq!(tail, vec![Intake, Closed]);
    assert_eq!(
        steps.last().and_then(|s| s.reason.as_deref()),
        Some("위기 재발")
    );
}
