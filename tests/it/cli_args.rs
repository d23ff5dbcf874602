//! The command line as a Unix tool: closed choices are checked by clap (exit 2, naming the
//! flag), `--since` takes dates and date-times, a closed stdout ends quietly, `--version` says
//! what was built.

use clap::CommandFactory;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn dolbom() -> Command {
    let mut c = crate::common::dolbom();
    c.env("DOLBOM_NOW", "2026-11-25T09:00:00");
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    dolbom()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run dolbom")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A demo database of `residents` people.
fn demo_of(dir: &Path, residents: usize) -> std::path::PathBuf {
    let db = dir.join("d.db");
    let n = residents.to_string();
    let o = run(&db, &["demo", "--residents", &n, "--no-tui"]);
    assert!(o.status.success(), "{}", stderr(&o));
    db
}

fn demo(dir: &Path) -> std::path::PathBuf {
    demo_of(dir, 300)
}

#[test]
fn clap_definitions_are_consistent() {
    dolbom::cli::Cli::command().debug_assert();
    dolbom::cli::command("abc1234").debug_assert();
}

/// Each bad value is refused before anything is opened: exit 2, the flag named on stderr,
/// and no database file created.
#[test]
fn unknown_choices_are_usage_errors_naming_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("never.db");
    let cases: [(&[&str], &str); 10] = [
        (&["timeline", "C1", "--format", "docx"], "--format"),
        (
            &["resources", "export", "out.csv", "--format", "xml"],
            "--format",
        ),
        (&["users", "add", "kim", "--role", "boss"], "--role"),
        (&["users", "add", "kim", "--role", "Admin"], "--role"),
        (&["search", "김", "--stage", "없는단계"], "--stage"),
        (&["timeline", "--list", "--stage", "없는단계"], "--stage"),
        (&["search", "김", "--flag", "없는표시"], "--flag"),
        (&["audit", "--since", "garbage"], "--since"),
        (&["audit", "summary", "--month", "2026-13"], "--month"),
        (
            &["resources", "import", "x.csv", "--encoding", "klingon"],
            "--encoding",
        ),
    ];
    for (args, flag) in cases {
        let o = run(&db, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(flag), "{args:?} names {flag}: {err}");
        let bad = args[args.len() - 1];
        assert!(err.contains(bad), "{args:?} quotes {bad}: {err}");
    }
    let o = run(&db, &["search", "--stage", "없는단계"]);
    assert!(stderr(&o).contains("알 수 없는 단계"), "{}", stderr(&o));
    assert!(!db.exists(), "a usage error opens nothing");
}

#[test]
fn aliases_of_stages_flags_and_formats_still_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let json = |args: &[&str]| -> Vec<serde_json::Value> {
        let o = run(&db, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        serde_json::from_slice(&o.stdout).expect("json")
    };
    let korean = json(&["search", "--flag", "독거", "--limit", "500", "--json"]);
    let english = json(&[
        "search",
        "--flag",
        "living-alone",
        "--limit",
        "500",
        "--json",
    ]);
    assert!(!korean.is_empty(), "the demo has people living alone");
    assert_eq!(korean, english);
    let spaced = json(&[
        "search",
        "--flag",
        "건보료 체납",
        "--limit",
        "500",
        "--json",
    ]);
    let compact = json(&["search", "--flag", "건보료체납", "--limit", "500", "--json"]);
    assert_eq!(spaced, compact);

    let code = json(&["timeline", "--list", "--stage", "monitoring", "--json"]);
    let label = json(&["timeline", "--list", "--stage", "점검", "--json"]);
    assert!(!code.is_empty());
    assert_eq!(code, label);

    let case = code[0]["id"].as_str().expect("case id").to_string();
    let md = run(&db, &["timeline", &case, "--format", "markdown"]);
    assert!(md.status.success(), "{}", stderr(&md));
    assert!(stdout(&md).starts_with('#'), "{}", stdout(&md));
    let csv = run(&db, &["timeline", &case, "--format", "csv"]);
    assert!(csv.status.success() && stdout(&csv) != stdout(&md));

    let o = run(&db, &["users", "add", "lee", "--role", "admin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "lee: admin");
}

#[test]
fn since_takes_a_date_or_a_date_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    // Every audit row is stamped at DOLBOM_NOW, 2026-11-25 09:00:00.
    let o = run(&db, &["users", "add", "kim"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = |since: &str| -> usize {
        let o = run(&db, &["audit", "--since", since, "--json"]);
        assert!(o.status.success(), "--since {since}: {}", stderr(&o));
        let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
        v.len()
    };
    let all = rows("2026-11-25");
    assert!(all > 0, "users add is audited");
    assert_eq!(rows("2026-11-25T09:00"), all);
    assert_eq!(rows("2026-11-25 09:00:00"), all);
    assert_eq!(rows("2026-11-25T09:00:01"), 0);
    assert_eq!(rows("2026-11-26"), 0);
}

/// Runs `args` with stdout a pipe whose reader has gone away; returns the exit status and
/// stderr.
fn with_closed_stdout(db: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = dolbom()
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dolbom");
    // Read a little (when the output is larger than the pipe, the writer is still busy), then
    // hang up.
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 1];
    let _ = out.read(&mut first);
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    (child.wait().expect("wait"), err)
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_of(dir.path(), 1200);
    // 1200 residents is a bulk read (issue #20): it needs a reason.
    let big = run(
        &db,
        &["search", "--limit", "5000", "--json", "--reason", "test"],
    );
    assert!(
        big.stdout.len() > 200 * 1024,
        "output larger than any pipe buffer ({} bytes)",
        big.stdout.len()
    );
    for args in [
        &["search", "--limit", "5000", "--json", "--reason", "test"][..],
        &["search", "--limit", "5000", "--reason", "test"],
        &["timeline", "--list", "--json", "--reason", "test"],
        &["audit", "--json"],
        &["resources", "list", "--json"],
        &["sync", "status", "--json"],
        &["keymap", "--print"],
    ] {
        let (status, err) = with_closed_stdout(&db, args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert_ne!(status.code(), Some(101), "{args:?}: {err}");
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn version_names_commit_sqlite_and_cipher() {
    let o = dolbom().arg("--version").output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("dolbom {}", env!("CARGO_PKG_VERSION")).as_str())
    );
    let commit = lines
        .next()
        .and_then(|l| l.strip_prefix("커밋 (commit): "))
        .expect("commit line");
    assert!(
        commit == "unknown" || (commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    assert_eq!(
        lines.next(),
        Some(format!("SQLite: {}", rusqlite::version()).as_str())
    );
    let cipher = lines.next().unwrap_or_default();
    assert!(
        cipher.starts_with("암호화 (cipher): SQLite3 Multiple Ciphers")
            && cipher.contains("chacha20")
            && cipher.contains("argon2id")
            && cipher.contains("기본으로 암호화"),
        "{cipher}"
    );
    let short = dolbom().arg("-V").output().expect("run");
    assert_eq!(
        stdout(&short).trim(),
        format!("dolbom {} ({commit})", env!("CARGO_PKG_VERSION"))
    );
}
