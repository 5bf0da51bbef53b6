//! Every command's `--json` output against its schema in docs/json.md. The schemas are
//! written here in a small notation: a string names a type (`"string"`, `"integer"`,
//! `"number"`, `"bool"`, `"null"`, `"any"`, alternatives joined by `|`, `diagnostic`,
//! `location`, `itf`), an array of one schema is an array of those, `{"enum": [...]}` is one
//! of those strings, and an object lists its required fields.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_of(args: &[&str]) -> (Value, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_spec")).args(args).current_dir(root()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one line of JSON on stdout for {args:?}: {stdout}");
    (serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}")), out.status.code())
}

fn location() -> Value {
    json!({ "file": "string", "line": "integer", "column": "integer", "end_line": "integer", "end_column": "integer", "start": "integer", "end": "integer" })
}

fn diagnostic() -> Value {
    json!({
        "code": "string", "kind": "string", "severity": { "enum": ["error", "warning", "note"] }, "message": "string",
        "location": "location|null", "label": "string|null", "labels": [{ "location": "location", "message": "string|null" }],
        "notes": ["string"], "help": "string|null",
    })
}

fn common(command: &str, statuses: &[&str]) -> Value {
    json!({ "command": { "enum": [command] }, "status": { "enum": statuses }, "diagnostics": ["diagnostic"] })
}

