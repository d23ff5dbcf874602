//! Keymaps as data: one TOML table per context, key sequence → action, merged key by key.
//!
//! ```toml
//! [global]
//! "q" = "quit"
//! "ctrl-p" = { action = "command-palette", desc = "명령 팔레트 열기" }
//! [timeline]
//! "a" = "add-entry"
//! "x" = "none"        # removes a binding inherited from the default keymap
//! ```
//!
//! The default keymap is compiled in; [`Keymap::load`] takes `"default"`, a shipped name (`"vim"`)
//! or a file path and merges that file over the default: a key in the file replaces the default's
//! binding for the same key (and any binding it would shadow as a prefix, e.g. `"g"` over `"g g"`).
//!
//! Keys are resolved with a [`Resolver`]: the current context first, then `global`; a multi-key
//! sequence is [`Resolution::Pending`] until it completes ([`Resolution::Matched`]) or a key leaves
//! the trie ([`Resolution::NoMatch`], pending keys dropped).
//!
//! Text-input contexts (`form`, `palette`) may not bind a printable key on its own: typed letters
//! must reach the text field (see [`crate::tui::widgets::form`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::action::Action;
use super::key::{Key, KeySeq};

/// The compiled-in default keymap.
pub const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
/// The compiled-in vim keymap (an override layer over the default).
pub const VIM_TOML: &str = include_str!("../../keymaps/vim.toml");
/// Keymaps shipped with dolbom, by the name `--keymap` accepts.
pub const SHIPPED: &[(&str, &str)] = &[("default", DEFAULT_TOML), ("vim", VIM_TOML)];

/// Where a key is pressed: a pane, an overlay or a text-input widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere (fallback for every other context).
    Global,
    /// Resident search pane.
    Search,
    /// Case timeline pane.
    Timeline,
    /// Resource directory pane.
    Resources,
    /// Today pane (due follow-ups).
    Today,
    /// Sync screen (bundles, conflicts).
    Sync,
    /// A form has focus (text input).
    Form,
    /// The command palette is open (text input).
    Palette,
    /// The help overlay is open.
    Help,
}

impl Context {
    /// Every context, in the order help and `--print` list them.
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Search,
        Context::Timeline,
        Context::Resources,
        Context::Today,
        Context::Sync,
        Context::Form,
        Context::Palette,
        Context::Help,
    ];

    /// The table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Search => "search",
            Context::Timeline => "timeline",
            Context::Resources => "resources",
            Context::Today => "today",
            Context::Sync => "sync",
            Context::Form => "form",
            Context::Palette => "palette",
            Context::Help => "help",
        }
    }

    /// Korean title for the help overlay.
    pub fn label_ko(self) -> &'static str {
        match self {
            Context::Global => "공통",
            Context::Search => "주민 검색",
            Context::Timeline => "사례 타임라인",
            Context::Resources => "자원 목록",
            Context::Today => "오늘",
            Context::Sync => "동기화",
            Context::Form => "입력 양식",
            Context::Palette => "명령 팔레트",
            Context::Help => "도움말",
        }
    }

    /// True where printable keys are typed text, not commands.
    pub fn is_text_input(self) -> bool {
        matches!(self, Context::Form | Context::Palette)
    }
}

impl FromStr for Context {
    type Err = String;

