//! Issue #16 item 5: the 발굴 queue — a CP949 round with matched, new and malformed rows (named
//! by line), re-import adding nothing, outcomes and round progress, 팀장/admin only, and the
//! queue screen driven by keys at 80×24 (outcome form, promote to a prefilled intake).

use crate::common::fixture;
use crate::common::tui::press;
use dolbom::clock::{Clock, parse_datetime};
use dolbom::discovery::{self, DiscoveryImport};
use dolbom::model::Outcome;
use dolbom::search::residents::ResidentIndex;
use dolbom::store::{DiscoveryFilter, NewResident, OpenOptions, Role, Store};
use dolbom::tui::app::{App, Overlay, PaneId};
use dolbom::tui::panes::FormPurpose;
use dolbom::tui::panes::fields::FieldId;
use dolbom::tui::theme::Theme;
use dolbom::tui::{Action, Keymap};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;

const ROUND: &str = "2026-6";

fn open(dir: &Path, operator: &str) -> Store {
    let mut o = OpenOptions::new(operator);
    o.clock = Clock::fixed(parse_datetime("2026-11-25 09:00").unwrap());
    Store::open(&dir.join("d.db"), &o).unwrap()
}

/// 김민수 (matched by name + birth date) and 이영희 (matched by name + address).
fn seed(s: &mut Store) -> (String, String) {
    let add = |s: &mut Store, name: &str, birth: &str, dong: &str, address: &str| {
        let r = NewResident {
            name: name.into(),
            birth_date: Some(birth.into()),
            dong: dong.into(),
            address: address.into(),
            ..NewResident::default()
        };
        s.register_resident(&r, false).unwrap().0
    };
    let kim = add(
        s,
        "김민수",
        "1950-01-01",
        "효자동2가",
        "전북특별자치도 전주시 완산구 효자동2가 99",
    );
    let lee = add(
        s,
        "이영희",
        "1955-02-02",
        "삼천동1가",
        "전북특별자치도 전주시 완산구 삼천동1가 5",
    );
    (kim, lee)
}

fn settings(deadline: &str) -> DiscoveryImport {
    DiscoveryImport {
        round: Some(ROUND.into()),
        deadline: Some(deadline.into()),
        ..DiscoveryImport::default()
    }
}

fn import(s: &mut Store, deadline: &str) -> discovery::DiscoveryReport {
    let file = fixture("discovery/round-2026-6.cp949.csv");
    discovery::import(s, &file, &settings(deadline), &mut |_, _| {}).unwrap()
}

fn queue(s: &Store) -> Vec<dolbom::model::DiscoveryItem> {
    s.discovery_queue(&DiscoveryFilter::default()).unwrap()
}

fn by_name<'a>(
    items: &'a [dolbom::model::DiscoveryItem],
    name: &str,
) -> &'a dolbom::model::DiscoveryItem {
    items.iter().find(|i| i.name == name).unwrap()
}

#[test]
fn cp949_round_matches_new_and_malformed_rows_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "tester");
    let (kim, lee) = seed(&mut s);
    let r = import(&mut s, "2026-12-10");
    assert_eq!(r.encoding.as_deref(), Some("cp949"), "{r:?}");
    assert_eq!(
        (r.inserted, r.matched, r.new_candidates, r.rejected),
        (4, 2, 2, 3),
        "{r:?}"
    );
    let lines: Vec<u64> = r.rejected_rows.iter().map(|x| x.line).collect();
    assert_eq!(lines, [5, 6, 7]);
    assert!(
        r.rejected_rows[0]
            .message
            .ends_with(":5: 이름(성명)이 비어 있습니다")
    );
    assert!(r.rejected_rows[1].reason.contains("1961-13-45"));
    assert_eq!(r.rounds, [ROUND]);

    let items = queue(&s);
    assert_eq!(items.len(), 4);
    // By 동, then address.
    let dongs: Vec<&str> = items.iter().map(|i| i.dong.as_str()).collect();
    assert_eq!(dongs, ["삼천동1가", "평화동", "효자동2가", "효자동2가"]);
    let k = by_name(&items, "김민수");
    assert_eq!(k.resident_id.as_deref(), Some(kim.as_str()));
    assert_eq!(k.signals, ["단전", "단수"]);
    assert_eq!(k.deadline, "2026-12-10");
    assert_eq!(
        by_name(&items, "이영희").resident_id.as_deref(),
        Some(lee.as_str()),
        "matched by name + address"
    );
    let p = by_name(&items, "박철수");
    assert_eq!(p.resident_id, None);
    assert_eq!(p.birth_date.as_deref(), Some("1948-03-02"));
    assert_eq!(p.signals, ["단전", "통신비 체납"]);
    assert_eq!(by_name(&items, "한지민").resident_id, None);
}

