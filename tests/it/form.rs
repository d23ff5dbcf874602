//! The form widget: Hangul editing by grapheme and display width, fields, validation, discard
//! confirmation, rendering at every size.

use crate::common::key;
use dolbom::tui::widgets::form::{Field, FormOutcome};
use dolbom::tui::{Action, Key, Keymap};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Forms keyed by their labels (the panes key theirs by enums).
type Form = dolbom::tui::widgets::form::Form<&'static str>;

fn keymap() -> Keymap {
    Keymap::builtin_default()
}

fn intake_form(km: &Keymap) -> Form {
    Form::new(
        " 새 접수 ",
        vec![
            Field::text("이름", "이름").required(),
            Field::date("생년월일", "생년월일"),
            Field::choice("성별", "성별", &["남", "여"]),
            Field::multiline("메모", "메모", 3),
        ],
    )
    .with_hints(km)
}

fn type_text(form: &mut Form, km: &Keymap, text: &str) {
    for c in text.chars() {
        assert_eq!(form.handle_key(Key::char(c), km), FormOutcome::Consumed);
    }
}

fn press(form: &mut Form, km: &Keymap, keys: &str) -> FormOutcome {
    let mut last = FormOutcome::Ignored;
    for k in keys.split_whitespace() {
        last = form.handle_key(key(k), km);
    }
    last
}

fn buffer_rows(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    (area.top()..area.bottom())
        .map(|y| {
            let mut line = String::new();
            let mut skip = 0;
            for x in area.left()..area.right() {
                let sym = buf[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                line.push_str(sym);
                skip = sym.width().saturating_sub(1);
            }
            line.trim_end().to_string()
        })
        .collect()
}

fn draw(form: &Form, w: u16, h: u16) -> (Vec<String>, Option<ratatui::layout::Position>) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    let mut cursor = None;
    t.draw(|f| {
        f.render_widget(form, f.area());
        cursor = form.cursor_position(f.area());
    })
    .unwrap_or_else(|e| panic!("{e}"));
    (buffer_rows(t.backend().buffer()), cursor)
}

#[test]
fn hangul_typing_then_backspace_puts_cursor_at_column_4() {
    let km = keymap();
    let mut form = intake_form(&km);
    type_text(&mut form, &km, "김민수");
    assert_eq!(form.cursor_column(), 6);
    assert_eq!(
        form.handle_key(key("backspace"), &km),
        FormOutcome::Consumed
    );
    assert_eq!(form.value("이름"), Some("김민"));
    assert_eq!(
        form.cursor_column(),
        4,
        "two Hangul syllables are four columns"
    );

    // On screen: the terminal cursor is 4 columns right of where the value starts.
    let (rows, cursor) = draw(&form, 80, 24);
    let cursor = cursor.unwrap_or_else(|| panic!("no cursor"));
    let row = &rows[usize::from(cursor.y)];
    let byte = row
        .find("김민")
        .unwrap_or_else(|| panic!("value not drawn: {row}"));
    let value_col = row[..byte].width();
    assert_eq!(usize::from(cursor.x), value_col + 4, "{row}");
    assert!(!row.contains("김민수"));
}

#[test]
fn letters_in_a_form_are_text_not_commands() {
    let km = keymap();
    let mut form = intake_form(&km);
    // q (quit), j, ? (help), 1 (pane), / (search) are all global keys outside a form.
    type_text(&mut form, &km, "qj?1/ ");
    assert_eq!(form.value("이름"), Some("qj?1/ "));
    // A non-form global key comes back to the app.
    assert_eq!(
        form.handle_key(key("ctrl-p"), &km),
        FormOutcome::Unhandled(Action::CommandPalette)
    );
}

#[test]
fn cursor_moves_by_grapheme() {
    let km = keymap();
    let mut form = intake_form(&km);
    // A decomposed syllable (conjoining jamo) and e + combining acute are one grapheme each.
    type_text(&mut form, &km, "a\u{1100}\u{1175}\u{11B7}e\u{301}");
    assert_eq!(
        form.value("이름").map(|v| v.graphemes(true).count()),
        Some(3)
    );
    press(&mut form, &km, "left left");
    assert_eq!(form.cursor_column(), 1);
    press(&mut form, &km, "delete");
    assert_eq!(form.value("이름"), Some("ae\u{301}"));
    press(&mut form, &km, "end backspace");
    assert_eq!(form.value("이름"), Some("a"));
    press(&mut form, &km, "home");
    type_text(&mut form, &km, "박");
    assert_eq!(form.value("이름"), Some("박a"));
    assert_eq!(form.cursor_column(), 2);
    press(&mut form, &km, "ctrl-u");
    assert_eq!(form.value("이름"), Some(""));
}

