//! What the grammar's actions build: small constructors that keep `grammar.lalrpop`
//! readable, and the parser state they report problems into (recovered syntax errors and
//! diagnostics for forms that parse but are malformed, like `(1 + 2) => x`).

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::lexer::Token;
use crate::span::{FileId, Span};
use lalrpop_util::ErrorRecovery;
use num_bigint::BigInt;
use num_traits::Num;

/// Mutable state threaded through the parser.
#[derive(Default)]
pub struct State<'s> {
    pub errors: Vec<ErrorRecovery<usize, Token<'s>, std::convert::Infallible>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What one parse produced, depending on the start token.
#[derive(Debug)]
pub enum Parsed {
    File(SourceFile),
    Expr(Expr),
    Decls(Vec<Decl>),
}

/// A definition header: qualifier, name, parameters, declared type.
pub type DefHead = (Qualifier, Ident, Option<Vec<Param>>, Option<Type>);

pub fn span(file: FileId, l: usize, r: usize) -> Span {
    Span::new(file, l, r)
}

pub fn ident(name: &str, file: FileId, l: usize, r: usize) -> Ident {
    Ident { name: name.to_string(), span: span(file, l, r) }
}

/// The text of a string literal without its quotes (the language has no escapes).
pub fn unquote(literal: &str) -> String {
    literal.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(literal).to_string()
}

pub fn make_def(head: DefHead, body: Option<Expr>, span: Span) -> Def {
    let (qualifier, name, params, ret) = head;
    Def { qualifier, name, params, ret, body, span }
}

/// `val (a, (b, _)) = e` or `val { f, g } = e` at the top of a module: a definition of
/// the value, named by the pattern as written (a name no one can write or shadow), and a
/// definition of each bound name that takes its part (`a = P._1`, `b = P._2._1`,
/// `f = P.f`). The spans do not overlap and come in the order of the text (each name, then
/// the value), as the spans of separate declarations do.
pub fn destructure(state: &mut State, qualifier: Qualifier, pattern: Pattern, value: Expr) -> Vec<Decl> {
    // Each bound name's part is a chain as long as its depth: a pattern past the nesting
    // limit is refused before it is taken apart.
    let max = crate::limits::Limits::current().nesting as usize;
    if crate::parse::pattern_depth(&pattern) > max {
        state.diagnostics.push(crate::parse::too_deep_pattern(pattern.span(), max));
        return Vec::new();
    }
    let whole = Ident { name: pattern_text(&pattern), span: Span { end: value.span.start, ..value.span } };
    let mut parts: Vec<(Ident, Vec<String>)> = Vec::new();
    bound_parts(&pattern, &mut Vec::new(), &mut parts);
    let mut decls: Vec<Decl> = parts
        .into_iter()
        .map(|(name, path)| {
            let at = name.span;
            let body = path.into_iter().fold(Expr { kind: ExprKind::Name(whole.name.clone()), span: at }, |receiver, field| Expr {
                kind: ExprKind::Field { receiver: Box::new(receiver), field: Ident { name: field, span: at } },
                span: at,
            });
            let def = Def { qualifier, name, params: None, ret: None, body: Some(body), span: at };
            Decl { kind: DeclKind::Def(def), doc: None, span: at }
        })
        .collect();
    let value_span = value.span;
    let def = Def { qualifier, name: whole, params: None, ret: None, body: Some(value), span: value_span };
    decls.push(Decl { kind: DeclKind::Def(def), doc: None, span: value_span });
    decls
}

/// A pattern as it is written: `(a, (b, _))`, `{ f, g }`.
fn pattern_text(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Name(name) => name.name.clone(),
        Pattern::Hole(_) => "_".into(),
        Pattern::Tuple(items, _) => format!("({})", items.iter().map(pattern_text).collect::<Vec<_>>().join(", ")),
        Pattern::Record(fields, _) => format!("{{ {} }}", fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")),
    }
}

/// The names a pattern binds, each with the path of fields (`_1`, `f`) that reaches it.
fn bound_parts(pattern: &Pattern, path: &mut Vec<String>, out: &mut Vec<(Ident, Vec<String>)>) {
    match pattern {
        Pattern::Name(name) => out.push((name.clone(), path.clone())),
        Pattern::Hole(_) => {}
        Pattern::Tuple(items, _) => {
            for (i, item) in items.iter().enumerate() {
                path.push(format!("_{}", i + 1));
                bound_parts(item, path, out);
                path.pop();
            }
        }
        Pattern::Record(fields, _) => {
            for field in fields {
                out.push((field.clone(), path.iter().cloned().chain([field.name.clone()]).collect()));
            }
        }
    }
}

