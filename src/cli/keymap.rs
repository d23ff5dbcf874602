//! `dolbom keymap`: check a keymap file or print the effective keymap; [`load`] is also what
//! opening the TUI uses.

use super::{Global, output};
use crate::tui::{Keymap, KeymapError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// 키맵 파일 검사 (validate a keymap file; errors as file:line)
    #[arg(long, value_name = "FILE", conflicts_with = "print")]
    pub check: Option<PathBuf>,
    /// 적용되는 키맵 출력 (print the effective keymap as TOML)
    #[arg(long)]
    pub print: bool,
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.check {
        return match Keymap::check(path) {
            Ok(_) => {
                output::line(&format!("{}: 이상 없음 (ok)", path.display()))?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(ExitCode::from(2))
            }
        };
    }
    match load(g) {
        Ok(k) => {
            output::print(&k.to_toml())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(2))
        }
    }
}

/// The effective keymap: `--keymap` (a shipped name or a file) over the default, then the config
/// folder's keymap.toml over that. Errors are reported as `file:line: …`.
pub fn load(g: &Global) -> Result<Keymap, KeymapError> {
    let mut keymap = match &g.keymap {
        Some(k) => Keymap::load(k)?,
        None => Keymap::builtin_default(),
    };
    if let Some(user) = crate::paths::config_dir().map(|d| d.join("keymap.toml"))
        && user.exists()
    {
        keymap.apply_file(&user)?;
    }
    Ok(keymap)
}
