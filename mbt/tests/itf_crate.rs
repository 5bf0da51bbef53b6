//! The ITF traces `spec` writes (`spec_interpreter::itf`, what `--out-itf` and `spec test
//! --mbt` write) are read by the `itf` crate, the reader quint-connect uses: integers small
//! and big, sets, maps, tuples, records, sum types, lists, and the MBT fields
//! `mbt::actionTaken` and `mbt::nondetPicks` (picks as `Some`/`None` variants).

use itf::de::As;
use serde::Deserialize;
use spec_interpreter::itf::{trace, TraceMeta};
use spec_interpreter::render::{write_itf, ItfOptions, Trace};
use spec_interpreter::{RandomChooser, Spec};
use std::collections::{BTreeMap, BTreeSet};

const SPEC: &str = r#"module kinds {
  type Shape = Circle(int) | Square({ side: int, label: str }) | Empty
  var n: int
  var big: int
  var s: Set[int]
  var m: str -> int
  var t: (int, str, bool)
  var r: { name: str, tags: Set[str] }
  var v: Shape
  var l: List[int]
  action init = all {
    n' = -1, big' = 2^100, s' = Set(1, 2), m' = Map("a" -> 1), t' = (1, "x", true),
    r' = { name: "r", tags: Set("p") }, v' = Empty, l' = [],
  }
  action step = {
    nondet k = 1.to(3).oneOf()
    nondet who = Set("a", "b").oneOf()
    all {
      n' = n + k, big' = big * 2 + k, s' = s.union(Set(k)), m' = m.put(who, k),
      t' = (k, who, not(t._3)), r' = r.with("tags", r.tags.union(Set(who))),
      v' = if (k == 1) Circle(n) else Square({ side: k, label: who }), l' = l.append(k),
    }
  }
}"#;

#[derive(Debug, Deserialize, PartialEq)]
struct Square {
    side: i64,
    label: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "tag", content = "value")]
enum Shape {
    Circle(i64),
    Square(Square),
    Empty,
}

#[derive(Debug, Deserialize)]
struct Record {
    name: String,
    tags: BTreeSet<String>,
}

/// An option as Quint writes it, decoded as a plain sum type.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "tag", content = "value")]
enum QuintOption<T> {
    Some(T),
    None,
}

#[derive(Debug, Deserialize)]
struct Picks {
    #[serde(with = "As::<itf::de::Option<_>>")]
    k: Option<i64>,
    who: QuintOption<String>,
}

#[derive(Debug, Deserialize)]
struct State {
    n: i64,
    big: dashu_int::IBig,
    s: BTreeSet<i64>,
    m: BTreeMap<String, i64>,
    t: (i64, String, bool),
    r: Record,
    v: Shape,
    l: Vec<i64>,
    #[serde(rename = "mbt::actionTaken")]
    action: String,
    #[serde(rename = "mbt::nondetPicks")]
    picks: Picks,
}

/// A trace of the spec: its states and steps.
fn sample(spec: &Spec) -> (Vec<spec_interpreter::State>, Vec<spec_interpreter::Step>) {
    let mut chooser = RandomChooser::new(5);
    let (mut state, step) = spec.run_action(&spec.state0(), "init", &mut chooser).expect("init runs").expect("init is enabled");
    let mut states = vec![state.clone()];
    let mut steps = vec![step];
    for _ in 0..4 {
        let (next, step) = spec.run_action(&state, "step", &mut chooser).expect("step runs").expect("step is enabled");
        states.push(next.clone());
        steps.push(step);
        state = next;
    }
    (states, steps)
}

#[test]
fn the_itf_crate_reads_the_traces_spec_writes() {
    let spec = Spec::from_text("kinds.qnt", SPEC, None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let (states, steps) = sample(&spec);
    let values: Vec<_> = states.iter().map(|s| spec.project(s)).collect();
    let names = vec!["k".to_string(), "who".to_string()];
    let meta = TraceMeta { source: "kinds.qnt", status: "ok", seed: 5, mbt: true, hide: &[], nondet_names: &names };
    let text = trace(&spec.var_names(), &values, &steps, &meta).to_string();
    check(&text);

    // What `--out-itf` writes: streamed state by state, picks named from the spec itself.
    let options = ItfOptions { source: "kinds.qnt", status: "ok", seed: 5, mbt: true, hide: &[], ran: vec!["init", "step"] };
    let mut streamed = Vec::new();
    write_itf(&spec, Trace { states: &states, steps: &steps, init: "init" }, &options, &mut streamed).expect("writing to memory");
    check(&String::from_utf8(streamed).expect("ITF is UTF-8"));
}

/// Reads `text` with the itf crate and checks every state against the spec's step.
fn check(text: &str) {
    let read = itf::trace_from_str::<State>(text).unwrap_or_else(|e| panic!("the itf crate cannot read the trace: {e}\n{text}"));
    assert_eq!(read.states.len(), 5);
    assert!(read.vars.contains(&"mbt::actionTaken".to_string()), "{:?}", read.vars);

    let first = &read.states[0].value;
    assert_eq!(first.action, "init");
    assert_eq!((first.picks.k, &first.picks.who), (None, &QuintOption::None));
    assert_eq!(first.n, -1);
    assert_eq!(first.big.to_string(), "1267650600228229401496703205376");
    assert_eq!(first.s, BTreeSet::from([1, 2]));
    assert_eq!(first.m, BTreeMap::from([("a".to_string(), 1)]));
    assert_eq!(first.t, (1, "x".to_string(), true));
    assert_eq!((first.r.name.as_str(), first.r.tags.len()), ("r", 1));
    assert_eq!(first.v, Shape::Empty);
    assert!(first.l.is_empty());

    // Every later state agrees with the picks recorded for the step that led to it.
    let mut big: num_bigint::BigInt = "1267650600228229401496703205376".parse().expect("a number");
    for (i, s) in read.states.iter().enumerate().skip(1) {
        let s = &s.value;
        let previous = &read.states[i - 1].value;
        let k = s.picks.k.unwrap_or_else(|| panic!("state {i} has no pick k"));
        let QuintOption::Some(who) = &s.picks.who else { panic!("state {i} has no pick who") };
        assert_eq!(s.action, "step");
        assert_eq!(s.n, previous.n + k);
        big = big * 2 + k;
        assert_eq!(s.big.to_string(), big.to_string(), "state {i}");
        assert!(s.s.contains(&k));
        assert_eq!(s.m.get(who), Some(&k));
        assert_eq!((s.t.0, &s.t.1, s.t.2), (k, who, !previous.t.2));
        assert!(s.r.tags.contains(who));
        let expected = if k == 1 { Shape::Circle(previous.n) } else { Shape::Square(Square { side: k, label: who.clone() }) };
        assert_eq!(s.v, expected, "state {i}");
        assert_eq!(s.l.last(), Some(&k));
        assert_eq!(s.l.len(), i);
    }
}
