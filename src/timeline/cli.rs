//! `dolbom timeline`: the headless case list and the case-summary export. Returns the text to
//! print; `main.rs` only parses arguments and prints.

use super::export::{self, Format};
use super::types::{CaseFilter, CaseRow, TimelineError};
use crate::model::Stage;
use crate::store::Store;
use serde::Serialize;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// One case of `--list --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItem {
    pub id: String,
    pub resident_id: String,
    pub resident_name: String,
    /// Stage code (`monitoring`).
    pub stage: String,
    /// Stage label (`제공·점검`).
    pub stage_label: String,
    pub worker: String,
    pub entry_count: i64,
    pub last_contact: Option<String>,
    pub last_activity: String,
}

impl From<&CaseRow> for ListItem {
    fn from(r: &CaseRow) -> Self {
        ListItem {
            id: r.id.clone(),
            resident_id: r.resident_id.clone(),
            resident_name: r.resident_name.clone(),
            stage: r.stage.code().to_string(),
            stage_label: r.stage.label().to_string(),
            worker: r.worker.clone(),
            entry_count: r.entry_count,
            last_contact: r.last_contact.clone(),
            last_activity: r.last_activity.clone(),
        }
    }
}

/// Parses `--stage` (a code or a Korean label).
pub fn parse_stage(s: &str) -> Result<Stage, TimelineError> {
    Stage::parse(s).ok_or_else(|| {
        let known: Vec<String> = Stage::ALL
            .iter()
            .map(|s| format!("{} ({})", s.code(), s.label()))
            .collect();
        TimelineError::Invalid(format!(
            "알 수 없는 단계: {s} (unknown stage); 가능한 값: {}",
            known.join(", ")
        ))
    })
}

fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// `dolbom timeline --list`: cases, most recently active first, as a table or JSON.
pub fn list(store: &Store, filter: &CaseFilter, json: bool) -> Result<String, TimelineError> {
    let rows = store.list_cases(filter)?;
    if json {
        let items: Vec<ListItem> = rows.iter().map(ListItem::from).collect();
        let mut s = serde_json::to_string_pretty(&items)
            .map_err(|e| TimelineError::Invalid(format!("JSON: {e}")))?;
        s.push('\n');
        return Ok(s);
    }
    let mut out = String::new();
    let head = ["사례 ID", "이름", "단계", "담당", "기록", "최근 연락"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.resident_name.clone(),
                r.stage.label().to_string(),
                r.worker.clone(),
                r.entry_count.to_string(),
                r.last_contact.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths = head.map(UnicodeWidthStr::width);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let line = |cols: &[&str]| {
        let mut l = cols
            .iter()
            .zip(widths)
            .map(|(c, w)| pad(c, w))
            .collect::<Vec<_>>()
            .join("  ");
        l.truncate(l.trim_end().len());
        l.push('\n');
        l
    };
    out.push_str(&line(&head));
    for row in &cells {
        let cols: Vec<&str> = row.iter().map(String::as_str).collect();
        out.push_str(&line(&cols));
    }
    out.push_str(&format!("{}건\n", rows.len()));
    Ok(out)
}

/// `dolbom timeline CASE_ID --format F [--out FILE] [--full]`: the text to print (the summary
/// itself, or a one-line note when it went to a file).
pub fn export_case(
    store: &Store,
    case_id: &str,
    format: &str,
    out: Option<&Path>,
    full: bool,
) -> Result<String, TimelineError> {
    let format = Format::parse(format).ok_or_else(|| {
        TimelineError::Invalid(format!(
            "알 수 없는 형식: {format} (unknown format); md, csv, json 중 하나"
        ))
    })?;
    let text = export::export(store, case_id, format, full, out)?;
    Ok(match out {
        Some(p) => format!(
            "{}: 사례 요약을 저장했습니다 ({}, {})\n",
            p.display(),
            format.code(),
            if full { "전체" } else { "연락처 가림" }
        ),
        None => text,
    })
}