#[test]
fn tab_and_shift_tab_move_between_fields() {
    let km = keymap();
    let mut form = intake_form(&km);
    assert_eq!(form.focus(), 0);
    press(&mut form, &km, "tab");
    assert_eq!(form.focus(), 1);
    press(&mut form, &km, "tab tab");
    assert_eq!(form.focus(), 3);
    press(&mut form, &km, "tab");
    assert_eq!(form.focus(), 0, "wraps around");
    press(&mut form, &km, "shift-tab");
    assert_eq!(form.focus(), 3);
    press(&mut form, &km, "backtab");
    assert_eq!(form.focus(), 2);
}

#[test]
fn date_is_validated_on_leave_and_submit() {
    let km = keymap();
    let mut form = intake_form(&km);
    type_text(&mut form, &km, "김민수");
    press(&mut form, &km, "tab");
    type_text(&mut form, &km, "1950-13-01");
    press(&mut form, &km, "tab");
    let err = form.fields()[1].error().map(String::from);
    assert!(
        err.as_deref().is_some_and(|e| e.contains("없는 날짜")),
        "{err:?}"
    );
    assert_eq!(
        form.focus(),
        2,
        "leaving an invalid field is allowed; the error stays shown"
    );
    let (rows, _) = draw(&form, 80, 24);
    assert!(rows.iter().any(|r| r.contains("없는 날짜")), "{rows:#?}");

    assert_eq!(form.handle_key(key("ctrl-s"), &km), FormOutcome::Invalid);
    assert_eq!(form.focus(), 1, "submit focuses the first invalid field");
    press(&mut form, &km, "ctrl-u");
    type_text(&mut form, &km, "1950년쯤");
    assert_eq!(form.apply(Action::Submit), FormOutcome::Invalid);
    assert!(
        form.fields()[1]
            .error()
            .is_some_and(|e| e.contains("20240301"))
    );
    // #12: dates are typed as people type them and kept as YYYY-MM-DD.
    press(&mut form, &km, "ctrl-u");
    type_text(&mut form, &km, "1950.1.1");
    assert_eq!(form.handle_key(key("F2"), &km), FormOutcome::Submitted);
    assert_eq!(form.value("생년월일"), Some("1950-01-01"));
    assert!(form.fields().iter().all(|f| f.error().is_none()));
}

#[test]
fn required_field_must_not_be_empty() {
    let km = keymap();
    let mut form = intake_form(&km);
    press(&mut form, &km, "tab tab");
    assert_eq!(form.apply(Action::Submit), FormOutcome::Invalid);
    assert_eq!(form.focus(), 0);
    assert_eq!(form.fields()[0].error(), Some("필수 항목입니다"));
    type_text(&mut form, &km, "이");
    assert_eq!(form.fields()[0].error(), None, "typing clears the error");
}

#[test]
fn choice_cycles_with_left_right_and_space() {
    let km = keymap();
    let mut form = intake_form(&km);
    press(&mut form, &km, "tab tab");
    assert_eq!(form.value("성별"), Some("남"));
    press(&mut form, &km, "right");
    assert_eq!(form.value("성별"), Some("여"));
    press(&mut form, &km, "right");
    assert_eq!(form.value("성별"), Some("남"));
    press(&mut form, &km, "left");
    assert_eq!(form.value("성별"), Some("여"));
    press(&mut form, &km, "space");
    assert_eq!(form.value("성별"), Some("남"));
    type_text(&mut form, &km, "x");
    assert_eq!(
        form.value("성별"),
        Some("남"),
        "a letter no option has leaves the choice"
    );
    assert_eq!(
        form.fields()[2].error(),
        Some("성별: \"x\"에 맞는 항목이 없습니다"),
        "and says so"
    );
    assert_eq!(form.cursor_position(Rect::new(0, 0, 80, 24)), None);
}

