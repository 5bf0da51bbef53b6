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
use spec_interpreter::collection::{ValueMap, ValueSet};
use spec_interpreter::set::SetValue;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// This level's number (see [`LEVELS`]).
    id: u64,
    columns: Columns,
    /// The value of the variables not kept (shared by every rebuilt state).
    unit: Value,
    fingerprints: Vec<u64>,
    /// A row of indices per state, one per column, into `tables[column]`.
    rows: Vec<u32>,
    tables: Vec<Table>,
}

/// One thread's copies of a level's values, by column and index (see [`Level::state_from`]),
/// for one level at a time, and the thread's strings, kept from level to level: every copy
/// a thread makes of a string is the same shared one, so that its copies of the states
/// still share their strings (a map's keys, the states each key maps to) as the states of
/// one thread do: comparisons and hashes that look at pointers first (the fingerprint's
/// [`same_value`], its cache of entry hashes) keep finding them equal.
///
/// The thread's strings are its compilation's where it has the text (see
/// [`LevelCopy::adopt_strings`]): its program's literals (`"working"`, the elements of a
/// constant set) are then the very strings of its copies of the states, and comparing a
/// state's value with a literal stops at the pointers.
#[derive(Default)]
pub(crate) struct LevelCopy {
    tables: Vec<Vec<Option<Value>>>,
    /// The level (`Level::id`) whose copies `tables` holds.
    level: u64,
    strings: HashSet<Arc<str>>,
    /// How many states of this level the thread has adopted strings from.
    adopted: usize,
}

/// The states of each level whose next states a thread adopts strings from: new texts
/// appear in the next states of any state, but a thread's literals are the same in all.
const ADOPTED_PER_LEVEL: usize = 4;

impl LevelCopy {
    /// Makes the strings of `value` the thread's copies of their texts, in place of copies
    /// made from the level's values: later copies share them. A value the thread's own
    /// compilation built from its copies holds both its literals and older copies; for a
    /// text met twice the last one walked is kept, so a literal may give way to a copy
    /// again (a next state's changed entry is the literal, its other entries copies). That
    /// costs only speed: pointers are compared first, contents decide.
    pub(crate) fn adopt_strings(&mut self, value: &Value) {
        let strings = &mut self.strings;
        let mut adopt = |s: &Arc<str>| match strings.get(&**s) {
            Some(kept) if Arc::ptr_eq(kept, s) => {}
            _ => {
                if strings.len() >= STRINGS_KEPT {
                    strings.clear();
                }
                strings.replace(s.clone());
            }
        };
        walk_strings(value, &mut adopt);
    }

    /// Whether the thread should adopt the strings of the next states of the state it
    /// expands now (the first few of each level); counts it.
    pub(crate) fn adopting(&mut self) -> bool {
        self.adopted += 1;
        self.adopted <= ADOPTED_PER_LEVEL
    }
}

/// Calls `f` on every string in `value` (strings, record field names, variant tags).
fn walk_strings(value: &Value, f: &mut impl FnMut(&Arc<str>)) {
    match value {
        Value::Str(s) => f(s),
        Value::Set(SetValue::Explicit(items)) => items.iter().for_each(|v| walk_strings(v, f)),
        Value::Map(map) => map.iter().for_each(|(k, v)| {
            walk_strings(k, f);
            walk_strings(v, f);
        }),
        Value::Record(fields) => fields.iter().for_each(|(name, v)| {
            f(name);
            walk_strings(v, f);
        }),
        Value::Tuple(items) => items.iter().for_each(|v| walk_strings(v, f)),
        Value::Variant(tag, payload) => {
            f(tag);
            walk_strings(payload, f);
        }
        _ => {}
    }
}

/// The most strings a thread keeps (it forgets them all past this, and starts again).
const STRINGS_KEPT: usize = 1 << 16;

/// Levels are numbered in order of creation, so that a thread's copies of one level are
/// never taken for another's.
static LEVELS: AtomicU64 = AtomicU64::new(1);

