//! Resource upserts: by (source, key), else by natural key among the source's keyless rows.

use super::{Actor, ImportReport, Item, KeyFilter, ResourceImport, RowSet, UpsertError, pipeline};
use crate::resources::import::{
    ResourceField, ResourceRow, RowError, Rows, natural_key, open_resources,
};
use crate::store::upsert::ImportedResource as Existing;
use crate::store::{Store, StoreError, Tx, Val};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// Content columns a file can set, with the field whose presence lets it set them.
const CONTENT: [(&str, &[ResourceField]); 9] = [
    ("name", &[ResourceField::Name]),
    ("category", &[ResourceField::Category]),
    (
        "detail_type",
        &[ResourceField::DetailType, ResourceField::Category],
    ),
    ("provider_type", &[ResourceField::ProviderType]),
    ("address", &[ResourceField::Address]),
    ("phone", &[ResourceField::Phone]),
    ("hours", &[ResourceField::Hours]),
    ("eligibility", &[ResourceField::Eligibility]),
    ("capacity", &[ResourceField::Capacity]),
];

/// The row's value for each content column, in [`CONTENT`] order (`''`/NULL when absent).
fn values_of(row: ResourceRow) -> [Val; 9] {
    let t = |s: Option<String>| Val::Text(s.unwrap_or_default());
    [
        Val::Text(row.name),
        Val::Text(row.category),
        t(row.detail_type),
        t(row.provider_type),
        t(row.address),
        t(row.phone),
        t(row.hours),
        t(row.eligibility),
        row.capacity.map_or(Val::Null, Val::Int),
    ]
}

