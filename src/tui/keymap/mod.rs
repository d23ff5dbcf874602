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
//!
//! Submodules: `context` (the tables), `trie` (sequences and the resolver), `parse` (files
//! and their diagnostics), `print` (back to TOML).

mod context;
mod parse;
mod print;
mod trie;

use std::collections::BTreeMap;
use std::path::Path;

use super::action::Action;
use super::key::{Key, KeySeq};
pub use context::Context;
use parse::parse_entries;
pub use parse::{Diagnostic, KeymapError};
use trie::{Lookup, Node};
pub use trie::{Resolution, Resolver};

/// The compiled-in default keymap.
pub const DEFAULT_TOML: &str = include_str!("../../../keymaps/default.toml");
/// The compiled-in vim keymap (an override layer over the default).
pub const VIM_TOML: &str = include_str!("../../../keymaps/vim.toml");
/// Keymaps shipped with dolbom, by the name `--keymap` accepts.
pub const SHIPPED: &[(&str, &str)] = &[("default", DEFAULT_TOML), ("vim", VIM_TOML)];

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

/// The effective keymap: bindings per context and a trie per context.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: BTreeMap<Context, Vec<Binding>>,
    tries: BTreeMap<Context, Node>,
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

    /// Like [`Keymap::hint`], for the state the screen is in: while a query line has focus
    /// (`typing`), a sequence that starts with a printable key is typed text, so only the others
    /// count (`ctrl-n`, not `n`); otherwise a plain letter is preferred to a ctrl-/alt- chord (vim's `o`, not
    /// `ctrl-n`).
    pub fn hint_when(&self, ctx: Context, action: Action, typing: bool) -> Option<String> {
        let keys = self.keys_in(ctx, action);
        let is_text = |k: &KeySeq| k.keys().first().is_some_and(|k| k.text_char().is_some());
        let pick = if typing {
            keys.iter().find(|k| !is_text(k))
        } else {
            // A chord (`ctrl-n`) gives way to a plain letter bound to the same action.
            let chord = |k: &KeySeq| k.keys().first().is_some_and(|k| k.mods.ctrl || k.mods.alt);
            match keys.first() {
                Some(first) if chord(first) => keys
                    .iter()
                    .find(|k| is_text(k) && k.keys().len() == 1)
                    .or(Some(first)),
                first => first,
            }
        };
        pick.map(ToString::to_string)
    }

    /// True when the keymap moves with plain letters (vim's `j`/`k`): such a user thinks in
    /// modes, so the search pane starts with the list focused and `/` enters the query.
    pub fn moves_with_letters(&self) -> bool {
        [Action::Down, Action::Up].iter().any(|a| {
            self.keys_in(Context::Search, *a)
                .iter()
                .any(|k| k.keys().len() == 1 && k.keys()[0].text_char().is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(s: &str) -> Vec<Key> {
        s.parse::<KeySeq>().unwrap_or_else(|e| panic!("{s}: {e}")).0
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
