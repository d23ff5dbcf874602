//! The report's outputs: sheets (XLSX), CSV for Excel, JSON, and the audited export.

use super::*;

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Xlsx,
    Csv,
    Json,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Option<ReportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(ReportFormat::Xlsx),
            "csv" => Some(ReportFormat::Csv),
            "json" => Some(ReportFormat::Json),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Csv => "csv",
            ReportFormat::Json => "json",
        }
    }
}

fn count(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn summary_table(
    sheet: &str,
    key: &str,
    groups: &BTreeMap<String, Figures>,
    total: &Figures,
) -> Table {
    let mut headers = vec![key];
    headers.extend(SCALAR_FIGURES.iter().map(|c| label(c)));
    let mut t = Table::new(sheet, &headers);
    for (name, f) in groups
        .iter()
        .chain(std::iter::once((&"전체".to_string(), total)))
    {
        let mut row = vec![Value::text(name)];
        row.extend(SCALAR_FIGURES.iter().map(|c| count(f.get(c))));
        t.rows.push(row);
    }
    t
}

/// The groups of the report as (구분, 이름, figures), totals last.
fn groups(r: &MonthlyReport) -> Vec<(&'static str, &str, &Figures)> {
    let mut out: Vec<(&'static str, &str, &Figures)> = Vec::new();
    out.extend(r.by_worker.iter().map(|(k, f)| ("담당자", k.as_str(), f)));
    out.extend(r.by_dong.iter().map(|(k, f)| ("동", k.as_str(), f)));
    out.push(("전체", "전체", &r.total));
    out
}

/// The breakdowns as long rows: (구분, 이름, 지표, 세부, 값).
fn breakdown_rows(r: &MonthlyReport) -> Vec<(&'static str, String, &'static str, String, u64)> {
    let mut rows = Vec::new();
    for (kind, name, f) in groups(r) {
        for (k, v) in &f.by_stage {
            rows.push((kind, name.to_string(), "by_stage", k.clone(), *v));
        }
        for (k, v) in &f.by_category {
            rows.push((kind, name.to_string(), "by_category", k.clone(), *v));
        }
        for (k, v) in &f.moves_to {
            rows.push((kind, name.to_string(), "stage_moves", k.clone(), *v));
        }
        for (cat, m) in &f.referrals_by {
            for (status, v) in m {
                rows.push((
                    kind,
                    name.to_string(),
                    "referrals_by",
                    format!("{cat} / {status}"),
                    *v,
                ));
            }
        }
        for (k, v) in &f.closures_by_reason {
            rows.push((kind, name.to_string(), "closures_by_reason", k.clone(), *v));
        }
    }
    rows.extend(discovery_rows(r));
    rows
}

/// The report as sheets: 담당자별, 동별, 세부 (단계·구분·단계 이동·연계·종결 사유) and 정의.
pub fn to_tables(r: &MonthlyReport) -> Vec<Table> {
    let mut detail = Table::new("세부", &["구분", "이름", "지표", "세부", "값"]);
    for (kind, name, code, key, v) in breakdown_rows(r) {
        detail.rows.push(vec![
            Value::text(kind),
            Value::text(name),
            Value::text(label(code)),
            Value::text(key),
            count(v),
        ]);
    }
    let mut defs = Table::new("정의", &["지표", "코드", "정의"]);
    defs.rows.push(vec![
        Value::text("공통"),
        Value::Empty,
        Value::text(format!(
            "{} 월별 실적. 사례는 담당자(사례의 현재 담당)와 대상자의 동으로 묶습니다. 무효 처리된 기록은 세지 않고, 정정은 원래 기록의 시각으로 한 번만 셉니다. 출력 {} · {}.",
            r.month, r.generated_at, r.generated_by
        )),
    ]);
    for d in &r.definitions {
        defs.rows.push(vec![
            Value::text(d.label),
            Value::text(d.code),
            Value::text(d.definition),
        ]);
    }
    vec![
        summary_table("담당자별", "담당자", &r.by_worker, &r.total),
        summary_table("동별", "동", &r.by_dong, &r.total),
        detail,
        defs,
    ]
}

/// CSV (UTF-8 with a byte-order mark, for Excel): one row per figure, columns
/// 월, 구분, 이름, 지표, 세부, 값.
pub fn to_csv(r: &MonthlyReport) -> Result<String, PaperError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = |e: csv::Error| PaperError::Invalid(format!("CSV: {e}"));
    w.write_record(["월", "구분", "이름", "지표", "세부", "값"])
        .map_err(e)?;
    for (kind, name, f) in groups(r) {
        for code in SCALAR_FIGURES {
            w.write_record([
                r.month.as_str(),
                kind,
                name,
                label(code),
                "",
                &f.get(code).to_string(),
            ])
            .map_err(e)?;
        }
    }
    for (kind, name, code, key, v) in breakdown_rows(r) {
        w.write_record([
            r.month.as_str(),
            kind,
            &name,
            label(code),
            &key,
            &v.to_string(),
        ])
        .map_err(e)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|x| PaperError::Invalid(format!("CSV: {x}")))?;
    let body = String::from_utf8(bytes).map_err(|x| PaperError::Invalid(format!("CSV: {x}")))?;
    Ok(format!("\u{feff}{body}"))
}

/// Pretty JSON (definitions included).
pub fn to_json(r: &MonthlyReport) -> Result<String, PaperError> {
    serde_json::to_string_pretty(r)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| PaperError::Invalid(format!("JSON: {e}")))
}

/// Renders the report in `format`.
pub fn render(r: &MonthlyReport, format: ReportFormat) -> Result<Vec<u8>, PaperError> {
    match format {
        ReportFormat::Xlsx => crate::paper::xlsx::workbook(&to_tables(r)),
        ReportFormat::Csv => to_csv(r).map(String::into_bytes),
        ReportFormat::Json => to_json(r).map(String::into_bytes),
    }
}

/// `dolbom report monthly`: computes, records the 출력 in the audit log (the month and the
/// format, no figures) and writes `out` atomically if given. Returns the rendered bytes.
pub fn export(
    store: &Store,
    month: &str,
    format: ReportFormat,
    out: Option<&std::path::Path>,
) -> Result<Vec<u8>, PaperError> {
    let report = monthly(store, month)?;
    let bytes = render(&report, format)?;
    store.audit(&crate::audit::Event {
        action: crate::model::AuditAction::Print,
        resident_id: None,
        subject: &format!("report:monthly:{}", report.month),
        detail: &format!("월별 실적 {}", format.code()),
    })?;
    if let Some(path) = out {
        crate::paper::write_file(path, &bytes)?;
    }
    Ok(bytes)
}
