//! Editor features computed from an analysis, in the analysis's own terms (spans, names,
//! types): what a position refers to, where that is defined, where it is used, what to show
//! on hover, what to complete. No LSP types here; `server.rs` converts.

use spec_analysis::builtins::{builtin, signature_type, Shape, BUILTINS};
use spec_analysis::ir::*;
use spec_analysis::ty::{Scheme, Ty};
use spec_analysis::Analysis;
use spec_syntax::ast::{DeclKind, SourceFile};
use spec_syntax::{FileId, Span};

/// Something a name can denote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Symbol {
    Def(DefId),
    Var(VarId),
    Const(ConstId),
    Local(DefId, LocalId),
    Constructor(String, String),
    /// The field name of the access `record.field` whose whole expression is at the span.
    Field(Span, String),
}

/// What a symbol denotes, in terms that mean the same in the analysis of any file that
/// reads its declaration: the span of that declaration (spans name a file and a place in
/// it), or a sum type's span and a variant name. Finding the uses of a name in a file that
/// imports it compares these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Decl(Span),
    Variant { ty: Span, name: String },
}

/// The symbol at `offset` in `file` (a use or a definition), and the span of the name there.
/// Only a name whose own span holds `offset` counts: never the enclosing expression.
pub fn symbol_at(program: &Program, file: FileId, offset: usize) -> Option<(Symbol, Span)> {
    let mut best: Option<(Symbol, Span)> = None;
    let mut consider = |symbol: Symbol, span: Span| {
        if span.file == file && span.contains(offset) && best.as_ref().is_none_or(|(_, b)| span.len() <= b.len()) {
            best = Some((symbol, span));
        }
    };
    for (i, v) in program.vars.iter().enumerate() {
        consider(Symbol::Var(i as VarId), v.span);
    }
    for (i, c) in program.consts.iter().enumerate() {
        consider(Symbol::Const(i as ConstId), c.span);
    }
    for (d, def) in program.defs.iter().enumerate() {
        let d = d as DefId;
        if def.span.file != file || !def.span.contains(offset) {
            continue;
        }
        if !def.synthetic {
            consider(Symbol::Def(d), def.name_span);
        }
        for (l, local) in def.locals.iter().enumerate() {
            consider(Symbol::Local(d, l as LocalId), local.span);
        }
        walk(def, &mut |e| {
            if let ExprKind::Field { field, .. } = &e.kind {
                consider(Symbol::Field(e.span, field.clone()), field_name_span(e.span, field));
            }
            if let Some(symbol) = referenced(d, e) {
                let span = name_span(program, &symbol, e);
                consider(symbol, span);
            }
        });
    }
    best
}

/// The span of the name in an expression that refers to `symbol`: the callee of a call,
/// the variable of an assignment `x' = e` (not the whole assignment), else the expression.
fn name_span(program: &Program, symbol: &Symbol, e: &Expr) -> Span {
    match &e.kind {
        ExprKind::Call { callee_span, .. } => *callee_span,
        ExprKind::Assign { .. } => Span { end: e.span.start + symbol_name(program, symbol).len() as u32, ..e.span },
        _ => e.span,
    }
}

/// The span of `field` at the end of the access expression at `access`.
fn field_name_span(access: Span, field: &str) -> Span {
    Span { start: access.end.saturating_sub(field.len() as u32).max(access.start), ..access }
}

/// What an expression refers to by name, if anything.
fn referenced(def: DefId, e: &Expr) -> Option<Symbol> {
    Some(match &e.kind {
        ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => Symbol::Def(*d),
        ExprKind::Var(v) | ExprKind::Assign { var: v, .. } => Symbol::Var(*v),
        ExprKind::Const(c) => Symbol::Const(*c),
        ExprKind::Local(l) | ExprKind::Call { callee: Callee::Local(l), .. } => Symbol::Local(def, *l),
        ExprKind::Variant { ty, name, .. } => Symbol::Constructor(ty.clone(), name.clone()),
        _ => return None,
    })
}

fn walk(def: &Def, f: &mut dyn FnMut(&Expr)) {
    let mut stack: Vec<&Expr> = def.body.iter().collect();
    while let Some(e) = stack.pop() {
        f(e);
        stack.extend(e.children());
    }
}

