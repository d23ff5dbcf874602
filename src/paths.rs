//! Where files live: the database (`--db`, `DOLBOM_DB`, else the platform data folder) and the
//! config folder (user keymap).

use directories::ProjectDirs;
use std::path::PathBuf;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("kr", "dolbom", "dolbom")
}

/// The platform data folder (`~/.local/share/dolbom` on Linux, `%APPDATA%\dolbom\dolbom\data`
/// on Windows).
pub fn data_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

/// The platform config folder (holds `keymap.toml`).
pub fn config_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().to_path_buf())
}

/// The database path: the explicit one (from `--db` or `DOLBOM_DB`, resolved by the CLI) or
/// `dolbom.db` in the data folder.
pub fn database(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| data_dir().map(|d| d.join("dolbom.db")))
}

/// Where `dolbom demo` writes when no `--db` is given: a separate file, so demo residents never
/// mix with real records.
pub fn demo_database(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| data_dir().map(|d| d.join("demo.db")))
}
