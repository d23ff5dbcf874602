//! Reading on one thread while writing on another: a reader (a CSV file's rows, a bundle's
//! ops) is drained on a spawned thread in batches over a bounded channel, so memory stays flat
//! and the writing thread never waits on parsing or decryption.

use std::sync::mpsc::SyncSender;

/// Items handed from the reading thread to the writing one.
pub(crate) struct Batch<T, E> {
    pub items: Vec<T>,
    /// The reader's progress after this batch (e.g. bytes read, bytes in all).
    pub progress: (u64, u64),
    /// The reader's error after `items`; then this is the last batch.
    pub error: Option<E>,
}

/// Drains `reader` (on the calling, spawned thread) into batches of `size`, until it ends, an
/// error stops it, or the receiver hangs up (the writer failed).
pub(crate) fn produce<T, E, I>(
    mut reader: I,
    size: usize,
    progress_of: fn(&I) -> (u64, u64),
    out: &SyncSender<Batch<T, E>>,
) where
    I: Iterator<Item = Result<T, E>>,
{
    loop {
        let mut items = Vec::with_capacity(size);
        let mut error = None;
        for item in reader.by_ref() {
            match item {
                Ok(item) => items.push(item),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
            if items.len() == size {
                break;
            }
        }
        let last = items.len() < size || error.is_some();
        let batch = Batch {
            items,
            progress: progress_of(&reader),
            error,
        };
        if out.send(batch).is_err() || last {
            return;
        }
    }
}
