//! A small fuzzer: generated programs go through parse → typecheck → evaluate, and every
//! stage must answer (a value, a diagnostic or a runtime error) without panicking,
//! overflowing the stack or hanging. Programs mix well-typed and ill-typed pieces, huge
//! numbers, empty and symbolic sets, chains and nesting. Kept small to run in seconds in
//! CI; a crash it finds goes into `REGRESSIONS` (proptest also records its seed in
//! `fuzz.proptest-regressions`).

use proptest::prelude::*;
use spec_interpreter::{RandomChooser, Spec};

/// Runs one expression as `spec eval` does; any outcome but a panic is fine.
fn run(expr: &str) {
    let Ok(spec) = Spec::with_extras("<fuzz>", None, None, &[("temporal", "__input", expr)]) else { return };
    let Some(def) = spec.lookup("__input") else { return };
    let mut chooser = RandomChooser::new(7);
    let _ = spec.eval_def(&spec.state0(), def, &mut chooser).map(|v| v.to_string());
}

/// Inputs that once crashed or misbehaved; each must keep running to an answer.
const REGRESSIONS: &[&str] = &[
    "(2^63).to(2^63+1) == Set(2^63, 2^63+1)",
    "(2^63-1).to(2^63+1)",
    "{ nondet x = Set().oneOf(); x }",
    "1.to(40).fold(2, (acc, i) => acc * acc)",
    "(-(2^63)).to(-(2^63) + 2).powerset()",
    "2 ^ (2 ^ 40)",
    "Set().oneOf()",
];

#[test]
fn regressions_run_to_an_answer() {
    for expr in REGRESSIONS {
        run(expr);
    }
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (-3i64..4).prop_map(|n| n.to_string()),
        Just("9223372036854775807".to_string()),
        Just("(2^64)".to_string()),
        Just("true".to_string()),
        Just("Set()".to_string()),
        Just("Int".to_string()),
        Just("Nat".to_string()),
        Just("[]".to_string()),
        Just("\"s\"".to_string()),
        Just("x".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 40, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone(), prop::sample::select(vec!["+", "-", "*", "/", "%", "^", "==", "<", "and", "or", "implies"]))
                .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.to({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("Set({a}, {b})")),
            inner.clone().prop_map(|a| format!("{a}.powerset()")),
            inner.clone().prop_map(|a| format!("{a}.size()")),
            inner.clone().prop_map(|a| format!("{a}.map(x => x * x)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.fold({b}, (acc, x) => acc * acc + x)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ nondet x = {a}.oneOf(); {b} }}")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!("if ({a}) {b} else {c}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ val x = {a}; {b} }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("Map({a} -> {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, {b}]")),
            (inner.clone(), 0usize..300).prop_map(|(a, n)| format!("{a}{}", " + 1".repeat(n))),
            (inner.clone(), 0usize..50).prop_map(|(a, n)| format!("{a}{}", ".map(y => y)".repeat(n))),
            (inner, 0usize..40).prop_map(|(a, n)| format!("{}{a}{}", "(".repeat(n), ")".repeat(n))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_programs_never_crash(e in expr()) {
        run(&e);
    }
}