#[test]
fn reimporting_a_round_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "tester");
    seed(&mut s);
    import(&mut s, "2026-12-10");
    let ops_before = s.pending_sync().unwrap();
    let again = import(&mut s, "2026-12-10");
    assert_eq!((again.inserted, again.unchanged), (0, 4), "{again:?}");
    assert_eq!(queue(&s).len(), 4);
    assert_eq!(s.pending_sync().unwrap(), ops_before, "no new ops");
}

#[test]
fn outcomes_progress_and_roles() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "tester");
    seed(&mut s);
    // A deadline already past: every unchecked row is overdue.
    import(&mut s, "2026-11-20");
    let p = &s.discovery_progress("2026-11-25").unwrap()[0];
    assert_eq!((p.total, p.checked, p.overdue, p.matched), (4, 0, 4, 2));
    let id = by_name(&queue(&s), "한지민").id.clone();
    let item = discovery::mark(&mut s, &id, Outcome::Refused, Some("방문 거절")).unwrap();
    assert_eq!(item.outcome, Some(Outcome::Refused));
    assert_eq!(item.note, "방문 거절");
    assert_eq!(item.checked_on.as_deref(), Some("2026-11-25"));
    let p = &s.discovery_progress("2026-11-25").unwrap()[0];
    assert_eq!((p.checked, p.overdue), (1, 3));
    // Audited, the outcome only (never the note).
    let conn = rusqlite::Connection::open(s.path()).unwrap();
    let detail: String = conn
        .query_row(
            "SELECT detail FROM audit_log WHERE subject = ?1",
            [format!("discovery:{id}")],
            |r| r.get(0),
        )
        .unwrap();
    assert!(detail.contains("outcome=refused"), "{detail}");
    assert!(!detail.contains("방문"), "{detail}");

    // Staff may answer rows but not import a round; a 팀장 may.
    s.add_user("lee", Role::Staff).unwrap();
    s.add_user("park", Role::Lead).unwrap();
    drop(s);
    let mut staff = open(dir.path(), "lee");
    let file = fixture("discovery/round-2026-6.cp949.csv");
    let e = discovery::import(&mut staff, &file, &settings("2026-12-10"), &mut |_, _| {});
    assert!(e.unwrap_err().to_string().contains("팀장"));
    discovery::mark(&mut staff, &id, Outcome::NotApplicable, None).unwrap();
    drop(staff);
    let mut lead = open(dir.path(), "park");
    let mut other = settings("2026-12-10");
    other.round = Some("2026-7".into());
    let r = discovery::import(&mut lead, &file, &other, &mut |_, _| {}).unwrap();
    assert_eq!(r.inserted, 4);
}

