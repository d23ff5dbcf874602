//! `dolbom timeline`: the headless case list and the case-summary export.

use super::{Global, output, values};
use crate::model::Stage;
use crate::paper::{self, DocFormat, Form, FormSet, PaperError};
use crate::store::Store;
use crate::timeline::export::{self, Format};
use crate::timeline::{CaseFilter, CaseRow, TimelineError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

/// `dolbom timeline --list …`, `dolbom timeline CASE_ID --format …`, or a team subcommand
/// (`handover`, `approval`, `consent`; see [`super::team`]).
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["list", "case_id"])))]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub team: Option<super::team::TeamCommand>,
    /// 출력할 사례 ID (case to export)
    pub case_id: Option<String>,
    /// 사례 목록 (list cases, most recently active first)
    #[arg(long, conflicts_with_all = ["case_id", "full", "form"])]
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
    /// 출력 형식 (export format; --list takes xlsx with --out)
    #[arg(long, value_enum, default_value_t = FormatArg::Md)]
    pub format: FormatArg,
    /// 서식 (hwpx/html): 코드 또는 이름 — initial_consult, assessment, plan, conference,
    /// monitoring, closure, summary, 초기상담기록지 … (default: summary, 사례 요약)
    #[arg(long, value_name = "서식", value_parser = form)]
    pub form: Option<Form>,
    /// 파일로 저장 (write to FILE, mode 0600)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 연락처를 가리지 않음 (do not mask contact details; recorded in the audit log)
    #[arg(long)]
    pub full: bool,
    /// 다른 기관에 보내는 출력: 제3자 제공 동의가 있어야 합니다 (export to another agency;
    /// needs 제3자 제공 consent)
    #[arg(long, value_name = "기관")]
    pub to_agency: Option<String>,
    /// 동의 없이 보내야 하는 사유 (override a missing consent; recorded in the audit log)
    #[arg(long, value_name = "사유", requires = "to_agency")]
    pub consent_override: Option<String>,
    /// 대량 조회 사유: 기준(기본 500명)보다 많은 주민의 사례를 보일 때 필요 (reason for a bulk
    /// read; recorded in the audit log)
    #[arg(long, requires = "list", value_name = "사유")]
    pub reason: Option<String>,
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
    /// 한글 문서 (HWPX, a 서식; needs --out)
    Hwpx,
    /// 인쇄용 HTML (A4, a 서식; needs --out)
    Html,
    /// 엑셀 (XLSX; --list only, needs --out)
    Xlsx,
}

/// `--form`: a 서식 code (`plan`) or Korean label (`서비스 제공계획서`).
pub fn form(s: &str) -> Result<Form, String> {
    Form::parse(s).ok_or_else(|| {
        let known: Vec<String> = Form::ALL
            .iter()
            .map(|f| format!("{} ({})", f.code(), f.label()))
            .collect();
        format!(
            "알 수 없는 서식입니다 (unknown form); 가능한 값: {}",
            known.join(", ")
        )
    })
}

/// The centre's 서식 templates: `forms/` next to the database where that folder exists (each
/// file there replaces the built-in one), else the built-in templates.
pub fn form_set(store: &Store) -> Result<FormSet, PaperError> {
    let dir = store
        .path()
        .parent()
        .map(|p| p.join("forms"))
        .filter(|d| d.is_dir());
    match dir {
        Some(d) => FormSet::load(&d),
        None => Ok(FormSet::builtin()?),
    }
}

/// A usage error found after parsing: printed as clap would, exit 2.
fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

impl FormatArg {
    /// The case-summary format, if this is one (md, csv, json).
    fn summary(self) -> Option<Format> {
        match self {
            FormatArg::Md => Some(Format::Md),
            FormatArg::Csv => Some(Format::Csv),
            FormatArg::Json => Some(Format::Json),
            FormatArg::Hwpx | FormatArg::Html | FormatArg::Xlsx => None,
        }
    }

