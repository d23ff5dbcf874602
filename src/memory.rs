//! Giving freed memory back to the system at the moments a large amount of it was just freed.
//!
//! The binary's allocator (mimalloc, see `main.rs`) keeps freed pages for a while before it
//! returns them (its purge delay), which is right for bulk work that frees and allocates
//! again; but once the search index is loaded the old index's 60 MB (1M residents) stay in the
//! TUI's RSS (131 MB instead of 90). The library does not name the allocator (tests run on the
//! system one), so the binary installs the call here.

use std::sync::OnceLock;

static RELEASE: OnceLock<fn()> = OnceLock::new();

/// Installs what [`release`] calls (once; later calls are ignored).
pub fn set_release(f: fn()) {
    let _ = RELEASE.set(f);
}

/// Returns freed memory to the system now, if the binary said how.
pub fn release() {
    if let Some(f) = RELEASE.get() {
        f();
    }
}
