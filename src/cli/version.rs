//! `dolbom --version`: the version, the commit it was built from, the SQLite library and the
//! database cipher — what a support call needs to know.

use std::sync::OnceLock;

/// The at-rest cipher, as `--version` reports it: the engine linked in (SQLite3 Multiple
/// Ciphers, asked at run time so a build whose patch stopped applying says so), the scheme
/// encrypted databases use, and the key derivation of the key slots.
pub fn cipher() -> &'static str {
    static CIPHER: OnceLock<String> = OnceLock::new();
    CIPHER.get_or_init(|| {
        match crate::store::cipher::linked_engine() {
            Some(v) => {
                let k = crate::crypto::KdfParams::DEFAULT;
                format!(
                    "{v}, {} (ChaCha20-Poly1305); 키 슬롯 argon2id m={} MiB t={} p={}; 새 데이터베이스는 기본으로 암호화 (new databases encrypted unless --no-encryption)",
                    crate::crypto::CIPHER,
                    k.m_cost_kib / 1024,
                    k.t_cost,
                    k.p_cost
                )
            }
            None => "없음 (plain SQLite: no cipher engine linked)".to_string(),
        }
    })
}

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `-V`: `0.1.0 (abc1234)`.
pub fn short(commit: &str) -> &'static str {
    static SHORT: OnceLock<String> = OnceLock::new();
    SHORT.get_or_init(|| format!("{VERSION} ({commit})"))
}

/// `--version`: the version, then one line each for the commit, SQLite and the cipher.
pub fn long(commit: &str) -> &'static str {
    static LONG: OnceLock<String> = OnceLock::new();
    LONG.get_or_init(|| long_text(commit))
}

/// The text of [`long`] (clap prints `dolbom ` before it).
pub fn long_text(commit: &str) -> String {
    format!(
        "{VERSION}\n커밋 (commit): {commit}\nSQLite: {}\n암호화 (cipher): {}",
        rusqlite::version(),
        cipher()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_text_names_every_part() {
        let t = super::long_text("abc1234");
        assert!(t.starts_with(env!("CARGO_PKG_VERSION")));
        assert!(t.contains("abc1234"));
        assert!(t.contains(&format!("SQLite: {}", rusqlite::version())));
        assert!(t.contains("SQLite3 Multiple Ciphers"), "{t}");
        assert!(t.contains("chacha20"), "{t}");
        assert!(t.contains("argon2id"), "{t}");
        assert!(!t.contains("평문"), "{t}");
    }
}
