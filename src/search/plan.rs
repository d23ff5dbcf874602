//! The plan of an index refresh (see `ResidentIndex::refreshed`): for each record of the new
//! index, the record of the old index or of the fresh records it is copied from. Its own module
//! so the resident layer and the name index both read it without importing each other.

/// One record of a [`SearchIndex::replan`](super::SearchIndex::replan) plan: a record of the old index or of the fresh one,
/// packed in a `u32` (the top bit says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Old(u32),
    Fresh(u32),
}

impl Slot {
    const FRESH: u32 = 1 << 31;

    pub(crate) fn pack(self) -> u32 {
        match self {
            Slot::Old(r) => r,
            Slot::Fresh(k) => k | Self::FRESH,
        }
    }

    pub(crate) fn of(v: u32) -> Slot {
        if v & Self::FRESH == 0 {
            Slot::Old(v)
        } else {
            Slot::Fresh(v & !Self::FRESH)
        }
    }
}
