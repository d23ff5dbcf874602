//! At-rest encryption: the SQLite3 Multiple Ciphers engine ([`engine`]) and the key slots that
//! wrap the one random database key once per operator ([`keyslots`]).
//!
//! Flow: a new database gets a random [`DbKey`] and a first slot for its admin; opening a
//! database reads the slots (before the database can be read at all), unlocks the operator's
//! slot with their passphrase (argon2id, the only slow step), and hands the raw key to
//! [`engine::apply_key`], which runs no key derivation of its own.

pub mod engine;
pub mod keyslots;

pub use keyslots::{
    DbKey, KdfParams, KeySlot, KeySlotError, KeySlots, NameError, normalize_operator,
};
