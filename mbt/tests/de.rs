//! Spec values into Rust types through serde: every kind of value, and errors that name the
//! path of the value that did not fit. Values are written as ITF JSON (the inverse of the
//! engine's ITF output) to keep the tests short.

use serde::Deserialize;
use serde_json::json;
use spec_interpreter::itf::parse_value;
use spec_interpreter::Value;
use spec_mbt::{from_value, DeErrorKind};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

fn value(j: serde_json::Value) -> Value {
    parse_value(&j).unwrap_or_else(|| panic!("not an ITF value: {j}"))
}

fn int(n: i64) -> serde_json::Value {
    json!({ "#bigint": n.to_string() })
}

#[test]
fn scalars() {
    assert_eq!(from_value::<i64>(&value(int(-5)), "x"), Ok(-5));
    assert_eq!(from_value::<u8>(&value(int(200)), "x"), Ok(200));
    assert_eq!(from_value::<i128>(&value(json!({"#bigint": "170141183460469231731687303715884105727"})), "x"), Ok(i128::MAX));
    assert_eq!(from_value::<u64>(&value(json!({"#bigint": "18446744073709551615"})), "x"), Ok(u64::MAX));
    assert_eq!(from_value::<bool>(&value(json!(true)), "x"), Ok(true));
    assert_eq!(from_value::<String>(&value(json!("hi")), "x"), Ok("hi".to_string()));
    assert_eq!(from_value::<()>(&value(json!({"#tup": []})), "x"), Ok(()));
}

#[test]
fn integers_out_of_range_say_so() {
    let e = from_value::<u8>(&value(int(300)), "amount").unwrap_err();
    assert_eq!(e.to_string(), "amount: 300 does not fit: expected u8");
    let e = from_value::<u64>(&value(int(-1)), "amount").unwrap_err();
    assert!(matches!(e.kind, DeErrorKind::Invalid { .. }), "{e}");
}

#[test]
fn collections() {
    let set = value(json!({"#set": [int(3), int(1), int(2)]}));
    assert_eq!(from_value::<Vec<i64>>(&set, "s"), Ok(vec![1, 2, 3]), "sets in canonical order");
    assert_eq!(from_value::<BTreeSet<i64>>(&set, "s"), Ok([1, 2, 3].into_iter().collect()));
    assert_eq!(from_value::<HashSet<i64>>(&set, "s"), Ok([1, 2, 3].into_iter().collect()));
    let list = value(json!([int(2), int(2), int(1)]));
    assert_eq!(from_value::<Vec<u32>>(&list, "l"), Ok(vec![2, 2, 1]));
    let tuple = value(json!({"#tup": [int(1), "a", true]}));
    assert_eq!(from_value::<(i64, String, bool)>(&tuple, "t"), Ok((1, "a".to_string(), true)));
    let map = value(json!({"#map": [["alice", int(3)], ["bob", int(4)]]}));
    let expected: BTreeMap<String, i64> = [("alice".to_string(), 3), ("bob".to_string(), 4)].into_iter().collect();
    assert_eq!(from_value::<BTreeMap<String, i64>>(&map, "m"), Ok(expected.clone()));
    assert_eq!(from_value::<HashMap<String, i64>>(&map, "m"), Ok(expected.clone().into_iter().collect()));
    assert_eq!(from_value::<Vec<(String, i64)>>(&map, "m"), Ok(expected.into_iter().collect()), "a map as a list of pairs");
    let int_keys = value(json!({"#map": [[int(1), {"#set": []}]]}));
    assert_eq!(from_value::<BTreeMap<u8, Vec<i64>>>(&int_keys, "m"), Ok([(1u8, vec![])].into_iter().collect()));
}

#[test]
fn a_tuple_of_the_wrong_length_is_refused() {
    let tuple = value(json!({"#tup": [int(1), int(2), int(3)]}));
    let e = from_value::<(i64, i64)>(&tuple, "t").unwrap_err();
    assert!(matches!(e.kind, DeErrorKind::Length { len: 3, .. }), "{e}");
}

