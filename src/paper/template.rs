//! 서식 templates: a small line format a centre can edit without code (see `forms/README.md`).
//!
//! ```text
//! # 주석 (comment)
//! 서식 초기상담기록지                       the form's name (first directive, once)
//! 제목 초기상담기록지                       a title
//! 소제목 1. 대상자                          a section heading
//! 문단 {사례.담당}이 작성함                 a paragraph
//! 서명 담당자 {사례.담당} (인)              a right-aligned signature line
//! 표 15 35 15 35                            a table: one width ratio per column
//! 행 성명 | {대상자.이름} | 주소 | {대상자.주소} *3
//! 반복 계획.목표 | {번호} | {내용} *3        one row per item of a list
//! ```
//!
//! In a `행`, a cell without `{…}` is a label (shaded in print); a cell ending in ` *N` spans N
//! columns. Every row of a table must fill exactly its columns. Any mistake is reported as
//! `forms/<file>:<line>: …`.

use super::document::{LISTS, SCALARS, list_fields};
use std::fmt;

/// A broken template, with the file (as shown, e.g. `forms/plan.form`) and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A piece of cell or paragraph text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    Field(String),
}

/// Text with `{field}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub Vec<Piece>);

impl Text {
    /// Whether the text has any placeholder.
    pub fn has_fields(&self) -> bool {
        self.0.iter().any(|p| matches!(p, Piece::Field(_)))
    }
}

/// One cell of a template row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TCell {
    pub text: Text,
    pub span: u32,
    /// A label cell (no placeholder, in a `행`).
    pub label: bool,
}

/// A template row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TRow {
    Fixed(Vec<TCell>),
    /// One row per item of list `list`.
    Repeat {
        list: String,
        cells: Vec<TCell>,
    },
}

/// A template block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TBlock {
    Title(Text),
    Heading(Text),
    Para(Text),
    Sign(Text),
    Table { widths: Vec<u32>, rows: Vec<TRow> },
}

/// A parsed 서식 template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The 서식's name (`서식` line).
    pub name: String,
    pub blocks: Vec<TBlock>,
}

const MAX_COLUMNS: usize = 12;

struct Parser<'a> {
    file: &'a str,
    line: usize,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> TemplateError {
        TemplateError {
            file: self.file.to_string(),
            line: self.line,
            message: message.into(),
        }
    }

    /// Parses `{field}` placeholders; `list` names the list whose item fields are also allowed.
    fn text(&self, s: &str, list: Option<&str>) -> Result<Text, TemplateError> {
        let mut pieces = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            if let Some(close) = rest[..open].find('}') {
                let _ = close;
                return Err(self.err("'}'가 '{' 없이 나왔습니다 (unmatched '}')"));
            }
            if open > 0 {
                pieces.push(Piece::Lit(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                return Err(self.err("'{'를 닫는 '}'가 없습니다 (unclosed '{')"));
            };
            let name = after[..close].trim();
            if name.contains('{') {
                return Err(self.err("'{' 안에 '{'가 있습니다 (nested '{')"));
            }
            self.check_field(name, list)?;
            pieces.push(Piece::Field(name.to_string()));
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(self.err("'}'가 '{' 없이 나왔습니다 (unmatched '}')"));
        }
        if !rest.is_empty() {
            pieces.push(Piece::Lit(rest.to_string()));
        }
        Ok(Text(pieces))
    }

    fn check_field(&self, name: &str, list: Option<&str>) -> Result<(), TemplateError> {
        if SCALARS.contains(&name) {
            return Ok(());
        }
        if let Some(fields) = list.and_then(list_fields)
            && fields.contains(&name)
        {
            return Ok(());
        }
        if list_fields(name).is_some() {
            return Err(self.err(format!(
                "{{{name}}}는 목록입니다: '반복 {name} | …' 행으로 쓰세요 (a list needs a 반복 row)"
            )));
        }
        let hint = match list.and_then(list_fields) {
            Some(f) => format!(" ({} 항목: {})", list.unwrap_or(""), f.join(", ")),
            None => String::new(),
        };
        Err(self.err(format!("알 수 없는 항목 {{{name}}} (unknown field){hint}")))
    }

    fn cells(&self, s: &str, list: Option<&str>) -> Result<Vec<TCell>, TemplateError> {
        s.split('|')
            .map(|raw| {
                let raw = raw.trim();
                let (body, span) = match raw.rsplit_once(" *") {
                    Some((b, n)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
                        let n: u32 = n
                            .parse()
                            .map_err(|_| self.err(format!("칸 수가 너무 큽니다: *{n}")))?;
                        if n == 0 {
                            return Err(self.err("칸 수는 1 이상이어야 합니다 (*0)"));
                        }
                        (b.trim_end(), n)
                    }
                    _ => (raw, 1),
                };
                let text = self.text(body, list)?;
                let label = list.is_none() && !text.has_fields();
                Ok(TCell { text, span, label })
            })
            .collect()
    }
}

