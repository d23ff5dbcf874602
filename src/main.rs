//! The `dolbom` command: parses arguments, opens the store, dispatches to a command or the TUI.

/// mimalloc rather than the system allocator: an import parses on one thread and writes on
/// another, and glibc's malloc then spends a sixth of the time on arena locks (cross-thread
/// frees); mimalloc frees those without a lock.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Resources(ResourcesArgs),
    /// 주민 명단 가져오기 (import resident lists)
    Residents(ResidentsArgs),
    /// 사례 타임라인·목록·출력 (case timelines, lists, exports)
    Timeline(TimelineArgs),
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

/// `dolbom timeline --list …` or `dolbom timeline CASE_ID --format …`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["list", "case_id"])))]
struct TimelineArgs {
    /// 출력할 사례 ID (case to export)
    case_id: Option<String>,
    /// 사례 목록 (list cases, most recently active first)
    #[arg(long, conflicts_with_all = ["case_id", "format", "out", "full"])]
    list: bool,
    /// 주민 ID로 거르기 (only this resident's cases)
    #[arg(long, requires = "list")]
    resident: Option<String>,
    /// 단계로 거르기 (stage code or label: monitoring, 점검, 접수 …)
    #[arg(long, requires = "list")]
    stage: Option<String>,
    /// 담당자로 거르기 (only this worker's cases)
    #[arg(long, requires = "list")]
    worker: Option<String>,
    /// JSON으로 출력 (print JSON)
    #[arg(long, requires = "list")]
    json: bool,
    /// 출력 형식 (export format)
    #[arg(long, value_parser = ["md", "csv", "json"], default_value = "md")]
    format: String,
    /// 파일로 저장 (write to FILE, mode 0600)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// 연락처를 가리지 않음 (do not mask contact details; recorded in the audit log)
    #[arg(long)]
    full: bool,
}

#[derive(Args, Debug)]
struct ResourcesArgs {
    #[command(subcommand)]
    action: ResourcesCommand,
}

