//! 서식 from a case with every kind of entry: each HWPX is read back with an independent reader
//! (the zip crate's reader + roxmltree, not the writer's code) and its table cells checked; the
//! HTML print file is self-contained and holds the same values; broken templates name
//! `forms/<file>:<line>`; an export is written private and audited as 출력.

use crate::common::paper as fixture;

use dolbom::audit::AuditFilter;
use dolbom::paper::document::CaseDocument;
use dolbom::paper::forms::{self, Form, FormSet};
use dolbom::paper::{DocFormat, html, hwpx, template};
use fixture::*;
use std::collections::BTreeMap;
use std::io::Read;

/// One table as the reader sees it: (row, col) → (span, text).
type Grid = BTreeMap<(usize, usize), (usize, String)>;

/// Unzips an HWPX package: entry names in order, and each entry's text.
fn unzip(
    bytes: &[u8],
) -> (
    Vec<String>,
    BTreeMap<String, String>,
    zip::CompressionMethod,
) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut names = Vec::new();
    let mut files = BTreeMap::new();
    let mut first_method = zip::CompressionMethod::Deflated;
    for i in 0..z.len() {
        let mut f = z.by_index(i).expect("entry");
        if i == 0 {
            first_method = f.compression();
        }
        let mut s = String::new();
        f.read_to_string(&mut s).expect("utf-8 entry");
        let name = f.name().expect("entry name").to_string();
        names.push(name.clone());
        files.insert(name, s);
    }
    (names, files, first_method)
}

const HP: &str = "http://www.hancom.co.kr/hwpml/2011/paragraph";