    fn from_str(s: &str) -> Result<Context, String> {
        Context::ALL
            .iter()
            .copied()
            .find(|c| c.name() == s)
            .ok_or_else(|| s.to_string())
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One key binding of a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The key sequence.
    pub keys: KeySeq,
    /// What it does.
    pub action: Action,
    /// Description from the keymap file, if any (else the action's Korean label is shown).
    pub desc: Option<String>,
}

impl Binding {
    /// The text for help and hints: the file's `desc`, else the action's Korean label.
    pub fn description(&self) -> &str {
        self.desc.as_deref().unwrap_or(self.action.label_ko())
    }
}

/// One problem found in a keymap file, with its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File name or label (`default.toml`, a path).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong (Korean).
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// A keymap could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// The file has errors; each is printed as `file:line: message` on its own line.
    #[error("{}", join_lines(.0))]
    Invalid(Vec<Diagnostic>),
    /// The file could not be read.
    #[error("{path}: 키맵 파일을 읽을 수 없습니다: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl KeymapError {
    /// The diagnostics of an invalid file (empty for I/O errors).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            KeymapError::Invalid(d) => d,
            KeymapError::Io { .. } => &[],
        }
    }
}

fn join_lines(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A node of a context's key trie.
#[derive(Debug, Clone, Default)]
struct Node {
    action: Option<Action>,
    next: BTreeMap<Key, Node>,
}

/// Result of looking a (partial) sequence up in one trie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    Action(Action),
    Prefix,
    Miss,
}

impl Node {
    fn insert(&mut self, keys: &[Key], action: Action) {
        match keys.split_first() {
            None => self.action = Some(action),
            Some((k, rest)) => self.next.entry(*k).or_default().insert(rest, action),
        }
    }

    fn lookup(&self, keys: &[Key]) -> Lookup {
        let mut node = self;
        for k in keys {
            match node.next.get(k) {
                Some(n) => node = n,
                None => return Lookup::Miss,
            }
        }
        match node.action {
            Some(a) => Lookup::Action(a),
            None if !node.next.is_empty() => Lookup::Prefix,
            None => Lookup::Miss,
        }
    }
}

/// What feeding one more key produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The keys so far start a longer sequence; wait for the next key.
    Pending,
    /// A binding matched; pending keys are cleared.
    Matched(Action),
    /// Nothing matches; pending keys are cleared (a started sequence is cancelled).
    NoMatch,
}

/// Pending-key state for multi-key sequences. Reset it when the context changes.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    pending: Vec<Key>,
}

impl Resolver {
    /// A resolver with no pending keys.
    pub fn new() -> Resolver {
        Resolver::default()
    }

    /// Feeds one key in `ctx` (then `global`).
    pub fn feed(&mut self, keymap: &Keymap, ctx: Context, key: Key) -> Resolution {
        self.pending.push(key);
        let r = keymap.lookup(ctx, &self.pending);
        if r != Resolution::Pending {
            self.pending.clear();
        }
        r
    }

    /// Keys typed so far of an unfinished sequence (for the status bar: `g …`).
    pub fn pending(&self) -> &[Key] {
        &self.pending
    }

    /// Drops any pending keys.
    pub fn reset(&mut self) {
        self.pending.clear();
    }
}

/// The effective keymap: bindings per context and a trie per context.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: BTreeMap<Context, Vec<Binding>>,
    tries: BTreeMap<Context, Node>,
}

/// One parsed line of a keymap file: `None` as action removes the key.
#[derive(Debug, Clone)]
struct Entry {
    ctx: Context,
    keys: KeySeq,
    action: Option<Action>,
    desc: Option<String>,
}

impl Keymap {
    /// The compiled-in default keymap.
    pub fn builtin_default() -> Keymap {
        let mut km = Keymap::default();
        // default.toml is compiled in and checked by tests; a failure here is a build defect.
        #[allow(clippy::expect_used)]
        km.apply_str("default.toml", DEFAULT_TOML)
            .expect("keymaps/default.toml is valid");
        km
    }

    /// `"default"`, a shipped keymap name (`"vim"`) or a file path, merged over the default.
    pub fn load(name_or_path: &str) -> Result<Keymap, KeymapError> {
        let mut km = Keymap::builtin_default();
        if name_or_path == "default" {
            return Ok(km);
        }
        if let Some((name, src)) = SHIPPED.iter().find(|(n, _)| *n == name_or_path) {
            km.apply_str(&format!("{name}.toml"), src)?;
            return Ok(km);
        }
        km.apply_file(Path::new(name_or_path))?;
        Ok(km)
    }

