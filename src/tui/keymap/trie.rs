//! The key trie of one context and the [`Resolver`] that feeds it one key at a time, so a
//! multi-key sequence (`g g`) is pending until it matches or is cancelled.

use std::collections::BTreeMap;

use super::Keymap;
use super::context::Context;
use crate::tui::action::Action;
use crate::tui::key::Key;

/// A node of a context's key trie.
#[derive(Debug, Clone, Default)]
pub(super) struct Node {
    action: Option<Action>,
    next: BTreeMap<Key, Node>,
}

/// Result of looking a (partial) sequence up in one trie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lookup {
    Action(Action),
    Prefix,
    Miss,
}

impl Node {
    pub(super) fn insert(&mut self, keys: &[Key], action: Action) {
        match keys.split_first() {
            None => self.action = Some(action),
            Some((k, rest)) => self.next.entry(*k).or_default().insert(rest, action),
        }
    }

    pub(super) fn lookup(&self, keys: &[Key]) -> Lookup {
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
        let mut r = keymap.lookup(ctx, &self.pending);
        // With the Korean IME on, `ㅁ` is the `a` key: where the jamo itself is not bound and keys
        // are commands (not text), it does what its Latin twin does.
        if r == Resolution::NoMatch
            && !ctx.is_text_input()
            && let Some(twin) = key.latin_twin()
        {
            self.pending.pop();
            self.pending.push(twin);
            r = keymap.lookup(ctx, &self.pending);
        }
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
