//! JSON input: an array of objects (or an object holding one such array, as public-data APIs
//! return: `{"data": [...]}`), or an HSDS object of tables (`{"organizations": [...],
//! "services": [...], ...}`).

use super::ImportError;
use super::hsds::{self, Table};
use super::reader::{MemorySource, memory_source};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Parses JSON text into records; the flag says whether it was HSDS. The line of a record is its
/// element number (1-based) in the array.
pub(crate) fn parse(path: &Path, text: &str) -> Result<(MemorySource, bool), ImportError> {
    let json_err = |message: String| ImportError::Json {
        path: path.to_owned(),
        message,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| json_err(e.to_string()))?;
    if let Value::Object(obj) = &value
        && hsds::TABLE_NAMES.iter().any(|t| obj.contains_key(*t))
    {
        let tables = hsds_tables(obj).map_err(json_err)?;
        return Ok((hsds::join(path, &tables)?, true));
    }
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(obj) => obj
            .values()
            .find_map(|v| match v {
                Value::Array(a) if a.iter().all(Value::is_object) && !a.is_empty() => Some(a),
                _ => None,
            })
            .ok_or_else(|| json_err("객체 배열이 없습니다 (array of objects expected)".into()))?,
        _ => {
            return Err(json_err(
                "객체 배열이어야 합니다 (array of objects expected)".into(),
            ));
        }
    };
    if items.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_owned(),
        });
    }
    let (headers, rows) = objects_to_rows(items).map_err(json_err)?;
    Ok((memory_source(headers, rows), false))
}

type Rows = (Vec<String>, Vec<(u64, Vec<String>)>);

/// Flattens objects into a header row (keys in order of first appearance) and cells.
fn objects_to_rows(items: &[Value]) -> Result<Rows, String> {
    let mut headers: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut objs: Vec<&Map<String, Value>> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let obj = item
            .as_object()
            .ok_or_else(|| format!("{}번째 항목이 객체가 아닙니다", i + 1))?;
        for k in obj.keys() {
            if !index.contains_key(k) {
                index.insert(k.clone(), headers.len());
                headers.push(k.clone());
            }
        }
        objs.push(obj);
    }
    let rows = objs
        .iter()
        .enumerate()
        .map(|(i, obj)| {
            let mut cells = vec![String::new(); headers.len()];
            for (k, v) in obj.iter() {
                if let Some(&j) = index.get(k) {
                    cells[j] = value_text(v);
                }
            }
            (i as u64 + 1, cells)
        })
        .collect();
    Ok((headers, rows))
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn hsds_tables(obj: &Map<String, Value>) -> Result<BTreeMap<String, Table>, String> {
    let mut tables = BTreeMap::new();
    for (name, v) in obj {
        let Value::Array(items) = v else { continue };
        if items.is_empty() {
            continue;
        }
        let (headers, rows) = objects_to_rows(items)?;
        tables.insert(name.clone(), Table::new(name, headers, rows));
    }
    Ok(tables)
}