fn hash_key(key: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// The first 4 bytes of a source's resource ids.
fn source_prefix(source: &str) -> [u8; 4] {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(source.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// The id of an imported resource, the same at every site that imports the same record.
///
/// Centres often import the same public-data file; with ids made up at each site, two sites'
/// rows for one facility would clash on (source, key) when they sync. With these ids both
/// sites' inserts are inserts of the same row, which merging settles field by field.
///
/// UUID-shaped, 16 bytes: 4 bytes of SHA-256 of the source, a marker byte, then 11 bytes —
/// the key itself, zero-padded, when it fits (so a file sorted by key, as public data usually
/// is, appends to the id index instead of inserting at random: a million random ids made the
/// import 60% slower), else SHA-256 of the key or of the natural key (name + address).
///
/// `prefix` is [`source_prefix`] of the source, computed once per file.
fn id_in_source(prefix: [u8; 4], key: Option<&str>, natural: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(&prefix);
    match key {
        Some(k) if k.len() <= 11 && !k.as_bytes().contains(&0) => {
            bytes[4] = 0xd1;
            bytes[5..5 + k.len()].copy_from_slice(k.as_bytes());
        }
        _ => {
            let (tag, text) = match key {
                Some(k) => (b'k', k),
                None => (b'n', natural),
            };
            let h = Sha256::new()
                .chain_update([tag])
                .chain_update(text.as_bytes());
            bytes[4] = 0xd2;
            bytes[5..].copy_from_slice(&h.finalize()[..11]);
        }
    }
    uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
}

/// The upsert of one file.
struct Upsert<'t, 'c> {
    tx: &'t mut Tx<'c>,
    path: &'t Path,
    source: String,
    today: String,
    /// Which content columns the file has.
    present: [bool; 9],
    report: ImportReport,
    touched: RowSet,
    /// Hash of natural key → rowids, of the source's keyless rows; built on first need.
    natural: Option<HashMap<u64, Vec<i64>>>,
    /// Hashes of the source's keys (in the store or inserted so far); built on first need.
    keys: Option<KeyFilter>,
    /// The source's id prefix (see [`id_in_source`]).
    prefix: Option<[u8; 4]>,
}

impl Upsert<'_, '_> {
    fn apply(&mut self, item: Result<ResourceRow, RowError>) -> Result<(), UpsertError> {
        let row = match item {
            Ok(row) => row,
            Err(e) => {
                self.report.reject(e);
                return Ok(());
            }
        };
        let line = row.line;
        let found = match row.key.as_deref() {
            Some(key) => self.by_key(key)?,
            None => self.by_natural_key(&row.natural_key())?,
        };
        if let Some(existing) = &found
            && !self.touched.insert(existing.rowid)
        {
            let what = match row.key.as_deref() {
                Some(key) => format!("시설코드 {key}"),
                None => "같은 이름·주소".to_string(),
            };
            self.report.reject_line(
                self.path,
                line,
                format!("{what}가 이 파일의 앞 행과 중복됩니다 (앞 행을 반영했습니다)"),
            );
            return Ok(());
        }
        let key = row.key.clone();
        let natural = key.is_none().then(|| row.natural_key());
        let values = values_of(row);
        match found {
            Some(existing) => self.update(&existing, values)?,
            None => self.insert(key, natural.as_deref(), values)?,
        }
        Ok(())
    }

    fn by_key(&mut self, key: &str) -> Result<Option<Existing>, StoreError> {
        if self.keys.is_none() {
            self.keys = Some(self.load_keys()?);
        }
        let hash = hash_key(key);
        if let Some(keys) = self.keys.as_mut()
            && !keys.may_contain(hash)
        {
            keys.add(hash); // about to be inserted
            return Ok(None);
        }
        self.tx.resource_by_source_key(&self.source, key)
    }

    fn by_natural_key(&mut self, key: &str) -> Result<Option<Existing>, StoreError> {
        if self.natural.is_none() {
            self.natural = Some(self.load_natural()?);
        }
        let rowids = self
            .natural
            .as_ref()
            .and_then(|m| m.get(&hash_key(key)))
            .cloned()
            .unwrap_or_default();
        for rowid in rowids {
            let existing = self.tx.resource_by_rowid(rowid)?;
            if let Some(e) = existing {
                let text = |i: usize| match &e.values[i] {
                    Val::Text(s) => s.as_str(),
                    _ => "",
                };
                if natural_key(text(0), text(4)) == key {
                    return Ok(Some(e));
                }
            }
        }
        Ok(None)
    }

    fn load_keys(&self) -> Result<KeyFilter, StoreError> {
        let mut filter = KeyFilter::new();
        self.tx
            .for_each_source_key(&self.source, |key| filter.add(hash_key(key)))?;
        Ok(filter)
    }

    fn load_natural(&self) -> Result<HashMap<u64, Vec<i64>>, StoreError> {
        let mut map: HashMap<u64, Vec<i64>> = HashMap::new();
        self.tx
            .for_each_keyless_resource(&self.source, |rowid, name, address| {
                map.entry(hash_key(&natural_key(name, address)))
                    .or_default()
                    .push(rowid);
            })?;
        Ok(map)
    }

    fn insert(
        &mut self,
        key: Option<String>,
        natural: Option<&str>,
        values: [Val; 9],
    ) -> Result<(), StoreError> {
        let prefix = *self
            .prefix
            .get_or_insert_with(|| source_prefix(&self.source));
        let id = id_in_source(prefix, key.as_deref(), natural.unwrap_or_default());
        let natural = natural.map(hash_key);
        let mut fields: Vec<(&str, Val)> = Vec::with_capacity(CONTENT.len() + 3);
        for ((col, _), v) in CONTENT.iter().zip(values) {
            fields.push((col, v));
        }
        fields.push(("source", Val::Text(self.source.clone())));
        fields.push(("source_key", Val::opt(key)));
        fields.push(("imported_at", Val::Text(self.today.clone())));
        self.tx.insert("resources", &id, &fields)?;
        let rowid = self.tx.last_insert_rowid();
        self.touched.insert(rowid);
        if let (Some(h), Some(map)) = (natural, self.natural.as_mut()) {
            map.entry(h).or_default().push(rowid);
        }
        self.report.inserted += 1;
        Ok(())
    }

    fn update(&mut self, existing: &Existing, values: [Val; 9]) -> Result<(), StoreError> {
        let mut changed: Vec<(&str, Val)> = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            if self.present[i] && existing.values[i] != v {
                changed.push((CONTENT[i].0, v));
            }
        }
        if existing.deleted {
            changed.push(("deleted", Val::Int(0)));
        }
        if changed.is_empty() {
            self.report.unchanged += 1;
            return Ok(());
        }
        changed.push(("imported_at", Val::Text(self.today.clone())));
        self.tx.update("resources", &existing.id, &changed)?;
        self.report.updated += 1;
        Ok(())
    }
}

/// The default source name: the file stem (`기관목록.csv` → `기관목록`).
pub fn default_source(path: &Path) -> String {
    path.file_stem()
        .or_else(|| path.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "import".to_string())
}

/// Imports a resource file into the directory (admin only; the refusal is audited).
///
/// Everything happens in one transaction: a file-level error, a crash or Ctrl-C leaves the
/// directory as it was. With `dry_run` the same work is done and rolled back.
pub fn import_resources(
    store: &mut Store,
    path: &Path,
    settings: &ResourceImport,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport, UpsertError> {
    store.require_admin("resources import")?;
    let rows = open_resources(path, &settings.options)?;
    let source = settings
        .source
        .clone()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default_source(path));
    let mut report = ImportReport::new("resources", rows.info(), path, settings.dry_run);
    report.source = Some(source);
    let mut present = [false; 9];
    for (i, (_, fields)) in CONTENT.iter().enumerate() {
        present[i] = fields.iter().any(|f| rows.columns().has(*f));
    }
    write_rows(store, path, report, present, rows, Rows::progress, progress)
}

/// The write half of [`import_resources`], over any iterator of parsed rows.
fn write_rows<I>(
    store: &mut Store,
    path: &Path,
    report: ImportReport,
    present: [bool; 9],
    rows: I,
    progress_of: fn(&I) -> (u64, u64),
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportReport, UpsertError>
where
    I: Iterator<Item = Item<ResourceRow>> + Send,
{
    let actor = Actor::of(store);
    let mut tx = store.write()?;
    let mut up = Upsert {
        tx: &mut tx,
        path,
        source: report.source.clone().unwrap_or_default(),
        today: actor.today.clone(),
        present,
        report,
        touched: RowSet::default(),
        natural: None,
        keys: None,
        prefix: None,
    };
    pipeline(rows, progress_of, progress, |item| up.apply(item))?;
    let report = up.report;
    actor.finish(tx, &report)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::import::{ImportError, ImportOptions};
    use crate::store::OpenOptions;

    #[test]
    fn content_columns_match_the_store_read_order() {
        let cols: Vec<&str> = CONTENT.iter().map(|(c, _)| *c).collect();
        assert_eq!(cols, crate::store::upsert::RESOURCE_CONTENT);
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import")
            .join(name)
    }

    #[test]
    fn resource_ids_are_stable_and_follow_key_order() {
        let p = source_prefix("전국복지시설");
        assert_eq!(
            id_in_source(p, Some("A-0001"), ""),
            id_in_source(p, Some("A-0001"), "")
        );
        assert!(id_in_source(p, Some("A-0001"), "") < id_in_source(p, Some("A-0002"), ""));
        assert_ne!(
            id_in_source(p, Some("A-0001"), ""),
            id_in_source(source_prefix("다른 출처"), Some("A-0001"), "")
        );
        // Long keys and keyless rows are hashed; a key never collides with a natural key.
        let long = "X".repeat(40);
        assert_eq!(
            id_in_source(p, Some(&long), ""),
            id_in_source(p, Some(&long), "")
        );
        assert_ne!(id_in_source(p, Some("A"), "A"), id_in_source(p, None, "A"));
        assert_eq!(id_in_source(p, None, "푸드뱅크\u{1f}관악로 1").len(), 36);
    }

    /// A read failure after some rows were already written rolls all of them back.
    #[test]
    fn error_mid_file_rolls_back_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db"), &OpenOptions::new("관리자")).unwrap();
        let before = store.content_digest().unwrap();
        let path = fixture("resources_utf8.csv");
        let rows = open_resources(&path, &ImportOptions::default()).unwrap();
        let report = ImportReport::new("resources", rows.info(), &path, false);
        let failing = rows.take(5).chain(std::iter::once(Err(ImportError::Read {
            path: path.clone(),
            line: 7,
            message: "디스크 오류".into(),
        })));
        let mut seen = 0;
        let err = write_rows(
            &mut store,
            &path,
            report,
            [true; 9],
            failing,
            |_| (0, 0),
            &mut |_, _| seen += 1,
        )
        .unwrap_err();
        assert!(matches!(err, UpsertError::File(_)), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("resources_utf8.csv:7:"), "{msg}");
        assert!(msg.contains("nothing was written"), "{msg}");
        assert_eq!(store.content_digest().unwrap(), before);
        assert_eq!(store.resources().unwrap().len(), 0);
        assert_eq!(seen, 0, "the failing batch is not reported as progress");
    }
}