/// Every table of section0.xml, cells keyed by their cellAddr.
fn tables(section: &str) -> Vec<Grid> {
    let doc = roxmltree::Document::parse(section).expect("section0.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "sec");
    let mut out = Vec::new();
    for tbl in root.descendants().filter(|n| n.has_tag_name((HP, "tbl"))) {
        let rows: usize = tbl.attribute("rowCnt").expect("rowCnt").parse().expect("n");
        let cols: usize = tbl.attribute("colCnt").expect("colCnt").parse().expect("n");
        let mut grid = Grid::new();
        let trs: Vec<_> = tbl
            .children()
            .filter(|n| n.has_tag_name((HP, "tr")))
            .collect();
        assert_eq!(trs.len(), rows, "rowCnt matches the rows");
        for tr in trs {
            let mut used = 0;
            for tc in tr.children().filter(|n| n.has_tag_name((HP, "tc"))) {
                let addr = tc
                    .children()
                    .find(|n| n.has_tag_name((HP, "cellAddr")))
                    .expect("cellAddr");
                let span = tc
                    .children()
                    .find(|n| n.has_tag_name((HP, "cellSpan")))
                    .expect("cellSpan");
                let r: usize = addr.attribute("rowAddr").expect("r").parse().expect("n");
                let c: usize = addr.attribute("colAddr").expect("c").parse().expect("n");
                let s: usize = span.attribute("colSpan").expect("s").parse().expect("n");
                used += s;
                let paras: Vec<String> = tc
                    .descendants()
                    .filter(|n| n.has_tag_name((HP, "p")))
                    .map(|p| {
                        p.descendants()
                            .filter(|n| n.has_tag_name((HP, "t")))
                            .filter_map(|t| t.text())
                            .collect::<String>()
                    })
                    .collect();
                grid.insert((r, c), (s, paras.join("\n")));
            }
            assert_eq!(used, cols, "each row fills colCnt");
        }
        out.push(grid);
    }
    out
}

/// The value cell right of the first label cell whose text is `label`.
fn after(tables: &[Grid], label: &str) -> Option<String> {
    for g in tables {
        for ((r, c), (s, text)) in g {
            if text == label {
                return g.get(&(*r, c + s)).map(|(_, t)| t.clone());
            }
        }
    }
    None
}

/// Rows of the table whose header row starts with `first_header`, header excluded.
fn rows_under(tables: &[Grid], headers: &[&str]) -> Vec<Vec<String>> {
    for g in tables {
        let row0: Vec<&str> = g
            .iter()
            .filter(|((r, _), _)| *r == 0)
            .map(|(_, (_, t))| t.as_str())
            .collect();
        if row0 == headers {
            let max = g.keys().map(|(r, _)| *r).max().unwrap_or(0);
            return (1..=max)
                .map(|r| {
                    g.iter()
                        .filter(|((rr, _), _)| *rr == r)
                        .map(|(_, (_, t))| t.clone())
                        .collect()
                })
                .collect();
        }
    }
    Vec::new()
}

fn doc(full: bool) -> (tempfile::TempDir, dolbom::store::Store, CaseDocument) {
    let dir = tempfile::tempdir().expect("dir");
    let store = fixture::store(dir.path());
    let d = CaseDocument::load(&store, "C1", full).expect("doc");
    (dir, store, d)
}

fn hwpx_tables(form: Form, d: &CaseDocument) -> (Vec<Grid>, String, BTreeMap<String, String>) {
    let forms = FormSet::builtin().expect("builtin forms parse");
    let bytes = hwpx::render(&forms::layout(&forms, form, d)).expect("hwpx");
    let (names, files, method) = unzip(&bytes);
    assert_eq!(names[0], "mimetype", "mimetype is the first entry");
    assert_eq!(method, zip::CompressionMethod::Stored, "mimetype is stored");
    assert_eq!(files["mimetype"], "application/hwp+zip");
    for part in [
        "version.xml",
        "META-INF/container.xml",
        "META-INF/manifest.xml",
        "Contents/content.hpf",
        "Contents/header.xml",
        "Contents/section0.xml",
    ] {
        let text = files.get(part).unwrap_or_else(|| panic!("{part} missing"));
        roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{part}: {e}"));
    }
    let section = files["Contents/section0.xml"].clone();
    (tables(&section), section, files)
}

#[test]
fn the_document_model_takes_the_latest_uncorrected_values() {
    let (_dir, _store, d) = doc(false);
    assert_eq!(d.resident.name, NAME);
    assert_eq!(d.resident.phone, PHONE_MASKED);
    assert_eq!(d.resident.address, ADDRESS_MASKED);
    let a = d.assessment.as_ref().expect("assessment");
    let scores: Vec<(String, Option<i64>)> = SCORES
        .iter()
        .map(|(k, v)| ((*k).to_string(), Some(*v)))
        .collect();
    assert_eq!(a.scores, scores, "the correction E11 replaces E10's scores");
    assert_eq!(a.total, Some(26));
    assert_eq!(a.level.as_deref(), Some("고위험"));
    let p = d.plan.as_ref().expect("plan");
    assert_eq!(p.goals, GOALS);
    assert_eq!(p.services, SERVICES);
    assert_eq!(
        (p.start.as_str(), p.end.as_deref()),
        ("2026-02-02", Some("2026-04-30"))
    );
    assert_eq!(d.conferences.len(), 1);
    assert_eq!(d.conferences[0].attendees, ATTENDEES);
    assert_eq!(d.monitoring.len(), 2);
    // The voided call is gone; the corrected visit shows its current text.
    assert!(d.contacts.iter().all(|n| n.text != "전화 연결 안 됨."));
    assert!(
        d.contacts
            .iter()
            .any(|n| n.text.contains("도시락 연계 검토"))
    );
    let cl = d.closure.as_ref().expect("closure");
    assert_eq!(cl.reason, "목표 달성");
    assert_eq!(cl.outcome, "건강 호전, 도시락 자립");
    assert_eq!(cl.aftercare_on, "2026-07-29");
    assert_eq!(d.resources[0].resource, "관악구 정신건강복지센터");
    // Masked inside free text too.
    let consult = &d.initial_consult.as_ref().expect("consult").text;
    assert!(
        consult.contains(PHONE_MASKED) && !consult.contains(PHONE),
        "{consult}"
    );
    assert!(!consult.contains("101동 202호"), "{consult}");
}

#[test]
fn every_form_reads_back_with_an_independent_hwpx_reader() {
    let (_dir, _store, d) = doc(false);
    for form in Form::ALL {
        let (t, section, files) = hwpx_tables(form, &d);
        assert!(!t.is_empty(), "{form:?} has tables");
        // Masked everywhere: no full phone, no address detail.
        for (name, text) in &files {
            assert!(!text.contains(PHONE), "{form:?} {name} leaks the phone");
            assert!(
                !text.contains("101동 202호"),
                "{form:?} {name} leaks the address"
            );
        }
        let name_cell = after(&t, "성명").or_else(|| after(&t, "대상자"));
        assert_eq!(name_cell.as_deref(), Some(NAME), "{form:?}: 성명");
        assert!(section.contains(form.label()), "{form:?}: title");
    }
}

#[test]
fn assessment_scores_are_in_their_cells() {
    let (_dir, _store, d) = doc(false);
    for form in [Form::Assessment, Form::Summary] {
        let (t, _, _) = hwpx_tables(form, &d);
        for (domain, score) in SCORES {
            assert_eq!(
                after(&t, domain),
                Some(score.to_string()),
                "{form:?} {domain}"
            );
        }
        assert_eq!(after(&t, "합계").as_deref(), Some("26"), "{form:?}");
    }
    let (t, _, _) = hwpx_tables(Form::Assessment, &d);
    assert_eq!(after(&t, "위기도 수준").as_deref(), Some("고위험"));
    assert_eq!(after(&t, "전화").as_deref(), Some(PHONE_MASKED));
    assert_eq!(after(&t, "주소").as_deref(), Some(ADDRESS_MASKED));
}

#[test]
fn plan_goals_services_resources_and_period_are_in_their_cells() {
    let (_dir, _store, d) = doc(false);
    let (t, _, _) = hwpx_tables(Form::Plan, &d);
    let goals = rows_under(&t, &["번호", "목표"]);
    let want: Vec<Vec<String>> = GOALS
        .iter()
        .enumerate()
        .map(|(i, g)| vec![(i + 1).to_string(), (*g).to_string()])
        .collect();
    assert_eq!(goals, want);
    let services = rows_under(&t, &["번호", "서비스"]);
    assert_eq!(services[1], vec!["2".to_string(), SERVICES[1].to_string()]);
    let resources = rows_under(&t, &["자원", "상태", "의뢰일", "변경일", "메모"]);
    assert_eq!(
        resources,
        vec![vec![
            "관악구 정신건강복지센터".to_string(),
            "제공 중".into(),
            "2026-02-20".into(),
            "2026-03-02".into(),
            "주 1회 상담".into()
        ]]
    );
    assert_eq!(
        after(&t, "계획 기간").as_deref(),
        Some("2026-02-02 ~ 2026-04-30")
    );
    assert_eq!(after(&t, "대상자 구분").as_deref(), Some("사례관리 일반"));
}

#[test]
fn conference_monitoring_closure_and_consult_fields() {
    let (_dir, _store, d) = doc(false);
    let (t, _, _) = hwpx_tables(Form::Conference, &d);
    assert_eq!(after(&t, "참석자"), Some(ATTENDEES.join(", ")));
    assert_eq!(
        after(&t, "결정 사항").as_deref(),
        Some("방문간호 주 1회, 도시락 주 3회 제공 결정.")
    );
    assert_eq!(after(&t, "회의 일시").as_deref(), Some("2026-01-28 15:00"));

    let (t, _, _) = hwpx_tables(Form::Monitoring, &d);
    let rows = rows_under(&t, &["일시", "작성자", "내용", "후속 조치"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][3], "2026-04-15");

    let (t, _, _) = hwpx_tables(Form::Closure, &d);
    assert_eq!(after(&t, "종결 사유").as_deref(), Some("목표 달성"));
    assert_eq!(after(&t, "종결일").as_deref(), Some("2026-04-30"));
    assert_eq!(after(&t, "사후관리 예정일").as_deref(), Some("2026-07-29"));
    assert_eq!(after(&t, "결과").as_deref(), Some("건강 호전, 도시락 자립"));

    let (t, _, _) = hwpx_tables(Form::InitialConsult, &d);
    let consult = after(&t, "상담 내용").expect("상담 내용");
    assert!(
        consult.starts_with("자택 방문 초기상담.\n생계 곤란 호소."),
        "{consult}"
    );
    assert!(consult.contains(PHONE_MASKED));
    assert_eq!(after(&t, "전화").as_deref(), Some(PHONE_MASKED));
}

#[test]
fn full_shows_contact_details() {
    let (_dir, _store, d) = doc(true);
    let (t, _, _) = hwpx_tables(Form::InitialConsult, &d);
    assert_eq!(after(&t, "전화").as_deref(), Some(PHONE));
    assert_eq!(after(&t, "주소").as_deref(), Some(ADDRESS));
}

#[test]
fn html_is_self_contained_escaped_and_holds_the_same_values() {
    let (_dir, _store, d) = doc(false);
    let forms = FormSet::builtin().expect("forms");
    for form in Form::ALL {
        let page = html::render(&forms::layout(&forms, form, &d));
        let lower = page.to_ascii_lowercase();
        for banned in [
            "http://", "https://", "src=", "href=", "@import", "url(", "<script", "<link",
        ] {
            assert!(!lower.contains(banned), "{form:?} has {banned}");
        }
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.contains("@page { size: A4"));
        assert!(page.contains("Malgun Gothic"));
        assert!(page.contains(NAME), "{form:?}");
        assert!(!page.contains(PHONE), "{form:?} leaks the phone");
        assert!(!page.contains("101동 202호"), "{form:?} leaks the address");
        // Balanced table markup.
        assert_eq!(
            page.matches("<table>").count(),
            page.matches("</table>").count()
        );
        assert_eq!(page.matches("<tr>").count(), page.matches("</tr>").count());
    }
    let page = html::render(&forms::layout(&forms, Form::Assessment, &d));
    for (domain, score) in SCORES {
        assert!(
            page.contains(&format!("<th>{domain}</th><td>{score}</td>")),
            "{domain}"
        );
    }
    let page = html::render(&forms::layout(&forms, Form::Plan, &d));
    // The first goal has <, > and &: escaped, never markup.
    assert!(page.contains("<td>정기 건강 확인 &lt;주 1회&gt; &amp; 병원 동행</td>"));
    assert!(!page.contains("<주 1회>"));
    for g in &GOALS[1..] {
        assert!(page.contains(&format!("<td>{g}</td>")));
    }
}