#[derive(Debug, PartialEq, Deserialize)]
struct Account {
    owner: String,
    amount: i64,
    #[serde(rename = "isOpen")]
    open: bool,
}

#[derive(Debug, PartialEq, Deserialize)]
enum Reply {
    Done,
    Refused(String),
    Moved { from: String, to: String },
    Pair(i64, i64),
}

/// As quint-connect drivers write enums, matching ITF's `{ tag, value }`.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(tag = "tag", content = "value")]
enum Square {
    Occupied(String),
    Empty,
}

#[test]
fn records_become_structs_ignoring_extra_fields() {
    let v = value(json!({"owner": "alice", "amount": int(3), "isOpen": true, "extra": int(0)}));
    assert_eq!(from_value::<Account>(&v, "a"), Ok(Account { owner: "alice".into(), amount: 3, open: true }));
}

#[test]
fn sum_types_become_enums() {
    assert_eq!(from_value::<Reply>(&value(json!({"tag": "Done", "value": {"#tup": []}})), "r"), Ok(Reply::Done));
    assert_eq!(from_value::<Reply>(&value(json!({"tag": "Refused", "value": "no"})), "r"), Ok(Reply::Refused("no".into())));
    assert_eq!(
        from_value::<Reply>(&value(json!({"tag": "Moved", "value": {"from": "a", "to": "b"}})), "r"),
        Ok(Reply::Moved { from: "a".into(), to: "b".into() })
    );
    assert_eq!(from_value::<Reply>(&value(json!({"tag": "Pair", "value": {"#tup": [int(1), int(2)]}})), "r"), Ok(Reply::Pair(1, 2)));
    assert_eq!(from_value::<Square>(&value(json!({"tag": "Occupied", "value": "X"})), "s"), Ok(Square::Occupied("X".into())));
    assert_eq!(from_value::<Square>(&value(json!({"tag": "Empty", "value": {"#tup": []}})), "s"), Ok(Square::Empty));
    let e = from_value::<Reply>(&value(json!({"tag": "Lost", "value": {"#tup": []}})), "r").unwrap_err();
    assert!(matches!(&e.kind, DeErrorKind::UnknownVariant { variant, .. } if variant == "Lost"), "{e}");
}

#[test]
fn options_come_from_some_and_none() {
    assert_eq!(from_value::<Option<i64>>(&value(json!({"tag": "Some", "value": int(4)})), "o"), Ok(Some(4)));
    assert_eq!(from_value::<Option<i64>>(&value(json!({"tag": "None", "value": {"#tup": []}})), "o"), Ok(None));
    let e = from_value::<Option<i64>>(&value(json!({"tag": "Some", "value": "four"})), "o").unwrap_err();
    assert_eq!(e.to_string(), "o::Some: expected i64, found str");
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Bank {
    balances: BTreeMap<String, Account>,
}

#[test]
fn errors_name_the_path_of_the_value_that_did_not_fit() {
    let v = value(json!({
        "balances": {"#map": [
            ["alice", {"owner": "alice", "amount": "lots", "isOpen": true}],
        ]}
    }));
    let e = from_value::<Bank>(&v, "state").unwrap_err();
    assert_eq!(e.to_string(), r#"state.balances["alice"].amount: expected i64, found str"#);
    assert!(matches!(&e.kind, DeErrorKind::Mismatch { expected, found } if expected == "i64" && found == "str"));

    let v = value(json!({"balances": {"#map": [["bob", {"owner": "bob", "amount": int(1)}]]}}));
    let e = from_value::<Bank>(&v, "state").unwrap_err();
    assert_eq!(e.to_string(), r#"state.balances["bob"]: missing field `isOpen`"#);

    let v = value(json!({"xs": [int(1), {"#set": [int(2)]}]}));
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Xs {
        xs: Vec<i64>,
    }
    let e = from_value::<Xs>(&v, "state").unwrap_err();
    assert_eq!(e.to_string(), "state.xs[1]: expected i64, found set");
}
