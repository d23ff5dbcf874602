//! `dolbom resources`: list, import and export the resource directory; and the text both imports
//! print (shared with `dolbom residents import`): reports, the resource list, and the progress bar
//! shown on a terminal for imports longer than a second.

use super::{Global, output};
use crate::resources::import::{EncodingChoice, ImportOptions};
use crate::resources::upsert::{self, ImportReport};
use crate::store::ResourceRow;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 자원 파일 가져오기: CSV(CP949/UTF-8), XLSX/XLS/ODS, JSON, HSDS (import a resource file; admin only)
    Import(ImportResourcesArgs),
    /// 자원 목록 내보내기 (export the directory: CSV with BOM for Excel, or JSON)
    Export {
        /// 내보낼 파일 (output file)
        file: PathBuf,
        /// 형식 (format; default: from the extension, else csv)
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
    },
    /// 자원 목록 (list resources)
    List {
        /// 분류로 거르기 (only this category, e.g. 식품·생계)
        #[arg(long)]
        category: Option<String>,
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
}

/// `resources export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CSV (UTF-8 BOM, 엑셀용 for Excel)
    Csv,
    /// JSON
    Json,
    /// 엑셀 (XLSX)
    Xlsx,
}

/// Options shared by both imports (`resources import`, `residents import`).
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// 가져올 파일 (or an HSDS folder)
    pub file: PathBuf,
    /// 저장하지 않고 결과만 보기 (do everything, then roll back)
    #[arg(long)]
    pub dry_run: bool,
    /// 문자 인코딩: auto, utf-8, cp949, euc-kr … (text encoding; any WHATWG label)
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub encoding: EncodingChoice,
    /// 열 이름 매핑 파일 (column aliases: [columns] name = ["기관 이름"])
    #[arg(long, value_name = "MAP.toml")]
    pub map: Option<PathBuf>,
    /// 스프레드시트의 시트 이름 (sheet name; default: the first sheet)
    #[arg(long)]
    pub sheet: Option<String>,
    /// 결과를 JSON으로 출력 (print the report as JSON)
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct ImportResourcesArgs {
    #[command(flatten)]
    pub common: ImportArgs,
    /// 출처 이름 (source name; default: the file name without extension)
    #[arg(long)]
    pub source: Option<String>,
}

