//! Issue #12 items 10 and 11: sync from the TUI never writes personal data unencrypted by
//! accident, and conflicts and the audit review name people and things in Korean.

use crate::common::tui::press;
use dolbom::clock::{Clock, parse_datetime};
use dolbom::model::Stage;
use dolbom::search::residents::ResidentIndex;
use dolbom::store::{OpenOptions, Store, Val};
use dolbom::sync::bundle::{Decryption, EncryptionKind, open_bundle};
use dolbom::tui::Keymap;
use dolbom::tui::app::{App, Overlay};
use dolbom::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

fn store(dir: &Path, name: &str, residents: usize) -> Store {
    let mut o = OpenOptions::new("tester");
    o.site_name = Some(name.into());
    o.clock = Clock::fixed(parse_datetime("2026-11-25 09:00").unwrap());
    let mut s = Store::open(&dir.join(format!("{name}.db")), &o).unwrap();
    if residents > 0 {
        dolbom::demo::generate(
            &mut s,
            &dolbom::demo::DemoOptions {
                residents,
                seed: 42,
            },
            &mut |_, _| {},
        )
        .unwrap();
    }
    s
}

fn app_on(s: Store) -> App {
    let path = s.path().to_path_buf();
    let mut app = App::new(s, Keymap::builtin_default(), Theme::no_color());
    app.search_index_ready(ResidentIndex::load(&path).unwrap());
    app
}

fn screen(app: &mut App) -> String {
    app.size = (80, 24);
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| dolbom::tui::ui::render(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..24 {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..80 {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = sym.width().saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Files in `dir` other than the database's own.
fn bundles_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains(".db"))
        .collect()
}

fn form_open(app: &App) -> bool {
    matches!(app.overlay, Some(Overlay::Form(..)))
}

/// The bundle's encryption as its header and manifest say (a plain one opens without a secret).
fn encryption_of(path: &Path) -> Option<EncryptionKind> {
    open_bundle(path, &Decryption::None, u32::MAX, None)
        .ok()
        .map(|r| r.manifest().encryption)
}

#[test]
fn f6_export_with_a_blank_passphrase_writes_nothing_and_keeps_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(store(dir.path(), "관악", 30));
    let out = dir.path().join("a.bundle");
    let out_s = out.display().to_string();
    press(&mut app, &["F6", "e", "ctrl-u", &out_s, "ctrl-s"]);
    assert!(
        bundles_in(dir.path()).is_empty(),
        "{:?}",
        bundles_in(dir.path())
    );
    assert!(form_open(&app), "the form stays open");
    let text = screen(&mut app);
    assert!(text.contains("암호문을 입력하세요"), "{text}");
    // Every label is whole at 80×24.
    for label in [
        "파일",
        "받는 기관",
        "보호",
        "암호문 확인",
        "암호문으로 암호화",
    ] {
        assert!(text.contains(label), "{label}: {text}");
    }
    // Focus is on the passphrase: typed twice, differently → still nothing written.
    press(&mut app, &["비밀1234", "tab", "비밀1235", "ctrl-s"]);
    assert!(bundles_in(dir.path()).is_empty());
    assert!(form_open(&app));
    let text = screen(&mut app);
    assert!(text.contains("암호문이 서로 다릅니다"), "{text}");
    assert!(!text.contains("비밀"), "masked: {text}");
    // Fixed in the still-open form: an encrypted bundle.
    press(&mut app, &["ctrl-u", "비밀1234", "ctrl-s"]);
    assert!(!form_open(&app), "{}", screen(&mut app));
    assert!(out.exists(), "{}", screen(&mut app));
    assert_eq!(
        encryption_of(&out),
        None,
        "not readable without the passphrase"
    );
    let pass = age::secrecy::SecretString::from("비밀1234".to_string());
    let reader = open_bundle(&out, &Decryption::Passphrase(pass), u32::MAX, None).unwrap();
    assert_eq!(reader.manifest().encryption, EncryptionKind::Passphrase);
}

#[test]
fn f6_plain_export_needs_its_own_choice_and_a_confirm_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(store(dir.path(), "관악", 30));
    let out = dir.path().join("plain.bundle");
    let out_s = out.display().to_string();
    // File, peer, then the protection choice moved to "암호화 안 함" (the last of three).
    press(
        &mut app,
        &["F6", "e", "ctrl-u", &out_s, "tab", "tab", "right", "right"],
    );
    assert!(screen(&mut app).contains("개인정보가 그대로"));
    press(&mut app, &["ctrl-s"]);
    assert!(
        bundles_in(dir.path()).is_empty(),
        "no file before the confirm"
    );
    let text = screen(&mut app);
    assert!(text.contains("경고") && text.contains("아니요"), "{text}");
    // The safe answer is the default: back to the export form, nothing written.
    press(&mut app, &["ctrl-s"]);
    assert!(bundles_in(dir.path()).is_empty());
    let text = screen(&mut app);
    assert!(text.contains("동기화 묶음 내보내기"), "{text}");
    // Submit again and answer yes: a plain bundle, as asked.
    press(&mut app, &["ctrl-s", "right", "ctrl-s"]);
    assert!(out.exists(), "{}", screen(&mut app));
    assert_eq!(encryption_of(&out), Some(EncryptionKind::Plain));
}

