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
            plain,
            json,
        } => {
            let encryption = match encryption(passphrase_file.as_deref(), recipient, *plain) {
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
