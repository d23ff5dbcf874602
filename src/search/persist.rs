//! Little-endian byte encoding for the persisted search index: a writer that appends and a
//! reader that never panics on damaged input (every read is bounds-checked and says `None`).
//!
//! The reader streams: it pulls the bytes it needs from any [`Read`] (the database's blob, read
//! a chunk at a time, or a slice), so decoding a stored index never holds a second copy of it.

use std::io::Read;

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

/// Bytes pulled from the source per read while decoding an array.
const CHUNK: usize = 64 * 1024;

/// Reads what [`Writer`] wrote from `src`, which holds exactly `remaining` bytes; `None` as soon
/// as anything is short, out of range or the source fails.
#[derive(Debug)]
pub(crate) struct Reader<R> {
    src: R,
    remaining: u64,
    chunk: Vec<u8>,
}

impl<'a> Reader<&'a [u8]> {
    /// A reader over a slice.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self::stream(data, data.len() as u64)
    }
}

impl<R: Read> Reader<R> {
    /// A reader over `len` bytes of `src`.
    pub(crate) fn stream(src: R, len: u64) -> Self {
        Self {
            src,
            remaining: len,
            chunk: Vec::new(),
        }
    }

    fn fill(&mut self, out: &mut [u8]) -> Option<()> {
        let n = out.len() as u64;
        if n > self.remaining {
            return None;
        }
        self.src.read_exact(out).ok()?;
        self.remaining -= n;
        Some(())
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let mut a = [0u8; N];
        self.fill(&mut a)?;
        Some(a)
    }
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|a| a[0])
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    /// A length that the rest of the data can hold at `each` bytes per item.
    pub(crate) fn len(&mut self, each: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        ((n as u64).checked_mul(each.max(1) as u64)? <= self.remaining).then_some(n)
    }
    pub(crate) fn str(&mut self) -> Option<String> {
        let n = self.len(1)?;
        let mut b = vec![0u8; n];
        self.fill(&mut b)?;
        String::from_utf8(b).ok()
    }
    /// `n` items of `size` bytes each, decoded by `f` (all or nothing), read a chunk at a time
    /// into a vector sized once.
    pub(crate) fn vec<T>(
        &mut self,
        n: usize,
        size: usize,
        f: impl Fn(&[u8]) -> Option<T>,
    ) -> Option<Vec<T>> {
        let total = n.checked_mul(size)?;
        if total as u64 > self.remaining || size == 0 {
            return None;
        }
        let mut out = Vec::with_capacity(n);
        let per = (CHUNK / size).max(1);
        let mut chunk = std::mem::take(&mut self.chunk);
        let mut left = n;
        while left > 0 {
            let k = left.min(per);
            chunk.resize(k * size, 0);
            self.fill(&mut chunk)?;
            for item in chunk.chunks_exact(size) {
                out.push(f(item)?);
            }
            left -= k;
        }
        self.chunk = chunk;
        Some(out)
    }
    pub(crate) fn is_done(&self) -> bool {
        self.remaining == 0
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out at most 3 bytes per read (the way a blob may).
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(3).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_stream_reads_what_the_writer_wrote_and_refuses_short_data() {
        let mut w = Writer::default();
        w.str("김민수");
        w.len(CHUNK); // more items than one chunk
        (0..CHUNK as u32).for_each(|i| w.u32(i));
        w.u8(7);
        let data = w.buf;
        let mut r = Reader::stream(Trickle(&data), data.len() as u64);
        assert_eq!(r.str().as_deref(), Some("김민수"));
        let n = r.len(4).expect("len");
        let v = r.vec(n, 4, le_u32).expect("vec");
        assert_eq!(v.len(), CHUNK);
        assert_eq!(v[CHUNK - 1], CHUNK as u32 - 1);
        assert_eq!(r.u8(), Some(7));
        assert!(r.is_done());
        // Cut short: every read says None, nothing panics.
        let mut r = Reader::new(&data[..data.len() / 2]);
        assert!(r.str().is_some());
        let n = r.len(4);
        assert!(n.is_none(), "a length the rest cannot hold is refused");
    }
}
