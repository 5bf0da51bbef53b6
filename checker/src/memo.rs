//! Results of a property (an invariant or the constraint) kept from one level to the next.
//! A property is evaluated once per distinct combination of the values of the variables it
//! reads in a level (`reads.rs`); the same combinations come back level after level (two-phase
//! commit's `consistent` reads only `rmState`, which takes at most 4^7 values with seven
//! managers, in every level), so their results are kept here, keyed by the values' hashes and
//! confirmed by comparing the values. Evaluation is deterministic and a property cannot
//! choose, so a kept result is the one evaluating again would give.
//!
//! Memory is bounded: at most [`CAPACITY`] combinations are kept per property (later ones
//! are evaluated every time), and a property that reads every variable of the state is not
//! kept at all (each combination is a state, met once).

use crate::fingerprint::{same_value, VisitedHasher};
use spec_interpreter::Value;
use std::collections::HashMap;

/// The most combinations kept per property.
pub(crate) const CAPACITY: usize = 1 << 15;

/// See the module documentation.
pub(crate) struct Memo {
    /// Hash of the values read to the combinations with that hash and their results.
    entries: HashMap<u64, Vec<(Vec<Value>, bool)>, VisitedHasher>,
    len: usize,
    enabled: bool,
}

impl Memo {
    /// A memo that keeps results when `enabled` (see the module documentation).
    pub(crate) fn new(enabled: bool) -> Memo {
        Memo { entries: HashMap::default(), len: 0, enabled }
    }

    /// The result kept for the values `values` (with hash `hash`).
    pub(crate) fn get(&self, hash: u64, values: &[Value]) -> Option<bool> {
        let candidates = self.entries.get(&hash)?;
        candidates.iter().find(|(kept, _)| kept.len() == values.len() && kept.iter().zip(values).all(|(a, b)| same_value(a, b) || a == b)).map(|(_, result)| *result)
    }

    /// Keeps `result` for `values`, unless the memo is full or disabled.
    pub(crate) fn insert(&mut self, hash: u64, values: Vec<Value>, result: bool) {
        if !self.enabled || self.len >= CAPACITY {
            return;
        }
        self.entries.entry(hash).or_default().push((values, result));
        self.len += 1;
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_found_only_for_equal_values() {
        let mut memo = Memo::new(true);
        memo.insert(7, vec![Value::int(1)], true);
        assert_eq!(memo.get(7, &[Value::int(1)]), Some(true));
        // The same hash with other values (a collision) is not taken for the kept one.
        assert_eq!(memo.get(7, &[Value::int(2)]), None);
        memo.insert(7, vec![Value::int(2)], false);
        assert_eq!(memo.get(7, &[Value::int(2)]), Some(false));
        assert_eq!(memo.get(8, &[Value::int(1)]), None);
    }

    #[test]
    fn a_disabled_or_full_memo_keeps_nothing_more() {
        let mut off = Memo::new(false);
        off.insert(1, vec![Value::int(1)], true);
        assert_eq!(off.get(1, &[Value::int(1)]), None);
        let mut full = Memo::new(true);
        for n in 0..CAPACITY as i64 {
            full.insert(n as u64, vec![Value::int(n)], true);
        }
        full.insert(u64::MAX, vec![Value::int(-1)], true);
        assert_eq!(full.get(u64::MAX, &[Value::int(-1)]), None);
        assert_eq!(full.get(3, &[Value::int(3)]), Some(true));
    }
}