#[derive(Subcommand, Debug)]
enum ResourcesCommand {
    /// 자원 파일 가져오기: CSV(CP949/UTF-8), XLSX/XLS/ODS, JSON, HSDS (import a resource file; admin only)
    Import(ResourceImportArgs),
    /// 자원 목록 내보내기 (export the directory: CSV with BOM for Excel, or JSON)
    Export {
        /// 내보낼 파일 (output file)
        file: PathBuf,
        /// 형식 (format; default: from the extension, else csv)
        #[arg(long, value_parser = ["csv", "json"])]
        format: Option<String>,
    },
    /// 자원 목록 (list resources)
    List {
        /// 분류로 거르기 (only this category, e.g. 식품·생계)
        #[arg(long)]
        category: Option<String>,
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
}

/// Options shared by both imports.
#[derive(Args, Debug)]
struct ImportArgs {
    /// 가져올 파일 (or an HSDS folder)
    file: PathBuf,
    /// 저장하지 않고 결과만 보기 (do everything, then roll back)
    #[arg(long)]
    dry_run: bool,
    /// 문자 인코딩: auto, utf-8, cp949, euc-kr … (text encoding)
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    encoding: dolbom::resources::import::EncodingChoice,
    /// 열 이름 매핑 파일 (column aliases: [columns] name = ["기관 이름"])
    #[arg(long, value_name = "MAP.toml")]
    map: Option<PathBuf>,
    /// 스프레드시트의 시트 이름 (sheet name; default: the first sheet)
    #[arg(long)]
    sheet: Option<String>,
    /// 결과를 JSON으로 출력 (print the report as JSON)
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ResourceImportArgs {
    #[command(flatten)]
    common: ImportArgs,
    /// 출처 이름 (source name; default: the file name without extension)
    #[arg(long)]
    source: Option<String>,
}

#[derive(Args, Debug)]
struct ResidentsArgs {
    #[command(subcommand)]
    action: ResidentsCommand,
}

#[derive(Subcommand, Debug)]
enum ResidentsCommand {
    /// 관리대상자 명단 가져오기 (import a resident list; admin only)
    Import(ImportArgs),
}

fn parse_encoding(s: &str) -> Result<dolbom::resources::import::EncodingChoice, String> {
    dolbom::resources::import::EncodingChoice::parse(s).ok_or_else(|| {
        format!("알 수 없는 인코딩입니다 (unknown encoding): {s}; auto, utf-8, cp949, euc-kr")
    })
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
    /// 월간 점검 요약: 작업자별 조회 주민 수 (monthly review: residents viewed per operator)
    Summary {
        /// 점검할 달 YYYY-MM (default: this month)
        #[arg(long)]
        month: Option<String>,
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
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

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

fn main() -> ExitCode {
    STARTED.get_or_init(std::time::Instant::now);
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

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        None => tui(&cli, None),
        Some(Command::Demo(args)) => demo(&cli, args),
        Some(Command::Search(args)) => search(&cli, args),
        Some(Command::Resources(args)) => resources(&cli, args),
        Some(Command::Residents(args)) => residents(&cli, args),
        Some(Command::Timeline(args)) => timeline(&cli, args),
        Some(Command::Sync(args)) => sync(&cli, args),
        Some(Command::Keymap(args)) => keymap_cmd(&cli, args),
        Some(Command::Audit(args)) => audit(&cli, args),
        Some(Command::Users(args)) => users(&cli, args),
    }
}

fn import_options(args: &ImportArgs) -> anyhow::Result<dolbom::resources::import::ImportOptions> {
    let mut opts = dolbom::resources::import::ImportOptions {
        encoding: args.encoding,
        sheet: args.sheet.clone(),
        ..Default::default()
    };
    if let Some(map) = &args.map {
        opts.load_map(map)?;
    }
    Ok(opts)
}

fn print_report(
    report: &dolbom::resources::upsert::ImportReport,
    json: bool,
) -> anyhow::Result<()> {
    use dolbom::resources::cli::{report_json, report_text};
    if json {
        println!("{}", serde_json::to_string_pretty(&report_json(report))?);
    } else {
        print!("{}", report_text(report));
    }
    Ok(())
}

fn resources(cli: &Cli, args: &ResourcesArgs) -> anyhow::Result<ExitCode> {
    use dolbom::resources::{cli as out, export, upsert};
    let mut store = open_store(cli, cli.db.clone())?;
    match &args.action {
        ResourcesCommand::Import(a) => {
            let settings = upsert::ResourceImport {
                options: import_options(&a.common)?,
                source: a.source.clone(),
                dry_run: a.common.dry_run,
            };
            let mut bar = out::Progress::new("자원 가져오기");
            let report =
                upsert::import_resources(&mut store, &a.common.file, &settings, &mut |d, t| {
                    bar.update(d, t)
                });
            bar.finish();
            print_report(&report?, a.common.json)?;
        }
        ResourcesCommand::Export { file, format } => {
            let json = match format.as_deref() {
                Some(f) => f == "json",
                None => file
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json")),
            };
            let n = if json {
                export::write_json(&store, file)?
            } else {
                export::write_csv(&store, file)?
            };
            eprintln!("{}: 자원 {n}건을 내보냈습니다 (exported)", file.display());
        }
        ResourcesCommand::List { category, json } => {
            let rows = out::filter_category(store.resources()?, category.as_deref());
            if *json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for line in out::resource_lines(&rows) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn residents(cli: &Cli, args: &ResidentsArgs) -> anyhow::Result<ExitCode> {
    use dolbom::resources::{cli as out, upsert};
    let mut store = open_store(cli, cli.db.clone())?;
    let ResidentsCommand::Import(a) = &args.action;
    let settings = upsert::ResidentImport {
        options: import_options(a)?,
        dry_run: a.dry_run,
    };
    let mut bar = out::Progress::new("명단 가져오기");
    let report =
        upsert::import_residents(&mut store, &a.file, &settings, &mut |d, t| bar.update(d, t));
    bar.finish();
    print_report(&report?, a.json)?;
    Ok(ExitCode::SUCCESS)
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
            started: *STARTED.get_or_init(std::time::Instant::now),
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
    if let Some(AuditCommand::Summary { month, json }) = &args.action {
        let month = month
            .clone()
            .unwrap_or_else(|| store.clock().today().format("%Y-%m").to_string());
        let rows = store.audit_month(&month)?;
        if *json {
            println!("{}", serde_json::to_string_pretty(&rows)?);
        } else {
            println!("{month} 감사 로그 점검 (monthly review)");
            println!("작업자      조회주민  조회  입력·변경  출력  거부");
            for r in &rows {
                println!(
                    "{:<10} {:>8} {:>5} {:>10} {:>5} {:>5}",
                    r.operator, r.residents_viewed, r.views, r.changes, r.exports, r.denied
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
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

fn timeline(cli: &Cli, args: &TimelineArgs) -> anyhow::Result<ExitCode> {
    use dolbom::timeline::cli;
    let store = open_store(cli, cli.db.clone())?;
    let text = match &args.case_id {
        Some(case_id) if !args.list => cli::export_case(
            &store,
            case_id,
            &args.format,
            args.out.as_deref(),
            args.full,
        )?,
        _ => {
            let filter = dolbom::timeline::CaseFilter {
                resident: args.resident.clone(),
                stage: args.stage.as_deref().map(cli::parse_stage).transpose()?,
                worker: args.worker.clone(),
                limit: None,
            };
            cli::list(&store, &filter, args.json)?
        }
    };
    print!("{text}");
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
