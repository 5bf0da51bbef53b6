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
//!
//! A changed set or map usually differs from the parent's in an element or two (`S.union(Set(x))`,
//! `m.set(k, v)`), and its other elements are the parent's, shared. So the hash of a set is
//! the sum of its elements' hashes (of a map, of its entries'), plus terms for the kind and
//! the size: an order-independent sum that [`next_value_hash`] updates from the parent's by
//! walking the two collections side by side and hashing only what differs. A sum of
//! uniform 64-bit hashes of distinct elements collides with the same probability as any
//! other 64-bit hash; the state's fingerprint mixes the variables' hashes again.

use foldhash::quality::FixedState;
use spec_interpreter::collection::{MapIter, SetIter};
use spec_interpreter::set::SetValue;
use spec_interpreter::value::Int;
use spec_interpreter::Value;
use std::hash::BuildHasher;
use std::sync::Arc;

/// The seed of every fingerprint (fixed: fingerprints are the same in every run).
const SEED: u64 = 0x5eed_5eed_c0ff_ee00;

/// The hash of a value inside a set or map (the interpreter's `Hash`, seeded).
fn plain_hash<T: std::hash::Hash>(value: T) -> u64 {
    FixedState::with_seed(SEED).hash_one(value)
}

/// The terms a set's and a map's hash add to the sum of their elements' hashes: one for
/// the kind, one per element.
const SET_KIND: u64 = 0x9e37_79b9_7f4a_7c15;
const MAP_KIND: u64 = 0xc2b2_ae3d_27d4_eb4f;
const PER_ELEMENT: u64 = 0x1656_67b1_9e37_79f9;

fn sealed(kind: u64, sum: u64, len: usize) -> u64 {
    sum.wrapping_add(kind).wrapping_add((len as u64).wrapping_mul(PER_ELEMENT))
}

/// The sum of the elements' hashes of a set of `len` elements whose hash is `hash`.
fn unsealed(kind: u64, hash: u64, len: usize) -> u64 {
    hash.wrapping_sub(kind).wrapping_sub((len as u64).wrapping_mul(PER_ELEMENT))
}

fn entry_hash(key: &Value, value: &Value) -> u64 {
    plain_hash((key, value))
}

/// A worker's cache of map entry hashes ([`entry_hash`]) by the identity of the key and
/// the value, for entries of strings, small integers and Booleans. A changed map entry is
/// hashed twice per successor (its old and its new hash), with a hash of about 240
/// instructions; the entries of a spec's maps are few, and their strings the program's
/// shared constants (two-phase commit: seven managers, four states), so a lookup by
/// pointer is nearly always a hit. The cache keeps a clone of what it hashed, so that a
/// pointer it holds is never reused for another string while it is kept.
pub struct EntryHashes {
    slots: Vec<Option<CachedEntry>>,
}

struct CachedEntry {
    key: (u64, u64),
    hash: u64,
    /// Keeps the strings alive (their addresses are part of `key`).
    _pins: (Value, Value),
}

/// Slots of an [`EntryHashes`] (a power of two).
const ENTRY_SLOTS: usize = 256;

impl Default for EntryHashes {
    fn default() -> EntryHashes {
        EntryHashes { slots: (0..ENTRY_SLOTS).map(|_| None).collect() }
    }
}

/// The identity of a value whose hash depends on it alone: a string's address, a small
/// integer or a Boolean, with a kind in the top bits (addresses and integers do not meet).
fn identity(value: &Value) -> Option<u64> {
    match value {
        Value::Str(s) => Some((Arc::as_ptr(s) as *const u8 as u64) & (u64::MAX >> 2)),
        Value::Int(Int::Small(n)) if (*n as u64) >> 62 == 0 => Some(1 << 62 | *n as u64),
        Value::Bool(b) => Some(2 << 62 | *b as u64),
        _ => None,
    }
}