/// Type-to-select on a choice field, drawn at 80×24: the focused choice shows how to choose,
/// a Hangul syllable or 초성 picks the option it starts, text inside an option picks it, and
/// typing that matches nothing is named under the field (not dropped).
#[test]
fn choice_takes_typed_hangul_and_names_what_matches_nothing_at_80x24() {
    let km = keymap();
    let mut form = Form::new(
        " 발굴 처리 결과 ",
        vec![
            Field::choice(
                "결과",
                "결과",
                &["지원 연계", "비해당", "조사 불가", "거부", "이미 관리 중"],
            ),
            Field::text("메모", "메모"),
        ],
    )
    .with_hints(&km);
    let (rows, _) = draw(&form, 80, 24);
    assert!(
        rows[1].contains("< 지원 연계 >  (1/5)  ←→ 또는 글자로 선택"),
        "{rows:#?}"
    );

    type_text(&mut form, &km, "비");
    assert_eq!(form.value("결과"), Some("비해당"));
    let (rows, _) = draw(&form, 80, 24);
    assert!(rows[1].contains("< 비해당 >  (2/5)"), "{rows:#?}");

    // Space steps on (and ends the run); then 초성 ㄱ picks 거부.
    press(&mut form, &km, "space");
    assert_eq!(form.value("결과"), Some("조사 불가"));
    type_text(&mut form, &km, "ㄱ");
    assert_eq!(form.value("결과"), Some("거부"));

    // Text inside an option: 관리 → 이미 관리 중 (left ends the run first).
    press(&mut form, &km, "left");
    type_text(&mut form, &km, "관리");
    assert_eq!(form.value("결과"), Some("이미 관리 중"));

    // Nothing matches: the choice stays and the field names the field and what was typed.
    press(&mut form, &km, "right");
    type_text(&mut form, &km, "ㅋ");
    assert_eq!(form.value("결과"), Some("지원 연계"));
    let (rows, _) = draw(&form, 80, 24);
    assert!(
        rows[2].contains("결과: \"ㅋ\"에 맞는 항목이 없습니다"),
        "{rows:#?}"
    );
    // Moving on clears it; the hint follows the focus (the text field has none).
    press(&mut form, &km, "tab");
    let (rows, _) = draw(&form, 80, 24);
    assert!(
        !rows.iter().any(|r| r.contains("맞는 항목이 없습니다")),
        "{rows:#?}"
    );
    assert!(!rows.iter().any(|r| r.contains("글자로 선택")), "{rows:#?}");
    // A paste names an option too.
    press(&mut form, &km, "backtab");
    assert_eq!(form.paste("조사 불가"), FormOutcome::Consumed);
    assert_eq!(form.value("결과"), Some("조사 불가"));
}

#[test]
fn multiline_enter_breaks_lines_and_arrows_move_between_them() {
    let km = keymap();
    let mut form = intake_form(&km);
    press(&mut form, &km, "tab tab tab");
    type_text(&mut form, &km, "가정 방문");
    press(&mut form, &km, "enter");
    type_text(&mut form, &km, "전기 끊김");
    assert_eq!(form.value("메모"), Some("가정 방문\n전기 끊김"));
    assert_eq!(form.focus(), 3, "enter stays in a multi-line field");
    press(&mut form, &km, "up");
    assert_eq!(form.cursor_column(), 9);
    press(&mut form, &km, "home");
    type_text(&mut form, &km, "*");
    assert_eq!(form.value("메모"), Some("*가정 방문\n전기 끊김"));
    press(&mut form, &km, "up");
    assert_eq!(
        form.focus(),
        2,
        "up on the first line moves to the previous field"
    );
    // In a single-line field, enter moves to the next field.
    press(&mut form, &km, "shift-tab shift-tab enter");
    assert_eq!(form.focus(), 1);
}

#[test]
fn escape_on_a_changed_form_asks_first() {
    let km = keymap();
    let mut clean = intake_form(&km);
    assert!(!clean.is_dirty());
    assert_eq!(press(&mut clean, &km, "esc"), FormOutcome::Cancelled);

    let mut form = intake_form(&km);
    type_text(&mut form, &km, "김");
    assert!(form.is_dirty());
    assert_eq!(press(&mut form, &km, "esc"), FormOutcome::Consumed);
    assert!(form.is_confirming_discard());
    let (rows, cursor) = draw(&form, 80, 24);
    assert!(rows.iter().any(|r| r.contains("변경 내용을 버릴까요?")));
    assert_eq!(cursor, None);
    // Esc again: back to editing, nothing lost.
    assert_eq!(press(&mut form, &km, "esc"), FormOutcome::Consumed);
    assert!(!form.is_confirming_discard());
    assert_eq!(form.value("이름"), Some("김"));
    // Esc then y (or ㅛ with a Korean IME) discards.
    press(&mut form, &km, "esc");
    assert_eq!(
        form.handle_key(Key::char('ㅛ'), &km),
        FormOutcome::Cancelled
    );
    // Deleting what was typed makes the form clean again.
    let mut back = intake_form(&km);
    type_text(&mut back, &km, "김");
    press(&mut back, &km, "backspace");
    assert!(!back.is_dirty());
}

