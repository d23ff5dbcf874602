//! The `dolbom` command line: one module per subcommand, each an `Args` struct (clap derive) and
//! a `run`. `main.rs` only parses ([`parse`]), calls [`run`] and turns the result into an exit
//! code ([`exit_code`]).
//!
//! Exit codes: 0 success (also when stdout was closed early, e.g. `| head -1`), 1 an error while
//! running, 2 a usage error (clap's own, or a choice that clap could not check) or a refusal: the
//! operator's role does not allow the command (`--user kim audit`: "관리자만 할 수 있습니다",
//! audited as 거부; see [`crate::store::Store::require`]) or the operator name is not a valid
//! one. A refusal never runs again with a different outcome, so it is not an error of the run.
//! Everything printed to stdout goes through [`output`], never `println!`.
//!
//! Who may do what, file by file (one check for the CLI and the TUI:
//! [`crate::store::Store::require`], which audits a refusal as 거부):
//! - `audit`: list, `verify`, `summary` — admin (the TUI's F7 likewise).
//! - `demo`: replacing a database that holds residents (`--force`, or the default demo.db) —
//!   an admin of that database; a new or empty one — anyone.
//! - `residents import`, `resources import` (dry runs too) — admin, checked in the importers
//!   the TUI's import form calls too.
//! - `sync import` (dry runs too) — admin, checked in `sync::import_bundle`, which the TUI's
//!   sync pane calls too; `sync keys`, `export`, `status` — staff.
//! - `users add` (also a role change), `users remove` — admin; `users list` — staff.
//! - `search`, `timeline` (views and exports, audited), `resources list`/`export`, `report`,
//!   `keymap`, `--version` — staff.

pub mod audit;
pub mod db;
pub mod demo;
pub mod discovery;
pub mod keymap;
pub mod output;
pub mod passphrase;
pub mod reads;
pub mod report;
pub mod residents;
pub mod resources;
pub mod retention;
pub mod search;
pub mod sync;
pub mod team;
pub mod timeline;
pub mod users;
pub mod values;
pub mod version;
pub mod visits;

use crate::store::{OpenOptions, Store, StoreError, canonical_operator};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "dolbom",
    version,
    about = "돌봄 콘솔 — 복지사각지대 발굴·통합사례관리·자원 연계를 위한 터미널 콘솔\n\
             dolbom — a terminal console for Korean welfare-centre case work",
    after_help = "인자 없이 실행하면 TUI가 열립니다 (with no subcommand the TUI opens)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand takes.
#[derive(Args, Debug, Clone, Default)]
pub struct Global {
    /// 데이터베이스 파일 (database file; default: the platform data folder's dolbom.db)
    #[arg(long, global = true, env = "DOLBOM_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// 작업자 이름 (operator name, recorded in the audit log; default: the OS user)
    #[arg(long, global = true, env = "DOLBOM_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// 새 데이터베이스의 기관 이름 (site name for a new database; default: the host name)
    #[arg(long, global = true, value_name = "NAME")]
    pub site_name: Option<String>,
    /// 키맵: default, vim, 또는 파일 경로 (keymap: default, vim or a TOML file)
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// 암호 파일: 작업자 암호 한 줄 (key file: the operator's passphrase on one line; else asked on the terminal)
    #[arg(long, global = true, env = "DOLBOM_KEY_FILE", value_name = "PATH")]
    pub key_file: Option<PathBuf>,
    /// 새 데이터베이스를 암호화하지 않음 (create a new database unencrypted; the default is encrypted)
    #[arg(long, global = true, env = "DOLBOM_NO_ENCRYPTION", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_encryption: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 데모 데이터 생성 후 TUI 열기 (generate demo data, then open the TUI)
    Demo(demo::Args),
    /// 주민 검색 (search residents)
    Search(search::Args),
    /// 자원 목록·가져오기·내보내기 (resource directory: list, import, export)
    Resources(resources::Args),
    /// 주민 명단 가져오기 (import resident lists)
    Residents(residents::Args),
    /// 사례 타임라인·목록·출력 (case timelines, lists, exports)
    Timeline(timeline::Args),
    /// 기관 간 동기화 번들 (sync bundles between sites)
    Sync(sync::Args),
    /// 보고서: 월별 실적 (reports: monthly figures)
    Report(report::Args),
    /// 감사 로그 조회·검증 (audit log: list and verify)
    Audit(audit::Args),
    /// 작업자 관리 (operators and roles)
    Users(users::Args),
    /// 보존 기한과 파기 (retention review and purge of closed cases; admin only)
    Retention(retention::Args),
    /// 복지사각지대 발굴 명단: 가져오기, 목록, 결과 입력, 진행 (the 발굴 queue)
    Discovery(discovery::Args),
    /// 키맵 검사·출력 (check or print keymaps)
    Keymap(keymap::Args),
    /// 데이터베이스 암호화·키 교체·상태 (database encryption, rekey, status)
    Db(db::Args),
    /// 방문 계획: 하루·한 주의 방문 목록 (동·주소 순, 이름 가림; xlsx/csv/html)
    Visits(visits::Args),
}

