//! The paper engines through the built binary: 서식 (HWPX, HTML) from `dolbom timeline`, lists
//! to XLSX from `search`, `timeline --list` and `resources export`, and `report monthly`. Files
//! are read back with independent readers (zip + roxmltree, calamine); every export leaves one
//! audit row naming what and how many, never the contents; usage mistakes exit 2.

use crate::common::dolbom_at;
use crate::common::paper as fixture;

use calamine::{Data, Reader, Xlsx, open_workbook};
use dolbom::audit::AuditFilter;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The fixture case (C1 of 김순자) in a fresh database; returns (dir, db path).
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    drop(fixture::store(dir.path()));
    let db = dir.path().join("paper.db");
    (dir, db)
}

fn run(db: &Path, args: &[&str]) -> Output {
    dolbom_at(db).args(args).output().expect("run dolbom")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "status {:?}\nstdout {}\nstderr {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// (action, subject, detail) of every audit row of `action`.
fn audit(dir: &Path, action: &str) -> Vec<(String, String)> {
    let store = fixture::open(dir, "2026-05-02T10:00:00");
    store
        .audit_rows(&AuditFilter::default())
        .expect("audit")
        .into_iter()
        .filter(|r| r.action == action)
        .map(|r| (r.subject, r.detail))
        .collect()
}

/// Every `hp:t` text of an HWPX package's section0.xml, read with zip + roxmltree.
fn hwpx_texts(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).expect("hwpx file");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut first = String::new();
    z.by_index(0)
        .expect("mimetype")
        .read_to_string(&mut first)
        .expect("utf-8");
    assert_eq!(first, "application/hwp+zip");
    let mut section = String::new();
    z.by_name("Contents/section0.xml")
        .expect("section0")
        .read_to_string(&mut section)
        .expect("utf-8");
    let doc = roxmltree::Document::parse(&section).expect("well-formed section0.xml");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "t")
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open xlsx");
    let range = wb.worksheet_range(name).expect("sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn cell(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn timeline_writes_a_masked_hwpx_form_and_audits_it() {
    let (dir, db) = setup();
    let out = dir.path().join("계획서.hwpx");
    let o = run(
        &db,
        &[
            "timeline",
            "C1",
            "--format",
            "hwpx",
            "--form",
            "서비스 제공계획서",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    ok(&o);
    let texts = hwpx_texts(&out);
    assert!(texts.iter().any(|t| t == fixture::NAME), "{texts:?}");
    for g in fixture::GOALS {
        assert!(texts.iter().any(|t| t.contains(g)), "goal {g} in {texts:?}");
    }
    assert!(!texts.iter().any(|t| t.contains(fixture::PHONE)));
    let prints = audit(dir.path(), "출력");
    assert_eq!(prints.len(), 1, "{prints:?}");
    assert_eq!(prints[0].0, "case:C1");
    assert!(prints[0].1.contains("서비스 제공계획서 hwpx"));
    assert!(!prints[0].1.contains(fixture::NAME));
}

#[test]
fn timeline_writes_html_by_code_and_full_shows_the_phone() {
    let (dir, db) = setup();
    let out = dir.path().join("요약.html");
    let o = run(
        &db,
        &[
            "timeline",
            "C1",
            "--format",
            "html",
            "--form",
            "summary",
            "--full",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    ok(&o);
    let html = std::fs::read_to_string(&out).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains(fixture::NAME) && html.contains(fixture::PHONE));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert_eq!(audit(dir.path(), "출력").len(), 1);
}

#[test]
fn an_unknown_form_is_a_usage_error_naming_the_flag() {
    let (dir, db) = setup();
    let out = dir.path().join("x.hwpx");
    let o = run(
        &db,
        &[
            "timeline",
            "C1",
            "--format",
            "hwpx",
            "--form",
            "없는서식",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--form"), "{err}");
    assert!(!out.exists());
    // hwpx without --out, and xlsx for one case, are usage errors too.
    let o = run(&db, &["timeline", "C1", "--format", "hwpx"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        &db,
        &["timeline", "C1", "--format", "xlsx", "--out", "x.xlsx"],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_broken_centre_template_names_file_and_line_and_exits_2() {
    let (dir, db) = setup();
    let forms = dir.path().join("forms");
    std::fs::create_dir(&forms).expect("forms dir");
    std::fs::write(
        forms.join("plan.form"),
        "서식 서비스 제공계획서\n표 50 50\n행 하나 | 둘 | 셋\n",
    )
    .expect("template");
    let out = dir.path().join("계획서.hwpx");
    let o = run(
        &db,
        &[
            "timeline",
            "C1",
            "--format",
            "hwpx",
            "--form",
            "plan",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("forms/plan.form:3:"), "{err}");
    assert!(!out.exists());
    assert!(audit(dir.path(), "출력").is_empty());
}

#[test]
fn a_centre_template_replaces_the_builtin_one() {
    let (dir, db) = setup();
    let forms = dir.path().join("forms");
    std::fs::create_dir(&forms).expect("forms dir");
    std::fs::write(
        forms.join("summary.form"),
        "서식 사례 요약\n제목 우리 센터 사례 요약\n문단 {대상자.이름}\n",
    )
    .expect("template");
    let out = dir.path().join("요약.hwpx");
    let o = run(
        &db,
        &[
            "timeline",
            "C1",
            "--format",
            "hwpx",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    ok(&o);
    let texts = hwpx_texts(&out);
    assert!(
        texts.iter().any(|t| t.contains("우리 센터 사례 요약")),
        "{texts:?}"
    );
}

#[test]
fn lists_go_to_xlsx_with_one_download_row_each() {
    let (dir, db) = setup();
    let search = dir.path().join("명단.xlsx");
    ok(&run(
        &db,
        &[
            "search",
            "김",
            "--format",
            "xlsx",
            "--out",
            search.to_str().expect("utf-8 path"),
        ],
    ));
    let rows = sheet(&search, "검색 결과");
    assert_eq!(cell(&rows[0][0]), "이름");
    assert_eq!(rows.len(), 2, "header + 김순자");
    assert_eq!(cell(&rows[1][0]), fixture::NAME);
    assert!(
        matches!(rows[1][1], Data::DateTime(_)),
        "birth date is a date"
    );
    assert_eq!(cell(&rows[1][4]), fixture::PHONE_MASKED);

    let cases = dir.path().join("사례.xlsx");
    ok(&run(
        &db,
        &[
            "timeline",
            "--list",
            "--format",
            "xlsx",
            "--out",
            cases.to_str().expect("utf-8 path"),
        ],
    ));
    let rows = sheet(&cases, "사례 목록");
    assert_eq!(cell(&rows[0][0]), "사례 ID");
    assert_eq!(rows.len(), 2);
    assert_eq!(cell(&rows[1][0]), "C1");

    let res = dir.path().join("자원.xlsx");
    ok(&run(
        &db,
        &["resources", "export", res.to_str().expect("utf-8 path")],
    ));
    let rows = sheet(&res, "자원 목록");
    assert_eq!(cell(&rows[0][0]), "이름");

    let mut downloads = audit(dir.path(), "출력");
    downloads.retain(|(s, _)| s.starts_with("list:"));
    let subjects: Vec<&str> = downloads.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        subjects,
        ["list:search", "list:cases", "list:resources"],
        "{downloads:?}"
    );
    assert_eq!(downloads[0].1, "검색 결과 xlsx 1건");
    assert_eq!(downloads[1].1, "사례 목록 xlsx 1건");
    for (_, d) in &downloads {
        assert!(!d.contains(fixture::NAME));
    }
    // --format xlsx needs --out.
    let o = run(&db, &["timeline", "--list", "--format", "xlsx"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&db, &["search", "김", "--format", "xlsx"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn report_monthly_writes_xlsx_csv_and_json() {
    let (dir, db) = setup();
    let out = dir.path().join("실적.xlsx");
    ok(&run(
        &db,
        &[
            "report",
            "monthly",
            "--month",
            "2026-04",
            "--format",
            "xlsx",
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    ));
    let defs = sheet(&out, "정의");
    assert_eq!(cell(&defs[0][0]), "지표");
    assert!(defs.len() > 5);
    let workers = sheet(&out, "담당자별");
    assert!(workers.len() >= 2);

    let o = run(
        &db,
        &[
            "report", "monthly", "--month", "2026-04", "--format", "json",
        ],
    );
    ok(&o);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v.is_object());
    let o = run(&db, &["report", "monthly", "--month", "2026-04"]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("월"));

    let prints = audit(dir.path(), "출력");
    assert_eq!(prints.len(), 3, "{prints:?}");
    assert!(prints.iter().all(|(s, _)| s == "report:monthly:2026-04"));

    let o = run(&db, &["report", "monthly", "--month", "2026-13"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        &db,
        &[
            "report", "monthly", "--month", "2026-04", "--format", "xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}

/// Presses one key in keymap syntax (`"e"`, `"tab"`, `"ctrl-s"`) or types `text` when it is
/// not one.
fn press(app: &mut dolbom::tui::app::App, keys: &[&str]) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use dolbom::tui::{Key, KeyCode as TuiCode};
    let send = |app: &mut dolbom::tui::app::App, k: Key| {
        let code = match k.code {
            TuiCode::Char(c) => KeyCode::Char(c),
            TuiCode::Tab => KeyCode::Tab,
            TuiCode::Enter => KeyCode::Enter,
            TuiCode::Esc => KeyCode::Esc,
            TuiCode::Right => KeyCode::Right,
            TuiCode::Down => KeyCode::Down,
            other => panic!("key not used here: {other:?}"),
        };
        let mut mods = KeyModifiers::NONE;
        mods.set(KeyModifiers::CONTROL, k.mods.ctrl);
        mods.set(KeyModifiers::SHIFT, k.mods.shift);
        app.on_key(KeyEvent::new(code, mods));
    };
    for k in keys {
        match k.parse::<Key>() {
            Ok(key) => send(app, key),
            Err(_) => k.chars().for_each(|c| send(app, Key::char(c))),
        }
    }
}

fn tui_screen(app: &mut dolbom::tui::app::App) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    app.size = (100, 30);
    let mut t = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    t.draw(|f| dolbom::tui::ui::render(f, app)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..30 {
        let mut skip = 0;
        for x in 0..100 {
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

#[test]
fn tui_e_writes_an_hwpx_form_of_the_open_case() {
    use dolbom::tui::app::App;
    use dolbom::tui::theme::Theme;
    let dir = tempfile::tempdir().expect("dir");
    let store = fixture::store(dir.path());
    let path = store.path().to_path_buf();
    let mut app = App::new(
        store,
        dolbom::tui::Keymap::builtin_default(),
        Theme::no_color(),
    );
    app.search_index_ready(dolbom::search::residents::ResidentIndex::load(&path).expect("index"));
    press(&mut app, &["esc", "2", "enter"]);
    assert!(app.timeline.current_case().is_some(), "a case is open");
    press(&mut app, &["e"]);
    let form = tui_screen(&mut app);
    assert!(form.contains("한글 서식 (hwpx)"), "{form}");
    assert!(form.contains("초기상담기록지"), "{form}");
    let out = dir.path().join("상담.hwpx");
    press(
        &mut app,
        &[
            "tab",
            "tab",
            "ctrl-u",
            out.to_str().expect("utf-8 path"),
            "ctrl-s",
        ],
    );
    assert!(out.exists(), "written: {}", tui_screen(&mut app));
    let texts = hwpx_texts(&out);
    assert!(
        texts.iter().any(|t| t.contains("초기상담기록지")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == fixture::NAME), "{texts:?}");
    let store = &app.store;
    let prints: Vec<_> = store
        .audit_rows(&AuditFilter::default())
        .expect("audit")
        .into_iter()
        .filter(|r| r.action == "출력")
        .collect();
    assert_eq!(prints.len(), 1);
    assert!(prints[0].detail.contains("초기상담기록지 hwpx"));
}

#[test]
fn tui_x_writes_the_search_results_and_today_lists_to_xlsx() {
    use dolbom::tui::app::App;
    use dolbom::tui::theme::Theme;
    let dir = tempfile::tempdir().expect("dir");
    let store = fixture::store(dir.path());
    let path = store.path().to_path_buf();
    let mut app = App::new(
        store,
        dolbom::tui::Keymap::builtin_default(),
        Theme::no_color(),
    );
    app.search_index_ready(dolbom::search::residents::ResidentIndex::load(&path).expect("index"));
    let hits = dir.path().join("검색.xlsx");
    press(&mut app, &["esc", "/", "김", "esc", "x"]);
    assert!(tui_screen(&mut app).contains("검색 결과 엑셀로 저장"));
    press(
        &mut app,
        &["ctrl-u", hits.to_str().expect("utf-8 path"), "ctrl-s"],
    );
    let rows = sheet(&hits, "검색 결과");
    assert_eq!(rows.len(), 2, "{}", tui_screen(&mut app));
    assert_eq!(cell(&rows[1][0]), fixture::NAME);

    let today = dir.path().join("오늘.xlsx");
    press(
        &mut app,
        &[
            "4",
            "x",
            "ctrl-u",
            today.to_str().expect("utf-8 path"),
            "ctrl-s",
        ],
    );
    assert!(today.exists(), "{}", tui_screen(&mut app));

    // A folder that does not exist is named in a short refusal, and the form's default path
    // is in a folder that exists.
    press(&mut app, &["x"]);
    let default = dolbom::tui::panes::timeline::paper::export_dir();
    assert!(default.is_dir(), "{}", default.display());
    let nowhere = dir.path().join("없는 폴더").join("오늘.xlsx");
    press(
        &mut app,
        &["ctrl-u", nowhere.to_str().expect("utf-8 path"), "ctrl-s"],
    );
    let screen = tui_screen(&mut app);
    assert!(screen.contains("폴더가 없습니다"), "{screen}");
    assert!(!nowhere.exists());
    // The form stays open with what was typed, so the path can be fixed and saved.
    assert!(screen.contains("오늘 목록 엑셀로 저장"), "{screen}");
    assert!(screen.contains("없는 폴더"), "{screen}");
    let fixed = dir.path().join("오늘2.xlsx");
    press(
        &mut app,
        &["ctrl-u", fixed.to_str().expect("utf-8 path"), "ctrl-s"],
    );
    assert!(fixed.exists(), "{}", tui_screen(&mut app));
    let subjects: Vec<String> = app
        .store
        .audit_rows(&AuditFilter::default())
        .expect("audit")
        .into_iter()
        .filter(|r| r.action == "출력" && r.subject.starts_with("list:"))
        .map(|r| r.subject)
        .collect();
    // The refused save (no folder) left no 출력 row; the fixed one did.
    assert_eq!(subjects, ["list:search", "list:today", "list:today"]);
}