fn screen(app: &mut App) -> String {
    app.size = (80, 24);
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| dolbom::tui::ui::render(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..24 {
        let mut skip = 0;
        for x in 0..80 {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

fn app(dir: &Path) -> App {
    let mut s = open(dir, "tester");
    seed(&mut s);
    import(&mut s, "2026-12-10");
    let path = s.path().to_path_buf();
    let mut app = App::new(s, Keymap::load("default").unwrap(), Theme::no_color());
    app.search_index_ready(ResidentIndex::load(&path).unwrap());
    app
}

#[test]
fn queue_pane_by_keys_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    press(&mut app, &["F5"]);
    let today = screen(&mut app);
    assert!(today.contains("발굴 2026-6 회차: 처리 0/4"), "{today}");

    // `g` from 오늘 opens the queue: by 동 and address, names masked, days left.
    press(&mut app, &["g"]);
    let s = screen(&mut app);
    assert!(s.contains("발굴 대상 · 2026-6 회차 처리 0/4"), "{s}");
    for masked in ["이*희", "한*민", "김*수", "박*수"] {
        assert!(s.contains(masked), "{masked}\n{s}");
    }
    assert!(!s.contains("김민수") && !s.contains("박철수"), "{s}");
    assert!(s.contains("D-15"), "{s}");
    assert!(s.contains("o 발굴 처리 결과 입력"), "{s}");
    let order: Vec<&str> = app
        .discovery
        .as_ref()
        .unwrap()
        .items()
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(order, ["이영희", "한지민", "김민수", "박철수"]);

    // ↓ to 한지민, `o`: the outcome form; → → → picks 거부, tab, a Hangul note, ctrl-s.
    press(&mut app, &["down", "o"]);
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Form(FormPurpose::DiscoveryOutcome { .. }, _))
    ));
    press(
        &mut app,
        &["right", "right", "right", "tab", "본인 방문 거절", "ctrl-s"],
    );
    assert!(app.overlay.is_none());
    let s = screen(&mut app);
    assert!(s.contains("처리 1/4"), "{s}");
    assert!(s.contains("거부"), "{s}");
    let han = by_name(&queue(&app.store), "한지민").clone();
    assert_eq!(han.outcome, Some(Outcome::Refused));
    assert_eq!(han.note, "본인 방문 거절");

    // `m`: only unanswered rows.
    press(&mut app, &["m"]);
    assert_eq!(app.discovery.as_ref().unwrap().items().len(), 3);
    press(&mut app, &["m"]);

    // enter on a new candidate (박철수): the intake form, prefilled from the row.
    press(&mut app, &["end", "enter"]);
    assert!(app.discovery.is_none());
    let Some(Overlay::Form(FormPurpose::Intake, form)) = &app.overlay else {
        panic!("no intake form:\n{}", screen(&mut app));
    };
    assert_eq!(form.value(FieldId::Name), Some("박철수"));
    assert_eq!(form.value(FieldId::BirthDate), Some("1948-03-02"));
    assert_eq!(form.value(FieldId::Dong), Some("효자동2가"));
    assert_eq!(
        form.value(FieldId::Address),
        Some("전북특별자치도 전주시 완산구 효자동2가 22")
    );
    let s = screen(&mut app);
    assert!(
        s.contains("새 접수 (초기상담) — 발굴 2026-6 회차에서"),
        "{s}"
    );
    // Saving registers the person, opens the case, and links the row (지원 연계).
    press(&mut app, &["ctrl-s"]);
    let pane = app.pane;
    assert_eq!(pane, PaneId::Timeline, "{}", screen(&mut app));
    let park = by_name(&queue(&app.store), "박철수").clone();
    assert_eq!(park.outcome, Some(Outcome::Linked));
    assert!(park.resident_id.is_some());

    // enter on a matched row opens that resident's case list / timeline.
    app.dispatch(Action::Discovery);
    press(&mut app, &["home", "enter"]);
    assert!(app.discovery.is_none());
    assert_eq!(app.pane, PaneId::Timeline);
}

/// The outcome form takes typed Hangul (the IME is on while the worker writes the note): `비`
/// picks 비해당 and is saved as such; typing that matches no outcome is named under the field.
#[test]
fn outcome_form_takes_typed_hangul_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    press(&mut app, &["F5", "g", "down", "o"]);
    let s = screen(&mut app);
    assert!(
        s.contains("< 지원 연계 >  (1/5)  ←→ 또는 글자로 선택"),
        "{s}"
    );
    press(&mut app, &["ㅋ"]);
    let s = screen(&mut app);
    assert!(s.contains("< 지원 연계 >"), "{s}");
    assert!(s.contains("결과: \"ㅋ\"에 맞는 항목이 없습니다"), "{s}");
    press(&mut app, &["비"]);
    let s = screen(&mut app);
    assert!(s.contains("< 비해당 >  (2/5)"), "{s}");
    assert!(!s.contains("맞는 항목이 없습니다"), "{s}");
    press(&mut app, &["tab", "주소지 이전", "ctrl-s"]);
    assert!(app.overlay.is_none(), "{}", screen(&mut app));
    let han = by_name(&queue(&app.store), "한지민").clone();
    assert_eq!(han.outcome, Some(Outcome::NotApplicable));
    assert_eq!(han.note, "주소지 이전");
}

