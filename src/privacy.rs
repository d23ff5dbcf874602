//! Personal-data masking, in one place: 주민등록번호 (reduced to birth date, sex and a masked
//! form; masked wherever it appears in free text) and phone numbers (all but the last four
//! digits hidden in lists). Pure functions; nothing here is logged or stored.

use crate::model::Sex;
use chrono::NaiveDate;

/// What is kept of a 주민등록번호. The full number is not a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RrnParts {
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// `500101-1******`.
    pub masked: String,
}

/// Reduces a 주민등록번호 (`500101-1234567` or 13 digits) to birth date, sex and masked form,
/// from the 7th digit: 9/0 → 1800s, 1/2 → 1900s, 3/4 → 2000s, 5/6 → 1900s foreigner,
/// 7/8 → 2000s foreigner; odd = male. The error never repeats the number.
pub fn parse_rrn(raw: &str) -> Result<RrnParts, String> {
    let bad = || "주민등록번호 형식이 잘못되었습니다 (13자리 숫자)".to_owned();
    let digits: Vec<u8> = raw.bytes().filter(|b| !matches!(b, b'-' | b' ')).collect();
    if digits.len() != 13 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let d = |i: usize| u32::from(digits[i] - b'0');
    let g = d(6);
    let century = match g {
        9 | 0 => 1800,
        1 | 2 | 5 | 6 => 1900,
        _ => 2000,
    };
    let sex = if g % 2 == 1 { Sex::Male } else { Sex::Female };
    let y = century + d(0) * 10 + d(1);
    let birth_date = NaiveDate::from_ymd_opt(y as i32, d(2) * 10 + d(3), d(4) * 10 + d(5))
        .ok_or_else(|| "주민등록번호 앞자리가 올바른 날짜가 아닙니다".to_owned())?;
    let front: String = digits[..6].iter().map(|&b| b as char).collect();
    Ok(RrnParts {
        birth_date,
        sex,
        masked: format!("{front}-{g}******"),
    })
}

/// Masks anything shaped like a 주민등록번호 or 외국인등록번호 in free text (see
/// [`mask_rrn_counted`]): the front half and the 7th digit stay, the rest becomes `******`.
pub fn mask_rrn_like(text: &str) -> String {
    mask_rrn_counted(text).0.into_owned()
}

/// The one RRN masker (issue #20 item 1). Finds `YYMMDD` + separator + `[1-8]NNNNNN` where the
/// date part is a plausible date (month 01–12, day 01–31) and the 7th digit names a sex and
/// century (1–8: 내국인 1900s/2000s, 외국인 5–8). The separator is nothing, `-` (also `–`, `—`,
/// `－`) with up to two spaces either side, or one space. The run must stand alone: not inside a
/// longer number (a digit, or a digit and a dash, right before or after it), so phone numbers
/// (`010-1234-5678`), 사업자등록번호 (`123-45-67890`), dates and account numbers of other
/// shapes are left alone. Keeps everything but the last six digits, which become `******`
/// (`500302-1234567` → `500302-1******`), like the `rrn_masked` column. Returns the text
/// (borrowed when nothing was found) and how many numbers were masked. Idempotent.
pub fn mask_rrn_counted(text: &str) -> (std::borrow::Cow<'_, str>, usize) {
    use std::borrow::Cow;
    let b = text.as_bytes();
    // Fast path: an RRN needs 13 ASCII digits.
    if b.iter().filter(|c| c.is_ascii_digit()).count() < 13 {
        return (Cow::Borrowed(text), 0);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut count = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && !ends_number(b, i)
            && let Some((keep, end)) = rrn_at(b, i)
        {
            // `keep` and `end` sit on ASCII bytes, so they are char boundaries.
            out.push_str(&text[copied..keep]);
            out.push_str("******");
            copied = end;
            count += 1;
            i = end;
            continue;
        }
        i += 1;
    }
    if count == 0 {
        return (Cow::Borrowed(text), 0);
    }
    out.push_str(&text[copied..]);
    (Cow::Owned(out), count)
}