impl EntryHashes {
    /// [`entry_hash`]`(key, value)`, from the cache when it holds it.
    pub fn hash(&mut self, key: &Value, value: &Value) -> u64 {
        let (Some(k), Some(v)) = (identity(key), identity(value)) else { return entry_hash(key, value) };
        let at = ((k ^ v.rotate_left(29)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize % ENTRY_SLOTS;
        if let Some(Some(cached)) = self.slots.get(at) {
            if cached.key == (k, v) {
                return cached.hash;
            }
        }
        let hash = entry_hash(key, value);
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = Some(CachedEntry { key: (k, v), hash, _pins: (key.clone(), value.clone()) });
        }
        hash
    }
}

/// The hash of one value (a state variable's). Agrees with `Eq`: a symbolic set hashes
/// like the explicit set it equals (its elements are listed), and sets too large to list
/// hash by the interpreter's `Hash` (by their description, as they compare).
pub fn value_hash(value: &Value) -> u64 {
    match value {
        Value::Set(SetValue::Explicit(items)) => sealed(SET_KIND, items.iter().fold(0, |sum, v| sum.wrapping_add(plain_hash(v))), items.len()),
        Value::Set(set) => match set.iter() {
            Ok(items) => {
                let (sum, len) = items.fold((0u64, 0usize), |(sum, len), v| (sum.wrapping_add(plain_hash(&v)), len + 1));
                sealed(SET_KIND, sum, len)
            }
            Err(_) => plain_hash(value),
        },
        Value::Map(map) => sealed(MAP_KIND, map.iter().fold(0, |sum, (k, v)| sum.wrapping_add(entry_hash(k, v))), map.len()),
        _ => plain_hash(value),
    }
}

/// The hash of `next`, the next value of a variable whose value was `old` with hash
/// `old_hash` (see the module documentation): the same as [`value_hash`]`(next)`, from the
/// elements that differ when both are explicit sets or both maps.
pub fn next_value_hash(old: &Value, old_hash: u64, next: &Value, entries: &mut EntryHashes) -> u64 {
    if same_value(old, next) {
        return old_hash;
    }
    let updated = match (old, next) {
        (Value::Set(SetValue::Explicit(a)), Value::Set(SetValue::Explicit(b))) => {
            let sum = unsealed(SET_KIND, old_hash, a.len());
            let allowed = changes_allowed(b.len());
            let difference = match (a.iter(), b.iter()) {
                (SetIter::Slice(x), SetIter::Slice(y)) => slice_difference(x.as_slice(), y.as_slice(), |x, y| same_value(x, y), |x, y| x.cmp(y), |v| plain_hash(v), allowed),
                (x, y) => sum_difference(x, y, |x, y| x.cmp(y), |v| plain_hash(v), allowed),
            };
            difference.map(|d| sealed(SET_KIND, sum.wrapping_add(d), b.len()))
        }
        (Value::Map(a), Value::Map(b)) => {
            let sum = unsealed(MAP_KIND, old_hash, a.len());
            let allowed = changes_allowed(b.len());
            let difference = match (a.iter(), b.iter()) {
                (MapIter::Slice(x), MapIter::Slice(y)) if x.len() == y.len() => match same_keys_difference(x.as_slice(), y.as_slice(), entries, allowed) {
                    Some(d) => Some(d),
                    None => {
                        let same = |x: &(Value, Value), y: &(Value, Value)| same_value(&x.0, &y.0) && same_value(&x.1, &y.1);
                        let by_key = |x: &(Value, Value), y: &(Value, Value)| if same_value(&x.0, &y.0) { std::cmp::Ordering::Equal } else { x.0.cmp(&y.0) };
                        slice_difference(x.as_slice(), y.as_slice(), same, by_key, |(k, v)| entries.hash(k, v), allowed)
                    }
                },
                (MapIter::Slice(x), MapIter::Slice(y)) => {
                    let same = |x: &(Value, Value), y: &(Value, Value)| same_value(&x.0, &y.0) && same_value(&x.1, &y.1);
                    let by_key = |x: &(Value, Value), y: &(Value, Value)| if same_value(&x.0, &y.0) { std::cmp::Ordering::Equal } else { x.0.cmp(&y.0) };
                    slice_difference(x.as_slice(), y.as_slice(), same, by_key, |(k, v)| entries.hash(k, v), allowed)
                }
                (x, y) => {
                    let by_key = |x: &(&Value, &Value), y: &(&Value, &Value)| if same_value(x.0, y.0) { std::cmp::Ordering::Equal } else { x.0.cmp(y.0) };
                    sum_difference(x, y, by_key, |(k, v)| entries.hash(k, v), allowed)
                }
            };
            difference.map(|d| sealed(MAP_KIND, sum.wrapping_add(d), b.len()))
        }
        _ => None,
    };
    updated.unwrap_or_else(|| value_hash(next))
}

/// The most elements that may differ before a collection is hashed whole instead (walking
/// and comparing costs about as much as hashing once most elements differ).
fn changes_allowed(len: usize) -> usize {
    2 + len / 4
}

/// The difference of the entry hashes of two maps with the same keys in the same places
/// (`m.set(k, v)` on an existing key: the common update), from the values that differ;
/// `None` when a key differs or past `allowed` changes (the caller then walks the maps by
/// key order).
fn same_keys_difference(old: &[(Value, Value)], new: &[(Value, Value)], entries: &mut EntryHashes, allowed: usize) -> Option<u64> {
    let mut difference = 0u64;
    let mut changes = 0;
    for ((k, x), (key, y)) in old.iter().zip(new) {
        // An update may put its own copy of the key in place (a thread's copy of a state
        // and the thread's program do not share strings): equal keys are the same entry.
        if !same_value(k, key) && k != key {
            return None;
        }
        if !same_value(x, y) {
            changes += 1;
            if changes > allowed {
                return None;
            }
            difference = difference.wrapping_add(entries.hash(key, y)).wrapping_sub(entries.hash(k, x));
        }
    }
    Some(difference)
}

/// [`sum_difference`] for two collections held as sorted slices (the small ones, up to
/// `SMALL_MAX` entries: every collection of two-phase commit's states), walked by index:
/// the iterators' enum and `Peekable` cost more than the comparisons on such short walks.
fn slice_difference<T>(old: &[T], new: &[T], same: impl Fn(&T, &T) -> bool, order: impl Fn(&T, &T) -> std::cmp::Ordering, mut hash: impl FnMut(&T) -> u64, allowed: usize) -> Option<u64> {
    let (mut i, mut j) = (0, 0);
    let mut difference = 0u64;
    let mut changes = 0;
    while let (Some(x), Some(y)) = (old.get(i), new.get(j)) {
        if same(x, y) {
            i += 1;
            j += 1;
            continue;
        }
        match order(x, y) {
            std::cmp::Ordering::Less => {
                difference = difference.wrapping_sub(hash(x));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                difference = difference.wrapping_add(hash(y));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                difference = difference.wrapping_add(hash(y)).wrapping_sub(hash(x));
                i += 1;
                j += 1;
            }
        }
        changes += 1;
        if changes > allowed {
            return None;
        }
    }
    let (gone, added) = (&old[i.min(old.len())..], &new[j.min(new.len())..]);
    if changes + gone.len() + added.len() > allowed {
        return None;
    }
    for x in gone {
        difference = difference.wrapping_sub(hash(x));
    }
    for y in added {
        difference = difference.wrapping_add(hash(y));
    }
    Some(difference)
}

/// Walks two collections sorted by `order` side by side and returns the hashes of the
/// elements only in `new` minus those only in `old` (an element present in both but not
/// the same at a glance counts as both), or `None` past `allowed` differences.
fn sum_difference<T: Copy>(old: impl Iterator<Item = T>, new: impl Iterator<Item = T>, order: impl Fn(&T, &T) -> std::cmp::Ordering, mut hash: impl FnMut(T) -> u64, allowed: usize) -> Option<u64>
where
    T: AtGlance,
{
    let (mut old, mut new) = (old.peekable(), new.peekable());
    let mut difference = 0u64;
    let mut changes = 0;
    loop {
        match (old.peek().copied(), new.peek().copied()) {
            (None, None) => return Some(difference),
            (Some(x), Some(y)) if x.same(&y) => {
                old.next();
                new.next();
                continue;
            }
            (Some(x), None) => {
                difference = difference.wrapping_sub(hash(x));
                old.next();
            }
            (None, Some(y)) => {
                difference = difference.wrapping_add(hash(y));
                new.next();
            }
            (Some(x), Some(y)) => match order(&x, &y) {
                std::cmp::Ordering::Less => {
                    difference = difference.wrapping_sub(hash(x));
                    old.next();
                }
                std::cmp::Ordering::Greater => {
                    difference = difference.wrapping_add(hash(y));
                    new.next();
                }
                std::cmp::Ordering::Equal => {
                    difference = difference.wrapping_add(hash(y)).wrapping_sub(hash(x));
                    old.next();
                    new.next();
                }
            },
        }
        changes += 1;
        if changes > allowed {
            return None;
        }
    }
}

/// Whether two elements of collections are the same at a glance ([`same_value`]).
trait AtGlance {
    fn same(&self, other: &Self) -> bool;
}

impl AtGlance for &Value {
    fn same(&self, other: &Self) -> bool {
        same_value(self, other)
    }
}

impl AtGlance for (&Value, &Value) {
    fn same(&self, other: &Self) -> bool {
        same_value(self.0, other.0) && same_value(self.1, other.1)
    }
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
#[inline(always)]
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

#[cfg(test)]
mod incremental_tests {
    //! The hash [`next_value_hash`] updates from the parent's must be the one
    //! [`value_hash`] computes from scratch, whatever changed.
    use super::*;
    use spec_interpreter::collection::{ValueMap, ValueSet};

