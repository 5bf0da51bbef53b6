//! Map operators. `get`, `set` and `setBy` need the key to be present; `put` adds it.

use super::{call, map, Eager};
use crate::eval::error;
use crate::set::SetValue;
use crate::value::Value;
use imbl::OrdMap;

pub fn eager(name: &str) -> Option<Eager> {
    Some(match name {
        "Map" => |_, a, s| {
            let mut out = OrdMap::new();
            for pair in a {
                match pair.clone() {
                    Value::Tuple(items) if items.len() == 2 => {
                        out.insert(items[0].clone(), items[1].clone());
                    }
                    other => return Err(error(s, format!("Map needs `key -> value` pairs, found {other}"))),
                }
            }
            Ok(Value::Map(out))
        },
        "get" => |_, a, s| get(&a[0], &a[1], s),
        "keys" => |_, a, s| Ok(Value::Set(SetValue::Explicit(map(&a[0], s)?.keys().cloned().collect()))),
        "set" => |_, a, s| {
            let m = map(&a[0], s)?;
            if !m.contains_key(&a[1]) {
                return Err(error(s, format!("`set` changes an existing key, but {} is not in the map; use `put` to add it", a[1])));
            }
            Ok(Value::Map(m.update(a[1].clone(), a[2].clone())))
        },
        "put" => |_, a, s| Ok(Value::Map(map(&a[0], s)?.update(a[1].clone(), a[2].clone()))),
        "setBy" => |ctx, a, s| {
            let m = map(&a[0], s)?.clone();
            let Some(old) = m.get(&a[1]).cloned() else {
                return Err(error(s, format!("`setBy` changes an existing key, but {} is not in the map", a[1])));
            };
            let new = call(ctx, &a[2], [old], s)?;
            Ok(Value::Map(m.update(a[1].clone(), new)))
        },
        _ => return None,
    })
}

/// `m.get(key)`: the value at `key`, an error when it is missing.
pub(crate) fn get(m: &Value, key: &Value, span: spec_syntax::Span) -> crate::eval::EvalResult {
    let m = map(m, span)?;
    m.get(key).cloned().ok_or_else(|| error(span, format!("the key {key} is not in the map (its keys: {})", keys_preview(m))))
}

fn keys_preview(m: &OrdMap<Value, Value>) -> String {
    let keys: Vec<String> = m.keys().take(5).map(|k| k.to_string()).collect();
    let more = if m.len() > 5 { ", ..." } else { "" };
    format!("{}{more}", keys.join(", "))
}
