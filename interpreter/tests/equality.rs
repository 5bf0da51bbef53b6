//! `Value: PartialEq` decides equality without ordering (pointers, lengths, names by
//! pointer first), and must agree with `Ord`: `a == b` exactly when `a.cmp(b)` is `Equal`,
//! whether the two share their allocations or not, for every kind of value.

use num_bigint::BigInt;
use proptest::prelude::*;
use spec_interpreter::set::SetValue;
use spec_interpreter::value::Int;
use spec_interpreter::Value;
use std::cmp::Ordering;
use std::sync::Arc;

fn explicit(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Set(SetValue::Explicit(items.into_iter().collect()))
}

/// Small values of every kind, drawn from few names and numbers so that equal ones are common.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        (-2i64..3).prop_map(Value::int),
        any::<bool>().prop_map(Value::Bool),
        (-2i64..3).prop_map(|n| Value::Int(Int::Big(Arc::new(BigInt::from(n))))),
        prop::sample::select(vec!["", "a", "b", "ab"]).prop_map(Value::str),
        (-1i64..2, -1i64..2).prop_map(|(a, b)| Value::Set(SetValue::interval(Int::Small(a), Int::Small(b)))),
        prop::sample::select(vec!["A", "B"]).prop_map(|n| Value::Variant(Arc::from(n), Arc::new(Value::unit()))),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(explicit),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| Value::Tuple(Arc::new(v))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| Value::list(v.into_iter().collect())),
            prop::collection::vec((inner.clone(), inner.clone()), 0..3).prop_map(|kv| Value::Map(kv.into_iter().collect())),
            (prop::sample::select(vec!["A", "B"]), inner.clone()).prop_map(|(n, p)| Value::Variant(Arc::from(n), Arc::new(p))),
            prop::collection::vec((prop::sample::select(vec!["x", "y", "z"]), inner.clone()), 0..3).prop_map(|fields| {
                let mut fields: Vec<(Arc<str>, Value)> = fields.into_iter().map(|(n, v)| (Arc::from(n), v)).collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                fields.dedup_by(|a, b| a.0 == b.0);
                Value::record(fields)
            }),
            prop::collection::vec(inner, 0..3).prop_map(|v| Value::Set(SetValue::Powerset(Arc::new(SetValue::Explicit(v.into_iter().collect()))))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn equality_agrees_with_the_order(a in value(), b in value()) {
        prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal, "{} against {}", a, b);
        // The same values in allocations of their own (no pointer is shared).
        let (a2, b2) = (a.deep_copy(), b.deep_copy());
        prop_assert_eq!(a == b2, a.cmp(&b2) == Ordering::Equal, "{} against a copy of {}", a, b);
        prop_assert!(a == a2 && a2 == a, "{} differs from its copy", a);
        prop_assert!(a == a.clone(), "{} differs from itself", a);
    }
}

#[test]
fn names_are_equal_by_text_whether_shared_or_not() {
    let shared: Arc<str> = Arc::from("L11");
    let a = Value::Variant(shared.clone(), Arc::new(Value::unit()));
    let b = Value::Variant(shared, Arc::new(Value::unit()));
    let c = Value::Variant(Arc::from("L11"), Arc::new(Value::unit()));
    let d = Value::Variant(Arc::from("L12"), Arc::new(Value::unit()));
    assert!(a == b && a == c && b == c);
    assert!(a != d && c != d);
    let r1 = Value::record(vec![(Arc::from("pc"), Value::int(1)), (Arc::from("max"), Value::int(2))]);
    let r2 = Value::record(vec![(Arc::from("max"), Value::int(2)), (Arc::from("pc"), Value::int(1))]);
    let r3 = Value::record(vec![(Arc::from("max"), Value::int(2)), (Arc::from("pd"), Value::int(1))]);
    assert!(r1 == r2);
    assert!(r1 != r3);
    assert_eq!(r1.cmp(&r3), Ordering::Less);
    assert_eq!(r1.field("pc"), Some(&Value::int(1)));
    assert_eq!(r1.field("pd"), None);
}

proptest! {
    /// Strings order by their bytes (the first byte decided inline, the rest by the text),
    /// through `cmp` and the inline `cmp_quick` alike.
    #[test]
    fn strings_order_like_their_text(a in "[a-c\u{e9}]{0,4}", b in "[a-c\u{e9}]{0,4}") {
        let (x, y) = (Value::str(&a), Value::str(&b));
        prop_assert_eq!(x.cmp(&y), a.cmp(&b));
        prop_assert_eq!(x.cmp_quick(&y), a.cmp(&b));
        prop_assert_eq!(x == y, a == b);
    }
}

proptest! {
    /// Lookups in small sets and maps (scanned in order) and larger ones (halved) find
    /// exactly the equal elements and keys, whatever their kind.
    #[test]
    fn lookups_find_exactly_the_equal_elements(items in prop::collection::vec(value(), 0..12), probes in prop::collection::vec(value(), 1..6)) {
        use spec_interpreter::collection::{ValueMap, ValueSet};
        let set: ValueSet = items.iter().cloned().collect();
        let map: ValueMap = items.iter().cloned().enumerate().map(|(i, v)| (v, Value::int(i as i64))).collect();
        for p in probes.iter().chain(items.iter()) {
            let present = items.iter().any(|x| x == p);
            prop_assert_eq!(set.contains(p), present, "{} in {:?}", p, set);
            prop_assert_eq!(map.get(p).is_some(), present, "{} a key of {:?}", p, map);
            prop_assert_eq!(set.update(p.clone()).contains(p), true);
            prop_assert_eq!(set.without(p).contains(p), false);
        }
    }
}
