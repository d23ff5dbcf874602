//! `dolbom discovery`: the 복지사각지대 발굴 queue — import a round's list, list the queue,
//! answer a row, and show each round's progress.

use super::resources::{ImportArgs, Progress, import_options};
use super::{Global, output};
use crate::discovery::{self, DiscoveryImport, DiscoveryReport};
use crate::model::Outcome;
use crate::privacy::mask_name;
use crate::store::DiscoveryFilter;
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 발굴 명단 가져오기: CSV(CP949/UTF-8), XLSX … (import a 발굴 list round; 팀장 or admin)
    Import {
        #[command(flatten)]
        common: ImportArgs,
        /// 회차 (round, e.g. 2026-6), for rows without a 회차 column
        #[arg(long)]
        round: Option<String>,
        /// 처리기한 YYYY-MM-DD (deadline), for rows without a 처리기한 column
        #[arg(long)]
        deadline: Option<String>,
    },
    /// 발굴 대상 목록 (list the queue by 동 and address; names masked)
    List {
        /// 회차로 거르기 (one round only)
        #[arg(long)]
        round: Option<String>,
        /// 읍면동으로 거르기 (one 동 only)
        #[arg(long)]
        dong: Option<String>,
        /// 처리하지 않은 것만 (only rows without an outcome)
        #[arg(long)]
        open: bool,
        /// JSON으로 출력 (print JSON; names masked)
        #[arg(long)]
        json: bool,
    },
    /// 처리 결과 입력 (set a row's outcome: 지원 연계 / 비해당 / 조사 불가 / 거부 / 이미 관리 중)
    Mark {
        /// 발굴 대상 ID (from `discovery list`)
        id: String,
        /// 결과 (outcome)
        #[arg(long)]
        outcome: String,
        /// 메모 (note)
        #[arg(long)]
        note: Option<String>,
    },
    /// 회차별 진행 (each round's progress: checked / total, overdue)
    Status {
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let mut store = g.open_store()?;
    match &args.action {
        Command::Import {
            common,
            round,
            deadline,
        } => {
            let settings = DiscoveryImport {
                options: import_options(common)?,
                round: round.as_deref().map(str::trim).map(str::to_string),
                deadline: deadline
                    .as_deref()
                    .map(discovery::parse_deadline)
                    .transpose()?,
                dry_run: common.dry_run,
            };
            let mut bar = Progress::new("발굴 명단 가져오기");
            let report = discovery::import(&mut store, &common.file, &settings, &mut |d, t| {
                bar.update(d, t)
            });
            bar.finish();
            let report = report?;
            if common.json {
                output::json(&report)?;
            } else {
                output::print(&report_text(&report))?;
            }
        }
        Command::List {
            round,
            dong,
            open,
            json,
        } => {
            let filter = DiscoveryFilter {
                round: round.clone(),
                dong: dong.clone(),
                open_only: *open,
                limit: 0,
            };
            let mut items = store.discovery_queue(&filter)?;
            for i in &mut items {
                i.name = mask_name(&i.name);
                i.birth_date = None;
                i.phone = None;
            }
            if *json {
                output::json(&items)?;
            } else {
                let today = store.clock().today();
                output::lines(items.iter().map(|i| {
                    let days = i
                        .days_left(today)
                        .map_or_else(String::new, |d| format!("D{d:+}"));
                    format!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        i.id,
                        i.round,
                        i.dong,
                        output::clean(&i.address),
                        i.name,
                        i.signals.join(","),
                        days,
                        i.outcome.map_or("미처리", Outcome::label)
                    )
                }))?;
            }
        }
        Command::Mark { id, outcome, note } => {
            let Some(o) = Outcome::parse(outcome) else {
                let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.label()).collect();
                anyhow::bail!("알 수 없는 결과: {outcome} (가능: {})", all.join(", "));
            };
            let item = discovery::mark(&mut store, id, o, note.as_deref())?;
            output::line(&format!(
                "{} {} → {}",
                item.round,
                mask_name(&item.name),
                o.label()
            ))?;
        }
        Command::Status { json } => {
            let today = store.clock().today().format("%Y-%m-%d").to_string();
            let rounds = store.discovery_progress(&today)?;
            if *json {
                output::json(&rounds)?;
            } else if rounds.is_empty() {
                output::line("발굴 명단이 없습니다 (no discovery rounds)")?;
            } else {
                output::lines(rounds.iter().map(|r| {
                    format!(
                        "{} 회차 · 처리 {}/{} · 기한 {} · 기한 지남 {} · 기존 대상자 {}",
                        r.round, r.checked, r.total, r.deadline, r.overdue, r.matched
                    )
                }))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The import report as people read it: a summary, then every skipped row as `file:line: reason`.
pub fn report_text(r: &DiscoveryReport) -> String {
    let mut out = String::new();
    let dry = if r.dry_run {
        " [시험 실행: 아무것도 저장하지 않았습니다 (dry run; nothing written)]"
    } else {
        ""
    };
    let encoding = r
        .encoding
        .as_deref()
        .map(|e| format!(", {e}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}: 발굴 명단 가져오기 ({}{encoding}) · 회차 {}{dry}",
        r.file,
        r.format,
        r.rounds.join(", ")
    );
    let _ = writeln!(
        out,
        "추가 {} (기존 대상자 {} · 신규 {}) · 이미 있음 {} · 거부 {} (inserted {}, matched {}, new {}, unchanged {}, rejected {})",
        r.inserted,
        r.matched,
        r.new_candidates,
        r.unchanged,
        r.rejected,
        r.inserted,
        r.matched,
        r.new_candidates,
        r.unchanged,
        r.rejected
    );
    for row in &r.rejected_rows {
        let _ = writeln!(out, "  {}", output::clean(&row.message));
    }
    out
}
