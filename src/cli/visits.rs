//! `dolbom visits`: the planned visits (방문 계획) of a day or a week, in walking order (동,
//! then address), names masked and phones cut to their last four digits — on the terminal, or
//! as XLSX, CSV or a printable HTML page (`--out`), audited as 출력.

use super::{Global, output};
use crate::model::Scope;
use crate::paper::visits::{self as list, ListFormat};
use crate::privacy::mask_name;
use crate::timeline::visits as plans;
use chrono::{Duration, NaiveDate};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 이 날의 방문 (the visits of this day, YYYY-MM-DD; default today)
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "week")]
    pub date: Option<String>,
    /// 이 날이 든 주(월–일)의 방문 (the visits of the week holding this day)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub week: Option<String>,
    /// 내 방문만 (only visits I planned or whose case I hold)
    #[arg(long)]
    pub mine: bool,
    /// 형식: xlsx, csv, html (default: a text list on the terminal)
    #[arg(long, value_name = "xlsx|csv|html")]
    pub format: Option<String>,
    /// 저장할 파일 (write to this file; xlsx needs it)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn day(s: &str, today: NaiveDate) -> anyhow::Result<NaiveDate> {
    plans::parse_date(s, today)
        .ok_or_else(|| anyhow::anyhow!("날짜가 아닙니다: '{s}' (예: 2026-12-01)"))
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let store = g.open_store()?;
    let today = store.clock().today();
    let format = match &args.format {
        Some(f) => Some(
            ListFormat::parse(f)
                .ok_or_else(|| anyhow::anyhow!("형식은 xlsx, csv, html 중 하나입니다: '{f}'"))?,
        ),
        None => None,
    };
    if format == Some(ListFormat::Xlsx) && args.out.is_none() {
        anyhow::bail!("xlsx는 --out 파일이 필요합니다 (xlsx needs --out FILE)");
    }
    let scope = if args.mine { Scope::Mine } else { Scope::All };
    let (from, to, title) = match (&args.week, &args.date) {
        (Some(w), _) => {
            let start = plans::week_start(day(w, today)?);
            let end = start + Duration::days(6);
            (start, end, format!("방문 계획 {start} ~ {end}"))
        }
        (None, Some(d)) => {
            let d = day(d, today)?;
            (d, d, format!("방문 목록 {d} ({})", plans::weekday_label(d)))
        }
        (None, None) => (
            today,
            today,
            format!("방문 목록 {today} ({})", plans::weekday_label(today)),
        ),
    };
    let visits = plans::between(&store, from, to, scope)?;
    match (format, &args.out) {
        (Some(f), Some(path)) => {
            let n = list::write(&store, path, &visits, &title, f)?;
            output::line(&format!(
                "{}에 {n}건을 저장했습니다 ({})",
                path.display(),
                f.code()
            ))?;
        }
        (None, Some(path)) => {
            let f = path
                .extension()
                .and_then(|x| x.to_str())
                .and_then(ListFormat::parse)
                .unwrap_or(ListFormat::Html);
            let n = list::write(&store, path, &visits, &title, f)?;
            output::line(&format!(
                "{}에 {n}건을 저장했습니다 ({})",
                path.display(),
                f.code()
            ))?;
        }
        (Some(f), None) => {
            let now = store.clock().now().format("%Y-%m-%d %H:%M").to_string();
            let footer = format!("출력 {now} · {} · 이름·연락처 가림", store.operator());
            let bytes = list::render(&visits, &title, &footer, f)?;
            store.audit(&crate::audit::Event {
                action: crate::model::AuditAction::Print,
                resident_id: None,
                subject: "visits",
                detail: &format!("{title} {} {}건", f.code(), visits.len()),
            })?;
            output::write_to(&mut std::io::stdout().lock(), &bytes)?;
        }
        (None, None) => {
            let mut lines = vec![format!("{title} · {}건", visits.len())];
            for v in &visits {
                lines.push(format!(
                    "{} {:5}  {}  {}  {}  {}  {}  [{}]",
                    v.on,
                    if v.time.is_empty() { "--:--" } else { &v.time },
                    v.dong,
                    v.address,
                    mask_name(&v.name),
                    list::phone_tail(v.phone.as_deref()),
                    v.purpose,
                    if v.done { "완료" } else { "예정" },
                ));
            }
            store.audit(&crate::audit::Event {
                action: crate::model::AuditAction::View,
                resident_id: None,
                subject: "visits",
                detail: &format!("{title} {}건", visits.len()),
            })?;
            output::lines(lines)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
