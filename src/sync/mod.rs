//! Sync between offline sites by bundle files. See ../shared/DESIGN.md, "Sync bundles".
//!
//! - [`hlc`]: the hybrid logical clock stamping every op.
//! - [`keys`]: each site's age identity and Ed25519 signing key, and their text forms.
//! - [`bundle`]: the bundle file: signed manifest + zstd JSON-lines payload, optionally
//!   age-encrypted; written atomically, read with every check before an op is trusted.
//!
//! The store side (op log, export by version vector, import/merge, conflicts) builds on these
//! in its own modules (e.g. `export`, `merge`).

pub mod bundle;
pub mod hlc;
pub mod keys;

pub use bundle::{
    BundleError, BundleInfo, BundleMeta, BundleReader, BundleWriter, Decryption, Encryption,
    EncryptionKind, Manifest, open_bundle, read_bundle, write_bundle,
};
pub use keys::{KeyError, SiteKeys};
