//! The crate's layers run one way: a module may use its own layer's modules and lower layers,
//! never a higher one. This test reads every `crate::…` path in `src/**/*.rs` (comments
//! skipped, `use crate::{a, b::c}` groups expanded) and fails on an upward one.
//!
//! Layers, low → high:
//!
//! 0. `model`: plain data types.
//! 1. util: `privacy`, `hangul`, `clock`, `paths`, `files`, `batch`, `memory` (pure helpers; may use
//!    `model`).
//! 2. `store`: the SQLite file; all SQL lives here.
//! 3. domain: `audit`, `search`, `timeline`, `resources`, `sync`, `demo`.
//! 4. top: `tui`, `cli`, `main.rs`.
//!
//! Within the domain layer a module may use only modules listed *before* it in
//! [`DOMAIN_ORDER`], so the domain modules form no cycle: `audit` (the log's face, used by every
//! writer) first, then `search`, `timeline`, `resources`, `sync`, and `demo` last (it uses the
//! timeline rules to make realistic cases). Today only `* → audit` and `demo → timeline` are
//! used; keep it that way unless a new edge is clearly one-way.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Domain modules in the order they may depend on each other (earlier ← later).
const DOMAIN_ORDER: [&str; 9] = [
    "audit",
    "search",
    "timeline",
    "resources",
    "discovery",
    "sync",
    "retention",
    "paper",
    "demo",
];

/// Known upward imports that another branch is removing right now. Each line names the file
/// and the module it imports. This list must only shrink: once the fix is merged the test
/// fails with "allowance no longer needed" until the line is deleted.
///
const PENDING: &[(&str, &str)] = &[];

fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "model" => 0,
        "privacy" | "hangul" | "clock" | "paths" | "files" | "batch" | "crypto" | "memory" => 1,
        "store" => 2,
        m if DOMAIN_ORDER.contains(&m) => 3,
        "tui" | "cli" | "main" => 4,
        _ => return None,
    })
}

