//! The SQLite file: open (WAL, busy timeout, foreign keys), migrations, site identity, and
//! typed reads/writes per table group. Panes and commands never hold SQL; they call this.

pub mod audit;
mod cases;
pub mod demo;
mod entries;
mod open;
pub mod oplog;
pub mod queries;
mod referrals;
mod reports;
mod resident_edit;
mod residents;
mod resources;
pub mod schema;
mod search_index;
pub mod sync;
mod today;
pub mod upsert;
mod users;
mod write;

pub use open::{OpenOptions, migrate as migrate_to};
pub use resident_edit::ResidentEdit;
pub use residents::{
    NewResident, ResidentDetail, ResidentSummary, SearchRecord, for_each_search_record,
    read_search_records,
};
pub use resources::ResourceRow;
pub use search_index::{checksum as search_index_checksum, search_snapshot_at};
pub use write::{Tx, Val, materialize_insert, row_fields};

use crate::clock::Clock;
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
    #[error("{0}")]
    Invalid(String),
    #[error("찾을 수 없습니다 (not found): {0}")]
    NotFound(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// This site's identity, created on first open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: String,
    pub name: String,
}

/// Operator roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// An open dolbom database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    site: Site,
    operator: String,
    role: Role,
    host: String,
    clock: Clock,
}

impl Store {
    /// Opens (creating or migrating) the database at `path`. See [`OpenOptions`].
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
        open::open(path, opts)
    }

    pub fn path(&self) -> &Path {
        &self.path
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
    pub(in crate::store) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction; every change to a synced table made through it appends to
    /// the op log, and the whole of it commits or nothing does.
    pub fn write(&mut self) -> Result<Tx<'_>> {
        let path = self.path.clone();
        let now_ms = self.clock.now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql_err(&path, e))?;
        Tx::begin(tx, path, self.site.id.clone(), now_ms)
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
    StoreError::Sqlite {
        path: path.to_path_buf(),
        source: e,
    }
}
