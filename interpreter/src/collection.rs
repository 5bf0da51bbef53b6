//! Explicit sets and maps of values, always in canonical order (the `Ord` of `Value`).
//!
//! Most sets and maps a spec builds are small (a few processes, a board row, the messages of a
//! round), and most of the work on them is reading: membership, lookups, iteration. A
//! persistent B-tree pays for its sharing on every one of those (a node per collection of
//! sixteen slots, a cursor to iterate, a whole chunk copied on every update), so a collection
//! of at most [`SMALL_MAX`] entries is a sorted array behind one shared pointer instead:
//! lookups are a binary search, iteration is a slice walk, an update copies the few entries.
//! A larger one is an imbl B-tree, so that building a big set element by element stays
//! O(n log n) rather than O(n^2).
//!
//! Which representation holds a collection is invisible: equality, order and hashing look at
//! the entries in canonical order only. Constructors keep the rule "small exactly when at most
//! `SMALL_MAX` entries", so the choice follows from the size alone.

use crate::value::Value;
use imbl::shared_ptr::DefaultSharedPtr;
use imbl::{OrdMap, OrdSet};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// The most entries a collection keeps as a sorted array.
pub const SMALL_MAX: usize = 32;

/// `items` with `items[from..to]` replaced by `new`, built in a single allocation (a `Vec`
/// turned into an `Arc<[T]>` is allocated twice and copied once more).
fn spliced<T: Clone>(items: &[T], from: usize, to: usize, new: T) -> Arc<[T]> {
    items[..from].iter().cloned().chain(std::iter::once(new)).chain(items[to..].iter().cloned()).collect()
}

/// `items` with `new` inserted at `at`, in one allocation, the items moved out of `items`
/// (which no one else holds; they are left as cheap placeholders, dropped with it).
fn spliced_out(items: &mut [(Value, Value)], at: usize, new: (Value, Value)) -> Arc<[(Value, Value)]> {
    let take = |e: &mut (Value, Value)| std::mem::replace(e, (Value::Bool(false), Value::Bool(false)));
    let (before, after) = items.split_at_mut(at);
    before.iter_mut().map(take).chain(std::iter::once(new)).chain(after.iter_mut().map(take)).collect()
}

/// `items` with `items[at]` replaced by `new`: the slice copied whole in one allocation (a
/// plain clone of each item, cheaper than [`spliced`]'s chain of iterators), then the one
/// item overwritten in the new, unshared copy.
fn replaced<T: Clone>(items: &[T], at: usize, new: T) -> Arc<[T]> {
    let mut copy: Arc<[T]> = Arc::from(items);
    match Arc::get_mut(&mut copy).and_then(|slots| slots.get_mut(at)) {
        Some(slot) => {
            *slot = new;
            copy
        }
        None => spliced(items, at, at + 1, new),
    }
}

/// Where `wanted` is in `items`, sorted strictly ascending by `key`: `Ok` with its index, or
/// `Err` with where it would go (as a binary search answers). A few items are scanned in
/// order, integers compared inline, which is cheaper than halving so short a range.
#[inline]
fn search_sorted<T>(items: &[T], wanted: &Value, key: impl Fn(&T) -> &Value) -> Result<usize, usize> {
    const SCAN_MAX: usize = 8;
    if items.len() > SCAN_MAX {
        return items.binary_search_by(|x| key(x).cmp_quick(wanted));
    }
    for (i, x) in items.iter().enumerate() {
        match key(x).cmp_quick(wanted) {
            Ordering::Less => {}
            Ordering::Equal => return Ok(i),
            Ordering::Greater => return Err(i),
        }
    }
    Err(items.len())
}

/// Whether `items` is sorted strictly ascending by `key` (no two equal).
fn strictly_sorted<T>(items: &[T], key: impl Fn(&T) -> &Value) -> bool {
    items.windows(2).all(|w| key(&w[0]) < key(&w[1]))
}

// ------------------------------------------------------------------------------------ sets

/// An explicit set of values (see the module documentation).
#[derive(Clone, Default)]
pub struct ValueSet(SetRepr);

#[derive(Clone, Default)]
enum SetRepr {
    #[default]
    Empty,
    /// Sorted, without duplicates, 1 to `SMALL_MAX` elements.
    Small(Arc<[Value]>),
    /// More than `SMALL_MAX` elements.
    Large(OrdSet<Value>),
}

