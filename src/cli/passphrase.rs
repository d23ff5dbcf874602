//! Where the CLI gets a passphrase: `--key-file PATH` / `DOLBOM_KEY_FILE` (one line; a
//! trailing newline is fine), else a masked prompt on the terminal, else a clear error. Also
//! the unlocking open (three tries on a terminal) and new passphrases for key slots.
//!
//! The prompt reads keys through crossterm in raw mode (already a dependency for the TUI, and
//! the same input path on Windows consoles and Unix terminals): nothing is echoed but one `*`
//! per character, Hangul arrives as whole syllables from the IME, Backspace deletes a whole
//! character, Esc or Ctrl-C cancels.

use super::Global;
use crate::crypto::engine::{FileKind, file_kind};
use crate::crypto::{Passphrase, check_new_passphrase, passphrase_from_key_file};
use crate::store::{OpenOptions, Store, StoreError};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// How many passphrases a terminal user may try in one run.
pub const TRIES: u32 = 3;

/// Reads the passphrase in a key file.
pub fn from_key_file(path: &Path) -> anyhow::Result<Passphrase> {
    let bytes = std::fs::read(path).map_err(|e| {
        anyhow::anyhow!(
            "{}: 암호 파일을 읽을 수 없습니다 (cannot read key file): {e}",
            path.display()
        )
    })?;
    let text = passphrase_from_key_file(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: 암호 파일은 한 줄의 UTF-8 글자여야 합니다 (key file: {e})",
            path.display()
        )
    })?;
    Ok(Passphrase::from(text))
}

/// Whether a prompt can be shown (stdin and stderr are a terminal).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Reads one line without echo (a `*` per character). `None` when cancelled.
pub fn prompt(label: &str) -> anyhow::Result<Option<Passphrase>> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    use crossterm::terminal::{disable_raw_mode, enable_raw_mode};
    let mut err = std::io::stderr();
    write!(err, "{label}")?;
    err.flush()?;
    enable_raw_mode()?;
    struct Raw;
    impl Drop for Raw {
        fn drop(&mut self) {
            let _ = disable_raw_mode();
        }
    }
    let raw = Raw;
    let mut text = String::new();
    let result = loop {
        let Event::Key(k) = read()? else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        match k.code {
            KeyCode::Enter => break Some(text),
            KeyCode::Esc => break None,
            KeyCode::Char('c' | 'd') if k.modifiers.contains(KeyModifiers::CONTROL) => break None,
            KeyCode::Backspace if text.pop().is_some() => write!(err, "\u{8} \u{8}")?,
            KeyCode::Char(c) if !c.is_control() => {
                text.push(c);
                write!(err, "*")?;
            }
            _ => {}
        }
        err.flush()?;
    };
    drop(raw);
    writeln!(err)?;
    Ok(result.map(Passphrase::new))
}

/// A new passphrase: from the key file, or typed twice on the terminal. `None` when there is
/// neither (the caller decides: generate one, or refuse).
pub fn new_passphrase(key_file: Option<&Path>, whose: &str) -> anyhow::Result<Option<Passphrase>> {
    if let Some(path) = key_file {
        let p = from_key_file(path)?;
        check_new_passphrase(p.as_str()).map_err(weak)?;
        return Ok(Some(p));
    }
    if !interactive() {
        return Ok(None);
    }
    loop {
        let Some(first) = prompt(&format!("{whose}의 새 암호 (8글자 이상): "))? else {
            anyhow::bail!("취소했습니다 (cancelled)");
        };
        if let Err(e) = check_new_passphrase(first.as_str()) {
            eprintln!("{}", weak(e));
            continue;
        }
        let Some(again) = prompt("한 번 더: ")? else {
            anyhow::bail!("취소했습니다 (cancelled)");
        };
        if again.as_str() == first.as_str() {
            return Ok(Some(first));
        }
        eprintln!("두 암호가 다릅니다 — 다시 입력하세요 (passphrases differ)");
    }
}

