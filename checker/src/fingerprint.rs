//! Fingerprints: a 64-bit hash of a state with a fixed seed, so that runs are reproducible
//! and the visited set is the same on every machine. `Value: Hash` agrees with `Eq` (equal
//! values hash alike, whatever their representation), which is what makes this sound.
//! foldhash's quality variant: fast on the many small writes a value makes, and a full
//! avalanche of the 64 bits (the collision estimate assumes uniform fingerprints).
//!
//! A state's fingerprint is a hash of its variables' hashes. A successor usually changes
//! few variables and shares the others with its parent (the same persistent value, not a
//! copy), so the hash of an unchanged variable is taken from the parent ([`same_value`]
//! tells) instead of walking the value again.

use foldhash::quality::FixedState;
use spec_interpreter::set::SetValue;
use spec_interpreter::value::Int;
use spec_interpreter::Value;
use std::hash::BuildHasher;
use std::sync::Arc;

/// The seed of every fingerprint (fixed: fingerprints are the same in every run).
const SEED: u64 = 0x5eed_5eed_c0ff_ee00;

/// The hash of one value (a state variable's).
pub fn value_hash(value: &Value) -> u64 {
    FixedState::with_seed(SEED).hash_one(value)
}

/// The fingerprint of a state from its variables' hashes; never 0 (0 marks an empty slot
/// in the visited set).
pub fn combine(hashes: &[u64]) -> u64 {
    FixedState::with_seed(SEED).hash_one(hashes).max(1)
}

/// The fingerprint of a list of values (a state, or a view of one).
pub fn fingerprint(values: &[Value]) -> u64 {
    let hashes: Vec<u64> = values.iter().map(value_hash).collect();
    combine(&hashes)
}

/// Whether two values are the same at a glance: the same small scalar, or the same shared
/// persistent structure. `false` says nothing (they may still be equal).
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(Int::Small(x)), Value::Int(Int::Small(y))) => x == y,
        (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y),
        (Value::Set(SetValue::Explicit(x)), Value::Set(SetValue::Explicit(y))) => x.ptr_eq(y),
        (Value::Map(x), Value::Map(y)) => x.ptr_eq(y),
        (Value::List(x), Value::List(y)) => Arc::ptr_eq(x, y),
        (Value::Record(x), Value::Record(y)) => Arc::ptr_eq(x, y),
        (Value::Tuple(x), Value::Tuple(y)) => Arc::ptr_eq(x, y),
        (Value::Variant(n, x), Value::Variant(m, y)) => Arc::ptr_eq(n, m) && Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// The hasher of the visited set: its keys are fingerprints already.
pub(crate) type VisitedHasher = foldhash::fast::FixedState;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_equal_hashes_whatever_their_history() {
        let built: Value = Value::Set(SetValue::Explicit([Value::int(1), Value::int(2)].into_iter().collect()));
        let other: Value = Value::Set(SetValue::Explicit([Value::int(2), Value::int(1)].into_iter().collect()));
        assert!(!same_value(&built, &other), "two sets built apart do not share structure");
        assert_eq!(value_hash(&built), value_hash(&other));
        assert_eq!(fingerprint(&[built.clone(), Value::int(3)]), fingerprint(&[other, Value::int(3)]));
        assert!(same_value(&built, &built.clone()));
    }

    #[test]
    fn the_order_of_variables_matters() {
        let (a, b) = (Value::int(1), Value::int(2));
        assert_ne!(fingerprint(&[a.clone(), b.clone()]), fingerprint(&[b, a]));
        assert_ne!(combine(&[]), 0);
    }
}