/// Where a symbol is defined.
pub fn definition(program: &Program, symbol: &Symbol) -> Option<Span> {
    Some(match symbol {
        Symbol::Def(d) => program.defs.get(*d as usize)?.name_span,
        Symbol::Var(v) => program.vars.get(*v as usize)?.span,
        Symbol::Const(c) => program.consts.get(*c as usize)?.span,
        Symbol::Local(d, l) => program.defs.get(*d as usize)?.locals.get(*l as usize)?.span,
        Symbol::Constructor(ty, _) => program.sum_types.get(ty)?.span,
        Symbol::Field(..) => return None,
    })
}

/// What `symbol` denotes, comparable across the programs of different root files.
pub fn target(program: &Program, symbol: &Symbol) -> Option<Target> {
    Some(match symbol {
        Symbol::Constructor(ty, name) => Target::Variant { ty: program.sum_types.get(ty)?.span, name: name.clone() },
        Symbol::Field(..) => return None,
        _ => Target::Decl(definition(program, symbol)?),
    })
}

/// Whether a target is local to one definition (a parameter or a local name): then only
/// the file it is in can use it.
pub fn is_local(symbol: &Symbol) -> bool {
    matches!(symbol, Symbol::Local(..))
}

/// Every place in `program` that names `target`, its declaration included when the program
/// holds it. Copies of a definition made by instances count as the same thing: they share
/// a declaration span.
pub fn uses(program: &Program, target: &Target) -> Vec<Span> {
    let mut out = Vec::new();
    if let Target::Decl(span) = target {
        let declared = program.defs.iter().any(|d| d.name_span == *span)
            || program.vars.iter().any(|v| v.span == *span)
            || program.consts.iter().any(|c| c.span == *span)
            || program.defs.iter().any(|d| d.locals.iter().any(|l| l.span == *span));
        if declared {
            out.push(*span);
        }
    }
    for (d, def) in program.defs.iter().enumerate() {
        walk(def, &mut |e| {
            let Some(s) = referenced(d as DefId, e) else { return };
            if self::target(program, &s).as_ref() == Some(target) {
                out.push(name_span(program, &s, e));
            }
        });
    }
    out.sort();
    out.dedup();
    out
}

/// Every place in `program` that names the same thing as `symbol` (its definition included).
pub fn references(program: &Program, symbol: &Symbol) -> Vec<Span> {
    match target(program, symbol) {
        Some(t) => uses(program, &t),
        None => Vec::new(),
    }
}

pub fn symbol_name(program: &Program, symbol: &Symbol) -> String {
    match symbol {
        Symbol::Def(d) => program.defs[*d as usize].name.clone(),
        Symbol::Var(v) => program.vars[*v as usize].name.clone(),
        Symbol::Const(c) => program.consts[*c as usize].name.clone(),
        Symbol::Local(d, l) => program.defs[*d as usize].locals[*l as usize].name.clone(),
        Symbol::Constructor(_, n) | Symbol::Field(_, n) => n.clone(),
    }
}

/// Markdown for hover: the kind, name and type, the mode, and the doc comment.
pub fn hover(analysis: &Analysis, symbol: &Symbol) -> String {
    let program = &analysis.program;
    match symbol {
        Symbol::Def(d) => {
            let def = &program.defs[*d as usize];
            let ty = analysis.types.defs[*d as usize].as_ref().map(|s| program.show_type(def.module, s)).unwrap_or_else(|| "?".into());
            let mut text = format!("```spec\n{} {}: {ty}\n```\nmode: {}", def.qualifier.keyword(), def.name, analysis.modes[*d as usize].name());
            if let Some(doc) = &def.doc {
                text.push_str(&format!("\n\n{doc}"));
            }
            text
        }
        Symbol::Var(v) => {
            let var = &program.vars[*v as usize];
            format!("```spec\nvar {}: {}\n```{}", var.name, var.ty, doc_suffix(&var.doc))
        }
        Symbol::Const(c) => {
            let c = &program.consts[*c as usize];
            format!("```spec\nconst {}: {}\n```{}", c.name, c.ty, doc_suffix(&c.doc))
        }
        Symbol::Local(d, l) => {
            let name = &program.defs[*d as usize].locals[*l as usize].name;
            let ty = analysis.types.local(*d, *l).map(|t| Scheme::mono(t).to_string()).unwrap_or_else(|| "?".into());
            format!("```spec\n{name}: {ty}\n```")
        }
        Symbol::Constructor(ty, name) => {
            let sum = program.sum_types.get(ty);
            let payload = sum.and_then(|s| s.variants.iter().find(|(n, _)| n == name)).and_then(|(_, p)| p.as_ref()).map(|p| format!("({p})")).unwrap_or_default();
            format!("```spec\n{name}{payload}\n```\na variant of `{}`", sum.map(|s| s.name.as_str()).unwrap_or("?"))
        }
        Symbol::Field(access, name) => {
            let ty = analysis.types.at(*access).map(|t| Scheme::mono(t).to_string()).unwrap_or_else(|| "?".into());
            format!("```spec\n{name}: {ty}\n```\na record field")
        }
    }
}

