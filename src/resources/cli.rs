//! Text for the `dolbom resources …` and `dolbom residents import` commands: import reports,
//! the resource list, and the progress bar shown on a terminal for imports longer than a second.

use super::upsert::ImportReport;
use crate::store::ResourceRow;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

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