/// Whether a number ends right before `i` (a digit, or a digit and a dash).
fn ends_number(b: &[u8], i: usize) -> bool {
    let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    i > 0 && (digit(i - 1) || (b[i - 1] == b'-' && i > 1 && digit(i - 2)))
}

/// Dashes a person may type between the halves (ASCII, en, em, full-width).
const DASHES: [&[u8]; 4] = [
    b"-",
    "\u{2013}".as_bytes(),
    "\u{2014}".as_bytes(),
    "\u{FF0D}".as_bytes(),
];

/// An RRN-shaped run starting at `i`: (end of the kept part, i.e. after the 7th digit; end of
/// the run).
fn rrn_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let digit = |k: usize| {
        b.get(k)
            .copied()
            .filter(u8::is_ascii_digit)
            .map(|c| c - b'0')
    };
    let mut front = [0u8; 6];
    for (k, d) in front.iter_mut().enumerate() {
        *d = digit(i + k)?;
    }
    let month = front[2] * 10 + front[3];
    let day = front[4] * 10 + front[5];
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let spaces = |mut k: usize| {
        let start = k;
        while k - start < 2 && b.get(k) == Some(&b' ') {
            k += 1;
        }
        k
    };
    let mut k = i + 6;
    let before = spaces(k);
    if let Some(dash) = DASHES.iter().find(|d| b[before..].starts_with(d)) {
        k = spaces(before + dash.len());
    } else if before - k <= 1 {
        k = before; // nothing, or one space
    } else {
        return None;
    }
    if !matches!(digit(k), Some(1..=8)) {
        return None;
    }
    for n in 1..7 {
        digit(k + n)?;
    }
    let end = k + 7;
    let next_is_number =
        digit(end).is_some() || (b.get(end) == Some(&b'-') && digit(end + 1).is_some());
    (!next_is_number).then_some((k + 1, end))
}

/// Masks RRN-shaped numbers in one stored text value of column `column` (the write path's
/// funnel: `store::Tx`, the sync merge, the one-time scrub). Identifier columns (`id`, `…_id`,
/// `corrects`, `source`, `source_key`, `rrn_masked`) are left as they are: ids are derived
/// from them. A value that is a JSON object or array (`entries.data`) has its strings masked
/// and stays valid JSON. Returns the value (borrowed if unchanged) and the count masked.
pub fn mask_rrn_in_field<'a>(column: &str, value: &'a str) -> (std::borrow::Cow<'a, str>, usize) {
    use std::borrow::Cow;
    if is_identifier_column(column) {
        return (Cow::Borrowed(value), 0);
    }
    let (masked, n) = mask_rrn_counted(value);
    if n == 0 {
        return (masked, 0);
    }
    let trimmed = value.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(mut json) = serde_json::from_str::<serde_json::Value>(value)
    {
        let n = mask_rrn_in_json(&mut json);
        return match serde_json::to_string(&json) {
            Ok(text) => (Cow::Owned(text), n),
            Err(_) => (masked, n),
        };
    }
    (masked, n)
}

/// Columns that hold identifiers, never free text (see [`mask_rrn_in_field`]).
pub fn is_identifier_column(column: &str) -> bool {
    matches!(
        column,
        "id" | "corrects" | "source" | "source_key" | "rrn_masked"
    ) || column.ends_with("_id")
}

/// Masks every string (and every RRN-shaped integer, which becomes a masked string) in a JSON
/// value; returns the count masked.
pub fn mask_rrn_in_json(v: &mut serde_json::Value) -> usize {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let (m, n) = mask_rrn_counted(s);
            if n > 0 {
                *s = m.into_owned();
            }
            n
        }
        Value::Number(num) => {
            let text = num.to_string();
            let (m, n) = mask_rrn_counted(&text);
            if n > 0 {
                *v = Value::String(m.into_owned());
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(mask_rrn_in_json).sum(),
        Value::Object(map) => map.values_mut().map(mask_rrn_in_json).sum(),
        Value::Null | Value::Bool(_) => 0,
    }
}

