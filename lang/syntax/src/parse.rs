//! `parse`: source text to syntax tree and diagnostics. It never fails and never panics:
//! lexical errors are reported and skipped, syntax errors are recovered at declaration and
//! argument boundaries, and expressions and types nested deeper than the `nesting` limit are cut off with a
//! diagnostic (later stages recurse over the tree, and a stack must not overflow).

use crate::actions::{Parsed, State};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::grammar::StartParser;
use crate::lexer::{lex, DocComment, LexError, Token};
use crate::limits::{Limit, Limits};
use crate::span::{FileId, Span};
use lalrpop_util::ParseError;

/// The default deepest nesting accepted (the `nesting` field of [`Limits`], which is what
/// the parser reads). Deeper trees get a diagnostic.
pub const MAX_DEPTH: usize = crate::limits::DEFAULT.nesting as usize;

/// Parses a file of one or more modules.
pub fn parse(text: &str, file: FileId) -> (SourceFile, Vec<Diagnostic>) {
    if let Some(parsed) = by_module::parse(text, file) {
        return parsed;
    }
    let (parsed, diagnostics) = run(text, file, Token::StartFile);
    match parsed {
        Some(Parsed::File(ast)) => (ast, diagnostics),
        _ => (SourceFile::default(), diagnostics),
    }
}

/// Parses a file of one or more modules without consulting or filling the cache of
/// modules parsed before (see [`by_module`]): for callers that keep their own results, such
/// as the analysis database, which parses each module of a file in a query of its own.
pub fn parse_uncached(text: &str, file: FileId) -> (SourceFile, Vec<Diagnostic>) {
    let (parsed, diagnostics) = run(text, file, Token::StartFile);
    match parsed {
        Some(Parsed::File(ast)) => (ast, diagnostics),
        _ => (SourceFile::default(), diagnostics),
    }
}

/// Parses one expression (for `spec eval` and the REPL).
pub fn parse_expr(text: &str, file: FileId) -> (Option<Expr>, Vec<Diagnostic>) {
    let (parsed, diagnostics) = run(text, file, Token::StartExpr);
    match parsed {
        Some(Parsed::Expr(e)) => (Some(e), diagnostics),
        _ => (None, diagnostics),
    }
}

/// Parses module-level declarations without a surrounding module (for the REPL).
pub fn parse_decls(text: &str, file: FileId) -> (Vec<Decl>, Vec<Diagnostic>) {
    let (parsed, diagnostics) = run(text, file, Token::StartDecls);
    match parsed {
        Some(Parsed::Decls(decls)) => (decls, diagnostics),
        _ => (Vec::new(), diagnostics),
    }
}

fn run(text: &str, file: FileId, start: Token<'static>) -> (Option<Parsed>, Vec<Diagnostic>) {
    let text_owned;
    let text = if text.starts_with("#!") {
        // A `#!` first line is blanked out (keeping offsets) so scripts can be run directly.
        let end = text.find('\n').unwrap_or(text.len());
        text_owned = format!("{}{}", " ".repeat(end), &text[end..]);
        text_owned.as_str()
    } else {
        text
    };
    let (mut tokens, docs) = lex(text);
    let mut diagnostics = Vec::new();
    // Lexical errors are reported and dropped, in place (a large file's tokens are not
    // copied again), and the start token goes in front.
    let mut kept = 0;
    for i in 0..tokens.len() {
        let (l, token, r) = tokens[i].clone();
        let span = Span::new(file, l, r);
        let token = match token {
            Token::Error(LexError::UnexpectedChar) => {
                let ch = text[l..r].chars().next().unwrap_or('?');
                diagnostics.push(
                    Diagnostic::error(Code::InvalidToken, span, format!("unexpected character `{}`", ch.escape_debug()))
                        .with_label("no token starts with this character"),
                );
                continue;
            }
            Token::Error(LexError::UnterminatedString) => {
                diagnostics.push(
                    Diagnostic::error(Code::UnterminatedString, span, "this string is never closed")
                        .with_label("the string starts here")
                        .with_help("add a closing `\"` on the same line; strings do not span lines"),
                );
                // Go on as if the string were closed, so the rest of the file is checked.
                Token::Str(&text[l..r])
            }
            Token::Error(LexError::UnterminatedComment) => {
                diagnostics.push(
                    Diagnostic::error(Code::UnterminatedComment, Span::new(file, l, (l + 2).min(r)), "this comment is never closed")
                        .with_label("the comment starts here")
                        .with_help("close it with `*/`"),
                );
                continue;
            }
            token => token,
        };
        tokens[kept] = (l, token, r);
        kept += 1;
    }
    tokens.truncate(kept);
    tokens.insert(0, (0, start, 0));
    let brackets = unclosed_brackets(&tokens);
    let (result, mut state) = repair_line_starts(text, file, tokens);
    let mut syntax_errors: Vec<Diagnostic> =
        state.errors.drain(..).map(|recovery| describe(recovery.error, file, text, &brackets)).collect();
    let parsed = match result {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            syntax_errors.push(describe(error, file, text, &brackets));
            None
        }
    };
    // One mistake can make the parser stumble twice at the same place: keep the first.
    syntax_errors.dedup_by(|b, a| a.span.start == b.span.start);
    diagnostics.extend(syntax_errors);
    diagnostics.append(&mut state.diagnostics);
    let parsed = parsed.map(|parsed| finish(parsed, text, &docs, &mut diagnostics));
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    (parsed, diagnostics)
}

