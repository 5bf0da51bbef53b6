//! Set operators. Symbolic sets answer membership and size directly; operators that need
//! every element enumerate them (and fail with the set's size if that is too many).

use super::{call, each, elements, set, truth, Eager};
use crate::eval::{error, Ctx, EvalResult};
use crate::set::SetValue;
use crate::collection::{ValueMap, ValueSet};
use crate::value::{Int, Value};
use spec_syntax::Span;
use std::sync::Arc;

pub fn eager(name: &str) -> Option<Eager> {
    Some(match name {
        "Set" => |_, a, _| Ok(explicit(ValueSet::from_slice(a))),
        "eq" => |_, a, _| Ok(Value::Bool(a[0] == a[1])),
        "neq" => |_, a, _| Ok(Value::Bool(a[0] != a[1])),
        "contains" => |_, a, s| Ok(Value::Bool(set(&a[0], s)?.contains(&a[1]))),
        "in" => |_, a, s| Ok(Value::Bool(set(&a[1], s)?.contains(&a[0]))),
        "union" => |_, a, s| Ok(explicit(elements(&a[0], s)?.union(&elements(&a[1], s)?))),
        "intersect" => |_, a, s| Ok(explicit(elements(&a[0], s)?.intersection(&elements(&a[1], s)?))),
        "exclude" => |_, a, s| Ok(explicit(elements(&a[0], s)?.relative_complement(&elements(&a[1], s)?))),
        "subseteq" => subseteq,
        "size" => size,
        "isFinite" => |_, a, s| Ok(Value::Bool(set(&a[0], s)?.is_finite())),
        "powerset" => |_, a, s| Ok(Value::Set(SetValue::Powerset(Arc::new(set(&a[0], s)?.clone())))),
        "flatten" => flatten,
        "allLists" => |_, a, s| Ok(Value::Set(SetValue::Lists(Arc::new(set(&a[0], s)?.clone()), None))),
        "allListsUpTo" => |_, a, s| {
            let n = super::int(&a[1], s)?;
            let bound = n.to_i64().filter(|n| *n >= 0).ok_or_else(|| error(s, format!("allListsUpTo needs a non-negative length, found {n}")))?;
            Ok(Value::Set(SetValue::Lists(Arc::new(set(&a[0], s)?.clone()), Some(bound as u64))))
        },
        "setOfMaps" => |_, a, s| Ok(Value::Set(SetValue::SetOfMaps(Arc::new(set(&a[0], s)?.clone()), Arc::new(set(&a[1], s)?.clone())))),
        "tuples" => |_, a, s| {
            let sets = a.iter().map(|v| set(v, s).cloned()).collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Set(SetValue::Tuples(Arc::new(sets))))
        },
        "chooseSome" => |_, a, s| {
            let st = set(&a[0], s)?;
            st.least().map_err(|e| error(s, format!("chooseSome: {e}")))?.ok_or_else(|| error(s, "chooseSome of an empty set"))
        },
        "getOnlyElement" => |_, a, s| {
            let items = elements(&a[0], s)?;
            if items.len() != 1 {
                return Err(error(s, format!("getOnlyElement needs a set of exactly one element, found {} elements", items.len())));
            }
            Ok(items.get_min().cloned().unwrap_or(Value::Bool(false)))
        },
        "oneOf" => |ctx, a, s| crate::choose::one_of(ctx, set(&a[0], s)?, s),
        "exists" => |ctx, a, s| {
            for x in each(&a[0], s)? {
                if truth(call(ctx, &a[1], [x], s)?, s)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        },
        "forall" => |ctx, a, s| {
            for x in each(&a[0], s)? {
                if !truth(call(ctx, &a[1], [x], s)?, s)? {
                    return Ok(Value::Bool(false));
                }
            }
            Ok(Value::Bool(true))
        },
        "filter" => |ctx, a, s| {
            // Kept in the order of the set: canonical, so no sorting.
            let mut out = Vec::new();
            for x in each(&a[0], s)? {
                if truth(call(ctx, &a[1], [x.clone()], s)?, s)? {
                    out.push(x);
                }
            }
            Ok(explicit(ValueSet::from_sorted_vec(out)))
        },
        "map" => |ctx, a, s| {
            let mut out = Vec::new();
            for x in each(&a[0], s)? {
                out.push(call(ctx, &a[1], [x], s)?);
            }
            Ok(explicit(ValueSet::from_vec(out)))
        },
        "fold" => |ctx, a, s| {
            let mut acc = a[1].clone();
            for x in each(&a[0], s)? {
                ctx.check_interrupt(s)?;
                acc = call(ctx, &a[2], [acc, x], s)?;
            }
            Ok(acc)
        },
        "mapBy" => |ctx, a, s| {
            // Keys in the order of the set: canonical, so no sorting.
            let mut out = Vec::new();
            for x in each(&a[0], s)? {
                let v = call(ctx, &a[1], [x.clone()], s)?;
                out.push((x, v));
            }
            Ok(Value::Map(ValueMap::from_sorted_vec(out)))
        },
        "setToMap" => |_, a, s| {
            let mut out = Vec::new();
            for pair in elements(&a[0], s)?.iter() {
                match pair {
                    Value::Tuple(items) if items.len() == 2 => out.push((items[0].clone(), items[1].clone())),
                    other => return Err(error(s, format!("setToMap needs pairs, found {other}"))),
                }
            }
            Ok(Value::Map(ValueMap::from_vec(out)))
        },
        _ => return None,
    })
}

