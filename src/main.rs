//! The `dolbom` command: parses arguments, opens the store, dispatches to a command or the TUI.

use clap::{Args, Parser, Subcommand};
use dolbom::store::{OpenOptions, Role, Store};
use dolbom::tui::Keymap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "dolbom",
    version,
    about = "돌봄 콘솔 — 복지사각지대 발굴·통합사례관리·자원 연계를 위한 터미널 콘솔\n\
             dolbom — a terminal console for Korean welfare-centre case work",
    after_help = "인자 없이 실행하면 TUI가 열립니다 (with no subcommand the TUI opens)."
)]
struct Cli {
    /// 데이터베이스 파일 (database file; default: the platform data folder's dolbom.db)
    #[arg(long, global = true, env = "DOLBOM_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// 작업자 이름 (operator name, recorded in the audit log; default: the OS user)
    #[arg(long, global = true, env = "DOLBOM_USER", value_name = "NAME")]
    user: Option<String>,
    /// 새 데이터베이스의 기관 이름 (site name for a new database; default: the host name)
    #[arg(long, global = true, value_name = "NAME")]
    site_name: Option<String>,
    /// 키맵: default, vim, 또는 파일 경로 (keymap: default, vim or a TOML file)
    #[arg(long, global = true, value_name = "NAME|PATH")]
    keymap: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 데모 데이터 생성 후 TUI 열기 (generate demo data, then open the TUI)
    Demo(DemoArgs),
    /// 주민 검색 (search residents)
    Search(SearchArgs),
    /// 자원 목록·가져오기·내보내기 (resource directory: list, import, export)
    Resources(PendingArgs),
    /// 주민 명단 가져오기 (import resident lists)
    Residents(PendingArgs),
    /// 사례 타임라인·목록·출력 (case timelines, lists, exports)
    Timeline(PendingArgs),
    /// 기관 간 동기화 번들 (sync bundles between sites)
    Sync(SyncArgs),
    /// 감사 로그 조회·검증 (audit log: list and verify)
    Audit(AuditArgs),
    /// 작업자 관리 (operators and roles)
    Users(UsersArgs),
    /// 키맵 검사·출력 (check or print keymaps)
    Keymap(KeymapArgs),
}

#[derive(Args, Debug)]
struct SearchArgs {
    /// 검색어: 이름, 초성(ㄱㅁㅅ), 전화 끝 4자리, 생년(1950), 생년월일(500101) … (query)
    #[arg(num_args = 0..)]
    query: Vec<String>,
    /// 최대 건수 (maximum results)
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// JSON 배열로 출력 (print a JSON array)
    #[arg(long)]
    json: bool,
    /// 읍면동으로 거르기 (only this 읍면동)
    #[arg(long)]
    dong: Option<String>,
    /// 사례 단계로 거르기 (only this case stage: 접수, 조사, 점검 … or intake, monitoring …)
    #[arg(long)]
    stage: Option<String>,
    /// 위기·표시로 거르기 (only residents with this flag: 단전, 독거 …)
    #[arg(long)]
    flag: Option<String>,
    /// 담당자로 거르기 (only cases of this worker)
    #[arg(long)]
    worker: Option<String>,
}

#[derive(Args, Debug)]
struct KeymapArgs {
    /// 키맵 파일 검사 (validate a keymap file; errors as file:line)
    #[arg(long, value_name = "FILE", conflicts_with = "print")]
    check: Option<PathBuf>,
    /// 적용되는 키맵 출력 (print the effective keymap as TOML)
    #[arg(long)]
    print: bool,
}

#[derive(Args, Debug)]
struct DemoArgs {
    /// 주민 수 (number of residents)
    #[arg(long, default_value_t = 10_000)]
    residents: usize,
    /// 난수 시드 (seed; same seed → same data)
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// TUI를 열지 않고 요약만 출력 (print a summary instead of opening the TUI)
    #[arg(long)]
    no_tui: bool,
    /// 이미 데이터가 있는 --db 파일을 지우고 다시 생성 (replace an existing database given by --db)
    #[arg(long)]
    force: bool,
}

