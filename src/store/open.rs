//! Opening a database file safely: inspect read-only first, refuse what is not ours (leaving it
//! byte-for-byte untouched), back up before migrating, then open read-write with our pragmas.

use super::schema::{CURRENT_VERSION, MIGRATIONS};
use super::{Result, Role, Site, Store, StoreError, sql_err};
use crate::clock::Clock;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Options for [`Store::open`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The operator (`--user`).
    pub operator: String,
    /// Name given to the site when the database is created (`--site-name`).
    pub site_name: Option<String>,
    /// Whether to create the file if it does not exist.
    pub create: bool,
    /// Whether to create a missing folder for a new file too. Off for a path the user named
    /// (`--db`, `DOLBOM_DB`): a typo there must not quietly start a new, empty database.
    pub create_dirs: bool,
    pub clock: Clock,
}

impl OpenOptions {
    pub fn new(operator: impl Into<String>) -> Self {
        OpenOptions {
            operator: operator.into(),
            site_name: None,
            create: true,
            create_dirs: true,
            clock: Clock::system(),
        }
    }
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What we found in an existing file.
enum Existing {
    /// No file, or an empty one.
    New,
    /// A dolbom database at this schema version.
    Ours(u32),
}

pub(super) fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
    let existing = inspect(path)?;
    if let Existing::New = existing {
        if !opts.create {
            return Err(StoreError::NotFound(path.display().to_string()));
        }
        create_file(path, opts.create_dirs)?;
    }
    if let Existing::Ours(v) = existing
        && v == CURRENT_VERSION
        && !writable(path)
    {
        return open_read_only(path, opts);
    }
    if let Existing::Ours(v) = existing
        && v < CURRENT_VERSION
    {
        backup(path, v)?;
    }
    let (conn, site, role) = match open_read_write(path, opts) {
        Ok(opened) => opened,
        // A database we may not write (a read-only folder, so no journal): serve reads.
        Err(e) if is_read_only(&e) && matches!(existing, Existing::Ours(CURRENT_VERSION)) => {
            return open_read_only(path, opts);
        }
        Err(e) => return Err(sql_err(path, e)),
    };
    Ok(Store {
        conn,
        path: path.to_path_buf(),
        site,
        operator: opts.operator.clone(),
        role,
        host: host_name(),
        clock: opts.clock,
    })
}

type Opened = (Connection, Site, Role);

/// Opens read-write with our pragmas, migrates, and records the site and operator.
fn open_read_write(path: &Path, opts: &OpenOptions) -> rusqlite::Result<Opened> {
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    migrate(&mut conn, CURRENT_VERSION)?;
    let site = ensure_site(&conn, opts)?;
    let role = ensure_operator(&conn, &opts.operator, &opts.clock)?;
    Ok((conn, site, role))
}

/// Whether we may write the file itself (root may write anything; a read-only file or mount
/// says no).
fn writable(path: &Path) -> bool {
    !matches!(
        std::fs::OpenOptions::new().read(true).write(true).open(path),
        Err(e) if matches!(
            e.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        )
    )
}

pub(super) fn is_read_only(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen))
}

/// Opens a current dolbom database that we may not write: no pragmas that write, no migration,
/// no new site or operator row. Reads work; a write fails with SQLite's read-only error. A WAL
/// database in a folder we may not write has no shared-memory file to read through, so it is
/// read as an immutable file.
fn open_read_only(path: &Path, opts: &OpenOptions) -> Result<Store> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let open = |target: &str| -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(target, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0))?;
        Ok(conn)
    };
    let conn = open(&file_uri(path, false))
        .or_else(|_| open(&file_uri(path, true)))
        .map_err(|e| sql_err(path, e))?;
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    };
    let site = match (get("site_id"), get("site_name")) {
        (Ok(Some(id)), Ok(Some(name))) => Site { id, name },
        _ => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other("읽기 전용 데이터베이스에 기관 정보가 없습니다"),
            });
        }
    };
    let role = conn
        .query_row(
            "SELECT role FROM users WHERE name = ?1",
            [&opts.operator],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(|e| sql_err(path, e))?
        .and_then(|r| Role::parse(&r))
        .unwrap_or(Role::Staff);
    Ok(Store {
        conn,
        path: path.to_path_buf(),
        site,
        operator: opts.operator.clone(),
        role,
        host: host_name(),
        clock: opts.clock,
    })
}

/// `file:` URI of a path (SQLite URI rules: `/` separators, `%XX` for anything unusual),
/// optionally `?immutable=1`.
pub(super) fn file_uri(path: &Path, immutable: bool) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut uri = String::from("file:");
    if text.as_bytes().get(1) == Some(&b':') {
        uri.push('/'); // C:/… → file:/C:/…
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    if immutable {
        uri.push_str("?immutable=1");
    }
    uri
}