    /// The 서식 format, if this is one (hwpx, html).
    fn doc(self) -> Option<DocFormat> {
        match self {
            FormatArg::Hwpx => Some(DocFormat::Hwpx),
            FormatArg::Html => Some(DocFormat::Html),
            _ => None,
        }
    }
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(team) = &args.team {
        return super::team::run(g, team);
    }
    if args.list {
        return run_list(g, args);
    }
    let Some(case_id) = &args.case_id else {
        return Ok(usage("사례 ID 또는 --list가 필요합니다 (CASE or --list)"));
    };
    if args.format == FormatArg::Xlsx {
        return Ok(usage(
            "--format xlsx는 --list와 함께 씁니다 (xlsx is for --list)",
        ));
    }
    if args.form.is_some() && args.format.doc().is_none() {
        return Ok(usage(
            "--form은 --format hwpx 또는 html과 함께 씁니다 (--form needs hwpx or html)",
        ));
    }
    let store = g.open_store()?;
    if let Some(agency) = &args.to_agency {
        crate::timeline::consent::require(
            &store,
            case_id,
            crate::model::ConsentScope::ThirdParty,
            &format!("{}에 제공", agency.trim()),
            args.consent_override.as_deref(),
        )?;
    }
    if let Some(format) = args.format.doc() {
        let Some(out) = &args.out else {
            return Ok(usage(&format!(
                "--format {}에는 --out FILE이 필요합니다 (--out is required)",
                format.code()
            )));
        };
        let form = args.form.unwrap_or(Form::Summary);
        let forms = match form_set(&store) {
            Ok(f) => f,
            Err(e) if e.is_template() => {
                eprintln!("dolbom: {e}");
                return Ok(ExitCode::from(2));
            }
            Err(e) => return Err(e.into()),
        };
        match paper::forms::export(&store, &forms, case_id, form, format, args.full, out) {
            Ok(_) => {}
            Err(e) if e.is_template() => {
                eprintln!("dolbom: {e}");
                return Ok(ExitCode::from(2));
            }
            Err(e) => return Err(e.into()),
        }
        output::print(&format!(
            "{}: {}을 저장했습니다 ({}, {})\n",
            out.display(),
            form.label(),
            format.code(),
            if args.full {
                "전체"
            } else {
                "연락처 가림"
            }
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format.summary() {
        Some(format) => export_case(&store, case_id, format, args.out.as_deref(), args.full)?,
        None => return Ok(usage("알 수 없는 형식입니다 (unknown format)")),
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `dolbom timeline --list [--format xlsx --out FILE]`.
fn run_list(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let xlsx = match (args.format, &args.out) {
        (FormatArg::Md, None) => None,
        (FormatArg::Xlsx, Some(out)) => Some(out),
        (FormatArg::Xlsx, None) => {
            return Ok(usage(
                "--format xlsx에는 --out FILE이 필요합니다 (--out is required)",
            ));
        }
        _ => {
            return Ok(usage(
                "--list는 --format xlsx --out FILE만 받습니다 (--list takes only xlsx)",
            ));
        }
    };
    let store = g.open_store()?;
    let filter = CaseFilter {
        resident: args.resident.clone(),
        stage: args.stage,
        worker: args.worker.clone(),
        limit: None,
    };
    // Issue #20: the list names residents; it is recorded, and a bulk one needs a reason.
    let rows = store.list_cases(&filter)?;
    let residents: std::collections::HashSet<&str> =
        rows.iter().map(|r| r.resident_id.as_str()).collect();
    let what = [
        args.resident.as_ref().map(|r| format!("resident={r}")),
        args.stage.map(|s| format!("stage={}", s.code())),
        args.worker.as_ref().map(|w| format!("worker={w}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    if let Some(code) = super::reads::gate(
        &store,
        "timeline-list",
        &what,
        residents.len(),
        args.reason.as_deref(),
    )? {
        return Ok(code);
    }
    match xlsx {
        Some(out) => {
            super::report::write_list(&store, out, paper::lists::case_list(&rows), "list:cases")?;
            output::print(&format!(
                "{}: 사례 목록 {}건을 저장했습니다 (xlsx)\n",
                out.display(),
                rows.len()
            ))?;
        }
        None => output::print(&render_list(&rows, args.json)?)?,
    }
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
    render_list(&store.list_cases(filter)?, json)
}

/// [`list`] of rows already read.
fn render_list(rows: &[CaseRow], json: bool) -> Result<String, TimelineError> {
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
