//! `dolbom sync`: this site's keys, bundle export and import, and the sync status; with the
//! option checks and the text these print (the TUI's sync pane shows the same text).

use super::{Global, output};
use crate::store::oplog::hlc;
use crate::sync::keys::parse_recipient;
use crate::sync::site::read_passphrase_file;
use crate::sync::{
    Encryption, ExportReport, ImportReport, PublicKeys, SyncError, SyncResult, SyncStatus,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
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
        /// --to 기관의 저장된 age 공개키로 암호화 (encrypt to the --to peer's stored age key;
        /// store it with `dolbom sync peer add`)
        #[arg(long, requires = "to")]
        encrypt_to_peer: bool,
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
    /// 상대 기관 관리: 공개키 저장 (peers: store a partner's age key)
    Peer {
        #[command(subcommand)]
        action: PeerCommand,
    },
    /// 공유 폴더로 동기화 한 번: 팀 PC들의 새 묶음 가져오기, 이 PC의 새 변경 쓰기, 모두 받은 묶음
    /// 지우기 (one pass of shared-folder sync: import peers' new bundles, write ours, compact)
    Folder {
        /// 공유 폴더 (shared folder: a file share, NAS, or a Syncthing/OneDrive folder)
        path: PathBuf,
        /// 이 폴더를 설정으로 저장 (TUI가 스스로 동기화) (remember it as setting.sync_folder)
        #[arg(long)]
        remember: bool,
        /// 팀 PC의 키가 없을 때 암호화 없이(서명만) 쓰기 — 개인정보가 그대로 담김; --remember와
        /// 함께면 설정으로 저장 (팀장·관리자) (write plain bundles when no peer key is known)
        #[arg(long)]
        plain: bool,
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
    /// 팀 PC 등록: 그 PC가 `dolbom sync keys --json`으로 출력한 파일 (enrol a team PC for folder
    /// sync from the JSON its `dolbom sync keys --json` printed; admin only)
    Team {
        #[command(subcommand)]
        action: TeamCommand,
    },
    /// 동기화 상태 (site, peers, version vectors, pending ops, conflicts)
    Status {
        /// JSON으로 출력 (print JSON)
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum PeerCommand {
    /// 상대 기관의 age 공개키 저장: 그 기관 앞으로 묶음을 암호화할 수 있게 (store a peer's age
    /// recipient so bundles can be encrypted to it: `sync export --to ID --encrypt-to-peer`)
    Add {
        /// 상대 기관이 `dolbom sync keys --json`으로 출력한 파일 (the JSON the peer printed)
        #[arg(long, value_name = "FILE", conflicts_with_all = ["site_id", "age"])]
        keys: Option<PathBuf>,
        /// 상대 기관 ID (peer site id)
        #[arg(long, value_name = "ID", requires = "age")]
        site_id: Option<String>,
        /// 상대 기관의 age 공개키 (age1…)
        #[arg(long, value_name = "AGE_PUBKEY", requires = "site_id")]
        age: Option<String>,
        /// 상대 기관 이름 (peer name)
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum TeamCommand {
    /// 팀 PC 등록 (enrol: trust its signing key, store its age key)
    Add {
        /// 그 PC의 `dolbom sync keys --json` 출력 파일 (the JSON the other PC printed)
        file: PathBuf,
    },
    /// 팀 PC 등록 해제: 도난·반납된 PC (remove a PC: its bundles are refused, new ones are not
    /// encrypted to it)
    Remove {
        /// 그 PC의 기관 ID (its site id)
        site_id: String,
    },
}

/// `sync team add FILE`: (site id, name, age recipient, signing key) from the JSON of `sync keys`.
fn team_add_input(path: &Path) -> SyncResult<(String, Option<String>, String, String)> {
    let usage = |m: String| SyncError::Usage(m);
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(format!(
            "키 파일을 읽을 수 없습니다 (cannot read keys file) {}: {e}",
            path.display()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let v: serde_json::Value = serde_json::from_str(text).map_err(|_| {
        usage(format!(
            "`dolbom sync keys --json`의 출력이 아닙니다 (not the JSON of sync keys): {}",
            path.display()
        ))
    })?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let (Some(id), Some(recipient), Some(signer)) =
        (field("site_id"), field("recipient"), field("signer"))
    else {
        return Err(usage(format!(
            "키 파일에 site_id·recipient·signer가 없습니다 (keys file lacks site_id/recipient/signer): {}",
            path.display()
        )));
    };
    let recipient = parse_recipient(&recipient)?.to_string();
    let signer =
        crate::sync::keys::format_verifying_key(&crate::sync::keys::parse_verifying_key(&signer)?);
    if id.trim().is_empty() {
        return Err(usage("기관 ID가 비어 있습니다 (empty site id)".into()));
    }
    Ok((id, field("site_name"), recipient, signer))
}

/// `sync peer add`: the peer's (site id, name, age recipient) from `--keys FILE` (the JSON
/// `dolbom sync keys --json` prints) or from `--site-id` and `--age`.
fn peer_add_input(
    keys: Option<&Path>,
    site_id: Option<&str>,
    age: Option<&str>,
    name: Option<&str>,
) -> SyncResult<(String, Option<String>, String)> {
    let usage = |m: &str| SyncError::Usage(m.to_string());
    let (id, file_name, recipient) = match (keys, site_id, age) {
        (Some(path), _, _) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                usage(&format!(
                    "키 파일을 읽을 수 없습니다 (cannot read keys file) {}: {e}",
                    path.display()
                ))
            })?;
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
                usage(&format!(
                    "`dolbom sync keys --json`의 출력이 아닙니다 (not the JSON of sync keys): {}",
                    path.display()
                ))
            })?;
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            match (field("site_id"), field("recipient")) {
                (Some(id), Some(r)) => (id, field("site_name"), r),
                _ => {
                    return Err(usage(&format!(
                        "키 파일에 site_id·recipient가 없습니다 (keys file lacks site_id/recipient): {}",
                        path.display()
                    )));
                }
            }
        }
        (None, Some(id), Some(r)) => (id.to_string(), None, r.to_string()),
        _ => {
            return Err(usage(
                "--keys 파일 또는 --site-id 와 --age 를 주세요 (give --keys FILE, or --site-id and --age)",
            ));
        }
    };
    let recipient = parse_recipient(&recipient)?.to_string();
    if id.trim().is_empty() {
        return Err(usage("기관 ID가 비어 있습니다 (empty site id)"));
    }
    Ok((id, name.map(str::to_string).or(file_name), recipient))
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    use crate::sync;
    let mut store = g.open_store()?;
    match &args.action {
        Command::Keys { json } => {
            let keys = sync::public_keys(&store)?;
            if *json {
                output::json(&keys)?;
            } else {
                output::print(&keys_text(&keys))?;
            }
        }
        Command::Export {
            out,
            to,
            full,
            passphrase_file,
            recipient,
            encrypt_to_peer,
            plain,
            json,
        } => {
            let mut recipient = recipient.clone();
            if *encrypt_to_peer {
                let peer = to.as_deref().unwrap_or_default();
                match store.peer_recipient(peer)? {
                    Some(r) => recipient.push(r),
                    None => {
                        eprintln!(
                            "dolbom sync export: 기관 {peer}의 age 공개키가 저장되어 있지 않습니다. \
                             `dolbom sync peer add --keys 파일`로 먼저 저장하세요 \
                             (no age key stored for this peer)"
                        );
                        return Ok(ExitCode::from(2));
                    }
                }
            }
            let encryption = match encryption(passphrase_file.as_deref(), &recipient, *plain) {
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
                output::json(&report)?;
            } else {
                output::print(&export_text(&report))?;
            }
        }
        Command::Import {
            file,
            passphrase_file,
            dry_run,
            trust,
            json,
        } => {
            let passphrase = match passphrase_file {
                Some(p) => Some(read_passphrase_file(p)?),
                None => None,
            };
            let opts = sync::ImportOptions {
                passphrase,
                trust: *trust,
                dry_run: *dry_run,
            };
            let report = sync::import_bundle(&mut store, file, &opts, &mut |_, _| {})?;
            if *json {
                output::json(&report)?;
            } else {
                output::print(&import_text(&report))?;
            }
        }
        Command::Peer {
            action:
                PeerCommand::Add {
                    keys,
                    site_id,
                    age,
                    name,
                },
        } => {
            let (id, name, recipient) = match peer_add_input(
                keys.as_deref(),
                site_id.as_deref(),
                age.as_deref(),
                name.as_deref(),
            ) {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("dolbom sync peer add: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            if id == store.site().id {
                eprintln!("dolbom sync peer add: 이 기관 자신입니다 (this is this site's own id)");
                return Ok(ExitCode::from(2));
            }
            store.set_peer_recipient(&id, name.as_deref(), &recipient)?;
            output::print(&format!(
                "상대 기관 {id}의 age 공개키를 저장했습니다 (stored): {recipient}\n\
                 이 기관 앞 묶음: dolbom sync export --to {id} --encrypt-to-peer --out 파일\n"
            ))?;
        }
        Command::Folder {
            path,
            remember,
            plain,
            json,
        } => {
            if *remember {
                store.set_sync_folder(&path.display().to_string())?;
                if *plain {
                    store.set_setting(sync::folder::PLAIN_SETTING, "1")?;
                }
            }
            let opts = sync::folder::PassOptions {
                plain: *plain || sync::folder::plain_allowed(&store)?,
                ..sync::folder::PassOptions::default()
            };
            let report = sync::folder::run_pass_with(&mut store, path, &opts)?;
            if *json {
                output::json(&report)?;
            } else {
                output::print(&folder_text(&report))?;
            }
        }
        Command::Team {
            action: TeamCommand::Add { file },
        } => {
            let (id, name, recipient, signer) = match team_add_input(file) {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("dolbom sync team add: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            if id == store.site().id {
                eprintln!("dolbom sync team add: 이 PC 자신입니다 (this is this site's own id)");
                return Ok(ExitCode::from(2));
            }
            store.enrol_peer(&id, name.as_deref(), &recipient, &signer)?;
            output::print(&format!(
                "팀 PC {id}을(를) 등록했습니다 (enrolled): 서명 {signer}, age {recipient}\n"
            ))?;
        }
        Command::Team {
            action: TeamCommand::Remove { site_id },
        } => {
            if !store.unenrol_peer(site_id)? {
                eprintln!("dolbom sync team remove: 등록된 PC가 아닙니다 (not a peer): {site_id}");
                return Ok(ExitCode::from(2));
            }
            output::print(&format!(
                "팀 PC {site_id}의 등록을 해제했습니다: 그 PC의 묶음은 받지 않고, 새 묶음은 그 PC 앞으로 암호화하지 않습니다 (removed)\n"
            ))?;
        }
        Command::Status { json } => {
            let status = sync::status(&store)?;
            if *json {
                output::json(&status)?;
            } else {
                output::print(&status_text(&status))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The encryption asked for: exactly one of a passphrase file, recipients or `--plain`.
pub fn encryption(
    passphrase_file: Option<&Path>,
    recipients: &[String],
    plain: bool,
) -> SyncResult<Encryption> {
    let chosen = usize::from(passphrase_file.is_some())
        + usize::from(!recipients.is_empty())
        + usize::from(plain);
    if chosen != 1 {
        return Err(SyncError::Usage(
            "암호화 방식을 하나만 고르세요: --passphrase-file 파일, --recipient age1… (여러 번 가능), 또는 --plain / \
             choose exactly one of --passphrase-file, --recipient or --plain"
                .to_string(),
        ));
    }
    if let Some(path) = passphrase_file {
        return Ok(Encryption::passphrase(read_passphrase_file(path)?));
    }
    if plain {
        return Ok(Encryption::Plain);
    }
    let parsed = recipients
        .iter()
        .map(|r| parse_recipient(r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Encryption::Recipients(parsed))
}

/// `dolbom sync keys`: the public identity to give to partners (never the secret).
pub fn keys_text(k: &PublicKeys) -> String {
    format!(
        "기관 ID (site id):        {}\n기관 이름 (site name):    {}\n암호화 공개키 (age):      {}\n서명 공개키 (signing):    {}\n",
        k.site_id, k.site_name, k.recipient, k.signer
    )
}

/// One line per table of counts, the table by its Korean name (`주민`, `사례` …), aligned by
/// display width.
fn tables(out: &mut String, counts: impl Iterator<Item = (String, String)>) {
    use unicode_width::UnicodeWidthStr;
    for (table, line) in counts {
        let label = crate::model::labels::table_label(&table);
        let fill = " ".repeat(8usize.saturating_sub(label.width()));
        let _ = writeln!(out, "  {label}{fill} {line}");
    }
}

/// The export summary.
pub fn export_text(r: &ExportReport) -> String {
    let mut out = format!(
        "{}: 항목 {}개, {} 바이트 (묶음 {})\n",
        r.path.display(),
        r.ops,
        r.file_len,
        r.bundle_id
    );
    tables(
        &mut out,
        r.per_table.iter().map(|(t, n)| (t.clone(), n.to_string())),
    );
    out
}

/// The import summary: applied / known / conflicts per table, and far-future warnings.
pub fn import_text(r: &ImportReport) -> String {
    let mut out = String::new();
    if r.dry_run {
        out.push_str("[시험 실행: 아무것도 바꾸지 않았습니다 / dry run, nothing changed]\n");
    }
    if r.new_peer {
        let _ = writeln!(
            out,
            "새 기관을 신뢰 목록에 추가했습니다 / trusted new site: {} ({})",
            r.origin_name, r.origin_site
        );
    }
    let _ = writeln!(
        out,
        "{} ({}): 전체 {} · 적용 {} · 이미 있음 {} · 충돌 {} (applied / already known / conflicts)",
        r.origin_name, r.origin_site, r.total, r.applied, r.known, r.conflicts
    );
    for w in &r.audit_warnings {
        let _ = writeln!(out, "경고: {} — {w}", r.origin_name);
    }
    tables(
        &mut out,
        r.per_table.iter().map(|(t, c)| {
            (
                t.clone(),
                format!(
                    "적용 {} · 이미 있음 {} · 충돌 {}",
                    c.applied, c.known, c.conflicts
                ),
            )
        }),
    );
    out
}

/// A folder pass as text: what was applied, written, deleted, and each skipped file's reason.
pub fn folder_text(r: &crate::sync::folder::FolderReport) -> String {
    let mut out = String::new();
    for a in &r.applied {
        let _ = writeln!(
            out,
            "가져옴 {}: 적용 {} · 이미 있음 {} · 충돌 {}",
            a.file.display(),
            a.applied,
            a.known,
            a.conflicts
        );
    }
    if let Some(w) = &r.written {
        let _ = writeln!(
            out,
            "씀 {}: 항목 {}개, {} 바이트{}",
            w.file.display(),
            w.ops,
            w.bytes,
            if w.recipients.is_empty() {
                " (암호화 안 함)".to_string()
            } else {
                format!(" (팀 PC {}대 앞으로 암호화)", w.recipients.len())
            }
        );
    }
    for c in &r.compacted {
        let _ = writeln!(out, "지움(모든 팀 PC가 받음) {}", c.display());
    }
    for s in &r.skipped {
        let _ = writeln!(
            out,
            "건너뜀 {}: {}{}",
            s.file.display(),
            s.reason,
            if s.retry { " [다음에 다시]" } else { "" }
        );
    }
    for w in &r.warnings {
        let _ = writeln!(out, "주의: {w}");
    }
    if out.is_empty() {
        out.push_str("새 묶음 없음 (nothing new)\n");
    }
    out
}

/// The status as text.
pub fn status_text(s: &SyncStatus) -> String {
    let mut out = format!(
        "기관 {} ({})\n  age {}\n  {}\n  보유 항목 (ops held): {}\n",
        s.site.site_name,
        s.site.site_id,
        s.site.recipient,
        s.site.signer,
        vv_text(&s.version_vector)
    );
    if s.peers.is_empty() {
        out.push_str("상대 기관 없음 (no peers yet)\n");
    }
    for p in &s.peers {
        let _ = writeln!(
            out,
            "상대 {} ({}){}\n  마지막 가져오기 {} · 마지막 내보내기 {} · 보낼 항목 {}\n  보유 (known to hold): {}",
            p.name,
            p.site_id,
            if p.trusted {
                ""
            } else {
                " [미신뢰 untrusted]"
            },
            p.last_import_at.as_deref().unwrap_or("-"),
            p.last_export_at.as_deref().unwrap_or("-"),
            p.pending_ops,
            vv_text(&p.version_vector)
        );
    }
    let _ = writeln!(
        out,
        "미해결 충돌 (unresolved conflicts): {}",
        s.unresolved_conflicts
    );
    out
}

fn vv_text(vv: &std::collections::BTreeMap<String, i64>) -> String {
    if vv.is_empty() {
        return "-".to_string();
    }
    vv.iter()
        .map(|(o, s)| format!("{}…:{s}", o.get(..8).unwrap_or(o)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A stamp for display (UTC).
pub fn stamp_text(stamp: i64) -> String {
    hlc::format_utc(stamp)
}
