//! Opening a database file safely: unlock an encrypted file's key slot, inspect read-only
//! first, refuse what is not ours (leaving it byte-for-byte untouched), back up before
//! migrating, then open read-write with our pragmas. Every connection is keyed before its first
//! statement ([`super::cipher::connect`]).

use super::cipher::file_uri;
use super::cipher::{self, EngineError};
use super::keys;
use super::schema::{CURRENT_VERSION, MIGRATIONS};
use super::{BUSY_TIMEOUT, Result, Role, Site, Store, StoreError, host_name, sql_err};
use crate::clock::Clock;
use crate::crypto::engine::{FileKind, file_kind};
use crate::crypto::{DbKey, KdfParams, KeySlots, Passphrase};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};

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
    /// The operator's passphrase: unlocks their key slot of an encrypted database, and makes
    /// the first slot of a new encrypted one. Ignored for a plain file.
    pub passphrase: Option<Passphrase>,
    /// Whether a *new* file is created encrypted (then [`OpenOptions::passphrase`] is needed).
    /// The CLI and the TUI set it unless `--no-encryption`; [`OpenOptions::new`] leaves it off,
    /// so library callers, the demo and the tests get plain files unless they ask.
    pub encrypt_new: bool,
    /// argon2id cost of the first key slot of a new encrypted database.
    pub kdf: KdfParams,
}

impl OpenOptions {
    /// Options for a plain database (an existing encrypted one needs
    /// [`OpenOptions::with_passphrase`]).
    pub fn new(operator: impl Into<String>) -> Self {
        OpenOptions {
            operator: operator.into(),
            site_name: None,
            create: true,
            create_dirs: true,
            clock: Clock::system(),
            passphrase: None,
            encrypt_new: false,
            kdf: KdfParams::DEFAULT,
        }
    }

    /// Unlocks `operator`'s key slot with `passphrase`; a new file is created encrypted.
    pub fn with_passphrase(mut self, passphrase: impl Into<String>) -> Self {
        self.passphrase = Some(Passphrase::new(passphrase));
        self.encrypt_new = true;
        self
    }
}

/// What we found in an existing file.
enum Existing {
    /// No file, or an empty one.
    New,
    /// A dolbom database at this schema version.
    Ours(u32),
}

/// How the file is keyed once [`unlock`] has run.
struct Access {
    key: Option<DbKey>,
    /// The operator who unlocked (the slot's canonical name), or `--user` for a plain file.
    operator: String,
    /// Slots to record inside the database (their digest) once it is open: a new encrypted
    /// database's first slots, or slots that passed the pending-digest check.
    record_slots: Option<KeySlots>,
}

pub(super) fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
    let kind = file_kind(path).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    if kind == FileKind::Empty && !opts.create {
        return Err(StoreError::NotFound(path.display().to_string()));
    }
    let mut access = unlock(path, kind, opts)?;
    let existing = match inspect(path, access.key.as_ref(), access.record_slots.is_none()) {
        // A `db rekey` killed after re-encrypting, before renaming its new slot file.
        Err(StoreError::KeyMismatch { .. })
            if kind == FileKind::Encrypted && keys::recover_rekey(path) =>
        {
            access = unlock(path, kind, opts)?;
            inspect(path, access.key.as_ref(), true)?
        }
        other => other?,
    };
    if kind == FileKind::Encrypted {
        keys::drop_stale_rekey(path);
    }
    let key = access.key.as_ref();
    if let Existing::New = existing {
        create_file(path, opts.create_dirs)?;
        if let (Some(_), Some(slots)) = (key, &access.record_slots) {
            // The slots go to disk before the first encrypted page, so a database is never
            // without the file that opens it.
            keys::save_slots_file(path, slots)?;
        }
    }
    if let Existing::Ours(v) = existing
        && v == CURRENT_VERSION
        && !writable(path)
    {
        return open_read_only(path, opts, access);
    }
    if let Existing::Ours(v) = existing
        && v < CURRENT_VERSION
    {
        backup(path, v, key)?;
    }
    let (conn, site, role) = match open_read_write(path, opts, &access) {
        Ok(opened) => opened,
        // A database we may not write (a read-only folder, so no journal): serve reads.
        Err(e) if is_read_only(&e) && matches!(existing, Existing::Ours(CURRENT_VERSION)) => {
            return open_read_only(path, opts, access);
        }
        Err(e) => return Err(sql_err(path, e)),
    };
    let store = Store {
        conn,
        path: path.to_path_buf(),
        key: access.key,
        site,
        operator: access.operator,
        role,
        host: host_name(),
        clock: opts.clock,
    };
    if store.key.is_some() {
        keys::after_unlock(&store)?;
    }
    super::privacy_scrub::finish_pending(&store)?;
    Ok(store)
}