/// Looks at an existing file without writing to it.
fn inspect(path: &Path) -> Result<Existing> {
    let io_err = |e| StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::New),
        Err(e) => return Err(io_err(e)),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]).map_err(io_err)? {
            0 => break,
            n => read += n,
        }
    }
    if read == 0 {
        return Ok(Existing::New);
    }
    if read < head.len() || &head != SQLITE_MAGIC {
        return Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
        });
    }
    drop(file);
    let look = |uri: &str| -> rusqlite::Result<(Connection, u32)> {
        let conn = Connection::open_with_flags(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        Ok((conn, version))
    };
    // A WAL database in a folder we may not write cannot make its shared-memory file: look at
    // the file as it is instead.
    let (conn, version) = match look(&file_uri(path, false)) {
        Err(e) if is_read_only(&e) => look(&file_uri(path, true)),
        other => other,
    }
    .map_err(|e| not_sqlite_or(path, e))?;
    let tables: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .map_err(|e| not_sqlite_or(path, e))?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| sql_err(path, e))?
    };
    if tables.is_empty() && version == 0 {
        return Ok(Existing::New);
    }
    let is_ours = tables.iter().any(|t| t == "meta")
        && conn
            .query_row("SELECT value FROM meta WHERE key = 'app'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()
            .ok()
            .flatten()
            .as_deref()
            == Some("dolbom");
    if !is_ours {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
            tables: tables.join(", "),
        });
    }
    if version > CURRENT_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: CURRENT_VERSION,
        });
    }
    Ok(Existing::Ours(version))
}

fn not_sqlite_or(path: &Path, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
        )
    {
        return StoreError::NotSqlite {
            path: path.to_path_buf(),
        };
    }
    sql_err(path, e)
}

/// Creates the folder (if `dirs`) and an empty file, private to the user on Unix (mode 0600);
/// an empty file that was already there is made private too, since it is about to hold the
/// database.
fn create_file(path: &Path, dirs: bool) -> Result<()> {
    let io_err = |e| StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        if dirs {
            std::fs::create_dir_all(dir).map_err(io_err)?;
        } else if !dir.is_dir() {
            return Err(io_err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "폴더가 없습니다: {} — 새 데이터베이스를 만들려면 폴더를 먼저 만드세요; 경로를 잘못 적었다면 고치세요 (folder does not exist)",
                    dir.display()
                ),
            )));
        }
    }
    crate::files::create_private(path).map_err(io_err)?;
    crate::files::make_private(path).map_err(io_err)?;
    Ok(())
}

/// Copies the database to `<db>.bak-v<N>` before migrating it from version N.
fn backup(path: &Path, version: u32) -> Result<PathBuf> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".bak-v{version}"));
    let bak = PathBuf::from(name);
    if bak.exists() {
        std::fs::remove_file(&bak).map_err(|e| StoreError::Io {
            path: bak.clone(),
            source: e,
        })?;
    }
    // VACUUM INTO includes whatever is still in the WAL, unlike a plain file copy.
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| sql_err(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| sql_err(path, e))?;
    conn.execute("VACUUM INTO ?1", params![bak.to_string_lossy()])
        .map_err(|e| sql_err(&bak, e))?;
    crate::files::make_private(&bak).map_err(|e| StoreError::Io {
        path: bak.clone(),
        source: e,
    })?;
    Ok(bak)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Takes effect only on a new, empty file (before the first table); bigger pages mean
    // shallower B-trees for bulk imports and sync.
    conn.pragma_update(None, "page_size", 16_384)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 32 MiB page cache (default is 2 MiB): bulk imports touch many pages.
    conn.pragma_update(None, "cache_size", -32_768)?;
    Ok(())
}

/// Runs every migration above the file's version, each in its own transaction.
pub fn migrate(conn: &mut Connection, target: u32) -> rusqlite::Result<()> {
    // Up to date: no write lock (another process may be writing for a while).
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version >= target {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version >= target {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version as usize])?;
        if version == 0 {
            tx.execute("INSERT INTO meta (key, value) VALUES ('app', 'dolbom')", [])?;
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

fn ensure_site(conn: &Connection, opts: &OpenOptions) -> rusqlite::Result<Site> {
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    };
    if let (Some(id), Some(name)) = (get("site_id")?, get("site_name")?) {
        return Ok(Site { id, name });
    }
    let site = Site {
        id: uuid::Uuid::new_v4().to_string(),
        name: opts.site_name.clone().unwrap_or_else(host_name),
    };
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('site_id', ?1), ('site_name', ?2), ('created_at', ?3)",
        params![site.id, site.name, opts.clock.stamp()],
    )?;
    Ok(site)
}

/// The first operator of a new database is admin; others are added as staff on first use
/// (see `users::new_operator_role`).
fn ensure_operator(conn: &Connection, operator: &str, clock: &Clock) -> rusqlite::Result<Role> {
    if let Some(role) = conn
        .query_row("SELECT role FROM users WHERE name = ?1", [operator], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    {
        return Ok(Role::parse(&role).unwrap_or(Role::Staff));
    }
    let role = super::users::new_operator_role(conn, operator)?;
    conn.execute(
        "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)",
        params![operator, role.as_str(), clock.stamp()],
    )?;
    Ok(role)
}

/// This machine's host name (recorded in the audit log).
pub fn host_name() -> String {
    hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}