/// Checks that `page` is well-formed HTML: every element closed in order (void elements
/// excepted), only known elements, and every table row spanning exactly the table's columns.
fn check_html(page: &str) -> Result<(), String> {
    const VOID: [&str; 3] = ["meta", "br", "col"];
    const KNOWN: [&str; 17] = [
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "br", "table",
        "colgroup", "col", "tr", "th", "td", "footer",
    ];
    let mut stack: Vec<String> = Vec::new();
    let (mut cols, mut span) = (0usize, 0usize);
    let mut rest = page.strip_prefix("<!DOCTYPE html>").ok_or("no doctype")?;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').ok_or("unclosed tag")? + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
            if top != name {
                return Err(format!("</{name}> closes <{top}>"));
            }
            if name == "tr" && span != cols {
                return Err(format!("a row spans {span} of {cols} columns"));
            }
            continue;
        }
        let name = tag.split([' ', '/']).next().unwrap_or("");
        if !KNOWN.contains(&name) {
            return Err(format!("unknown element <{name}>"));
        }
        match name {
            "table" => cols = 0,
            "col" => cols += 1,
            "tr" => span = 0,
            "th" | "td" => {
                span += tag
                    .split("colspan=\"")
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .map_or(Ok(1), str::parse::<usize>)
                    .map_err(|e| e.to_string())?
            }
            _ => {}
        }
        if !VOID.contains(&name) {
            stack.push(name.to_string());
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

#[test]
fn every_html_form_is_well_formed() {
    let (_dir, _store, d) = doc(false);
    let forms = FormSet::builtin().expect("forms");
    for form in Form::ALL {
        let page = html::render(&forms::layout(&forms, form, &d));
        assert_eq!(check_html(&page), Ok(()), "{form:?}");
    }
    // The checker itself catches a misnested page.
    assert!(check_html("<!DOCTYPE html><html><p></html></p>").is_err());
    assert!(
        check_html("<!DOCTYPE html><table><col><tr><td colspan=\"2\"></td></tr></table>").is_err()
    );
}

#[test]
fn a_broken_template_names_the_file_and_line() {
    let cases: [(&str, usize, &str); 7] = [
        (
            "서식 시험\n표 50 50\n행 성명 | {대상자.이룸}\n",
            3,
            "알 수 없는 항목",
        ),
        (
            "서식 시험\n표 50 50\n행 성명 | {대상자.이름} | 남는 칸\n",
            3,
            "3칸",
        ),
        ("서식 시험\n행 성명 | {대상자.이름}\n", 2, "'표' 다음"),
        (
            "서식 시험\n\n# 주석\n그림 로고.png\n",
            4,
            "알 수 없는 지시어",
        ),
        ("서식 시험\n표 50 abc\n", 2, "열 너비"),
        (
            "서식 시험\n표 50 50\n반복 없는목록 | {a} | {b}\n",
            3,
            "알 수 없는 목록",
        ),
        ("서식 시험\n문단 {대상자.이름\n", 2, "닫는"),
    ];
    for (src, line, what) in cases {
        let e = template::parse("forms/test.form", src).expect_err(src);
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("forms/test.form:{line}: ")),
            "{shown}"
        );
        assert!(shown.contains(what), "{shown}");
    }
    // A centre's own copy in a folder: the error names it as forms/<file>:<line>.
    let dir = tempfile::tempdir().expect("dir");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/paper/broken_plan.form"
        ),
        dir.path().join("plan.form"),
    )
    .expect("copy");
    let e = FormSet::load(dir.path()).expect_err("broken plan");
    assert!(e.is_template());
    assert!(e.to_string().starts_with("forms/plan.form:7: "), "{e}");
    // Files that are not there fall back to the built-in ones.
    std::fs::remove_file(dir.path().join("plan.form")).expect("rm");
    let set = FormSet::load(dir.path()).expect("builtin fallback");
    assert_eq!(set.get(Form::Plan).name, "서비스 제공계획서");
}

