//! The command line: help for every subcommand, clear errors, the data-folder default.

use crate::common::dolbom;

const SUBCOMMANDS: [&str; 9] = [
    "demo",
    "search",
    "resources",
    "residents",
    "timeline",
    "sync",
    "audit",
    "users",
    "keymap",
];

#[test]
fn help_runs_for_every_subcommand() {
    let out = dolbom().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in SUBCOMMANDS {
        assert!(text.contains(sub), "--help lists {sub}");
        let out = dolbom().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help: {out:?}");
        assert!(!out.stdout.is_empty());
    }
}

#[test]
fn unknown_flag_is_a_clear_error() {
    let out = dolbom().arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--bogus"), "{err}");
    let out = dolbom()
        .args(["demo", "--residents", "many"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("many"));
}

#[test]
fn database_defaults_to_the_platform_data_folder() {
    let home = tempfile::tempdir().unwrap();
    let xdg = home.path().join("xdg-data");
    let out = dolbom()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &xdg)
        .args(["users", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        xdg.join("dolbom/dolbom.db").exists(),
        "created in $XDG_DATA_HOME/dolbom"
    );
    // DOLBOM_DB and --db override it, --db first.
    let env_db = home.path().join("env.db");
    let flag_db = home.path().join("flag.db");
    let out = dolbom()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", &xdg)
        .env("DOLBOM_DB", &env_db)
        .args(["users", "list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env_db.exists());
    let out = dolbom()
        .env("DOLBOM_DB", &env_db)
        .arg("--db")
        .arg(&flag_db)
        .args(["users", "list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(flag_db.exists());
}

#[test]
fn demo_writes_a_database_and_refuses_to_overwrite_real_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = |extra: &[&str]| {
        dolbom()
            .env("DOLBOM_NOW", "2026-11-25T09:00:00")
            .arg("--db")
            .arg(&db)
            .args(["demo", "--residents", "300", "--no-tui"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("주민 300"));
    let again = run(&[]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "an explicit --db with data needs --force"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(run(&["--force"]).status.success());
}

#[test]
fn a_text_file_as_db_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memo.txt");
    std::fs::write(&path, "not a database").unwrap();
    let out = dolbom()
        .arg("--db")
        .arg(&path)
        .args(["users", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("memo.txt") && err.contains("not an SQLite"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"not a database");
}

#[test]
fn users_add_is_admin_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let ok = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["users", "add", "kim", "--role", "staff"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
    let denied = dolbom()
        .env("DOLBOM_USER", "kim")
        .arg("--db")
        .arg(&db)
        .args(["users", "add", "lee", "--role", "admin"])
        .output()
        .unwrap();
    // A refusal exits 2 (see src/cli/mod.rs), like every other refusal.
    assert_eq!(denied.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&denied.stderr).contains("admin only"));
    let audit = dolbom()
        .arg("--db")
        .arg(&db)
        .args(["audit", "--json"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&audit.stdout).contains("거부"),
        "the refusal is audited"
    );
}

#[test]
fn a_bad_keymap_exits_2_with_file_and_line_before_the_tui() {
    let dir = tempfile::tempdir().unwrap();
    let km = dir.path().join("mine.toml");
    std::fs::write(
        &km,
        "[global]\n\"ctrl-q\" = \"quit\"\n\"ctrl-\" = \"help\"\n\"x\" = \"fly\"\n",
    )
    .unwrap();
    let db = dir.path().join("k.db");
    let out = dolbom()
        .arg("--db")
        .arg(&db)
        .arg("--keymap")
        .arg(&km)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mine.toml:3:") && err.contains("mine.toml:4:"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing drawn on the terminal");
    let check = dolbom()
        .args(["keymap", "--check"])
        .arg(&km)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    let ok = dolbom()
        .args(["keymap", "--check", "keymaps/vim.toml"])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let print = dolbom()
        .args(["--keymap", "vim", "keymap", "--print"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&print.stdout);
    assert!(
        text.contains("\"g g\"") && text.contains("[timeline]"),
        "{text}"
    );
}
