//! Syntax that Quint accepts and real specs use, each case with the tree it must give.
//! The tree is printed as an S-expression (`(and a b)`, `(let x (f 1) (tuple x y))`) so that
//! a case says both "this parses" and "this is how it groups". Each row is a fresh example
//! of a form that real specs were seen to use.

use spec_syntax::ast::*;
use spec_syntax::{parse_expr, FileId};

fn sexpr(e: &Expr) -> String {
    let list = |head: &str, items: Vec<String>| format!("({head} {})", items.join(" "));
    let all = |es: &[Expr]| es.iter().map(sexpr).collect::<Vec<_>>();
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::App { callee, args } => list(&callee.name, all(args)),
        ExprKind::MethodCall { receiver, method, args } => {
            let mut items = vec![sexpr(receiver)];
            items.extend(all(args));
            list(&format!(".{}", method.name), items)
        }
        ExprKind::Field { receiver, field } => format!("{}.{}", sexpr(receiver), field.name),
        ExprKind::Index { list: l, index } => list("index", vec![sexpr(l), sexpr(index)]),
        ExprKind::Binary { op, lhs, rhs, .. } => list(&format!("{op:?}").to_lowercase(), vec![sexpr(lhs), sexpr(rhs)]),
        ExprKind::Neg(inner) => list("neg", vec![sexpr(inner)]),
        ExprKind::Prime(inner) => format!("{}'", sexpr(inner)),
        ExprKind::Assign { var, value } => list("assign", vec![var.name.clone(), sexpr(value)]),
        ExprKind::Lambda { body, params } => list("lambda", vec![params.len().to_string(), sexpr(body)]),
        ExprKind::Tuple(items) => list("tuple", all(items)),
        ExprKind::List(items) => list("list", all(items)),
        ExprKind::If { cond, then, otherwise } => list("if", vec![sexpr(cond), sexpr(then), sexpr(otherwise)]),
        ExprKind::Block { op, args } => list(&format!("{op:?}-block").to_lowercase(), all(args)),
        ExprKind::Let { binding, body } => match binding.as_ref() {
            LetBinding::Def(def) => list("let", vec![def.name.name.clone(), def.body.as_ref().map(sexpr).unwrap_or_default(), sexpr(body)]),
            LetBinding::Destructure { value, .. } => list("let-destructure", vec![sexpr(value), sexpr(body)]),
        },
        ExprKind::Paren(inner) | ExprKind::Braces(inner) => sexpr(inner),
        other => format!("<{other:?}>"),
    }
}

fn parses_as(text: &str, expected: &str) {
    let (expr, diagnostics) = parse_expr(text, FileId(0));
    assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
    let expr = expr.unwrap_or_else(|| panic!("{text}: no tree"));
    assert_eq!(sexpr(&expr), expected, "{text}");
}

#[test]
fn a_local_definition_body_may_start_with_a_tuple_or_parenthesis() {
    parses_as("{ val r = m.get(1)\n (r, 2) }", "(let r (.get m 1) (tuple r 2))");
    parses_as("{ val n = a + if (c) 1 else 0\n (n, not(c)) }", "(let n (add a (if c 1 0)) (tuple n (not c)))");
    parses_as("{ val s = x.f(1)\n (s + 1) % 3 == r }", "(let s (.f x 1) (eq (mod (add s 1) 3) r))");
    parses_as("{ val s = 1\n (a) => a + s }", "(let s 1 (lambda 1 (add a s)))");
}

#[test]
fn a_parenthesis_right_after_a_name_is_a_call_as_in_quint() {
    // Quint's `normalCallName '('` is a call wherever the `(` stands, even on the next line.
    parses_as("{ val a = f\n (x)\n a }", "(let a (f x) a)");
    parses_as("{ val a = s.f\n (x)\n a }", "(let a (.f s x) a)");
    // `[` and `-` still continue the value, as Quint's greedy parser does.
    parses_as("{ val a = l\n [0]\n a }", "(let a (index l 0) a)");
    parses_as("{ val a = 1\n -1\n a }", "(let a (sub 1 1) a)");
}