/// A conflict on a case's stage, between two sites that both moved it.
fn stage_conflict(dir: &Path) -> (App, String) {
    use dolbom::sync::{ExportOptions, ImportOptions, bundle::Encryption};
    let mut a = store(dir, "관악", 30);
    let mut b = store(dir, "봉천", 0);
    let export = |s: &Store, file: &str| {
        let out = dir.join(file);
        let opts = ExportOptions {
            out: out.clone(),
            to: None,
            full: true,
            encryption: Encryption::Plain,
        };
        dolbom::sync::export_bundle(s, &opts, &mut |_| {}).unwrap();
        out
    };
    let import = |s: &mut Store, path: &Path| {
        let opts = ImportOptions {
            trust: true,
            ..ImportOptions::default()
        };
        dolbom::sync::import_bundle(s, path, &opts, &mut |_, _| {}).unwrap();
    };
    let first = export(&a, "a1.bundle");
    import(&mut b, &first);
    let (case_id, name): (String, String) = rusqlite::Connection::open(a.path())
        .unwrap()
        .query_row(
            "SELECT c.id, r.name FROM cases c JOIN residents r ON r.id = c.resident_id
             WHERE c.stage NOT IN (?1, ?2) ORDER BY c.id LIMIT 1",
            [Stage::Monitoring.code(), Stage::Reassessment.code()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    for (s, stage) in [(&mut b, Stage::Monitoring), (&mut a, Stage::Reassessment)] {
        let mut tx = s.write().unwrap();
        tx.update("cases", &case_id, &[("stage", Val::text(stage.code()))])
            .unwrap();
        tx.commit().unwrap();
    }
    let from_a = export(&a, "a2.bundle");
    let from_b = export(&b, "b2.bundle");
    import(&mut a, &from_b);
    import(&mut b, &from_a);
    // Whichever site won, show the one that kept 재사정 and lost 모니터링.
    let winner = if a.conflicts(true).unwrap().is_empty() {
        b
    } else {
        a
    };
    (app_on(winner), name)
}

#[test]
fn conflicts_show_the_resident_and_korean_labels() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, name) = stage_conflict(dir.path());
    press(&mut app, &["F6", "c"]);
    let text = screen(&mut app);
    assert!(text.contains("충돌 1건"), "{text}");
    assert!(text.contains(&name), "the resident by name: {text}");
    let (re, mo) = (Stage::Reassessment.label(), Stage::Monitoring.label());
    assert!(
        text.contains(&format!("단계: {re} ← {mo}"))
            || text.contains(&format!("단계: {mo} ← {re}")),
        "{text}"
    );
    for raw in ["cases", "stage", "reassessment", "monitoring"] {
        assert!(!text.contains(raw), "{raw} shown raw: {text}");
    }
}

