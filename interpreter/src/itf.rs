//! Traces in the Informal Trace Format (ITF, ADR-015 of Apalache): `#meta`, `vars`,
//! `states`, with `#bigint`, `#set`, `#map`, `#tup` and variants as `{tag, value}`. With
//! model-based-testing fields, each state also records `mbt::actionTaken` and
//! `mbt::nondetPicks`, as Quint writes them.

use crate::set::SetValue;
use crate::{Step, Value};
use serde_json::{json, Map, Value as Json};

/// One value as ITF JSON.
pub fn value(v: &Value) -> Json {
    match v {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) => json!({ "#bigint": n.to_string() }),
        Value::Str(s) => Json::String(s.to_string()),
        Value::Set(s) => match s.elements() {
            Ok(items) => json!({ "#set": items.iter().map(value).collect::<Vec<_>>() }),
            Err(_) => json!({ "#unserializable": s.to_string() }),
        },
        Value::Map(m) => json!({ "#map": m.iter().map(|(k, v)| json!([value(k), value(v)])).collect::<Vec<_>>() }),
        Value::List(l) => Json::Array(l.iter().map(value).collect()),
        Value::Record(fields) => Json::Object(fields.iter().map(|(k, v)| (k.to_string(), value(v))).collect()),
        Value::Tuple(items) => json!({ "#tup": items.iter().map(value).collect::<Vec<_>>() }),
        Value::Variant(tag, payload) => json!({ "tag": tag.to_string(), "value": value(payload) }),
        Value::Lambda(l) => json!({ "#unserializable": format!("<operator {}>", l.name()) }),
    }
}

/// Options for writing a trace.
pub struct TraceMeta<'a> {
    pub source: &'a str,
    pub status: &'a str,
    pub seed: u64,
    /// Add `mbt::actionTaken` and `mbt::nondetPicks`.
    pub mbt: bool,
    /// Variables to leave out.
    pub hide: &'a [String],
    /// All nondeterministic names of the spec (for `mbt::nondetPicks`).
    pub nondet_names: &'a [String],
}

/// A whole trace as ITF JSON.
/// `states` hold the values of `vars`, in order (see `Spec::project`).
pub fn trace(vars: &[String], states: &[Vec<Value>], steps: &[Step], meta: &TraceMeta) -> Json {
    let shown: Vec<&String> = vars.iter().filter(|v| !meta.hide.contains(v)).collect();
    let mut out_states = Vec::with_capacity(states.len());
    for (i, state) in states.iter().enumerate() {
        let mut obj = Map::new();
        obj.insert("#meta".into(), json!({ "index": i }));
        for (name, v) in vars.iter().zip(state.iter()) {
            if shown.contains(&name) {
                obj.insert(name.clone(), value(v));
            }
        }
        if meta.mbt {
            let step = steps.get(i);
            let action = match (i, step.and_then(|s| s.actions.first())) {
                (0, _) => "init".to_string(),
                (_, Some(a)) => a.to_string(),
                (_, None) => "step".to_string(),
            };
            obj.insert("mbt::actionTaken".into(), Json::String(action));
            let mut picks = Map::new();
            for name in meta.nondet_names {
                let picked = step.and_then(|s| s.picks.iter().rev().find(|(n, _)| &**n == name.as_str()));
                let v = match picked {
                    Some((_, v)) => json!({ "tag": "Some", "value": value(v) }),
                    None => json!({ "tag": "None", "value": { "#tup": [] } }),
                };
                picks.insert(name.clone(), v);
            }
            obj.insert("mbt::nondetPicks".into(), Json::Object(picks));
        }
        out_states.push(Json::Object(obj));
    }
    let mut var_names: Vec<Json> = shown.iter().map(|v| Json::String((*v).clone())).collect();
    if meta.mbt {
        var_names.push(Json::String("mbt::actionTaken".into()));
        var_names.push(Json::String("mbt::nondetPicks".into()));
    }
    json!({
        "#meta": {
            "format": "ITF",
            "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "source": meta.source,
            "status": meta.status,
            "description": format!("Created by spec {} (seed {})", env!("CARGO_PKG_VERSION"), meta.seed),
        },
        "vars": var_names,
        "states": out_states,
    })
}

/// Reads an ITF value back (for tests and tools): the inverse of [`value`] for
/// everything but operators.
pub fn parse_value(j: &Json) -> Option<Value> {
    use std::sync::Arc;
    Some(match j {
        Json::Bool(b) => Value::Bool(*b),
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::list(items.iter().map(parse_value).collect::<Option<_>>()?),
        Json::Object(obj) => {
            if let Some(Json::String(n)) = obj.get("#bigint") {
                let big: num_bigint::BigInt = n.parse().ok()?;
                Value::Int(crate::value::Int::from_big(big))
            } else if let Some(Json::Array(items)) = obj.get("#set") {
                Value::Set(SetValue::Explicit(items.iter().map(parse_value).collect::<Option<_>>()?))
            } else if let Some(Json::Array(items)) = obj.get("#tup") {
                Value::Tuple(Arc::new(items.iter().map(parse_value).collect::<Option<_>>()?))
            } else if let Some(Json::Array(pairs)) = obj.get("#map") {
                let mut m = imbl::OrdMap::new();
                for p in pairs {
                    let kv = p.as_array()?;
                    m.insert(parse_value(kv.first()?)?, parse_value(kv.get(1)?)?);
                }
                Value::Map(m)
            } else if let (Some(Json::String(tag)), Some(v), 2) = (obj.get("tag"), obj.get("value"), obj.len()) {
                Value::Variant(Arc::from(tag.as_str()), Arc::new(parse_value(v)?))
            } else {
                Value::record(obj.iter().map(|(k, v)| Some((Arc::from(k.as_str()), parse_value(v)?))).collect::<Option<Vec<_>>>()?)
            }
        }
        Json::Number(n) => Value::int(n.as_i64()?),
        Json::Null => return None,
    })
}
