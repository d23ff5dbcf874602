//! Op-log bookkeeping: the hybrid logical clock stamping every op ([`hlc`]) and the per-field
//! stamps that tell a sequential edit from a concurrent one ([`stamps`]). The write path
//! (`Tx`) and the sync merge both use them; they hold no knowledge of bundles or peers.

pub mod hlc;
pub mod stamps;
