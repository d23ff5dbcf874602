//! [`SearchIndex::replan`]: the index a refresh makes from the old one and the fresh records
//! (see `ResidentIndex::refreshed`). A child module: it moves the index's private columns.

use super::{FAST_ROWS, SearchIndex};
use crate::search::lead::{LEAD_MIN, Lead};
use crate::search::plan::Slot;

impl SearchIndex {
    /// The index whose record `i` is `plan[i]`: record `r` of this index ([`Slot::Old`]) or of
    /// `fresh` ([`Slot::Fresh`]), every record of this one at most once and in its order
    /// (records left out are dropped). Built a column at a time, each old column freed once
    /// copied, so it never holds two whole indexes. A large sealed index keeps its groups: the
    /// kept records stay in their order and only the fresh ones are placed into it (a few
    /// comparisons each, instead of sorting a million records).
    pub(crate) fn replan(mut self, fresh: &SearchIndex, plan: &[u32]) -> SearchIndex {
        let n_new = plan.len();
        let old_len = self.len();
        // Where each old record goes (u32::MAX: dropped), for the groups and the position maps.
        let mut moved = vec![u32::MAX; old_len];
        for (i, &v) in plan.iter().enumerate() {
            if let Slot::Old(r) = Slot::of(v) {
                moved[r as usize] = i as u32;
            }
        }
        let remap = |order: &[u32]| -> Vec<u32> {
            order
                .iter()
                .map(|&r| moved[r as usize])
                .filter(|&m| m != u32::MAX)
                .collect()
        };
        let kept: Option<(Vec<u32>, usize)> = match (self.lead.take(), self.stored_order.take()) {
            (Some(l), _) if l.covered() == old_len => Some((remap(l.order()), l.rows())),
            (None, Some(order)) if order.len() == old_len => Some((remap(&order), FAST_ROWS)),
            _ => None,
        };
        let mut out = SearchIndex::default();
        macro_rules! column {
            ($field:ident) => {{
                let old = std::mem::take(&mut self.$field);
                out.$field = plan
                    .iter()
                    .map(|&v| match Slot::of(v) {
                        Slot::Old(r) => old[r as usize],
                        Slot::Fresh(k) => fresh.$field[k as usize],
                    })
                    .collect();
            }};
        }
        column!(births);
        column!(phones);
        column!(activity);
        column!(sigs);
        // At most the old names and the fresh ones (dropped records only take away), so the
        // arena is never regrown (doubling it would cost 12 MB at 1M residents).
        let mut units = Vec::with_capacity(self.units.len() + fresh.units.len());
        let mut offsets = Vec::with_capacity(n_new + 1);
        offsets.push(0);
        for &v in plan {
            match Slot::of(v) {
                Slot::Old(r) => units.extend_from_slice(self.units(r)),
                Slot::Fresh(k) => units.extend_from_slice(fresh.units(k)),
            }
            offsets.push(units.len() as u32);
        }
        drop(std::mem::take(&mut self.units));
        drop(std::mem::take(&mut self.offsets));
        units.shrink_to_fit();
        out.units = units;
        out.offsets = offsets;
        for (r, map) in self.char_pos.drain() {
            if let Some(&m) = moved.get(r as usize).filter(|&&m| m != u32::MAX) {
                out.char_pos.insert(m, map);
            }
        }
        let mut added = Vec::new();
        for (i, &v) in plan.iter().enumerate() {
            if let Slot::Fresh(k) = Slot::of(v) {
                added.push(i as u32);
                if let Some(map) = fresh.char_pos.get(&k) {
                    out.char_pos.insert(i as u32, map.clone());
                }
            }
        }
        drop(moved);
        out.lead = match kept {
            Some((kept, rows)) => Some(Lead::merged(&out, kept, added, rows)),
            None => (n_new >= LEAD_MIN).then(|| Lead::build(&out, FAST_ROWS)),
        };
        out
    }

    /// Record `r` as text, every column (tests compare indexes made different ways).
    #[doc(hidden)]
    pub fn describe(&self, r: u32) -> String {
        let i = r as usize;
        format!(
            "{}|{:?}|{}|{}|{}|{:?}",
            self.folded_name(r),
            self.char_pos.get(&r),
            self.births[i],
            self.phones[i],
            self.activity[i],
            self.sigs[i]
        )
    }

    /// The records in group order, when the index keeps groups (tests).
    #[doc(hidden)]
    pub fn group_order(&self) -> Option<Vec<u32>> {
        self.lead.as_ref().map(|l| l.order().to_vec())
    }
}
