//! 월별 실적 on a hand-made month (2026-03): every figure equals the number worked out by hand
//! from the entries below (the comments say why), per worker, per 동 and in total.

use crate::common::paper as fixture;

use dolbom::paper::monthly::{self, Figures, ReportFormat};
use dolbom::store::{Store, Tx, Val};
use fixture::{entry, t};
use std::collections::BTreeMap;

fn resident(tx: &mut Tx<'_>, id: &str, name: &str, dong: &str) {
    tx.insert(
        "residents",
        id,
        &[
            ("name", t(name)),
            ("sigungu", t("서울특별시 관악구")),
            ("dong", t(dong)),
            ("address", t("서울특별시 관악구 어딘가로 1")),
        ],
    )
    .expect("resident");
}

#[allow(clippy::too_many_arguments)]
fn case(
    tx: &mut Tx<'_>,
    id: &str,
    resident: &str,
    worker: &str,
    category: &str,
    stage: &str,
    opened: &str,
    closed: Option<(&str, &str)>,
    last: &str,
) {
    tx.insert(
        "cases",
        id,
        &[
            ("resident_id", t(resident)),
            ("worker", t(worker)),
            ("category", t(category)),
            ("stage", t(stage)),
            ("opened_on", t(opened)),
            ("closed_on", closed.map(|c| c.0.to_string()).into()),
            ("closure_reason", closed.map(|c| c.1.to_string()).into()),
            ("last_activity", t(last)),
        ],
    )
    .expect("case");
}

