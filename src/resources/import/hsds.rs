//! Open Referral HSDS input (a documented subset), as a directory of CSV tables or a JSON object of
//! table arrays. One resource per service:
//!
//! | resource field | HSDS source |
//! |---|---|
//! | key | `services.id` |
//! | name | `services.name` (else the organization's name) |
//! | address | `physical_addresses` / `addresses` of the service's location (via `services_at_location`, else the organization's first location): `state_province`/`region`, `city`/`locality`, `address_1`, `address_2` joined by spaces |
//! | phone | `phones.number` of the service, else its location, else its organization |
//! | eligibility | `services.eligibility_description` (HSDS 3), else `eligibility.eligibility` (HSDS 2) |
//! | category, detail_type, provider_type, hours, capacity | extension columns of the same name on `services` (HSDS allows extra fields); category is normalised as for any file |
//!
//! Table names may be singular or plural (`service.csv` or `services.csv`). Records are
//! numbered by their line in `services.csv` (or element number in JSON).

use super::reader::{MemorySource, memory_source, read_small_csv};
use super::{ImportError, ImportOptions};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Table names that mark a JSON object as HSDS.
pub(crate) const TABLE_NAMES: &[&str] = &[
    "services",
    "service",
    "organizations",
    "organization",
    "locations",
    "location",
];

/// One HSDS table.
pub(crate) struct Table {
    headers: HashMap<String, usize>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    pub(crate) fn new(_name: &str, headers: Vec<String>, rows: Vec<(u64, Vec<String>)>) -> Self {
        let headers = headers
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h.trim().trim_start_matches('\u{FEFF}').to_lowercase(), i))
            .collect();
        Self { headers, rows }
    }

    fn get<'a>(&self, row: &'a [String], col: &str) -> Option<&'a str> {
        let v = row.get(*self.headers.get(col)?)?.trim();
        (!v.is_empty()).then_some(v)
    }

    fn first<'a>(&self, row: &'a [String], cols: &[&str]) -> Option<&'a str> {
        cols.iter().find_map(|c| self.get(row, c))
    }

    /// Rows whose `col` equals `value`.
    fn find<'a>(&'a self, col: &'a str, value: &'a str) -> impl Iterator<Item = &'a [String]> + 'a {
        self.rows
            .iter()
            .map(|(_, r)| r.as_slice())
            .filter(move |r| self.get(r, col) == Some(value))
    }
}

fn table<'a>(tables: &'a BTreeMap<String, Table>, names: &[&str]) -> Option<&'a Table> {
    names.iter().find_map(|n| tables.get(*n))
}

/// All known table names (singular and plural) for a directory of CSV files.
const ALL_TABLES: &[&str] = &[
    "services",
    "service",
    "organizations",
    "organization",
    "locations",
    "location",
    "services_at_location",
    "service_at_location",
    "physical_addresses",
    "addresses",
    "address",
    "phones",
    "phone",
    "eligibility",
];

/// Reads an HSDS directory of CSV tables.
pub(crate) fn read_dir(dir: &Path, opts: &ImportOptions) -> Result<MemorySource, ImportError> {
    let mut tables = BTreeMap::new();
    for name in ALL_TABLES {
        let path = dir.join(format!("{name}.csv"));
        if path.is_file() {
            let (headers, rows) = read_small_csv(&path, opts)?;
            tables.insert((*name).to_owned(), Table::new(name, headers, rows));
        }
    }
    join(dir, &tables)
}

const OUT_HEADERS: [&str; 10] = [
    "id",
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

/// Joins HSDS tables into one record per service.
pub(crate) fn join(
    path: &Path,
    tables: &BTreeMap<String, Table>,
) -> Result<MemorySource, ImportError> {
    let services = table(tables, &["services", "service"]);
    let orgs = table(tables, &["organizations", "organization"]);
    let Some(main) = services.or(orgs) else {
        return Err(ImportError::Hsds {
            path: path.to_owned(),
            message: "services(.csv) 또는 organizations(.csv) 표가 없습니다".to_owned(),
        });
    };
    let is_service = services.is_some();
    let ctx = Ctx { tables, orgs };
    let rows = main
        .rows
        .iter()
        .map(|(line, row)| (*line, ctx.record(main, row, is_service)))
        .collect();
    Ok(memory_source(
        OUT_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    ))
}

struct Ctx<'a> {
    tables: &'a BTreeMap<String, Table>,
    orgs: Option<&'a Table>,
}

impl Ctx<'_> {
    fn record(&self, t: &Table, row: &[String], is_service: bool) -> Vec<String> {
        let id = t.get(row, "id");
        let org_id = if is_service {
            t.get(row, "organization_id")
        } else {
            id
        };
        let org_row = self
            .orgs
            .zip(org_id)
            .and_then(|(o, oid)| o.find("id", oid).next().map(|r| (o, r)));
        let name = t
            .get(row, "name")
            .or_else(|| org_row.and_then(|(o, r)| o.get(r, "name")));
        let location = self.location_id(id.filter(|_| is_service), org_id);
        let phone = self.phone(id.filter(|_| is_service), location.as_deref(), org_id);
        let eligibility = t
            .get(row, "eligibility_description")
            .map(str::to_owned)
            .or_else(|| {
                let e = table(self.tables, &["eligibility"])?;
                let sid = id.filter(|_| is_service)?;
                e.find("service_id", sid)
                    .find_map(|r| e.get(r, "eligibility"))
                    .map(str::to_owned)
            });
        let ext = |c: &str| t.get(row, c).unwrap_or("").to_owned();
        vec![
            id.unwrap_or("").to_owned(),
            name.unwrap_or("").to_owned(),
            ext("category"),
            ext("detail_type"),
            ext("provider_type"),
            location.and_then(|l| self.address(&l)).unwrap_or_default(),
            phone.unwrap_or_default(),
            ext("hours"),
            eligibility.unwrap_or_default(),
            ext("capacity"),
        ]
    }

    fn location_id(&self, service: Option<&str>, org: Option<&str>) -> Option<String> {
        if let (Some(sal), Some(sid)) = (
            table(
                self.tables,
                &["services_at_location", "service_at_location"],
            ),
            service,
        ) && let Some(l) = sal
            .find("service_id", sid)
            .find_map(|r| sal.get(r, "location_id"))
        {
            return Some(l.to_owned());
        }
        let locs = table(self.tables, &["locations", "location"])?;
        locs.find("organization_id", org?)
            .find_map(|r| locs.get(r, "id"))
            .map(str::to_owned)
    }

    fn address(&self, location: &str) -> Option<String> {
        let a = table(self.tables, &["physical_addresses", "addresses", "address"])?;
        let row = a.find("location_id", location).next()?;
        let parts: Vec<&str> = [
            a.first(row, &["state_province", "region"]),
            a.first(row, &["city", "locality"]),
            a.get(row, "address_1"),
            a.get(row, "address_2"),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn phone(&self, service: Option<&str>, loc: Option<&str>, org: Option<&str>) -> Option<String> {
        let p = table(self.tables, &["phones", "phone"])?;
        let by = |col: &str, v: Option<&str>| {
            v.and_then(|v| {
                p.find(col, v)
                    .find_map(|r| p.get(r, "number").map(str::to_owned))
            })
        };
        by("service_id", service)
            .or_else(|| by("location_id", loc))
            .or_else(|| by("organization_id", org))
    }
}