#[test]
fn audit_screen_names_residents_masked_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(store(dir.path(), "관악", 30));
    // Two detail views of different residents: two 조회 rows.
    press(&mut app, &["esc", "space", "esc", "down", "space", "esc"]);
    let views = app
        .store
        .audit_rows(&dolbom::audit::AuditFilter {
            action: Some("조회".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(views.len() >= 2, "{views:?}");
    let rid = views[0].resident_id.clone().unwrap();
    let name = app.store.resident(&rid).unwrap().unwrap().name;
    let masked = dolbom::privacy::mask_name(&name);
    press(&mut app, &["F7"]);
    let text = screen(&mut app);
    assert!(text.contains(&format!("주민 {masked}")), "{masked}: {text}");
    assert!(!text.contains(&name), "the full name is masked: {text}");
    assert!(!text.contains("resident:"), "{text}");
    // `/` opens the filters: operator, action, resident, date.
    press(&mut app, &["/"]);
    let text = screen(&mut app);
    for label in ["작업자", "작업", "주민 이름", "이 날부터"] {
        assert!(text.contains(label), "{label}: {text}");
    }
    press(
        &mut app,
        &["tab", "tab", &name, "tab", "2026-11-01", "ctrl-s"],
    );
    let screen_rows = app.audit.as_ref().unwrap().rows().to_vec();
    assert!(!screen_rows.is_empty());
    assert!(
        screen_rows
            .iter()
            .all(|r| r.resident_name.as_deref() == Some(name.as_str())),
        "{screen_rows:?}"
    );
    let text = screen(&mut app);
    assert!(text.contains(&format!("주민 '{name}'")), "{text}");
    // The action filter: 거부 rows only (there are none).
    press(
        &mut app,
        &[
            "/", "tab", "right", "right", "right", "right", "right", "right", "right", "ctrl-s",
        ],
    );
    assert_eq!(
        app.audit.as_ref().unwrap().filter().action.as_deref(),
        Some("거부")
    );
    assert!(screen(&mut app).contains("해당하는 기록이 없습니다"));
}

#[test]
fn cli_audit_names_residents_masked_and_aligns_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(store(dir.path(), "관악", 30));
    press(&mut app, &["esc", "space", "esc", "down", "space", "esc"]);
    let db = app.store.path().to_path_buf();
    drop(app);
    let out = super::common::dolbom_at(&db)
        .env("DOLBOM_USER", "tester")
        .args(["audit", "--action", "조회"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "{text}");
    assert!(
        lines[0].contains("작업자") && lines[0].contains("대상"),
        "{text}"
    );
    assert!(!text.contains("resident:"), "{text}");
    // 김*수-style names, and every column starts at the same display column.
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains("주민 ") && l.contains('*')),
        "{text}"
    );
    let col_of = |line: &str, needle: &str| line.find(needle).map(|i| line[..i].width());
    let first = col_of(lines[1], "조회").unwrap();
    assert_eq!(
        col_of(lines[0], "작업 ").or(col_of(lines[0], "작업")),
        Some(first),
        "{text}"
    );
    for l in &lines[1..] {
        assert_eq!(col_of(l, "조회"), Some(first), "{text}");
        assert_eq!(col_of(l, "주민 "), col_of(lines[0], "대상"), "{text}");
    }
}

/// The sync and audit forms at 80×24, each with its longest label and a message at a field.
#[test]
fn sync_and_audit_forms_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(store(dir.path(), "관악", 30));
    press(
        &mut app,
        &[
            "F6", "e", "ctrl-u", "a.bundle", "tab", "tab", "tab", "x", "tab", "y", "ctrl-s",
        ],
    );
    insta::assert_snapshot!("export_form_mismatch_80x24", screen(&mut app));
    press(
        &mut app,
        &["backtab", "backtab", "right", "right", "ctrl-s"],
    );
    insta::assert_snapshot!("export_plain_confirm_80x24", screen(&mut app));
    press(&mut app, &["esc", "esc", "esc"]);
    press(&mut app, &["esc", "space", "esc", "F7"]);
    insta::assert_snapshot!("audit_80x24", screen(&mut app));
    press(&mut app, &["/"]);
    insta::assert_snapshot!("audit_filter_form_80x24", screen(&mut app));
}