/// Unlocks an encrypted file's key slot (or, for a new file that is to be encrypted, makes the
/// first slot in memory). Writes nothing to the database file; a wrong passphrase is counted in
/// `<db>.keys-failed` and waits [`crate::crypto::login_delay`] from the third one on.
fn unlock(path: &Path, kind: FileKind, opts: &OpenOptions) -> Result<Access> {
    let plain = || Access {
        key: None,
        operator: opts.operator.clone(),
        record_slots: None,
    };
    match kind {
        FileKind::Plain => Ok(plain()),
        FileKind::Empty if !opts.encrypt_new => Ok(plain()),
        FileKind::Empty => {
            let passphrase = opts.passphrase.as_ref().ok_or_else(|| StoreError::Locked {
                path: path.to_path_buf(),
                new: true,
            })?;
            let (slots, key) = KeySlots::create(&opts.operator, passphrase.as_str(), opts.kdf)
                .map_err(|e| keys::slot_error(path, &opts.operator, e))?;
            let operator = slots.operators().next().unwrap_or_default().to_owned();
            Ok(Access {
                key: Some(key),
                operator,
                record_slots: Some(slots),
            })
        }
        FileKind::Encrypted => {
            if !keys::slots_path(path).exists() && !looks_encrypted(path) {
                // Not a plain SQLite header and no slot file: some other file (a text file,
                // a truncated copy), not one of ours.
                return Err(StoreError::NotSqlite {
                    path: path.to_path_buf(),
                });
            }
            let slots = keys::load_slots_file(path)?;
            let passphrase = opts.passphrase.as_ref().ok_or_else(|| StoreError::Locked {
                path: path.to_path_buf(),
                new: false,
            })?;
            let operator = crate::crypto::normalize_operator(&opts.operator)
                .map_err(|e| keys::slot_error(path, &opts.operator, e.into()))?;
            let delay = crate::crypto::login_delay(keys::failures(path));
            if !delay.is_zero() {
                std::thread::sleep(delay);
            }
            match slots.unlock(&operator, passphrase.as_str()) {
                Ok(key) => Ok(Access {
                    key: Some(key),
                    operator,
                    record_slots: None,
                }),
                Err(e) => {
                    if matches!(e, crate::crypto::KeySlotError::WrongPassphrase(_)) {
                        keys::record_failure(path, &operator, &opts.clock);
                    }
                    Err(keys::slot_error(path, &operator, e))
                }
            }
        }
    }
}

type Opened = (Connection, Site, Role);

/// Whether a file without a plain SQLite header could be an encrypted database: whole pages
/// (sqlite3mc keeps SQLite's page sizes, 512 bytes at least).
fn looks_encrypted(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() >= 512 && m.len() % 512 == 0)
}

