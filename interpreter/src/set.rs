//! Sets, explicit or symbolic. `Int`, `Nat`, ranges, `powerset`, `setOfMaps`, `tuples` and
//! `allLists(UpTo)` stay symbolic until something needs their elements: membership, size
//! (exact, as a bigint) and the element at an index (`nth`, see `set_index.rs`) work without
//! building them. Enumerating a set larger than the `set-elements` limit is an error that names
//! its size. Sets hold no randomness: choosers pick an index, sets answer with the element.

use crate::collection::{ValueMap, ValueSet};
use crate::value::{Int, Value};
use imbl::Vector;
use num_bigint::BigInt;
use num_traits::{One, ToPrimitive, Zero};
use spec_syntax::{Limit, Limits};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// The default of the most elements a symbolic set may be expanded into; what counts is the
/// `set-elements` field of the [`Limits`] in force (see [`enumeration_limit`]).
pub const ENUMERATION_LIMIT: u64 = spec_syntax::limits::DEFAULT.set_elements;

/// The most elements a symbolic set may be expanded into now.
pub fn enumeration_limit() -> u64 {
    Limits::current().set_elements
}

#[derive(Clone, Debug)]
pub enum SetValue {
    Explicit(ValueSet),
    /// `a.to(b)`, inclusive (boxed to keep values small).
    Interval(Arc<(Int, Int)>),
    Int,
    Nat,
    Powerset(Arc<SetValue>),
    /// All maps from the first set to the second.
    SetOfMaps(Arc<SetValue>, Arc<SetValue>),
    Tuples(Arc<Vec<SetValue>>),
    /// All lists over the set of length at most the bound (`None`: any length).
    Lists(Arc<SetValue>, Option<u64>),
}

/// Why a set could not be enumerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError {
    Infinite,
    TooLarge(BigInt),
    /// An index at or past the set's size (a chooser's mistake).
    OutOfRange,
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::Infinite => write!(f, "the set is infinite and cannot be enumerated"),
            SetError::TooLarge(n) => write!(f, "the set has {n} elements, more than {} allows to enumerate", Limit::SetElements),
            SetError::OutOfRange => write!(f, "the index is past the end of the set"),
        }
    }
}

impl SetValue {
    /// An equal set that shares no allocation with `self` (see [`Value::deep_copy`]).
    pub fn deep_copy(&self) -> SetValue {
        match self {
            SetValue::Explicit(items) => SetValue::Explicit(ValueSet::from_sorted_vec(items.iter().map(Value::deep_copy).collect())),
            SetValue::Interval(bounds) => SetValue::Interval(Arc::new((**bounds).clone())),
            SetValue::Int => SetValue::Int,
            SetValue::Nat => SetValue::Nat,
            SetValue::Powerset(base) => SetValue::Powerset(Arc::new(base.deep_copy())),
            SetValue::SetOfMaps(from, to) => SetValue::SetOfMaps(Arc::new(from.deep_copy()), Arc::new(to.deep_copy())),
            SetValue::Tuples(sets) => SetValue::Tuples(Arc::new(sets.iter().map(SetValue::deep_copy).collect())),
            SetValue::Lists(base, bound) => SetValue::Lists(Arc::new(base.deep_copy()), *bound),
        }
    }

    pub fn interval(from: Int, to: Int) -> SetValue {
        SetValue::Interval(Arc::new((from, to)))
    }

    pub fn empty() -> SetValue {
        SetValue::Explicit(ValueSet::new())
    }

    /// The number of elements, or `None` for an infinite set.
    pub fn size(&self) -> Option<BigInt> {
        match self {
            SetValue::Explicit(s) => Some(BigInt::from(s.len())),
            SetValue::Interval(bounds) => {
                let (a, b) = &**bounds;
                let n = b.to_big() - a.to_big() + 1;
                Some(if n < BigInt::zero() { BigInt::zero() } else { n })
            }
            SetValue::Int | SetValue::Nat => None,
            SetValue::Powerset(base) => {
                let n = base.size()?;
                let n = n.to_u32()?;
                Some(BigInt::one() << n)
            }
            SetValue::SetOfMaps(dom, rng) => {
                let d = dom.size()?.to_u32()?;
                Some(rng.size()?.pow(d))
            }
            SetValue::Tuples(sets) => {
                let mut n = BigInt::one();
                for s in sets.iter() {
                    n *= s.size()?;
                }
                Some(n)
            }
            SetValue::Lists(base, bound) => {
                let bound = (*bound)?;
                let b = base.size()?;
                let mut total = BigInt::zero();
                let mut power = BigInt::one();
                for _ in 0..=bound {
                    total += &power;
                    power *= &b;
                }
                Some(total)
            }
        }
    }

