//! Fingerprints: a 64-bit hash of a state with a fixed seed, so that runs are reproducible
//! and the visited set is the same on every machine. `Value: Hash` agrees with `Eq` (equal
//! values hash alike, whatever their representation), which is what makes this sound.

use spec_interpreter::Value;
use std::hash::{Hash, Hasher};

/// The fingerprint of a list of values (a state, or a view of one).
pub fn fingerprint(values: &[Value]) -> u64 {
    // SipHash-1-3 with the fixed all-zero key: `DefaultHasher::new()` is documented to be
    // the same for every instance.
    let mut hasher = std::hash::DefaultHasher::new();
    values.hash(&mut hasher);
    hasher.finish()
}
