//! #12 item 10 / the sync design: a bundle can be encrypted to the receiving site's age key,
//! stored once with `dolbom sync peer add` (from the JSON `dolbom sync keys --json` prints), from
//! the CLI (`sync export --to ID --encrypt-to-peer`) and from the TUI sync screen. That site
//! imports it; any other site is refused with a clear message and nothing changes.

use crate::common::dolbom_at;
use crate::common::tui::press;
use std::path::Path;
use std::process::Output;

fn dolbom(db: &Path, args: &[&str]) -> Output {
    dolbom_at(db).args(args).output().expect("run dolbom")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = dolbom(db, args);
    assert!(
        out.status.success(),
        "dolbom {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn site_id(db: &Path) -> String {
    let keys: serde_json::Value =
        serde_json::from_str(&ok(db, &["sync", "keys", "--json"])).expect("json");
    keys["site_id"].as_str().expect("site id").to_string()
}

fn residents(db: &Path) -> i64 {
    let s = dolbom::store::Store::open(db, &dolbom::store::OpenOptions::new("tester")).unwrap();
    s.counts().unwrap().residents
}

#[test]
fn a_bundle_encrypted_to_a_peer_opens_there_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, b, c) = (d.join("a.db"), d.join("b.db"), d.join("c.db"));
    ok(&a, &["demo", "--residents", "30", "--no-tui"]);
    let b_keys = d.join("b-keys.json");
    std::fs::write(&b_keys, ok(&b, &["sync", "keys", "--json"])).unwrap();
    let b_id = site_id(&b);
    let _ = site_id(&c);

    // Before B's key is stored, --encrypt-to-peer says how to store it (exit 2, nothing written).
    let bundle = d.join("to-b.bundle");
    let bundle_s = bundle.to_str().unwrap();
    let out = dolbom(
        &a,
        &[
            "sync",
            "export",
            "--to",
            &b_id,
            "--encrypt-to-peer",
            "--out",
            bundle_s,
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sync peer add"), "{err}");
    assert!(!bundle.exists());

    // Stored from the JSON B printed.
    let said = ok(
        &a,
        &["sync", "peer", "add", "--keys", b_keys.to_str().unwrap()],
    );
    assert!(said.contains(&b_id), "{said}");
    let store_a =
        dolbom::store::Store::open(&a, &dolbom::store::OpenOptions::new("tester")).unwrap();
    let stored = store_a.peer_recipient(&b_id).unwrap().expect("stored");
    assert!(stored.starts_with("age1"), "{stored}");
    let peer = store_a
        .peers()
        .unwrap()
        .into_iter()
        .find(|p| p.site_id == b_id)
        .expect("B is a peer");
    assert!(
        !peer.trusted,
        "a key to encrypt to is not trust in B's signature"
    );
    drop(store_a);

    ok(
        &a,
        &[
            "sync",
            "export",
            "--to",
            &b_id,
            "--encrypt-to-peer",
            "--out",
            bundle_s,
        ],
    );
    let raw = std::fs::read(&bundle).unwrap();
    assert!(
        !String::from_utf8_lossy(&raw).contains("residents"),
        "the payload is encrypted"
    );

    // C cannot open it: a clear message, nothing changed.
    let before = residents(&c);
    let out = dolbom(&c, &["sync", "import", bundle_s, "--trust"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("이 기관 앞으로 암호화된 묶음이 아닙니다"),
        "{err}"
    );
    assert_eq!(residents(&c), before);

    // B opens it with its own key.
    let report: serde_json::Value =
        serde_json::from_str(&ok(&b, &["sync", "import", bundle_s, "--trust", "--json"])).unwrap();
    assert!(report["applied"].as_u64().unwrap_or(0) > 30, "{report}");
    assert_eq!(residents(&b), residents(&a));

    // Bad input to `peer add` is a usage error naming the problem.
    let out = dolbom(
        &a,
        &[
            "sync",
            "peer",
            "add",
            "--site-id",
            "x",
            "--age",
            "not-a-key",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("age 공개키가 아닙니다"));
}

#[test]
fn the_sync_screen_encrypts_to_the_chosen_peers_key() {
    use dolbom::tui::app::{App, Overlay};
    use dolbom::tui::panes::FormPurpose;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, b, c) = (d.join("a.db"), d.join("b.db"), d.join("c.db"));
    ok(&a, &["demo", "--residents", "20", "--no-tui"]);
    let b_keys = d.join("b-keys.json");
    std::fs::write(&b_keys, ok(&b, &["sync", "keys", "--json"])).unwrap();
    let _ = site_id(&c);
    ok(
        &a,
        &[
            "sync",
            "peer",
            "add",
            "--keys",
            b_keys.to_str().unwrap(),
            "--name",
            "나래복지관",
        ],
    );
    let store = dolbom::store::Store::open(&a, &dolbom::store::OpenOptions::new("tester")).unwrap();
    let mut app = App::new(
        store,
        dolbom::tui::Keymap::builtin_default(),
        dolbom::tui::theme::Theme::no_color(),
    );
    // The sync screen says which peers a bundle can be encrypted to.
    press(&mut app, &["F6"]);
    let text = crate::loop_finish::screen(&mut app);
    let row = text
        .lines()
        .find(|l| l.contains("나래복지관"))
        .unwrap_or("");
    assert!(row.contains("아니요 · 있음"), "{text}");
    press(&mut app, &["esc"]);
    let out = d.join("화면.bundle");
    // F6 e: file, 받는 기관 → 나래복지관, 보호 → 받는 기관의 공개키로 암호화.
    press(
        &mut app,
        &["F6", "e", "ctrl-u", out.to_str().unwrap(), "tab", "right"],
    );
    press(&mut app, &["tab", "right", "ctrl-s"]);
    assert!(
        !matches!(app.overlay, Some(Overlay::Form(FormPurpose::SyncExport, _))),
        "the form was accepted: {:?}",
        app.message
    );
    assert!(out.exists(), "{:?} {:?}", app.message, app.sync.report);
    let out_s = out.to_str().unwrap();
    assert!(
        !dolbom(&c, &["sync", "import", out_s, "--trust"])
            .status
            .success()
    );
    ok(&b, &["sync", "import", out_s, "--trust"]);
    assert_eq!(residents(&b), residents(&a));

    // 공개키 chosen with no peer: refused at the 받는 기관 field, the form kept.
    press(&mut app, &["e", "tab", "tab", "right", "ctrl-s"]);
    match &app.overlay {
        Some(Overlay::Form(FormPurpose::SyncExport, f)) => {
            assert_eq!(f.fields()[f.focus()].label(), "받는 기관");
        }
        _ => panic!("the form stays open: {:?}", app.message),
    }
}