#[test]
fn initial_values() {
    let km = keymap();
    let form = Form::new(
        "정정",
        vec![
            Field::text("내용", "내용").with_value("원래 내용"),
            Field::choice("종류", "종류", &["방문", "전화"]).with_value("전화"),
        ],
    );
    assert_eq!(form.value("내용"), Some("원래 내용"));
    assert_eq!(form.value("종류"), Some("전화"));
    assert_eq!(form.cursor_column(), 9);
    assert!(!form.is_dirty());
    let mut f = form.clone();
    press(&mut f, &km, "tab right");
    assert!(f.is_dirty());
}

#[test]
fn long_text_scrolls_so_the_cursor_stays_visible() {
    let km = keymap();
    let mut form = Form::new("t", vec![Field::text("이름", "이름")]);
    type_text(&mut form, &km, &"가나다라마바사".repeat(5));
    let (rows, cursor) = draw(&form, 30, 5);
    let cursor = cursor.unwrap_or_else(|| panic!("cursor hidden"));
    assert!(cursor.x < 29, "{cursor:?}");
    assert!(rows[usize::from(cursor.y)].contains("바사"), "{rows:#?}");
}

#[test]
fn form_snapshot_80x24() {
    let km = keymap();
    let mut form = intake_form(&km);
    type_text(&mut form, &km, "김민수");
    press(&mut form, &km, "tab");
    type_text(&mut form, &km, "1950-02-30");
    press(&mut form, &km, "tab right tab");
    type_text(&mut form, &km, "독거, 단전 위험");
    press(&mut form, &km, "enter");
    type_text(&mut form, &km, "주 1회 방문");
    let (rows, cursor) = draw(&form, 80, 24);
    let text = rows.join("\n");
    insta::assert_snapshot!("form_intake_80x24", text);
    // Border 1 + label column 9 + "주 1회 방문" (11 columns) = 21, on the second memo line.
    assert_eq!(cursor.map(|c| (c.x, c.y)), Some((21, 6)));
}

