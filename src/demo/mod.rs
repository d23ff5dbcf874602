//! Deterministic synthetic data for demos, tests and benchmarks (`dolbom demo`).
//!
//! Same seed, same operator and same "today" (see [`crate::clock`]) → the same database
//! content. Names follow real Korean surname frequencies; ages are skewed old, as the
//! people a 돌봄 team follows are; cases move through the 통합사례관리 stages.

use crate::model::{EntryKind, RESOURCE_CATEGORIES, Stage};
use crate::store::{Result, Store, Tx, Val};
use cases::*;
use names::*;
use rng::IdGen;
pub use rng::Rng;

pub use crate::store::demo::DemoStats;
use crate::timeline::rules::{CRISIS_DOMAINS, crisis_level};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

/// Options for [`generate`].
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub residents: usize,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            residents: 10_000,
            seed: 1,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub households: usize,
    pub residents: usize,
    pub cases: usize,
    pub entries: usize,
    pub resources: usize,
    pub referrals: usize,
}

/// The 시군구 of the demo and its 읍면동 (21 real 행정동 of 관악구).
pub const SIGUNGU: &str = "서울특별시 관악구";
pub const DONGS: [&str; 21] = [
    "보라매동",
    "청림동",
    "성현동",
    "행운동",
    "낙성대동",
    "청룡동",
    "은천동",
    "중앙동",
    "인헌동",
    "남현동",
    "서원동",
    "신원동",
    "서림동",
    "신사동",
    "신림동",
    "난향동",
    "조원동",
    "대학동",
    "삼성동",
    "미성동",
    "난곡동",
];

mod cases;
mod households;
mod names;
mod resources;
mod rng;
#[cfg(test)]
mod today_tests;

/// Generates demo data into `store` in one transaction. `progress(done, total)` is called
/// every few thousand residents.
pub fn generate(
    store: &mut Store,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<DemoSummary> {
    let today = store.clock().today();
    let operator = store.operator().to_string();
    let mut tx = store.write()?;
    let mut g = Gen {
        rng: Rng::new(opts.seed),
        today,
        operator,
        workers: Vec::new(),
        summary: DemoSummary::default(),
        resource_ids: Vec::new(),
        ids: IdGen {
            next_ms: day_ms(today) - 800 * 86_400_000,
        },
    };
    g.staff(opts.residents);
    g.resources(&mut tx)?;
    while g.summary.residents < opts.residents {
        g.household(&mut tx, opts.residents)?;
        if g.summary.residents % 2000 < 5 {
            progress(g.summary.residents.min(opts.residents), opts.residents);
        }
    }
    progress(opts.residents, opts.residents);
    tx.commit()?;
    Ok(g.summary)
}

struct Gen {
    rng: Rng,
    today: NaiveDate,
    operator: String,
    /// Case workers: the operator, the named staff, and more for big demos so that each has a
    /// realistic caseload (about 100 cases).
    workers: Vec<String>,
    summary: DemoSummary,
    resource_ids: Vec<String>,
    ids: IdGen,
}

fn day_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(9, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0)
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn fmt_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}