    /// A small deterministic generator (no dependency needed for a test).
    struct Numbers(u64);

    impl Numbers {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    fn element(numbers: &mut Numbers) -> Value {
        match numbers.below(3) {
            0 => Value::int(numbers.below(60) as i64),
            1 => Value::str(&format!("r{}", numbers.below(60))),
            _ => Value::Record(Arc::new(vec![(Arc::from("kind"), Value::str("prepared")), (Arc::from("rm"), Value::int(numbers.below(60) as i64))])),
        }
    }

    fn set(items: &ValueSet) -> Value {
        Value::Set(SetValue::Explicit(items.clone()))
    }

    #[test]
    fn updated_set_hashes_equal_hashes_from_scratch() {
        let mut numbers = Numbers(11);
        for _ in 0..300 {
            let size = numbers.below(45) as usize;
            let old: ValueSet = (0..size).map(|_| element(&mut numbers)).collect();
            let mut next = old.clone();
            for _ in 0..numbers.below(6) {
                next = match numbers.below(3) {
                    0 => next.update(element(&mut numbers)),
                    1 => match next.nth(numbers.below(next.len().max(1) as u64) as usize).cloned() {
                        Some(v) => next.without(&v),
                        None => next,
                    },
                    _ => next.union(&(0..numbers.below(3)).map(|_| element(&mut numbers)).collect()),
                };
            }
            let (old, next) = (set(&old), set(&next));
            assert_eq!(next_value_hash(&old, value_hash(&old), &next, &mut EntryHashes::default()), value_hash(&next), "{old} -> {next}");
        }
    }