type Tokens<'s> = Vec<(usize, Token<'s>, usize)>;
type Outcome<'s> = (Result<Parsed, Error<'s>>, State<'s>);

fn parse_tokens<'s>(file: FileId, tokens: &[(usize, Token<'s>, usize)]) -> Outcome<'s> {
    let mut state = State::default();
    let result = StartParser::new().parse(file, &mut state, tokens.iter().cloned().map(Ok::<_, std::convert::Infallible>));
    (result, state)
}

/// Where the first syntax error of a parse is (`usize::MAX` when there is none).
fn first_error(outcome: &Outcome) -> usize {
    let recovered = outcome.1.errors.iter().map(|e| error_offset(&e.error));
    let fatal = outcome.0.as_ref().err().map(error_offset);
    recovered.chain(fatal).min().unwrap_or(usize::MAX)
}

fn error_offset(error: &Error) -> usize {
    match error {
        ParseError::UnrecognizedToken { token: (l, _, _), .. } | ParseError::ExtraToken { token: (l, _, _) } => *l,
        ParseError::UnrecognizedEof { location, .. } | ParseError::InvalidToken { location } => *location,
        ParseError::User { error } => match *error {},
    }
}

/// The most re-parses that [`repair_line_starts`] tries on one text, and how far before an
/// error (in lines) it looks: a local definition's value is short.
const MAX_REPAIRS: usize = 6;
const REPAIR_LINES: usize = 40;

/// Quint's parser (ANTLR, adaptive) reads a local definition's value greedily but gives up a
/// `(`, `-` or `[` that continues it when only that lets the rest of the text parse:
/// `val d = a - b` then `-d <= e` on the next line is a definition whose body starts with
/// `-d`. An LR(1) parser has to choose at the token. So when a parse fails, a `(`, `-` or `[`
/// that starts a line before the first error is read as starting an expression (a grouping
/// `(`, a negation, a list) and the text is parsed again; the change is kept when the first
/// error moves later. Text that parses the first time is parsed once.
fn repair_line_starts<'s>(text: &str, file: FileId, mut tokens: Tokens<'s>) -> Outcome<'s> {
    let mut best = parse_tokens(file, &tokens);
    let mut error_at = first_error(&best);
    let mut tried: Vec<bool> = Vec::new();
    for _ in 0..MAX_REPAIRS {
        if error_at == usize::MAX {
            break;
        }
        if tried.is_empty() {
            tried = vec![false; tokens.len()];
        }
        let candidate = (1..tokens.len()).rev().find(|&i| {
            let (l, token, _) = &tokens[i];
            *l < error_at
                && !tried[i]
                && matches!(token, Token::CallLParen | Token::Minus | Token::LBracket)
                && starts_line(text, *l)
                && text[*l..error_at.min(text.len())].lines().count() <= REPAIR_LINES
        });
        let Some(i) = candidate else { break };
        tried[i] = true;
        let original = tokens[i].1.clone();
        tokens[i].1 = match original {
            Token::CallLParen => Token::LParen,
            Token::Minus => Token::PrefixMinus,
            _ => Token::ListLBracket,
        };
        let attempt = parse_tokens(file, &tokens);
        let now = first_error(&attempt);
        if now > error_at {
            error_at = now;
            dispose(std::mem::replace(&mut best, attempt));
        } else {
            tokens[i].1 = original;
            dispose(attempt);
        }
    }
    best
}

/// Drops a parse that is not kept without recursion (trees may be deep).
fn dispose(outcome: Outcome) {
    let Ok(parsed) = outcome.0 else { return };
    let decls = match parsed {
        Parsed::Expr(e) => return dismantle(e),
        Parsed::Decls(decls) => decls,
        Parsed::File(file) => file.modules.into_iter().flat_map(|m| m.decls).collect(),
    };
    for decl in decls {
        match decl.kind {
            DeclKind::Def(def) => def.body.into_iter().for_each(dismantle),
            DeclKind::Assume { expr, .. } => dismantle(expr),
            DeclKind::Import(import) => import.instance.into_iter().flatten().for_each(|(_, e)| dismantle(e)),
            _ => {}
        }
    }
}

/// Whether only white space stands between the start of the line and `offset`.
fn starts_line(text: &str, offset: usize) -> bool {
    text[..offset].chars().rev().take_while(|c| *c != '\n').all(char::is_whitespace)
}

/// Checks nesting depth and attaches doc comments.
fn finish(parsed: Parsed, text: &str, docs: &[DocComment], diagnostics: &mut Vec<Diagnostic>) -> Parsed {
    match parsed {
        Parsed::File(mut file) => {
            for module in &mut file.modules {
                module.doc = doc_before(text, docs, module.span.start as usize);
                for decl in &mut module.decls {
                    finish_decl(decl, text, docs, diagnostics);
                }
            }
            Parsed::File(file)
        }
        Parsed::Decls(mut decls) => {
            for decl in &mut decls {
                finish_decl(decl, text, docs, diagnostics);
            }
            Parsed::Decls(decls)
        }
        Parsed::Expr(mut e) => {
            limit_depth(&mut e, diagnostics);
            Parsed::Expr(e)
        }
    }
}

