//! Sync between offline sites by bundle files. See ../shared/DESIGN.md, "Sync bundles".
//!
//! - [`hlc`]: the hybrid logical clock stamping every op.
//! - [`keys`]: each site's age identity and Ed25519 signing key, and their text forms.
//! - [`bundle`]: the bundle file: signed manifest + zstd JSON-lines payload, optionally
//!   age-encrypted; written atomically, read with every check before an op is trusted.
//!
//! - [`stamps`]: which op last wrote a field, and the `@base` stamps update ops carry.
//! - [`site`]: this site's keys (made at first use, kept in `meta`) and [`SyncError`].
//! - [`export`]: ops a peer lacks → bundle. [`merge`]: bundle → ops, merged per field.
//! - [`conflicts`]: review and resolve losing values. [`status`]: peers and pending ops.
//! - option checks and text for `dolbom sync` live in `crate::cli::sync`.

pub mod bundle;
pub mod conflicts;
pub mod export;
pub mod hlc;
pub mod keys;
pub mod merge;
pub mod site;
pub mod stamps;
pub mod status;

pub use bundle::{
    BundleError, BundleInfo, BundleMeta, BundleReader, BundleWriter, Decryption, Encryption,
    EncryptionKind, Manifest, open_bundle, read_bundle, write_bundle,
};
pub use conflicts::{Conflict, Resolution, open_conflicts, resolve_conflict};
pub use export::{ExportOptions, ExportReport, export_bundle};
pub use keys::{KeyError, SiteKeys};
pub use merge::{ImportOptions, ImportReport, TableCounts, import_bundle};
pub use site::{PublicKeys, SyncError, SyncResult, public_keys, site_keys};
pub use status::{PeerStatus, SyncStatus, status};
