//! `dolbom resources export`: the directory as CSV (UTF-8 with BOM, so Excel opens it) or JSON.

use crate::store::{Store, StoreError};
use std::io::Write;
use std::path::Path;

/// Header row of the CSV export; the importer recognises these names.
pub const CSV_HEADER: [&str; 12] = [
    "id",
    "자원명",
    "분류",
    "세부유형",
    "운영주체",
    "주소",
    "전화번호",
    "운영시간",
    "이용대상",
    "정원",
    "출처",
    "시설코드",
];

fn io_err(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Writes every live resource to `path` as CSV (atomically, mode 0600). Returns the row count.
pub fn write_csv(store: &Store, path: &Path) -> Result<usize, StoreError> {
    let rows = store.resources()?;
    crate::files::write_atomic(path, |file| {
        file.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(file);
        w.write_record(CSV_HEADER)?;
        for r in &rows {
            let d = &r.resource;
            let capacity = d.capacity.map(|c| c.to_string()).unwrap_or_default();
            w.write_record([
                d.id.as_str(),
                &d.name,
                &d.category,
                &d.detail_type,
                &d.provider_type,
                &d.address,
                &d.phone,
                &d.hours,
                &d.eligibility,
                &capacity,
                &d.source,
                d.source_key.as_deref().unwrap_or(""),
            ])?;
        }
        w.flush()?;
        Ok(())
    })
    .map_err(|e| io_err(path, e))?;
    Ok(rows.len())
}

/// Writes every live resource to `path` as a JSON array (atomically, mode 0600).
pub fn write_json(store: &Store, path: &Path) -> Result<usize, StoreError> {
    let rows = store.resources()?;
    let list: Vec<_> = rows.iter().map(|r| &r.resource).collect();
    crate::files::write_atomic(path, |file| {
        serde_json::to_writer_pretty(&mut *file, &list).map_err(std::io::Error::other)?;
        file.write_all(b"\n")
    })
    .map_err(|e| io_err(path, e))?;
    Ok(rows.len())
}
