//! The `dolbom` command: parses arguments, runs the command (see `dolbom::cli`), exits.

/// mimalloc rather than the system allocator: an import parses on one thread and writes on
/// another, and glibc's malloc then spends a sixth of the time on arena locks (cross-thread
/// frees); mimalloc frees those without a lock. Built with `no_thp` (Cargo.toml): without it the
/// arena is backed by 2 MiB transparent huge pages and the TUI's RSS doubles (#18).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

/// The commit this binary was built from (`build.rs`), for `--version`.
const COMMIT: &str = env!("DOLBOM_COMMIT");

/// Frees what mimalloc holds of freed memory now (every thread's pages it can reach, and its
/// arenas' purge), rather than after its purge delay.
fn release_memory() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    dolbom::memory::set_release(release_memory);
    let cli = dolbom::cli::parse(COMMIT);
    dolbom::cli::exit_code(dolbom::cli::run(cli, started))
}