#[test]
fn a_local_definition_body_may_start_with_a_block() {
    parses_as("{ val j = p._2\n and { a, b } }", "(let j p._2 (and-block a b))");
    parses_as("{ val j = 1\n or { a, b } }", "(let j 1 (or-block a b))");
}

#[test]
fn block_items_may_hold_and_chains_and_comments() {
    parses_as(
        "and {\n  a == 1 and b == 2, // first\n  or {\n    // why\n    c,\n    d,\n  },\n}",
        "(and-block (and (eq a 1) (eq b 2)) (or-block c d))",
    );
    parses_as("p implies and { a, b }", "(implies p (and-block a b))");
    parses_as("p or and { a, b }", "(or p (and-block a b))");
    parses_as("if (c) and { a, b } else false", "(if c (and-block a b) false)");
}

#[test]
fn an_infix_and_or_may_take_a_braced_operand() {
    // Seen in real specs: Quint parses these as infix operators with a block operand.
    parses_as("false or { 2 > 1 }", "(or false (gt 2 1))");
    parses_as("true and { val y = 1\n y > 0 }", "(and true (let y 1 (gt y 0)))");
    parses_as("f(x) and { g(x) }", "(and (f x) (g x))");
    // With commas the braces are a block of conjuncts, wherever they stand.
    parses_as("{ val j = p._2\n and { a, b } }", "(let j p._2 (and-block a b))");
    parses_as("{ val j = 1\n or { a, f(b, c) } }", "(let j 1 (or-block a (f b c)))");
}

#[test]
fn infix_keywords_may_be_called_as_operators() {
    parses_as("and(x, y, z)", "(and x y z)");
    parses_as("or(x, y)", "(or x y)");
    parses_as("implies(p, q)", "(implies p q)");
    parses_as("x.and(y)", "(.and x y)");
    parses_as("a and (b or c)", "(and a (or b c))");
    parses_as("not(x) and not(y)", "(and (not x) (not y))");
}

#[test]
fn leads_to_is_an_infix_operator_between_implies_and_iff() {
    parses_as("not(done) leadsTo done", "(leadsTo (not done) done)");
    parses_as("wf implies p leadsTo q", "(implies wf (leadsTo p q))");
    parses_as("p leadsTo q iff r", "(leadsTo p (iff q r))");
    parses_as("leadsTo(p, q)", "(leadsTo p q)");
    // Elsewhere it is an ordinary name.
    parses_as("leadsTo", "leadsTo");
}

#[test]
fn strings_may_span_lines_as_in_quint() {
    parses_as("\"first line\n  second line\"", "\"first line\\n  second line\"");
}

#[test]
fn module_level_names_may_contain_double_colons() {
    let text = "module m {\n  var TM::state: int\n  pure def Keeper::balance(x: int): int = x\n  val v = Keeper::balance(1)\n}";
    let (file, diagnostics) = spec_syntax::parse(text, FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let names: Vec<String> = file.modules[0]
        .decls
        .iter()
        .filter_map(|d| match &d.kind {
            DeclKind::Var { name, .. } => Some(name.name.clone()),
            DeclKind::Def(def) => Some(def.name.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, vec!["TM::state", "Keeper::balance", "v"]);
}

#[test]
fn a_line_that_cannot_continue_the_value_starts_the_body() {
    // Quint's adaptive parser gives up the greedy reading when only that lets the text parse.
    parses_as("{ val d = a - b\n -d <= e\n }", "(let d (sub a b) (le (neg d) e))");
    parses_as("{ val n = a + p\n (n, 1)\n }", "(let n (add a p) (tuple n 1))");
    parses_as("{ val n = x\n [n, 1]\n }", "(let n x (list n 1))");
    // Where the greedy reading parses, it stays.
    parses_as("{ val d = a\n - b\n d }", "(let d (sub a b) d)");
}
