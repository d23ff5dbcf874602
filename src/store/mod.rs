//! The SQLite file: open (WAL, busy timeout, foreign keys), migrations, site identity, and
//! typed reads/writes per table group. Panes and commands never hold SQL; they call this.

pub mod audit;
mod cases;
mod discovery;
pub use discovery::{DiscoveryFilter, RoundCount, rebuild_indexes};
pub mod cipher;
pub mod demo;
mod entries;
mod keys;
mod open;
pub mod oplog;
pub mod privacy_scrub;
pub mod queries;
pub mod reads;
mod referrals;
mod reports;
mod resident_edit;
mod residents;
mod resources;
pub mod retention;
pub mod schema;
mod search_index;
pub mod sync;
mod team;
mod today;
#[cfg(test)]
pub(crate) use today::reference as today_reference;
pub mod upsert;
mod users;
pub mod visits;
pub use users::canonical_operator;
mod write;

pub use keys::{DbStatus, encrypt_file, failures, failures_path, slots_path};
pub use open::{OpenOptions, migrate as migrate_to};
pub use resident_edit::ResidentEdit;
pub use residents::{
    NewResident, ResidentDetail, ResidentSummary, SearchRecord, for_each_search_record,
    read_search_records,
};
pub use resources::ResourceRow;
pub use search_index::{
    Checksum as SearchIndexChecksum, DecodeIndex, NameLookup, VerifyIndex,
    checksum as search_index_checksum, search_snapshot_at, stored_search_index_at,
};
pub use team::scopes_of;
pub use write::{Tx, Val, materialize_insert, row_fields};

use crate::clock::Clock;
use crate::crypto::DbKey;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// Errors from the store. Each names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path}: SQLite 데이터베이스 파일이 아닙니다 (not an SQLite database); 파일은 건드리지 않았습니다 (left untouched)"
    )]
    NotSqlite { path: PathBuf },
    #[error(
        "{path}: dolbom 데이터베이스가 아닙니다 (an SQLite file with other tables: {tables}); 파일은 건드리지 않았습니다 (left untouched)"
    )]
    Foreign { path: PathBuf, tables: String },
    #[error(
        "{path}: 이 파일은 더 새로운 dolbom이 만든 것입니다 (schema version {found} > {supported}); dolbom을 업데이트하세요 (left untouched)"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "{path}: 다른 dolbom이 이 파일을 쓰고 있습니다 (database is busy); 잠시 후 다시 시도하세요"
    )]
    Busy { path: PathBuf },
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: 암호화된 데이터베이스입니다 — 열려면 작업자 암호가 필요합니다 (--key-file 파일, DOLBOM_KEY_FILE, 또는 터미널에서 입력); 파일은 건드리지 않았습니다 (encrypted: a passphrase is needed)"
    )]
    Locked { path: PathBuf, new: bool },
    #[error(
        "{path}: 작업자 {operator:?}의 암호가 틀렸습니다 (wrong passphrase); 파일은 건드리지 않았습니다"
    )]
    WrongPassphrase { path: PathBuf, operator: String },
    #[error(
        "{keys}: 작업자 {operator:?}의 키 슬롯이 없습니다 (no key slot) — --user로 작업자를 고르거나 관리자에게 `dolbom users add`를 요청하세요; 데이터베이스는 건드리지 않았습니다"
    )]
    UnknownOperator { keys: PathBuf, operator: String },
    #[error(
        "{keys}: 키 슬롯 파일이 없습니다 (key slot file missing) — 이 파일 없이는 암호화된 {db}를 열 수 없습니다; 백업에서 되살리세요. 데이터베이스는 건드리지 않았습니다"
    )]
    SlotFileMissing { db: PathBuf, keys: PathBuf },
    #[error(
        "{keys}: 키 슬롯 파일이 손상되었습니다 (damaged key slot file: {reason}); 백업에서 되살리세요. 데이터베이스는 건드리지 않았습니다"
    )]
    SlotFileDamaged { keys: PathBuf, reason: String },
    #[error(
        "{keys}: 이 키 슬롯 파일로는 데이터베이스가 열리지 않습니다 (the slots belong to another database or key); 데이터베이스는 건드리지 않았습니다"
    )]
    KeyMismatch { keys: PathBuf },
    #[error(
        "{keys}: 키 슬롯 파일이 데이터베이스에 기록된 것과 다릅니다 (replaced by an older or foreign copy?); 열지 않았습니다 — 관리자에게 알리세요"
    )]
    SlotsReplaced { keys: PathBuf },
    #[error("{0}")]
    Invalid(String),
    /// The operator's role does not allow this; the refusal was audited (see
    /// [`Store::require`]).
    #[error(
        "{what}: {}만 할 수 있습니다 (작업자 {operator}: {}; {} only). {}에게 요청하세요.{}",
        .needed.label(), .role.label(), .needed.as_str(), .needed.label(),
        if *.audited { "" } else { " (거부 기록을 감사 로그에 남기지 못했습니다)" }
    )]
    Denied {
        what: String,
        operator: String,
        role: Role,
        needed: Role,
        /// Whether the refusal's 거부 row was written.
        audited: bool,
    },
    /// A write (or a read that must leave an audit row) on a database opened read-only.
    #[error(
        "{path}: 읽기 전용이라 바꾸거나 조회 기록(감사 로그)을 남길 수 없습니다 (read-only database) — \
         개인정보 조회(검색·목록·상세·출력)는 기록 없이 보여 드리지 않습니다. \
         파일과 폴더의 쓰기 권한을 확인하세요"
    )]
    ReadOnly { path: PathBuf },
    #[error("찾을 수 없습니다 (not found): {0}")]
    NotFound(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A database file and the key that opens it (none for a plain file): what a second
/// connection needs. Its `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct DbFile {
    path: PathBuf,
    key: Option<DbKey>,
}