    pub fn is_finite(&self) -> bool {
        match self {
            SetValue::Int | SetValue::Nat => false,
            SetValue::Lists(base, None) => base.size().is_some_and(|n| n.is_zero()),
            SetValue::Powerset(b) | SetValue::Lists(b, Some(_)) => b.is_finite(),
            SetValue::SetOfMaps(a, b) => a.is_finite() && b.is_finite(),
            SetValue::Tuples(sets) => sets.iter().all(|s| s.is_finite()),
            SetValue::Explicit(_) | SetValue::Interval(..) => true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.size().is_some_and(|n| n.is_zero())
    }

    pub fn contains(&self, v: &Value) -> bool {
        match (self, v) {
            (SetValue::Explicit(s), _) => s.contains(v),
            (SetValue::Interval(bounds), Value::Int(n)) => bounds.0 <= *n && *n <= bounds.1,
            (SetValue::Int, Value::Int(_)) => true,
            (SetValue::Nat, Value::Int(n)) => !n.is_negative(),
            (SetValue::Powerset(base), Value::Set(sub)) => match sub.elements() {
                Ok(items) => items.iter().all(|x| base.contains(x)),
                Err(_) => false,
            },
            (SetValue::SetOfMaps(dom, rng), Value::Map(m)) => {
                m.values().all(|x| rng.contains(x)) && dom.size() == Some(BigInt::from(m.len())) && m.keys().all(|k| dom.contains(k))
            }
            (SetValue::Tuples(sets), Value::Tuple(items)) => sets.len() == items.len() && sets.iter().zip(items.iter()).all(|(s, x)| s.contains(x)),
            (SetValue::Lists(base, bound), Value::List(items)) => {
                bound.is_none_or(|b| (items.len() as u64) <= b) && items.iter().all(|x| base.contains(x))
            }
            _ => false,
        }
    }

    /// The elements, in canonical order; fails for infinite or too large sets.
    pub fn elements(&self) -> Result<ValueSet, SetError> {
        if let SetValue::Explicit(s) = self {
            return Ok(s.clone());
        }
        match self.size() {
            None => return Err(SetError::Infinite),
            Some(n) if n > BigInt::from(enumeration_limit()) => return Err(SetError::TooLarge(n)),
            Some(_) => {}
        }
        Ok(match self {
            SetValue::Explicit(s) => s.clone(),
            SetValue::Interval(bounds) => {
                let (a, b) = &**bounds;
                match (a.to_i64(), b.to_i64()) {
                    (Some(a), Some(b)) => ValueSet::from_sorted_vec((a..=b).map(Value::int).collect()),
                    // Bounds beyond `i64` (the size is already known to be small): step exactly.
                    _ => ValueSet::from_sorted_vec(big_range(a, b).map(Value::Int).collect()),
                }
            }
            SetValue::Powerset(base) => {
                let items: Vec<Value> = base.elements()?.into_iter().collect();
                let mut out = Vec::with_capacity(1 << items.len());
                for mask in 0u64..(1u64 << items.len()) {
                    let subset = ValueSet::from_sorted_vec(items.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, v)| v.clone()).collect());
                    out.push(Value::Set(SetValue::Explicit(subset)));
                }
                ValueSet::from_vec(out)
            }
            SetValue::SetOfMaps(dom, rng) => {
                let keys: Vec<Value> = dom.elements()?.into_iter().collect();
                let values: Vec<Value> = rng.elements()?.into_iter().collect();
                // Keys in canonical order, and the maps with them: each map's entries, and the
                // maps themselves (first key most significant), come out sorted.
                let mut maps: Vec<Vec<(Value, Value)>> = vec![Vec::new()];
                for k in &keys {
                    let mut next = Vec::with_capacity(maps.len() * values.len());
                    for m in &maps {
                        for v in &values {
                            let mut m = m.clone();
                            m.push((k.clone(), v.clone()));
                            next.push(m);
                        }
                    }
                    maps = next;
                }
                ValueSet::from_vec(maps.into_iter().map(|m| Value::Map(ValueMap::from_sorted_vec(m))).collect())
            }
            SetValue::Tuples(sets) => {
                let mut tuples: Vec<Vec<Value>> = vec![Vec::new()];
                for s in sets.iter() {
                    let items = s.elements()?;
                    let mut next = Vec::new();
                    for t in &tuples {
                        for x in items.iter() {
                            let mut t = t.clone();
                            t.push(x.clone());
                            next.push(t);
                        }
                    }
                    tuples = next;
                }
                ValueSet::from_vec(tuples.into_iter().map(|t| Value::Tuple(Arc::new(t))).collect())
            }
            SetValue::Lists(base, bound) => {
                let items: Vec<Value> = base.elements()?.into_iter().collect();
                let bound = bound.unwrap_or(0);
                let mut out = Vec::new();
                let mut layer: Vec<Vector<Value>> = vec![Vector::new()];
                out.push(Value::list(Vector::new()));
                for _ in 0..bound {
                    let mut next = Vec::new();
                    for l in &layer {
                        for x in &items {
                            let mut l = l.clone();
                            l.push_back(x.clone());
                            out.push(Value::list(l.clone()));
                            next.push(l);
                        }
                    }
                    layer = next;
                }
                ValueSet::from_vec(out)
            }
            SetValue::Int | SetValue::Nat => return Err(SetError::Infinite),
        })
    }

    /// The elements in canonical order, one at a time: ranges are not built first.
    pub fn iter(&self) -> Result<Elements<'_>, SetError> {
        match self {
            SetValue::Explicit(s) => Ok(Elements::Explicit(s.iter())),
            SetValue::Interval(bounds) => match (bounds.0.to_i64(), bounds.1.to_i64()) {
                (Some(a), Some(b)) if (b as i128 - a as i128) < enumeration_limit() as i128 => Ok(Elements::Range(a..=b)),
                _ if self.size().is_some_and(|n| n <= BigInt::from(enumeration_limit())) => Ok(Elements::Other(Box::new(big_range(&bounds.0, &bounds.1).map(Value::Int)))),
                _ => Ok(Elements::Other(Box::new(self.elements()?.into_iter()))),
            },
            SetValue::Tuples(sets) => {
                match self.size() {
                    None => return Err(SetError::Infinite),
                    Some(n) if n > BigInt::from(enumeration_limit()) => return Err(SetError::TooLarge(n)),
                    Some(_) => {}
                }
                // Tuples order lexicographically, so the product of the components, each in
                // canonical order, comes out in canonical order: no set is built, and each
                // tuple is built when it is reached.
                let components = sets.iter().map(|s| s.iter().map(|items| items.collect::<Vec<Value>>())).collect::<Result<Vec<_>, _>>()?;
                Ok(Elements::Other(Box::new(Product::new(components))))
            }
            _ => Ok(Elements::Other(Box::new(self.elements()?.into_iter()))),
        }
    }

    /// A short description for messages: never enumerates a symbolic set, and shows at most
    /// a few elements of an explicit one.
    pub fn describe(&self) -> String {
        const SHOWN: usize = 8;
        match self {
            SetValue::Explicit(items) => {
                let mut parts: Vec<String> = items.iter().take(SHOWN).map(|v| short(&v.to_string())).collect();
                if items.len() > SHOWN {
                    parts.push(format!("... {} elements in all", items.len()));
                }
                format!("Set({})", parts.join(", "))
            }
            SetValue::Interval(bounds) => format!("{}.to({})", bounds.0, bounds.1),
            SetValue::Int => "Int".into(),
            SetValue::Nat => "Nat".into(),
            SetValue::Powerset(b) => format!("{}.powerset()", b.describe()),
            SetValue::SetOfMaps(a, b) => format!("{}.setOfMaps({})", a.describe(), b.describe()),
            SetValue::Tuples(sets) => format!("tuples({})", sets.iter().map(|s| s.describe()).collect::<Vec<_>>().join(", ")),
            SetValue::Lists(b, Some(n)) => format!("{}.allListsUpTo({n})", b.describe()),
            SetValue::Lists(b, None) => format!("{}.allLists()", b.describe()),
        }
    }

    /// The least element in canonical order, if any.
    pub fn least(&self) -> Result<Option<Value>, SetError> {
        match self {
            SetValue::Interval(bounds) => Ok((bounds.0 <= bounds.1).then(|| Value::Int(bounds.0.clone()))),
            SetValue::Nat => Ok(Some(Value::int(0))),
            SetValue::Int => Err(SetError::Infinite),
            _ => Ok(self.elements()?.get_min().cloned()),
        }
    }
}