/// `set.filter(pred).size()`: the number of elements `pred` holds for, with the errors
/// `filter` would give, without building the filtered set.
pub(crate) fn count_filtered(ctx: &mut Ctx, set: &Value, pred: &Value, s: Span) -> EvalResult {
    let mut n = 0usize;
    for x in each(set, s)? {
        if truth(call(ctx, pred, [x], s)?, s)? {
            n += 1;
        }
    }
    Ok(crate::value::count(n))
}

fn explicit(s: ValueSet) -> Value {
    Value::Set(SetValue::Explicit(s))
}

fn subseteq(_: &mut Ctx, a: &[Value], s: Span) -> EvalResult {
    let sup = set(&a[1], s)?;
    let sub = set(&a[0], s)?;
    match (sub, sup) {
        (SetValue::Explicit(x), SetValue::Explicit(y)) => return Ok(Value::Bool(x.is_subset(y))),
        // `Int` and `Nat` against each other and against intervals, without listing them
        // (Quint answers `Nat.subseteq(Int)` too).
        (SetValue::Int | SetValue::Nat | SetValue::Interval(_), SetValue::Int) => return Ok(Value::Bool(true)),
        (SetValue::Nat, SetValue::Nat) => return Ok(Value::Bool(true)),
        (SetValue::Int, SetValue::Nat) => return Ok(Value::Bool(false)),
        (SetValue::Interval(bounds), SetValue::Nat) => return Ok(Value::Bool(bounds.0 > bounds.1 || !bounds.0.is_negative())),
        (SetValue::Int | SetValue::Nat, _) if sup.is_finite() => return Ok(Value::Bool(false)),
        _ => {}
    }
    Ok(Value::Bool(elements(&a[0], s)?.iter().all(|x| sup.contains(x))))
}

fn size(_: &mut Ctx, a: &[Value], s: Span) -> EvalResult {
    let st = set(&a[0], s)?;
    if let SetValue::Explicit(items) = st {
        return Ok(crate::value::count(items.len()));
    }
    match st.size() {
        Some(n) => Ok(Value::Int(Int::from_big(n))),
        None if st.is_finite() => Err(error(s, format!("{} is finite, but too large for its size to be computed", st.describe()))),
        None => Err(error(s, format!("{} is infinite: it has no size", st.describe()))),
    }
}

fn flatten(_: &mut Ctx, a: &[Value], s: Span) -> EvalResult {
    let mut out = Vec::new();
    for inner in elements(&a[0], s)?.iter() {
        out.extend(elements(inner, s)?.iter().cloned());
    }
    Ok(explicit(ValueSet::from_vec(out)))
}
