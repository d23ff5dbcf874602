//! `dolbom retention`: closed cases past their retention period — list them for review, purge
//! them (파기), or set the period per case kind. Admin only.

use super::{Global, output};
use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 보존 기한이 지난 종결 사례 목록 (closed cases past their retention period; admin only)
    List {
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
    /// 보존 기한이 지난 사례와 주민 정보를 되돌릴 수 없게 파기 (destroy them irreversibly; admin only)
    Purge {
        /// 확인 없이 파기 (do not ask for confirmation)
        #[arg(long)]
        yes: bool,
    },
    /// 사례 구분별 보존 기간(년) 설정 (set the retention period in years; admin only)
    Set {
        /// 보존 기간 (years after 종결)
        years: u32,
        /// 대상자 구분 (case kind); 없으면 기본값 (default for every kind)
        #[arg(long)]
        kind: Option<String>,
    },
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let mut store = g.open_store()?;
    match &args.action {
        Command::List { json } => {
            let lines = crate::retention::due(&store)?;
            if *json {
                output::json(&lines)?;
            } else {
                let policy = store.retention_policy()?;
                let mut out = vec![format!(
                    "보존 기한이 지난 종결 사례 {}건 (기본 보존 기간 {}년)",
                    lines.len(),
                    policy.default_years
                )];
                out.extend(lines.iter().map(|l| format!("  {}", l.text())));
                output::lines(out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Purge { yes } => purge(&mut store, *yes),
        Command::Set { years, kind } => {
            store.set_retention_years(kind.as_deref(), *years)?;
            output::line(&format!(
                "보존 기간: {} {years}년",
                kind.as_deref().unwrap_or("기본")
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Lists what would go, asks (unless `--yes`), then purges.
fn purge(store: &mut crate::store::Store, yes: bool) -> anyhow::Result<ExitCode> {
    store.require_admin("retention purge")?;
    let lines = crate::retention::due(store)?;
    if lines.is_empty() {
        output::line("파기할 사례가 없습니다 (nothing past its retention period)")?;
        return Ok(ExitCode::SUCCESS);
    }
    if !yes {
        let mut err = std::io::stderr().lock();
        writeln!(err, "다음 {}건을 되돌릴 수 없게 파기합니다:", lines.len())?;
        for l in &lines {
            writeln!(err, "  {}", l.text())?;
        }
        write!(
            err,
            "계속하려면 '파기'를 입력하세요 (type 파기 to confirm): "
        )?;
        err.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "파기" {
            output::line("취소했습니다 (cancelled)")?;
            return Ok(ExitCode::from(2));
        }
    }
    let r = crate::retention::purge(store)?;
    output::line(&format!(
        "파기 완료: 사례 {}건, 주민 {}명 (다른 사례로 유지 {}명), 기록 {}건, 백업 {}개",
        r.cases, r.residents, r.residents_kept, r.entries, r.backups
    ))?;
    Ok(ExitCode::SUCCESS)
}
