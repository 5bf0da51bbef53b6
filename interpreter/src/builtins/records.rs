//! Records and tuples: construction, field update, item access.

use super::Eager;
use crate::eval::error;
use crate::set::SetValue;
use crate::value::{count, Value};
use std::sync::Arc;

/// `r.with(name, v)` on owned arguments: a record no one else holds (one just built, as in
/// `r.with(a, x).with(b, y)`, or a local read for the last time) gets the field changed in
/// place; a shared one is copied, as the eager `with` does.
pub(crate) fn with_owned(record: Value, name: Value, value: Value, s: spec_syntax::Span) -> crate::eval::EvalResult {
    match (record, name) {
        (Value::Record(mut fields), Value::Str(name)) => match fields.iter().position(|(n, _)| Arc::ptr_eq(n, &name) || *n == name) {
            // The fields stay sorted: only the value changes.
            Some(at) => {
                match Arc::get_mut(&mut fields) {
                    Some(owned) => owned[at].1 = value,
                    None => {
                        let mut copy = (*fields).clone();
                        copy[at].1 = value;
                        fields = Arc::new(copy);
                    }
                }
                Ok(Value::Record(fields))
            }
            None => {
                let mut copy = Arc::try_unwrap(fields).unwrap_or_else(|shared| (*shared).clone());
                copy.push((name, value));
                Ok(Value::record(copy))
            }
        },
        (record, name) => Err(error(s, format!("`with` needs a record and a field name, found {} and {}", record.kind(), name.kind()))),
    }
}

pub fn eager(name: &str) -> Option<Eager> {
    Some(match name {
        "Tup" => |_, a, _| Ok(Value::Tuple(Arc::new(a.to_vec()))),
        "Rec" => |_, a, s| {
            let mut fields = Vec::new();
            for pair in a.chunks(2) {
                match (&pair[0], pair.get(1)) {
                    (Value::Str(name), Some(v)) => fields.push((name.clone(), v.clone())),
                    _ => return Err(error(s, "Rec needs pairs of field names and values")),
                }
            }
            Ok(Value::record(fields))
        },
        "with" => |_, a, s| match (&a[0], &a[1]) {
            (Value::Record(fields), Value::Str(name)) => match fields.iter().position(|(n, _)| Arc::ptr_eq(n, name) || n == name) {
                // The fields stay sorted: only the value changes.
                Some(at) => {
                    let mut fields = (**fields).clone();
                    fields[at].1 = a[2].clone();
                    Ok(Value::Record(Arc::new(fields)))
                }
                None => {
                    let mut fields = (**fields).clone();
                    fields.push((name.clone(), a[2].clone()));
                    Ok(Value::record(fields))
                }
            },
            (record, name) => Err(error(s, format!("`with` needs a record and a field name, found {} and {}", record.kind(), name.kind()))),
        },
        "field" => |_, a, s| match &a[1] {
            Value::Str(name) => a[0].field(name).cloned().ok_or_else(|| error(s, format!("no field {name} in {}", a[0]))),
            _ => Err(error(s, "a field name must be a string")),
        },
        "fieldNames" => |_, a, s| match &a[0] {
            Value::Record(fields) => Ok(Value::Set(SetValue::Explicit(fields.iter().map(|(n, _)| Value::Str(n.clone())).collect::<crate::collection::ValueSet>()))),
            other => Err(error(s, format!("fieldNames needs a record, found {other}"))),
        },
        "item" => |_, a, s| match (&a[0], &a[1]) {
            (Value::Tuple(items), Value::Int(n)) => {
                let i = n.to_i64().unwrap_or(0);
                if i >= 1 && (i as usize) <= items.len() {
                    Ok(items[i as usize - 1].clone())
                } else {
                    Err(error(s, format!("the tuple has {} items; there is no item {n}", count(items.len()))))
                }
            }
            _ => Err(error(s, "`item` needs a tuple and an index")),
        },
        _ => return None,
    })
}