/// A second store on a file already opened (and unlocked) by this process: a worker thread's
/// own connection. No key slot is unlocked again.
pub(super) fn reopen(file: &super::DbFile, operator: &str, clock: Clock) -> Result<Store> {
    let mut opts = OpenOptions::new(operator);
    opts.clock = clock;
    let access = Access {
        key: file.key.clone(),
        operator: operator.to_owned(),
        record_slots: None,
    };
    let (conn, site, role) =
        open_read_write(&file.path, &opts, &access).map_err(|e| sql_err(&file.path, e))?;
    Ok(Store {
        conn,
        path: file.path.clone(),
        key: access.key,
        site,
        operator: access.operator,
        role,
        host: host_name(),
        clock,
    })
}

/// Opens read-write with our pragmas, migrates, and records the site and operator.
fn open_read_write(path: &Path, opts: &OpenOptions, access: &Access) -> rusqlite::Result<Opened> {
    let mut conn = cipher::connect(path, default_flags(), access.key.as_ref())?;
    configure(&conn)?;
    migrate(&mut conn, CURRENT_VERSION)?;
    let site = ensure_site(&conn, opts)?;
    let role = ensure_operator(&conn, &access.operator, &opts.clock)?;
    if let Some(slots) = &access.record_slots {
        keys::record_digest(&conn, slots)?;
    }
    super::audit::upgrade_chain(
        &conn,
        path,
        &access.operator,
        &host_name(),
        &opts.clock.stamp(),
    )?;
    Ok((conn, site, role))
}

/// Connection::open's flags.
fn default_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
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
fn open_read_only(path: &Path, opts: &OpenOptions, access: Access) -> Result<Store> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let open = |target: &str| -> rusqlite::Result<Connection> {
        let conn = cipher::connect(target, flags, access.key.as_ref())?;
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
            [&access.operator],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(|e| sql_err(path, e))?
        .and_then(|r| Role::parse(&r))
        .unwrap_or(Role::Staff);
    Ok(Store {
        conn,
        path: path.to_path_buf(),
        key: access.key,
        site,
        operator: access.operator,
        role,
        host: host_name(),
        clock: opts.clock,
    })
}

/// Looks at an existing file without writing to it, through `key` when it is encrypted. For an
/// existing encrypted file (`check_slots`) the slot file's digest must match the one recorded
/// inside the database.
fn inspect(path: &Path, key: Option<&DbKey>, check_slots: bool) -> Result<Existing> {
    let kind = file_kind(path).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    match (kind, key) {
        (FileKind::Empty, _) => return Ok(Existing::New),
        (FileKind::Encrypted, None) => {
            return Err(StoreError::NotSqlite {
                path: path.to_path_buf(),
            });
        }
        _ => {}
    }
    let look = |uri: &str| -> std::result::Result<(Connection, u32), EngineError> {
        let conn = cipher::connect(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
            key,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        Ok((conn, version))
    };
    // A WAL database in a folder we may not write cannot make its shared-memory file: look at
    // the file as it is instead.
    let (conn, version) = match look(&file_uri(path, false)) {
        Err(EngineError::Sql(e)) if is_read_only(&e) => look(&file_uri(path, true)),
        other => other,
    }
    .map_err(|e| match e {
        EngineError::WrongKey if key.is_some() => StoreError::KeyMismatch {
            keys: keys::slots_path(path),
        },
        e => not_sqlite_or(path, e.into()),
    })?;
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
    if key.is_some() && check_slots {
        keys::check_digest(path, &conn)?;
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

/// Copies the database to `<db>.bak-v<N>` before migrating it from version N; an encrypted
/// database's copy is made through its keyed connection, so it is encrypted with the same key.
fn backup(path: &Path, version: u32, key: Option<&DbKey>) -> Result<PathBuf> {
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
    let conn = cipher::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY, key)
        .map_err(|e| sql_err(path, e.into()))?;
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
    // Temp tables and sort spills are never encrypted: keep them in memory.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
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
        let sql = MIGRATIONS[version as usize];
        tx.execute_batch(sql)?;
        if sql == super::schema::V_PRIVACY {
            super::privacy_scrub::run_in_migration(&tx)?;
        }
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
