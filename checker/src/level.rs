//! A level of the search (the states at one depth that are still to be checked or
//! expanded), kept compactly: a state is a row of indices, one per variable, into tables
//! of the distinct values each variable takes in the level, with the values' hashes. States
//! of a level share most of their values (many states have the same `rmState` and differ in
//! `msgs`, say), and a persistent value's nodes take hundreds of bytes, so a level costs
//! about `4 * variables + 8` bytes a state plus its distinct values, instead of a copy of
//! every changed structure. A state is rebuilt (one clone of each value: reference counts)
//! when it is checked or expanded.
//!
//! Only the variables of the main module are kept ([`Columns`]): a file with instances
//! (`import m(N = 3).*` in several modules) has a copy of every variable per instance, and
//! only the main module's change; the others are the unit value in every state.

use crate::fingerprint::{same_value, VisitedHasher};
use spec_interpreter::{State, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Which variables of a state a level keeps, and how a whole state is laid out.
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns {
    /// The kept variables (indices into a state), in order.
    pub(crate) vars: Vec<usize>,
    /// The number of variables in a state.
    pub(crate) total: usize,
    /// For each variable, its column, if kept.
    column_of: Vec<Option<usize>>,
}

impl Columns {
    /// The variables `active` marks, of `active.len()` in all.
    pub(crate) fn new(active: &[bool]) -> Columns {
        let vars: Vec<usize> = (0..active.len()).filter(|&v| active[v]).collect();
        let mut column_of = vec![None; active.len()];
        for (c, &v) in vars.iter().enumerate() {
            column_of[v] = Some(c);
        }
        Columns { vars, total: active.len(), column_of }
    }
}

/// See the module documentation.
pub(crate) struct Level {
    columns: Columns,
    /// The value of the variables not kept (shared by every rebuilt state).
    unit: Value,
    fingerprints: Vec<u64>,
    /// A row of indices per state, one per column, into `tables[column]`.
    rows: Vec<u32>,
    tables: Vec<Table>,
}

/// One thread's copies of a level's values, by column and index (see [`Level::state_from`]);
/// for one level only.
#[derive(Default)]
pub(crate) struct LevelCopy {
    tables: Vec<Vec<Option<Value>>>,
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
            if equal(known, value) {
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

/// Whether two values are equal, looking first for shared parts: a small set or map
/// with the same hash as a table's value is usually a copy whose elements are the same
/// shared values (two-phase commit's `rmState`, rebuilt by each step that changes it), and
/// comparing them element by element at a glance skips comparing their strings.
fn equal(a: &Value, b: &Value) -> bool {
    use spec_interpreter::collection::{MapIter, SetIter};
    use spec_interpreter::set::SetValue;
    if same_value(a, b) {
        return true;
    }
    match (a, b) {
        (Value::Map(x), Value::Map(y)) if x.len() == y.len() => match (x.iter(), y.iter()) {
            (MapIter::Slice(x), MapIter::Slice(y)) => x.as_slice().iter().zip(y.as_slice()).all(|((k, v), (key, w))| (same_value(k, key) || k == key) && (same_value(v, w) || v == w)),
            _ => a == b,
        },
        (Value::Set(SetValue::Explicit(x)), Value::Set(SetValue::Explicit(y))) if x.len() == y.len() => match (x.iter(), y.iter()) {
            (SetIter::Slice(x), SetIter::Slice(y)) => x.as_slice().iter().zip(y.as_slice()).all(|(v, w)| same_value(v, w) || v == w),
            _ => a == b,
        },
        _ => a == b,
    }
}

impl Level {
    pub(crate) fn new(columns: Columns) -> Level {
        let tables = columns.vars.iter().map(|_| Table::default()).collect();
        Level { columns, unit: Value::unit(), fingerprints: Vec::new(), rows: Vec::new(), tables }
    }

    pub(crate) fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    pub(crate) fn fingerprint(&self, i: usize) -> u64 {
        self.fingerprints[i]
    }

    fn width(&self) -> usize {
        self.columns.vars.len()
    }

    /// Adds a state with its fingerprint, the values of its kept variables (`values[c]` of
    /// the variable in column `c`) and their hashes.
    pub(crate) fn push(&mut self, fingerprint: u64, values: &[Value], hashes: &[u64]) {
        debug_assert_eq!(values.len(), self.width(), "a value per column");
        self.fingerprints.push(fingerprint);
        for (c, table) in self.tables.iter_mut().enumerate() {
            let index = match (values.get(c), hashes.get(c)) {
                (Some(value), Some(&hash)) => table.intern(value, hash),
                _ => table.intern(&self.unit, 0),
            };
            self.rows.push(index);
        }
    }

    fn row(&self, i: usize) -> &[u32] {
        let width = self.width();
        &self.rows[i * width..(i + 1) * width]
    }

    /// State `i`, rebuilt (the variables not kept are the unit value).
    pub(crate) fn state(&self, i: usize) -> State {
        let row = self.row(i);
        Arc::new((0..self.columns.total).map(|var| match self.columns.column_of[var] {
            Some(c) => self.tables[c].values[row[c] as usize].0.clone(),
            None => self.unit.clone(),
        }).collect())
    }

    /// State `i`, written into `spare` when it is a state this level built that nothing
    /// holds any more (its allocation and its variables outside the columns, units, are
    /// kept: the kept columns are overwritten), else built anew. A worker hands each
    /// state it expanded back as the spare of the next.
    pub(crate) fn state_reusing(&self, i: usize, spare: &mut Option<State>) -> State {
        if let Some(mut state) = spare.take() {
            if let Some(values) = Arc::get_mut(&mut state).filter(|values| values.len() == self.columns.total) {
                let row = self.row(i);
                for (c, &var) in self.columns.vars.iter().enumerate() {
                    values[var] = self.tables[c].values[row[c] as usize].0.clone();
                }
                return state;
            }
        }
        self.state(i)
    }

    /// State `i`, rebuilt from `copy`, one thread's own copies of this level's values (made
    /// the first time the thread needs each). Threads that clone the level's shared values
    /// all write their reference counts, and pass those cache lines between cores: two
    /// threads took 1.6 times the CPU time of one on two-phase commit.
    pub(crate) fn state_from(&self, i: usize, copy: &mut LevelCopy) -> State {
        if copy.tables.len() != self.tables.len() {
            copy.tables = self.tables.iter().map(|t| vec![None; t.values.len()]).collect();
        }
        let row = self.row(i);
        Arc::new((0..self.columns.total).map(|var| match self.columns.column_of[var] {
            Some(c) => {
                let at = row[c] as usize;
                copy.tables[c][at].get_or_insert_with(|| self.tables[c].values[at].0.deep_copy()).clone()
            }
            None => self.unit.clone(),
        }).collect())
    }

    /// The indices of state `i`'s values of the variables `vars`, into `out`: two states
    /// with the same indices have equal values there.
    pub(crate) fn indices(&self, i: usize, vars: &[usize], out: &mut Vec<u32>) {
        let row = self.row(i);
        out.clear();
        out.extend(vars.iter().map(|&v| match self.columns.column_of.get(v).copied().flatten() {
            Some(c) => row[c],
            None => u32::MAX,
        }));
    }

    /// The values of state `i`'s variables `vars` into `out` (the unit for a variable not
    /// kept), and a hash of them.
    pub(crate) fn values_of(&self, i: usize, vars: &[usize], out: &mut Vec<Value>) -> u64 {
        let row = self.row(i);
        out.clear();
        let mut hashes = Vec::with_capacity(vars.len());
        for &v in vars {
            match self.columns.column_of.get(v).copied().flatten() {
                Some(c) => {
                    let (value, hash) = &self.tables[c].values[row[c] as usize];
                    out.push(value.clone());
                    hashes.push(*hash);
                }
                None => {
                    out.push(self.unit.clone());
                    hashes.push(0);
                }
            }
        }
        crate::fingerprint::combine(&hashes)
    }

    /// The hashes of state `i`'s kept variables, into `out`.
    pub(crate) fn hashes(&self, i: usize, out: &mut Vec<u64>) {
        out.clear();
        out.extend(self.row(i).iter().zip(&self.tables).map(|(&at, table)| table.values[at as usize].1));
    }

    /// Keeps the states whose `keep` is true, in order (the tables keep every value).
    pub(crate) fn retain(&mut self, keep: &[bool]) {
        let width = self.width();
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

    #[test]
    fn variables_outside_the_columns_come_back_as_units() {
        let mut level = Level::new(Columns::new(&[false, true, false]));
        let state: State = Arc::new(vec![Value::unit(), Value::int(5), Value::unit()]);
        level.push(9, &[Value::int(5)], &[value_hash(&Value::int(5))]);
        assert_eq!(level.state(0), state);
        let mut key = Vec::new();
        level.indices(0, &[0, 1], &mut key);
        assert_eq!(key, vec![u32::MAX, 0]);
        assert_eq!(level.rows.len(), 1, "one index a state");
    }

    fn state(values: &[Value]) -> (State, Vec<u64>) {
        (Arc::new(values.to_vec()), values.iter().map(value_hash).collect())
    }

    #[test]
    fn states_come_back_as_they_went_in_and_share_equal_values() {
        let mut level = Level::new(Columns::new(&[true, true]));
        let big = |n: i64| Value::Set(spec_interpreter::set::SetValue::Explicit((0..n).map(Value::int).collect()));
        let inputs = [vec![big(3), Value::int(1)], vec![big(3), Value::int(2)], vec![big(4), Value::int(1)]];
        for (i, values) in inputs.iter().enumerate() {
            let (s, h) = state(values);
            level.push(i as u64 + 10, &s[..], &h);
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
        let mut level = Level::new(Columns::new(&[true]));
        // The same (forged) hash for two different values.
        level.push(1, &[Value::int(1)], &[7]);
        level.push(2, &[Value::int(2)], &[7]);
        assert_eq!(*level.state(0), vec![Value::int(1)]);
        assert_eq!(*level.state(1), vec![Value::int(2)]);
    }

    #[test]
    fn equal_sets_and_maps_built_apart_are_one_value_and_unequal_ones_two() {
        use spec_interpreter::collection::ValueMap;
        let map = |entries: &[(&str, &str)]| Value::Map(ValueMap::from_vec(entries.iter().map(|(k, v)| (Value::str(k), Value::str(v))).collect()));
        let set = |items: &[i64]| Value::Set(spec_interpreter::set::SetValue::Explicit(items.iter().map(|&n| Value::int(n)).collect()));
        let mut level = Level::new(Columns::new(&[true, true]));
        // The same (forged) hash for every value of a column: only equality tells them apart.
        level.push(1, &[map(&[("r1", "working"), ("r2", "prepared")]), set(&[1, 2])], &[7, 8]);
        level.push(2, &[map(&[("r1", "working"), ("r2", "prepared")]), set(&[1, 2])], &[7, 8]);
        level.push(3, &[map(&[("r1", "working"), ("r2", "aborted")]), set(&[1, 3])], &[7, 8]);
        level.push(4, &[map(&[("r1", "working")]), set(&[1])], &[7, 8]);
        assert_eq!(level.tables[0].values.len(), 3);
        assert_eq!(level.tables[1].values.len(), 3);
        assert_eq!(*level.state(1), vec![map(&[("r1", "working"), ("r2", "prepared")]), set(&[1, 2])]);
        assert_eq!(*level.state(2), vec![map(&[("r1", "working"), ("r2", "aborted")]), set(&[1, 3])]);
        assert_eq!(*level.state(3), vec![map(&[("r1", "working")]), set(&[1])]);
    }

    #[test]
    fn a_spare_state_is_reused_only_when_nothing_else_holds_it() {
        let mut level = Level::new(Columns::new(&[false, true, true]));
        level.push(1, &[Value::int(1), Value::int(2)], &[1, 2]);
        level.push(2, &[Value::int(3), Value::int(4)], &[3, 4]);
        let first = level.state_reusing(0, &mut None);
        assert_eq!(*first, vec![Value::unit(), Value::int(1), Value::int(2)]);
        let address = Arc::as_ptr(&first);
        let second = level.state_reusing(1, &mut Some(first));
        assert_eq!(*second, vec![Value::unit(), Value::int(3), Value::int(4)]);
        assert_eq!(Arc::as_ptr(&second), address, "the spare's allocation is reused");
        // A state still held elsewhere is left alone: a new one is built.
        let held = second.clone();
        let third = level.state_reusing(0, &mut Some(second));
        assert_eq!(*third, vec![Value::unit(), Value::int(1), Value::int(2)]);
        assert_eq!(*held, vec![Value::unit(), Value::int(3), Value::int(4)]);
        assert_ne!(Arc::as_ptr(&third), Arc::as_ptr(&held));
    }
}
