//! The reads behind file imports (`resources import`, `residents import`): finding the row an
//! imported record updates, and the key sets an import preloads. Writes go through
//! [`Tx::insert`]/[`Tx::update`], so they reach the op log like any other change.

use super::{Result, Tx, Val};
use rusqlite::OptionalExtension;
use rusqlite::types::ValueRef;

/// The resource columns an import may set, in the order of [`ImportedResource::values`].
pub const RESOURCE_CONTENT: [&str; 9] = [
    "name",
    "category",
    "detail_type",
    "provider_type",
    "address",
    "phone",
    "hours",
    "eligibility",
    "capacity",
];

const RESOURCE_SELECT: &str = "SELECT rowid, id, deleted, name, category, detail_type, \
     provider_type, address, phone, hours, eligibility, capacity FROM resources";

/// A resource already in the store, as an import sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedResource {
    pub rowid: i64,
    pub id: String,
    pub deleted: bool,
    /// In [`RESOURCE_CONTENT`] order.
    pub values: Vec<Val>,
}

/// A live resident already present, as far as an import may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedResident {
    pub rowid: i64,
    pub id: String,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub address: String,
    pub dong: String,
    pub sigungu: String,
    pub rrn_masked: Option<String>,
    /// Comma-separated, as stored.
    pub flags: String,
    /// Comma-separated, as stored.
    pub risks: String,
}

fn val_of(v: ValueRef<'_>) -> Val {
    match v {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(i) => Val::Int(i),
        ValueRef::Real(f) => Val::Text(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

fn read_resource(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImportedResource> {
    let mut values = Vec::with_capacity(RESOURCE_CONTENT.len());
    for i in 0..RESOURCE_CONTENT.len() {
        values.push(val_of(r.get_ref(3 + i)?));
    }
    Ok(ImportedResource {
        rowid: r.get(0)?,
        id: r.get(1)?,
        deleted: r.get::<_, i64>(2)? != 0,
        values,
    })
}

impl Tx<'_> {
    /// The rowid of the row the last insert made (an import tracks the rows it touched).
    pub fn last_insert_rowid(&self) -> i64 {
        self.conn().last_insert_rowid()
    }

    /// The resource with this (source, key), tombstoned or not.
    pub fn resource_by_source_key(
        &self,
        source: &str,
        key: &str,
    ) -> Result<Option<ImportedResource>> {
        let sql = format!("{RESOURCE_SELECT} WHERE source = ?1 AND source_key = ?2");
        self.conn()
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_row(rusqlite::params![source, key], read_resource)
                    .optional()
            })
            .map_err(|e| self.sql_err(e))
    }

    /// The resource at `rowid`.
    pub fn resource_by_rowid(&self, rowid: i64) -> Result<Option<ImportedResource>> {
        let sql = format!("{RESOURCE_SELECT} WHERE rowid = ?1");
        self.conn()
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([rowid], read_resource).optional())
            .map_err(|e| self.sql_err(e))
    }

    /// Calls `f` with every key of `source` (streamed: memory stays flat).
    pub fn for_each_source_key(&self, source: &str, mut f: impl FnMut(&str)) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT source_key FROM resources WHERE source = ?1 AND source_key IS NOT NULL",
            )
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt.query([source]).map_err(|e| self.sql_err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql_err(e))? {
            let key = r.get_ref(0).map_err(|e| self.sql_err(e))?;
            f(key.as_str().unwrap_or_default());
        }
        Ok(())
    }

    /// Calls `f(rowid, name, address)` for every keyless resource of `source`.
    pub fn for_each_keyless_resource(
        &self,
        source: &str,
        mut f: impl FnMut(i64, &str, &str),
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT rowid, name, address FROM resources WHERE source = ?1 AND source_key IS NULL",
            )
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt.query([source]).map_err(|e| self.sql_err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql_err(e))? {
            let get = |i| r.get::<_, String>(i).map_err(|e| self.sql_err(e));
            let rowid: i64 = r.get(0).map_err(|e| self.sql_err(e))?;
            f(rowid, &get(1)?, &get(2)?);
        }
        Ok(())
    }

    /// The first live resident with this NFC name and birth date.
    pub fn resident_by_name_birth(
        &self,
        name: &str,
        birth_date: &str,
    ) -> Result<Option<ImportedResident>> {
        self.conn()
            .prepare_cached(
                "SELECT rowid, id, sex, phone, address, dong, sigungu, rrn_masked, flags, risks
                 FROM residents WHERE name = ?1 AND birth_date = ?2 AND deleted = 0
                 ORDER BY rowid LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(rusqlite::params![name, birth_date], |r| {
                    Ok(ImportedResident {
                        rowid: r.get(0)?,
                        id: r.get(1)?,
                        sex: r.get(2)?,
                        phone: r.get(3)?,
                        address: r.get(4)?,
                        dong: r.get(5)?,
                        sigungu: r.get(6)?,
                        rrn_masked: r.get(7)?,
                        flags: r.get(8)?,
                        risks: r.get(9)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.sql_err(e))
    }

    /// Calls `f(name, birth_date, dong)` for every live resident with a 동 and a birth date.
    pub fn for_each_dated_resident(&self, mut f: impl FnMut(String, String, String)) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT name, birth_date, dong FROM residents
                 WHERE deleted = 0 AND dong <> '' AND birth_date IS NOT NULL",
            )
            .map_err(|e| self.sql_err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sql_err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql_err(e))? {
            let get = |i| r.get::<_, String>(i).map_err(|e| self.sql_err(e));
            f(get(0)?, get(1)?, get(2)?);
        }
        Ok(())
    }
}
