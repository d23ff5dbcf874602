//! Hangul-aware resident search: pure functions over a compact in-memory index (no SQL, no I/O).
//!
//! - [`hangul`]: syllable arithmetic, compatibility jamo, compound splitting, 초성/jamo keys.
//! - [`Query::parse`]: digit terms (phone tail / birth year, birth date) and one name query
//!   (all other terms joined, so `김 민수` looks for `김민수`).
//! - Matching is syllable-aligned; only the query's last syllable may be partial (a jamo prefix of
//!   the target syllable, or its final consonant read as the next syllable's 초성: `김` finds
//!   기민수, below 김… hits); a lone consonant matches a syllable's 초성 at any position.
//! - Rank: exact > prefix > substring > 초성 > fuzzy, ties by `activity` (higher first), then name.
//! - [`SearchIndex`] holds the records; [`Searcher`] refines as the user types;
//!   [`match_name`] / [`rank_names`] serve any other list of names (e.g. resources).

/// The Hangul arithmetic lives in the util layer (`crate::hangul`) so that other modules (the
/// resident import's look-alike check) can use it without depending on search.
pub use crate::hangul;
mod index;
mod lead;
mod persist;
mod plan;
mod query;
mod rank;
pub mod residents;
mod searcher;

pub use index::{Hit, PersonKey, Ranking, SearchIndex};
pub use query::{BirthDate, DigitTerm, NameQuery, Query, parse_digit_term};
pub use rank::{MatchClass, NameMatch, match_name, rank_names};
pub use searcher::{Searcher, refines};