fn doc_suffix(doc: &Option<String>) -> String {
    doc.as_ref().map(|d| format!("\n\n{d}")).unwrap_or_default()
}

/// The type of the innermost expression that ends exactly at `offset` (the receiver of a
/// method call whose dot is at `offset`).
pub fn type_ending_at(analysis: &Analysis, file: FileId, offset: usize) -> Option<Ty> {
    analysis.types.ending_at(file, offset)
}

/// The type of the receiver of a method call or field access whose dot is at `dot`: the
/// expression that ends there, when the text around it parsed; else, for a half-typed
/// `a.b.`, the name `a` looked up in scope (a local of the definition around, or a name of
/// the module) followed through the record fields `b`.
pub fn receiver_type(analysis: &Analysis, file: FileId, text: &str, dot: usize) -> Option<Ty> {
    if let Some(ty) = type_ending_at(analysis, file, dot) {
        return Some(ty);
    }
    let before = text.get(..dot)?;
    let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == ':')).map(|i| i + 1).unwrap_or(0);
    let mut path = before[start..].split('.');
    let first = path.next().filter(|n| !n.is_empty())?;
    let program = &analysis.program;
    let local = program.defs.iter().enumerate().filter(|(_, d)| d.span.file == file && d.span.contains(dot)).find_map(|(d, def)| {
        let l = def.locals.iter().rposition(|l| l.name == first && (l.span.start as usize) < dot)?;
        analysis.types.local(d as DefId, l as LocalId)
    });
    let mut ty = match local {
        Some(ty) => ty,
        None => {
            let module = program.modules.iter().filter(|m| !m.is_instance && m.span.file == file && m.span.contains(dot)).min_by_key(|m| m.span.len())?;
            match module.scope.get(first)? {
                Entity::Def(d) => analysis.types.defs.get(*d as usize)?.as_ref()?.ty.clone(),
                Entity::Var(v) => program.vars.get(*v as usize)?.ty.clone(),
                Entity::Const(c) => program.consts.get(*c as usize)?.ty.clone(),
                _ => return None,
            }
        }
    };
    for field in path {
        let Ty::Record(row) = &ty else { return None };
        ty = row.fields.get(field)?.clone();
    }
    Some(ty)
}

/// A completion candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Field,
    Method,
    Value,
    Operator,
    Variable,
    Keyword,
}

/// Completions after `receiver.`: record fields first, then the builtins whose first
/// parameter fits the receiver's type.
pub fn member_completions(receiver: Option<&Ty>) -> Vec<Completion> {
    let mut out = Vec::new();
    if let Some(Ty::Record(row)) = receiver {
        for (name, ty) in row.fields.iter() {
            out.push(Completion { label: name.clone(), kind: CompletionKind::Field, detail: Some(ty.to_string()) });
        }
    }
    for b in BUILTINS {
        let Shape::Fixed(sig) = b.shape else { continue };
        if b.name.contains("::") {
            continue;
        }
        let mut n = 0;
        let ty = signature_type(sig, &mut || {
            n += 1;
            n
        });
        let Ty::Oper(params, _) = &ty else { continue };
        let Some(first) = params.first() else { continue };
        if receiver.is_none_or(|r| fits(first, r)) {
            out.push(Completion { label: b.name.to_string(), kind: CompletionKind::Method, detail: Some(format!("{}: {}", sig, b.doc)) });
        }
    }
    out
}

