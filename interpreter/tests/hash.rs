//! `Value: Hash` agrees with `Eq`: values equal in the canonical order hash equal, including
//! symbolic sets against the explicit sets of their elements, and integers whichever
//! variant holds them.

use num_bigint::BigInt;
use proptest::prelude::*;
use spec_interpreter::set::SetValue;
use spec_interpreter::value::Int;
use spec_interpreter::Value;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

fn hash(v: &Value) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

fn explicit(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Set(SetValue::Explicit(items.into_iter().collect()))
}

/// Small values, with sets written sometimes explicitly, sometimes symbolically.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        (-3i64..4).prop_map(Value::int),
        any::<bool>().prop_map(Value::Bool),
        (-2i64..3, -2i64..3).prop_map(|(a, b)| Value::Set(SetValue::interval(Int::Small(a), Int::Small(b)))),
        (-3i64..4).prop_map(|n| Value::Int(Int::Big(Arc::new(BigInt::from(n))))),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(explicit),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| Value::Tuple(Arc::new(v))),
            prop::collection::vec((inner.clone(), inner.clone()), 0..3).prop_map(|kv| Value::Map(kv.into_iter().collect())),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| Value::Set(SetValue::Powerset(Arc::new(SetValue::Explicit(v.into_iter().collect()))))),
        ]
    })
}

/// The same value with every symbolic set replaced by the explicit set of its elements.
fn expand(v: &Value) -> Value {
    match v {
        Value::Set(s) => explicit(s.elements().unwrap().iter().map(expand)),
        Value::Tuple(items) => Value::Tuple(Arc::new(items.iter().map(expand).collect())),
        Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (expand(k), expand(v))).collect()),
        Value::Int(n) => Value::Int(Int::from_big(n.to_big())),
        other => other.clone(),
    }
}

proptest! {
    #[test]
    fn equal_values_hash_equal(a in value(), b in value()) {
        let e = expand(&a);
        prop_assert_eq!(&a, &e);
        prop_assert_eq!(hash(&a), hash(&e));
        if a == b {
            prop_assert_eq!(hash(&a), hash(&b));
        }
    }
}

#[test]
fn symbolic_sets_hash_like_their_elements() {
    let range = Value::Set(SetValue::interval(Int::Small(1), Int::Small(3)));
    let listed = explicit([Value::int(3), Value::int(1), Value::int(2)]);
    assert_eq!(range, listed);
    assert_eq!(hash(&range), hash(&listed));
    let empty_range = Value::Set(SetValue::interval(Int::Small(5), Int::Small(1)));
    assert_eq!(hash(&empty_range), hash(&explicit([])));
    // Distinct values usually hash apart.
    assert_ne!(hash(&explicit([Value::int(1)])), hash(&explicit([Value::int(2)])));
    assert_ne!(hash(&Value::int(1)), hash(&Value::Bool(true)));
}

/// Whether `a` and its deep copy `b` share an allocation anywhere in their structure.
fn shares(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y),
        (Value::Int(Int::Big(x)), Value::Int(Int::Big(y))) => Arc::ptr_eq(x, y),
        (Value::Set(SetValue::Explicit(x)), Value::Set(SetValue::Explicit(y))) => (x.ptr_eq(y) && !x.is_empty()) || x.iter().zip(y.iter()).any(|(p, q)| shares(p, q)),
        (Value::Set(SetValue::Powerset(x)), Value::Set(SetValue::Powerset(y))) => Arc::ptr_eq(x, y),
        (Value::Set(SetValue::Interval(x)), Value::Set(SetValue::Interval(y))) => Arc::ptr_eq(x, y),
        (Value::Tuple(x), Value::Tuple(y)) => (Arc::ptr_eq(x, y) && !x.is_empty()) || x.iter().zip(y.iter()).any(|(p, q)| shares(p, q)),
        (Value::Map(x), Value::Map(y)) => (x.ptr_eq(y) && !x.is_empty()) || x.iter().zip(y.iter()).any(|((k1, v1), (k2, v2))| shares(k1, k2) || shares(v1, v2)),
        (Value::Record(x), Value::Record(y)) => Arc::ptr_eq(x, y) || x.iter().zip(y.iter()).any(|((n1, v1), (n2, v2))| Arc::ptr_eq(n1, n2) || shares(v1, v2)),
        (Value::Variant(t1, p1), Value::Variant(t2, p2)) => Arc::ptr_eq(t1, t2) || Arc::ptr_eq(p1, p2) || shares(p1, p2),
        _ => false,
    }
}

proptest! {
    /// A deep copy (what each checker thread reads a level's values through) is equal, hashes
    /// the same, and shares no allocation with the original.
    #[test]
    fn a_deep_copy_is_equal_and_shares_nothing(a in value()) {
        let copy = a.deep_copy();
        prop_assert_eq!(&a, &copy);
        prop_assert_eq!(hash(&a), hash(&copy));
        prop_assert!(!shares(&a, &copy), "{:?}", a);
    }
}

#[test]
fn a_deep_copy_of_records_strings_and_variants_shares_nothing() {
    let record = Value::Record(Arc::new(vec![(Arc::from("kind"), Value::str("prepared")), (Arc::from("rm"), Value::Variant(Arc::from("Some"), Arc::new(Value::str("r1"))))]));
    let value = Value::Map([(Value::str("r1"), record.clone())].into_iter().collect());
    let copy = value.deep_copy();
    assert_eq!(value, copy);
    assert_eq!(hash(&value), hash(&copy));
    assert!(!shares(&value, &copy));
}
