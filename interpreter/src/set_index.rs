//! Sets as indexed sequences: `nth(i)` is the element at index `i`, `position(v)` the index
//! of `v`, for every finite set, symbolic ones included, without enumerating them. This is
//! what choosers work with: they pick an index below the set's size (at random, in turn, or
//! from a script) and the set answers with the element, so no randomness lives in values.
//!
//! The order is fixed for each set: the canonical order for explicit sets, ranges, `tuples`
//! and `setOfMaps` (mixed radix, first component most significant); powersets follow the
//! bits of the index over the base set's elements, and lists of bounded length are ordered
//! by length, then lexicographically. `position` is the inverse of `nth`.

use crate::collection::{ValueMap, ValueSet};
use crate::set::{SetError, SetValue};
use crate::value::{Int, Value};
use imbl::Vector;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use std::sync::Arc;

impl SetValue {
    /// The number of elements when it fits in a `u64` (`None` for larger or infinite sets);
    /// explicit sets and small ranges answer without bigint arithmetic.
    pub fn size_u64(&self) -> Option<u64> {
        match self {
            SetValue::Explicit(s) => Some(s.len() as u64),
            SetValue::Interval(bounds) => match (bounds.0.to_i64(), bounds.1.to_i64()) {
                (Some(a), Some(b)) if b < a => Some(0),
                (Some(a), Some(b)) => u64::try_from(b as i128 - a as i128 + 1).ok(),
                _ => self.size()?.to_u64(),
            },
            SetValue::Int | SetValue::Nat => None,
            SetValue::Tuples(sets) => {
                let sizes = sets.iter().map(|s| s.size_u64()).collect::<Option<Vec<u64>>>()?;
                sizes.into_iter().try_fold(1u64, |n, s| n.checked_mul(s))
            }
            SetValue::SetOfMaps(dom, range) => {
                let d = u32::try_from(dom.size_u64()?).ok()?;
                range.size_u64()?.checked_pow(d)
            }
            SetValue::Powerset(base) => {
                let n = base.size_u64()?;
                (n < 64).then(|| 1u64 << n)
            }
            SetValue::Lists(..) => self.size()?.to_u64(),
        }
    }

    /// Whether every index a pick from this set is made of is below `threshold`: a tuple or
    /// a map is picked component by component, anything else with one index. This is Quint's
    /// condition for trying other elements when the first pick disables an action.
    pub fn components_below(&self, threshold: u64) -> bool {
        match self {
            SetValue::Tuples(sets) => sets.iter().all(|s| s.size_u64().is_some_and(|n| n < threshold)),
            SetValue::SetOfMaps(_, range) => range.components_below(threshold),
            _ => self.size_u64().is_some_and(|n| n < threshold),
        }
    }

    /// The element at index `i` (below `size_u64()`).
    pub fn nth(&self, i: u64) -> Result<Value, SetError> {
        match self {
            SetValue::Explicit(s) => usize::try_from(i).ok().and_then(|i| s.nth(i)).cloned().ok_or(SetError::OutOfRange),
            SetValue::Interval(bounds) => {
                if i >= self.size_u64().ok_or(SetError::OutOfRange)? {
                    return Err(SetError::OutOfRange);
                }
                Ok(Value::Int(match bounds.0.to_i64() {
                    Some(a) => Int::from_big(BigInt::from(a as i128 + i as i128)),
                    None => Int::from_big(bounds.0.to_big() + i),
                }))
            }
            SetValue::Int | SetValue::Nat => Err(SetError::Infinite),
            SetValue::Tuples(sets) => {
                let sizes = sets.iter().map(|s| s.size_u64()).collect::<Option<Vec<u64>>>();
                let Some(sizes) = sizes else { return self.nth_big(&BigInt::from(i)) };
                let mut rest = i;
                let mut items = vec![Value::unit(); sets.len()];
                for (k, s) in sets.iter().enumerate().rev() {
                    if sizes[k] == 0 {
                        return Err(SetError::OutOfRange);
                    }
                    items[k] = s.nth(rest % sizes[k])?;
                    rest /= sizes[k];
                }
                if rest != 0 {
                    return Err(SetError::OutOfRange);
                }
                Ok(Value::Tuple(Arc::new(items)))
            }
            SetValue::SetOfMaps(dom, range) => {
                let Some(radix) = range.size_u64() else { return self.nth_big(&BigInt::from(i)) };
                let keys: Vec<Value> = dom.elements()?.into_iter().collect();
                let mut rest = i;
                let mut m = Vec::with_capacity(keys.len());
                for k in keys.into_iter().rev() {
                    if radix == 0 {
                        return Err(SetError::OutOfRange);
                    }
                    m.push((k, range.nth(rest % radix)?));
                    rest /= radix;
                }
                if rest != 0 {
                    return Err(SetError::OutOfRange);
                }
                m.reverse();
                Ok(Value::Map(ValueMap::from_sorted_vec(m)))
            }
            SetValue::Powerset(base) => match base.size_u64() {
                Some(n) if n < 64 => {
                    if i >> n != 0 {
                        return Err(SetError::OutOfRange);
                    }
                    Ok(Value::Set(SetValue::Explicit(ValueSet::from_sorted_vec(base.iter()?.enumerate().filter(|(j, _)| i & (1 << j) != 0).map(|(_, v)| v).collect()))))
                }
                _ => self.nth_big(&BigInt::from(i)),
            },
            SetValue::Lists(..) => self.nth_big(&BigInt::from(i)),
        }
    }

