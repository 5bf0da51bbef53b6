//! Every builtin operator, through the public API: a table of expressions with the value
//! they must print (canonical form) or the runtime error they must raise.

use spec_interpreter::{RandomChooser, Spec};

/// Evaluates `expr` in a module with a few helper definitions.
fn eval(expr: &str) -> Result<String, String> {
    let spec = Spec::with_extras("<test>", None, None, &[("temporal", "__input", expr)]).map_err(|e| format!("static: {}", e.sources.render(&e.diagnostics)))?;
    let def = spec.lookup("__input").ok_or("lost")?;
    let mut chooser = RandomChooser::new(1);
    spec.eval_def(&spec.state0(), def, &mut chooser).map(|v| v.to_string()).map_err(|e| format!("runtime: {}", e.message))
}

const VALUES: &[(&str, &str)] = &[
    // Booleans
    ("not(false)", "true"),
    ("true and false", "false"),
    ("false or true", "true"),
    ("false implies (1 / 0 == 1)", "true"),
    ("true iff false", "false"),
    ("and { true, true, false }", "false"),
    ("or { false, false, true }", "true"),
    ("false and (1 / 0 == 1)", "false"),
    ("ite(1 < 2, \"a\", \"b\")", "\"a\""),
    // integers, exact beyond 64 bits
    ("2 ^ 64", "18446744073709551616"),
    ("2 ^ 64 + 2 ^ 64", "36893488147419103232"),
    ("(2 ^ 64) * (2 ^ 64)", "340282366920938463463374607431768211456"),
    ("2 ^ 64 - 2 ^ 64", "0"),
    ("-(2 ^ 64)", "-18446744073709551616"),
    ("(2 ^ 65) / (2 ^ 64)", "2"),
    ("(2 ^ 65 + 1) % (2 ^ 64)", "1"),
    ("2 ^ 64 > 2 ^ 63", "true"),
    ("2 ^ 64 == 18446744073709551616", "true"),
    // powers with huge exponents and small results, as Quint computes them
    ("1 ^ (2 ^ 30)", "1"),
    ("(-1) ^ (2 ^ 30)", "1"),
    ("(-1) ^ (2 ^ 30 + 1)", "-1"),
    ("0 ^ (2 ^ 64)", "0"),
    ("2 ^ (2 ^ 20) > 2 ^ 1000000", "true"),
    ("Set(2 ^ 64, 1, 2 ^ 70)", "Set(1, 18446744073709551616, 1180591620717411303424)"),
    ("Map(2 ^ 64 -> \"big\").get(18446744073709551616)", "\"big\""),
    ("(2 ^ 64).to(2 ^ 64 + 2).size()", "3"),
    ("1.to(2 ^ 64).size()", "18446744073709551616"),
    ("1.to(2 ^ 64).contains(2 ^ 63)", "true"),
    ("Set(1, 2, 3).powerset().size()", "8"),
    ("1.to(100).powerset().size()", "1267650600228229401496703205376"),
    ("1.to(100).powerset().contains(Set(1, 99))", "true"),
    ("iuminus(-5)", "5"),
    ("-7 / 2", "-3"),
    ("-7 % 3", "-1"),
    ("9223372036854775807 * 2", "18446744073709551614"),
    ("-9223372036854775808 / -1", "9223372036854775808"),
    // sets
    ("Set(3, 1).union(Set(2))", "Set(1, 2, 3)"),
    ("Set(1, 2, 3).intersect(Set(2, 3, 4))", "Set(2, 3)"),
    ("Set(1, 2, 3).exclude(Set(2))", "Set(1, 3)"),
    ("Set(1, 2).subseteq(1.to(5))", "true"),
    // infinite sets against each other and intervals, as Quint answers them
    ("Nat.subseteq(Int)", "true"),
    ("Int.subseteq(Nat)", "false"),
    ("Nat.subseteq(Nat)", "true"),
    ("(-1).to(3).subseteq(Nat)", "false"),
    ("0.to(3).subseteq(Nat)", "true"),
    ("1.to(3).subseteq(Int)", "true"),
    ("Nat.subseteq(1.to(3))", "false"),
    ("Set(Set(1), Set(2, 3)).flatten()", "Set(1, 2, 3)"),
    ("Set(3, 1, 2).chooseSome()", "1"),
    ("Set(7).getOnlyElement()", "7"),
    ("Nat.isFinite()", "false"),
    ("Int.isFinite()", "false"),
    ("1.to(3).isFinite()", "true"),
    ("Set(1, 2).allLists().contains([1, 1, 2, 2])", "true"),
    ("Set(1, 2).allLists().isFinite()", "false"),
    ("Set(1, 2).allListsUpTo(2).size()", "7"),
    ("tuples(Set(1), Set(2), Set(3))", "Set((1, 2, 3))"),
    ("Set(1, 2).setOfMaps(Set(true)).size()", "1"),
    ("Set(1, 2, 3).exists(x => x > 2)", "true"),
    ("Set(1, 2).mapBy(x => x * x)", "Map(1 -> 1, 2 -> 4)"),
    ("Bool", "Set(false, true)"),
    ("Nat.contains(2 ^ 100)", "true"),
    // maps
    ("Map(1 -> 2).put(3, 4).keys()", "Set(1, 3)"),
    ("Map(\"a\" -> 1).setBy(\"a\", v => v * 10)", "Map(\"a\" -> 10)"),
    ("Set((1, 2), (3, 4)).setToMap().get(3)", "4"),
    // lists
    ("[1, 2].append(3)", "[1, 2, 3]"),
    ("[1, 2, 3].tail()", "[2, 3]"),
    ("[1, 2, 3].slice(1, 3)", "[2, 3]"),
    ("[1, 2, 3].replaceAt(0, 9)", "[9, 2, 3]"),
    ("range(0, 4).select(i => i % 2 == 0)", "[0, 2]"),
    ("[1, 2, 3].foldl(0, (a, x) => a * 10 + x)", "123"),
    ("[[1, 2], []].length()", "2"),
    // records, tuples, variants
    ("{ a: 1, b: 2 }.fieldNames()", "Set(\"a\", \"b\")"),
    ("{ a: { b: 1 } }.a.b", "1"),
    ("{ ...{ a: 1, b: 2 }, b: 3 }", "{ a: 1, b: 3 }"),
    ("(1, \"x\", true)._2", "\"x\""),
    ("item((1, 2), 2)", "2"),
    ("field({ f: 3 }, \"f\")", "3"),
    ("{ val (a, b) = (1, 2) a + b }", "3"),
    ("{ val { x, y } = { x: 1, y: 2 } x * y }", "2"),
    ("Set(1, 2).map(((a)) => a)", "Set(1, 2)"),
    // strings and debug
    ("\"a\" != \"b\"", "true"),
    ("q::debug(\"value\", 5) + 1", "6"),
    ("assert(true)", "true"),
    // local operators and higher order
    ("{ def twice(f, x) = f(f(x)) twice(y => y + 3, 1) }", "7"),
    ("{ pure def sq(x) = x * x Set(1, 2, 3).map(sq) }", "Set(1, 4, 9)"),
    ("1.to(4).fold(0, (s, x) => s + x)", "10"),
    ("1.to(100000).fold(0, (s, x) => s + x)", "5000050000"),
];

