//! The case summary for a 사례회의: header, stages with dates, entries (corrections applied),
//! referrals — as Markdown, CSV or JSON. The resident's contact details are masked unless the
//! export is `full`; every export is recorded in the audit log (출력).

use super::ops;
use super::types::{Timeline, TimelineError};
use crate::audit::Event;
use crate::model::{AuditAction, Resident};
use crate::store::Store;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Md,
    Csv,
    Json,
}

impl Format {
    /// `md`, `csv` or `json`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Md),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The summary's 대상자 block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidentPart {
    pub id: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    /// `010-****-1234` unless full.
    pub phone: Option<String>,
    /// Up to the 동 unless full.
    pub address: String,
    /// Always the masked form (the full number is never stored).
    pub rrn_masked: Option<String>,
}

/// The summary's 사례 block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CasePart {
    pub id: String,
    pub category: String,
    pub worker: String,
    pub stage: String,
    pub crisis_score: Option<i64>,
    pub crisis_level: Option<String>,
    pub tags: Vec<String>,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub closure_reason: Option<String>,
    pub aftercare_on: Option<String>,
}

/// One stage with the day the case entered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageLine {
    pub stage: String,
    pub on: String,
    pub reason: Option<String>,
}

/// One entry, corrections applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryLine {
    pub id: String,
    pub at: String,
    pub kind: String,
    pub author: String,
    pub text: String,
    pub due_on: Option<String>,
    pub corrected: bool,
    /// Time of the latest correction.
    pub corrected_at: Option<String>,
    pub voided: bool,
    pub void_reason: Option<String>,
}

/// One referral.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralLine {
    pub resource: String,
    pub status: String,
    pub requested_on: String,
    pub updated_on: String,
    pub note: String,
}

/// Everything an export holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    /// `YYYY-MM-DD HH:MM`.
    pub generated_at: String,
    pub generated_by: String,
    /// Whether contact details are masked (false with `--full`).
    pub masked: bool,
    pub resident: ResidentPart,
    pub case: CasePart,
    pub stages: Vec<StageLine>,
    pub entries: Vec<EntryLine>,
    pub referrals: Vec<ReferralLine>,
}

