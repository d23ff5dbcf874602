//! `dolbom search`: find residents by name, 초성, phone tail or birth date.

use super::values::{self, Flag};
use super::{Global, output};
use crate::model::Stage;
use crate::search::residents::{Filters, ResidentIndex, find, hit_json, hit_line};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 검색어: 이름, 초성(ㄱㅁㅅ), 전화 끝 4자리, 생년(1950), 생년월일(500101) … (query)
    #[arg(num_args = 0..)]
    pub query: Vec<String>,
    /// 최대 건수 (maximum results)
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// JSON 배열로 출력 (print a JSON array)
    #[arg(long)]
    pub json: bool,
    /// 읍면동으로 거르기 (only this 읍면동)
    #[arg(long)]
    pub dong: Option<String>,
    /// 사례 단계로 거르기 (only this case stage: 접수, 조사, 점검 … or intake, monitoring …)
    #[arg(long, value_parser = values::stage)]
    pub stage: Option<Stage>,
    /// 위기·표시로 거르기 (only residents with this flag: 단전, 독거 … or power-cut, living-alone …)
    #[arg(long, value_enum)]
    pub flag: Option<Flag>,
    /// 담당자로 거르기 (only cases of this worker)
    #[arg(long)]
    pub worker: Option<String>,
    /// 엑셀로 저장 (xlsx, with --out FILE; phones masked)
    #[arg(long, value_enum, requires = "out", conflicts_with = "json")]
    pub format: Option<SearchFormat>,
    /// 저장할 파일 (write to FILE, mode 0600)
    #[arg(long, value_name = "FILE", requires = "format")]
    pub out: Option<std::path::PathBuf>,
    /// 대량 조회 사유: 기준(기본 500명)보다 많은 주민을 보일 때 필요 (reason for a bulk read;
    /// recorded in the audit log)
    #[arg(long, value_name = "사유")]
    pub reason: Option<String>,
}

/// `search --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchFormat {
    /// 엑셀 (XLSX)
    Xlsx,
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let store = g.open_store()?;
    let filters = Filters {
        dong: args.dong.clone(),
        stage: args.stage,
        flag: args.flag.map(Flag::label),
        category: None,
        worker: args.worker.clone(),
    };
    // The stored index when current (no rebuild), else rebuilt and stored for the next run;
    // one query, so without the TUI's first-character groups.
    let index = ResidentIndex::open_for_one_query(&store)?;
    let query = args.query.join(" ");
    let hits = find(
        &store,
        &index,
        &mut crate::search::Searcher::new(),
        &query,
        &filters,
        args.limit,
    )?;
    // Issue #20: every listing is recorded (query, filters, count); a bulk one needs a reason.
    let what = describe(&query, &filters);
    if let Some(code) =
        super::reads::gate(&store, "search", &what, hits.len(), args.reason.as_deref())?
    {
        return Ok(code);
    }
    if let (Some(SearchFormat::Xlsx), Some(out)) = (args.format, &args.out) {
        let table = crate::paper::lists::search_results(&hits, false);
        let n = super::report::write_list(&store, out, table, "list:search")?;
        output::line(&format!(
            "{}: 검색 결과 {n}건을 저장했습니다 (xlsx)",
            out.display()
        ))?;
    } else if args.json {
        let rows: Vec<serde_json::Value> = hits.iter().map(hit_json).collect();
        output::json(&rows)?;
    } else {
        output::lines(hits.iter().map(hit_line))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The query and filters as recorded (`김민수 · dong=신림동 · stage=monitoring`).
pub fn describe(query: &str, f: &Filters) -> String {
    let mut parts = vec![query.to_owned()];
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    };
    add("dong", f.dong.clone());
    add("stage", f.stage.map(|s| s.code().to_owned()));
    add("flag", f.flag.clone());
    add("category", f.category.clone());
    add("worker", f.worker.clone());
    parts.join(" · ")
}