fn weak(e: crate::crypto::KeySlotError) -> anyhow::Error {
    anyhow::anyhow!("암호가 너무 짧습니다 ({e}): 8글자 이상 (at least 8 characters)")
}

/// A random passphrase for a new slot (printed once for the admin to hand over): 20 letters
/// and digits from an alphabet without look-alikes (about 100 bits).
pub fn generate() -> anyhow::Result<Passphrase> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("난수 생성 실패: {e}"))?;
    let text: String = bytes
        .iter()
        .enumerate()
        .flat_map(|(i, b)| {
            let c = ALPHABET[*b as usize % ALPHABET.len()] as char;
            (i > 0 && i % 5 == 0).then_some('-').into_iter().chain([c])
        })
        .collect();
    bytes.fill(0);
    Ok(Passphrase::new(text))
}

/// Opens the store for `g`: a plain file as before; an encrypted one (or a new one, unless
/// `--no-encryption`) with the operator's passphrase from `--key-file`, else asked on the
/// terminal (three tries; a wrong passphrase is counted and, from the third, delayed by the
/// store), else an error saying how to give one. Returns the passphrase used, if any.
pub fn open(
    g: &Global,
    path: &Path,
    mut opts: OpenOptions,
) -> anyhow::Result<(Store, Option<Passphrase>)> {
    let kind = file_kind(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let encrypted = kind == FileKind::Encrypted && crate::store::slots_path(path).exists();
    let new_encrypted = kind == FileKind::Empty && !g.no_encryption;
    opts.encrypt_new = !g.no_encryption;
    if !encrypted && !new_encrypted {
        return Ok((Store::open(path, &opts).map_err(flat)?, None));
    }
    if let Some(file) = &g.key_file {
        let p = from_key_file(file)?;
        opts.passphrase = Some(p.clone());
        return Ok((Store::open(path, &opts).map_err(flat)?, Some(p)));
    }
    if !interactive() {
        if new_encrypted {
            anyhow::bail!(
                "{}: 새 데이터베이스는 암호화됩니다 — 첫 작업자({})의 암호를 --key-file 파일이나 DOLBOM_KEY_FILE로 주거나 터미널에서 실행하세요; 암호화하지 않으려면 --no-encryption (a new database is encrypted: give a passphrase)",
                path.display(),
                opts.operator
            );
        }
        return Err(flat(StoreError::Locked {
            path: path.to_path_buf(),
            new: false,
        }));
    }
    if new_encrypted {
        eprintln!(
            "{}: 새 암호화 데이터베이스를 만듭니다. 첫 작업자 {}(관리자)의 암호를 정하세요.",
            path.display(),
            opts.operator
        );
        let p = new_passphrase(None, &opts.operator)?
            .ok_or_else(|| anyhow::anyhow!("암호가 없습니다 (no passphrase)"))?;
        opts.passphrase = Some(p.clone());
        return Ok((Store::open(path, &opts).map_err(flat)?, Some(p)));
    }
    for attempt in 1..=TRIES {
        let label = format!("{} — {}의 암호: ", path.display(), opts.operator);
        let Some(p) = prompt(&label)? else {
            anyhow::bail!("취소했습니다 (cancelled)");
        };
        opts.passphrase = Some(p.clone());
        match Store::open(path, &opts) {
            Ok(store) => return Ok((store, Some(p))),
            Err(StoreError::WrongPassphrase { .. }) if attempt < TRIES => {
                eprintln!(
                    "암호가 틀렸습니다 (wrong passphrase) — 다시 입력하세요 ({attempt}/{TRIES})"
                );
            }
            Err(e) => return Err(flat(e)),
        }
    }
    anyhow::bail!("암호가 틀렸습니다 (wrong passphrase)")
}

/// The store's message already includes its cause (`path: cause`); flattening it keeps `{:#}`
/// from printing the cause twice.
pub fn flat(e: StoreError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
