//! Map operators. `get`, `set` and `setBy` need the key to be present; `put` adds it.

use super::{call, map, Eager};
use crate::eval::error;
use crate::set::SetValue;
use crate::collection::{ValueMap, ValueSet};
use crate::value::Value;

pub fn eager(name: &str) -> Option<Eager> {
    Some(match name {
        "Map" => |_, a, s| {
            let mut out = Vec::with_capacity(a.len());
            for pair in a {
                match pair {
                    Value::Tuple(items) if items.len() == 2 => out.push((items[0].clone(), items[1].clone())),
                    other => return Err(error(s, format!("Map needs `key -> value` pairs, found {other}"))),
                }
            }
            Ok(Value::Map(ValueMap::from_vec(out)))
        },
        "get" => |_, a, s| get(&a[0], &a[1], s),
        "keys" => |_, a, s| Ok(Value::Set(SetValue::Explicit(ValueSet::from_sorted_vec(map(&a[0], s)?.keys().cloned().collect())))),
        "set" => |_, a, s| {
            let m = map(&a[0], s)?;
            if !m.contains_key(&a[1]) {
                return Err(error(s, format!("`set` changes an existing key, but {} is not in the map; use `put` to add it", a[1])));
            }
            Ok(Value::Map(m.update(a[1].clone(), a[2].clone())))
        },
        "put" => |_, a, s| Ok(Value::Map(map(&a[0], s)?.update(a[1].clone(), a[2].clone()))),
        "setBy" => |ctx, a, s| {
            let m = map(&a[0], s)?;
            let Some(old) = m.get(&a[1]).cloned() else {
                return Err(error(s, format!("`setBy` changes an existing key, but {} is not in the map", a[1])));
            };
            let new = call(ctx, &a[2], [old], s)?;
            Ok(Value::Map(map(&a[0], s)?.update(a[1].clone(), new)))
        },
        _ => return None,
    })
}

/// `m.set(key, value)` (`must_exist`) and `m.put(key, value)` on owned arguments: nothing
/// is cloned, and a map no one else holds is changed in place (`m.set(a, x).set(b, y)`).
pub(crate) fn set_owned(m: Value, key: Value, value: Value, must_exist: bool, span: spec_syntax::Span) -> crate::eval::EvalResult {
    match m {
        Value::Map(m) => match m.updated(key, value, must_exist) {
            Ok(m) => Ok(Value::Map(m)),
            Err(key) => Err(error(span, format!("`set` changes an existing key, but {key} is not in the map; use `put` to add it"))),
        },
        other => Err(super::not_a_map(&other, span)),
    }
}

/// `m.get(key)`: the value at `key`, an error when it is missing.
pub(crate) fn get(m: &Value, key: &Value, span: spec_syntax::Span) -> crate::eval::EvalResult {
    entry(m, key, span).cloned()
}

/// `m.get(key)`, borrowed.
pub(crate) fn entry<'m>(m: &'m Value, key: &Value, span: spec_syntax::Span) -> Result<&'m Value, Box<crate::eval::EvalError>> {
    let m = map(m, span)?;
    m.get(key).ok_or_else(|| error(span, format!("the key {key} is not in the map (its keys: {})", keys_preview(m))))
}

fn keys_preview(m: &ValueMap) -> String {
    let keys: Vec<String> = m.keys().take(5).map(|k| k.to_string()).collect();
    let more = if m.len() > 5 { ", ..." } else { "" };
    format!("{}{more}", keys.join(", "))
}