fn finish_decl(decl: &mut Decl, text: &str, docs: &[DocComment], diagnostics: &mut Vec<Diagnostic>) {
    decl.doc = doc_before(text, docs, decl.span.start as usize);
    match &mut decl.kind {
        DeclKind::Def(def) => {
            let max = Limits::current().nesting as usize;
            for param in def.params.iter_mut().flatten() {
                if let Some(t) = &mut param.ty {
                    limit_type_depth(t, diagnostics);
                }
                if pattern_depth(&param.pattern) > max {
                    diagnostics.push(too_deep_pattern(param.span, max));
                    param.pattern = Pattern::Hole(param.span);
                }
            }
            if let Some(t) = &mut def.ret {
                limit_type_depth(t, diagnostics);
            }
            if let Some(body) = &mut def.body {
                limit_depth(body, diagnostics);
            }
        }
        DeclKind::Const { ty, .. } | DeclKind::Var { ty, .. } | DeclKind::TypeAlias { ty: Some(ty), .. } => limit_type_depth(ty, diagnostics),
        DeclKind::SumType { variants, .. } => {
            for t in variants.iter_mut().filter_map(|v| v.payload.as_mut()) {
                limit_type_depth(t, diagnostics);
            }
        }
        DeclKind::Assume { expr, .. } => limit_depth(expr, diagnostics),
        DeclKind::Import(import) => {
            for (_, e) in import.instance.iter_mut().flatten() {
                limit_depth(e, diagnostics);
            }
        }
        _ => {}
    }
}

/// The error for a pattern deeper than the `nesting` limit.
pub(crate) fn too_deep_pattern(span: Span, max: usize) -> Diagnostic {
    Diagnostic::error(Code::TooDeep, span, format!("this pattern nests more than {max} levels deep (the `{}` limit)", Limit::Nesting.key()))
        .with_label("too deeply nested")
        .with_help("take the value apart in several steps")
}

/// The `///` comments that end right before `offset` (only blank space and ordinary
/// comments between, as Quint reads them), joined.
fn doc_before(text: &str, docs: &[DocComment], offset: usize) -> Option<String> {
    let mut lines = Vec::new();
    let mut end = offset;
    let before = docs.partition_point(|d| d.start < offset);
    for doc in docs[..before].iter().rev() {
        if !only_space_and_comments(&text[doc.end..end]) {
            break;
        }
        lines.push(doc.text.as_str());
        end = doc.start;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// Whether `gap` holds nothing but white space, `// ...` lines and `/* ... */` comments.
fn only_space_and_comments(gap: &str) -> bool {
    let mut rest = gap.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map(|(_, r)| r).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix("/*") {
            match after.split_once("*/") {
                Some((_, r)) => rest = r,
                None => return false,
            }
        } else {
            return false;
        }
        rest = rest.trim_start();
    }
    true
}

/// Replaces an expression that nests deeper than the `nesting` limit (see [`crate::limits`])
/// by an error node (taking the removed tree apart without recursion) and reports it once.
/// The continuation of a flat chain is not nesting: the left operand of a binary operator,
/// the receiver of a method call, field or index, the body after a local definition and the
/// `else` of an `if` stay at their parent's depth, so `a + b + ... + z`, `s.map(f).map(g)...`
/// and `val a = ..; val b = ..; e` of any length are accepted. Type annotations inside the
/// expression are measured too.
fn limit_depth(root: &mut Expr, diagnostics: &mut Vec<Diagnostic>) {
    let max = Limits::current().nesting as usize;
    let mut stack: Vec<(&Expr, usize)> = vec![(root, 1)];
    let mut too_deep = None;
    while let Some((e, depth)) = stack.pop() {
        if depth > max {
            too_deep = Some("expression");
            break;
        }
        if annotations(e).into_iter().any(|t| type_depth(t) > max) {
            too_deep = Some("type annotation in this expression");
            break;
        }
        if patterns(e).into_iter().any(|p| pattern_depth(p) > max) {
            too_deep = Some("pattern in this expression");
            break;
        }
        let spine = chain_continuation(e).map(|c| c as *const Expr);
        stack.extend(e.children().into_iter().map(|c| (c, if spine == Some(c as *const Expr) { depth } else { depth + 1 })));
    }
    let Some(what) = too_deep else { return };
    let span = root.span;
    let removed = std::mem::replace(root, Expr::error(span));
    dismantle(removed);
    diagnostics.push(
        Diagnostic::error(Code::TooDeep, span, format!("this {what} nests more than {max} levels deep (the `{}` limit)", Limit::Nesting.key()))
            .with_label("too deeply nested")
            .with_help("split it into several definitions"),
    );
}

/// The child of `e` that continues a flat chain rather than nesting (see [`limit_depth`]).
fn chain_continuation(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Binary { lhs, .. } => Some(lhs),
        ExprKind::MethodCall { receiver, .. } | ExprKind::Field { receiver, .. } => Some(receiver),
        ExprKind::Index { list, .. } => Some(list),
        ExprKind::Let { body, .. } => Some(body),
        ExprKind::If { otherwise, .. } => Some(otherwise),
        _ => None,
    }
}

