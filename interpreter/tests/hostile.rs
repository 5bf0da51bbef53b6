//! Hostile input (issue 13): each observed case, through the public API, with the right
//! answer or a clear error — never a panic, a stack overflow, an abort or a hang. The tests
//! run on the default test thread (2 MiB of stack) in debug builds on purpose.

use spec_interpreter::{RandomChooser, Spec};

/// Evaluates `expr` as `spec eval` does (a `temporal __input = expr` definition).
fn eval(expr: &str) -> Result<String, String> {
    let spec = Spec::with_extras("<test>", None, None, &[("temporal", "__input", expr)]).map_err(|e| format!("static: {}", e.sources.render(&e.diagnostics)))?;
    let def = spec.lookup("__input").ok_or("lost")?;
    let mut chooser = RandomChooser::new(1);
    spec.eval_def(&spec.state0(), def, &mut chooser).map(|v| v.to_string()).map_err(|e| format!("runtime: {}", e.message))
}

/// Loads a module and evaluates its definition `x`.
fn eval_module(text: &str) -> Result<String, String> {
    let spec = Spec::from_text("hostile.qnt", text, None).map_err(|e| format!("static: {}", e.diagnostics.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; ")))?;
    let def = spec.lookup("x").ok_or("lost")?;
    let mut chooser = RandomChooser::new(1);
    spec.eval_def(&spec.state0(), def, &mut chooser).map(|v| v.to_string()).map_err(|e| format!("runtime: {}", e.message))
}

#[test]
fn ranges_beyond_64_bits_are_ordinary_sets() {
    assert_eq!(eval("(2^63).to(2^63+1) == Set(2^63, 2^63+1)"), Ok("true".into()));
    assert_eq!(eval("(2^63-1).to(2^63+1)"), Ok("Set(9223372036854775807, 9223372036854775808, 9223372036854775809)".into()));
    assert_eq!(eval("(2^63-1).to(2^63+1).fold(0, (acc, i) => acc + i - 2^63)"), Ok("0".into()));
    assert_eq!(eval("(-(2^64)).to(-(2^64) + 1)"), Ok("Set(-18446744073709551616, -18446744073709551615)".into()));
    assert_eq!(eval("(2^64).to(2^64 - 1)"), Ok("Set()".into()));
    assert_eq!(eval("(2^63).to(2^63+1).map(i => i - 2^63)"), Ok("Set(0, 1)".into()));
}

#[test]
fn a_pick_from_an_empty_set_has_no_value_outside_an_action() {
    let got = eval("{ nondet x = Set().oneOf(); x }");
    assert!(matches!(&got, Err(e) if e.starts_with("runtime") && e.contains("empty set")), "{got:?}");
    let got = eval("{ nondet x = Set().oneOf(); x + 1 }");
    assert!(matches!(&got, Err(e) if e.contains("empty set")), "{got:?}");
    // An action over an empty set is disabled: `false`, as in Quint.
    assert_eq!(eval("{ nondet x = Set().oneOf(); x > 0 }"), Ok("false".into()));
    assert_eq!(eval("{ nondet x = 1.to(3).oneOf(); x > 0 }"), Ok("true".into()));
}

#[test]
fn huge_integers_hit_the_int_bits_limit_instead_of_memory() {
    let got = eval("1.to(40).fold(2, (acc, i) => acc * acc)");
    assert!(matches!(&got, Err(e) if e.starts_with("runtime") && e.contains("int-bits") && e.contains("product")), "{got:?}");
    let got = eval("2 ^ 70000000");
    assert!(matches!(&got, Err(e) if e.contains("too large") || e.contains("int-bits")), "{got:?}");
    // Under the limit, exact.
    assert_eq!(eval("1.to(6).fold(2, (acc, i) => acc * acc) == 2 ^ 64"), Ok("true".into()));
}

#[test]
fn flat_chains_are_not_nesting() {
    let sum = vec!["1"; 1001].join(" + ");
    assert_eq!(eval(&sum), Ok("1001".into()));
    let maps = format!("Set(0){}", ".map(x => x + 1)".repeat(999));
    assert_eq!(eval(&maps), Ok("Set(999)".into()));
    let ands = vec!["true"; 3000].join(" and ");
    assert_eq!(eval(&ands), Ok("true".into()));
    let lets = format!("{{ {} x0 }}", (0..2000).map(|i| format!("val x{} = {};", if i == 0 { 0 } else { i }, i)).collect::<String>());
    assert!(eval(&lets).is_ok(), "{:?}", eval(&lets));
    let ifs = format!("{} 0", (0..2000).map(|i| format!("if (1 == {i}) {i} else")).collect::<Vec<_>>().join(" "));
    assert_eq!(eval(&ifs), Ok("1".into()));
}

#[test]
fn long_flat_chains_evaluate_without_overflowing_the_stack() {
    let sum = vec!["1"; 50_000].join(" + ");
    assert_eq!(eval(&sum), Ok("50000".into()));
    let module = format!("module m {{ pure val x = {} }}", vec!["2"; 20_000].join(" * 1 + "));
    assert_eq!(eval_module(&module), Ok("40000".into()));
}

#[test]
fn real_nesting_is_still_limited_with_a_clear_error() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let got = eval(&deep);
    assert!(matches!(&got, Err(e) if e.starts_with("static") && e.contains("nests more than")), "{got:?}");
}

#[test]
fn deep_type_annotations_are_refused_not_overflowed() {
    for n in [10_000, 20_000] {
        let text = format!("module m {{ val x: {}int{} = Set() }}", "Set[".repeat(n), "]".repeat(n));
        let got = eval_module(&text);
        assert!(matches!(&got, Err(e) if e.starts_with("static") && e.contains("type nests more than")), "{n}: {got:?}");
        let text = format!("module m {{ val x: {}int = Map() }}", "int -> ".repeat(n));
        let got = eval_module(&text);
        assert!(matches!(&got, Err(e) if e.contains("type nests more than")), "{n}: {got:?}");
    }
    // Inside an expression (a local operator's parameter).
    let text = format!("module m {{ val x = {{ pure def f(a: {}int{}): int = 1; 2 }} }}", "Set[".repeat(5000), "]".repeat(5000));
    let got = eval_module(&text);
    assert!(matches!(&got, Err(e) if e.contains("type annotation in this expression nests more than")), "{got:?}");
    // Below the limit, fine.
    let text = format!("module m {{ val x: {}int{} = Set() }}", "Set[".repeat(500), "]".repeat(500));
    assert_eq!(eval_module(&text), Ok("Set()".into()));
}