/// A round imported at two sites makes the same rows (ids from round + identity), so their
/// bundles merge without duplicates; an outcome set at one site arrives at the other, and the
/// per-round counts follow the merged rows. (Site A's clock runs later here: its mark is newer
/// than B's import; the opposite order is `an_outcome_outranks_the_same_round_imported_later_elsewhere`.)
#[test]
fn rounds_and_outcomes_travel_by_bundle() {
    use crate::common::sync::{export, import as import_bundle, open_site};
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 1000);
    let mut b = open_site(dir.path(), "b", 0);
    let file = fixture("discovery/round-2026-6.cp949.csv");
    for s in [&mut a, &mut b] {
        let r = discovery::import(s, &file, &settings("2026-12-10"), &mut |_, _| {}).unwrap();
        assert_eq!(r.inserted, 4);
    }
    let id = by_name(&queue(&a), "박철수").id.clone();
    assert_eq!(id, by_name(&queue(&b), "박철수").id);
    discovery::mark(&mut a, &id, Outcome::NotApplicable, Some("전출")).unwrap();

    let bundle = export(&a, None, true, &dir.path().join("a.bundle"));
    import_bundle(&mut b, &bundle).unwrap();
    let items = queue(&b);
    assert_eq!(items.len(), 4, "no duplicates");
    let park = by_name(&items, "박철수");
    assert_eq!(park.outcome, Some(Outcome::NotApplicable));
    assert_eq!(park.note, "전출");
    let p = &b.discovery_progress("2026-11-25").unwrap()[0];
    assert_eq!((p.total, p.checked), (4, 1));
}

/// Issue #16: the same round imported at a second site *after* an outcome was set at the first
/// (B's clock runs later, so its re-insert carries newer stamps than A's mark). The outcome is
/// newer information than the list row: it wins at both sites, whichever bundle arrives first,
/// and nothing waits in 충돌 검토.
#[test]
fn an_outcome_outranks_the_same_round_imported_later_elsewhere() {
    use crate::common::sync::{digest, export, import as import_bundle, open_site};
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 60_000);
    let file = fixture("discovery/round-2026-6.cp949.csv");
    let r = discovery::import(&mut a, &file, &settings("2026-12-10"), &mut |_, _| {}).unwrap();
    assert_eq!(r.inserted, 4);
    let items = queue(&a);
    let park = by_name(&items, "박철수").id.clone();
    let han = by_name(&items, "한지민").id.clone();
    discovery::mark(&mut a, &park, Outcome::NotApplicable, Some("전출")).unwrap();
    discovery::mark(&mut a, &han, Outcome::Refused, None).unwrap();
    // B imports the same round later (its own insert ops, newer than A's marks) …
    let r = discovery::import(&mut b, &file, &settings("2026-12-10"), &mut |_, _| {}).unwrap();
    assert_eq!(r.inserted, 4);
    // … and B also answers a row A left open.
    let kim = by_name(&queue(&b), "김민수").id.clone();
    discovery::mark(&mut b, &kim, Outcome::AlreadyManaged, Some("기존 사례")).unwrap();

    let from_b = export(&b, None, true, &dir.path().join("b.bundle"));
    let from_a = export(&a, None, true, &dir.path().join("a.bundle"));
    let into_a = import_bundle(&mut a, &from_b).unwrap();
    let into_b = import_bundle(&mut b, &from_a).unwrap();
    for (site, s) in [("a", &a), ("b", &b)] {
        let items = queue(s);
        assert_eq!(items.len(), 4, "{site}: no duplicates");
        let p = by_name(&items, "박철수");
        assert_eq!(p.outcome, Some(Outcome::NotApplicable), "{site}");
        assert_eq!(p.note, "전출", "{site}");
        assert_eq!(p.checked_on.as_deref(), Some("2025-03-01"), "{site}");
        assert_eq!(by_name(&items, "한지민").outcome, Some(Outcome::Refused));
        let k = by_name(&items, "김민수");
        assert_eq!(k.outcome, Some(Outcome::AlreadyManaged), "{site}");
        assert_eq!(k.note, "기존 사례", "{site}");
        assert_eq!(by_name(&items, "이영희").outcome, None, "{site}");
        assert!(
            s.conflicts(true).unwrap().is_empty(),
            "{site}: 충돌 검토 is empty"
        );
        let p = &s.discovery_progress("2026-11-25").unwrap()[0];
        assert_eq!((p.total, p.checked), (4, 3), "{site}");
    }
    assert_eq!(digest(&a), digest(&b), "both sites hold the same rows");
    assert_eq!(into_a.conflicts, 0, "{into_a:?}");
    assert_eq!(into_b.conflicts, 0, "{into_b:?}");
}