/// Whether a value of type `actual` can be passed where `param` is expected, judged by the
/// outermost type constructor.
fn fits(param: &Ty, actual: &Ty) -> bool {
    match (param, actual) {
        (Ty::Var(_), _) | (_, Ty::Var(_)) => true,
        (Ty::Set(_), Ty::Set(_)) | (Ty::List(_), Ty::List(_)) | (Ty::Map(..), Ty::Map(..)) => true,
        (Ty::Int, Ty::Int) | (Ty::Bool, Ty::Bool) | (Ty::Str, Ty::Str) => true,
        _ => false,
    }
}

/// Names in scope of the module that contains `offset`, with what they are.
pub fn scope_completions(analysis: &Analysis, file: FileId, offset: usize) -> Vec<Completion> {
    let program = &analysis.program;
    let module = program
        .modules
        .iter()
        .filter(|m| !m.is_instance && m.span.file == file && m.span.contains(offset))
        .min_by_key(|m| m.span.len());
    let mut out = Vec::new();
    if let Some(m) = module {
        for (name, entity) in &m.scope {
            if name.starts_with("__") {
                continue;
            }
            let (kind, detail) = match entity {
                Entity::Def(d) => (CompletionKind::Operator, analysis.types.defs[*d as usize].as_ref().map(|s| program.show_type(program.defs[*d as usize].module, s))),
                Entity::Var(v) => (CompletionKind::Variable, Some(program.vars[*v as usize].ty.to_string())),
                Entity::Const(c) => (CompletionKind::Value, Some(program.consts[*c as usize].ty.to_string())),
                Entity::Constructor { .. } => (CompletionKind::Value, None),
                Entity::Module(_) => (CompletionKind::Value, Some("module".into())),
            };
            out.push(Completion { label: name.clone(), kind, detail });
        }
    }
    for b in BUILTINS {
        if builtin(b.name).is_some() {
            out.push(Completion { label: b.name.to_string(), kind: CompletionKind::Operator, detail: Some(b.doc.to_string()) });
        }
    }
    for kw in ["module", "import", "const", "var", "val", "def", "pure", "action", "temporal", "nondet", "run", "type", "if", "else", "match", "all", "any", "and", "or"] {
        out.push(Completion { label: kw.to_string(), kind: CompletionKind::Keyword, detail: None });
    }
    out
}

/// One entry of the document outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outline {
    pub name: String,
    pub kind: &'static str,
    pub span: Span,
    pub name_span: Span,
    pub children: Vec<Outline>,
}

/// The outline of a parsed file: modules and their declarations.
pub fn outline(ast: &SourceFile) -> Vec<Outline> {
    ast.modules
        .iter()
        .map(|m| Outline {
            name: m.name.name.clone(),
            kind: "module",
            span: m.span,
            name_span: m.name.span,
            children: m
                .decls
                .iter()
                .filter_map(|d| {
                    let (name, kind) = match &d.kind {
                        DeclKind::Const { name, .. } => (name, "const"),
                        DeclKind::Var { name, .. } => (name, "var"),
                        DeclKind::TypeAlias { name, .. } | DeclKind::SumType { name, .. } => (name, "type"),
                        DeclKind::Def(def) => (&def.name, def.qualifier.keyword()),
                        DeclKind::Assume { name: Some(name), .. } => (name, "assume"),
                        _ => return None,
                    };
                    Some(Outline { name: name.name.clone(), kind, span: d.span, name_span: name.span, children: Vec::new() })
                })
                .collect(),
        })
        .collect()
}

/// What a name is, for semantic highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Variable,
    Constant,
    Operator,
    Parameter,
    Variant,
}

/// Every name in `file` that the analysis resolved, with what it denotes, sorted by place.
pub fn classify(analysis: &Analysis, file: FileId) -> Vec<(Span, NameKind)> {
    let program = &analysis.program;
    let mut out = Vec::new();
    for v in &program.vars {
        out.push((v.span, NameKind::Variable));
    }
    for c in &program.consts {
        out.push((c.span, NameKind::Constant));
    }
    for (d, def) in program.defs.iter().enumerate() {
        if def.span.file != file {
            continue;
        }
        if !def.synthetic {
            out.push((def.name_span, NameKind::Operator));
        }
        for l in &def.locals {
            out.push((l.span, NameKind::Parameter));
        }
        walk(def, &mut |e| {
            let Some(symbol) = referenced(d as DefId, e) else { return };
            let span = match &e.kind {
                ExprKind::Call { callee_span, .. } => *callee_span,
                ExprKind::Assign { .. } => return,
                _ => e.span,
            };
            let kind = match symbol {
                Symbol::Var(_) => NameKind::Variable,
                Symbol::Const(_) => NameKind::Constant,
                Symbol::Def(_) => NameKind::Operator,
                Symbol::Local(..) => NameKind::Parameter,
                Symbol::Constructor(..) => NameKind::Variant,
                Symbol::Field(..) => return,
            };
            out.push((span, kind));
        });
    }
    out.retain(|(s, _)| s.file == file);
    out.sort_by_key(|(s, _)| (s.start, s.end));
    out.dedup_by_key(|(s, _)| s.start);
    out
}