/// The clap command with the long `--version` text (commit, SQLite, cipher).
/// `commit` is the short hash the binary was built from (`build.rs`), or `unknown`.
pub fn command(commit: &str) -> clap::Command {
    Cli::command()
        .version(version::short(commit))
        .long_version(version::long(commit))
}

/// Parses the process arguments; on a usage error (or `--help`, `--version`) prints and exits.
pub fn parse(commit: &str) -> Cli {
    let matches = command(commit).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Runs the parsed command. `started` is when the process started (TUI start-up figures).
pub fn run(cli: Cli, started: Instant) -> anyhow::Result<ExitCode> {
    let g = &cli.global;
    match &cli.command {
        None => tui(g, None, started),
        Some(Command::Demo(a)) => demo::run(g, a, started),
        Some(Command::Search(a)) => search::run(g, a),
        Some(Command::Resources(a)) => resources::run(g, a),
        Some(Command::Residents(a)) => residents::run(g, a),
        Some(Command::Timeline(a)) => timeline::run(g, a),
        Some(Command::Sync(a)) => sync::run(g, a),
        Some(Command::Report(a)) => report::run(g, a),
        Some(Command::Audit(a)) => audit::run(g, a),
        Some(Command::Users(a)) => users::run(g, a),
        Some(Command::Retention(a)) => retention::run(g, a),
        Some(Command::Discovery(a)) => discovery::run(g, a),
        Some(Command::Keymap(a)) => keymap::run(g, a),
        Some(Command::Db(a)) => db::run(g, a),
        Some(Command::Visits(a)) => visits::run(g, a),
    }
}

/// The exit code of a finished run: a closed stdout is a quiet success, any other error is
/// printed as `dolbom: …` and exits 1.
pub fn exit_code(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) if output::is_closed(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dolbom: {}", error_text(&e));
            ExitCode::from(if is_refusal(&e) { 2 } else { 1 })
        }
    }
}

/// An error and its causes as one message, each cause once, safe for a terminal. Our errors
/// mostly say their cause themselves (`{path}: {source}`) and still expose it as the source, so
/// printing the chain (`{:#}`) doubled it (`dolbom: X: no such table: t: no such table: t`): a
/// cause whose text is already in the message is left out, and nothing below a SQLite error is
/// printed (rusqlite's inner error repeats the message with a code number).
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if !part.is_empty() && !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        if cause.downcast_ref::<rusqlite::Error>().is_some() {
            break;
        }
    }
    output::clean_text(&text).into_owned()
}

/// A bad operator name (`--user`, `DOLBOM_USER`): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadOperator(String);

/// Whether `e` is a refusal (exit 2): a role check that said no, or a bad operator name. The
/// library errors that wrap [`StoreError`] transparently are looked into.
pub fn is_refusal(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<BadOperator>().is_some()
            || matches!(store_error(c), Some(StoreError::Denied { .. }))
    })
}

/// The store error `e` is or wraps.
fn store_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a StoreError> {
    use crate::paper::PaperError;
    use crate::resources::upsert::UpsertError;
    use crate::sync::SyncError;
    use crate::timeline::TimelineError;
    if let Some(s) = e.downcast_ref::<StoreError>() {
        return Some(s);
    }
    if let Some(crate::discovery::DiscoveryError::Store(s)) =
        e.downcast_ref::<crate::discovery::DiscoveryError>()
    {
        return Some(s);
    }
    match (
        e.downcast_ref::<UpsertError>(),
        e.downcast_ref::<SyncError>(),
        e.downcast_ref::<TimelineError>(),
        e.downcast_ref::<PaperError>(),
    ) {
        (Some(UpsertError::Store(s)), ..)
        | (_, Some(SyncError::Store(s)), ..)
        | (_, _, Some(TimelineError::Store(s)), _)
        | (.., Some(PaperError::Store(s))) => Some(s),
        _ => None,
    }
}