#[test]
fn form_renders_at_every_size() {
    let km = keymap();
    let mut form = intake_form(&km);
    type_text(&mut form, &km, "김민수 가나다라마바사아자차카타파하");
    press(&mut form, &km, "tab");
    type_text(&mut form, &km, "bad");
    press(&mut form, &km, "tab tab tab tab tab");
    type_text(&mut form, &km, "여러 줄");
    press(&mut form, &km, "enter enter enter");
    type_text(&mut form, &km, "끝");
    let mut confirming = form.clone();
    press(&mut confirming, &km, "esc");
    for w in 1..=80 {
        for h in 1..=24 {
            for f in [&form, &confirming] {
                let (_, cursor) = draw(f, w, h);
                if let Some(c) = cursor {
                    assert!(c.x < w && c.y < h, "cursor {c:?} outside {w}x{h}");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any key sequence keeps the form consistent: the focused text field matches a simple model
    /// of graphemes and the cursor column equals the width before the cursor.
    #[test]
    fn editing_matches_a_grapheme_model(ops in prop::collection::vec(0u8..8, 0..60)) {
        let km = keymap();
        let mut form = Form::new("t", vec![Field::text("이름", "이름")]);
        let mut model: Vec<String> = Vec::new();
        let mut cur = 0usize;
        let alphabet = ["김", "a", "e\u{301}", "ㅎ", "😀", "수"];
        for op in ops {
            match op {
                0..=2 => {
                    let g = alphabet[usize::from(op) * 2 % alphabet.len() + model.len() % 2];
                    for c in g.chars() {
                        form.handle_key(Key::char(c), &km);
                    }
                    model.insert(cur, g.to_string());
                    cur += 1;
                }
                3 => {
                    form.handle_key(key("backspace"), &km);
                    if cur > 0 { cur -= 1; model.remove(cur); }
                }
                4 => {
                    form.handle_key(key("delete"), &km);
                    if cur < model.len() { model.remove(cur); }
                }
                5 => { form.handle_key(key("left"), &km); cur = cur.saturating_sub(1); }
                6 => { form.handle_key(key("right"), &km); cur = (cur + 1).min(model.len()); }
                _ => { form.handle_key(key("home"), &km); cur = 0; }
            }
            let joined: String = model.concat();
            prop_assert_eq!(form.value("이름"), Some(joined.as_str()));
            let width: usize = model[..cur].iter().map(|g| g.width()).sum();
            prop_assert_eq!(form.cursor_column(), width);
        }
    }
}

/// A passphrase is typed like any text but drawn as one `*` per character, never itself; the
/// cursor follows the mask.
#[test]
fn secret_field_never_shows_what_was_typed() {
    let km = keymap();
    let mut form = Form::new(
        " 내보내기 ",
        vec![
            Field::text("파일", "파일"),
            Field::secret("암호문", "암호문"),
        ],
    )
    .with_hints(&km);
    press(&mut form, &km, "tab");
    type_text(&mut form, &km, "비밀abc");
    assert_eq!(form.value("암호문"), Some("비밀abc"));
    assert_eq!(form.cursor_column(), 5, "one column per character");
    for (w, h) in [(80, 24), (40, 10), (200, 60)] {
        let (rows, _) = draw(&form, w, h);
        let screen = rows.join("\n");
        assert!(
            !screen.contains("비밀") && !screen.contains("abc"),
            "{screen}"
        );
        if w >= 80 {
            assert!(screen.contains("*****"), "{screen}");
        }
    }
    let (rows, cursor) = draw(&form, 80, 24);
    let cursor = cursor.unwrap_or_else(|| panic!("no cursor"));
    let row = &rows[usize::from(cursor.y)];
    let at = row
        .find("*****")
        .unwrap_or_else(|| panic!("mask not drawn: {row}"));
    assert_eq!(usize::from(cursor.x), row[..at].width() + 5, "{row}");
}

/// The part of a drawn row from display column `col` on.
fn from_column(row: &str, col: usize) -> &str {
    let mut w = 0;
    for (i, c) in row.char_indices() {
        if w >= col {
            return &row[i..];
        }
        w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    ""
}

/// A long note wraps inside a multi-line field instead of scrolling sideways: every character
/// is on screen, no row is wider than the field, the cursor follows the text, and up/down move
/// by shown row.
#[test]
fn multiline_text_wraps_at_the_field_width() {
    let km = keymap();
    let mut form =
        Form::new(" 기록 추가 ", vec![Field::multiline("내용", "내용", 6)]).with_hints(&km);
    let note = "어르신 댁 방문, 난방비 체납으로 겨울철 난방 중단 상태 확인함. 긴급지원 신청 안내.";
    type_text(&mut form, &km, note);
    let (rows, cursor) = draw(&form, 40, 12);
    let cursor = cursor.unwrap_or_else(|| panic!("no cursor"));
    // The field's rows: from the row holding the first characters down to the cursor's row.
    let top = rows
        .iter()
        .position(|r| r.contains("어르신"))
        .unwrap_or_else(|| panic!("start of the note not shown: {rows:#?}"));
    let left = rows[top][..rows[top].find("어르신").unwrap_or(0)].width();
    let shown: String = rows[top..=usize::from(cursor.y)]
        .iter()
        .map(|r| from_column(r, left).trim_end_matches(['│', ' ']))
        .collect();
    assert_eq!(shown.replace(' ', ""), note.replace(' ', ""), "{rows:#?}");
    assert!(
        usize::from(cursor.y) > top + 1,
        "a long note takes several rows"
    );
    for r in &rows {
        assert!(r.width() <= 40, "{r}");
    }
    // Up moves one shown row within the same paragraph, not to the previous field or line.
    // The app tells the form where it is drawn (rendering never writes to the form).
    form.set_area(Rect::new(0, 0, 40, 12));
    let col = form.cursor_column();
    press(&mut form, &km, "up");
    let (_, up) = draw(&form, 40, 12);
    let up = up.unwrap_or_else(|| panic!("no cursor"));
    assert_eq!(up.y + 1, cursor.y);
    assert!(form.cursor_column() <= col + 1);
    assert_eq!(form.value("내용"), Some(note));
}
