//! A template filled with a case document: what both renderers (HWPX, HTML) draw.

use super::document::{CaseDocument, Item};
use super::template::{Piece, TBlock, TCell, TRow, Template, Text};

/// One table cell, filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub span: u32,
    pub label: bool,
}

/// A filled block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    Heading(String),
    Para(String),
    Sign(String),
    /// Width ratios per column; rows of cells whose spans fill the columns.
    Table {
        widths: Vec<u32>,
        rows: Vec<Vec<Cell>>,
    },
}

/// A filled 서식.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The 서식's name (the document title in metadata).
    pub name: String,
    /// Whether contact details are masked (shown in the footer).
    pub masked: bool,
    /// `출력 YYYY-MM-DD HH:MM · 작성자 · 연락처 가림`.
    pub footer: String,
    pub blocks: Vec<Block>,
}

fn fill_text(t: &Text, doc: &CaseDocument, item: Option<&Item>) -> String {
    let mut out = String::new();
    for p in &t.0 {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Field(f) => {
                let from_item = item.and_then(|it| it.iter().find(|(k, _)| k == f));
                match from_item {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&doc.scalar(f).unwrap_or_default()),
                }
            }
        }
    }
    out
}

fn fill_cells(cells: &[TCell], doc: &CaseDocument, item: Option<&Item>) -> Vec<Cell> {
    cells
        .iter()
        .map(|c| Cell {
            text: fill_text(&c.text, doc, item),
            span: c.span,
            label: c.label,
        })
        .collect()
}

/// Fills `template` with `doc`. A list with no items gives one row saying `없음`.
pub fn fill(template: &Template, doc: &CaseDocument) -> Layout {
    let blocks = template
        .blocks
        .iter()
        .map(|b| match b {
            TBlock::Title(t) => Block::Title(fill_text(t, doc, None)),
            TBlock::Heading(t) => Block::Heading(fill_text(t, doc, None)),
            TBlock::Para(t) => Block::Para(fill_text(t, doc, None)),
            TBlock::Sign(t) => Block::Sign(fill_text(t, doc, None)),
            TBlock::Table { widths, rows } => {
                let mut out = Vec::new();
                for row in rows {
                    match row {
                        TRow::Fixed(cells) => out.push(fill_cells(cells, doc, None)),
                        TRow::Repeat { list, cells } => {
                            let items = doc.list(list).unwrap_or_default();
                            if items.is_empty() {
                                out.push(vec![Cell {
                                    text: "없음".to_string(),
                                    span: u32::try_from(widths.len()).unwrap_or(1),
                                    label: false,
                                }]);
                            }
                            for item in &items {
                                out.push(fill_cells(cells, doc, Some(item)));
                            }
                        }
                    }
                }
                Block::Table {
                    widths: widths.clone(),
                    rows: out,
                }
            }
        })
        .collect();
    Layout {
        name: template.name.clone(),
        masked: doc.masked,
        footer: format!(
            "출력 {} · {} · {}",
            doc.generated_at,
            doc.generated_by,
            if doc.masked {
                "연락처 가림"
            } else {
                "전체 (--full)"
            }
        ),
        blocks,
    }
}