/// Issue #16: the 월별 실적 carries each 발굴 회차 at the month's end (defined once, printed in
/// the 세부 rows of CSV/XLSX), and the 통계 screen shows the same figures at 80×24.
#[test]
fn round_progress_in_the_monthly_report_and_the_stats_screen() {
    use dolbom::paper::monthly::{self, ReportFormat};
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "tester");
    seed(&mut s);
    import(&mut s, "2026-11-20");
    let id = by_name(&queue(&s), "한지민").id.clone();
    discovery::mark(&mut s, &id, Outcome::Refused, Some("방문 거절")).unwrap();

    let r = monthly::monthly(&s, "2026-11").unwrap();
    assert_eq!(r.discovery.len(), 1, "{:?}", r.discovery);
    let d = &r.discovery[0];
    assert_eq!(d.round, ROUND);
    assert_eq!(
        (d.total, d.checked, d.checked_in_month, d.overdue),
        (4, 1, 1, 3),
        "{d:?}"
    );
    assert_eq!(d.outcomes, [0, 0, 0, 1, 0], "거부 1");
    // A month before the answer: nothing answered, nothing overdue yet at its end.
    let oct = &monthly::monthly(&s, "2026-10").unwrap().discovery[0];
    assert_eq!((oct.total, oct.checked, oct.overdue), (4, 0, 0), "{oct:?}");
    // A month after the round's deadline: the round is no longer listed.
    assert!(
        monthly::monthly(&s, "2026-12")
            .unwrap()
            .discovery
            .is_empty()
    );

    // Defined once, like every figure, and printed as rows of the CSV.
    for code in [
        "discovery_total",
        "discovery_checked",
        "discovery_checked_in_month",
        "discovery_overdue",
        "discovery_outcomes",
    ] {
        assert_eq!(
            monthly::DEFINITIONS
                .iter()
                .filter(|d| d.code == code)
                .count(),
            1,
            "{code}"
        );
    }
    let csv = String::from_utf8(monthly::render(&r, ReportFormat::Csv).unwrap()).unwrap();
    for row in [
        "2026-11,발굴 회차,2026-6,발굴 대상,,4",
        "2026-11,발굴 회차,2026-6,발굴 처리,,1",
        "2026-11,발굴 회차,2026-6,발굴 처리 (그 달),,1",
        "2026-11,발굴 회차,2026-6,발굴 기한 경과,,3",
        "2026-11,발굴 회차,2026-6,발굴 처리 결과,거부,1",
    ] {
        assert!(csv.contains(row), "{row}\n{csv}");
    }

    // The 통계 screen (F8) of the month: the 발굴 section, every outcome named.
    let path = s.path().to_path_buf();
    let mut app = App::new(s, Keymap::load("default").unwrap(), Theme::no_color());
    app.search_index_ready(ResidentIndex::load(&path).unwrap());
    press(&mut app, &["F8"]);
    let text = screen(&mut app);
    assert!(
        text.contains("발굴 2026-6회차 (기한 11-20)  처리 1/4 · 이달 처리 1 · 기한 경과 3"),
        "{text}"
    );
    assert!(
        text.contains("지원 연계 0  비해당 0  조사 불가 0  거부 1  이미 관리 중 0"),
        "{text}"
    );
    // ← to October: the same round as it stood then.
    press(&mut app, &["left"]);
    let text = screen(&mut app);
    assert!(
        text.contains("처리 0/4 · 이달 처리 0 · 기한 경과 0"),
        "{text}"
    );
}

/// A second file adding rows to a round already here: the bulk import's per-round counts add
/// to what the round held, as the per-row trigger would have (and the trigger still counts
/// rows that arrive by other paths).
#[test]
fn a_second_file_of_the_same_round_adds_to_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), "tester");
    seed(&mut s);
    import(&mut s, "2026-12-10");
    let extra = dir.path().join("more.csv");
    std::fs::write(
        &extra,
        "성명,생년월일,주소,읍면동,위기정보\n\
         최순자,1944-04-04,전북특별자치도 전주시 완산구 평화동 7,평화동,단전\n\
         김민수,1950-01-01,전북특별자치도 전주시 완산구 효자동2가 99,효자동2가,단수\n",
    )
    .unwrap();
    let mut later = settings("2026-12-20");
    later.options = Default::default();
    let r = discovery::import(&mut s, &extra, &later, &mut |_, _| {}).unwrap();
    assert_eq!((r.inserted, r.unchanged), (1, 1), "{r:?}");
    let p = &s.discovery_progress("2026-11-25").unwrap()[0];
    assert_eq!((p.total, p.checked, p.matched), (5, 0, 2), "{p:?}");
    assert_eq!(p.deadline, "2026-12-10");
    assert_eq!(queue(&s).len(), 5);
}

