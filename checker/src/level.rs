//! A level of the search (the states at one depth that are still to be checked or
//! expanded), kept compactly: a state is a row of indices, one per variable, into tables
//! of the distinct values each variable takes in the level, with the values' hashes. States
//! of a level share most of their values (many states have the same `rmState` and differ in
//! `msgs`, say), and a persistent value's nodes take hundreds of bytes, so a level costs
//! about `4 * variables + 8` bytes a state plus its distinct values, instead of a copy of
//! every changed structure. A state is rebuilt (one clone of each value: reference counts)
//! when it is checked or expanded.

use crate::fingerprint::{same_value, VisitedHasher};
use spec_interpreter::{State, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// See the module documentation.
#[derive(Default)]
pub(crate) struct Level {
    /// Variables per state (every state of a spec has the same number).
    width: usize,
    fingerprints: Vec<u64>,
    /// `width` indices per state, into `tables[variable]`.
    rows: Vec<u32>,
    tables: Vec<Table>,
}

/// The distinct values of one variable in a level, with their hashes.
#[derive(Default)]
struct Table {
    values: Vec<(Value, u64)>,
    /// Hash to index; a value whose hash is taken by a different value is stored unindexed.
    index: HashMap<u64, u32, VisitedHasher>,
}

impl Table {
    fn intern(&mut self, value: &Value, hash: u64) -> u32 {
        if let Some(&at) = self.index.get(&hash) {
            let (known, _) = &self.values[at as usize];
            if same_value(known, value) || known == value {
                return at;
            }
            self.values.push((value.clone(), hash));
            return (self.values.len() - 1) as u32;
        }
        let at = self.values.len() as u32;
        self.values.push((value.clone(), hash));
        self.index.insert(hash, at);
        at
    }
}

impl Level {
    pub(crate) fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    pub(crate) fn fingerprint(&self, i: usize) -> u64 {
        self.fingerprints[i]
    }

    /// Adds a state with its fingerprint and its variables' hashes (`hashes[v]` of `state[v]`).
    pub(crate) fn push(&mut self, fingerprint: u64, state: &State, hashes: &[u64]) {
        if self.fingerprints.is_empty() && self.tables.is_empty() {
            self.width = state.len();
            self.tables = (0..self.width).map(|_| Table::default()).collect();
        }
        debug_assert_eq!(state.len(), self.width, "every state has the same variables");
        self.fingerprints.push(fingerprint);
        for (var, table) in self.tables.iter_mut().enumerate() {
            let index = match (state.get(var), hashes.get(var)) {
                (Some(value), Some(&hash)) => table.intern(value, hash),
                _ => table.intern(&Value::unit(), 0),
            };
            self.rows.push(index);
        }
    }

    fn row(&self, i: usize) -> &[u32] {
        &self.rows[i * self.width..(i + 1) * self.width]
    }

    /// State `i`, rebuilt.
    pub(crate) fn state(&self, i: usize) -> State {
        Arc::new(self.row(i).iter().zip(&self.tables).map(|(&at, table)| table.values[at as usize].0.clone()).collect())
    }

    /// The indices of state `i`'s values of the variables `vars`, into `out`: two states
    /// with the same indices have equal values there.
    pub(crate) fn indices(&self, i: usize, vars: &[usize], out: &mut Vec<u32>) {
        let row = self.row(i);
        out.clear();
        out.extend(vars.iter().map(|&v| row.get(v).copied().unwrap_or(u32::MAX)));
    }

    /// The hashes of state `i`'s variables, into `out`.
    pub(crate) fn hashes(&self, i: usize, out: &mut Vec<u64>) {
        out.clear();
        out.extend(self.row(i).iter().zip(&self.tables).map(|(&at, table)| table.values[at as usize].1));
    }

    /// Keeps the states whose `keep` is true, in order (the tables keep every value).
    pub(crate) fn retain(&mut self, keep: &[bool]) {
        let width = self.width;
        let mut kept = 0;
        for i in 0..self.fingerprints.len() {
            if keep.get(i).copied().unwrap_or(true) {
                self.fingerprints[kept] = self.fingerprints[i];
                self.rows.copy_within(i * width..(i + 1) * width, kept * width);
                kept += 1;
            }
        }
        self.fingerprints.truncate(kept);
        self.rows.truncate(kept * width);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::value_hash;

    fn state(values: &[Value]) -> (State, Vec<u64>) {
        (Arc::new(values.to_vec()), values.iter().map(value_hash).collect())
    }

    #[test]
    fn states_come_back_as_they_went_in_and_share_equal_values() {
        let mut level = Level::default();
        let big = |n: i64| Value::Set(spec_interpreter::set::SetValue::Explicit((0..n).map(Value::int).collect()));
        let inputs = [vec![big(3), Value::int(1)], vec![big(3), Value::int(2)], vec![big(4), Value::int(1)]];
        for (i, values) in inputs.iter().enumerate() {
            let (s, h) = state(values);
            level.push(i as u64 + 10, &s, &h);
        }
        assert_eq!(level.len(), 3);
        for (i, values) in inputs.iter().enumerate() {
            assert_eq!(*level.state(i), *values);
            assert_eq!(level.fingerprint(i), i as u64 + 10);
            let mut hashes = Vec::new();
            level.hashes(i, &mut hashes);
            assert_eq!(hashes, values.iter().map(value_hash).collect::<Vec<_>>());
        }
        // Two distinct sets and two distinct numbers are stored, not six values.
        assert_eq!(level.tables[0].values.len(), 2);
        assert_eq!(level.tables[1].values.len(), 2);
        level.retain(&[true, false, true]);
        assert_eq!(level.len(), 2);
        assert_eq!(*level.state(1), inputs[2]);
        assert_eq!(level.fingerprint(1), 12);
    }

    #[test]
    fn a_hash_shared_by_different_values_keeps_both() {
        let mut level = Level::default();
        // The same (forged) hash for two different values.
        level.push(1, &Arc::new(vec![Value::int(1)]), &[7]);
        level.push(2, &Arc::new(vec![Value::int(2)]), &[7]);
        assert_eq!(*level.state(0), vec![Value::int(1)]);
        assert_eq!(*level.state(1), vec![Value::int(2)]);
    }
}