/// Whether `from` may import `to`.
fn allowed(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    let (Some(lf), Some(lt)) = (layer(from), layer(to)) else {
        return true; // an unknown module is reported by `every_module_has_a_layer`
    };
    if lf != lt {
        return lt < lf;
    }
    if lf == 3 {
        let pos = |m| DOMAIN_ORDER.iter().position(|d| *d == m);
        return pos(to) < pos(from);
    }
    // Within util or top, no cycles are checked: util modules are leaves, top is the top.
    lf != 2 && lf != 0
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top module a source file belongs to (`store/cases.rs` → `store`, `main.rs` → `main`).
fn module_of(rel: &str) -> Option<String> {
    let first = rel.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// Source with comments removed (line comments, doc comments and block comments); string
/// literals are kept as they are (a `crate::` inside one is rare and would be an honest hit).
fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            let end = r.find('\n').unwrap_or(r.len());
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("/*") {
            let end = r.find("*/").map_or(r.len(), |i| i + 2);
            rest = &r[end..];
        } else if rest.starts_with('"') {
            // Skip a string literal whole, so `"//"` inside it is not a comment.
            let bytes = rest.as_bytes();
            let mut i = 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let end = (i + 1).min(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top modules named after `crate::` in `src`, with their line numbers.
fn crate_paths(src: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = src[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        // `dolbom::crate::` does not exist; but `$crate::` in macros and `xcrate::` are not ours.
        let before = src[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let line = src[..start].matches('\n').count() + 1;
        let rest = &src[at..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}, e}`: the first segment of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_ascii_alphabetic() || c == '_') => {
                        found.push((line, ident(&group[j..]).to_string()));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.push((line, name.to_string()));
            }
        }
    }
    found
}

struct Import {
    file: String,
    line: usize,
    from: String,
    to: String,
}

fn imports() -> Vec<Import> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let Some(from) = module_of(&rel) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("readable source");
        for (line, to) in crate_paths(&strip_comments(&text)) {
            out.push(Import {
                file: rel.clone(),
                line,
                from: from.clone(),
                to,
            });
        }
    }
    out
}

#[test]
fn no_layer_imports_a_higher_one() {
    let mut violations = Vec::new();
    let mut used_pending = BTreeSet::new();
    for i in imports() {
        if allowed(&i.from, &i.to) {
            continue;
        }
        if let Some(p) = PENDING.iter().find(|(f, t)| *f == i.file && *t == i.to) {
            used_pending.insert(*p);
            continue;
        }
        violations.push(format!(
            "src/{}:{}: `{}` imports `crate::{}` (a higher layer or a later domain module)",
            i.file, i.line, i.from, i.to
        ));
    }
    for p in PENDING {
        if !used_pending.contains(p) {
            violations.push(format!(
                "allowance no longer needed: delete {p:?} from PENDING in tests/layers.rs"
            ));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn every_module_has_a_layer() {
    let unknown: BTreeSet<String> = imports()
        .into_iter()
        .flat_map(|i| [i.from, i.to])
        .filter(|m| layer(m).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "modules without a layer (add them to `layer` in tests/layers.rs): {unknown:?}"
    );
}

#[test]
fn the_parser_sees_grouped_and_plain_paths() {
    let src = "use crate::{model::Stage, store::{Store, Tx}};\n// crate::tui in a comment\nlet x = crate::audit::Event;";
    let found: Vec<String> = crate_paths(&strip_comments(src))
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    assert_eq!(found, ["model", "store", "audit"]);
    assert!(!allowed("store", "timeline"));
    assert!(!allowed("model", "privacy"));
    assert!(allowed("store", "model"));
    assert!(allowed("timeline", "audit"));
    assert!(!allowed("timeline", "resources"));
    assert!(allowed("tui", "sync"));
}

/// The sibling modules a file names through `super::name` (only names that are files or
/// directories next to it).
fn sibling_uses(src: &str, siblings: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut at = 0;
    while let Some(i) = src[at..].find("super::") {
        let start = at + i;
        at = start + "super::".len();
        let before = src[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue; // `super::super::…` or `x::super`: not a sibling
        }
        let rest = &src[at..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end].split(',').map(|s| ident(s.trim())).collect()
        } else {
            vec![ident(rest)]
        };
        out.extend(
            names
                .into_iter()
                .filter(|n| siblings.contains(*n))
                .map(String::from),
        );
    }
    out
}

/// Files in one folder (siblings under one parent module) must not import each other in a
/// cycle: `a.rs` → `super::b` and `b.rs` → `super::a` means neither is the lower one.
/// Known sibling cycles being removed (none now; the list may only shrink).
const PENDING_CYCLES: &[&str] = &[];

#[test]
fn sibling_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut dirs: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
    for f in files {
        let dir = f.parent().expect("in a folder").to_path_buf();
        dirs.entry(dir).or_default().push(f);
    }
    let mut cycles = Vec::new();
    for (dir, files) in dirs {
        // A sibling module is a file `name.rs` (not mod.rs/lib.rs/main.rs) or a folder `name/`.
        let mut siblings: BTreeSet<String> = files
            .iter()
            .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .filter(|s| !["mod", "lib", "main"].contains(&s.as_str()))
            .collect();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            siblings.extend(
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned()),
            );
        }
        if dir == src {
            continue; // top modules are checked by layer, through `crate::`
        }
        let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
        for f in &files {
            let Some(stem) = f.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                continue;
            };
            if stem == "mod" {
                continue; // the parent module, not a sibling
            }
            let text = std::fs::read_to_string(f).expect("readable source");
            for to in sibling_uses(&strip_comments(&text), &siblings) {
                if to != stem {
                    edges.insert((stem.clone(), to));
                }
            }
        }
        for (a, b) in &edges {
            if a < b && edges.contains(&(b.clone(), a.clone())) {
                cycles.push(format!(
                    "{}: {a} ↔ {b}",
                    dir.strip_prefix(&src).unwrap_or(&dir).display()
                ));
            }
        }
    }
    let mut problems: Vec<String> = cycles
        .iter()
        .filter(|c| !PENDING_CYCLES.contains(&c.as_str()))
        .map(|c| format!("sibling import cycle: {c}"))
        .collect();
    problems.extend(
        PENDING_CYCLES
            .iter()
            .filter(|p| !cycles.iter().any(|c| c == *p))
            .map(|p| format!("allowance no longer needed: delete {p:?} from PENDING_CYCLES")),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
