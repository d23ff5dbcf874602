//! `dolbom timeline`: the headless case list and the case-summary export.

use super::{Global, output, values};
use crate::model::Stage;
use crate::store::Store;
use crate::timeline::export::{self, Format};
use crate::timeline::{CaseFilter, CaseRow, TimelineError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

/// `dolbom timeline --list …` or `dolbom timeline CASE_ID --format …`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["list", "case_id"])))]
pub struct Args {
    /// 출력할 사례 ID (case to export)
    pub case_id: Option<String>,
    /// 사례 목록 (list cases, most recently active first)
    #[arg(long, conflicts_with_all = ["case_id", "format", "out", "full"])]
    pub list: bool,
    /// 주민 ID로 거르기 (only this resident's cases)
    #[arg(long, requires = "list")]
    pub resident: Option<String>,
    /// 단계로 거르기 (stage code or label: monitoring, 점검, 접수 …)
    #[arg(long, requires = "list", value_parser = values::stage)]
    pub stage: Option<Stage>,
    /// 담당자로 거르기 (only this worker's cases)
    #[arg(long, requires = "list")]
    pub worker: Option<String>,
    /// JSON으로 출력 (print JSON)
    #[arg(long, requires = "list")]
    pub json: bool,
    /// 출력 형식 (export format)
    #[arg(long, value_enum, default_value_t = FormatArg::Md)]
    pub format: FormatArg,
    /// 파일로 저장 (write to FILE, mode 0600)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 연락처를 가리지 않음 (do not mask contact details; recorded in the audit log)
    #[arg(long)]
    pub full: bool,
}

/// `--format` of a case summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// 마크다운 (Markdown)
    #[value(alias = "markdown")]
    Md,
    /// CSV
    Csv,
    /// JSON
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Md => Format::Md,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
        }
    }
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let store = g.open_store()?;
    let text = match &args.case_id {
        Some(case_id) if !args.list => export_case(
            &store,
            case_id,
            args.format.into(),
            args.out.as_deref(),
            args.full,
        )?,
        _ => {
            let filter = CaseFilter {
                resident: args.resident.clone(),
                stage: args.stage,
                worker: args.worker.clone(),
                limit: None,
            };
            list(&store, &filter, args.json)?
        }
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

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
    format: Format,
    out: Option<&Path>,
    full: bool,
) -> Result<String, TimelineError> {
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
