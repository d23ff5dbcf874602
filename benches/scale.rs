//! Scale bench (issue #18): 오늘 per query, for a first look. Grows into the full report.
use chrono::NaiveDate;
use dolbom::clock::Clock;
use dolbom::store::{OpenOptions, Store};
use dolbom::timeline::{self, Scope};
use std::path::PathBuf;
use std::time::Instant;

fn clock() -> Clock {
    Clock::fixed(
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default(),
    )
}

/// CPU time (user + system) of this process in ms, where the OS tells it (Linux); the machine
/// these figures come from is shared, so CPU time says more than wall time.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

fn median_ms(mut f: impl FnMut(), n: usize) -> f64 {
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let path = PathBuf::from(std::env::var("DOLBOM_SCALE_DB").expect("DOLBOM_SCALE_DB"));
    let mut opts = OpenOptions::new("박지현");
    opts.clock = clock();
    let store = Store::open(&path, &opts).expect("open");
    for scope in [Scope::Mine, Scope::All] {
        if std::env::var_os("SCALE_PLANS").is_some() {
            for (name, plan) in store.today_query_plans(scope).expect("plans") {
                println!("{scope:?} {name}:\n  {}", plan.join("\n  "));
            }
        }
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let d = "2026-03-01";
        let n = 5;
        println!(
            "{scope:?} follow_ups {:.1} ms",
            median_ms(
                || {
                    store.follow_up_facts(scope, d).unwrap();
                },
                n
            )
        );
        println!(
            "{scope:?} stages {:.1} ms",
            median_ms(
                || {
                    store.stage_facts(scope).unwrap();
                },
                n
            )
        );
        println!(
            "{scope:?} contacts {:.1} ms",
            median_ms(
                || {
                    store.contact_facts(scope, d).unwrap();
                },
                n
            )
        );
        println!(
            "{scope:?} referrals {:.1} ms",
            median_ms(
                || {
                    store.waiting_referral_facts(scope, "2026-02-20").unwrap();
                },
                n
            )
        );
        println!(
            "{scope:?} by_stage {:.1} ms",
            median_ms(
                || {
                    store.cases_by_stage(scope).unwrap();
                },
                n
            )
        );
        println!(
            "{scope:?} entries_between {:.1} ms",
            median_ms(
                || {
                    store
                        .entries_between(scope, "2026-02-01", "2026-02-08")
                        .unwrap();
                },
                n
            )
        );
        let _ = day;
        let cpu0 = cpu_ms();
        println!(
            "{scope:?} today+charts {:.1} ms",
            median_ms(
                || {
                    let t = timeline::today(&store, scope).unwrap();
                    timeline::charts(&store, scope, &t).unwrap();
                },
                n
            )
        );
        if let (Some(a), Some(b)) = (cpu0, cpu_ms()) {
            println!(
                "{scope:?} today+charts cpu {:.1} ms/run",
                (b - a) / n as f64
            );
        }
    }
}
