//! `dolbom audit`: list the access log, verify its hash chain, or the monthly review.

use super::{Global, output, values};
use crate::audit::{AuditFilter, NamedAuditRow};
use crate::model::labels::{field_label, table_label};
use crate::privacy::mask_name;
use chrono::NaiveDateTime;
use std::process::ExitCode;
use unicode_width::UnicodeWidthStr;

/// The actions the log records, as written in it (the filter choices).
pub const ACTIONS: [&str; 7] = ["조회", "입력", "변경", "삭제", "출력", "다운로드", "거부"];

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
    /// 작업으로 거르기: 조회, 입력, 변경, 삭제, 출력, 다운로드, 거부 (only this action)
    #[arg(long = "action", value_name = "ACTION", value_parser = clap::builder::PossibleValuesParser::new(ACTIONS))]
    pub what: Option<String>,
    /// 주민 이름(일부)으로 거르기 (rows about residents whose name contains this)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// 이 날짜·일시 이후 (since YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])
    #[arg(long, value_parser = values::since, value_name = "DATE[THH:MM]")]
    pub since: Option<NaiveDateTime>,
    /// JSON으로 출력 (print JSON)
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 대량 조회 기준 보기·바꾸기: 이보다 많은 주민을 보이는 명령은 --reason이 필요 (show or set,
    /// admin only, the bulk-read limit; default 500)
    Limit {
        /// 새 기준 (주민 수)
        limit: Option<usize>,
    },
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
    // The same check as the TUI's F7: the log says who looked at whom, admins only.
    store.require_admin(match &args.action {
        None => "audit",
        Some(Command::Verify) => "audit verify",
        Some(Command::Summary { .. }) => "audit summary",
        Some(Command::Limit { .. }) => "audit limit",
    })?;
    match &args.action {
        Some(Command::Summary { month, json }) => {
            let month = month
                .clone()
                .unwrap_or_else(|| store.clock().today().format("%Y-%m").to_string());
            let rows = store.audit_month(&month)?;
            let reads = store.read_summary(&month)?;
            if *json {
                output::json(&with_reads(&rows, &reads)?)?;
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
                lines.extend(read_lines(&reads, store.bulk_read_limit()?));
                output::lines(lines)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Limit { limit }) => {
            if let Some(n) = limit {
                store.set_bulk_read_limit(*n)?;
            }
            output::line(&format!(
                "대량 조회 기준: 주민 {}명 초과 시 --reason 필요 (bulk-read limit)",
                store.bulk_read_limit()?
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Verify) => verify(&store),
        None => {
            let rows = store.audit_rows_named(
                &AuditFilter {
                    resident_id: args.resident.clone(),
                    // The log holds canonical names: `--operator " kim"` means kim.
                    operator: args
                        .operator
                        .as_deref()
                        .map(|o| crate::store::canonical_operator(o, "--operator"))
                        .transpose()?,
                    // The log's `at` is `YYYY-MM-DD HH:MM:SS`, compared as text.
                    since: args
                        .since
                        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
                    action: args.what.clone(),
                    resident_name: args.name.clone(),
                },
                None,
            )?;
            if args.json {
                let rows: Vec<JsonRow<'_>> = rows.iter().map(JsonRow::from).collect();
                output::json(&rows)?;
            } else {
                output::lines(table(&rows))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `dolbom audit verify`: the chain, the signed head in the database and beside it, and the
/// heads peers witnessed. Any problem exits 1 (even when nobody reads the message); notes and
/// warnings about peers' logs are printed but do not fail.
fn verify(store: &crate::store::Store) -> anyhow::Result<ExitCode> {
    let report = store.audit_verify()?;
    let mut lines = Vec::new();
    if report.problems.is_empty() {
        let head = match &report.head {
            Some(h) => format!(", 서명된 머리 {}행 (signed head)", h.seq),
            None => String::new(),
        };
        lines.push(format!(
            "감사 로그 정상: {}행 검증{head} (audit chain intact)",
            report.checked
        ));
    }
    for (seq, problem) in &report.problems {
        lines.push(format!(
            "감사 로그 손상: {seq}행 — {problem} (audit chain broken)"
        ));
    }
    for w in store.witnesses_of_us()? {
        lines.push(format!(
            "  다른 기관이 본 이 기관의 감사 로그: {} — {}행 ({})",
            w.witness_name(),
            w.head.seq,
            w.seen_at
        ));
    }
    for note in &report.notes {
        lines.push(format!("  참고: {note}"));
    }
    for w in store.head_warnings()? {
        lines.push(format!(
            "  경고: 기관 {} — {} ({})",
            w.site,
            w.describe(),
            w.at
        ));
    }
    let printed = output::lines(lines);
    if report.problems.is_empty() {
        printed?;
        return Ok(ExitCode::SUCCESS);
    }
    match printed {
        Err(e) if !output::is_closed(&e) => Err(e),
        _ => Ok(ExitCode::from(1)),
    }
}

/// One row of `dolbom audit --json`: the stored row, the resident's masked name and the
/// subject in words.
#[derive(serde::Serialize)]
struct JsonRow<'a> {
    #[serde(flatten)]
    row: &'a crate::audit::AuditRow,
    resident: Option<String>,
    subject_text: String,
}

impl<'a> From<&'a NamedAuditRow> for JsonRow<'a> {
    fn from(r: &'a NamedAuditRow) -> Self {
        JsonRow {
            row: &r.row,
            resident: r.resident_name.as_deref().map(mask_name),
            subject_text: subject_text(r),
        }
    }
}

/// Pads `s` to `w` display columns (Hangul counts two), never cutting it.
fn pad(s: &str, w: usize) -> String {
    let fill = w.saturating_sub(s.width());
    format!("{s}{}", " ".repeat(fill))
}

/// The rows as a table whose columns line up by display width, with a header.
fn table(rows: &[NamedAuditRow]) -> Vec<String> {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.row.seq.to_string(),
                r.row.at.clone(),
                r.row.operator.clone(),
                r.row.host.clone(),
                r.row.action.clone(),
                subject_text(r),
            ]
        })
        .collect();
    let header = ["번호", "일시", "작업자", "단말", "작업", "대상"];
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
    let line = |cols: [&str; 6], detail: &str| {
        // Right-aligned by display width (`format!`'s width counts chars, not columns).
        let mut out = " ".repeat(widths[0].saturating_sub(cols[0].width()));
        out.push_str(cols[0]);
        for (i, c) in cols.iter().enumerate().skip(1) {
            out.push_str("  ");
            out.push_str(&pad(c, widths[i]));
        }
        out.push_str("  ");
        out.push_str(detail);
        out.trim_end().to_string()
    };
    let mut out = vec![line(header, "내용")];
    for (row, r) in cells.iter().zip(rows) {
        out.push(line(
            [&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]],
            &detail_text(&r.row.detail),
        ));
    }
    out
}

/// What a row is about, in words: `주민 김*수`, `사례 김*수`, `묶음 a.bundle`. Resident names
/// are masked; an id without a known name is shortened.
pub fn subject_text(r: &NamedAuditRow) -> String {
    let name = r.resident_name.as_deref().map(mask_name);
    let Some((kind, rest)) = r.row.subject.split_once(':') else {
        return match r.row.subject.as_str() {
            "audit log (TUI)" => "감사 로그 (화면)".to_string(),
            "users add" => "사용자 추가".to_string(),
            "resources import" => "자원 가져오기".to_string(),
            "resources import (TUI)" => "자원 가져오기 (화면)".to_string(),
            "residents import" => "주민 명단 가져오기".to_string(),
            "discovery import" => "발굴 명단 가져오기".to_string(),
            "audit" => "감사 로그".to_string(),
            "audit verify" => "감사 로그 검증".to_string(),
            "audit summary" => "감사 로그 점검".to_string(),
            "users remove" => "사용자 삭제".to_string(),
            "demo --force" => "데모로 바꾸기".to_string(),
            "sync import" => "동기화 가져오기".to_string(),
            "sync import (TUI)" => "동기화 가져오기 (화면)".to_string(),
            "audit log" => "감사 로그".to_string(),
            "retention list" => "파기 검토 목록".to_string(),
            "retention policy" => "보존 기간 설정".to_string(),
            "retention set" => "보존 기간 설정".to_string(),
            "retention purge" => "파기".to_string(),
            "retention purge (peer)" => "파기 (다른 기관)".to_string(),
            other => other.to_string(),
        };
    };
    let label = table_label(kind);
    match (kind, name) {
        (_, Some(name)) => format!("{label} {name}"),
        ("bundle" | "import" | "user" | "users", None) => format!("{label} {rest}"),
        (_, None) => format!("{label} {}", rest.get(..8).unwrap_or(rest)),
    }
}

/// A row's detail in words: known codes get Korean (`conflict … phone keep_current` →
/// `충돌 처리: 전화번호 현재 값 유지`), the rest is shown as written.
pub fn detail_text(detail: &str) -> String {
    if let Some(role) = detail
        .strip_suffix(" only")
        .and_then(crate::store::Role::parse)
    {
        return format!("{} 전용", role.label());
    }
    let parts: Vec<&str> = detail.split(' ').collect();
    if let ["conflict", _id, field, how] = parts.as_slice() {
        let how = match *how {
            "keep_current" => "현재 값 유지",
            "restore_other" => "다른 값으로 복원",
            other => other,
        };
        return format!("충돌 처리: {} {how}", field_label("", field));
    }
    detail
        .split(' ')
        .map(detail_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One word of a detail the sync and import code write (`ops`, `Passphrase`, `inserted=3`).
fn detail_word(word: &str) -> String {
    let (key, value) = match word.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (word, None),
    };
    let label = match key {
        "ops" => "항목",
        "from" => "보낸 기관",
        "applied" => "적용",
        "known" => "이미 있음",
        "conflicts" => "충돌",
        "Plain" => "암호화 안 함",
        "Passphrase" => "암호문",
        "Recipients" => "기관 키",
        "source" => "출처",
        "inserted" => "추가",
        "updated" => "변경",
        "unchanged" => "그대로",
        "rejected" => "거부",
        "resources" | "residents" => table_label(key),
        "cases" => "사례",
        "kept" => "유지",
        "entries" => "기록",
        "rechained" => "키로 다시 묶은 행",
        "was" => "이전 체인",
        _ => return word.to_string(),
    };
    match value {
        Some(v) => format!("{label} {v}"),
        None => label.to_string(),
    }
}

/// The bulk-read part of `audit summary` (issue #20): reads per operator.
fn read_lines(reads: &[crate::store::reads::ReadSummary], limit: usize) -> Vec<String> {
    let mut lines = vec![
        String::new(),
        format!("목록 조회 (listings; 대량 = 주민 {limit}명 초과)"),
        "작업자        조회  보인 주민  대량(사유)  대량 거부".to_string(),
    ];
    lines.extend(reads.iter().map(|r| {
        format!(
            "{:<10} {:>6} {:>10} {:>11} {:>10}",
            r.operator, r.reads, r.residents_shown, r.bulk_reads, r.refused
        )
    }));
    lines
}

/// `audit summary --json`: each operator's row with its listing counts added (`reads`,
/// `residents_shown`, `bulk_reads`, `bulk_refused`); an operator who only listed gets a row too.
fn with_reads(
    rows: &[crate::audit::OperatorSummary],
    reads: &[crate::store::reads::ReadSummary],
) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut out: Vec<serde_json::Value> = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    for r in reads {
        let found = out
            .iter()
            .position(|v| v["operator"] == r.operator.as_str());
        let i = match found {
            Some(i) => i,
            None => {
                out.push(serde_json::json!({ "operator": r.operator }));
                out.len() - 1
            }
        };
        if let Some(obj) = out[i].as_object_mut() {
            obj.insert("reads".into(), r.reads.into());
            obj.insert("residents_shown".into(), r.residents_shown.into());
            obj.insert("bulk_reads".into(), r.bulk_reads.into());
            obj.insert("bulk_refused".into(), r.refused.into());
        }
    }
    Ok(out)
}