/// Arguments of a subcommand whose issue has not landed yet.
#[derive(Args, Debug)]
struct PendingArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

#[derive(Args, Debug)]
struct SyncArgs {
    #[command(subcommand)]
    action: SyncCommand,
}

#[derive(Subcommand, Debug)]
enum SyncCommand {
    /// 상대 기관에 줄 공개키 출력 (print this site's public keys for partners)
    Keys {
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
    /// 동기화 묶음 내보내기 (write a bundle of the ops a peer lacks)
    Export {
        /// 묶음 파일 (bundle file to write)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// 받을 기관 ID: 그 기관에 없는 항목만 (peer site id: only what it lacks)
        #[arg(long, value_name = "PEER_SITE_ID")]
        to: Option<String>,
        /// 전체 내보내기 (everything)
        #[arg(long)]
        full: bool,
        /// 암호 파일로 암호화 (encrypt with the passphrase in this file)
        #[arg(long, value_name = "F")]
        passphrase_file: Option<PathBuf>,
        /// 받을 기관의 age 공개키로 암호화 (encrypt to this age recipient; repeatable)
        #[arg(long, value_name = "AGE_PUBKEY")]
        recipient: Vec<String>,
        /// 암호화하지 않음 (서명만) (no encryption; still signed)
        #[arg(long)]
        plain: bool,
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
    /// 동기화 묶음 가져오기 (verify and merge a bundle)
    Import {
        /// 묶음 파일 (bundle file)
        file: PathBuf,
        /// 암호 파일 (passphrase file; otherwise this site's key decrypts)
        #[arg(long, value_name = "F")]
        passphrase_file: Option<PathBuf>,
        /// 바꾸지 않고 결과만 보기 (report without changing anything)
        #[arg(long)]
        dry_run: bool,
        /// 처음 보는 기관을 신뢰 (trust a site seen for the first time)
        #[arg(long)]
        trust: bool,
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
    /// 동기화 상태 (site, peers, version vectors, pending ops, conflicts)
    Status {
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct AuditArgs {
    #[command(subcommand)]
    action: Option<AuditCommand>,
    /// 주민 ID로 거르기 (only rows about this resident)
    #[arg(long)]
    resident: Option<String>,
    /// 작업자로 거르기 (only rows by this operator)
    #[arg(long)]
    operator: Option<String>,
    /// 이 날짜 이후 (since YYYY-MM-DD)
    #[arg(long)]
    since: Option<String>,
    /// JSON으로 출력 (print JSON)
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// 해시 체인 검증 (verify the hash chain; reports the first broken link)
    Verify,
}

#[derive(Args, Debug)]
struct UsersArgs {
    #[command(subcommand)]
    action: UsersCommand,
}

#[derive(Subcommand, Debug)]
enum UsersCommand {
    /// 작업자 추가 (add an operator; admin only)
    Add {
        name: String,
        #[arg(long, value_parser = ["staff", "admin"], default_value = "staff")]
        role: String,
    },
    /// 작업자 목록 (list operators)
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dolbom: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn operator(cli: &Cli) -> String {
    cli.user
        .clone()
        .or_else(|| whoami::username().ok())
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "operator".to_string())
}

fn open_store(cli: &Cli, db: Option<PathBuf>) -> anyhow::Result<Store> {
    let path = dolbom::paths::database(db).ok_or_else(|| {
        anyhow::anyhow!("데이터 폴더를 찾을 수 없습니다 (no data folder): use --db PATH")
    })?;
    let mut opts = OpenOptions::new(operator(cli));
    opts.site_name = cli.site_name.clone();
    Ok(Store::open(&path, &opts)?)
}

fn not_built(what: &str) -> anyhow::Result<ExitCode> {
    eprintln!(
        "dolbom {what}: 아직 만들어지지 않았습니다 (not built yet in this version); see README.md"
    );
    Ok(ExitCode::from(2))
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        None => tui(&cli, None),
        Some(Command::Demo(args)) => demo(&cli, args),
        Some(Command::Search(args)) => search(&cli, args),
        Some(Command::Resources(_)) => not_built("resources"),
        Some(Command::Residents(_)) => not_built("residents"),
        Some(Command::Timeline(_)) => not_built("timeline"),
        Some(Command::Sync(args)) => sync(&cli, args),
        Some(Command::Keymap(args)) => keymap_cmd(&cli, args),
        Some(Command::Audit(args)) => audit(&cli, args),
        Some(Command::Users(args)) => users(&cli, args),
    }
}

fn demo(cli: &Cli, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let explicit = cli.db.is_some();
    let path = dolbom::paths::demo_database(cli.db.clone()).ok_or_else(|| {
        anyhow::anyhow!("데이터 폴더를 찾을 수 없습니다 (no data folder): use --db PATH")
    })?;
    if path.exists() {
        // The default demo.db is ours to replace; a file given with --db needs --force if it
        // already holds residents.
        let existing = Store::open(&path, &OpenOptions::new(operator(cli)))?;
        let residents = existing.counts()?.residents;
        drop(existing);
        if explicit && residents > 0 && !args.force {
            anyhow::bail!(
                "{}: 이미 주민 {residents}명이 있습니다 (already holds data); 다시 만들려면 --force",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            match std::fs::remove_file(PathBuf::from(p)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    let mut opts = OpenOptions::new(operator(cli));
    opts.site_name = cli
        .site_name
        .clone()
        .or_else(|| Some("데모 기관".to_string()));
    let mut store = Store::open(&path, &opts)?;
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(args.residents as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "데모 데이터 생성 {bar:40} {pos}/{len} 명 {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = dolbom::demo::generate(
        &mut store,
        &dolbom::demo::DemoOptions {
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
        started.elapsed().as_secs_f64()
    );
    if args.no_tui {
        return Ok(ExitCode::SUCCESS);
    }
    tui(cli, Some(store))
}

/// The effective keymap: `--keymap` (a shipped name or a file) over the default, then the config
/// folder's keymap.toml over that. Errors are reported as `file:line: …`.
fn load_keymap(cli: &Cli) -> Result<Keymap, dolbom::tui::KeymapError> {
    let mut keymap = match &cli.keymap {
        Some(k) => Keymap::load(k)?,
        None => Keymap::builtin_default(),
    };
    if let Some(user) = dolbom::paths::config_dir().map(|d| d.join("keymap.toml"))
        && user.exists()
    {
        keymap.apply_file(&user)?;
    }
    Ok(keymap)
}

fn tui(cli: &Cli, store: Option<Store>) -> anyhow::Result<ExitCode> {
    // Keymap problems are reported before the terminal is touched.
    let keymap = match load_keymap(cli) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let store = match store {
        Some(s) => s,
        None => open_store(cli, cli.db.clone())?,
    };
    dolbom::tui::run::run(
        store,
        dolbom::tui::run::RunOptions {
            keymap,
            theme: std::env::var("DOLBOM_THEME").ok(),
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

fn keymap_cmd(cli: &Cli, args: &KeymapArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.check {
        return Ok(match Keymap::check(path) {
            Ok(_) => {
                println!("{}: 이상 없음 (ok)", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        });
    }
    match load_keymap(cli) {
        Ok(k) => {
            print!("{}", k.to_toml());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn search(cli: &Cli, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    use dolbom::search::residents::{Filters, ResidentIndex, find};
    let store = open_store(cli, cli.db.clone())?;
    let stage = match &args.stage {
        Some(s) => Some(dolbom::model::Stage::parse(s).ok_or_else(|| {
            anyhow::anyhow!("--stage {s}: 알 수 없는 단계입니다 (unknown stage)")
        })?),
        None => None,
    };
    let filters = Filters {
        dong: args.dong.clone(),
        stage,
        flag: args.flag.clone(),
        category: None,
        worker: args.worker.clone(),
    };
    let index = ResidentIndex::load(store.path())?;
    let query = args.query.join(" ");
    let hits = find(
        &store,
        &index,
        &mut dolbom::search::Searcher::new(),
        &query,
        &filters,
        args.limit,
    )?;
    if args.json {
        let rows: Vec<serde_json::Value> = hits
            .iter()
            .map(dolbom::search::residents::hit_json)
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for h in &hits {
            println!("{}", dolbom::search::residents::hit_line(h));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn sync(cli: &Cli, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    use dolbom::sync::{self, cli as text};
    let mut store = open_store(cli, cli.db.clone())?;
    match &args.action {
        SyncCommand::Keys { json } => {
            let keys = sync::public_keys(&store)?;
            if *json {
                print_json(&keys)?;
            } else {
                print!("{}", text::keys_text(&keys));
            }
        }
        SyncCommand::Export {
            out,
            to,
            full,
            passphrase_file,
            recipient,
            plain,
            json,
        } => {
            let encryption = match text::encryption(passphrase_file.as_deref(), recipient, *plain) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("dolbom sync export: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let opts = sync::ExportOptions {
                out: out.clone(),
                to: to.clone(),
                full: *full,
                encryption,
            };
            let report = sync::export_bundle(&store, &opts, &mut |_| {})?;
            if *json {
                print_json(&report)?;
            } else {
                print!("{}", text::export_text(&report));
            }
        }
        SyncCommand::Import {
            file,
            passphrase_file,
            dry_run,
            trust,
            json,
        } => {
            let passphrase = match passphrase_file {
                Some(p) => Some(sync::site::read_passphrase_file(p)?),
                None => None,
            };
            let opts = sync::ImportOptions {
                passphrase,
                trust: *trust,
                dry_run: *dry_run,
            };
            let report = sync::import_bundle(&mut store, file, &opts, &mut |_, _| {})?;
            if *json {
                print_json(&report)?;
            } else {
                print!("{}", text::import_text(&report));
            }
        }
        SyncCommand::Status { json } => {
            let status = sync::status(&store)?;
            if *json {
                print_json(&status)?;
            } else {
                print!("{}", text::status_text(&status));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Pretty JSON of a sync report.
fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn audit(cli: &Cli, args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(cli, cli.db.clone())?;
    if let Some(AuditCommand::Verify) = args.action {
        let report = store.audit_verify()?;
        return Ok(match report.broken {
            None => {
                println!(
                    "감사 로그 정상: {}행 검증 (audit chain intact)",
                    report.checked
                );
                ExitCode::SUCCESS
            }
            Some((seq, problem)) => {
                println!("감사 로그 손상: {seq}행 — {problem} (audit chain broken)");
                ExitCode::from(1)
            }
        });
    }
    let rows = store.audit_rows(&dolbom::audit::AuditFilter {
        resident_id: args.resident.clone(),
        operator: args.operator.clone(),
        since: args.since.clone(),
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for r in &rows {
            println!(
                "{:>6}  {}  {:<10} {:<8} {:<4} {}",
                r.seq, r.at, r.operator, r.host, r.action, r.subject
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn users(cli: &Cli, args: &UsersArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(cli, cli.db.clone())?;
    match &args.action {
        UsersCommand::List => {
            for (name, role) in store.users()? {
                println!("{name}\t{}", role.as_str());
            }
        }
        UsersCommand::Add { name, role } => {
            let role = Role::parse(role).unwrap_or(Role::Staff);
            store.add_user(name, role)?;
            println!("{name}: {}", role.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}