/// The elements of a set one at a time, in canonical order (see [`SetValue::iter`]): explicit
/// sets and ranges, the common cases, without a boxed iterator.
/// The tuples of a product of sets, one by one in lexicographic order (the last component
/// varies fastest), as an odometer over the components' elements.
struct Product {
    components: Vec<Vec<Value>>,
    /// The position in each component of the next tuple; `None` when every tuple was given.
    next: Option<Vec<usize>>,
}

impl Product {
    fn new(components: Vec<Vec<Value>>) -> Product {
        // An empty component: no tuple at all (no components: the one empty tuple).
        let next = (!components.iter().any(Vec::is_empty)).then(|| vec![0; components.len()]);
        Product { components, next }
    }
}

impl Iterator for Product {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        let at = self.next.as_mut()?;
        let tuple: Vec<Value> = at.iter().zip(&self.components).map(|(i, items)| items[*i].clone()).collect();
        // Move to the following tuple: the last position that can move on does, the ones after
        // it start again; none can: that was the last tuple.
        let mut k = at.len();
        let last = loop {
            if k == 0 {
                break true;
            }
            k -= 1;
            at[k] += 1;
            if at[k] < self.components[k].len() {
                break false;
            }
            at[k] = 0;
        };
        if last {
            self.next = None;
        }
        Some(Value::Tuple(Arc::new(tuple)))
    }
}