fn extend(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

fn itf() -> Value {
    json!({ "#meta": { "format": "string" }, "vars": ["string"], "states": ["any"] })
}

fn check(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    match schema {
        Value::String(types) => {
            let ok = types.split('|').any(|t| match t {
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "bool" => value.is_boolean(),
                "null" => value.is_null(),
                "any" => true,
                "object" => value.is_object(),
                "diagnostic" => check(value, &diagnostic(), at).is_ok(),
                "location" => check(value, &location(), at).is_ok(),
                "itf" => check(value, &itf(), at).is_ok(),
                other => panic!("unknown type {other}"),
            });
            if ok {
                Ok(())
            } else if types.split('|').any(|t| t == "diagnostic" || t == "location" || t == "itf") && !value.is_null() {
                let t = types.split('|').find(|t| matches!(*t, "diagnostic" | "location" | "itf")).unwrap_or("");
                let inner = match t {
                    "diagnostic" => diagnostic(),
                    "location" => location(),
                    _ => itf(),
                };
                check(value, &inner, at)
            } else {
                Err(format!("{at}: expected {types}, found {value}"))
            }
        }
        Value::Array(items) => {
            let elements = value.as_array().ok_or(format!("{at}: expected an array, found {value}"))?;
            for (i, v) in elements.iter().enumerate() {
                check(v, &items[0], &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        Value::Object(fields) if fields.contains_key("enum") => {
            let allowed = fields["enum"].as_array().unwrap();
            if allowed.contains(value) {
                Ok(())
            } else {
                Err(format!("{at}: {value} is not one of {allowed:?}"))
            }
        }
        Value::Object(fields) => {
            let object = value.as_object().ok_or(format!("{at}: expected an object, found {value}"))?;
            for (name, field_schema) in fields {
                let v = object.get(name).ok_or(format!("{at}: missing field `{name}` in {value}"))?;
                check(v, field_schema, &format!("{at}.{name}"))?;
            }
            Ok(())
        }
        _ => panic!("bad schema {schema}"),
    }
}

fn assert_schema(args: &[&str], schema: &Value, code: i32) -> Value {
    let (value, status) = json_of(args);
    if let Err(e) = check(&value, schema, "$") {
        panic!("{args:?}: {e}");
    }
    assert_eq!(status, Some(code), "{args:?}: {value}");
    value
}

fn broken() -> String {
    let dir = std::env::temp_dir().join(format!("spec-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.qnt");
    std::fs::write(&path, "module broken {\n  val x: int = \"a\"\n  val y = nosuch + 1\n}\n").unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn parse_json() {
    let schema = extend(common("parse", &["ok", "error"]), json!({ "file": "string", "ok": "bool", "modules": ["string"] }));
    assert_schema(&["parse", "examples/counter.qnt", "--json"], &schema, 0);
    let error = common("parse", &["error"]);
    assert_schema(&["parse", "no/such/file.qnt", "--json"], &error, 2);
}

#[test]
fn docs_json() {
    let entry = json!({ "name": "string", "kind": { "enum": ["const", "var", "assume", "type", "constructor", "def"] }, "signature": "string", "doc": "string|null" });
    let module = json!({ "name": "string", "doc": "string|null", "entries": [entry] });
    let schema = extend(common("docs", &["ok", "error"]), json!({ "file": "string", "modules": [module] }));
    let v = assert_schema(&["docs", "examples/counter.qnt", "--json"], &schema, 0);
    assert!(!v["modules"][0]["entries"].as_array().unwrap().is_empty(), "{v}");
    assert_schema(&["docs", "no/such/file.qnt", "--json"], &common("docs", &["error"]), 2);
}

#[test]
fn typecheck_json() {
    let def = json!({ "module": "string", "name": "string", "qualifier": "string", "type": "string|null", "mode": "string" });
    let schema = extend(common("typecheck", &["ok", "error"]), json!({ "file": "string", "ok": "bool", "definitions": [def] }));
    assert_schema(&["typecheck", "examples/counter.qnt", "--json"], &schema, 0);
    let v = assert_schema(&["typecheck", &broken(), "--json"], &schema, 2);
    assert!(v["diagnostics"].as_array().unwrap().len() >= 2, "{v}");
    assert!(v["diagnostics"][0]["location"]["line"].as_u64().unwrap() >= 2);
}

#[test]
fn eval_json() {
    let schema = extend(common("eval", &["ok", "error"]), json!({ "value": "string|null", "itf": "any" }));
    let v = assert_schema(&["eval", "Set(1, 2).map(x => x + 1)", "--json"], &schema, 0);
    assert_eq!(v["value"], "Set(2, 3)");
    assert_eq!(v["itf"]["#set"][0]["#bigint"], "2");
    let v = assert_schema(&["eval", "1 / 0", "--json"], &schema, 3);
    assert_eq!(v["diagnostics"][0]["code"], "runtime");
    assert_schema(&["eval", "nosuch + 1", "--json"], &common("eval", &["error"]), 2);
}

fn simulate_schema() -> Value {
    extend(
        common("simulate", &["ok", "violation", "error", "interrupted"]),
        json!({
            "seed": "integer", "samples": "integer", "steps": "integer", "deadlocks": "integer", "init_disabled": "integer",
            "seconds": "number", "trace_length": { "min": "integer", "max": "integer" }, "invariants": ["string"],
            "coverage": "object", "witnesses": "object", "violation": "null|object", "error": "null|object",
            "error_trace": "null|itf", "interrupted": "bool",
        }),
    )
}

#[test]
fn simulate_json() {
    let schema = simulate_schema();
    let v = assert_schema(&["simulate", "examples/counter.qnt", "--invariant", "neverFive", "--seed", "3", "--json"], &schema, 1);
    assert_eq!(v["status"], "violation");
    check(&v["violation"]["trace"], &json!("itf"), "$.violation.trace").unwrap();
    check(&v["violation"], &json!({ "invariants": ["string"], "sample": "integer", "trace": "itf" }), "$.violation").unwrap();
    let v = assert_schema(&["run", "examples/counter.qnt", "--max-samples", "20", "--json"], &schema, 0);
    assert_eq!(v["status"], "ok");
    assert_schema(&["simulate", "examples/counter.qnt", "--invariant", "nosuch", "--json"], &common("simulate", &["error"]), 2);
}

#[test]
fn check_json() {
    let schema = extend(
        common("check", &["ok", "violation", "deadlock", "no_initial_state", "error", "bounded", "interrupted"]),
        json!({
            "invariants": ["string"], "invariant": "string|null", "bound": "string|null", "distinct_states": "integer",
            "generated_states": "integer", "depth": "integer", "complete_depth": "integer|null", "queue": "integer",
            "seconds": "number", "states_per_second": "number", "collision_probability": "number", "visited_bytes": "integer", "trace": "null|itf", "error": "null|object",
        }),
    );
    let v = assert_schema(&["check", "examples/counter.qnt", "--invariant", "neverFive", "--json"], &schema, 1);
    assert_eq!(v["status"], "violation");
    let per_state = v["visited_bytes"].as_f64().unwrap() / v["distinct_states"].as_f64().unwrap();
    assert!(per_state > 0.0, "{v}");
    assert!(v["trace"].is_object());
    let v = assert_schema(&["verify", "examples/counter.qnt", "--invariant", "bounded", "--max-steps", "3", "--json"], &schema, 0);
    assert_eq!(v["status"], "ok");
    assert_schema(&["check", "no/such.qnt", "--json"], &common("check", &["error"]), 2);
}

#[test]
fn test_json() {
    let result = json!({ "name": "string", "status": { "enum": ["passed", "failed"] }, "seed": "integer" });
    let schema = extend(common("test", &["ok", "failed", "error"]), json!({ "file": "string", "passed": "integer", "failed": "integer", "tests": [result] }));
    let v = assert_schema(&["test", "examples/counter.qnt", "--json"], &schema, 0);
    assert_eq!(v["passed"], 3);
    assert_schema(&["test", &broken(), "--json"], &common("test", &["error"]), 2);
}

#[test]
fn compile_json() {
    let location = || json!("location");
    let declaration = json!({ "kind": { "enum": ["const", "var", "def"] }, "name": "string", "type": "string|null", "doc": "string|null", "location": location() });
    let def = json!({
        "kind": { "enum": ["def"] }, "name": "string", "type": "string|null", "doc": "string|null", "location": location(),
        "qualifier": { "enum": ["pureval", "puredef", "val", "def", "action", "temporal", "run", "nondet"] },
        "params": "any", "annotation": "string|null", "mode": "string|null", "name_location": location(), "body_location": "location|null",
    });
    let module = json!({ "name": "string", "doc": "string|null", "location": location(), "declarations": [declaration], "types": [{ "kind": { "enum": ["alias", "sum", "uninterpreted"] }, "name": "string", "params": "integer" }] });
    let schema = extend(
        common("compile", &["ok", "error"]),
        json!({ "stage": { "enum": ["compiling"] }, "target": { "enum": ["json"] }, "file": "string", "main": "string", "modules": [module], "scope": [{ "name": "string", "kind": { "enum": ["def", "var", "const", "constructor", "module"] }, "defined_in": "string|null" }] }),
    );
    let v = assert_schema(&["compile", "examples/two_phase_commit.qnt", "--target", "json"], &schema, 0);
    assert_eq!(v["main"], "two_phase_commit");
    let declarations: Vec<&Value> = v["modules"].as_array().unwrap().iter().flat_map(|m| m["declarations"].as_array().unwrap()).collect();
    for d in declarations.iter().filter(|d| d["kind"] == "def") {
        check(d, &def, "$.def").unwrap();
    }
    let types: Vec<&Value> = v["modules"][0]["types"].as_array().unwrap().iter().collect();
    assert!(types.iter().any(|t| t["kind"] == "sum" && t["variants"].as_array().is_some_and(|vs| !vs.is_empty())), "{types:?}");
    // A parameterised action: its parameters, declared and inferred types, mode.
    let v = assert_schema(&["compile", "examples/bank.qnt", "--main", "bank", "--json"], &schema, 0);
    let transfer = v["modules"][0]["declarations"].as_array().unwrap().iter().find(|d| d["name"] == "transfer").cloned().unwrap();
    assert_eq!(transfer["qualifier"], "action");
    assert_eq!(transfer["params"], json!(["src", "dst", "amount"]));
    assert_eq!(transfer["type"], "(str, str, int) => bool");
    assert_eq!(transfer["mode"], "action");
    assert!(v["scope"].as_array().unwrap().iter().any(|s| s["name"] == "transfer" && s["kind"] == "def"), "{}", v["scope"]);
    // Errors: a spec with errors, an unknown target.
    let v = assert_schema(&["compile", &broken(), "--json"], &common("compile", &["error"]), 2);
    assert!(!v["diagnostics"].as_array().unwrap().is_empty());
    let v = assert_schema(&["compile", "examples/counter.qnt", "--target", "tlaplus", "--json"], &common("compile", &["error"]), 2);
    assert!(v["diagnostics"][0]["message"].as_str().unwrap().contains("tlaplus"), "{v}");
}
