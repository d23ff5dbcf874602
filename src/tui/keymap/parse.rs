//! Reading a keymap file: TOML → entries (context, keys, action or `none`, description), with
//! every problem reported as `file:line: message`.

use std::fmt;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::context::Context;
use crate::tui::action::Action;
use crate::tui::key::KeySeq;

/// One problem found in a keymap file, with its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File name or label (`default.toml`, a path).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong (Korean).
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A keymap could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// The file has errors; each is printed as `file:line: message` on its own line.
    #[error("{}", join_lines(.0))]
    Invalid(Vec<Diagnostic>),
    /// The file could not be read.
    #[error("{path}: 키맵 파일을 읽을 수 없습니다: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl KeymapError {
    /// The diagnostics of an invalid file (empty for I/O errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            KeymapError::Invalid(d) => d,
            KeymapError::Io { .. } => &[],
        }
    }
}

fn join_lines(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// One parsed line of a keymap file: `None` as action removes the key.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) ctx: Context,
    pub(super) keys: KeySeq,
    pub(super) action: Option<Action>,
    pub(super) desc: Option<String>,
}

/// 1-based line of a byte offset.
fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Collects diagnostics while walking a parsed file.
struct Checker<'a> {
    file: &'a str,
    src: &'a str,
    errors: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, message: String) {
        let line = line_of(self.src, span.start);
        self.errors.push(Diagnostic {
            file: self.file.to_string(),
            line,
            message,
        });
    }
}

pub(super) fn parse_entries(file: &str, src: &str) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    let root = DeTable::parse(src).map_err(|e| {
        vec![Diagnostic {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(src, s.start)),
            message: format!("TOML 문법 오류: {}", e.message().trim()),
        }]
    })?;
    let mut ck = Checker {
        file,
        src,
        errors: Vec::new(),
    };
    let mut entries = Vec::new();
    let mut tables: Vec<_> = root.get_ref().iter().collect();
    tables.sort_by_key(|(k, _)| k.span().start);
    for (name, value) in tables {
        let Ok(ctx) = name.get_ref().parse::<Context>() else {
            let known: Vec<_> = Context::ALL.iter().map(|c| c.name()).collect();
            ck.err(
                name.span(),
                format!(
                    "알 수 없는 문맥 [{}] (가능한 것: {})",
                    name.get_ref(),
                    known.join(", ")
                ),
            );
            continue;
        };
        let DeValue::Table(table) = value.get_ref() else {
            ck.err(name.span(), format!("[{ctx}]는 표(table)여야 합니다"));
            continue;
        };
        parse_table(&mut ck, ctx, table, &mut entries);
    }
    if ck.errors.is_empty() {
        Ok(entries)
    } else {
        ck.errors.sort_by_key(|d| d.line);
        Err(ck.errors)
    }
}

fn parse_table(ck: &mut Checker<'_>, ctx: Context, table: &DeTable<'_>, out: &mut Vec<Entry>) {
    let mut items: Vec<_> = table.iter().collect();
    items.sort_by_key(|(k, _)| k.span().start);
    let first_new = out.len();
    for (key, value) in items {
        let keys = match key.get_ref().parse::<KeySeq>() {
            Ok(k) => k,
            Err(e) => {
                ck.err(key.span(), format!("[{ctx}] {e}"));
                continue;
            }
        };
        if ctx.is_text_input() && keys.keys()[0].text_char().is_some() {
            ck.err(
                key.span(),
                format!("[{ctx}] \"{keys}\"는 글자 입력이라 묶을 수 없습니다 (ctrl-/alt- 또는 특수 키를 쓰세요)"),
            );
            continue;
        }
        let Some((action, desc)) = parse_value(ck, ctx, value) else {
            continue;
        };
        if let Some(prev) = out[first_new..]
            .iter()
            .find(|e| e.keys.starts_with(&keys) || keys.starts_with(&e.keys))
        {
            let msg = format!("[{ctx}] \"{keys}\"가 \"{}\"와 겹칩니다", prev.keys);
            ck.err(key.span(), msg);
            continue;
        }
        out.push(Entry {
            ctx,
            keys,
            action,
            desc,
        });
    }
}

/// `"action"`, `"none"` or `{ action = "…", desc = "…" }`.
fn parse_value(
    ck: &mut Checker<'_>,
    ctx: Context,
    value: &Spanned<DeValue<'_>>,
) -> Option<(Option<Action>, Option<String>)> {
    let (name, desc) = match value.get_ref() {
        DeValue::String(s) => (Spanned::new(value.span(), s.to_string()), None),
        DeValue::Table(t) => {
            for (k, _) in t.iter() {
                if !matches!(k.get_ref().as_ref(), "action" | "desc") {
                    ck.err(
                        k.span(),
                        format!("[{ctx}] 알 수 없는 항목 \"{}\"", k.get_ref()),
                    );
                    return None;
                }
            }
            let Some(a) = t.get("action") else {
                ck.err(value.span(), format!("[{ctx}] action 항목이 없습니다"));
                return None;
            };
            let Some(name) = a.get_ref().as_str() else {
                ck.err(a.span(), format!("[{ctx}] action은 문자열이어야 합니다"));
                return None;
            };
            let desc = match t.get("desc") {
                None => None,
                Some(d) => match d.get_ref().as_str() {
                    Some(s) => Some(s.to_string()),
                    None => {
                        ck.err(d.span(), format!("[{ctx}] desc는 문자열이어야 합니다"));
                        return None;
                    }
                },
            };
            (Spanned::new(a.span(), name.to_string()), desc)
        }
        other => {
            ck.err(
                value.span(),
                format!(
                    "[{ctx}] 동작 이름(문자열)이나 {{ action = …, desc = … }}가 와야 하는데 {}입니다",
                    other.type_str()
                ),
            );
            return None;
        }
    };
    if name.get_ref() == "none" {
        return Some((None, desc));
    }
    match name.get_ref().parse::<Action>() {
        Ok(a) => Some((Some(a), desc)),
        Err(e) => {
            ck.err(name.span(), format!("[{ctx}] {e}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