/// A file of `n` people (UTF-8), every one new, spread over three 동.
fn big_round(dir: &Path, n: usize) -> std::path::PathBuf {
    use std::fmt::Write as _;
    let dongs = ["효자동2가", "삼천동1가", "평화동"];
    let mut text = String::from("성명,생년월일,주소,읍면동,위기정보\n");
    for i in 0..n {
        let dong = dongs[i % 3];
        let _ = writeln!(
            text,
            "김{}{},{}-{:02}-{:02},전북특별자치도 전주시 완산구 {dong} {},{dong},단전",
            char::from_u32(0xAC00 + (i as u32 % 500)).unwrap(),
            char::from_u32(0xAC00 + (i as u32 / 500)).unwrap(),
            1930 + i % 60,
            1 + i % 12,
            1 + i % 28,
            i % 997
        );
    }
    let path = dir.join(format!("big-{n}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

/// The schema of the `discovery` table's indexes and triggers, as `sqlite_master` holds it.
fn discovery_schema(db: &Path) -> Vec<(String, Option<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE tbl_name = 'discovery' AND type IN ('index', 'trigger') ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A round large against the queue (here 3,000 rows into an empty one) goes in without the
/// per-row trigger and with the queue's indexes built afresh, all inside the transaction: a dry
/// run leaves the schema as it was, the import leaves it the same too (indexes and the insert
/// trigger back, word for word), the counts are exact, the queue still reads by its index, a
/// re-import adds nothing, and the rows reach another site whose trigger counts them.
#[test]
fn a_large_round_rebuilds_the_indexes_inside_its_transaction() {
    use crate::common::sync::{export, import as import_bundle, open_site};
    let dir = tempfile::tempdir().unwrap();
    let mut a = open_site(dir.path(), "a", 0);
    let mut b = open_site(dir.path(), "b", 0);
    let db = dir.path().join("a.db");
    let schema = discovery_schema(&db);
    assert!(
        schema.iter().any(|(n, _)| n == "discovery_rounds_insert"),
        "{schema:?}"
    );
    assert!(dolbom::store::rebuild_indexes(0, 3000));
    let file = big_round(dir.path(), 3000);

    let mut dry = settings("2026-12-10");
    dry.options = Default::default();
    dry.dry_run = true;
    let r = discovery::import(&mut a, &file, &dry, &mut |_, _| {}).unwrap();
    assert_eq!(r.inserted, 3000, "{:?}", r.rejected_rows.first());
    assert_eq!(discovery_schema(&db), schema, "a dry run changes nothing");
    assert!(queue(&a).is_empty());

    let mut real = dry.clone();
    real.dry_run = false;
    let r = discovery::import(&mut a, &file, &real, &mut |_, _| {}).unwrap();
    assert_eq!((r.inserted, r.rejected), (3000, 0));
    assert_eq!(
        discovery_schema(&db),
        schema,
        "indexes and trigger as before"
    );
    let p = &a.discovery_progress("2026-11-25").unwrap()[0];
    assert_eq!((p.total, p.checked, p.matched), (3000, 0, 0), "{p:?}");
    let items = queue(&a);
    assert_eq!(items.len(), 3000);
    assert!(
        items
            .windows(2)
            .all(|w| (&w[0].dong, &w[0].address) <= (&w[1].dong, &w[1].address)),
        "queue order"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM discovery WHERE deleted = 0
             ORDER BY deleted, dong, address, name, id LIMIT 10",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("discovery_queue"), "{plan}");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    let again = discovery::import(&mut a, &file, &real, &mut |_, _| {}).unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, 3000));

    let bundle = export(&a, None, true, &dir.path().join("a.bundle"));
    import_bundle(&mut b, &bundle).unwrap();
    let p = &b.discovery_progress("2026-11-25").unwrap()[0];
    assert_eq!((p.total, p.checked), (3000, 0), "{p:?}");
    assert_eq!(
        b.discovery_count(&DiscoveryFilter::default()).unwrap(),
        3000
    );
}
