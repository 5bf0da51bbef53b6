//! List operators. Indices count from 0; out-of-range access is a runtime error.

use super::{call, index, int, list, truth, Eager};
use crate::eval::error;
use crate::set::SetValue;
use crate::value::{count, Value};
use imbl::Vector;

pub fn eager(name: &str) -> Option<Eager> {
    Some(match name {
        "List" => |_, a, _| Ok(Value::list(a.iter().cloned().collect())),
        "append" => |_, a, s| {
            let mut l = list(&a[0], s)?.clone();
            l.push_back(a[1].clone());
            Ok(Value::list(l))
        },
        "concat" => |_, a, s| {
            let mut l = list(&a[0], s)?.clone();
            l.append(list(&a[1], s)?.clone());
            Ok(Value::list(l))
        },
        "head" => |_, a, s| list(&a[0], s)?.front().cloned().ok_or_else(|| error(s, "head of an empty list")),
        "tail" => |_, a, s| {
            let l = list(&a[0], s)?;
            if l.is_empty() {
                return Err(error(s, "tail of an empty list"));
            }
            Ok(Value::list(l.clone().split_off(1)))
        },
        "length" => |_, a, s| Ok(count(list(&a[0], s)?.len())),
        "nth" => |_, a, s| {
            let l = list(&a[0], s)?;
            let i = index(&a[1], l.len(), s, "the index")?;
            Ok(l[i].clone())
        },
        "indices" => |_, a, s| Ok(Value::Set(SetValue::Explicit(crate::collection::ValueSet::from_sorted_vec((0..list(&a[0], s)?.len()).map(count).collect())))),
        "replaceAt" => |_, a, s| {
            let l = list(&a[0], s)?;
            let i = index(&a[1], l.len(), s, "the index")?;
            Ok(Value::list(l.update(i, a[2].clone())))
        },
        "slice" => |_, a, s| {
            let l = list(&a[0], s)?;
            let (from, to) = (int(&a[1], s)?, int(&a[2], s)?);
            match (from.to_i64(), to.to_i64()) {
                (Some(f), Some(t)) if 0 <= f && f <= t && (t as usize) <= l.len() => Ok(Value::list(l.clone().slice(f as usize..t as usize))),
                _ => Err(error(s, format!("slice({from}, {to}) is out of bounds for a list of length {}", l.len()))),
            }
        },
        "range" => |_, a, s| {
            let (from, to) = (int(&a[0], s)?, int(&a[1], s)?);
            let (Some(f), Some(t)) = (from.to_i64(), to.to_i64()) else { return Err(error(s, "range bounds are too large")) };
            if (t - f).unsigned_abs() > crate::set::enumeration_limit() {
                return Err(error(s, format!("range({f}, {t}) would have more elements than {} allows", spec_syntax::Limit::SetElements)));
            }
            let items: Vector<Value> = if f <= t { (f..t).map(Value::int).collect() } else { (t + 1..=f).rev().map(Value::int).collect() };
            Ok(Value::list(items))
        },
        "select" => |ctx, a, s| {
            let mut out = Vector::new();
            for x in list(&a[0], s)?.clone() {
                if truth(call(ctx, &a[1], [x.clone()], s)?, s)? {
                    out.push_back(x);
                }
            }
            Ok(Value::list(out))
        },
        "foldl" => |ctx, a, s| {
            let mut acc = a[1].clone();
            for x in list(&a[0], s)?.clone() {
                acc = call(ctx, &a[2], [acc, x], s)?;
            }
            Ok(acc)
        },
        "foldr" => |ctx, a, s| {
            let mut acc = a[1].clone();
            for x in list(&a[0], s)?.clone().into_iter().rev() {
                acc = call(ctx, &a[2], [x, acc], s)?;
            }
            Ok(acc)
        },
        _ => return None,
    })
}
