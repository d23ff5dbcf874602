//! `dolbom --version`: the version, the commit it was built from, the SQLite library and the
//! database cipher — what a support call needs to know.

use std::sync::OnceLock;

/// The at-rest cipher, as `--version` reports it: the engine linked in (SQLite3 Multiple
/// Ciphers, asked at run time so a build whose patch stopped applying says so) and the scheme
/// new encrypted databases use. Database files are not yet encrypted by default (issue #13's
/// key slots and login are still to be wired into opening), and the line says that plainly.
pub fn cipher() -> &'static str {
    static CIPHER: OnceLock<String> = OnceLock::new();
    CIPHER.get_or_init(|| {
        let engine = rusqlite::Connection::open_in_memory()
            .ok()
            .and_then(|c| crate::crypto::engine::engine_version(&c).ok());
        match engine {
            Some(v) => format!(
                "{v}, {} (데이터베이스 파일은 아직 평문; plain files until key slots are wired)",
                crate::crypto::CIPHER
            ),
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
    }
}