    #[test]
    fn updated_map_hashes_equal_hashes_from_scratch() {
        let mut numbers = Numbers(5);
        for _ in 0..300 {
            let size = numbers.below(40);
            let old: ValueMap = (0..size).map(|k| (Value::str(&format!("r{k}")), element(&mut numbers))).collect();
            let mut next = old.clone();
            for _ in 0..numbers.below(6) {
                let key = Value::str(&format!("r{}", numbers.below(size + 3)));
                next = match numbers.below(2) {
                    0 => next.update(key, element(&mut numbers)),
                    _ => next.without(&key),
                };
            }
            let (old, next) = (Value::Map(old), Value::Map(next));
            assert_eq!(next_value_hash(&old, value_hash(&old), &next, &mut EntryHashes::default()), value_hash(&next), "{old} -> {next}");
        }
    }

    #[test]
    fn values_that_share_nothing_or_change_kind_are_hashed_whole() {
        let built: ValueSet = (0..30).map(Value::int).collect();
        let apart: ValueSet = (1..31).map(Value::int).collect();
        let (built, apart) = (set(&built), set(&apart));
        assert_eq!(next_value_hash(&built, value_hash(&built), &apart, &mut EntryHashes::default()), value_hash(&apart));
        let empty_map = Value::Map(ValueMap::new());
        assert_eq!(next_value_hash(&built, value_hash(&built), &empty_map, &mut EntryHashes::default()), value_hash(&empty_map));
        assert_ne!(value_hash(&empty_map), value_hash(&set(&ValueSet::new())));
        assert_ne!(value_hash(&set(&[Value::int(1), Value::int(2)].into_iter().collect())), value_hash(&set(&[Value::int(1), Value::int(3)].into_iter().collect())));
    }

    #[test]
    fn a_symbolic_set_hashes_like_the_explicit_set_it_equals() {
        let interval = Value::Set(SetValue::Interval(Arc::new((Int::Small(1), Int::Small(3)))));
        let explicit = set(&[Value::int(1), Value::int(2), Value::int(3)].into_iter().collect());
        assert_eq!(interval, explicit);
        assert_eq!(value_hash(&interval), value_hash(&explicit));
        assert_eq!(next_value_hash(&explicit, value_hash(&explicit), &interval, &mut EntryHashes::default()), value_hash(&explicit));
    }

    #[test]
    fn cached_entry_hashes_are_the_entry_hashes() {
        let mut cache = EntryHashes::default();
        let keys: Vec<Value> = (0..40).map(|k| Value::str(&format!("r{k}"))).collect();
        let values = [Value::str("working"), Value::str("prepared"), Value::int(3), Value::int(-4), Value::Bool(true), Value::Record(Arc::new(vec![(Arc::from("a"), Value::int(1))]))];
        // Twice over, so that the second round reads what the first one kept (and what
        // replaced it in a slot shared by two entries).
        for _ in 0..2 {
            for k in &keys {
                for v in &values {
                    assert_eq!(cache.hash(k, v), entry_hash(k, v));
                    // An equal string at another address is another entry of the cache, same hash.
                    let copy = Value::str(&v.to_string());
                    assert_eq!(cache.hash(k, &copy), entry_hash(k, &copy));
                }
            }
        }
        let mut numbers = Numbers(3);
        for _ in 0..200 {
            let size = numbers.below(12);
            let old: ValueMap = (0..size).map(|k| (keys[k as usize].clone(), values[numbers.below(5) as usize].clone())).collect();
            let next = old.update(keys[numbers.below(size + 2) as usize].clone(), values[numbers.below(5) as usize].clone());
            let (old, next) = (Value::Map(old), Value::Map(next));
            assert_eq!(next_value_hash(&old, value_hash(&old), &next, &mut cache), value_hash(&next), "{old} -> {next}");
        }
    }
}