#[test]
fn forms_parse_by_code_and_label() {
    for f in Form::ALL {
        assert_eq!(Form::parse(f.code()), Some(f));
        assert_eq!(Form::parse(f.label()), Some(f));
        assert_eq!(f.builtin().expect("parses").name, f.label());
    }
    assert_eq!(Form::parse("욕구위기도조사표"), Some(Form::Assessment));
    assert_eq!(Form::parse("없는 서식"), None);
    assert_eq!(DocFormat::parse("HWPX"), Some(DocFormat::Hwpx));
}

#[test]
fn export_writes_privately_and_audits_without_contents() {
    let dir = tempfile::tempdir().expect("dir");
    let store = fixture::store(dir.path());
    let forms = FormSet::builtin().expect("forms");
    let out = dir.path().join("계획서.hwpx");
    let bytes = forms::export(
        &store,
        &forms,
        "C1",
        Form::Plan,
        DocFormat::Hwpx,
        false,
        &out,
    )
    .expect("export");
    assert_eq!(std::fs::read(&out).expect("file"), bytes);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let html_out = dir.path().join("요약.html");
    forms::export(
        &store,
        &forms,
        "C1",
        Form::Summary,
        DocFormat::Html,
        true,
        &html_out,
    )
    .expect("html export");
    let rows = store.audit_rows(&AuditFilter::default()).expect("audit");
    let prints: Vec<_> = rows.iter().filter(|r| r.action == "출력").collect();
    assert_eq!(prints.len(), 2);
    assert_eq!(prints[0].resident_id.as_deref(), Some("R1"));
    assert_eq!(prints[0].subject, "case:C1");
    assert!(prints[0].detail.contains("서비스 제공계획서 hwpx"));
    assert!(prints[1].detail.contains("전체(--full)"));
    for r in prints {
        assert!(!r.detail.contains(NAME) && !r.detail.contains(PHONE));
    }
    // No temp file left next to the output.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(left.is_empty());
}