/// Masks a name for reviews that need to say whose record without showing it: the first and
/// last characters stay (`김민수` → `김*수`, `남궁민수` → `남**수`, `김수` → `김*`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut out = String::new();
            out.push(chars[0]);
            out.push_str(&"*".repeat(n - 2));
            out.push(chars[n - 1]);
            out
        }
    }
}

/// Masks a phone number for lists: `010-5678-1234` → `010-****-1234`.
pub fn mask_phone(phone: &str) -> String {
    let parts: Vec<&str> = phone.split('-').collect();
    if parts.len() == 3 {
        return format!(
            "{}-{}-{}",
            parts[0],
            "*".repeat(parts[1].chars().count()),
            parts[2]
        );
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    phone
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 4 <= digits { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

/// Whether `c` must not reach a terminal from stored text: C0 and C1 controls and DEL (ESC
/// sequences, a CR that overwrites the line, NUL, the 8-bit CSI U+009B) and the bidi embedding,
/// override and isolate controls (U+202A–U+202E, U+2066–U+2069) that reorder what follows.
pub fn is_terminal_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Stored text made safe to print on a terminal, keeping its lines: every unsafe character
/// ([`is_terminal_unsafe`]) becomes U+FFFD, except newlines, tabs and a CR directly before a
/// newline (CSV's line ends). Text without one is returned as it is.
pub fn terminal_text(s: &str) -> std::borrow::Cow<'_, str> {
    clean(s, true)
}

/// Stored text made safe to print as (part of) one line: like [`terminal_text`], but a newline
/// becomes U+FFFD too, so a name holding `\n` and an ESC code cannot forge a line of a table.
pub fn terminal_line(s: &str) -> std::borrow::Cow<'_, str> {
    clean(s, false)
}

fn clean(s: &str, keep_lines: bool) -> std::borrow::Cow<'_, str> {
    let kept = |c: char, next: Option<char>| {
        c == '\t'
            || (keep_lines && (c == '\n' || (c == '\r' && next == Some('\n'))))
            || !is_terminal_unsafe(c)
    };
    let mut chars = s.chars().peekable();
    let mut clean = true;
    while let Some(c) = chars.next() {
        if !kept(c, chars.peek().copied()) {
            clean = false;
            break;
        }
    }
    if clean {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(if kept(c, chars.peek().copied()) {
            c
        } else {
            '\u{FFFD}'
        });
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrn_centuries_and_sex() {
        let cases = [
            ("500101-1234567", "1950-01-01", Sex::Male),
            ("500101-2234567", "1950-01-01", Sex::Female),
            ("050101-3234567", "2005-01-01", Sex::Male),
            ("050101-4234567", "2005-01-01", Sex::Female),
            ("800101-5234567", "1980-01-01", Sex::Male),
            ("800101-6234567", "1980-01-01", Sex::Female),
            ("100101-7234567", "2010-01-01", Sex::Male),
            ("100101-8234567", "2010-01-01", Sex::Female),
            ("990101-9234567", "1899-01-01", Sex::Male),
            ("990101-0234567", "1899-01-01", Sex::Female),
        ];
        for (raw, date, sex) in cases {
            let p = parse_rrn(raw).unwrap();
            assert_eq!(p.birth_date.to_string(), date, "{raw}");
            assert_eq!(p.sex, sex, "{raw}");
            assert!(!format!("{p:?}").contains("234567"));
        }
        assert_eq!(parse_rrn("5001011234567").unwrap().masked, "500101-1******");
        let err = parse_rrn("501301-1234567").unwrap_err();
        assert!(!err.contains("1234567"));
        assert!(parse_rrn("500101-123456").is_err());
    }

    #[test]
    fn masks_rrn_in_text() {
        assert_eq!(
            mask_rrn_like("주민번호 500101-1234567 확인"),
            "주민번호 500101-1****** 확인"
        );
        assert_eq!(mask_rrn_like("x5001011234567"), "x5001011******");
        assert_eq!(mask_rrn_like("010-1234-5678"), "010-1234-5678");
        assert_eq!(mask_rrn_like("12345001011234567"), "12345001011234567");
    }

    #[test]
    fn rrn_shapes_in_free_text() {
        let masked = [
            (
                "서울 관악구 500302-1234567 101호",
                "서울 관악구 500302-1****** 101호",
            ),
            (
                "서울 관악구 5003021234567 101호",
                "서울 관악구 5003021****** 101호",
            ),
            ("500302 - 1234567", "500302 - 1******"),
            ("500302 -1234567", "500302 -1******"),
            ("500302- 1234567", "500302- 1******"),
            ("500302 1234567", "500302 1******"),
            ("500302\u{2013}1234567", "500302\u{2013}1******"),
            ("번호:500302-1234567.", "번호:500302-1******."),
            // 외국인등록번호 (5–8) and 2000s births.
            ("901231-5234567", "901231-5******"),
            ("050101-8234567", "050101-8******"),
            (
                "a 500302-1234567 b 800101-2345678",
                "a 500302-1****** b 800101-2******",
            ),
        ];
        for (raw, want) in masked {
            let (got, n) = mask_rrn_counted(raw);
            assert_eq!(got, want, "{raw}");
            assert!(n >= 1, "{raw}");
            assert_eq!(mask_rrn_like(&got), got, "idempotent: {raw}");
        }
        let kept = [
            "010-1234-5678",
            "01012345678",
            "02-812-3456",
            "123-45-67890",   // 사업자등록번호
            "1234567890",     // 사업자등록번호 undashed
            "110111-0012345", // 법인등록번호 (7th digit 0)
            "2024-01-15",
            "20240115-1234567",  // 8 digits before the dash
            "501301-1234567",    // month 13
            "500132-1234567",    // day 32
            "500300-1234567",    // day 00
            "500302-9234567",    // 7th digit 9
            "500302-12345678",   // 8 digits after
            "1-500302-1234567",  // inside a longer number
            "500302-1234567-01", // inside a longer number
            "110-123-456789",    // account number
            "1002-345-678901",   // account number
            "500302   1234567",  // too far apart
            "",
        ];
        for raw in kept {
            let (got, n) = mask_rrn_counted(raw);
            assert_eq!((got.as_ref(), n), (raw, 0), "{raw}");
        }
    }

    #[test]
    fn fields_and_json() {
        assert_eq!(mask_rrn_in_field("source_key", "5003021234567").1, 0);
        assert_eq!(mask_rrn_in_field("resident_id", "5003021234567").1, 0);
        let (v, n) = mask_rrn_in_field("address", "관악구 500302-1234567");
        assert_eq!((v.as_ref(), n), ("관악구 500302-1******", 1));
        let (v, n) = mask_rrn_in_field("data", r#"{"note":"500302-1234567","n":5003021234567}"#);
        assert_eq!(n, 2);
        let back: serde_json::Value = serde_json::from_str(&v).expect("still JSON");
        assert_eq!(back["note"], "500302-1******");
        assert_eq!(back["n"], "5003021******");
    }

    #[test]
    fn phones_keep_only_the_tail() {
        assert_eq!(mask_phone("010-5678-1234"), "010-****-1234");
        assert_eq!(mask_phone("02-812-3456"), "02-***-3456");
        assert_eq!(mask_phone("01056781234"), "*******1234");
    }
}

#[cfg(test)]
mod terminal_tests {
    use super::*;

    #[test]
    fn escapes_and_line_breaks_are_replaced_in_a_line() {
        let forged = "kim\n   9  2026-01-01 00:00:00  admin\u{1b}[2K\r\u{0}\u{9b}31m\u{202E}x";
        let line = terminal_line(forged);
        assert!(!line.chars().any(is_terminal_unsafe), "{line:?}");
        assert!(line.starts_with("kim\u{FFFD}"));
        assert_eq!(terminal_line("김민수\t010"), "김민수\t010");
        assert!(matches!(
            terminal_line("김민수"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn text_keeps_its_lines_and_crlf_but_not_a_lone_cr() {
        assert_eq!(terminal_text("a\nb\r\nc\td"), "a\nb\r\nc\td");
        assert_eq!(terminal_text("a\rb\u{1b}"), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(terminal_text("x\u{2066}y"), "x\u{FFFD}y");
    }
}
