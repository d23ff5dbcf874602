//! `dolbom db`: the database file itself — `status` (plain or encrypted, cipher, operators with
//! a key slot, page size), `encrypt` (a plain file into an encrypted one, atomically) and
//! `rekey` (a new random database key; every slot re-wrapped).

use super::{Global, output, passphrase};
use crate::crypto::engine::{FileKind, file_kind};
use crate::crypto::{DbKey, KdfParams, KeySlots};
use crate::store::{Role, Store};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// 상태: 평문/암호화, 암호 방식, 키 슬롯 작업자, 페이지 크기 (plain or encrypted, cipher, slots, page size)
    Status,
    /// 평문 데이터베이스를 암호화 (encrypt a plain database in place, atomically; admin)
    Encrypt,
    /// 새 데이터베이스 키로 교체: 다른 작업자에게는 새 암호를 만들어 한 번 보여 줌 (new database key; admin)
    Rekey,
}

pub fn run(g: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Command::Status => status(g),
        Command::Encrypt => encrypt(g),
        Command::Rekey => rekey(g),
    }
}

fn status(g: &Global) -> anyhow::Result<ExitCode> {
    let path = g.db_path()?;
    let kind = file_kind(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if kind == FileKind::Empty {
        anyhow::bail!("{}: 데이터베이스가 없습니다 (no database)", path.display());
    }
    let locked = kind == FileKind::Encrypted && g.key_file.is_none() && !passphrase::interactive();
    if locked {
        // Without a passphrase only the slot file (plain JSON, no secrets) can be read.
        let slots = KeySlots::load(&crate::store::slots_path(&path))
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        output::lines([
            format!("파일\t{}", path.display()),
            "상태\t암호화됨 (encrypted; 열지 않음 — 페이지 크기는 암호가 있어야 보입니다)".into(),
            format!("암호 방식\t{}", slots.cipher),
            format!(
                "키 슬롯\t{}",
                slots.operators().collect::<Vec<_>>().join(", ")
            ),
        ])?;
        return Ok(ExitCode::SUCCESS);
    }
    let store = g.open_store()?;
    let s = store.db_status()?;
    let mut lines = vec![
        format!("파일\t{}", path.display()),
        format!(
            "상태\t{}",
            if s.encrypted {
                "암호화됨 (encrypted)"
            } else {
                "평문 (plain) — `dolbom db encrypt`로 암호화하세요"
            }
        ),
    ];
    if s.encrypted {
        lines.push(format!(
            "암호 방식\t{} (ChaCha20-Poly1305), 키 슬롯 argon2id",
            s.cipher.as_deref().unwrap_or("?")
        ));
        lines.push(format!("키 슬롯\t{}", s.slots.join(", ")));
    }
    lines.push(format!("페이지 크기\t{} bytes × {}", s.page_size, s.pages));
    lines.push(format!("스키마 버전\t{}", s.schema_version));
    output::lines(lines)?;
    Ok(ExitCode::SUCCESS)
}

fn require_admin(store: &Store, what: &str) -> anyhow::Result<()> {
    if store.role() != Role::Admin {
        anyhow::bail!(
            "{what}: 관리자만 할 수 있습니다 (admin only); 작업자 {}은(는) 관리자가 아닙니다",
            store.operator()
        );
    }
    Ok(())
}

fn encrypt(g: &Global) -> anyhow::Result<ExitCode> {
    let path = g.db_path()?;
    match file_kind(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))? {
        FileKind::Plain => {}
        FileKind::Empty => {
            anyhow::bail!("{}: 데이터베이스가 없습니다 (no database)", path.display())
        }
        FileKind::Encrypted => {
            anyhow::bail!(
                "{}: 이미 암호화되어 있습니다 (already encrypted)",
                path.display()
            )
        }
    }
    // Open it plain once: checks it is ours, migrates it, and who the operator is.
    let store = Store::open(&path, &g.open_options()?).map_err(passphrase::flat)?;
    require_admin(&store, "db encrypt")?;
    let operator = store.operator().to_owned();
    drop(store);
    let pass = passphrase::new_passphrase(g.key_file.as_deref(), &operator)?.ok_or_else(|| {
        anyhow::anyhow!(
            "{}: 작업자 {operator}의 새 암호를 --key-file로 주거나 터미널에서 실행하세요 (a passphrase is needed)",
            path.display()
        )
    })?;
    let (slots, key) = KeySlots::create(&operator, pass.as_str(), KdfParams::DEFAULT)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::store::encrypt_file(&path, &slots, &key).map_err(passphrase::flat)?;
    eprintln!(
        "{}: 암호화했습니다 (encrypted, {}); 키 슬롯 {} — 이 파일도 함께 백업하세요",
        path.display(),
        crate::crypto::CIPHER,
        crate::store::slots_path(&path).display()
    );
    Ok(ExitCode::SUCCESS)
}