    /// The element at index `i`, for sets of any finite size.
    pub fn nth_big(&self, i: &BigInt) -> Result<Value, SetError> {
        let size = self.size().ok_or(SetError::Infinite)?;
        if i.sign() == num_bigint::Sign::Minus || *i >= size {
            return Err(SetError::OutOfRange);
        }
        if let Some(small) = i.to_u64() {
            if size.to_u64().is_some() && !matches!(self, SetValue::Lists(..)) {
                return self.nth(small);
            }
        }
        match self {
            SetValue::Explicit(_) | SetValue::Int | SetValue::Nat => Err(SetError::OutOfRange),
            SetValue::Interval(bounds) => Ok(Value::Int(Int::from_big(bounds.0.to_big() + i))),
            SetValue::Tuples(sets) => {
                let mut rest = i.clone();
                let mut items = vec![Value::unit(); sets.len()];
                for (k, s) in sets.iter().enumerate().rev() {
                    let n = s.size().ok_or(SetError::Infinite)?;
                    let (q, r) = rest.div_rem(&n);
                    items[k] = s.nth_big(&r)?;
                    rest = q;
                }
                Ok(Value::Tuple(Arc::new(items)))
            }
            SetValue::SetOfMaps(dom, range) => {
                let radix = range.size().ok_or(SetError::Infinite)?;
                let mut rest = i.clone();
                let mut m = Vec::new();
                for k in dom.elements()?.into_iter().rev() {
                    let (q, r) = rest.div_rem(&radix);
                    m.push((k, range.nth_big(&r)?));
                    rest = q;
                }
                m.reverse();
                Ok(Value::Map(ValueMap::from_sorted_vec(m)))
            }
            SetValue::Powerset(base) => {
                let items = ValueSet::from_sorted_vec(base.iter()?.enumerate().filter(|(j, _)| i.bit(*j as u64)).map(|(_, v)| v).collect());
                Ok(Value::Set(SetValue::Explicit(items)))
            }
            SetValue::Lists(base, _) => {
                let radix = base.size().ok_or(SetError::Infinite)?;
                let mut rest = i.clone();
                let mut layer = BigInt::one();
                let mut len = 0usize;
                while rest >= layer {
                    rest -= &layer;
                    layer *= &radix;
                    len += 1;
                }
                let mut items = vec![Value::unit(); len];
                for slot in items.iter_mut().rev() {
                    let (q, r) = rest.div_rem(&radix);
                    *slot = base.nth_big(&r)?;
                    rest = q;
                }
                Ok(Value::list(items.into_iter().collect::<Vector<Value>>()))
            }
        }
    }