/// Parses template `src`; `file` names it in errors (e.g. `forms/plan.form`).
pub fn parse(file: &str, src: &str) -> Result<Template, TemplateError> {
    let mut p = Parser { file, line: 0 };
    let mut name: Option<String> = None;
    let mut blocks: Vec<TBlock> = Vec::new();
    // The table being built: (widths, rows, line it started on).
    let mut table: Option<(Vec<u32>, Vec<TRow>, usize)> = None;

    fn close(
        p: &mut Parser<'_>,
        table: &mut Option<(Vec<u32>, Vec<TRow>, usize)>,
        blocks: &mut Vec<TBlock>,
    ) -> Result<(), TemplateError> {
        if let Some((widths, rows, at)) = table.take() {
            if rows.is_empty() {
                p.line = at;
                return Err(p.err("표에 행이 없습니다 (table without rows)"));
            }
            blocks.push(TBlock::Table { widths, rows });
        }
        Ok(())
    }

    for (i, raw) in src.lines().enumerate() {
        p.line = i + 1;
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = match line.split_once(char::is_whitespace) {
            Some((k, r)) => (k, r.trim()),
            None => (line, ""),
        };
        match key {
            "행" | "반복" => {
                let Some((widths, rows, _)) = table.as_mut() else {
                    return Err(p.err(format!(
                        "'{key}'는 '표' 다음에 와야 합니다 (row outside a table)"
                    )));
                };
                let row = if key == "행" {
                    TRow::Fixed(p.cells(rest, None)?)
                } else {
                    let (list, cells) = rest.split_once('|').ok_or_else(|| {
                        p.err("반복 행은 '반복 목록 | 칸 | …' 꼴입니다 (repeat needs cells)")
                    })?;
                    let list = list.trim();
                    if list_fields(list).is_none() {
                        let names: Vec<&str> = LISTS.iter().map(|(n, _)| *n).collect();
                        return Err(p.err(format!(
                            "알 수 없는 목록 '{list}' (unknown list; 목록: {})",
                            names.join(", ")
                        )));
                    }
                    TRow::Repeat {
                        list: list.to_string(),
                        cells: p.cells(cells, Some(list))?,
                    }
                };
                let cells = match &row {
                    TRow::Fixed(c) | TRow::Repeat { cells: c, .. } => c,
                };
                let used: u32 = cells.iter().map(|c| c.span).sum();
                if used as usize != widths.len() {
                    return Err(p.err(format!(
                        "이 행은 {used}칸인데 표는 {}칸입니다 (row fills {used} of {} columns)",
                        widths.len(),
                        widths.len()
                    )));
                }
                rows.push(row);
            }
            _ => {
                close(&mut p, &mut table, &mut blocks)?;
                match key {
                    "서식" => {
                        if name.is_some() {
                            return Err(p.err("'서식' 줄이 두 번 나왔습니다 (duplicate 서식)"));
                        }
                        if rest.is_empty() {
                            return Err(p.err("서식 이름이 없습니다 (missing form name)"));
                        }
                        name = Some(rest.to_string());
                    }
                    "제목" => blocks.push(TBlock::Title(p.text(rest, None)?)),
                    "소제목" => blocks.push(TBlock::Heading(p.text(rest, None)?)),
                    "문단" => blocks.push(TBlock::Para(p.text(rest, None)?)),
                    "서명" => blocks.push(TBlock::Sign(p.text(rest, None)?)),
                    "표" => {
                        let widths: Vec<u32> = rest
                            .split_whitespace()
                            .map(|w| {
                                w.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                                    p.err(format!(
                                        "열 너비 '{w}'는 양의 정수여야 합니다 (column width must be a positive integer)"
                                    ))
                                })
                            })
                            .collect::<Result<_, _>>()?;
                        if widths.is_empty() {
                            return Err(p.err(
                                "'표' 다음에 열 너비를 적으세요, 예: 표 20 80 (column widths missing)",
                            ));
                        }
                        if widths.len() > MAX_COLUMNS {
                            return Err(p.err(format!(
                                "열이 너무 많습니다 ({} > {MAX_COLUMNS})",
                                widths.len()
                            )));
                        }
                        table = Some((widths, Vec::new(), p.line));
                    }
                    other => {
                        return Err(p.err(format!(
                            "알 수 없는 지시어 '{other}' (unknown directive; 서식, 제목, 소제목, 문단, 서명, 표, 행, 반복)"
                        )));
                    }
                }
            }
        }
        if name.is_none() && key != "서식" {
            return Err(
                p.err("첫 지시어는 '서식 이름'이어야 합니다 (first directive must be 서식)")
            );
        }
    }
    p.line = src.lines().count().max(1);
    close(&mut p, &mut table, &mut blocks)?;
    let Some(name) = name else {
        return Err(p.err("'서식' 줄이 없습니다 (missing 서식 line)"));
    };
    Ok(Template { name, blocks })
}