pub enum Elements<'a> {
    Explicit(crate::collection::SetIter<'a>),
    Range(std::ops::RangeInclusive<i64>),
    Other(Box<dyn Iterator<Item = Value> + 'a>),
}

impl Iterator for Elements<'_> {
    type Item = Value;

    #[inline]
    fn next(&mut self) -> Option<Value> {
        match self {
            Elements::Explicit(it) => it.next().cloned(),
            Elements::Range(it) => it.next().map(Value::int),
            Elements::Other(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Elements::Explicit(it) => it.size_hint(),
            Elements::Range(it) => it.size_hint(),
            Elements::Other(it) => it.size_hint(),
        }
    }
}

/// `a, a + 1, ..., b` for bounds of any size (exact arithmetic, no overflow).
fn big_range(a: &Int, b: &Int) -> impl Iterator<Item = Int> {
    let end = b.clone();
    let mut next = Some(a.clone()).filter(|a| *a <= end);
    std::iter::from_fn(move || {
        let current = next.take()?;
        if current < end {
            next = Some(current.add(&Int::Small(1)));
        }
        Some(current)
    })
}

/// At most 80 characters of a value's text.
fn short(text: &str) -> String {
    if text.chars().count() <= 80 {
        text.to_string()
    } else {
        format!("{}...", text.chars().take(77).collect::<String>())
    }
}

impl PartialEq for SetValue {
    fn eq(&self, other: &SetValue) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for SetValue {}
/// Consistent with `Eq`: a symbolic set hashes like the explicit set of its elements (they
/// compare equal); sets too large to enumerate compare, and hash, by their description.
impl std::hash::Hash for SetValue {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if let SetValue::Explicit(items) = self {
            return items.hash(state);
        }
        match self.iter() {
            Ok(items) => {
                let mut n = 0usize;
                for v in items {
                    v.hash(state);
                    n += 1;
                }
                state.write_usize(n);
            }
            Err(_) => format!("{self:?}").hash(state),
        }
    }
}

impl PartialOrd for SetValue {
    fn partial_cmp(&self, other: &SetValue) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SetValue {
    fn cmp(&self, other: &SetValue) -> Ordering {
        match (self, other) {
            (SetValue::Explicit(a), SetValue::Explicit(b)) => a.cmp(b),
            (SetValue::Int, SetValue::Int) | (SetValue::Nat, SetValue::Nat) => Ordering::Equal,
            _ => match (self.elements(), other.elements()) {
                (Ok(a), Ok(b)) => a.iter().cmp(b.iter()),
                // Infinite sets compare by their description; they never meet finite ones in practice.
                _ => format!("{self:?}").cmp(&format!("{other:?}")),
            },
        }
    }
}

impl fmt::Display for SetValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let SetValue::Explicit(items) = self {
            return crate::value::write_joined(f, "Set(", items.iter(), ")");
        }
        match self.elements() {
            Ok(items) => crate::value::write_joined(f, "Set(", items.iter(), ")"),
            Err(_) => match self {
                SetValue::Int => write!(f, "Int"),
                SetValue::Nat => write!(f, "Nat"),
                SetValue::Interval(bounds) => write!(f, "{}.to({})", bounds.0, bounds.1),
                SetValue::Powerset(b) => write!(f, "{b}.powerset()"),
                SetValue::SetOfMaps(a, b) => write!(f, "{a}.setOfMaps({b})"),
                SetValue::Tuples(sets) => crate::value::write_joined(f, "tuples(", sets.iter(), ")"),
                SetValue::Lists(b, Some(n)) => write!(f, "{b}.allListsUpTo({n})"),
                SetValue::Lists(b, None) => write!(f, "{b}.allLists()"),
                SetValue::Explicit(_) => write!(f, "Set(...)"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(xs: &[i64]) -> SetValue {
        SetValue::Explicit(xs.iter().map(|x| Value::int(*x)).collect())
    }

    #[test]
    fn symbolic_sets_answer_without_enumerating() {
        let big = SetValue::Powerset(Arc::new(SetValue::interval(Int::Small(1), Int::Small(100))));
        assert_eq!(big.size().map(|n| n.to_string()).as_deref(), Some("1267650600228229401496703205376"));
        assert!(big.contains(&Value::Set(ints(&[1, 50]))));
        assert!(!big.contains(&Value::Set(ints(&[0]))));
        assert!(matches!(big.elements(), Err(SetError::TooLarge(_))));
        assert!(big.nth_big(&BigInt::from(12345)).is_ok());
        assert!(SetValue::Nat.contains(&Value::int(0)));
        assert!(!SetValue::Nat.contains(&Value::int(-1)));
        assert!(!SetValue::Nat.is_finite());
        assert_eq!(SetValue::Int.elements(), Err(SetError::Infinite));
    }

    #[test]
    fn tuples_iterate_in_canonical_order_without_building_the_set() {
        let sets = SetValue::Tuples(Arc::new(vec![ints(&[3, 1]), ints(&[2, 1]), SetValue::interval(Int::Small(0), Int::Small(1))]));
        let listed: Vec<Value> = sets.iter().unwrap().collect();
        let built: Vec<Value> = sets.elements().unwrap().into_iter().collect();
        assert_eq!(listed.len(), 8);
        assert_eq!(listed, built);
        let empty = SetValue::Tuples(Arc::new(vec![ints(&[1]), ints(&[])]));
        assert_eq!(empty.iter().unwrap().count(), 0);
        let none = SetValue::Tuples(Arc::new(vec![]));
        assert_eq!(none.iter().unwrap().collect::<Vec<_>>(), none.elements().unwrap().into_iter().collect::<Vec<_>>());
        assert_eq!(none.iter().unwrap().count(), 1, "the one empty tuple");
        let single = SetValue::Tuples(Arc::new(vec![ints(&[2, 1])]));
        assert_eq!(single.iter().unwrap().collect::<Vec<_>>(), single.elements().unwrap().into_iter().collect::<Vec<_>>());
        assert_eq!(SetValue::Tuples(Arc::new(vec![SetValue::Nat])).iter().err(), Some(SetError::Infinite));
    }

    #[test]
    fn symbolic_and_explicit_sets_are_equal_when_they_have_the_same_elements() {
        assert_eq!(SetValue::interval(Int::Small(1), Int::Small(3)), ints(&[3, 2, 1]));
        assert_eq!(SetValue::interval(Int::Small(5), Int::Small(1)), ints(&[]));
        let lists = SetValue::Lists(Arc::new(ints(&[1, 2])), Some(1));
        assert_eq!(lists.to_string(), "Set([], [1], [2])");
    }
}
