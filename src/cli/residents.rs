//! `dolbom residents import`: import a resident list (관리대상자 명단).

use super::Global;
use super::resources::{ImportArgs, Progress, import_options, print_report};
use crate::resources::upsert;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 관리대상자 명단 가져오기 (import a resident list; admin only)
    Import(ImportArgs),
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let mut store = g.open_store()?;
    let Command::Import(a) = &args.action;
    let settings = upsert::ResidentImport {
        options: import_options(a)?,
        dry_run: a.dry_run,
    };
    let mut bar = Progress::new("명단 가져오기");
    let report =
        upsert::import_residents(&mut store, &a.file, &settings, &mut |d, t| bar.update(d, t));
    bar.finish();
    print_report(&report?, a.json)?;
    Ok(ExitCode::SUCCESS)
}