impl DbFile {
    /// A plain database file.
    pub fn plain(path: impl Into<PathBuf>) -> DbFile {
        DbFile {
            path: path.into(),
            key: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens another store on this file as `operator` (a worker thread's connection to a file
    /// this process has already unlocked; see [`Store::file`]).
    pub fn reopen(&self, operator: &str, clock: Clock) -> Result<Store> {
        open::reopen(self, operator, clock)
    }

    /// A read-only connection through a `file:` URI (`immutable`: read without the WAL's
    /// shared memory, for a folder we may not write), keyed when the file is encrypted.
    pub(crate) fn connect_read_only(&self, immutable: bool) -> rusqlite::Result<Connection> {
        let conn = cipher::connect(
            cipher::file_uri(&self.path, immutable),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
                | rusqlite::OpenFlags::SQLITE_OPEN_URI,
            self.key.as_ref(),
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }
}

impl From<&Path> for DbFile {
    fn from(path: &Path) -> DbFile {
        DbFile::plain(path)
    }
}

impl From<&PathBuf> for DbFile {
    fn from(path: &PathBuf) -> DbFile {
        DbFile::plain(path.clone())
    }
}

impl From<PathBuf> for DbFile {
    fn from(path: PathBuf) -> DbFile {
        DbFile::plain(path)
    }
}

/// This site's identity, created on first open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: String,
    pub name: String,
}

/// Operator roles, ordered by what they may do: `role >= Role::Lead` holds for 팀장 and
/// 관리자. (Declaration order is the order: keep new roles in their place.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// 일반 작업자.
    Staff,
    /// 팀장: 결재, everyone's cases in 오늘, handover.
    Lead,
    /// 관리자: imports, operators, audit log (and everything a lead does).
    Admin,
}

impl Role {
    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Lead => "lead",
            Role::Staff => "staff",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "lead" => Some(Role::Lead),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
    /// Korean label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "관리자",
            Role::Lead => "팀장",
            Role::Staff => "작업자",
        }
    }
}

/// An open dolbom database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The database key of an encrypted file (`None`: plain).
    key: Option<DbKey>,
    site: Site,
    operator: String,
    role: Role,
    host: String,
    clock: Clock,
}

impl Store {
    /// Opens (creating or migrating) the database at `path`. See [`OpenOptions`].
    /// The operator name is made canonical first ([`users::canonical_operator`]): `" root"`
    /// opens as `root`, and a name with control characters is refused.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
        let mut opts = opts.clone();
        opts.operator = users::canonical_operator(&opts.operator, "--user")?;
        open::open(path, &opts)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The file and its key, for another connection (a background index build).
    pub fn file(&self) -> DbFile {
        DbFile {
            path: self.path.clone(),
            key: self.key.clone(),
        }
    }
    pub fn site(&self) -> &Site {
        &self.site
    }
    pub fn operator(&self) -> &str {
        &self.operator
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn host(&self) -> &str {
        &self.host
    }
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
    /// Replace the clock (tests, fixed-date demos).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Read access for query modules inside the crate.
    /// The connection, for reads in tests outside `store`.
    #[cfg(test)]
    pub(crate) fn conn_for_tests(&self) -> &Connection {
        self.conn()
    }

    pub(in crate::store) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction; every change to a synced table made through it appends to
    /// the op log, and the whole of it commits or nothing does.
    pub fn write(&mut self) -> Result<Tx<'_>> {
        let path = self.path.clone();
        let now_ms = self.clock.now_ms();
        let stamp = self.clock.stamp();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql_err(&path, e))?;
        Tx::begin(tx, path, self.site.id.clone(), now_ms, stamp)
    }

    pub(crate) fn sql_err(&self, e: rusqlite::Error) -> StoreError {
        sql_err(&self.path, e)
    }

    /// SHA-256 over every synced table's content (all columns but `site_id` and `hlc`, rows in
    /// id order). Equal digests mean equal data; used by tests and `dolbom sync status`.
    pub fn content_digest(&self) -> Result<String> {
        queries::content_digest(self)
    }
}

/// How long a writer waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// This machine's host name (recorded in the audit log).
pub fn host_name() -> String {
    hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// A column held a value no enum knows (a stage, an entry kind …).
pub(super) fn bad(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what}: {value}").into(),
    )
}

pub(crate) fn sql_err(path: &Path, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        )
    {
        return StoreError::Busy {
            path: path.to_path_buf(),
        };
    }
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.code == rusqlite::ErrorCode::ReadOnly
    {
        return StoreError::ReadOnly {
            path: path.to_path_buf(),
        };
    }
    StoreError::Sqlite {
        path: path.to_path_buf(),
        source: e,
    }
}