    /// Validates a user keymap file (as `dolbom keymap --check FILE`): parses it and merges it over
    /// the default. Returns the effective keymap.
    pub fn check(path: &Path) -> Result<Keymap, KeymapError> {
        let mut km = Keymap::builtin_default();
        km.apply_file(path)?;
        Ok(km)
    }

    /// Reads a keymap file and merges it over `self` key by key.
    pub fn apply_file(&mut self, path: &Path) -> Result<(), KeymapError> {
        let label = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|source| KeymapError::Io {
            path: label.clone(),
            source,
        })?;
        self.apply_str(&label, &src)
    }

    /// Parses keymap TOML (`file` names it in errors) and merges it over `self` key by key.
    /// Nothing changes if the text has any error.
    pub fn apply_str(&mut self, file: &str, src: &str) -> Result<(), KeymapError> {
        let entries = parse_entries(file, src).map_err(KeymapError::Invalid)?;
        for e in entries {
            self.set(e.ctx, e.keys, e.action, e.desc);
        }
        self.rebuild();
        Ok(())
    }

    /// Binds (or with `None` unbinds) `keys` in `ctx`, replacing any binding with the same keys
    /// and any binding that would be a prefix of it or have it as a prefix.
    fn set(&mut self, ctx: Context, keys: KeySeq, action: Option<Action>, desc: Option<String>) {
        let list = self.bindings.entry(ctx).or_default();
        list.retain(|b| {
            b.keys == keys || !(b.keys.starts_with(&keys) || keys.starts_with(&b.keys))
        });
        let at = list.iter().position(|b| b.keys == keys);
        match (action, at) {
            (Some(action), Some(i)) => list[i] = Binding { keys, action, desc },
            (Some(action), None) => list.push(Binding { keys, action, desc }),
            (None, Some(i)) => {
                list.remove(i);
            }
            (None, None) => {}
        }
    }

    fn rebuild(&mut self) {
        self.tries.clear();
        for (ctx, list) in &self.bindings {
            let trie = self.tries.entry(*ctx).or_default();
            for b in list {
                trie.insert(b.keys.keys(), b.action);
            }
        }
    }

    /// Looks a complete or partial key sequence up: `ctx` first, then `global`. In a text-input
    /// context a sequence starting with a printable key never reaches `global` (it is typed text).
    pub fn lookup(&self, ctx: Context, keys: &[Key]) -> Resolution {
        let typed = ctx.is_text_input() && keys.first().is_some_and(|k| k.text_char().is_some());
        let mut contexts = vec![ctx];
        if ctx != Context::Global && !typed {
            contexts.push(Context::Global);
        }
        for c in contexts {
            let Some(trie) = self.tries.get(&c) else {
                continue;
            };
            match trie.lookup(keys) {
                Lookup::Action(a) => return Resolution::Matched(a),
                Lookup::Prefix => return Resolution::Pending,
                Lookup::Miss => {}
            }
        }
        Resolution::NoMatch
    }

    /// The action a single key triggers in `ctx` (then `global`), if it is a whole binding.
    pub fn action_for(&self, ctx: Context, key: Key) -> Option<Action> {
        match self.lookup(ctx, &[key]) {
            Resolution::Matched(a) => Some(a),
            _ => None,
        }
    }

    /// The bindings of one context (not including `global`), in file order.
    pub fn bindings(&self, ctx: Context) -> &[Binding] {
        self.bindings.get(&ctx).map_or(&[], Vec::as_slice)
    }

    /// Every key sequence bound to `action` in any context, without duplicates.
    pub fn keys_for(&self, action: Action) -> Vec<KeySeq> {
        let mut out: Vec<KeySeq> = Vec::new();
        for ctx in Context::ALL {
            for b in self.bindings(*ctx) {
                if b.action == action && !out.contains(&b.keys) {
                    out.push(b.keys.clone());
                }
            }
        }
        out
    }

    /// Key sequences that trigger `action` in `ctx`: the context's own first, then global ones not
    /// shadowed by the context.
    pub fn keys_in(&self, ctx: Context, action: Action) -> Vec<KeySeq> {
        let mut out: Vec<KeySeq> = self
            .bindings(ctx)
            .iter()
            .filter(|b| b.action == action)
            .map(|b| b.keys.clone())
            .collect();
        if ctx != Context::Global {
            for b in self.bindings(Context::Global) {
                if b.action == action
                    && !out.contains(&b.keys)
                    && self.lookup(ctx, b.keys.keys()) == Resolution::Matched(action)
                {
                    out.push(b.keys.clone());
                }
            }
        }
        out
    }

    /// The first key of `action` in `ctx` as text, for status-bar hints (`"?"`, `"ctrl-p"`).
    pub fn hint(&self, ctx: Context, action: Action) -> Option<String> {
        self.keys_in(ctx, action).first().map(ToString::to_string)
    }

    /// The effective keymap as TOML (`dolbom keymap --print`); parses back to the same keymap.
    pub fn to_toml(&self) -> String {
        let mut out = String::from("# dolbom 키맵 (적용 중인 전체 설정)\n");
        for ctx in Context::ALL {
            let list = self.bindings(*ctx);
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!("\n[{}]\n", ctx.name()));
            for b in list {
                let key = quote(&b.keys.to_string());
                match &b.desc {
                    Some(d) => out.push_str(&format!(
                        "{key} = {{ action = {}, desc = {} }}\n",
                        quote(b.action.name()),
                        quote(d)
                    )),
                    None => out.push_str(&format!("{key} = {}\n", quote(b.action.name()))),
                }
            }
        }
        out
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// 1-based line of a byte offset.
fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Collects diagnostics while walking a parsed file.
struct Checker<'a> {
    file: &'a str,
    src: &'a str,
    errors: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, message: String) {
        let line = line_of(self.src, span.start);
        self.errors.push(Diagnostic {
            file: self.file.to_string(),
            line,
            message,
        });
    }
}