fn rekey(g: &Global) -> anyhow::Result<ExitCode> {
    let (mut store, pass) = g.open_store_with_passphrase()?;
    if !store.is_encrypted() {
        anyhow::bail!(
            "{}: 암호화되지 않은 데이터베이스입니다 (plain): 먼저 `dolbom db encrypt`",
            store.path().display()
        );
    }
    require_admin(&store, "db rekey")?;
    let pass = pass.ok_or_else(|| anyhow::anyhow!("암호가 없습니다 (no passphrase)"))?;
    let me = store.operator().to_owned();
    let others: Vec<String> = store
        .key_slots()?
        .map(|s| {
            s.operators()
                .filter(|o| *o != me)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let mut issued = Vec::new();
    for name in &others {
        issued.push((name.clone(), passphrase::generate()?));
    }
    let make = |key: &DbKey| {
        let mut slots = KeySlots::with_key(key, &me, pass.as_str(), KdfParams::DEFAULT)?;
        for (name, p) in &issued {
            slots.add_slot(key, name, p.as_str(), KdfParams::DEFAULT)?;
        }
        Ok(slots)
    };
    store.rekey(make).map_err(passphrase::flat)?;
    eprintln!(
        "{}: 새 데이터베이스 키로 바꿨습니다 (rekeyed); 옛 키 슬롯 파일과 옛 복사본으로는 더 이상 열 수 없습니다",
        store.path().display()
    );
    if !issued.is_empty() {
        eprintln!(
            "다른 작업자의 새 암호 (한 번만 보입니다; 각자에게 전하고 `dolbom users passwd`로 바꾸게 하세요):"
        );
        output::lines(issued.iter().map(|(n, p)| format!("{n}\t{}", p.as_str())))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `users add` on an encrypted database: the new operator's first key slot, with a passphrase
/// from `new_key_file`, typed on the terminal, or generated and shown once. Nothing for a plain
/// database.
pub fn add_key_slot(store: &Store, name: &str, new_key_file: Option<&Path>) -> anyhow::Result<()> {
    if !store.is_encrypted() {
        return Ok(());
    }
    require_admin(store, "users add")?;
    let (pass, generated) = slot_passphrase(name, new_key_file)?;
    store
        .add_key_slot(name, &pass, KdfParams::DEFAULT)
        .map_err(passphrase::flat)?;
    show_generated(name, &pass, generated)
}

/// `users passwd [NAME]`: a new passphrase for one's own slot, or (admin) another's.
pub fn passwd(
    store: &Store,
    name: Option<&str>,
    new_key_file: Option<&Path>,
) -> anyhow::Result<()> {
    if !store.is_encrypted() {
        anyhow::bail!(
            "{}: 암호화되지 않은 데이터베이스에는 암호가 없습니다 (plain database): `dolbom db encrypt`",
            store.path().display()
        );
    }
    let name = match name {
        Some(n) => {
            crate::crypto::normalize_operator(n).map_err(|e| anyhow::anyhow!("작업자 이름: {e}"))?
        }
        None => store.operator().to_owned(),
    };
    if name != store.operator() {
        require_admin(store, "users passwd")?;
    }
    let (pass, generated) = slot_passphrase(&name, new_key_file)?;
    store
        .set_key_passphrase(&name, &pass, KdfParams::DEFAULT)
        .map_err(passphrase::flat)?;
    eprintln!("{name}: 암호를 바꿨습니다 (passphrase changed)");
    show_generated(&name, &pass, generated)
}

/// `users disable NAME`: removes the operator's key slot (they can no longer unlock; the file
/// is not re-encrypted: `db rekey` also stops someone who kept an old slot file).
pub fn disable(store: &Store, name: &str) -> anyhow::Result<()> {
    if !store.is_encrypted() {
        anyhow::bail!(
            "{}: 암호화되지 않은 데이터베이스에는 키 슬롯이 없습니다 (plain database)",
            store.path().display()
        );
    }
    require_admin(store, "users disable")?;
    store.remove_key_slot(name).map_err(passphrase::flat)?;
    eprintln!(
        "{name}: 키 슬롯을 지웠습니다 — 더 이상 이 데이터베이스를 열 수 없습니다 (slot removed)"
    );
    Ok(())
}

fn slot_passphrase(
    name: &str,
    file: Option<&Path>,
) -> anyhow::Result<(crate::crypto::Passphrase, bool)> {
    match passphrase::new_passphrase(file, name)? {
        Some(p) => Ok((p, false)),
        None => Ok((passphrase::generate()?, true)),
    }
}

fn show_generated(
    name: &str,
    pass: &crate::crypto::Passphrase,
    generated: bool,
) -> anyhow::Result<()> {
    if generated {
        eprintln!(
            "{name}의 첫 암호 (한 번만 보입니다; 전하고 `dolbom users passwd`로 바꾸게 하세요):"
        );
        output::line(&format!("{name}\t{}", pass.as_str()))?;
    }
    Ok(())
}
