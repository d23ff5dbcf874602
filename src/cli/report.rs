//! `dolbom report monthly`: the 월별 실적 (per worker and per 동, each figure defined once).

use super::{Global, output, values};
use crate::paper::monthly::{self, ReportFormat};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// 월별 실적 (monthly figures per worker and per 동, with their definitions)
    Monthly(MonthlyArgs),
}

#[derive(clap::Args, Debug)]
pub struct MonthlyArgs {
    /// 대상 월 YYYY-MM (month)
    #[arg(long, value_name = "YYYY-MM", value_parser = values::month)]
    pub month: String,
    /// 출력 형식 (format; xlsx needs --out)
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// 파일로 저장 (write to FILE, mode 0600)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `--format` of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// 엑셀 (XLSX; needs --out)
    Xlsx,
    /// CSV (UTF-8, BOM)
    Csv,
    /// JSON
    Json,
}

impl From<FormatArg> for ReportFormat {
    fn from(f: FormatArg) -> ReportFormat {
        match f {
            FormatArg::Xlsx => ReportFormat::Xlsx,
            FormatArg::Csv => ReportFormat::Csv,
            FormatArg::Json => ReportFormat::Json,
        }
    }
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Sub::Monthly(a) => run_monthly(g, a),
    }
}

fn run_monthly(g: &Global, a: &MonthlyArgs) -> anyhow::Result<ExitCode> {
    if a.format == FormatArg::Xlsx && a.out.is_none() {
        eprintln!("error: --format xlsx에는 --out FILE이 필요합니다 (--out is required)");
        return Ok(ExitCode::from(2));
    }
    let store = g.open_store()?;
    let format = ReportFormat::from(a.format);
    let bytes = monthly::export(&store, &a.month, format, a.out.as_deref())?;
    match &a.out {
        Some(p) => output::print(&format!(
            "{}: {} 월별 실적을 저장했습니다 ({})\n",
            p.display(),
            a.month,
            format.code()
        ))?,
        None => output::print(&String::from_utf8_lossy(&bytes))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes one list as an XLSX workbook at `out` (atomically, 0600) and records one 출력 in
/// the audit log (issue #15 item 4: every document and sheet is an 출력): which list and how many rows, never its contents. Returns the row count.
pub fn write_list(
    store: &crate::store::Store,
    out: &std::path::Path,
    table: crate::paper::xlsx::Table,
    subject: &str,
) -> anyhow::Result<usize> {
    let n = table.rows.len();
    let what = format!("{} xlsx {n}건", table.sheet);
    crate::paper::xlsx::write(out, std::slice::from_ref(&table))?;
    store.audit(&crate::audit::Event {
        action: crate::model::AuditAction::Print,
        resident_id: None,
        subject,
        detail: &what,
    })?;
    Ok(n)
}
