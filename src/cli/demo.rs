//! `dolbom demo`: generate a deterministic demo database, then open the TUI.

use super::Global;
use crate::store::{OpenOptions, Store};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 주민 수 (number of residents)
    #[arg(long, default_value_t = 10_000)]
    pub residents: usize,
    /// 난수 시드 (seed; same seed → same data)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// TUI를 열지 않고 요약만 출력 (print a summary instead of opening the TUI)
    #[arg(long)]
    pub no_tui: bool,
    /// 이미 데이터가 있는 --db 파일을 지우고 다시 생성 (replace an existing database given by --db)
    #[arg(long)]
    pub force: bool,
    /// 데모 데이터베이스도 암호화 (encrypt the demo database too; --key-file or a prompt gives the passphrase)
    #[arg(long)]
    pub encrypt: bool,
}

pub fn run(g: &Global, args: &Args, started: Instant) -> anyhow::Result<ExitCode> {
    let explicit = g.db.is_some();
    let path = crate::paths::demo_database(g.db.clone()).ok_or_else(super::no_data_folder)?;
    if path.exists() {
        // The default demo.db is ours to replace; a file given with --db needs --force if it
        // already holds residents.
        let existing = if crate::crypto::engine::file_kind(&path)?
            == crate::crypto::engine::FileKind::Encrypted
        {
            super::passphrase::open(g, &path, OpenOptions::new(g.operator()?))?.0
        } else {
            Store::open(&path, &OpenOptions::new(g.operator()?))?
        };
        let residents = existing.counts()?.residents;
        if explicit && residents > 0 && !args.force {
            anyhow::bail!(
                "{}: 이미 주민 {residents}명이 있습니다 (already holds data); 다시 만들려면 --force",
                path.display()
            );
        }
        // Replacing a database that holds residents is its admin's decision (the refusal is
        // audited in the database that stays).
        if residents > 0 {
            existing.require_admin("demo --force")?;
        }
        drop(existing);
        for suffix in ["", "-wal", "-shm", ".keys", ".keys-failed", ".audit-head"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            match std::fs::remove_file(PathBuf::from(p)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    let mut opts = OpenOptions::new(g.operator()?);
    opts.site_name = g
        .site_name
        .clone()
        .or_else(|| Some("데모 기관".to_string()));
    let mut store = if args.encrypt {
        let mut g = g.clone();
        g.no_encryption = false;
        super::passphrase::open(&g, &path, opts)?.0
    } else {
        Store::open(&path, &opts)?
    };
    let clock = Instant::now();
    let bar = indicatif::ProgressBar::new(args.residents as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "데모 데이터 생성 {bar:40} {pos}/{len} 명 {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = crate::demo::generate(
        &mut store,
        &crate::demo::DemoOptions {
            residents: args.residents,
            seed: args.seed,
        },
        &mut |done, _| bar.set_position(done as u64),
    )?;
    bar.finish_and_clear();
    eprintln!(
        "{}: 세대 {} · 주민 {} · 사례 {} · 기록 {} · 자원 {} · 연계 {} ({:.2}s)",
        path.display(),
        summary.households,
        summary.residents,
        summary.cases,
        summary.entries,
        summary.resources,
        summary.referrals,
        clock.elapsed().as_secs_f64()
    );
    if args.no_tui {
        return Ok(ExitCode::SUCCESS);
    }
    super::tui(g, Some(store), started)
}
