//! Explicit sets and maps are sorted arrays when small and B-trees when large: whatever
//! representation holds a collection, and however it was built, equal collections compare
//! equal, order alike and hash alike, and agree with imbl's `OrdSet`/`OrdMap` (the
//! representation they replace) on every operation.

use proptest::prelude::*;
use spec_interpreter::collection::{ValueMap, ValueSet, SMALL_MAX};
use spec_interpreter::set::SetValue;
use spec_interpreter::Value;
use std::hash::{BuildHasher, Hash};

fn hash_of<T: Hash>(v: &T) -> u64 {
    std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(v)
}

/// Up to three times the threshold, so that both representations and the switch are covered.
fn ints() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(-60i64..60, 0..3 * SMALL_MAX)
}

fn set_value(s: ValueSet) -> Value {
    Value::Set(SetValue::Explicit(s))
}

proptest! {
    #[test]
    fn sets_built_any_way_are_equal_and_hash_alike(xs in ints(), split in 0usize..200) {
        let values: Vec<Value> = xs.iter().map(|x| Value::int(*x)).collect();
        let collected: ValueSet = values.iter().cloned().collect();
        let mut inserted = ValueSet::new();
        for v in values.iter().rev() {
            inserted.insert(v.clone());
        }
        let at = split.min(values.len());
        let halves = values[..at].iter().cloned().collect::<ValueSet>().union(&values[at..].iter().cloned().collect());
        let tree: imbl::OrdSet<Value> = values.iter().cloned().collect();
        let from_tree = ValueSet::from(tree.clone());
        for other in [&inserted, &halves, &from_tree] {
            prop_assert_eq!(&collected, other);
            prop_assert_eq!(set_value(collected.clone()).cmp(&set_value(other.clone())), std::cmp::Ordering::Equal);
            prop_assert_eq!(hash_of(&set_value(collected.clone())), hash_of(&set_value(other.clone())));
        }
        prop_assert_eq!(collected.iter().cloned().collect::<Vec<_>>(), tree.iter().cloned().collect::<Vec<_>>());
        prop_assert_eq!(collected.len(), tree.len());
        for x in -61i64..61 {
            prop_assert_eq!(collected.contains(&Value::int(x)), tree.contains(&Value::int(x)));
        }
    }

    #[test]
    fn set_operations_and_order_agree_with_imbl(xs in ints(), ys in ints()) {
        let a: ValueSet = xs.iter().map(|x| Value::int(*x)).collect();
        let b: ValueSet = ys.iter().map(|x| Value::int(*x)).collect();
        let ta: imbl::OrdSet<Value> = xs.iter().map(|x| Value::int(*x)).collect();
        let tb: imbl::OrdSet<Value> = ys.iter().map(|x| Value::int(*x)).collect();
        let list = |s: ValueSet| s.iter().cloned().collect::<Vec<_>>();
        let tlist = |s: imbl::OrdSet<Value>| s.into_iter().collect::<Vec<_>>();
        prop_assert_eq!(list(a.union(&b)), tlist(ta.clone().union(tb.clone())));
        prop_assert_eq!(list(a.intersection(&b)), tlist(ta.clone().intersection(tb.clone())));
        prop_assert_eq!(list(a.relative_complement(&b)), tlist(ta.clone().relative_complement(tb.clone())));
        prop_assert_eq!(a.is_subset(&b), ta.is_subset(&tb));
        // The canonical order of sets is the lexicographic order of their elements.
        prop_assert_eq!(a.cmp(&b), ta.iter().cmp(tb.iter()));
        prop_assert_eq!(a == b, ta == tb);
    }

    #[test]
    fn maps_built_any_way_are_equal_and_agree_with_imbl(kvs in prop::collection::vec((-50i64..50, 0i64..4), 0..3 * SMALL_MAX)) {
        let entries: Vec<(Value, Value)> = kvs.iter().map(|(k, v)| (Value::int(*k), Value::int(*v))).collect();
        let collected: ValueMap = entries.iter().cloned().collect();
        let mut inserted = ValueMap::new();
        let mut tree = imbl::OrdMap::new();
        for (k, v) in &entries {
            inserted.insert(k.clone(), v.clone());
            tree.insert(k.clone(), v.clone());
        }
        prop_assert_eq!(&collected, &inserted);
        prop_assert_eq!(&collected, &ValueMap::from(tree.clone()));
        prop_assert_eq!(hash_of(&Value::Map(collected.clone())), hash_of(&Value::Map(inserted.clone())));
        let listed: Vec<(Value, Value)> = collected.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let expected: Vec<(Value, Value)> = tree.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        prop_assert_eq!(listed, expected);
        for k in -51i64..51 {
            prop_assert_eq!(collected.get(&Value::int(k)), tree.get(&Value::int(k)));
            let updated = collected.update(Value::int(k), Value::int(9));
            let tupdated = tree.update(Value::int(k), Value::int(9));
            prop_assert!(updated.iter().eq(tupdated.iter()));
            let without = collected.without(&Value::int(k));
            prop_assert!(without.iter().eq(tree.without(&Value::int(k)).iter()));
        }
    }

    #[test]
    fn symbolic_sets_equal_explicit_ones_in_either_representation(a in -40i64..40, len in 0i64..80) {
        let range = SetValue::interval(a.into(), (a + len - 1).into());
        let explicit = SetValue::Explicit((a..a + len).map(Value::int).collect());
        prop_assert_eq!(&range, &explicit);
        prop_assert_eq!(hash_of(&Value::Set(range.clone())), hash_of(&Value::Set(explicit.clone())));
        prop_assert_eq!(range.nth(len.max(1) as u64 - 1).ok(), explicit.nth(len.max(1) as u64 - 1).ok());
    }
}

#[test]
fn nested_collections_compare_by_content_not_representation() {
    // A set of sets, one inner set large: the outer order looks at elements only.
    let big: ValueSet = (0..(SMALL_MAX as i64 + 5)).map(Value::int).collect();
    let small: ValueSet = [Value::int(0), Value::int(2)].into_iter().collect();
    let outer1: ValueSet = [set_value(big.clone()), set_value(small.clone())].into_iter().collect();
    let outer2: ValueSet = [set_value(small), set_value(big)].into_iter().collect();
    assert_eq!(outer1, outer2);
    assert_eq!(hash_of(&set_value(outer1.clone())), hash_of(&set_value(outer2)));
    // Set(0, 1, 2, ...) sorts before Set(0, 2): the second elements are 1 and 2.
    assert_eq!(set_value(outer1).to_string().chars().take(12).collect::<String>(), "Set(Set(0, 1");
}