const ERRORS: &[(&str, &str)] = &[
    ("1 / 0", "division by zero"),
    ("1 % 0", "division by zero"),
    ("0 ^ 0", "0 ^ 0"),
    ("2 ^ -1", "negative exponent"),
    ("Map(1 -> 2).get(5)", "not in the map"),
    ("Map(1 -> 2).set(5, 1)", "use `put`"),
    ("[].head()", "empty list"),
    ("List().tail()", "empty list"),
    ("[1][3]", "out of bounds"),
    ("[1, 2].slice(2, 1)", "out of bounds"),
    ("Set().chooseSome()", "empty set"),
    ("Set(1, 2).getOnlyElement()", "exactly one element"),
    ("Int.size()", "infinite"),
    ("Nat.map(x => x)", "infinite"),
    ("1.to(100).powerset().map(s => s)", "more than"),
    ("assert(1 > 2)", "assertion failed"),
    ("2 ^ 100000000", "int-bits"),
    ("Set(1, 2).powerset().powerset().powerset().powerset().powerset().size()", "too large for its size"),
    ("Set(1, 2).allLists().size()", "infinite"),
];

#[test]
fn builtins_compute_their_values() {
    let mut failures = Vec::new();
    for (expr, expected) in VALUES {
        match eval(expr) {
            Ok(got) if got == *expected => {}
            other => failures.push(format!("{expr}: want {expected}, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builtins_report_runtime_errors() {
    let mut failures = Vec::new();
    for (expr, fragment) in ERRORS {
        match eval(expr) {
            Err(e) if e.starts_with("runtime") && e.contains(fragment) => {}
            other => failures.push(format!("{expr}: want a runtime error with `{fragment}`, got {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn static_errors_are_not_evaluated() {
    // A spread updates fields; it cannot add one (as `with`).
    for expr in ["Some(3)", "\"a\".length()", "Map(1 -> 2).toSet()", "1 + true", "{ ...{ a: 1 }, b: 2 }"] {
        assert!(matches!(eval(expr), Err(e) if e.starts_with("static")), "{expr}");
    }
}
