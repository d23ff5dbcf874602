//! `dolbom --version`: the version, the commit it was built from, the SQLite library and the
//! database cipher — what a support call needs to know.

use std::sync::OnceLock;

/// The at-rest cipher of the database file, as `--version` reports it.
///
/// **Placeholder until encryption at rest lands** (SQLite3 Multiple Ciphers, another branch):
/// the database is plain SQLite today. Replace this with the cipher the linked SQLite provides.
pub fn cipher() -> &'static str {
    "없음 (plain)"
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
        assert!(t.contains("plain"));
    }
}