impl ValueSet {
    pub fn new() -> ValueSet {
        ValueSet(SetRepr::Empty)
    }

    /// A set of the values of `items`, which must be sorted strictly ascending.
    pub fn from_sorted_vec(items: Vec<Value>) -> ValueSet {
        debug_assert!(strictly_sorted(&items, |v| v));
        ValueSet(match items.len() {
            0 => SetRepr::Empty,
            n if n <= SMALL_MAX => SetRepr::Small(Arc::from(items)),
            _ => SetRepr::Large(items.into_iter().collect()),
        })
    }

    /// A set of the values of `items` (cloned), in any order, duplicates allowed: a small set
    /// already in order is built in one allocation, without a vector first (`Set(x)`).
    pub fn from_slice(items: &[Value]) -> ValueSet {
        if items.len() <= SMALL_MAX && strictly_sorted(items, |v| v) {
            return ValueSet(if items.is_empty() { SetRepr::Empty } else { SetRepr::Small(Arc::from(items)) });
        }
        ValueSet::from_vec(items.to_vec())
    }

    /// A set of the values of `items`, in any order, duplicates allowed.
    pub fn from_vec(mut items: Vec<Value>) -> ValueSet {
        if !strictly_sorted(&items, |v| v) {
            items.sort_unstable();
            items.dedup();
        }
        ValueSet::from_sorted_vec(items)
    }

    fn from_tree(tree: OrdSet<Value>) -> ValueSet {
        if tree.len() <= SMALL_MAX {
            ValueSet::from_sorted_vec(tree.into_iter().collect())
        } else {
            ValueSet(SetRepr::Large(tree))
        }
    }

    /// The elements when the set is held as a sorted array (always, when it is small).
    fn slice(&self) -> Option<&[Value]> {
        match &self.0 {
            SetRepr::Empty => Some(&[]),
            SetRepr::Small(items) => Some(items),
            SetRepr::Large(_) => None,
        }
    }

