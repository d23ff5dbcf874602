//! `dolbom audit`: list the access log, verify its hash chain, or the monthly review.

use super::{Global, output, values};
use crate::audit::AuditFilter;
use chrono::NaiveDateTime;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Command>,
    /// 주민 ID로 거르기 (only rows about this resident)
    #[arg(long)]
    pub resident: Option<String>,
    /// 작업자로 거르기 (only rows by this operator)
    #[arg(long)]
    pub operator: Option<String>,
    /// 이 날짜·일시 이후 (since YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])
    #[arg(long, value_parser = values::since, value_name = "DATE[THH:MM]")]
    pub since: Option<NaiveDateTime>,
    /// JSON으로 출력 (print JSON)
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 해시 체인 검증 (verify the hash chain; reports the first broken link)
    Verify,
    /// 월간 점검 요약: 작업자별 조회 주민 수 (monthly review: residents viewed per operator)
    Summary {
        /// 점검할 달 YYYY-MM (default: this month)
        #[arg(long, value_parser = values::month)]
        month: Option<String>,
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let store = g.open_store()?;
    match &args.action {
        Some(Command::Summary { month, json }) => {
            let month = month
                .clone()
                .unwrap_or_else(|| store.clock().today().format("%Y-%m").to_string());
            let rows = store.audit_month(&month)?;
            if *json {
                output::json(&rows)?;
            } else {
                let mut lines = vec![
                    format!("{month} 감사 로그 점검 (monthly review)"),
                    "작업자      조회주민  조회  입력·변경  출력  거부".to_string(),
                ];
                lines.extend(rows.iter().map(|r| {
                    format!(
                        "{:<10} {:>8} {:>5} {:>10} {:>5} {:>5}",
                        r.operator, r.residents_viewed, r.views, r.changes, r.exports, r.denied
                    )
                }));
                output::lines(lines)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Verify) => {
            let report = store.audit_verify()?;
            Ok(match report.broken {
                None => {
                    output::line(&format!(
                        "감사 로그 정상: {}행 검증 (audit chain intact)",
                        report.checked
                    ))?;
                    ExitCode::SUCCESS
                }
                Some((seq, problem)) => {
                    // A broken chain exits 1 even when nobody reads the message.
                    let printed = output::line(&format!(
                        "감사 로그 손상: {seq}행 — {problem} (audit chain broken)"
                    ));
                    match printed {
                        Err(e) if !output::is_closed(&e) => return Err(e),
                        _ => ExitCode::from(1),
                    }
                }
            })
        }
        None => {
            let rows = store.audit_rows(&AuditFilter {
                resident_id: args.resident.clone(),
                operator: args.operator.clone(),
                // The log's `at` is `YYYY-MM-DD HH:MM:SS`, compared as text.
                since: args
                    .since
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
            })?;
            if args.json {
                output::json(&rows)?;
            } else {
                output::lines(rows.iter().map(|r| {
                    format!(
                        "{:>6}  {}  {:<10} {:<8} {:<4} {}",
                        r.seq, r.at, r.operator, r.host, r.action, r.subject
                    )
                }))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
