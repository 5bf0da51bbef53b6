//! Traces in the Informal Trace Format (ITF, ADR-015 of Apalache): `#meta`, `vars`,
//! `states`, with `#bigint`, `#set`, `#map`, `#tup` and variants as `{tag, value}`. With
//! model-based-testing fields, each state also records `mbt::actionTaken` and
//! `mbt::nondetPicks`, as Quint writes them. [`trace`] builds the JSON in memory;
//! [`write_trace`] streams it state by state to any `io::Write` (for long traces).

use crate::set::SetValue;
use crate::{Step, Value};
use serde_json::{json, Map, Value as Json};
use std::io::Write;

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
    let shown = shown_vars(vars, meta);
    let out_states: Vec<Json> = states.iter().enumerate().map(|(i, state)| state_json(i, vars, state, steps, meta)).collect();
    json!({
        "#meta": header(meta),
        "vars": var_names(&shown, meta),
        "states": out_states,
    })
}

/// Writes a trace as ITF to `out` one state at a time: only one state's JSON is in memory
/// at once, so a trace of any length is written in the memory of its values. `states`
/// yields the values of `vars` in order (see `Spec::project`), lazily if the caller wants.
/// The text is compact JSON with one state per line; it parses to the same JSON as
/// [`trace`].
pub fn write_trace<W: Write>(mut out: W, vars: &[String], states: impl IntoIterator<Item = Vec<Value>>, steps: &[Step], meta: &TraceMeta) -> std::io::Result<()> {
    let shown = shown_vars(vars, meta);
    out.write_all(b"{\"#meta\":")?;
    serde_json::to_writer(&mut out, &header(meta))?;
    out.write_all(b",\"vars\":")?;
    serde_json::to_writer(&mut out, &var_names(&shown, meta))?;
    out.write_all(b",\"states\":[")?;
    for (i, state) in states.into_iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, &state_json(i, vars, &state, steps, meta))?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

fn shown_vars<'v>(vars: &'v [String], meta: &TraceMeta) -> Vec<&'v String> {
    vars.iter().filter(|v| !meta.hide.contains(v)).collect()
}

fn header(meta: &TraceMeta) -> Json {
    json!({
        "format": "ITF",
        "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
        "source": meta.source,
        "status": meta.status,
        "description": format!("Created by spec {} (seed {})", env!("CARGO_PKG_VERSION"), meta.seed),
    })
}

fn var_names(shown: &[&String], meta: &TraceMeta) -> Json {
    let mut names: Vec<Json> = shown.iter().map(|v| Json::String((*v).clone())).collect();
    if meta.mbt {
        names.push(Json::String("mbt::actionTaken".into()));
        names.push(Json::String("mbt::nondetPicks".into()));
    }
    Json::Array(names)
}

/// State `i` of a trace as an ITF object.
fn state_json(i: usize, vars: &[String], state: &[Value], steps: &[Step], meta: &TraceMeta) -> Json {
    let mut obj = Map::new();
    obj.insert("#meta".into(), json!({ "index": i }));
    for (name, v) in vars.iter().zip(state.iter()) {
        if !meta.hide.contains(name) {
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
    Json::Object(obj)
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
                let mut m = Vec::with_capacity(pairs.len());
                for p in pairs {
                    let kv = p.as_array()?;
                    m.push((parse_value(kv.first()?)?, parse_value(kv.get(1)?)?));
                }
                Value::Map(crate::collection::ValueMap::from_vec(m))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_streamed_trace_is_the_built_trace() {
        let vars = vec!["x".to_string(), "hidden".to_string(), "s".to_string()];
        let states: Vec<Vec<Value>> = (0..50)
            .map(|i| vec![Value::int(i), Value::Bool(i % 2 == 0), crate::value::set_of((0..i % 4).map(Value::int))])
            .collect();
        let steps: Vec<Step> = (0..50).map(|i| Step { actions: vec![Arc::from(format!("a{i}").as_str())], picks: vec![(Arc::from("n"), Value::int(i))] }).collect();
        let hide = vec!["hidden".to_string()];
        let names = vec!["n".to_string(), "m".to_string()];
        for mbt in [false, true] {
            let meta = TraceMeta { source: "t.qnt", status: "ok", seed: 3, mbt, hide: &hide, nondet_names: &names };
            let built = trace(&vars, &states, &steps, &meta);
            let mut out = Vec::new();
            write_trace(&mut out, &vars, states.iter().cloned(), &steps, &meta).expect("writing to memory");
            let streamed: Json = serde_json::from_slice(&out).expect("valid JSON");
            assert_eq!(streamed, built);
        }
    }
}