fn sc(from: &str, to: &str) -> String {
    format!(r#"{{"from":"{from}","to":"{to}"}}"#)
}

fn month_store(dir: &std::path::Path) -> Store {
    let mut store = fixture::open(dir, "2026-04-10T09:00:00");
    let mut tx = store.write().expect("tx");
    resident(&mut tx, "R1", "가나다", "신림동");
    resident(&mut tx, "R2", "라마바", "신림동");
    resident(&mut tx, "R3", "사아자", "은천동");
    resident(&mut tx, "R4", "차카타", "은천동");
    for (id, cat) in [("S1", "정신건강"), ("S2", "식품·생계")] {
        tx.insert("resources", id, &[("name", t(id)), ("category", t(cat))])
            .expect("resource");
    }
    let e = |s: &str| s.to_string();

    // C1 박지현, 신림동: moves to 사례회의 and 선정 in March (선정 at month end, though the case is
    // in 계획 now), one 사례회의, a visit (its follow-up answered by the call), a call and its
    // correction (counted once), an office visit, a referral to S1 (정신건강) that is 접수 at
    // month end (제공 중 only in April); April entries do not count.
    case(
        &mut tx,
        "C1",
        "R1",
        "박지현",
        "사례관리 일반",
        "planning",
        "2026-01-10",
        None,
        "2026-04-05 09:00",
    );
    for r in [
        (
            "C1a",
            "stage_change",
            "박지현",
            "2026-01-11 09:00",
            "발굴 → 접수",
            None,
            sc("discovery", "intake"),
            None,
            0,
        ),
        (
            "C1b",
            "stage_change",
            "박지현",
            "2026-02-01 09:00",
            "접수 → 조사",
            None,
            sc("intake", "assessment"),
            None,
            0,
        ),
        (
            "C1c",
            "stage_change",
            "박지현",
            "2026-03-03 10:00",
            "조사 → 회의",
            None,
            sc("assessment", "conference"),
            None,
            0,
        ),
        (
            "C1d",
            "conference",
            "박지현",
            "2026-03-05 14:00",
            "회의",
            None,
            e(r#"{"attendees":["박지현"]}"#),
            None,
            0,
        ),
        (
            "C1e",
            "stage_change",
            "박지현",
            "2026-03-06 09:00",
            "회의 → 선정",
            None,
            sc("conference", "selection"),
            None,
            0,
        ),
        (
            "C1f",
            "visit",
            "박지현",
            "2026-03-10 11:00",
            "방문",
            Some("2026-03-20"),
            e("{}"),
            None,
            0,
        ),
        (
            "C1g",
            "call",
            "박지현",
            "2026-03-12 10:00",
            "전화",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C1h",
            "call",
            "박지현",
            "2026-03-12 15:00",
            "전화 (정정)",
            None,
            e("{}"),
            Some("C1g"),
            0,
        ),
        (
            "C1i",
            "office_visit",
            "박지현",
            "2026-03-15 10:00",
            "내방",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C1j",
            "referral",
            "박지현",
            "2026-03-25 10:00",
            "연계",
            None,
            e(r#"{"referral_id":"F1","resource_id":"S1","status":"의뢰"}"#),
            None,
            0,
        ),
        (
            "C1k",
            "referral",
            "박지현",
            "2026-03-28 10:00",
            "연계 상태",
            None,
            e(r#"{"referral_id":"F1","resource_id":"S1","status":"접수","from":"의뢰"}"#),
            None,
            0,
        ),
        (
            "C1l",
            "referral",
            "박지현",
            "2026-04-02 10:00",
            "연계 상태",
            None,
            e(r#"{"referral_id":"F1","resource_id":"S1","status":"제공 중","from":"접수"}"#),
            None,
            0,
        ),
        (
            "C1m",
            "visit",
            "박지현",
            "2026-04-03 10:00",
            "방문 (4월)",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C1n",
            "stage_change",
            "박지현",
            "2026-04-05 09:00",
            "선정 → 계획",
            None,
            sc("selection", "planning"),
            None,
            0,
        ),
    ] {
        entry(&mut tx, "C1", &r);
    }

    // C2 이수진, 신림동: opened in March (발굴), 접수 in March, an initial consult whose
    // follow-up (03-15) nobody answers by month end (the office visit was voided) → overdue.
    case(
        &mut tx,
        "C2",
        "R2",
        "이수진",
        "",
        "intake",
        "2026-03-02",
        None,
        "2026-03-18 11:00",
    );
    for r in [
        (
            "C2a",
            "memo",
            "이수진",
            "2026-03-02 09:00",
            "발굴",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C2b",
            "stage_change",
            "이수진",
            "2026-03-04 10:00",
            "발굴 → 상담",
            None,
            sc("discovery", "initial_consult"),
            None,
            0,
        ),
        (
            "C2c",
            "initial_consult",
            "이수진",
            "2026-03-04 11:00",
            "초기상담",
            Some("2026-03-15"),
            e("{}"),
            None,
            0,
        ),
        (
            "C2d",
            "stage_change",
            "이수진",
            "2026-03-09 09:00",
            "상담 → 접수",
            None,
            sc("initial_consult", "intake"),
            None,
            0,
        ),
        (
            "C2e",
            "memo",
            "이수진",
            "2026-03-16 10:00",
            "메모",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C2f",
            "office_visit",
            "이수진",
            "2026-03-18 10:00",
            "잘못 입력",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C2g",
            "office_visit",
            "이수진",
            "2026-03-18 11:00",
            "다른 사례",
            None,
            e("{}"),
            Some("C2f"),
            1,
        ),
    ] {
        entry(&mut tx, "C2", &r);
    }

    // C3 이수진, 은천동: a visit, closed in March (이사), a call after closing (사후관리 실시),
    // then moved on to 사후관리 (a stage move, not a second closure).
    case(
        &mut tx,
        "C3",
        "R3",
        "이수진",
        "사례관리 고난도",
        "aftercare",
        "2025-11-01",
        Some(("2026-03-17", "이사")),
        "2026-03-30 10:00",
    );
    for r in [
        (
            "C3a",
            "stage_change",
            "이수진",
            "2026-02-10 09:00",
            "계획 → 점검",
            None,
            sc("planning", "monitoring"),
            None,
            0,
        ),
        (
            "C3b",
            "visit",
            "이수진",
            "2026-03-03 09:00",
            "방문",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C3c",
            "stage_change",
            "이수진",
            "2026-03-17 16:00",
            "종결",
            None,
            e(
                r#"{"from":"monitoring","to":"closed","closure_reason":"이사","reason":"이사: 타 시 전출"}"#,
            ),
            None,
            0,
        ),
        (
            "C3d",
            "call",
            "이수진",
            "2026-03-24 10:00",
            "사후 전화",
            None,
            e("{}"),
            None,
            0,
        ),
        (
            "C3e",
            "stage_change",
            "이수진",
            "2026-03-30 10:00",
            "종결 → 사후관리",
            None,
            sc("closed", "aftercare"),
            None,
            0,
        ),
    ] {
        entry(&mut tx, "C3", &r);
    }

    // C4 이수진, 은천동, 서비스연계: a monitoring note in February with a follow-up due 03-05 that
    // no contact answers by month end (the visit is in April) → overdue; two referrals to S2
    // (식품·생계) in March, one 거절 by month end, one still 의뢰.
    case(
        &mut tx,
        "C4",
        "R4",
        "이수진",
        "서비스연계",
        "linkage",
        "2026-01-05",
        None,
        "2026-04-01 10:00",
    );
    for r in [
        (
            "C4a",
            "stage_change",
            "이수진",
            "2026-01-20 09:00",
            "상담 → 연계",
            None,
            sc("initial_consult", "linkage"),
            None,
            0,
        ),
        (
            "C4b",
            "monitoring",
            "이수진",
            "2026-02-25 10:00",
            "점검",
            Some("2026-03-05"),
            e("{}"),
            None,
            0,
        ),
        (
            "C4c",
            "referral",
            "이수진",
            "2026-03-08 10:00",
            "연계",
            None,
            e(r#"{"referral_id":"F2","resource_id":"S2","status":"의뢰"}"#),
            None,
            0,
        ),
        (
            "C4d",
            "referral",
            "이수진",
            "2026-03-20 10:00",
            "거절",
            None,
            e(r#"{"referral_id":"F2","resource_id":"S2","status":"거절","from":"의뢰"}"#),
            None,
            0,
        ),
        (
            "C4e",
            "referral",
            "이수진",
            "2026-03-21 10:00",
            "연계",
            None,
            e(r#"{"referral_id":"F3","resource_id":"S2","status":"의뢰"}"#),
            None,
            0,
        ),
        (
            "C4f",
            "visit",
            "이수진",
            "2026-04-01 10:00",
            "방문 (4월)",
            None,
            e("{}"),
            None,
            0,
        ),
    ] {
        entry(&mut tx, "C4", &r);
    }

    // C5 opened in April and C6 closed in 2025 with nothing since: neither counts.
    case(
        &mut tx,
        "C5",
        "R1",
        "박지현",
        "",
        "intake",
        "2026-04-02",
        None,
        "2026-04-02 09:00",
    );
    entry(
        &mut tx,
        "C5",
        &(
            "C5a",
            "stage_change",
            "박지현",
            "2026-04-02 09:00",
            "접수",
            None,
            e(r#"{"from":null,"to":"intake"}"#),
            None,
            0,
        ),
    );
    case(
        &mut tx,
        "C6",
        "R3",
        "이수진",
        "사례관리 일반",
        "closed",
        "2025-06-01",
        Some(("2025-12-01", "목표 달성")),
        "2025-12-01 10:00",
    );
    entry(
        &mut tx,
        "C6",
        &(
            "C6a",
            "stage_change",
            "이수진",
            "2025-12-01 10:00",
            "종결",
            None,
            e(r#"{"from":"monitoring","to":"closed","closure_reason":"목표 달성"}"#),
            None,
            0,
        ),
    );
    tx.commit().expect("commit");
    let _ = Val::Null;
    store
}

/// The twelve scalar figures in [`monthly::SCALAR_FIGURES`] order.
fn scalars(f: &Figures) -> [u64; 12] {
    monthly::SCALAR_FIGURES.map(|c| f.get(c))
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), *v)).collect()
}

#[test]
fn a_hand_made_month_gives_the_hand_computed_figures() {
    let dir = tempfile::tempdir().expect("dir");
    let store = month_store(dir.path());
    let r = monthly::monthly(&store, "2026-03").expect("report");
    assert_eq!(r.month, "2026-03");

    // discovered, intake, stage_moves, conferences, visits, calls, office_visits, referrals,
    // closures, aftercare_done, overdue_follow_ups, open_at_end
    let pjh = &r.by_worker["박지현"]; // C1
    assert_eq!(scalars(pjh), [0, 0, 2, 1, 1, 1, 1, 1, 0, 0, 0, 1]);
    assert_eq!(pjh.by_stage, map(&[("대상자 구분·선정", 1)]));
    assert_eq!(pjh.by_category, map(&[("사례관리 일반", 1)]));
    assert_eq!(
        pjh.moves_to,
        map(&[("사례회의", 1), ("대상자 구분·선정", 1)])
    );
    assert_eq!(pjh.referrals_by["정신건강"], map(&[("접수", 1)]));

    let lsj = &r.by_worker["이수진"]; // C2 + C3 + C4
    assert_eq!(scalars(lsj), [1, 1, 4, 0, 1, 1, 0, 2, 1, 1, 2, 2]);
    assert_eq!(lsj.by_stage, map(&[("접수", 1), ("서비스연계", 1)]));
    assert_eq!(lsj.by_category, map(&[("미구분", 1), ("서비스연계", 1)]));
    assert_eq!(lsj.closures_by_reason, map(&[("이사", 1)]));
    assert_eq!(
        lsj.referrals_by["식품·생계"],
        map(&[("거절", 1), ("의뢰", 1)])
    );
    assert_eq!(
        r.by_worker.len(),
        2,
        "C5 and C6 add no worker row of their own"
    );

    let sillim = &r.by_dong["신림동"]; // C1 + C2
    assert_eq!(scalars(sillim), [1, 1, 4, 1, 1, 1, 1, 1, 0, 0, 1, 2]);
    let eunchun = &r.by_dong["은천동"]; // C3 + C4
    assert_eq!(scalars(eunchun), [0, 0, 2, 0, 1, 1, 0, 2, 1, 1, 1, 1]);

    assert_eq!(scalars(&r.total), [1, 1, 6, 1, 2, 2, 1, 3, 1, 1, 2, 3]);
    assert_eq!(
        r.total.by_stage,
        map(&[("대상자 구분·선정", 1), ("접수", 1), ("서비스연계", 1)])
    );
    assert_eq!(
        r.total.moves_to,
        map(&[
            ("사례회의", 1),
            ("대상자 구분·선정", 1),
            ("초기상담", 1),
            ("접수", 1),
            ("종결", 1),
            ("사후관리", 1)
        ])
    );
}

#[test]
fn every_figure_is_defined_once_and_printed() {
    let codes: Vec<&str> = monthly::DEFINITIONS.iter().map(|d| d.code).collect();
    let mut uniq = codes.clone();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(uniq.len(), codes.len(), "no figure defined twice");
    for c in monthly::SCALAR_FIGURES {
        assert!(codes.contains(&c), "{c} has a definition");
    }

    let dir = tempfile::tempdir().expect("dir");
    let store = month_store(dir.path());
    let out = dir.path().join("실적.xlsx");
    monthly::export(&store, "2026-03", ReportFormat::Xlsx, Some(&out)).expect("xlsx");
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&out).expect("open");
    assert_eq!(wb.sheet_names(), vec!["담당자별", "동별", "세부", "정의"]);
    let defs = wb.worksheet_range("정의").expect("정의");
    assert_eq!(defs.height(), monthly::DEFINITIONS.len() + 2);
    let by_worker = wb.worksheet_range("담당자별").expect("sheet");
    let last: Vec<String> = by_worker
        .rows()
        .next_back()
        .expect("total row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(last[0], "전체");
    assert_eq!(&last[1..4], ["1", "1", "6"]);

    let csv = String::from_utf8(
        monthly::render(
            &monthly::monthly(&store, "2026-03").expect("r"),
            ReportFormat::Csv,
        )
        .expect("csv"),
    )
    .expect("utf8");
    assert!(csv.starts_with("\u{feff}월,구분,이름,지표,세부,값\n"));
    assert!(csv.contains("2026-03,전체,전체,단계 이동,,6\n"), "{csv}");
    assert!(
        csv.contains("2026-03,담당자,이수진,연계 (분야·결과),식품·생계 / 거절,1\n"),
        "{csv}"
    );
    let json = String::from_utf8(
        monthly::render(
            &monthly::monthly(&store, "2026-03").expect("r"),
            ReportFormat::Json,
        )
        .expect("json"),
    )
    .expect("utf8");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["total"]["stage_moves"], 6);
    assert_eq!(
        v["definitions"].as_array().map(Vec::len),
        Some(monthly::DEFINITIONS.len())
    );

    let rows = store
        .audit_rows(&dolbom::audit::AuditFilter::default())
        .expect("audit");
    assert!(
        rows.iter()
            .any(|r| r.action == "출력" && r.subject == "report:monthly:2026-03")
    );
}

#[test]
fn a_bad_month_is_refused() {
    for bad in ["2026-13", "2026", "26-3x", ""] {
        assert!(monthly::parse_month(bad).is_err(), "{bad}");
    }
    let (first, last) = monthly::parse_month("2024-02").expect("leap");
    assert_eq!(
        (first.to_string(), last.to_string()),
        ("2024-02-01".into(), "2024-02-29".into())
    );
}

/// Adds corrections to a demo database (the demo writes none): every 7th entry is corrected,
/// in turn voided, given another follow-up date, or (a stage change or referral) given other
/// data, some corrections written in the same month and some months later — so the bulk
/// reads are checked on folded corrections too.
fn add_corrections(store: &mut Store) {
    let mut originals = Vec::new();
    for row in store
        .list_cases(&dolbom::timeline::CaseFilter::default())
        .expect("cases")
    {
        originals.extend(store.case_entries(&row.id).expect("entries"));
    }
    let mut tx = store.write().expect("tx");
    for (i, e) in originals.iter().enumerate().filter(|(i, _)| i % 7 == 0) {
        let mut c = e.clone();
        c.id = format!("{}-fix", e.id);
        c.corrects = Some(e.id.clone());
        c.body = format!("정정: {}", e.body);
        c.at = if i % 2 == 0 {
            e.at.clone()
        } else {
            "2026-12-02 09:00".to_string()
        };
        match (i / 7) % 3 {
            0 => c.voids = true,
            1 => {
                c.due_on = Some(
                    if i % 4 == 1 {
                        "2026-01-05"
                    } else {
                        "2026-10-20"
                    }
                    .into(),
                )
            }
            _ => match e.kind {
                dolbom::model::EntryKind::StageChange => {
                    c.data["to"] = serde_json::json!("종결");
                    c.data["closure_reason"] = serde_json::json!("목표 달성");
                }
                dolbom::model::EntryKind::Referral => {
                    c.data["status"] = serde_json::json!("완료");
                }
                _ => c.due_on = None,
            },
        }
        tx.insert_entry(&c).expect("correction");
    }
    tx.commit().expect("commit");
}

/// The bulk reads (`gather`) give the same report as the per-case reads (`gather_by_case`),
/// on a small demo database with corrections added, for every month of its data.
#[test]
fn bulk_and_per_case_reads_give_the_same_report() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = crate::common::paper::open(dir.path(), "2026-11-29T10:00:00");
    dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
            residents: 400,
            seed: 11,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    add_corrections(&mut store);
    let mut nonempty = 0;
    for month in [
        "2025-12", "2026-01", "2026-03", "2026-06", "2026-09", "2026-10", "2026-11",
    ] {
        let bulk = dolbom::paper::monthly::gather(&store, month).expect("gather");
        let slow = dolbom::paper::monthly::gather_by_case(&store, month).expect("by case");
        assert_eq!(bulk.cases.len(), slow.cases.len(), "{month}");
        let a = dolbom::paper::monthly::compute(&bulk, "", "");
        let b = dolbom::paper::monthly::compute(&slow, "", "");
        assert_eq!(a, b, "{month}");
        if a.total != Default::default() {
            nonempty += 1;
        }
    }
    assert!(nonempty >= 2, "the demo has data in some of these months");
}

/// Times the bulk and per-case reads of the 월별 실적 on a large database (debug build; the
/// release figures come from `benches/paper.rs`):
/// `DOLBOM_BENCH_DB=target/d100k.db cargo test --test it -- --ignored paper_monthly::timing --nocapture`
#[test]
#[ignore = "needs a large demo database in $DOLBOM_BENCH_DB"]
fn timing_bulk_vs_per_case_reads() {
    let Some(path) = std::env::var_os("DOLBOM_BENCH_DB") else {
        return;
    };
    let month = std::env::var("DOLBOM_BENCH_MONTH").unwrap_or_else(|_| "2026-11".into());
    let store = dolbom::store::Store::open(
        std::path::Path::new(&path),
        &dolbom::store::OpenOptions::new("bench"),
    )
    .expect("open");
    for _ in 0..2 {
        let t = std::time::Instant::now();
        let bulk = dolbom::paper::monthly::gather(&store, &month).expect("gather");
        let t_bulk = t.elapsed();
        let a = dolbom::paper::monthly::compute(&bulk, "", "");
        let t_report = t.elapsed();
        let t = std::time::Instant::now();
        let slow = dolbom::paper::monthly::gather_by_case(&store, &month).expect("by case");
        let t_slow = t.elapsed();
        assert_eq!(dolbom::paper::monthly::compute(&slow, "", ""), a);
        eprintln!(
            "{month}: gather (bulk) {} cases {t_bulk:?}, with compute {t_report:?}; gather_by_case {t_slow:?}",
            bulk.cases.len()
        );
    }
}
