//! Sync between offline sites by bundle files (the design: an op log exchanged as signed,
//! optionally encrypted bundles; see "Sync bundles" in the project's design notes).
//!
//! - [`keys`]: each site's age identity and Ed25519 signing key, and their text forms.
//! - [`bundle`]: the bundle file: signed manifest + zstd JSON-lines payload, optionally
//!   age-encrypted; written atomically, read with every check before an op is trusted.
//! - [`site`]: this site's keys (made at first use, kept by the store) and [`SyncError`].
//! - [`export`]: ops a peer lacks → bundle. [`import`]: bundle → ops, checked and recorded;
//!   `merge`: the rules that fold a row's ops into its fields and conflicts.
//! - [`folder`]: one pass of shared-folder sync (import peers' new bundles, export ours,
//!   compact what every peer holds).
//! - [`proof`]: each origin's signature over its ops, so relayed ops cannot be forged.
//! - [`conflicts`]: review and resolve losing values. [`status`]: peers and pending ops.
//! - option checks and text for `dolbom sync` live in `crate::cli::sync`.
//!
//! The hybrid logical clock and the field stamps are op-log bookkeeping and live in
//! `store::oplog`; every statement sync needs is a typed method in `store::sync`.

pub mod bundle;
pub mod conflicts;
pub mod export;
pub mod folder;
pub mod import;
pub mod keys;
mod merge;
pub mod proof;
mod purge;
pub mod site;
pub mod status;
mod witness;

pub use bundle::{
    BundleError, BundleInfo, BundleMeta, BundleReader, BundleWriter, Decryption, Encryption,
    EncryptionKind, Manifest, open_bundle, read_bundle, write_bundle,
};
pub use conflicts::{Conflict, Resolution, open_conflicts, resolve_conflict};
pub use export::{ExportOptions, ExportReport, export_bundle};
pub use import::{ImportOptions, ImportReport, TableCounts, import_bundle};
pub use keys::{KeyError, SiteKeys};
pub use site::{PublicKeys, SyncError, SyncResult, public_keys, site_keys};
pub use status::{PeerStatus, SyncStatus, status};