    /// The index of `v` (what `nth` answers it for), or `None` when `v` is not an element.
    pub fn position(&self, v: &Value) -> Option<BigInt> {
        if !self.contains(v) {
            return None;
        }
        match (self, v) {
            (SetValue::Explicit(s), _) => s.position(v).map(BigInt::from),
            (SetValue::Interval(bounds), Value::Int(n)) => Some(n.to_big() - bounds.0.to_big()),
            (SetValue::Tuples(sets), Value::Tuple(items)) => {
                let mut pos = BigInt::zero();
                for (s, x) in sets.iter().zip(items.iter()) {
                    pos = pos * s.size()? + s.position(x)?;
                }
                Some(pos)
            }
            (SetValue::SetOfMaps(_, range), Value::Map(m)) => {
                let radix = range.size()?;
                let mut pos = BigInt::zero();
                for x in m.values() {
                    pos = pos * &radix + range.position(x)?;
                }
                Some(pos)
            }
            (SetValue::Powerset(base), Value::Set(sub)) => {
                let mut pos = BigInt::zero();
                for (j, x) in base.iter().ok()?.enumerate() {
                    if sub.contains(&x) {
                        pos.set_bit(j as u64, true);
                    }
                }
                Some(pos)
            }
            (SetValue::Lists(base, _), Value::List(items)) => {
                let radix = base.size()?;
                let mut below = BigInt::zero();
                let mut layer = BigInt::one();
                for _ in 0..items.len() {
                    below += &layer;
                    layer *= &radix;
                }
                let mut pos = BigInt::zero();
                for x in items.iter() {
                    pos = pos * &radix + base.position(x)?;
                }
                Some(below + pos)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(xs: &[i64]) -> SetValue {
        SetValue::Explicit(xs.iter().map(|x| Value::int(*x)).collect())
    }

    /// Every index gives a distinct element of the set, and `position` inverts `nth`.
    fn check_indexing(set: &SetValue) {
        let n = set.size_u64().expect("a small set");
        assert_eq!(Some(BigInt::from(n)), set.size());
        let mut seen = imbl::OrdSet::new();
        for i in 0..n {
            let v = set.nth(i).unwrap();
            assert!(set.contains(&v), "{v} from {set:?}");
            assert_eq!(set.position(&v), Some(BigInt::from(i)), "{v} in {}", set.describe());
            assert_eq!(set.nth_big(&BigInt::from(i)).unwrap(), v);
            seen.insert(v);
        }
        assert_eq!(seen.len() as u64, n);
        assert_eq!(set.nth(n), Err(SetError::OutOfRange));
        assert_eq!(Value::Set(SetValue::Explicit(seen.into())), Value::Set(set.clone()));
    }

    #[test]
    fn every_finite_set_kind_is_indexed_bijectively() {
        let abc = SetValue::Explicit(["a", "b", "c"].iter().map(|s| Value::str(s)).collect());
        let range = SetValue::interval(Int::Small(-2), Int::Small(3));
        check_indexing(&ints(&[5, 1, 9]));
        check_indexing(&range);
        check_indexing(&SetValue::Powerset(Arc::new(abc.clone())));
        check_indexing(&SetValue::SetOfMaps(Arc::new(abc.clone()), Arc::new(ints(&[0, 1]))));
        check_indexing(&SetValue::SetOfMaps(Arc::new(ints(&[])), Arc::new(ints(&[0, 1]))));
        check_indexing(&SetValue::Tuples(Arc::new(vec![abc.clone(), range.clone(), ints(&[7])])));
        check_indexing(&SetValue::Lists(Arc::new(ints(&[1, 2])), Some(3)));
        check_indexing(&SetValue::Tuples(Arc::new(vec![abc, ints(&[])])));
    }

    #[test]
    fn tuples_and_maps_are_indexed_in_canonical_order() {
        let t = SetValue::Tuples(Arc::new(vec![ints(&[1, 2]), ints(&[3, 4, 5])]));
        let listed: Vec<Value> = (0..6).map(|i| t.nth(i).unwrap()).collect();
        let canonical: Vec<Value> = t.elements().unwrap().into_iter().collect();
        assert_eq!(listed, canonical);
    }

    #[test]
    fn huge_sets_are_indexed_without_enumeration() {
        let big = SetValue::Powerset(Arc::new(SetValue::interval(Int::Small(1), Int::Small(100))));
        assert_eq!(big.size_u64(), None);
        let i = (BigInt::one() << 99) + 5;
        let v = big.nth_big(&i).unwrap();
        assert_eq!(v.to_string(), "Set(1, 3, 100)");
        assert_eq!(big.position(&v), Some(i));
        let far = SetValue::interval(Int::Small(0), Int::from_big(BigInt::from(u64::MAX) * 4));
        let j = BigInt::from(u64::MAX) * 3;
        assert_eq!(far.nth_big(&j).unwrap(), Value::Int(Int::from_big(j.clone())));
        assert_eq!(far.position(&Value::Int(Int::from_big(j.clone()))), Some(j));
    }

    #[test]
    fn quints_retry_condition_looks_at_each_component() {
        let small = SetValue::interval(Int::Small(1), Int::Small(50));
        assert!(small.components_below(100));
        assert!(SetValue::Tuples(Arc::new(vec![small.clone(), small.clone()])).components_below(100));
        assert!(!SetValue::interval(Int::Small(1), Int::Small(100)).components_below(100));
        assert!(!SetValue::Powerset(Arc::new(small)).components_below(100));
        assert!(!SetValue::Int.components_below(100));
    }
}
