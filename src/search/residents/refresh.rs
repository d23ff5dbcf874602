//! A stale stored index brought up to date ([`ResidentIndex::refreshed`]): the residents changed
//! since it was stored, merged into it by rowid, a column at a time. A child module: it reads
//! the index's private columns.

use super::{Attrs, Interner, NONE8, NONE16, ResidentIndex, Rowids};
use crate::search::plan::Slot;
use crate::store::SearchRecord;

/// Whether `v` is strictly ascending.
fn ascending(mut v: impl Iterator<Item = i64>) -> bool {
    let mut last = None;
    v.all(|x| last.replace(x).is_none_or(|l| l < x))
}

/// A source index's interned ids → a refreshed index's (see [`ResidentIndex::refreshed`]),
/// assigned on first use.
struct NameMaps {
    dongs: Vec<Option<u16>>,
    workers: Vec<Option<u16>>,
    categories: Vec<Option<u16>>,
    flags: Vec<Option<u16>>,
}

impl NameMaps {
    fn for_index(ix: &ResidentIndex) -> NameMaps {
        let table = |i: &Interner| vec![None; i.names.len()];
        NameMaps {
            dongs: table(&ix.dongs),
            workers: table(&ix.workers),
            categories: table(&ix.categories),
            flags: table(&ix.flag_names),
        }
    }
}

/// `id` (of `names`) as interned in `to`, by way of `map`; `NONE16` stays; `None` for an id
/// `names` does not hold.
fn remap(id: u16, names: &Interner, map: &mut [Option<u16>], to: &mut Interner) -> Option<u16> {
    if id == NONE16 {
        return Some(NONE16);
    }
    let slot = map.get_mut(usize::from(id))?;
    if let Some(m) = *slot {
        return Some(m);
    }
    let m = to.id(names.names.get(usize::from(id))?);
    *slot = Some(m);
    Some(m)
}

impl ResidentIndex {
    /// This index brought up to date with the residents changed since it was built: `dirty`,
    /// their rowids (sorted), and `records`, the live ones' current records (sorted by rowid;
    /// a dirty rowid without one was deleted). The result is the index a rebuild from every
    /// resident would make — the same records in the same (rowid) order, the same groups — up
    /// to the order interned names are numbered in. `None` when this index is not in rowid
    /// order, a record is not on the dirty list, or the name tables are full (then rebuild it).
    pub fn refreshed(mut self, dirty: &[i64], records: Vec<SearchRecord>) -> Option<ResidentIndex> {
        let n = self.len();
        if !ascending((0..n).map(|r| self.rowids.get(r)))
            || !ascending(dirty.iter().copied())
            || !ascending(records.iter().map(|r| r.rowid))
            || !records
                .iter()
                .all(|r| dirty.binary_search(&r.rowid).is_ok())
            || self.flag_names.names.len() > 64
            || self.categories.names.len() >= 254
            || self.dongs.names.len() >= usize::from(NONE16 - 1)
            || self.workers.names.len() >= usize::from(NONE16 - 1)
        {
            return None;
        }
        // The fresh records, indexed on their own first (names folded as `push` does).
        let mut fresh = ResidentIndex::empty();
        records.iter().for_each(|r| fresh.push(r));
        // The plan: every old record not dirty, and the fresh ones, merged by rowid.
        let mut plan = Vec::with_capacity(n + records.len());
        let (mut d, mut k) = (0, 0);
        for r in 0..n {
            let rowid = self.rowids.get(r);
            while k < records.len() && records[k].rowid < rowid {
                plan.push(Slot::Fresh(k as u32).pack());
                k += 1;
            }
            while d < dirty.len() && dirty[d] < rowid {
                d += 1;
            }
            if dirty.get(d) != Some(&rowid) {
                plan.push(Slot::Old(r as u32).pack());
            }
        }
        plan.extend((k..records.len()).map(|k| Slot::Fresh(k as u32).pack()));
        drop(records);

        // The name index is re-planned on a second thread while this one maps the filter
        // columns (each takes about half of the work at 1M residents).
        let old_index = std::mem::take(&mut self.index);
        let (index, out) = std::thread::scope(|s| {
            let index = s.spawn(|| old_index.replan(&fresh.index, &plan));
            let out = self.replan_columns(&fresh, &plan);
            (index.join(), out)
        });
        let mut out = out?;
        out.index = index.ok()?;
        Some(out)
    }

    /// The filter columns and name tables of [`refreshed`](Self::refreshed)'s plan (the name
    /// index aside).
    fn replan_columns(&mut self, fresh: &ResidentIndex, plan: &[u32]) -> Option<ResidentIndex> {
        let mut out = ResidentIndex::empty();
        // Names interned in record order, as a rebuild would: each source's ids mapped to the
        // new ones on first use.
        let mut old_maps = NameMaps::for_index(self);
        let mut fresh_maps = NameMaps::for_index(fresh);
        let mut rowids = Rowids::Narrow(Vec::with_capacity(plan.len()));
        let mut attrs = Vec::with_capacity(plan.len());
        let mut flag_bits = Vec::with_capacity(plan.len());
        for &v in plan {
            let (src, maps, i) = match Slot::of(v) {
                Slot::Old(r) => (&*self, &mut old_maps, r as usize),
                Slot::Fresh(k) => (fresh, &mut fresh_maps, k as usize),
            };
            rowids.push(src.rowids.get(i));
            let a = *src.attrs.get(i)?;
            let dong = remap(a.dong, &src.dongs, &mut maps.dongs, &mut out.dongs)?;
            let worker = remap(a.worker, &src.workers, &mut maps.workers, &mut out.workers)?;
            let category = match a.category {
                NONE8 => NONE8,
                c => {
                    let to = &mut out.categories;
                    remap(u16::from(c), &src.categories, &mut maps.categories, to)?.min(254) as u8
                }
            };
            attrs.push(Attrs {
                dong,
                worker,
                stage: a.stage,
                category,
            });
            let mut old_bits = *src.flag_bits.get(i)?;
            let mut bits = 0u64;
            while old_bits != 0 {
                let b = old_bits.trailing_zeros() as u16;
                old_bits &= old_bits - 1;
                let id = remap(b, &src.flag_names, &mut maps.flags, &mut out.flag_names)?;
                if id < 64 {
                    bits |= 1 << id;
                }
            }
            flag_bits.push(bits);
        }
        drop(std::mem::take(&mut self.attrs));
        drop(std::mem::take(&mut self.flag_bits));
        rowids.shrink_to_fit();
        out.rowids = rowids;
        out.attrs = attrs;
        out.flag_bits = flag_bits;
        Some(out)
    }
}