/// The shared copy of `s` among `strings`.
fn shared_string(s: &Arc<str>, strings: &mut HashSet<Arc<str>>) -> Arc<str> {
    if let Some(kept) = strings.get(&**s) {
        return kept.clone();
    }
    if strings.len() >= STRINGS_KEPT {
        strings.clear();
    }
    let own: Arc<str> = Arc::from(&**s);
    strings.insert(own.clone());
    own
}

/// A copy of `value` that shares nothing with it but its strings' copies among `strings`
/// (see [`LevelCopy`]); what holds no string is copied as [`Value::deep_copy`] does.
fn copied(value: &Value, strings: &mut HashSet<Arc<str>>) -> Value {
    match value {
        Value::Str(s) => Value::Str(shared_string(s, strings)),
        Value::Set(SetValue::Explicit(items)) => Value::Set(SetValue::Explicit(ValueSet::from_sorted_vec(items.iter().map(|v| copied(v, strings)).collect()))),
        Value::Map(map) => Value::Map(ValueMap::from_sorted_vec(map.iter().map(|(k, v)| (copied(k, strings), copied(v, strings))).collect())),
        Value::Record(fields) => Value::Record(Arc::new(fields.iter().map(|(name, v)| (shared_string(name, strings), copied(v, strings))).collect())),
        Value::Tuple(items) => Value::Tuple(Arc::new(items.iter().map(|v| copied(v, strings)).collect())),
        Value::Variant(tag, payload) => Value::Variant(shared_string(tag, strings), Arc::new(copied(payload, strings))),
        other => other.deep_copy(),
    }
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
        Level { id: LEVELS.fetch_add(1, Ordering::Relaxed), columns, unit: Value::unit(), fingerprints: Vec::new(), rows: Vec::new(), tables }
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
    /// the first time the thread needs each; see [`LevelCopy`]), in `spare`'s allocation
    /// when it can be reused (as [`Level::state_reusing`]). Threads that clone the level's
    /// shared values all write their reference counts, and pass those cache lines between
    /// cores: two threads took 1.6 times the CPU time of one on two-phase commit.
    pub(crate) fn state_from(&self, i: usize, copy: &mut LevelCopy, spare: &mut Option<State>) -> State {
        if copy.level != self.id {
            copy.tables = self.tables.iter().map(|t| vec![None; t.values.len()]).collect();
            copy.level = self.id;
            copy.adopted = 0;
        }
        let row = self.row(i);
        let LevelCopy { tables, strings, .. } = copy;
        let mut value_of = |c: usize| {
            let at = row[c] as usize;
            tables[c][at].get_or_insert_with(|| copied(&self.tables[c].values[at].0, strings)).clone()
        };
        if let Some(mut state) = spare.take() {
            if let Some(values) = Arc::get_mut(&mut state).filter(|values| values.len() == self.columns.total) {
                for (c, &var) in self.columns.vars.iter().enumerate() {
                    values[var] = value_of(c);
                }
                return state;
            }
        }
        Arc::new((0..self.columns.total).map(|var| match self.columns.column_of[var] {
            Some(c) => value_of(c),
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

    #[test]
    fn a_threads_copies_equal_the_values_and_share_their_strings_across_levels() {
        use spec_interpreter::collection::ValueMap;
        let map = |entries: &[(&str, &str)]| Value::Map(ValueMap::from_vec(entries.iter().map(|(k, v)| (Value::str(k), Value::str(v))).collect()));
        let record = |kind: &str| Value::Record(Arc::new(vec![(Arc::from("kind"), Value::str(kind)), (Arc::from("rm"), Value::str("r1"))]));
        let string_in_map = |state: &State| match &state[0] {
            Value::Map(m) => match m.iter().next() {
                Some((Value::Str(k), _)) => k.clone(),
                _ => panic!("a map of strings"),
            },
            _ => panic!("a map"),
        };
        let mut copy = LevelCopy::default();
        let mut first = Level::new(Columns::new(&[true, true]));
        first.push(1, &[map(&[("r1", "working")]), record("prepared")], &[1, 2]);
        let mut second = Level::new(Columns::new(&[true, true]));
        second.push(2, &[map(&[("r1", "aborted")]), record("abort")], &[3, 4]);
        let a = first.state_from(0, &mut copy, &mut None);
        let b = second.state_from(0, &mut copy, &mut None);
        assert_eq!(*a, *first.state(0));
        assert_eq!(*b, *second.state(0));
        // The copies share nothing with the level's values, but the thread's strings are one.
        assert!(!same_value(&a[0], &first.state(0)[0]));
        assert!(Arc::ptr_eq(&string_in_map(&a), &string_in_map(&b)), "the key r1 is one string in the thread");
        // A spare nothing else holds is reused; the level's copy is taken again, not another.
        let address = Arc::as_ptr(&b);
        let again = second.state_from(0, &mut copy, &mut Some(b));
        assert_eq!(Arc::as_ptr(&again), address);
        assert_eq!(*again, *second.state(0));
    }

    /// Strings adopted from a thread's own values (its program's literals) are those of the
    /// thread's later copies, in maps, records and sets; the copies stay equal to the level's
    /// values. Adoption is counted per level.
    #[test]
    fn a_thread_adopts_its_programs_strings_for_its_later_copies() {
        use spec_interpreter::collection::{ValueMap, ValueSet};
        let key = |state: &State| match &state[0] {
            Value::Map(m) => match m.iter().next() {
                Some((Value::Str(k), Value::Str(v))) => (k.clone(), v.clone()),
                _ => panic!("a map of strings"),
            },
            _ => panic!("a map"),
        };
        let mut copy = LevelCopy::default();
        let mut level = Level::new(Columns::new(&[true, true]));
        let set = Value::Set(SetValue::Explicit(ValueSet::from_sorted_vec(vec![Value::Record(Arc::new(vec![(Arc::from("kind"), Value::str("abort"))]))])));
        level.push(1, &[Value::Map(ValueMap::from_vec(vec![(Value::str("r1"), Value::str("working"))])), set], &[1, 2]);
        let before = level.state_from(0, &mut copy, &mut None);
        // The thread's program has its own "r1", "working" and "kind".
        let (r1, working, kind): (Arc<str>, Arc<str>, Arc<str>) = (Arc::from("r1"), Arc::from("working"), Arc::from("kind"));
        assert!(!Arc::ptr_eq(&key(&before).0, &r1));
        copy.adopt_strings(&Value::Map(ValueMap::from_vec(vec![(Value::Str(r1.clone()), Value::Str(working.clone()))])));
        copy.adopt_strings(&Value::Record(Arc::new(vec![(kind.clone(), Value::str("commit"))])));
        let mut next = Level::new(Columns::new(&[true, true]));
        next.push(2, &[level.state(0)[0].clone(), level.state(0)[1].clone()], &[1, 2]);
        let after = next.state_from(0, &mut copy, &mut None);
        assert_eq!(*after, *level.state(0));
        let (k, v) = key(&after);
        assert!(Arc::ptr_eq(&k, &r1) && Arc::ptr_eq(&v, &working), "the map's strings are the program's");
        match &after[1] {
            Value::Set(SetValue::Explicit(items)) => match items.iter().next() {
                Some(Value::Record(fields)) => assert!(Arc::ptr_eq(&fields[0].0, &kind), "the field name is the program's"),
                other => panic!("a record: {other:?}"),
            },
            other => panic!("a set: {other:?}"),
        }
        assert!((0..ADOPTED_PER_LEVEL).all(|_| copy.adopting()) && !copy.adopting(), "a few states a level");
        let mut third = Level::new(Columns::new(&[true, true]));
        third.push(3, &[Value::int(1), Value::int(2)], &[1, 2]);
        third.state_from(0, &mut copy, &mut None);
        assert!(copy.adopting(), "counted again in a new level");
    }
}