/// The type annotations written directly on `e` (lambda parameters, local definitions).
fn annotations(e: &Expr) -> Vec<&Type> {
    fn params(ps: &[Param]) -> Vec<&Type> {
        ps.iter().filter_map(|p| p.ty.as_ref()).collect()
    }
    match &e.kind {
        ExprKind::Lambda { params: ps, .. } => params(ps),
        ExprKind::Let { binding, .. } => match &**binding {
            LetBinding::Def(def) => {
                let mut out = def.params.as_deref().map(params).unwrap_or_default();
                out.extend(def.ret.as_ref());
                out
            }
            LetBinding::Destructure { .. } => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The patterns an expression binds directly (lambda parameters, a destructuring `val`,
/// a local operator's parameters, match arms): measured like annotations.
fn patterns(e: &Expr) -> Vec<&Pattern> {
    match &e.kind {
        ExprKind::Lambda { params, .. } => params.iter().map(|p| &p.pattern).collect(),
        ExprKind::Let { binding, .. } => match &**binding {
            LetBinding::Def(def) => def.params.iter().flatten().map(|p| &p.pattern).collect(),
            LetBinding::Destructure { pattern, .. } => vec![pattern],
        },
        ExprKind::Match { arms, .. } => arms.iter().filter_map(|a| match &a.pattern {
            MatchPattern::Variant(_, p) => p.as_ref(),
            MatchPattern::Wildcard(_) => None,
        }).collect(),
        _ => Vec::new(),
    }
}

/// How deep a pattern nests, measured without recursion.
pub(crate) fn pattern_depth(p: &Pattern) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(p, 1usize)];
    while let Some((p, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        if let Pattern::Tuple(items, _) = p {
            stack.extend(items.iter().map(|c| (c, depth + 1)));
        }
    }
    deepest
}

/// How deep a type nests, measured without recursion.
fn type_depth(t: &Type) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(t, 1usize)];
    while let Some((t, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        stack.extend(type_children(t).into_iter().map(|c| (c, depth + 1)));
    }
    deepest
}

fn type_children(t: &Type) -> Vec<&Type> {
    match &t.kind {
        TypeKind::Name(_) | TypeKind::Error => Vec::new(),
        TypeKind::App(_, args) | TypeKind::Tuple(args) => args.iter().collect(),
        TypeKind::Fun(a, b) => vec![a, b],
        TypeKind::Oper(args, ret) => args.iter().chain(std::iter::once(&**ret)).collect(),
        TypeKind::Record(fields, _) => fields.iter().map(|(_, t)| t).collect(),
        TypeKind::Paren(t) => vec![t],
    }
}

/// Replaces a type annotation that nests deeper than the `nesting` limit by an error type,
/// with a diagnostic (later stages recurse over types).
fn limit_type_depth(t: &mut Type, diagnostics: &mut Vec<Diagnostic>) {
    let max = Limits::current().nesting as usize;
    if type_depth(t) <= max {
        return;
    }
    let span = t.span;
    let removed = std::mem::replace(t, Type { kind: TypeKind::Error, span });
    let mut pending = vec![removed];
    while let Some(mut t) = pending.pop() {
        match &mut t.kind {
            TypeKind::Name(_) | TypeKind::Error => {}
            TypeKind::App(_, args) | TypeKind::Tuple(args) => pending.append(args),
            TypeKind::Fun(a, b) => pending.extend([take_type(a), take_type(b)]),
            TypeKind::Oper(args, ret) => {
                pending.append(args);
                pending.push(take_type(ret));
            }
            TypeKind::Record(fields, _) => pending.extend(std::mem::take(fields).into_iter().map(|(_, t)| t)),
            TypeKind::Paren(a) => pending.push(take_type(a)),
        }
    }
    diagnostics.push(
        Diagnostic::error(Code::TooDeep, span, format!("this type nests more than {max} levels deep (the `{}` limit)", Limit::Nesting.key()))
            .with_label("too deeply nested")
            .with_help("name parts of it with `type` aliases"),
    );
}

fn take_type(b: &mut Box<Type>) -> Type {
    let span = b.span;
    std::mem::replace(&mut **b, Type { kind: TypeKind::Error, span })
}

/// Drops a tree of any depth without recursion.
fn dismantle(e: Expr) {
    let mut pending = vec![e];
    while let Some(mut e) = pending.pop() {
        pending.extend(e.take_children());
    }
}

/// Opening brackets never closed, innermost last: used to explain an early end of file.
fn unclosed_brackets(tokens: &[(usize, Token, usize)]) -> Vec<(usize, &'static str)> {
    let mut open: Vec<(usize, &'static str)> = Vec::new();
    for (l, token, _) in tokens {
        match token {
            Token::LParen | Token::CallLParen => open.push((*l, "(")),
            Token::AndBlock | Token::OrBlock => open.push((*l, "{")),
            Token::LBrace => open.push((*l, "{")),
            Token::LBracket | Token::ListLBracket => open.push((*l, "[")),
            Token::RParen | Token::RBrace | Token::RBracket => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}

type Error<'s> = ParseError<usize, Token<'s>, std::convert::Infallible>;

fn describe(error: Error, file: FileId, text: &str, unclosed: &[(usize, &'static str)]) -> Diagnostic {
    match error {
        ParseError::UnrecognizedToken { token: (l, token, r), expected } => {
            let found = token.describe();
            let mut wanted = describe_expected(&expected);
            // After `val` a name, or a pattern to destructure, is expected: the same tokens
            // a type starts with, so the set alone cannot tell.
            let before = text.get(..l).unwrap_or_default().trim_end();
            let after_qualifier = ["val", "def", "action", "temporal", "run", "nondet"].iter().any(|q| {
                before.strip_suffix(q).is_some_and(|rest| !rest.ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            });
            if wanted == "a type" && after_qualifier {
                wanted = "a name".to_string();
            }
            let mut d = Diagnostic::error(Code::UnexpectedToken, Span::new(file, l, r), format!("expected {wanted}, found {found}"))
                .with_label(format!("expected {wanted}"));
            if matches!(token, Token::Eq) {
                d = d.with_help("`=` only assigns a primed variable (`x' = e`); to compare, write `==`");
            }
            // A keyword where a name should be (`{ and: int }`): say it is a keyword.
            let keyword = found.strip_prefix('`').and_then(|f| f.strip_suffix('`')).filter(|k| k.chars().all(|c| c.is_ascii_alphabetic()));
            if let Some(keyword) = keyword {
                if keyword == "nondet" && wanted.starts_with("a declaration") {
                    d = d.with_help("`nondet` picks a value inside an action (`action a = { nondet x = S.oneOf() ... }`), not at the top level of a module");
                } else if wanted.contains("a name") {
                    d = d.with_help(format!("`{keyword}` is a keyword: it cannot be a name"));
                }
            }
            if matches!(token, Token::RBrace | Token::RParen) && wanted.contains("else") {
                d = d.with_help("an `if` always needs an `else` branch");
            }
            if wanted == "the end of the input" {
                let previous_word = before.rsplit(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default();
                let exponent = matches!(token, Token::Ident(name) if name.starts_with('e') && name[1..].chars().all(|c| c.is_ascii_digit()))
                    && before.ends_with(|c: char| c.is_ascii_digit()) && l == before.len();
                if matches!(previous_word, "not" | "always" | "eventually" | "enabled") {
                    d = d.with_help(format!("`{previous_word}` is applied like an operator: `{previous_word}(...)`"));
                } else if exponent {
                    d = d.with_help("numbers are whole, written in decimal or hex (`0x1F`): there is no exponent notation");
                }
            }
            d
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let wanted = describe_expected(&expected);
            let end = text.len();
            let at = Span::new(file, location.min(end), location.min(end));
            match unclosed.last() {
                Some((open_at, bracket)) => {
                    let close = match *bracket {
                        "(" => ")",
                        "[" => "]",
                        _ => "}",
                    };
                    Diagnostic::error(Code::UnexpectedEnd, Span::new(file, *open_at, *open_at + 1), format!("this `{bracket}` is never closed"))
                        .with_label(format!("opened here; the file ends before the matching `{close}`"))
                        .with_secondary(at, format!("the file ends here, where {wanted} was expected"))
                }
                None => Diagnostic::error(Code::UnexpectedEnd, at, format!("the file ends too early: expected {wanted}"))
                    .with_label("the file ends here"),
            }
        }
        ParseError::ExtraToken { token: (l, token, r) } => {
            Diagnostic::error(Code::UnexpectedToken, Span::new(file, l, r), format!("unexpected {}", token.describe()))
        }
        ParseError::InvalidToken { location } => {
            Diagnostic::error(Code::InvalidToken, Span::new(file, location, location + 1), "invalid token")
        }
        ParseError::User { error } => match error {},
    }
}

/// Turns lalrpop's list of terminal names into plain words.
pub(crate) fn describe_expected(expected: &[String]) -> String {
    let names: Vec<String> = expected
        .iter()
        .map(|e| e.trim_matches('"').replace("\\\"", "\""))
        .map(|e| match e.as_str() {
            "call(" => "(".to_string(),
            "prefix-" => "-".to_string(),
            "list[" => "[".to_string(),
            _ => e,
        })
        .collect();
    let has = |t: &str| names.iter().any(|n| n == t);
    let mut words: Vec<String> = Vec::new();
    let mut covered: Vec<&str> = Vec::new();
    if has("Ident") && has("Int") {
        words.push("an expression".to_string());
        covered.extend([
            "Ident", "QualIdent", "Int", "Str", "(", "[", "{", "true", "false", "_", "-", "if", "match", "all", "any", "and", "or", "iff", "implies", "and {", "or {",
            "val", "def", "pure", "action", "temporal", "run", "nondet", "from", "as",
        ]);
    } else if has("const") && has("val") && has("import") {
        words.push("a declaration (`val`, `def`, `action`, `var`, `const`, `type`, `import`, ...)".to_string());
        covered.extend([
            "const", "var", "assume", "type", "import", "export", "val", "def", "pure", "action", "temporal", "run",
        ]);
    } else if has("Ident") && has("(") && has("{") {
        words.push("a type".to_string());
        covered.extend(["Ident", "QualIdent", "from", "as", "(", "{"]);
    } else if has("Ident") {
        words.push("a name".to_string());
        covered.extend(["Ident", "QualIdent", "from", "as"]);
    }
    if has("module") && words.is_empty() {
        words.push("`module`".to_string());
        covered.push("module");
    }
    for name in &names {
        if covered.contains(&name.as_str()) {
            continue;
        }
        let word = match name.as_str() {
            "Int" => "a number".to_string(),
            "Str" => "a string".to_string(),
            "Ident" | "QualIdent" => "a name".to_string(),
            "StartFile" | "StartExpr" | "StartDecls" => continue,
            other => format!("`{other}`"),
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    // Infix operators that could continue an expression are rarely what was meant: say so once.
    let operators = ["`+`", "`-`", "`*`", "`/`", "`%`", "`^`", "`==`", "`!=`", "`<`", "`<=`", "`>`", "`>=`", "`and`", "`or`", "`iff`", "`implies`", "`leadsTo`", "`->`", "`.`", "`[`", "`'`", "`=`", "`=>`"];
    let operator_count = words.iter().filter(|w| operators.contains(&w.as_str())).count();
    if operator_count > 3 {
        words.retain(|w| !operators.contains(&w.as_str()));
        words.push("an operator".to_string());
    }
    match words.len() {
        // Only the end of the input may follow: what came before is complete.
        0 => "the end of the input".to_string(),
        1 => words.remove(0),
        n => {
            let last = words.remove(n - 1);
            format!("{} or {}", words.join(", "), last)
        }
    }
}


/// Parsing a file module by module, reusing the trees of unchanged modules.
///
/// The text is cut after the closing brace of each top-level module (a scan that knows
/// strings and comments); each piece holds one module and the blank space and comments
/// before it. A piece whose text is the same as in the last parse of the same file gets
/// the tree parsed then, moved to where the piece now starts; another piece is parsed on
/// its own. This starts with the second parse of a file (the language server parses a
/// file on every keystroke): a file parsed once, as the command-line tools do, is parsed
/// whole and nothing is kept. Anything unusual (braces that do not balance, text outside a module, one piece
/// only, a `#!` line, a piece that does not parse into exactly one module) falls back to
/// parsing the whole text, so the result is always a parse of the text. Only the last
/// parse of each file is kept.
pub mod by_module {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Larger texts are parsed whole: keeping their trees would double their memory.
    const MAX_TEXT: usize = 16 * 1024 * 1024;

    /// A module parsed on its own: the tree and diagnostics with positions relative to the
    /// start of its piece.
    #[derive(Clone)]
    struct Piece {
        module: Module,
        diagnostics: Vec<Diagnostic>,
    }

    /// The pieces of the last parse of each file, by their text (and the nesting limit
    /// they were parsed under); a file parsed once has an entry without pieces.
    static LAST: Mutex<Option<HashMap<FileId, (u64, HashMap<String, Piece>)>>> = Mutex::new(None);

    pub(super) fn parse(text: &str, file: FileId) -> Option<(SourceFile, Vec<Diagnostic>)> {
        if text.len() > MAX_TEXT || text.starts_with("#!") {
            return None;
        }
        let first_time = {
            let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let files = last.get_or_insert_with(HashMap::new);
            let first = !files.contains_key(&file);
            if first {
                files.insert(file, (0, HashMap::new()));
            }
            first
        };
        if first_time {
            return None;
        }
        parse_pieces(text, file)
    }

    fn parse_pieces(text: &str, file: FileId) -> Option<(SourceFile, Vec<Diagnostic>)> {
        let ends = module_ends(text)?;
        if ends.len() < 2 {
            return None;
        }
        let nesting = Limits::current().nesting;
        let previous = {
            let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            last.get_or_insert_with(HashMap::new).get_mut(&file).filter(|(n, _)| *n == nesting).map(|(_, pieces)| std::mem::take(pieces)).unwrap_or_default()
        };
        let mut kept: HashMap<String, Piece> = HashMap::with_capacity(ends.len());
        let mut modules = Vec::with_capacity(ends.len());
        let mut diagnostics = Vec::new();
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate() {
            let end = if i + 1 == ends.len() { text.len() } else { end };
            let piece_text = &text[start..end];
            let piece = match previous.get(piece_text).or_else(|| kept.get(piece_text)) {
                Some(piece) => piece.clone(),
                None => {
                    let (mut parsed, piece_diagnostics) = super::run(piece_text, file, Token::StartFile);
                    let Some(Parsed::File(SourceFile { modules: mut found })) = parsed.take() else { return None };
                    if found.len() != 1 {
                        return None;
                    }
                    Piece { module: found.pop()?, diagnostics: piece_diagnostics }
                }
            };
            let mut module = piece.module.clone();
            let delta = start as u32;
            shift_module(&mut module, delta);
            modules.push(module);
            diagnostics.extend(piece.diagnostics.iter().cloned().map(|mut d| {
                d.span = shifted(d.span, delta);
                for label in &mut d.labels {
                    label.span = shifted(label.span, delta);
                }
                d
            }));
            kept.insert(piece_text.to_string(), piece);
            start = end;
        }
        let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        last.get_or_insert_with(HashMap::new).insert(file, (nesting, kept));
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        Some((SourceFile { modules }, diagnostics))
    }

    /// Where each top-level module ends (just after its closing brace), or `None` when the
    /// text is not a sequence of modules with balanced braces.
    pub fn module_ends(text: &str) -> Option<Vec<usize>> {
        let bytes = text.as_bytes();
        let mut ends = Vec::new();
        let mut depth = 0usize;
        let mut in_header = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    i = bytes[i..].iter().position(|c| *c == b'\n').map(|n| i + n).unwrap_or(bytes.len());
                    continue;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let close = text[i + 2..].find("*/")?;
                    i += 2 + close + 2;
                    continue;
                }
                b'"' => {
                    let close = bytes[i + 1..].iter().position(|c| *c == b'"')?;
                    i += 1 + close + 1;
                    if depth == 0 && !in_header {
                        return None;
                    }
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c => {}
                b'{' => {
                    if depth == 0 && !in_header {
                        return None;
                    }
                    depth += 1;
                }
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        in_header = false;
                        ends.push(i + 1);
                    }
                }
                _ if depth == 0 && !in_header => {
                    let word_end = i + "module".len();
                    let is_module = text.get(i..word_end) == Some("module") && bytes.get(word_end).is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
                    if !is_module {
                        return None;
                    }
                    in_header = true;
                    i = word_end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        (depth == 0 && !in_header).then_some(ends)
    }

    /// `span` moved by `delta` bytes, modulo 2^32 (so that `0u32.wrapping_sub(n)` moves
    /// towards the start).
    fn shifted(span: Span, delta: u32) -> Span {
        Span { start: span.start.wrapping_add(delta), end: span.end.wrapping_add(delta), ..span }
    }

    /// Moves every span of a module by `d` bytes towards the end of its file.
    pub fn shift_module(m: &mut Module, d: u32) {
        m.span = shifted(m.span, d);
        ident(&mut m.name, d);
        for decl in &mut m.decls {
            shift_decl(decl, d);
        }
    }

    /// Moves every span of a declaration by `d` bytes, modulo 2^32: `0u32.wrapping_sub(n)`
    /// moves it `n` bytes towards the start (no span may end up before the start).
    pub fn shift_decl(decl: &mut Decl, d: u32) {
        {
            decl.span = shifted(decl.span, d);
            match &mut decl.kind {
                DeclKind::Const { name, ty } | DeclKind::Var { name, ty } => {
                    ident(name, d);
                    ty_(ty, d);
                }
                DeclKind::Assume { name, expr } => {
                    name.iter_mut().for_each(|n| ident(n, d));
                    expr_(expr, d);
                }
                DeclKind::TypeAlias { name, params, ty } => {
                    ident(name, d);
                    params.iter_mut().for_each(|p| ident(p, d));
                    ty.iter_mut().for_each(|t| ty_(t, d));
                }
                DeclKind::SumType { name, params, variants } => {
                    ident(name, d);
                    params.iter_mut().for_each(|p| ident(p, d));
                    for v in variants {
                        v.span = shifted(v.span, d);
                        ident(&mut v.name, d);
                        v.payload.iter_mut().for_each(|t| ty_(t, d));
                    }
                }
                DeclKind::Import(import) => {
                    ident(&mut import.module, d);
                    for (name, value) in import.instance.iter_mut().flatten() {
                        ident(name, d);
                        expr_(value, d);
                    }
                    what(&mut import.what, d);
                    if let Some((_, span)) = &mut import.from {
                        *span = shifted(*span, d);
                    }
                }
                DeclKind::Export(export) => {
                    ident(&mut export.module, d);
                    what(&mut export.what, d);
                }
                DeclKind::Def(def) => def_(def, d),
                DeclKind::Error => {}
            }
        }
    }

    fn ident(i: &mut Ident, d: u32) {
        i.span = shifted(i.span, d);
    }

    fn what(w: &mut ImportWhat, d: u32) {
        match w {
            ImportWhat::All => {}
            ImportWhat::Name(name) => ident(name, d),
            ImportWhat::Qualified(name) => name.iter_mut().for_each(|n| ident(n, d)),
        }
    }

    fn def_(def: &mut Def, d: u32) {
        def.span = shifted(def.span, d);
        ident(&mut def.name, d);
        for p in def.params.iter_mut().flatten() {
            param(p, d);
        }
        def.ret.iter_mut().for_each(|t| ty_(t, d));
        def.body.iter_mut().for_each(|e| expr_(e, d));
    }

    fn param(p: &mut Param, d: u32) {
        p.span = shifted(p.span, d);
        pattern(&mut p.pattern, d);
        p.ty.iter_mut().for_each(|t| ty_(t, d));
    }

    fn pattern(p: &mut Pattern, d: u32) {
        match p {
            Pattern::Name(name) => ident(name, d),
            Pattern::Hole(span) => *span = shifted(*span, d),
            Pattern::Tuple(items, span) => {
                *span = shifted(*span, d);
                items.iter_mut().for_each(|p| pattern(p, d));
            }
            Pattern::Record(fields, span) => {
                *span = shifted(*span, d);
                fields.iter_mut().for_each(|f| ident(f, d));
            }
        }
    }

    /// Types, without recursion (annotations may nest deeply).
    fn ty_(root: &mut Type, d: u32) {
        let mut stack = vec![root];
        while let Some(t) = stack.pop() {
            t.span = shifted(t.span, d);
            match &mut t.kind {
                TypeKind::Name(name) => ident(name, d),
                TypeKind::App(name, args) => {
                    ident(name, d);
                    stack.extend(args.iter_mut());
                }
                TypeKind::Fun(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                TypeKind::Oper(args, result) => {
                    stack.extend(args.iter_mut());
                    stack.push(result);
                }
                TypeKind::Tuple(items) => stack.extend(items.iter_mut()),
                TypeKind::Record(fields, row) => {
                    for (name, t) in fields.iter_mut() {
                        ident(name, d);
                        stack.push(t);
                    }
                    row.iter_mut().for_each(|r| ident(r, d));
                }
                TypeKind::Paren(inner) => stack.push(inner),
                TypeKind::Error => {}
            }
        }
    }

    /// Expressions, without recursion (flat chains make deep trees).
    fn expr_(root: &mut Expr, d: u32) {
        let mut stack = vec![root];
        while let Some(e) = stack.pop() {
            e.span = shifted(e.span, d);
            match &mut e.kind {
                ExprKind::Name(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Hole | ExprKind::Error => {}
                ExprKind::App { callee, args } => {
                    ident(callee, d);
                    stack.extend(args.iter_mut());
                }
                ExprKind::MethodCall { receiver, method, args } => {
                    ident(method, d);
                    stack.push(receiver);
                    stack.extend(args.iter_mut());
                }
                ExprKind::Field { receiver, field } => {
                    ident(field, d);
                    stack.push(receiver);
                }
                ExprKind::Index { list, index } => {
                    stack.push(list);
                    stack.push(index);
                }
                ExprKind::Binary { op_span, lhs, rhs, .. } => {
                    *op_span = shifted(*op_span, d);
                    stack.push(lhs);
                    stack.push(rhs);
                }
                ExprKind::Neg(inner) | ExprKind::Prime(inner) | ExprKind::Paren(inner) | ExprKind::Braces(inner) => stack.push(inner),
                ExprKind::Assign { var, value } => {
                    ident(var, d);
                    stack.push(value);
                }
                ExprKind::Lambda { params, body } => {
                    params.iter_mut().for_each(|p| param(p, d));
                    stack.push(body);
                }
                ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Block { args: items, .. } => stack.extend(items.iter_mut()),
                ExprKind::Record(items) => {
                    for item in items.iter_mut() {
                        match item {
                            RecordItem::Field(name, value) => {
                                ident(name, d);
                                stack.push(value);
                            }
                            RecordItem::Spread(value) => stack.push(value),
                        }
                    }
                }
                ExprKind::If { cond, then, otherwise } => {
                    stack.push(cond);
                    stack.push(then);
                    stack.push(otherwise);
                }
                ExprKind::Match { scrutinee, arms } => {
                    stack.push(scrutinee);
                    for arm in arms.iter_mut() {
                        arm.span = shifted(arm.span, d);
                        match &mut arm.pattern {
                            MatchPattern::Variant(name, payload) => {
                                ident(name, d);
                                payload.iter_mut().for_each(|p| pattern(p, d));
                            }
                            MatchPattern::Wildcard(span) => *span = shifted(*span, d),
                        }
                        stack.push(&mut arm.body);
                    }
                }
                ExprKind::Let { binding, body } => {
                    match &mut **binding {
                        LetBinding::Def(def) => {
                            def.span = shifted(def.span, d);
                            ident(&mut def.name, d);
                            for p in def.params.iter_mut().flatten() {
                                param(p, d);
                            }
                            def.ret.iter_mut().for_each(|t| ty_(t, d));
                            if let Some(value) = &mut def.body {
                                stack.push(value);
                            }
                        }
                        LetBinding::Destructure { pattern: p, value, span, .. } => {
                            *span = shifted(*span, d);
                            pattern(p, d);
                            stack.push(value);
                        }
                    }
                    stack.push(body);
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn whole(text: &str) -> (SourceFile, Vec<Diagnostic>) {
            let (parsed, diagnostics) = super::super::run(text, FileId(7), Token::StartFile);
            match parsed {
                Some(Parsed::File(ast)) => (ast, diagnostics),
                _ => (SourceFile::default(), diagnostics),
            }
        }

        #[test]
        fn module_by_module_equals_the_whole_parse_before_and_after_edits() {
            let mut text = String::from("// a file\n");
            for m in 0..6 {
                text.push_str(&format!(
                    "/// Module {m}.\nmodule m{m} {{\n  /* {{ */ var x{m}: int\n  val s{m} = \"}}\"\n  pure def f{m}(a: int, (b, c): (int, int)): int = match Some(a) {{ | Some(y) => y + b * c | None => {{ val z = 1 z }} }}\n  action a{m} = all {{ x{m}' = x{m} + 1, x{m}' = [1, 2][0] }}\n  type T{m} = {{ f: int }}\n}}\n"
                ));
            }
            let edits = [text.clone(), text.replace("y + b * c", "y + 1000 * c"), text.replace("module m5", "\n\nmodule m5"), text.replace("val s2 = ", "val s2 = (")];
            for edited in edits {
                let expected = whole(&edited);
                let ours = by_module_or_whole(&edited);
                assert_eq!(ours.0, expected.0);
                assert_eq!(ours.1, expected.1);
                // Twice: the second time from kept trees.
                let again = by_module_or_whole(&edited);
                assert_eq!(again.0, expected.0);
            }
        }

        /// Every spec in the repository that cuts into modules parses the same both ways,
        /// also after an edit in its first module.
        #[test]
        fn every_spec_of_the_repository_parses_the_same_by_module() {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let mut stack = vec![root.join("examples"), root.join("tests"), root.join("stdlib")];
            let mut compared = 0;
            while let Some(dir) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else { continue };
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    if path.extension().is_none_or(|e| e != "qnt") {
                        continue;
                    }
                    let Ok(text) = std::fs::read_to_string(&path) else { continue };
                    let edited = text.replacen("= ", "=  ", 1);
                    for version in [&text, &edited, &text] {
                        let Some(ours) = parse_pieces(version, FileId(11)) else { continue };
                        assert_eq!(ours, whole_in(version, FileId(11)), "{}", path.display());
                        compared += 1;
                    }
                }
            }
            assert!(compared > 10, "{compared} specs compared");
        }

        #[test]
        fn unusual_texts_are_parsed_whole() {
            assert!(module_ends("module a { } x").is_none());
            assert!(module_ends("module a { ").is_none());
            assert!(module_ends("module a { } }").is_none());
            assert_eq!(module_ends("module a { \"}\" } // }\nmodule b { /* } */ }"), Some(vec![16, 42]));
        }

        fn by_module_or_whole(text: &str) -> (SourceFile, Vec<Diagnostic>) {
            parse_pieces(text, FileId(7)).expect("parsed module by module")
        }

        #[test]
        fn a_file_parsed_once_is_parsed_whole() {
            let text = "module a { val x = 1 }\nmodule b { val y = 2 }\n";
            assert!(parse(text, FileId(9)).is_none(), "the first parse is whole");
            assert!(parse(text, FileId(9)).is_some(), "the second, module by module");
            assert_eq!(crate::parse::parse(text, FileId(9)), whole_in(text, FileId(9)));
        }

        fn whole_in(text: &str, file: FileId) -> (SourceFile, Vec<Diagnostic>) {
            match super::super::run(text, file, Token::StartFile) {
                (Some(Parsed::File(ast)), diagnostics) => (ast, diagnostics),
                (_, diagnostics) => (SourceFile::default(), diagnostics),
            }
        }
    }
}