fn parse_entries(file: &str, src: &str) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    let root = DeTable::parse(src).map_err(|e| {
        vec![Diagnostic {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(src, s.start)),
            message: format!("TOML 문법 오류: {}", e.message().trim()),
        }]
    })?;
    let mut ck = Checker {
        file,
        src,
        errors: Vec::new(),
    };
    let mut entries = Vec::new();
    let mut tables: Vec<_> = root.get_ref().iter().collect();
    tables.sort_by_key(|(k, _)| k.span().start);
    for (name, value) in tables {
        let Ok(ctx) = name.get_ref().parse::<Context>() else {
            let known: Vec<_> = Context::ALL.iter().map(|c| c.name()).collect();
            ck.err(
                name.span(),
                format!(
                    "알 수 없는 문맥 [{}] (가능한 것: {})",
                    name.get_ref(),
                    known.join(", ")
                ),
            );
            continue;
        };
        let DeValue::Table(table) = value.get_ref() else {
            ck.err(name.span(), format!("[{ctx}]는 표(table)여야 합니다"));
            continue;
        };
        parse_table(&mut ck, ctx, table, &mut entries);
    }
    if ck.errors.is_empty() {
        Ok(entries)
    } else {
        ck.errors.sort_by_key(|d| d.line);
        Err(ck.errors)
    }
}

