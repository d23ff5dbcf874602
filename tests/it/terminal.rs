//! The real binary under a pseudo-terminal (tmux): after quitting with q, Ctrl-C, SIGTERM or a
//! panic, the terminal's modes are back as they were (cooked mode, main screen, no mouse).
//! `.ci/run` installs tmux; set DOLBOM_SKIP_TMUX=1 to skip where it cannot be installed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs dolbom in a fresh tmux session, performs `act`, then checks the terminal was restored.
fn check(name: &str, env: &str, act: impl FnOnce(&str, &Path)) {
    if std::env::var_os("DOLBOM_SKIP_TMUX").is_some() {
        eprintln!("skipped: DOLBOM_SKIP_TMUX");
        return;
    }
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is required (installed by .ci/run); set DOLBOM_SKIP_TMUX=1 to skip"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = crate::common::BIN;
    let session = format!("dolbom-{name}-{}", std::process::id());
    let script = format!(
        "stty -a > {d}/before; {env} DOLBOM_NO_ENCRYPTION=1 DOLBOM_USER=tester {bin} --db {d}/t.db 2> {d}/err; echo $? > {d}/rc; stty -a > {d}/after; sleep 30",
        d = d.display()
    );
    Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "80",
            "-y",
            "24",
            "sh",
            "-c",
            &script,
        ])
        .status()
        .unwrap();
    wait_for("the first frame", || {
        tmux(&["capture-pane", "-p", "-t", &session]).contains("주민 검색")
    });
    assert_eq!(
        tmux(&["display", "-p", "-t", &session, "#{alternate_on}"]).trim(),
        "1"
    );
    act(&session, d);
    wait_for("dolbom to exit", || d.join("after").exists());
    let before = std::fs::read_to_string(d.join("before")).unwrap();
    let after = std::fs::read_to_string(d.join("after")).unwrap();
    let alt = tmux(&[
        "display",
        "-p",
        "-t",
        &session,
        "#{alternate_on} #{mouse_any_flag} #{cursor_flag}",
    ]);
    let rc = std::fs::read_to_string(d.join("rc")).unwrap_or_default();
    let err = std::fs::read_to_string(d.join("err")).unwrap_or_default();
    tmux(&["kill-session", "-t", &session]);
    let differ: Vec<String> = before
        .split([';', '\n'])
        .zip(after.split([';', '\n']))
        .filter(|(b, a)| b.trim() != a.trim())
        .map(|(b, a)| format!("{} -> {}", b.trim(), a.trim()))
        .collect();
    assert_eq!(
        before, after,
        "stty modes restored ({name}); differ: {differ:?}; stderr: {err}"
    );
    assert_eq!(
        alt.trim(),
        "0 0 1",
        "main screen, no mouse capture, cursor shown ({name})"
    );
    if name == "panic" {
        assert!(
            err.contains("DOLBOM_TEST_PANIC"),
            "the panic message is printed: {err}"
        );
    } else {
        assert_eq!(rc.trim(), "0", "{name}: {err}");
    }
}

#[test]
fn restored_after_q() {
    check("q", "", |s, _| {
        tmux(&["send-keys", "-t", s, "ㄱㅁ", "Escape"]);
        std::thread::sleep(Duration::from_millis(200));
        tmux(&["send-keys", "-t", s, "q"]);
    });
}

#[test]
fn restored_after_ctrl_c() {
    check("ctrl-c", "", |s, _| {
        tmux(&["send-keys", "-t", s, "김"]);
        tmux(&["send-keys", "-t", s, "C-c"]);
    });
}

#[test]
fn restored_after_sigterm() {
    check("sigterm", "", |s, _| {
        let pid = tmux(&["list-panes", "-t", s, "-F", "#{pane_pid}"]);
        // The pane runs sh; dolbom is its child.
        let out = Command::new("pgrep")
            .args(["-P", pid.trim()])
            .output()
            .unwrap();
        let child = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(!child.is_empty(), "dolbom's pid");
        Command::new("kill")
            .args(["-TERM", &child])
            .status()
            .unwrap();
    });
}

#[test]
fn restored_after_panic() {
    check("panic", "DOLBOM_TEST_PANIC=1", |s, _| {
        tmux(&["send-keys", "-t", s, "x"]);
    });
}

/// Ctrl-Z (or an outside SIGTSTP) hands the terminal back to the shell, and `fg` brings the app
/// back redrawn, in raw mode on the alternate screen, taking keys.
#[cfg(unix)]
fn suspend_and_resume(name: &str, stop: impl FnOnce(&str)) {
    if std::env::var_os("DOLBOM_SKIP_TMUX").is_some() {
        eprintln!("skipped: DOLBOM_SKIP_TMUX");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let session = format!("dolbom-{name}-{}", std::process::id());
    // An interactive shell, so there is job control (`fg`).
    Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "80",
            "-y",
            "24",
            "env",
            "PS1=$ ",
            "sh",
            "-i",
        ])
        .status()
        .unwrap();
    let screen = || tmux(&["capture-pane", "-p", "-t", &session]);
    let flags = || {
        tmux(&[
            "display",
            "-p",
            "-t",
            &session,
            "#{alternate_on} #{mouse_any_flag}",
        ])
    };
    let cmd = format!(
        "stty -a > {d}/before; DOLBOM_NO_ENCRYPTION=1 DOLBOM_USER=tester {bin} --db {d}/t.db 2> {d}/err",
        d = d.display(),
        bin = crate::common::BIN
    );
    tmux(&["send-keys", "-t", &session, &cmd, "Enter"]);
    wait_for("the first frame", || screen().contains("주민 검색"));
    stop(&session);
    wait_for("the shell's screen", || flags().trim() == "0 0");
    tmux(&[
        "send-keys",
        "-t",
        &session,
        &format!("stty -a > {}/stopped", d.display()),
        "Enter",
    ]);
    wait_for("stty while stopped", || d.join("stopped").exists());
    std::thread::sleep(Duration::from_millis(200));
    let before = std::fs::read_to_string(d.join("before")).unwrap();
    let stopped = std::fs::read_to_string(d.join("stopped")).unwrap();
    assert_eq!(before, stopped, "cooked mode while stopped ({name})");
    tmux(&["send-keys", "-t", &session, "fg", "Enter"]);
    wait_for("the app again", || {
        flags().trim() == "1 1" && screen().contains("주민 검색")
    });
    // A key works: typing 김 shows it in the query line.
    tmux(&["send-keys", "-t", &session, "김"]);
    wait_for("the key to be taken", || screen().contains("검색: 김"));
    tmux(&["send-keys", "-t", &session, "C-c"]);
    wait_for("the shell's screen after quitting", || {
        flags().trim() == "0 0"
    });
    tmux(&["kill-session", "-t", &session]);
}

#[cfg(unix)]
#[test]
fn ctrl_z_suspends_and_fg_restores() {
    suspend_and_resume("ctrl-z", |s| {
        tmux(&["send-keys", "-t", s, "C-z"]);
    });
}

#[cfg(unix)]
#[test]
fn sigtstp_suspends_and_fg_restores() {
    suspend_and_resume("sigtstp", |s| {
        let pid = tmux(&["list-panes", "-t", s, "-F", "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", pid.trim()])
            .output()
            .unwrap();
        let child = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(!child.is_empty(), "dolbom's pid");
        Command::new("kill")
            .args(["-TSTP", &child])
            .status()
            .unwrap();
    });
}
