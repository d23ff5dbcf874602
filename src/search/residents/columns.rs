//! The per-resident columns beside the name index: record → rowid, filter attributes, and the
//! interned names they point into, with their persisted form.

use crate::search::persist::{Reader, Writer, le_u32, le_u64};
use std::collections::HashMap;

pub(super) const NONE8: u8 = u8::MAX;
pub(super) const NONE16: u16 = u16::MAX;

/// Small per-resident attributes for filtering (6 bytes each).
#[derive(Debug, Clone, Copy)]
pub(super) struct Attrs {
    pub(super) dong: u16,
    pub(super) worker: u16,
    pub(super) stage: u8,
    pub(super) category: u8,
}

/// Record → rowid: four bytes each while every rowid fits (the usual case), eight after.
#[derive(Debug)]
pub(super) enum Rowids {
    Narrow(Vec<u32>),
    Wide(Vec<i64>),
}

impl Rowids {
    pub(super) fn push(&mut self, rowid: i64) {
        match self {
            Rowids::Narrow(v) => match u32::try_from(rowid) {
                Ok(r) => v.push(r),
                Err(_) => {
                    let mut wide: Vec<i64> = v.iter().map(|&r| i64::from(r)).collect();
                    wide.push(rowid);
                    *self = Rowids::Wide(wide);
                }
            },
            Rowids::Wide(v) => v.push(rowid),
        }
    }
    pub(super) fn get(&self, i: usize) -> i64 {
        match self {
            Rowids::Narrow(v) => i64::from(v[i]),
            Rowids::Wide(v) => v[i],
        }
    }
    pub(super) fn len(&self) -> usize {
        match self {
            Rowids::Narrow(v) => v.len(),
            Rowids::Wide(v) => v.len(),
        }
    }
    pub(super) fn shrink_to_fit(&mut self) {
        match self {
            Rowids::Narrow(v) => v.shrink_to_fit(),
            Rowids::Wide(v) => v.shrink_to_fit(),
        }
    }
    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Rowids::Narrow(v) => v.capacity() * 4,
            Rowids::Wide(v) => v.capacity() * 8,
        }
    }
    pub(super) fn encode(&self, w: &mut Writer) {
        match self {
            Rowids::Narrow(v) => {
                w.u8(4);
                v.iter().for_each(|&r| w.u32(r));
            }
            Rowids::Wide(v) => {
                w.u8(8);
                v.iter().for_each(|&r| w.u64(r as u64));
            }
        }
    }
    pub(super) fn decode(r: &mut Reader<impl std::io::Read>, n: usize) -> Option<Rowids> {
        match r.u8()? {
            4 => r.vec(n, 4, le_u32).map(Rowids::Narrow),
            8 => r
                .vec(n, 8, |b| le_u64(b).map(|v| v as i64))
                .map(Rowids::Wide),
            _ => None,
        }
    }
}

/// Interns strings into small ids.
#[derive(Debug, Default)]
pub(super) struct Interner {
    pub(super) names: Vec<String>,
    pub(super) ids: HashMap<String, u16>,
}

impl Interner {
    pub(super) fn id(&mut self, s: &str) -> u16 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = self.names.len().min(usize::from(NONE16 - 1)) as u16;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
    pub(super) fn get(&self, s: &str) -> Option<u16> {
        self.ids.get(s).copied()
    }
}

impl Interner {
    pub(super) fn encode(&self, w: &mut Writer) {
        w.len(self.names.len());
        self.names.iter().for_each(|n| w.str(n));
    }
    pub(super) fn decode(r: &mut Reader<impl std::io::Read>) -> Option<Interner> {
        let n = r.len(4)?;
        let mut ix = Interner::default();
        for _ in 0..n {
            let name = r.str()?;
            if ix.names.len() >= usize::from(NONE16) || ix.ids.contains_key(&name) {
                return None;
            }
            ix.id(&name);
        }
        Some(ix)
    }
}