/// `--encoding`: an open set (any WHATWG label), so a parser rather than a list.
fn parse_encoding(s: &str) -> Result<EncodingChoice, String> {
    EncodingChoice::parse(s).ok_or_else(|| {
        "알 수 없는 인코딩입니다 (unknown encoding); auto, utf-8, cp949, euc-kr …".to_string()
    })
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let mut store = g.open_store()?;
    match &args.action {
        Command::Import(a) => {
            let settings = upsert::ResourceImport {
                options: import_options(&a.common)?,
                source: a.source.clone(),
                dry_run: a.common.dry_run,
            };
            let mut bar = Progress::new("자원 가져오기");
            let report =
                upsert::import_resources(&mut store, &a.common.file, &settings, &mut |d, t| {
                    bar.update(d, t)
                });
            bar.finish();
            print_report(&report?, a.common.json)?;
        }
        Command::Export { file, format } => {
            let format = format.unwrap_or_else(|| {
                if file
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                {
                    ExportFormat::Json
                } else if file
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
                {
                    ExportFormat::Xlsx
                } else {
                    ExportFormat::Csv
                }
            });
            let n = match format {
                ExportFormat::Json => crate::resources::export::write_json(&store, file)?,
                ExportFormat::Csv => crate::resources::export::write_csv(&store, file)?,
                ExportFormat::Xlsx => {
                    let table = crate::paper::lists::resources(&store.resources()?);
                    super::report::write_list(&store, file, table, "list:resources")?
                }
            };
            eprintln!("{}: 자원 {n}건을 내보냈습니다 (exported)", file.display());
        }
        Command::List { category, json } => {
            let rows = filter_category(store.resources()?, category.as_deref());
            if *json {
                output::json(&rows)?;
            } else {
                output::lines(resource_lines(&rows))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The importer's options from the command line (loads `--map`).
pub fn import_options(args: &ImportArgs) -> anyhow::Result<ImportOptions> {
    let mut opts = ImportOptions {
        encoding: args.encoding,
        sheet: args.sheet.clone(),
        ..Default::default()
    };
    if let Some(map) = &args.map {
        opts.load_map(map)?;
    }
    Ok(opts)
}

/// Prints an import report as text or JSON.
pub fn print_report(report: &ImportReport, json: bool) -> anyhow::Result<()> {
    if json {
        output::json(&report_json(report))
    } else {
        output::print(&report_text(report))
    }
}

/// The report as people read it: a summary line, then every rejected row as `file:line: reason`
/// and every possible duplicate.
pub fn report_text(r: &ImportReport) -> String {
    let mut out = String::new();
    let what = if r.kind == "residents" {
        "주민 명단"
    } else {
        "자원"
    };
    let dry = if r.dry_run {
        " [시험 실행: 아무것도 저장하지 않았습니다 (dry run; nothing written)]"
    } else {
        ""
    };
    let source = r
        .source
        .as_deref()
        .map(|s| format!(" · 출처 {s}"))
        .unwrap_or_default();
    let encoding = r
        .encoding
        .as_deref()
        .map(|e| format!(", {e}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}: {what} 가져오기 ({}{encoding}){source}{dry}",
        r.file, r.format
    );
    let _ = writeln!(
        out,
        "추가 {} · 변경 {} · 그대로 {} · 거부 {} (inserted {}, updated {}, unchanged {}, rejected {})",
        r.inserted,
        r.updated,
        r.unchanged,
        r.rejected,
        r.inserted,
        r.updated,
        r.unchanged,
        r.rejected
    );
    if !r.rejected_rows.is_empty() {
        let _ = writeln!(out, "거부된 행 (rejected rows):");
        for row in &r.rejected_rows {
            let _ = writeln!(out, "  {}", row.message);
        }
        let unlisted = r.rejected - r.rejected_rows.len() as u64;
        if unlisted > 0 {
            let _ = writeln!(out, "  … 외 {unlisted}행 (and {unlisted} more)");
        }
    }
    if !r.possible_duplicates.is_empty() {
        let _ = writeln!(
            out,
            "합치지 않은 중복 의심 (possible duplicates, not merged — 확인하세요):"
        );
        for d in &r.possible_duplicates {
            let similar: Vec<String> = d
                .similar
                .iter()
                .map(|(n, b)| format!("{n} ({b})"))
                .collect();
            let _ = writeln!(
                out,
                "  {}:{}: {} ({}, {}) ↔ {}",
                r.file,
                d.line,
                d.name,
                d.birth_date,
                d.dong,
                similar.join(", ")
            );
        }
    }
    out
}

/// The report as a JSON object (same content as [`report_text`]).
pub fn report_json(r: &ImportReport) -> serde_json::Value {
    serde_json::to_value(r).unwrap_or(serde_json::Value::Null)
}

/// Live resources, optionally of one category (exact name), in directory order.
pub fn filter_category(rows: Vec<ResourceRow>, category: Option<&str>) -> Vec<ResourceRow> {
    match category.map(str::trim).filter(|c| !c.is_empty()) {
        None => rows,
        Some(c) => rows
            .into_iter()
            .filter(|r| r.resource.category == c)
            .collect(),
    }
}

/// One line per resource: category, name, phone, address, load/capacity.
pub fn resource_lines(rows: &[ResourceRow]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let d = &r.resource;
            let cap = d
                .capacity
                .map(|c| format!("{}/{c}", r.load))
                .unwrap_or_else(|| r.load.to_string());
            format!(
                "{}\t{}\t{}\t{}\t{cap}",
                d.category, d.name, d.phone, d.address
            )
        })
        .collect()
}

/// A progress bar on stderr that appears only after the first second (and only on a
/// terminal: indicatif hides it otherwise).
pub struct Progress {
    started: Instant,
    label: &'static str,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// Starts the clock; nothing is drawn yet.
    pub fn new(label: &'static str) -> Self {
        Progress {
            started: Instant::now(),
            label,
            bar: None,
        }
    }

    /// `done` of `total` (bytes for CSV, records otherwise).
    pub fn update(&mut self, done: u64, total: u64) {
        if self.bar.is_none() && self.started.elapsed() >= Duration::from_secs(1) {
            let template = format!("{} {{bar:40}} {{percent:>3}}% {{elapsed}}", self.label);
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr(),
            )
            .with_style(
                indicatif::ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