fn resident_part(r: &Resident, full: bool) -> ResidentPart {
    let address = if full {
        r.address.clone()
    } else {
        [r.sigungu.as_str(), r.dong.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    ResidentPart {
        id: r.id.clone(),
        name: r.name.clone(),
        birth_date: r.birth_date.clone(),
        sex: r.sex.map(|s| s.label().to_string()),
        phone: r.phone.as_deref().map(|p| {
            if full {
                p.to_string()
            } else {
                crate::privacy::mask_phone(p)
            }
        }),
        address,
        rrn_masked: r.rrn_masked.clone(),
    }
}

/// Builds the summary from a loaded timeline.
pub fn summarize(
    t: &Timeline,
    resident: &Resident,
    full: bool,
    generated_at: &str,
    generated_by: &str,
) -> CaseSummary {
    let c = &t.header.case;
    CaseSummary {
        generated_at: generated_at.to_string(),
        generated_by: generated_by.to_string(),
        masked: !full,
        resident: resident_part(resident, full),
        case: CasePart {
            id: c.id.clone(),
            category: c.category.clone(),
            worker: c.worker.clone(),
            stage: c.stage.label().to_string(),
            crisis_score: c.crisis_score,
            crisis_level: c.crisis_level.clone(),
            tags: c.tags.clone(),
            opened_on: c.opened_on.clone(),
            closed_on: c.closed_on.clone(),
            closure_reason: c.closure_reason.clone(),
            aftercare_on: c.aftercare_on.clone(),
        },
        stages: t
            .stage_history()
            .into_iter()
            .map(|s| StageLine {
                stage: s.stage.label().to_string(),
                on: s.on,
                reason: s.reason,
            })
            .collect(),
        entries: t
            .items
            .iter()
            .map(|i| EntryLine {
                id: i.original.id.clone(),
                at: i.original.at.clone(),
                kind: i.original.kind.label().to_string(),
                author: i.original.author.clone(),
                text: i.text().to_string(),
                due_on: i.due_on().map(String::from),
                corrected: i.is_corrected(),
                corrected_at: i.corrections.last().map(|c| c.at.clone()),
                voided: i.is_voided(),
                void_reason: i.void_reason().map(String::from),
            })
            .collect(),
        referrals: t
            .referrals
            .iter()
            .map(|r| ReferralLine {
                resource: r.resource_name.clone(),
                status: r.referral.status.clone(),
                requested_on: r.referral.requested_on.clone(),
                updated_on: r.referral.updated_on.clone(),
                note: r.referral.note.clone(),
            })
            .collect(),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

/// Markdown for printing or pasting into meeting notes.
pub fn to_markdown(s: &CaseSummary) -> String {
    let mut o = String::new();
    let r = &s.resident;
    let c = &s.case;
    o.push_str(&format!("# 사례 요약 — {}\n\n", r.name));
    o.push_str(&format!(
        "출력 {} · {} · {}\n\n",
        s.generated_at,
        s.generated_by,
        if s.masked {
            "연락처 가림"
        } else {
            "전체 (--full)"
        }
    ));
    o.push_str("## 대상자\n\n| 항목 | 내용 |\n|---|---|\n");
    let crisis = match (c.crisis_score, &c.crisis_level) {
        (Some(n), Some(l)) => format!("{n}점 ({l})"),
        (Some(n), None) => format!("{n}점"),
        _ => "-".to_string(),
    };
    let rows: [(&str, String); 13] = [
        ("이름", r.name.clone()),
        ("생년월일", opt(&r.birth_date).to_string()),
        ("성별", opt(&r.sex).to_string()),
        ("전화", opt(&r.phone).to_string()),
        ("주소", r.address.clone()),
        ("주민등록번호", opt(&r.rrn_masked).to_string()),
        ("사례 ID", c.id.clone()),
        (
            "대상자 구분",
            if c.category.is_empty() {
                "-".into()
            } else {
                c.category.clone()
            },
        ),
        ("담당", c.worker.clone()),
        ("단계", c.stage.clone()),
        ("위기도", crisis),
        ("개시일", c.opened_on.clone()),
        (
            "종결",
            match (&c.closed_on, &c.closure_reason) {
                (Some(d), Some(why)) => format!("{d} ({why}), 사후관리 {}", opt(&c.aftercare_on)),
                _ => "-".to_string(),
            },
        ),
    ];
    for (k, v) in rows {
        o.push_str(&format!("| {k} | {} |\n", cell(&v)));
    }
    if !c.tags.is_empty() {
        o.push_str(&format!("| 대상 특성 | {} |\n", cell(&c.tags.join(", "))));
    }
    o.push_str("\n## 단계\n\n| 날짜 | 단계 | 사유 |\n|---|---|---|\n");
    for st in &s.stages {
        o.push_str(&format!(
            "| {} | {} | {} |\n",
            st.on,
            cell(&st.stage),
            cell(opt(&st.reason))
        ));
    }
    o.push_str("\n## 기록\n");
    for e in &s.entries {
        let mut marks = Vec::new();
        if e.voided {
            marks.push("무효".to_string());
        } else if e.corrected {
            marks.push(format!("정정됨 {}", opt(&e.corrected_at)));
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        o.push_str(&format!(
            "\n### {} · {} · {}{}\n\n",
            e.at, e.kind, e.author, marks
        ));
        if e.voided {
            o.push_str(&format!(
                "~~{}~~\n\n무효 사유: {}\n",
                e.text.replace('\n', " "),
                opt(&e.void_reason)
            ));
        } else {
            o.push_str(&e.text);
            o.push('\n');
        }
        if let Some(d) = &e.due_on {
            o.push_str(&format!("\n후속 조치: {d}\n"));
        }
    }
    o.push_str("\n## 연계\n\n");
    if s.referrals.is_empty() {
        o.push_str("없음\n");
    } else {
        o.push_str("| 자원 | 상태 | 의뢰일 | 변경일 | 메모 |\n|---|---|---|---|---|\n");
        for f in &s.referrals {
            o.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                cell(&f.resource),
                f.status,
                f.requested_on,
                f.updated_on,
                cell(&f.note)
            ));
        }
    }
    o
}

/// CSV (UTF-8 with a byte-order mark, so Excel reads the Hangul): one row per fact, columns
/// 구분, 날짜, 항목, 작성자, 내용, 비고.
pub fn to_csv(s: &CaseSummary) -> Result<String, TimelineError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut row = |cols: [&str; 6]| {
        w.write_record(cols)
            .map_err(|e| TimelineError::Invalid(format!("CSV: {e}")))
    };
    row(["구분", "날짜", "항목", "작성자", "내용", "비고"])?;
    let r = &s.resident;
    let c = &s.case;
    let crisis = c
        .crisis_score
        .map(|n| {
            format!("{n} {}", c.crisis_level.as_deref().unwrap_or(""))
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    let header: [(&str, String); 14] = [
        ("이름", r.name.clone()),
        ("생년월일", r.birth_date.clone().unwrap_or_default()),
        ("성별", r.sex.clone().unwrap_or_default()),
        ("전화", r.phone.clone().unwrap_or_default()),
        ("주소", r.address.clone()),
        ("주민등록번호", r.rrn_masked.clone().unwrap_or_default()),
        ("사례 ID", c.id.clone()),
        ("대상자 구분", c.category.clone()),
        ("담당", c.worker.clone()),
        ("단계", c.stage.clone()),
        ("위기도", crisis),
        ("개시일", c.opened_on.clone()),
        (
            "종결",
            c.closed_on.clone().map_or(String::new(), |d| {
                format!("{d} {}", c.closure_reason.as_deref().unwrap_or(""))
                    .trim()
                    .to_string()
            }),
        ),
        ("사후관리", c.aftercare_on.clone().unwrap_or_default()),
    ];
    for (k, v) in &header {
        row(["사례", "", k, "", v, ""])?;
    }
    for st in &s.stages {
        row([
            "단계",
            &st.on,
            &st.stage,
            "",
            "",
            st.reason.as_deref().unwrap_or(""),
        ])?;
    }
    for e in &s.entries {
        let mut note = Vec::new();
        if e.voided {
            note.push(format!("무효: {}", opt(&e.void_reason)));
        } else if e.corrected {
            note.push(format!("정정됨 {}", opt(&e.corrected_at)));
        }
        if let Some(d) = &e.due_on {
            note.push(format!("후속 {d}"));
        }
        row(["기록", &e.at, &e.kind, &e.author, &e.text, &note.join("; ")])?;
    }
    for f in &s.referrals {
        row(["연계", &f.requested_on, &f.resource, "", &f.status, &f.note])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| TimelineError::Invalid(format!("CSV: {e}")))?;
    let body = String::from_utf8(bytes).map_err(|e| TimelineError::Invalid(format!("CSV: {e}")))?;
    Ok(format!("\u{feff}{body}"))
}

/// Pretty JSON.
pub fn to_json(s: &CaseSummary) -> Result<String, TimelineError> {
    serde_json::to_string_pretty(s)
        .map(|mut j| {
            j.push('\n');
            j
        })
        .map_err(|e| TimelineError::Invalid(format!("JSON: {e}")))
}

/// Renders a summary.
pub fn render(s: &CaseSummary, format: Format) -> Result<String, TimelineError> {
    match format {
        Format::Md => Ok(to_markdown(s)),
        Format::Csv => to_csv(s),
        Format::Json => to_json(s),
    }
}

/// Exports a case: renders it, writes `out` (private, atomically) if given, and records the
/// export (출력) in the audit log. Returns the rendered text.
pub fn export(
    store: &Store,
    case_id: &str,
    format: Format,
    full: bool,
    out: Option<&Path>,
) -> Result<String, TimelineError> {
    let t = ops::load(store, case_id)?;
    let resident = store.case_resident(&t.header.case.resident_id)?;
    let at = store.clock().now().format("%Y-%m-%d %H:%M").to_string();
    let summary = summarize(&t, &resident, full, &at, store.operator());
    let text = render(&summary, format)?;
    let detail = format!(
        "사례 요약 {}{}{}",
        format.code(),
        if full {
            ", 전체(--full)"
        } else {
            ", 연락처 가림"
        },
        if out.is_some() { ", 파일" } else { "" }
    );
    store.audit(&Event {
        action: AuditAction::Print,
        resident_id: Some(&t.header.case.resident_id),
        subject: &format!("case:{case_id}"),
        detail: &detail,
    })?;
    // Audited before the file exists: an export is never left unrecorded.
    if let Some(path) = out {
        crate::files::write_atomic(path, |f| f.write_all(text.as_bytes())).map_err(|e| {
            TimelineError::Io {
                path: path.to_path_buf(),
                source: e,
            }
        })?;
    }
    Ok(text)
}