/// Inferred types of module-level definitions written without one: (end of name, `: type`).
pub fn inlay_types(analysis: &Analysis, file: FileId) -> Vec<(usize, String)> {
    let program = &analysis.program;
    let mut out = Vec::new();
    for (d, def) in program.defs.iter().enumerate() {
        if def.span.file != file || def.synthetic || def.annotation.is_some() || program.modules[def.module as usize].is_instance {
            continue;
        }
        if let Some(scheme) = &analysis.types.defs[d] {
            let shown = match &scheme.ty {
                // For operators show the result type after the parameters.
                Ty::Oper(_, _) => continue,
                _ => scheme.to_string(),
            };
            out.push((def.name_span.end as usize, format!(": {shown}")));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The signature of the operator called at `offset` (text-based, so it works on half-typed
/// calls): its label, its parameters' labels, and which parameter the cursor is in.
pub fn signature_at(analysis: &Analysis, text: &str, file: FileId, offset: usize) -> Option<(String, Vec<String>, usize)> {
    let before = &text[..offset.min(text.len())];
    let mut depth = 0i32;
    let mut commas = 0usize;
    let mut open = None;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' if depth > 0 => depth -= 1,
            '(' => {
                open = Some(i);
                break;
            }
            '[' | '{' => return None,
            ',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    let open = open?;
    let name_start = before[..open].rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).map(|i| i + 1).unwrap_or(0);
    let name = &before[name_start..open];
    if name.is_empty() {
        return None;
    }
    let method = before[..name_start].ends_with('.');
    let active = commas + usize::from(method);
    let scope = analysis.program.modules.iter().filter(|m| !m.is_instance && m.span.file == file && m.span.contains(offset)).min_by_key(|m| m.span.len());
    let ty = match scope.and_then(|m| m.scope.get(name)) {
        Some(Entity::Def(d)) => analysis.types.defs[*d as usize].as_ref().map(|s| s.ty.clone()),
        _ => match builtin(name).map(|b| b.shape) {
            Some(Shape::Fixed(sig)) => {
                let mut n = 0;
                Some(signature_type(sig, &mut || {
                    n += 1;
                    n
                }))
            }
            _ => None,
        },
    }?;
    let Ty::Oper(params, ret) = &ty else { return None };
    let scheme = Scheme { vars: Vec::new(), ty: ty.clone() };
    let names = spec_analysis::ty::var_names(&scheme.ty);
    let show = |t: &Ty| spec_analysis::ty::TyDisplay { ty: t, names: &names }.to_string();
    let labels: Vec<String> = params.iter().map(|p| show(p)).collect();
    let label = format!("{name}({}): {}", labels.join(", "), show(ret));
    Some((label, labels, active))
}

/// Workspace symbols: definitions whose name contains `query`, with their place.
pub fn symbols_matching(analysis: &Analysis, query: &str) -> Vec<(String, &'static str, Span)> {
    let program = &analysis.program;
    let q = query.to_lowercase();
    let mut out: Vec<(String, &'static str, Span)> = Vec::new();
    for def in &program.defs {
        if !def.synthetic && def.name.to_lowercase().contains(&q) && !program.modules[def.module as usize].is_instance {
            out.push((def.name.clone(), def.qualifier.keyword(), def.name_span));
        }
    }
    for v in &program.vars {
        if v.name.to_lowercase().contains(&q) && !program.modules[v.module as usize].is_instance {
            out.push((v.name.clone(), "var", v.span));
        }
    }
    out.sort_by_key(|(_, _, s)| (s.file, s.start));
    out.dedup_by_key(|(_, _, s)| *s);
    out
}