    /// The set as a B-tree (built for a small one).
    fn tree(&self) -> OrdSet<Value> {
        match &self.0 {
            SetRepr::Large(tree) => tree.clone(),
            _ => self.iter().cloned().collect(),
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            SetRepr::Empty => 0,
            SetRepr::Small(items) => items.len(),
            SetRepr::Large(tree) => tree.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements in canonical order.
    pub fn iter(&self) -> SetIter<'_> {
        match &self.0 {
            SetRepr::Large(tree) => SetIter::Tree(tree.iter()),
            _ => SetIter::Slice(self.slice().unwrap_or(&[]).iter()),
        }
    }

    pub fn contains(&self, v: &Value) -> bool {
        match &self.0 {
            SetRepr::Empty => false,
            SetRepr::Small(items) => search_sorted(items, v, |x| x).is_ok(),
            SetRepr::Large(tree) => tree.contains(v),
        }
    }

    /// The position of `v` in canonical order, if it is an element.
    pub fn position(&self, v: &Value) -> Option<usize> {
        match self.slice() {
            Some(items) => search_sorted(items, v, |x| x).ok(),
            None => self.iter().position(|x| x == v),
        }
    }

    /// The element at position `i` in canonical order.
    pub fn nth(&self, i: usize) -> Option<&Value> {
        match self.slice() {
            Some(items) => items.get(i),
            None => self.iter().nth(i),
        }
    }

    pub fn get_min(&self) -> Option<&Value> {
        match &self.0 {
            SetRepr::Large(tree) => tree.get_min(),
            _ => self.slice().and_then(|s| s.first()),
        }
    }

    pub fn get_max(&self) -> Option<&Value> {
        match &self.0 {
            SetRepr::Large(tree) => tree.get_max(),
            _ => self.slice().and_then(|s| s.last()),
        }
    }

    /// Whether both are the same shared set (`false` says nothing: they may still be equal).
    pub fn ptr_eq(&self, other: &ValueSet) -> bool {
        match (&self.0, &other.0) {
            (SetRepr::Empty, SetRepr::Empty) => true,
            (SetRepr::Small(a), SetRepr::Small(b)) => Arc::ptr_eq(a, b),
            (SetRepr::Large(a), SetRepr::Large(b)) => a.ptr_eq(b),
            _ => false,
        }
    }

    /// Adds `v` (O(n) on a small set: build sets with `collect` or `from_vec` instead of
    /// inserting one element at a time).
    pub fn insert(&mut self, v: Value) {
        *self = self.update(v);
    }

    /// The set with `v` added.
    pub fn update(&self, v: Value) -> ValueSet {
        match &self.0 {
            SetRepr::Large(tree) => ValueSet(SetRepr::Large(tree.update(v))),
            _ => {
                let items = self.slice().unwrap_or(&[]);
                match search_sorted(items, &v, |x| x) {
                    Ok(_) => self.clone(),
                    Err(at) if items.len() < SMALL_MAX => ValueSet(SetRepr::Small(spliced(items, at, at, v))),
                    Err(at) => {
                        let mut out = Vec::with_capacity(items.len() + 1);
                        out.extend_from_slice(&items[..at]);
                        out.push(v);
                        out.extend_from_slice(&items[at..]);
                        ValueSet::from_sorted_vec(out)
                    }
                }
            }
        }
    }

    /// The set without `v`.
    pub fn without(&self, v: &Value) -> ValueSet {
        match &self.0 {
            SetRepr::Large(tree) => ValueSet::from_tree(tree.without(v)),
            _ => {
                let items = self.slice().unwrap_or(&[]);
                match search_sorted(items, v, |x| x) {
                    Err(_) => self.clone(),
                    Ok(at) => ValueSet::from_sorted_vec(items[..at].iter().chain(&items[at + 1..]).cloned().collect()),
                }
            }
        }
    }

    pub fn union(&self, other: &ValueSet) -> ValueSet {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        // `s.union(Set(x))`: one element added in place of a merge (a set that has it already
        // is shared, not copied).
        if let Some([x]) = other.slice() {
            return self.update(x.clone());
        }
        if let Some([x]) = self.slice() {
            return other.update(x.clone());
        }
        match (self.slice(), other.slice()) {
            (Some(a), Some(b)) => {
                let mut out = Vec::with_capacity(a.len() + b.len());
                let (mut i, mut j) = (0, 0);
                while i < a.len() && j < b.len() {
                    match a[i].cmp(&b[j]) {
                        Ordering::Less => {
                            out.push(a[i].clone());
                            i += 1;
                        }
                        Ordering::Greater => {
                            out.push(b[j].clone());
                            j += 1;
                        }
                        Ordering::Equal => {
                            out.push(a[i].clone());
                            i += 1;
                            j += 1;
                        }
                    }
                }
                out.extend_from_slice(&a[i..]);
                out.extend_from_slice(&b[j..]);
                ValueSet::from_sorted_vec(out)
            }
            // The larger one is a tree: add the other's elements to it.
            _ => {
                let (big, small) = if self.len() >= other.len() { (self, other) } else { (other, self) };
                match (&big.0, &small.0) {
                    (SetRepr::Large(a), SetRepr::Large(b)) => ValueSet(SetRepr::Large(a.clone().union(b.clone()))),
                    (SetRepr::Large(a), _) => {
                        let mut tree = a.clone();
                        small.iter().for_each(|v| {
                            tree.insert(v.clone());
                        });
                        ValueSet(SetRepr::Large(tree))
                    }
                    _ => ValueSet(SetRepr::Large(big.tree().union(small.tree()))),
                }
            }
        }
    }

    pub fn intersection(&self, other: &ValueSet) -> ValueSet {
        let (few, many) = if self.len() <= other.len() { (self, other) } else { (other, self) };
        ValueSet::from_sorted_vec(few.iter().filter(|v| many.contains(v)).cloned().collect())
    }

    /// The elements of `self` that are not in `other`.
    pub fn relative_complement(&self, other: &ValueSet) -> ValueSet {
        if other.is_empty() {
            return self.clone();
        }
        ValueSet::from_sorted_vec(self.iter().filter(|v| !other.contains(v)).cloned().collect())
    }

    pub fn is_subset(&self, other: &ValueSet) -> bool {
        self.len() <= other.len() && self.iter().all(|v| other.contains(v))
    }
}

/// The elements of a [`ValueSet`], borrowed, in canonical order.
#[derive(Clone)]
pub enum SetIter<'a> {
    Slice(std::slice::Iter<'a, Value>),
    Tree(imbl::ordset::Iter<'a, Value, DefaultSharedPtr>),
}

impl<'a> Iterator for SetIter<'a> {
    type Item = &'a Value;

    #[inline]
    fn next(&mut self) -> Option<&'a Value> {
        match self {
            SetIter::Slice(it) => it.next(),
            SetIter::Tree(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            SetIter::Slice(it) => it.size_hint(),
            SetIter::Tree(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for SetIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            SetIter::Slice(it) => it.next_back(),
            SetIter::Tree(it) => it.next_back(),
        }
    }
}

/// The elements of a [`ValueSet`], owned (cloned from it), in canonical order.
pub enum SetIntoIter {
    Empty,
    Slice(Arc<[Value]>, std::ops::Range<usize>),
    Tree(imbl::ordset::ConsumingIter<Value, DefaultSharedPtr>),
}

impl Iterator for SetIntoIter {
    type Item = Value;

    #[inline]
    fn next(&mut self) -> Option<Value> {
        match self {
            SetIntoIter::Empty => None,
            SetIntoIter::Slice(items, range) => range.next().map(|i| items[i].clone()),
            SetIntoIter::Tree(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            SetIntoIter::Empty => (0, Some(0)),
            SetIntoIter::Slice(_, range) => range.size_hint(),
            SetIntoIter::Tree(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for SetIntoIter {
    fn next_back(&mut self) -> Option<Value> {
        match self {
            SetIntoIter::Empty => None,
            SetIntoIter::Slice(items, range) => range.next_back().map(|i| items[i].clone()),
            SetIntoIter::Tree(it) => it.next_back(),
        }
    }
}

impl IntoIterator for ValueSet {
    type Item = Value;
    type IntoIter = SetIntoIter;

    fn into_iter(self) -> SetIntoIter {
        match self.0 {
            SetRepr::Empty => SetIntoIter::Empty,
            SetRepr::Small(items) => {
                let n = items.len();
                SetIntoIter::Slice(items, 0..n)
            }
            SetRepr::Large(tree) => SetIntoIter::Tree(tree.into_iter()),
        }
    }
}

impl<'a> IntoIterator for &'a ValueSet {
    type Item = &'a Value;
    type IntoIter = SetIter<'a>;

    fn into_iter(self) -> SetIter<'a> {
        self.iter()
    }
}

impl FromIterator<Value> for ValueSet {
    fn from_iter<I: IntoIterator<Item = Value>>(items: I) -> ValueSet {
        ValueSet::from_vec(items.into_iter().collect())
    }
}

impl From<OrdSet<Value>> for ValueSet {
    fn from(tree: OrdSet<Value>) -> ValueSet {
        ValueSet::from_tree(tree)
    }
}

impl PartialEq for ValueSet {
    fn eq(&self, other: &ValueSet) -> bool {
        self.ptr_eq(other) || (self.len() == other.len() && self.iter().eq(other.iter()))
    }
}
impl Eq for ValueSet {}

impl PartialOrd for ValueSet {
    fn partial_cmp(&self, other: &ValueSet) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ValueSet {
    fn cmp(&self, other: &ValueSet) -> Ordering {
        if self.ptr_eq(other) {
            return Ordering::Equal;
        }
        self.iter().cmp(other.iter())
    }
}

/// The elements in canonical order, then their number (as `SetValue` hashes every set).
impl std::hash::Hash for ValueSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.iter().for_each(|v| v.hash(state));
        state.write_usize(self.len());
    }
}

impl fmt::Debug for ValueSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

// ------------------------------------------------------------------------------------ maps

/// An explicit map from values to values (see the module documentation).
#[derive(Clone, Default)]
pub struct ValueMap(MapRepr);

#[derive(Clone, Default)]
enum MapRepr {
    #[default]
    Empty,
    /// Sorted by key, keys distinct, 1 to `SMALL_MAX` entries.
    Small(Arc<[(Value, Value)]>),
    /// More than `SMALL_MAX` entries.
    Large(OrdMap<Value, Value>),
}

impl ValueMap {
    pub fn new() -> ValueMap {
        ValueMap(MapRepr::Empty)
    }

    /// A map of `entries`, which must be sorted strictly ascending by key.
    pub fn from_sorted_vec(entries: Vec<(Value, Value)>) -> ValueMap {
        debug_assert!(strictly_sorted(&entries, |e| &e.0));
        ValueMap(match entries.len() {
            0 => MapRepr::Empty,
            n if n <= SMALL_MAX => MapRepr::Small(Arc::from(entries)),
            _ => MapRepr::Large(entries.into_iter().collect()),
        })
    }

    /// A map of `entries` in any order; of entries with equal keys, the last one counts.
    pub fn from_vec(mut entries: Vec<(Value, Value)>) -> ValueMap {
        if !strictly_sorted(&entries, |e| &e.0) {
            // Stable: entries with equal keys stay in their order, and the last one is kept.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut kept: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
            for e in entries {
                match kept.last_mut() {
                    Some(last) if last.0 == e.0 => *last = e,
                    _ => kept.push(e),
                }
            }
            entries = kept;
        }
        ValueMap::from_sorted_vec(entries)
    }

    fn from_tree(tree: OrdMap<Value, Value>) -> ValueMap {
        if tree.len() <= SMALL_MAX {
            ValueMap::from_sorted_vec(tree.into_iter().collect())
        } else {
            ValueMap(MapRepr::Large(tree))
        }
    }

    fn slice(&self) -> Option<&[(Value, Value)]> {
        match &self.0 {
            MapRepr::Empty => Some(&[]),
            MapRepr::Small(entries) => Some(entries),
            MapRepr::Large(_) => None,
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            MapRepr::Empty => 0,
            MapRepr::Small(entries) => entries.len(),
            MapRepr::Large(tree) => tree.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries in canonical order of their keys.
    pub fn iter(&self) -> MapIter<'_> {
        match &self.0 {
            MapRepr::Large(tree) => MapIter::Tree(tree.iter()),
            _ => MapIter::Slice(self.slice().unwrap_or(&[]).iter()),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Value> + '_ {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + '_ {
        self.iter().map(|(_, v)| v)
    }

    fn search(entries: &[(Value, Value)], key: &Value) -> Result<usize, usize> {
        search_sorted(entries, key, |e| &e.0)
    }

    pub fn get(&self, key: &Value) -> Option<&Value> {
        match &self.0 {
            MapRepr::Empty => None,
            MapRepr::Small(entries) => ValueMap::search(entries, key).ok().map(|i| &entries[i].1),
            MapRepr::Large(tree) => tree.get(key),
        }
    }

    pub fn contains_key(&self, key: &Value) -> bool {
        self.get(key).is_some()
    }

    /// Whether both are the same shared map (`false` says nothing: they may still be equal).
    pub fn ptr_eq(&self, other: &ValueMap) -> bool {
        match (&self.0, &other.0) {
            (MapRepr::Empty, MapRepr::Empty) => true,
            (MapRepr::Small(a), MapRepr::Small(b)) => Arc::ptr_eq(a, b),
            (MapRepr::Large(a), MapRepr::Large(b)) => a.ptr_eq(b),
            _ => false,
        }
    }

    /// The map with `key` bound to `value` (added or replaced).
    pub fn update(&self, key: Value, value: Value) -> ValueMap {
        match &self.0 {
            MapRepr::Large(tree) => ValueMap(MapRepr::Large(tree.update(key, value))),
            _ => {
                let entries = self.slice().unwrap_or(&[]);
                match ValueMap::search(entries, &key) {
                    Ok(at) => ValueMap(MapRepr::Small(replaced(entries, at, (key, value)))),
                    Err(at) if entries.len() < SMALL_MAX => ValueMap(MapRepr::Small(spliced(entries, at, at, (key, value)))),
                    Err(at) => {
                        let mut out = Vec::with_capacity(entries.len() + 1);
                        out.extend_from_slice(&entries[..at]);
                        out.push((key, value));
                        out.extend_from_slice(&entries[at..]);
                        ValueMap::from_sorted_vec(out)
                    }
                }
            }
        }
    }

    /// The map with `key` bound to `value`, taking the map: a small map no one else holds is
    /// changed in place when the key is in it. With `must_exist`, a key not in the map is
    /// an error (`Err` gives the key back) rather than added.
    pub fn updated(self, key: Value, value: Value, must_exist: bool) -> Result<ValueMap, Value> {
        match self.0 {
            MapRepr::Small(mut entries) => match ValueMap::search(&entries, &key) {
                Ok(at) => match Arc::get_mut(&mut entries) {
                    Some(owned) => {
                        owned[at].1 = value;
                        Ok(ValueMap(MapRepr::Small(entries)))
                    }
                    None => Ok(ValueMap(MapRepr::Small(replaced(&entries, at, (key, value))))),
                },
                Err(_) if must_exist => Err(key),
                Err(at) if entries.len() < SMALL_MAX => match Arc::get_mut(&mut entries) {
                    // No one else holds the entries: they move to the larger copy instead
                    // of being cloned there and dropped here (`fold` with `acc.put(k, v)`).
                    Some(owned) => Ok(ValueMap(MapRepr::Small(spliced_out(owned, at, (key, value))))),
                    None => Ok(ValueMap(MapRepr::Small(spliced(&entries, at, at, (key, value))))),
                },
                Err(_) => Ok(ValueMap(MapRepr::Small(entries)).update(key, value)),
            },
            repr => {
                let map = ValueMap(repr);
                if must_exist && !map.contains_key(&key) {
                    return Err(key);
                }
                Ok(map.update(key, value))
            }
        }
    }

    /// Binds `key` to `value` (O(n) on a small map: build maps with `collect` or `from_vec`).
    pub fn insert(&mut self, key: Value, value: Value) {
        *self = self.update(key, value);
    }

    /// The map without `key`.
    pub fn without(&self, key: &Value) -> ValueMap {
        match &self.0 {
            MapRepr::Large(tree) => ValueMap::from_tree(tree.without(key)),
            _ => {
                let entries = self.slice().unwrap_or(&[]);
                match ValueMap::search(entries, key) {
                    Err(_) => self.clone(),
                    Ok(at) => ValueMap::from_sorted_vec(entries[..at].iter().chain(&entries[at + 1..]).cloned().collect()),
                }
            }
        }
    }
}

/// The entries of a [`ValueMap`], borrowed, in canonical order of their keys.
#[derive(Clone)]
pub enum MapIter<'a> {
    Slice(std::slice::Iter<'a, (Value, Value)>),
    Tree(imbl::ordmap::Iter<'a, Value, Value, DefaultSharedPtr>),
}

impl<'a> Iterator for MapIter<'a> {
    type Item = (&'a Value, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            MapIter::Slice(it) => it.next().map(|(k, v)| (k, v)),
            MapIter::Tree(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            MapIter::Slice(it) => it.size_hint(),
            MapIter::Tree(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for MapIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            MapIter::Slice(it) => it.next_back().map(|(k, v)| (k, v)),
            MapIter::Tree(it) => it.next_back(),
        }
    }
}

impl<'a> IntoIterator for &'a ValueMap {
    type Item = (&'a Value, &'a Value);
    type IntoIter = MapIter<'a>;

    fn into_iter(self) -> MapIter<'a> {
        self.iter()
    }
}

impl IntoIterator for ValueMap {
    type Item = (Value, Value);
    type IntoIter = std::vec::IntoIter<(Value, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>().into_iter()
    }
}

impl FromIterator<(Value, Value)> for ValueMap {
    fn from_iter<I: IntoIterator<Item = (Value, Value)>>(entries: I) -> ValueMap {
        ValueMap::from_vec(entries.into_iter().collect())
    }
}

impl From<OrdMap<Value, Value>> for ValueMap {
    fn from(tree: OrdMap<Value, Value>) -> ValueMap {
        ValueMap::from_tree(tree)
    }
}

impl PartialEq for ValueMap {
    fn eq(&self, other: &ValueMap) -> bool {
        self.ptr_eq(other) || (self.len() == other.len() && self.iter().eq(other.iter()))
    }
}
impl Eq for ValueMap {}

impl PartialOrd for ValueMap {
    fn partial_cmp(&self, other: &ValueMap) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ValueMap {
    fn cmp(&self, other: &ValueMap) -> Ordering {
        if self.ptr_eq(other) {
            return Ordering::Equal;
        }
        self.iter().cmp(other.iter())
    }
}

impl fmt::Debug for ValueMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(range: std::ops::Range<i64>) -> Vec<Value> {
        range.map(Value::int).collect()
    }

    #[test]
    fn a_key_put_in_an_unshared_map_moves_its_entries_and_a_shared_map_stays() {
        let entries: Vec<(Value, Value)> = (0..10).map(|i| (Value::int(2 * i), Value::int(i))).collect();
        let shared = ValueMap::from_sorted_vec(entries.clone());
        let kept = shared.clone();
        let from_shared = shared.updated(Value::int(7), Value::int(70), false).expect("put");
        let from_own = ValueMap::from_sorted_vec(entries).updated(Value::int(7), Value::int(70), false).expect("put");
        assert_eq!(from_shared, from_own);
        assert_eq!(from_own.len(), 11);
        assert_eq!(from_own.get(&Value::int(7)), Some(&Value::int(70)));
        assert_eq!(from_own.keys().cloned().collect::<Vec<_>>(), [0, 2, 4, 6, 7, 8, 10, 12, 14, 16, 18].map(Value::int).to_vec());
        // The map held elsewhere is unchanged.
        assert_eq!(kept.len(), 10);
        assert_eq!(kept.get(&Value::int(7)), None);
        // At the ends too.
        let first = ValueMap::from_sorted_vec(vec![(Value::int(1), Value::int(1))]).updated(Value::int(0), Value::int(0), false).expect("put");
        let last = first.clone().updated(Value::int(5), Value::int(5), false).expect("put");
        assert_eq!(last.keys().cloned().collect::<Vec<_>>(), [0, 1, 5].map(Value::int).to_vec());
    }

    #[test]
    fn sets_switch_representation_at_the_threshold_and_stay_equal() {
        let n = SMALL_MAX as i64;
        let small: ValueSet = ints(0..n).into_iter().rev().collect();
        assert!(small.slice().is_some());
        let large = small.update(Value::int(n));
        assert!(large.slice().is_none(), "one past the threshold is a tree");
        assert_eq!(large.len(), SMALL_MAX + 1);
        let back = large.without(&Value::int(n));
        assert!(back.slice().is_some(), "shrinking below the threshold gives an array again");
        assert_eq!(back, small);
        let tree: OrdSet<Value> = ints(0..n).into_iter().collect();
        assert_eq!(ValueSet(SetRepr::Large(tree)), small, "a tree and an array with the same elements are equal");
        assert_eq!(large.iter().cloned().collect::<Vec<_>>(), ints(0..n + 1));
        assert_eq!(large.nth(5), Some(&Value::int(5)));
        assert_eq!(large.position(&Value::int(7)), Some(7));
    }

    #[test]
    fn set_operations_agree_with_imbl() {
        for (a, b) in [(0..10, 5..15), (0..40, 30..35), (0..3, 0..80), (0..50, 20..100)] {
            let (x, y): (ValueSet, ValueSet) = (ints(a.clone()).into_iter().collect(), ints(b.clone()).into_iter().collect());
            let (tx, ty): (OrdSet<Value>, OrdSet<Value>) = (ints(a).into_iter().collect(), ints(b).into_iter().collect());
            let list = |s: &ValueSet| s.iter().cloned().collect::<Vec<_>>();
            let tlist = |s: OrdSet<Value>| s.into_iter().collect::<Vec<_>>();
            assert_eq!(list(&x.union(&y)), tlist(tx.clone().union(ty.clone())));
            assert_eq!(list(&x.intersection(&y)), tlist(tx.clone().intersection(ty.clone())));
            assert_eq!(list(&x.relative_complement(&y)), tlist(tx.clone().relative_complement(ty.clone())));
            assert_eq!(x.is_subset(&y), tx.is_subset(&ty));
            assert!(x.intersection(&y).is_subset(&x));
        }
    }

    #[test]
    fn a_union_with_one_element_equals_the_merge_and_shares_a_set_that_has_it() {
        for n in [1, 5, SMALL_MAX as i64 - 1, SMALL_MAX as i64, 50] {
            let s: ValueSet = (0..n).map(|v| Value::int(2 * v)).collect();
            for x in [-1, 0, 3, 2 * n - 2, 2 * n + 5] {
                let one = ValueSet::from_slice(&[Value::int(x)]);
                let expected: Vec<Value> = s.iter().cloned().chain([Value::int(x)]).collect::<ValueSet>().iter().cloned().collect();
                assert_eq!(s.union(&one).iter().cloned().collect::<Vec<_>>(), expected, "{n} {x}");
                assert_eq!(one.union(&s).iter().cloned().collect::<Vec<_>>(), expected, "{n} {x}");
                assert_eq!(s.union(&one).slice().is_some(), expected.len() <= SMALL_MAX);
            }
            if n <= SMALL_MAX as i64 {
                assert!(s.union(&ValueSet::from_slice(&[Value::int(0)])).ptr_eq(&s));
            }
        }
        let unsorted = [Value::int(3), Value::int(1), Value::int(3)];
        assert_eq!(ValueSet::from_slice(&unsorted), ValueSet::from_vec(unsorted.to_vec()));
        assert!(ValueSet::from_slice(&[]).is_empty());
    }

    #[test]
    fn owned_map_updates_change_an_unshared_map_in_place_and_copy_a_shared_one() {
        let m: ValueMap = ints(0..5).into_iter().map(|k| (k.clone(), k)).collect();
        let kept = m.clone();
        // Shared: copied, the original unchanged.
        let changed = m.updated(Value::int(2), Value::int(20), true).unwrap();
        assert!(!changed.ptr_eq(&kept));
        assert_eq!(kept.get(&Value::int(2)), Some(&Value::int(2)));
        assert_eq!(changed.get(&Value::int(2)), Some(&Value::int(20)));
        // Not shared: the same array.
        let address = changed.slice().unwrap().as_ptr();
        let again = changed.updated(Value::int(3), Value::int(30), true).unwrap();
        assert_eq!(again.slice().unwrap().as_ptr(), address);
        assert_eq!(again.values().cloned().collect::<Vec<_>>(), [0, 1, 20, 30, 4].map(Value::int));
        // A missing key: an error with `must_exist`, added without.
        assert_eq!(again.clone().updated(Value::int(9), Value::int(90), true).err(), Some(Value::int(9)));
        let added = again.updated(Value::int(9), Value::int(90), false).unwrap();
        assert_eq!(added.keys().cloned().collect::<Vec<_>>(), [0, 1, 2, 3, 4, 9].map(Value::int));
        let big: ValueMap = ints(0..50).into_iter().map(|k| (k.clone(), k)).collect();
        assert_eq!(big.clone().updated(Value::int(60), Value::int(0), true).err(), Some(Value::int(60)));
        assert_eq!(big.updated(Value::int(7), Value::int(70), true).unwrap().get(&Value::int(7)), Some(&Value::int(70)));
        assert_eq!(ValueMap::new().updated(Value::int(1), Value::int(1), false).unwrap().len(), 1);
    }

    #[test]
    fn maps_keep_the_last_of_equal_keys_and_update_in_order() {
        let m: ValueMap = [(Value::int(2), Value::int(20)), (Value::int(1), Value::int(10)), (Value::int(2), Value::int(21))].into_iter().collect();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(&Value::int(2)), Some(&Value::int(21)));
        let m2 = m.update(Value::int(0), Value::int(0)).update(Value::int(1), Value::int(11));
        assert_eq!(m2.keys().cloned().collect::<Vec<_>>(), ints(0..3));
        assert_eq!(m2.get(&Value::int(1)), Some(&Value::int(11)));
        assert_eq!(m.get(&Value::int(1)), Some(&Value::int(10)), "updates leave the original alone");
        let mut big = ValueMap::new();
        for i in (0..100).rev() {
            big.insert(Value::int(i), Value::int(i * 2));
        }
        assert!(big.slice().is_none());
        assert_eq!(big.get(&Value::int(77)), Some(&Value::int(154)));
        assert_eq!(big.keys().cloned().collect::<Vec<_>>(), ints(0..100));
        let small = (0..(100 - SMALL_MAX) as i64).fold(big, |m, i| m.without(&Value::int(99 - i)));
        assert!(small.slice().is_some(), "shrinking to the threshold gives an array again");
        assert_eq!(small.keys().cloned().collect::<Vec<_>>(), ints(0..SMALL_MAX as i64));
    }
}
