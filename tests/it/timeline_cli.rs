//! `dolbom timeline` through the binary: the JSON case list and an export to a file.

use crate::common::dolbom_at;

/// Runs the binary on `db` with `args`, as 박지현 on 2026-03-01.
fn dolbom(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    dolbom_at(db)
        .args(args)
        .env("DOLBOM_NOW", "2026-03-01T10:00:00")
        .env("DOLBOM_USER", "박지현")
        .output()
        .expect("run dolbom")
}

#[test]
fn list_json_filters_and_orders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.db");
    let out = dolbom(&db, &["demo", "--residents", "300", "--no-tui"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = dolbom(&db, &["timeline", "--list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(all.len() > 20);
    for key in [
        "id",
        "resident_name",
        "stage",
        "worker",
        "entry_count",
        "last_contact",
    ] {
        assert!(all[0].get(key).is_some(), "missing {key}");
    }
    let activity: Vec<&str> = all
        .iter()
        .map(|c| c["last_activity"].as_str().expect("str"))
        .collect();
    assert!(
        activity.windows(2).all(|w| w[0] >= w[1]),
        "most recently active first"
    );

    let out = dolbom(
        &db,
        &[
            "timeline",
            "--list",
            "--json",
            "--stage",
            "점검",
            "--worker",
            "박지현",
        ],
    );
    let some: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(!some.is_empty());
    assert!(
        some.iter()
            .all(|c| c["stage"] == "monitoring" && c["worker"] == "박지현")
    );

    let resident = all[0]["resident_id"].as_str().expect("id").to_string();
    let out = dolbom(
        &db,
        &["timeline", "--list", "--json", "--resident", &resident],
    );
    let of: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(!of.is_empty() && of.iter().all(|c| c["resident_id"] == resident.as_str()));

    let out = dolbom(&db, &["timeline", "--list", "--stage", "없는단계"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("알 수 없는 단계"));

    // Table output and an export to a file.
    let out = dolbom(&db, &["timeline", "--list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("최근 연락"));
    let case_id = all[0]["id"].as_str().expect("id");
    let file = dir.path().join("case.md");
    let out = dolbom(
        &db,
        &[
            "timeline",
            case_id,
            "--format",
            "md",
            "--out",
            file.to_str().expect("utf8"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(&file).expect("file");
    assert!(md.starts_with("# 사례 요약"));
    let out = dolbom(&db, &["audit", "--json"]);
    let audit: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        audit
            .iter()
            .any(|r| r["action"] == "출력" && r["subject"] == format!("case:{case_id}"))
    );
}
