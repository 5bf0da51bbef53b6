//! Fingerprints: a 64-bit hash of a state with a fixed seed, so that runs are reproducible
//! and the visited set is the same on every machine. `Value: Hash` agrees with `Eq` (equal
//! values hash alike, whatever their representation), which is what makes this sound.
//! foldhash's quality variant: fast on the many small writes a value makes, and a full
//! avalanche of the 64 bits (the collision estimate assumes uniform fingerprints).

use foldhash::quality::FixedState;
use spec_interpreter::Value;
use std::hash::BuildHasher;

/// The seed of every fingerprint (fixed: fingerprints are the same in every run).
const SEED: u64 = 0x5eed_5eed_c0ff_ee00;

/// The fingerprint of a list of values (a state, or a view of one).
pub fn fingerprint(values: &[Value]) -> u64 {
    FixedState::with_seed(SEED).hash_one(values)
}

/// The hasher of the visited set: its keys are fingerprints already.
pub(crate) type VisitedHasher = foldhash::fast::FixedState;
