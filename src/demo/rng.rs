//! The demo's random stream (splitmix64) and its ids in creation order.

/// splitmix64: tiny, fast, and its stream never changes between crate versions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

/// Makes ids in creation order (UUIDv7: a millisecond stamp, then random bits) so bulk inserts
/// append to the B-trees instead of splitting random pages.
pub(super) struct IdGen {
    pub(super) next_ms: i64,
}

impl IdGen {
    pub(super) fn id(&mut self, rng: &mut Rng) -> String {
        self.next_ms += 1;
        rng.id(self.next_ms)
    }
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with probability `p` (0..=1).
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub(super) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
    /// A UUIDv7-shaped id with a timestamp of `ms` and random bits from this stream.
    pub(super) fn id(&mut self, ms: i64) -> String {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&a);
        bytes[8..].copy_from_slice(&b[..2]);
        uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &bytes)
            .into_uuid()
            .to_string()
    }
}