impl Global {
    /// The operator: `--user`, else the OS user, else `operator`; in its canonical form
    /// (trimmed, NFC: `" root"` is `root`). A name with control or invisible characters is
    /// refused ([`BadOperator`], exit 2).
    pub fn operator(&self) -> anyhow::Result<String> {
        let raw = self
            .user
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or_else(|| whoami::username().ok())
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| "operator".to_string());
        canonical_operator(&raw, "--user")
            .map_err(|e| BadOperator(output::clean(&e.to_string()).into_owned()).into())
    }

    /// Opens (creating if needed) the database: `--db`, else the platform data folder's. A new
    /// file at a named path needs its folder to exist already. An encrypted file is unlocked
    /// with `--key-file` or a passphrase asked on the terminal; a new file is encrypted unless
    /// `--no-encryption` (see [`passphrase::open`]).
    pub fn open_store(&self) -> anyhow::Result<Store> {
        Ok(self.open_store_with_passphrase()?.0)
    }

    /// [`Global::open_store`], also returning the passphrase that unlocked it (db tools that
    /// re-wrap the operator's own slot need it).
    pub fn open_store_with_passphrase(
        &self,
    ) -> anyhow::Result<(Store, Option<crate::crypto::Passphrase>)> {
        let path = self.db_path()?;
        passphrase::open(self, &path, self.open_options()?)
    }

    /// The database path: `--db`, else the platform data folder's.
    pub fn db_path(&self) -> anyhow::Result<PathBuf> {
        crate::paths::database(self.db.clone()).ok_or_else(no_data_folder)
    }

    /// Options for opening `--db` as this operator (no passphrase yet).
    pub fn open_options(&self) -> anyhow::Result<OpenOptions> {
        let mut opts = OpenOptions::new(self.operator()?);
        opts.site_name = self.site_name.clone();
        // A named path (`--db`, `DOLBOM_DB`) must point into an existing folder; only the
        // platform data folder is made on first use.
        opts.create_dirs = self.db.is_none();
        Ok(opts)
    }
}

/// Opens the TUI on `store` (or the `--db` database). Keymap problems are reported (exit 2)
/// before the terminal is touched.
pub fn tui(g: &Global, store: Option<Store>, started: Instant) -> anyhow::Result<ExitCode> {
    let keymap = match keymap::load(g) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let store = match store {
        Some(s) => s,
        None => match login_needed(g)? {
            // An encrypted database and nobody's key file: the TUI's login screen.
            Some(path) => match crate::tui::login::run(&path, &g.open_options()?)? {
                Some(store) => store,
                None => return Ok(ExitCode::SUCCESS),
            },
            None => g.open_store()?,
        },
    };
    crate::tui::run::run(
        store,
        crate::tui::run::RunOptions {
            keymap,
            theme: std::env::var("DOLBOM_THEME").ok(),
            started,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The database path when the TUI should log in on its own screen: an existing encrypted file
/// (with its slot file) or a new one to be encrypted, no `--key-file`, and a terminal.
fn login_needed(g: &Global) -> anyhow::Result<Option<PathBuf>> {
    let path = g.db_path()?;
    use crate::crypto::engine::{FileKind, file_kind};
    let encrypted = match file_kind(&path) {
        Ok(FileKind::Encrypted) => crate::store::slots_path(&path).exists(),
        // A new database: the login screen asks for the first admin's passphrase twice.
        Ok(FileKind::Empty) => {
            !g.no_encryption
                && path
                    .parent()
                    .is_none_or(|d| d.as_os_str().is_empty() || d.is_dir() || g.db.is_none())
        }
        _ => false,
    };
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    Ok((encrypted && g.key_file.is_none() && terminal).then_some(path))
}

fn no_data_folder() -> anyhow::Error {
    anyhow::anyhow!("데이터 폴더를 찾을 수 없습니다 (no data folder): use --db PATH")
}
