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

/// Masks anything shaped like a 주민등록번호 (6 digits, optional `-`, 7 digits) in free text.
pub fn mask_rrn_like(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let preceded_by_digit = i > 0 && chars[i - 1].is_ascii_digit();
        if !preceded_by_digit && let Some(len) = rrn_at(&chars[i..]) {
            out.extend(&chars[i..i + 7 + usize::from(len == 14)]);
            out.push_str("******");
            i += len;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Length (13 or 14) of an RRN-shaped run at the start of `c`, not followed by a digit.
fn rrn_at(c: &[char]) -> Option<usize> {
    let digits = |r: std::ops::Range<usize>| {
        r.clone()
            .all(|i| c.get(i).is_some_and(char::is_ascii_digit))
    };
    let len = if digits(0..6) && c.get(6) == Some(&'-') && digits(7..14) {
        14
    } else if digits(0..13) {
        13
    } else {
        return None;
    };
    (!c.get(len).is_some_and(char::is_ascii_digit)).then_some(len)
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