pub fn binary(op: BinOp, lhs: Expr, rhs: Expr, op_span: Span, span: Span) -> Expr {
    Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

/// `-e`; a negated literal becomes a negative literal.
pub fn negate(e: Expr, span: Span) -> Expr {
    let inner_span = e.span;
    match e.into_kind() {
        ExprKind::Int(n) => Expr { kind: ExprKind::Int(-n), span },
        kind => Expr { kind: ExprKind::Neg(Box::new(Expr { kind, span: inner_span })), span },
    }
}

pub fn int_literal(state: &mut State, text: &str, span: Span) -> Expr {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    let parsed = match digits.strip_prefix("0x") {
        Some(hex) => BigInt::from_str_radix(hex, 16),
        None => BigInt::from_str_radix(&digits, 10),
    };
    match parsed {
        Ok(n) => Expr { kind: ExprKind::Int(n), span },
        Err(_) => {
            state.diagnostics.push(Diagnostic::error(Code::InvalidToken, span, format!("`{text}` is not a valid integer")));
            Expr::error(span)
        }
    }
}

/// `x' = e`: the left side must be a primed name.
pub fn assign(state: &mut State, lhs: Expr, value: Expr, span: Span) -> Expr {
    if let ExprKind::Prime(inner) = &lhs.kind {
        if let ExprKind::Name(name) = &inner.kind {
            let var = Ident { name: name.clone(), span: inner.span };
            return Expr { kind: ExprKind::Assign { var, value: Box::new(value) }, span };
        }
    }
    state.diagnostics.push(
        Diagnostic::error(Code::AssignNotEq, lhs.span.to(value.span), "`=` assigns the next value of a state variable, as in `x' = e`")
            .with_label("this is not a primed variable")
            .with_help("to compare two values, write `==`"),
    );
    Expr::error(span)
}

/// `params => body`: the parameters were parsed as an expression; take them apart.
pub fn lambda(state: &mut State, params: Expr, body: Expr, span: Span) -> Expr {
    let params_span = params.span;
    // Taking the parameters apart recurses: parameters nested past the limit are refused
    // before (the expression itself is dropped without recursion).
    let max = crate::limits::Limits::current().nesting as usize;
    if tuple_depth(&params) > max {
        state.diagnostics.push(crate::parse::too_deep_pattern(params_span, max));
        return Expr::error(span);
    }
    let params = match params.kind {
        ExprKind::Tuple(_) | ExprKind::Paren(_) => match params.into_kind() {
            ExprKind::Tuple(items) => items.into_iter().map(|item| lambda_param(item, false)).collect(),
            ExprKind::Paren(inner) => vec![lambda_param(*inner, true)],
            _ => Vec::new(),
        },
        _ => vec![lambda_param(params, false)],
    };
    match params.into_iter().collect::<Option<Vec<Param>>>() {
        Some(params) => Expr { kind: ExprKind::Lambda { params, body: Box::new(body) }, span },
        None => {
            state.diagnostics.push(
                Diagnostic::error(Code::InvalidLambdaParams, params_span, "the parameters of an anonymous operator must be names")
                    .with_label("expected `x`, `_`, `(x, y)` or `((a, b))` before `=>`"),
            );
            Expr::error(span)
        }
    }
}

/// One lambda parameter; `tuple_allowed` when it was written in its own parentheses,
/// where `((a, b)) => e` takes a pair apart.
fn lambda_param(e: Expr, tuple_allowed: bool) -> Option<Param> {
    let span = e.span;
    let pattern = expr_pattern(e, tuple_allowed)?;
    Some(Param { pattern, ty: None, span })
}

/// How deep tuples and parentheses nest in `e`, measured without recursion.
fn tuple_depth(e: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match &e.kind {
            ExprKind::Tuple(items) => stack.extend(items.iter().map(|c| (c, depth + 1))),
            ExprKind::Paren(inner) => stack.push((inner, depth + 1)),
            _ => {}
        }
    }
    deepest
}

fn expr_pattern(e: Expr, tuple_allowed: bool) -> Option<Pattern> {
    let span = e.span;
    match e.into_kind() {
        ExprKind::Name(name) if !name.contains("::") => Some(Pattern::Name(Ident { name, span })),
        ExprKind::Hole => Some(Pattern::Hole(span)),
        ExprKind::Paren(inner) => expr_pattern(*inner, tuple_allowed),
        ExprKind::Tuple(items) if tuple_allowed => {
            let items = items.into_iter().map(|item| expr_pattern(item, true)).collect::<Option<Vec<_>>>()?;
            Some(Pattern::Tuple(items, span))
        }
        _ => None,
    }
}

pub fn strip_type_paren(t: Type) -> Type {
    match t.kind {
        TypeKind::Paren(inner) => strip_type_paren(*inner),
        _ => t,
    }
}

/// The parameter types of `a => b`: `(x, y) => b` has two, `(x) => b` and `x => b` one.
pub fn oper_params(t: Type) -> Vec<Type> {
    match t.kind {
        TypeKind::Tuple(items) => items,
        TypeKind::Paren(inner) => vec![strip_type_paren(*inner)],
        _ => vec![t],
    }
}

/// `p leadsTo q`: the temporal operator, applied as the builtin `leadsTo(p, q)`.
pub fn leads_to(lhs: Expr, rhs: Expr, op_span: Span, span: Span) -> Expr {
    let callee = Ident { name: "leadsTo".to_string(), span: op_span };
    Expr { kind: ExprKind::App { callee, args: vec![lhs, rhs] }, span }
}