fn parse_table(ck: &mut Checker<'_>, ctx: Context, table: &DeTable<'_>, out: &mut Vec<Entry>) {
    let mut items: Vec<_> = table.iter().collect();
    items.sort_by_key(|(k, _)| k.span().start);
    let first_new = out.len();
    for (key, value) in items {
        let keys = match key.get_ref().parse::<KeySeq>() {
            Ok(k) => k,
            Err(e) => {
                ck.err(key.span(), format!("[{ctx}] {e}"));
                continue;
            }
        };
        if ctx.is_text_input() && keys.keys()[0].text_char().is_some() {
            ck.err(
                key.span(),
                format!("[{ctx}] \"{keys}\"는 글자 입력이라 묶을 수 없습니다 (ctrl-/alt- 또는 특수 키를 쓰세요)"),
            );
            continue;
        }
        let Some((action, desc)) = parse_value(ck, ctx, value) else {
            continue;
        };
        if let Some(prev) = out[first_new..]
            .iter()
            .find(|e| e.keys.starts_with(&keys) || keys.starts_with(&e.keys))
        {
            let msg = format!("[{ctx}] \"{keys}\"가 \"{}\"와 겹칩니다", prev.keys);
            ck.err(key.span(), msg);
            continue;
        }
        out.push(Entry {
            ctx,
            keys,
            action,
            desc,
        });
    }
}

/// `"action"`, `"none"` or `{ action = "…", desc = "…" }`.
fn parse_value(
    ck: &mut Checker<'_>,
    ctx: Context,
    value: &Spanned<DeValue<'_>>,
) -> Option<(Option<Action>, Option<String>)> {
    let (name, desc) = match value.get_ref() {
        DeValue::String(s) => (Spanned::new(value.span(), s.to_string()), None),
        DeValue::Table(t) => {
            for (k, _) in t.iter() {
                if !matches!(k.get_ref().as_ref(), "action" | "desc") {
                    ck.err(
                        k.span(),
                        format!("[{ctx}] 알 수 없는 항목 \"{}\"", k.get_ref()),
                    );
                    return None;
                }
            }
            let Some(a) = t.get("action") else {
                ck.err(value.span(), format!("[{ctx}] action 항목이 없습니다"));
                return None;
            };
            let Some(name) = a.get_ref().as_str() else {
                ck.err(a.span(), format!("[{ctx}] action은 문자열이어야 합니다"));
                return None;
            };
            let desc = match t.get("desc") {
                None => None,
                Some(d) => match d.get_ref().as_str() {
                    Some(s) => Some(s.to_string()),
                    None => {
                        ck.err(d.span(), format!("[{ctx}] desc는 문자열이어야 합니다"));
                        return None;
                    }
                },
            };
            (Spanned::new(a.span(), name.to_string()), desc)
        }
        other => {
            ck.err(
                value.span(),
                format!(
                    "[{ctx}] 동작 이름(문자열)이나 {{ action = …, desc = … }}가 와야 하는데 {}입니다",
                    other.type_str()
                ),
            );
            return None;
        }
    };
    if name.get_ref() == "none" {
        return Some((None, desc));
    }
    match name.get_ref().parse::<Action>() {
        Ok(a) if a.is_bindable() => Some((Some(a), desc)),
        Ok(a) => {
            ck.err(
                name.span(),
                format!("[{ctx}] \"{a}\"는 내부 동작이라 키에 묶을 수 없습니다"),
            );
            None
        }
        Err(e) => {
            ck.err(name.span(), format!("[{ctx}] {e}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(s: &str) -> Vec<Key> {
        s.parse::<KeySeq>().unwrap_or_else(|e| panic!("{s}: {e}")).0
    }

    #[test]
    fn line_numbers() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    #[test]
    fn trie_pending_then_match() {
        let mut km = Keymap::default();
        km.apply_str("t", "[global]\n\"g g\" = \"top\"\n\"G\" = \"bottom\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(km.lookup(Context::Search, &seq("g")), Resolution::Pending);
        assert_eq!(
            km.lookup(Context::Search, &seq("g g")),
            Resolution::Matched(Action::Top)
        );
        assert_eq!(km.lookup(Context::Search, &seq("g x")), Resolution::NoMatch);
    }
}
