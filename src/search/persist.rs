//! Little-endian byte encoding for the persisted search index: a writer that appends and a
//! reader that never panics on damaged input (every read is bounds-checked and says `None`).

/// Appends little-endian values.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
}

/// Reads what [`Writer`] wrote; `None` as soon as anything is short or out of range.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.data.len() {
            return None;
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    /// A length that the rest of the data can hold at `each` bytes per item.
    pub(crate) fn len(&mut self, each: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(each.max(1))? <= self.data.len()).then_some(n)
    }
    pub(crate) fn str(&mut self) -> Option<String> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    /// `n` items of `size` bytes each, decoded by `f` (all or nothing).
    pub(crate) fn vec<T>(
        &mut self,
        n: usize,
        size: usize,
        f: impl Fn(&[u8]) -> Option<T>,
    ) -> Option<Vec<T>> {
        let bytes = self.take(n.checked_mul(size)?)?;
        // Sized once: collecting an iterator of `Option`s would grow the vector by doubling.
        let mut out = Vec::with_capacity(n);
        for chunk in bytes.chunks_exact(size) {
            out.push(f(chunk)?);
        }
        Some(out)
    }
    pub(crate) fn is_done(&self) -> bool {
        self.data.is_empty()
    }
}

pub(crate) fn le_u16(b: &[u8]) -> Option<u16> {
    Some(u16::from_le_bytes(b.try_into().ok()?))
}
pub(crate) fn le_u32(b: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(b.try_into().ok()?))
}
pub(crate) fn le_u64(b: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(b.try_into().ok()?))
}
