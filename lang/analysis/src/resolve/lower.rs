//! Lowering: the body of each definition, from syntax to the IR of `ir.rs`, once every name
//! of its module is known. Locals live on a stack of scopes over the module's scope; every
//! name becomes a local slot, a definition, a state variable, a constant, a variant or a
//! builtin, and the surface forms (operators, method calls, records with spreads, `if`,
//! blocks) become calls of builtins.

use super::annotations::{TyVars, TypeScope};
use super::{lookup_qualified, Pending, Resolver, RESERVED};
use crate::builtins::{builtin, Shape};
use crate::ir::*;
use crate::suggest::closest;
use crate::ty::Ty;
use spec_syntax::ast::{self, ExprKind as A, Qualifier};
use spec_syntax::{Code, Diagnostic, Span};
use std::collections::BTreeMap;

impl Resolver<'_> {
    pub(super) fn lower_pending(&mut self, module: ModId, pending: Pending) {
        match pending {
            Pending::Def { def, file, module: index, decl } => {
                let ast = self.files[&file].clone();
                let ast::DeclKind::Def(d) = &ast.modules[index].decls[decl].kind else { return };
                let lowered = lower_def(&self.program, &mut self.diagnostics, module, d);
                let info = &mut self.program.defs[def as usize];
                info.params = lowered.params;
                info.body = lowered.body;
                info.annotation = lowered.annotation;
                info.annotation_vars = lowered.annotation_vars;
                info.locals = lowered.locals;
            }
            Pending::Assume { def, file, module: index, decl } => {
                let ast = self.files[&file].clone();
                let ast::DeclKind::Assume { expr, .. } = &ast.modules[index].decls[decl].kind else { return };
                self.lower_value(module, def, expr);
            }
            Pending::Binding { def, expr } => self.lower_value(module, def, &expr),
        }
    }

    /// The body of a definition without parameters or annotation (an `assume`, an instance's
    /// constant value).
    fn lower_value(&mut self, module: ModId, def: DefId, expr: &ast::Expr) {
        let mut lower = Lowering::new(&self.program, &mut self.diagnostics, module);
        let body = lower.expr(expr);
        let locals = std::mem::take(&mut lower.locals);
        let info = &mut self.program.defs[def as usize];
        info.body = Some(body);
        info.locals = locals;
    }
}

/// What lowering a definition gives: the fields of [`Def`] that come from its text.
pub(crate) struct LoweredDef {
    pub params: Option<Vec<Pat>>,
    pub body: Option<Expr>,
    pub annotation: Option<Ty>,
    pub annotation_vars: Vec<(crate::ty::TyVar, String)>,
    pub locals: Vec<LocalInfo>,
}

/// Lowers the parameters, declared type and body of the definition `d` of module `module`,
/// whose names are all known in `program` (bodies may be missing there: lowering reads only
/// the modules' scopes and types). Problems are added to `diagnostics`.
pub(crate) fn lower_def(program: &Program, diagnostics: &mut Vec<Diagnostic>, module: ModId, d: &ast::Def) -> LoweredDef {
    let mut lower = Lowering::new(program, diagnostics, module);
    let mut vars = TyVars::open();
    let params = d.params.as_ref().map(|ps| ps.iter().map(|p| lower.param(p, &mut vars)).collect::<Vec<_>>());
    let mut annotation = None;
    if let Some(ret) = &d.ret {
        let ret_ty = lower.types().resolve_type(module, ret, &mut vars);
        annotation = Some(match &params {
            // `def f(x: int, y): int` → an operator type over the parameters.
            Some(ps) => {
                if let (Ty::Oper(op_params, _), true) = (&ret_ty, ps.iter().all(|p| p.1.is_none()) && !ps.is_empty()) {
                    // The older form `def f(x, y): (int, int) => int`.
                    if op_params.len() == ps.len() {
                        ret_ty.clone()
                    } else {
                        Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret_ty.clone())
                    }
                } else {
                    Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret_ty.clone())
                }
            }
            None => ret_ty,
        });
    } else if let Some(ps) = &params {
        if ps.iter().any(|p| p.1.is_some()) {
            let ret = vars.fresh();
            annotation = Some(Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret));
        }
    }
    let body = d.body.as_ref().map(|b| lower.expr(b));
    let locals = std::mem::take(&mut lower.locals);
    let annotation_vars = if annotation.is_some() { vars.named() } else { Vec::new() };
    LoweredDef { params: params.map(|ps| ps.into_iter().map(|p| p.0).collect()), body, annotation, annotation_vars, locals }
}

/// Lowers the body of one definition: a stack of local scopes over the module's scope.
struct Lowering<'p> {
    program: &'p Program,
    diagnostics: &'p mut Vec<Diagnostic>,
    module: ModId,
    locals: Vec<LocalInfo>,
    scopes: Vec<(String, LocalId)>,
}

impl<'p> Lowering<'p> {
    fn new(program: &'p Program, diagnostics: &'p mut Vec<Diagnostic>, module: ModId) -> Self {
        Lowering { program, diagnostics, module, locals: Vec::new(), scopes: Vec::new() }
    }

    /// Where annotations inside the body are resolved.
    fn types(&mut self) -> TypeScope<'_> {
        TypeScope { program: self.program, diagnostics: self.diagnostics }
    }

    fn new_local(&mut self, name: &ast::Ident) -> LocalId {
        if builtin(&name.name).is_some() || RESERVED.contains(&name.name.as_str()) {
            self.diagnostics.push(
                Diagnostic::error(Code::DuplicateDefinition, name.span, format!("`{}` is the name of a builtin operator", name.name))
                    .with_label("choose another name")
                    .with_help("builtin names cannot be redefined, not even for a parameter (Quint refuses them too)"),
            );
        }
        // Quint accepts a local that hides another local silently; it is usually a slip.
        if let Some(outer) = self.lookup_local(&name.name) {
            let outer_span = self.locals[outer as usize].span;
            self.diagnostics.push(
                Diagnostic::warning(Code::ShadowedName, name.span, format!("`{}` hides another local name `{}`", name.name, name.name))
                    .with_label("this name hides the outer one")
                    .with_secondary(outer_span, "the outer one is defined here")
                    .with_help("rename one of them if they are meant to be different"),
            );
        }
        let id = self.locals.len() as LocalId;
        self.locals.push(LocalInfo { name: name.name.clone(), span: name.span });
        id
    }

    /// Binds the names of a pattern (pushing them on the scope stack).
    fn pattern(&mut self, p: &ast::Pattern) -> Pat {
        match p {
            ast::Pattern::Name(ident) => {
                let id = self.new_local(ident);
                self.scopes.push((ident.name.clone(), id));
                Pat::Bind(id)
            }
            ast::Pattern::Hole(span) => Pat::Hole(*span),
            ast::Pattern::Tuple(items, span) => Pat::Tuple(items.iter().map(|i| self.pattern(i)).collect(), *span),
            ast::Pattern::Record(fields, span) => {
                let bound = fields
                    .iter()
                    .map(|f| {
                        let id = self.new_local(f);
                        self.scopes.push((f.name.clone(), id));
                        (f.name.clone(), id)
                    })
                    .collect();
                Pat::Record(bound, *span)
            }
        }
    }

    fn param(&mut self, p: &ast::Param, vars: &mut TyVars) -> (Pat, Option<Ty>) {
        let module = self.module;
        let ty = p.ty.as_ref().map(|t| self.types().resolve_type(module, t, vars));
        (self.pattern(&p.pattern), ty)
    }

    fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find(|(n, _)| n == name).map(|(_, id)| *id)
    }

    /// What a (possibly qualified) name denotes outside the local scopes.
    fn lookup_global(&self, name: &str) -> Option<Entity> {
        lookup_qualified(self.program, self.module, name)
    }

    fn unknown_name(&mut self, name: &str, span: Span, what: &str) -> Expr {
        let mut candidates: Vec<String> = self.scopes.iter().map(|(n, _)| n.clone()).collect();
        candidates.extend(self.program.modules[self.module as usize].scope.keys().cloned());
        if what == "operator" {
            candidates.extend(crate::builtins::BUILTINS.iter().map(|b| b.name.to_string()));
        }
        let mut d = Diagnostic::error(Code::UnknownName, span, format!("unknown {what} `{name}`")).with_label("not defined in this scope");
        if let Some(hint) = crate::builtins::hints::import_hint(name) {
            d = d.with_help(hint);
        } else if let Some(s) = closest(name, candidates.iter().map(|s| s.as_str())) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.diagnostics.push(d);
        Expr { kind: ExprKind::Error, span }
    }

    fn expr(&mut self, e: &ast::Expr) -> Expr {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e))
    }

    fn exprs(&mut self, es: &[ast::Expr]) -> Vec<Expr> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn call(&mut self, name: &'static str, callee_span: Span, args: Vec<Expr>, span: Span) -> Expr {
        Expr { kind: ExprKind::Call { callee: Callee::Builtin(name), callee_span, args }, span }
    }

    fn expr_inner(&mut self, e: &ast::Expr) -> Expr {
        let span = e.span;
        let kind = match &e.kind {
            A::Int(n) => ExprKind::Int(n.clone()),
            A::Bool(b) => ExprKind::Bool(*b),
            A::Str(s) => ExprKind::Str(s.clone()),
            A::Name(name) => return self.name(name, span),
            A::App { callee, args } => {
                let args = self.exprs(args);
                return self.apply(callee, args, span);
            }
            A::MethodCall { receiver, method, args } => {
                let mut all = vec![self.expr(receiver)];
                all.extend(self.exprs(args));
                return self.apply(method, all, span);
            }
            A::Field { receiver, field } => {
                let record = Box::new(self.expr(receiver));
                match field.name.strip_prefix('_').and_then(|n| n.parse::<usize>().ok()) {
                    Some(index) => ExprKind::Item { tuple: record, index },
                    None => ExprKind::Field { record, field: field.name.clone() },
                }
            }
            A::Index { list, index } => {
                let args = vec![self.expr(list), self.expr(index)];
                return self.call("nth", span, args, span);
            }
            A::Binary { op, op_span, lhs, rhs } => {
                let args = vec![self.expr(lhs), self.expr(rhs)];
                return self.call(op.builtin(), *op_span, args, span);
            }
            A::Neg(inner) => {
                let args = vec![self.expr(inner)];
                return self.call("iuminus", span, args, span);
            }
            A::Prime(inner) => {
                let args = vec![self.expr(inner)];
                return self.call("next", span, args, span);
            }
            A::Assign { var, value } => {
                let value = Box::new(self.expr(value));
                if self.lookup_local(&var.name).is_some() {
                    return self.not_a_variable(var, "a local name");
                }
                match self.lookup_global(&var.name) {
                    Some(Entity::Var(v)) => ExprKind::Assign { var: v, value },
                    Some(Entity::Const(_)) => return self.not_a_variable(var, "a constant"),
                    Some(Entity::Def(_)) => return self.not_a_variable(var, "a definition"),
                    Some(_) => return self.not_a_variable(var, "not a state variable"),
                    None => return self.unknown_name(&var.name, var.span, "state variable"),
                }
            }
            A::Lambda { params, body } => {
                let depth = self.scopes.len();
                let params = params.iter().map(|p| self.pattern(&p.pattern)).collect();
                let body = Box::new(self.expr(body));
                self.scopes.truncate(depth);
                ExprKind::Lambda { params, body }
            }
            A::Tuple(items) => {
                let args = self.exprs(items);
                return self.call("Tup", span, args, span);
            }
            A::List(items) => {
                let args = self.exprs(items);
                return self.call("List", span, args, span);
            }
            A::Record(items) if items.is_empty() => {
                // Quint has no empty record value (its parser rejects `{}`).
                self.diagnostics.push(
                    Diagnostic::error(Code::Unsupported, span, "`{}` is not an expression: a record has at least one field")
                        .with_label("an empty record")
                        .with_help("for a value that carries nothing, use the unit value `()` or a variant without a value"),
                );
                ExprKind::Error
            }
            A::Record(items) => return self.record(items, span),
            A::If { cond, then, otherwise } => {
                let args = vec![self.expr(cond), self.expr(then), self.expr(otherwise)];
                return self.call("ite", span, args, span);
            }
            A::Match { scrutinee, arms } => {
                // As in Quint: `_` catches every case, so it comes last, once.
                if let Some((wildcard, after)) = arms.windows(2).find(|pair| matches!(pair[0].pattern, ast::MatchPattern::Wildcard(_))).map(|pair| (&pair[0], &pair[1])) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::UnreachableArm, wildcard.span, "`_` must be the last arm of a match: the arms after it never run")
                            .with_label("catches every case")
                            .with_secondary(after.span, "never runs")
                            .with_help("move the `_` arm to the end"),
                    );
                }
                let scrutinee = Box::new(self.expr(scrutinee));
                let arms = arms
                    .iter()
                    .map(|arm| {
                        let depth = self.scopes.len();
                        let (variant, pat) = match &arm.pattern {
                            ast::MatchPattern::Wildcard(_) => (None, None),
                            ast::MatchPattern::Variant(name, p) => {
                                self.check_constructor(name);
                                (Some(name.name.clone()), p.as_ref().map(|p| self.pattern(p)))
                            }
                        };
                        let body = self.expr(&arm.body);
                        self.scopes.truncate(depth);
                        Arm { variant, pat, body, span: arm.span }
                    })
                    .collect();
                ExprKind::Match { scrutinee, arms }
            }
            A::Block { op, args } => {
                let args = self.exprs(args);
                return self.call(op.builtin(), span, args, span);
            }
            A::Let { binding, body } => return self.let_in(binding, body, span),
            A::Paren(inner) | A::Braces(inner) => return self.expr(inner),
            A::Hole => {
                self.diagnostics.push(
                    Diagnostic::error(Code::UnknownName, span, "`_` is not a value")
                        .with_label("`_` only names an unused parameter, as in `_ => e`"),
                );
                ExprKind::Error
            }
            A::Error => ExprKind::Error,
        };
        Expr { kind, span }
    }

    fn not_a_variable(&mut self, var: &ast::Ident, what: &str) -> Expr {
        self.diagnostics.push(
            Diagnostic::error(Code::AssignToNonVariable, var.span, format!("`{}` cannot be assigned: it is {what}", var.name))
                .with_label("only state variables (`var`) can be assigned with `x' = e`"),
        );
        Expr { kind: ExprKind::Error, span: var.span }
    }

    fn check_constructor(&mut self, name: &ast::Ident) {
        match self.lookup_global(&name.name) {
            Some(Entity::Constructor { .. }) => {}
            _ => {
                let candidates: Vec<String> = self.program.modules[self.module as usize]
                    .scope
                    .iter()
                    .filter(|(_, e)| matches!(e, Entity::Constructor { .. }))
                    .map(|(n, _)| n.clone())
                    .collect();
                let mut d = Diagnostic::error(Code::UnknownVariant, name.span, format!("unknown variant `{}`", name.name)).with_label("no sum type in scope has this variant");
                if let Some(s) = closest(&name.name, candidates.iter().map(|s| s.as_str())) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                self.diagnostics.push(d);
            }
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Expr {
        if let Some(local) = self.lookup_local(name) {
            return Expr { kind: ExprKind::Local(local), span };
        }
        let kind = match self.lookup_global(name) {
            Some(Entity::Def(d)) => ExprKind::Def(d),
            Some(Entity::Var(v)) => ExprKind::Var(v),
            Some(Entity::Const(c)) => ExprKind::Const(c),
            Some(Entity::Constructor { ty, variant }) => {
                let has_payload = self.program.sum_types.get(&ty).and_then(|s| s.variants.iter().find(|(n, _)| *n == variant)).is_some_and(|(_, p)| p.is_some());
                if has_payload {
                    // A constructor used as an operator value: `S.map(Some)`.
                    let local = self.new_local(&ast::Ident { name: "_x".into(), span });
                    let payload = Some(Box::new(Expr { kind: ExprKind::Local(local), span }));
                    let body = Box::new(Expr { kind: ExprKind::Variant { ty, name: variant, payload }, span });
                    ExprKind::Lambda { params: vec![Pat::Bind(local)], body }
                } else {
                    ExprKind::Variant { ty, name: variant, payload: None }
                }
            }
            Some(Entity::Module(_)) => {
                self.diagnostics.push(Diagnostic::error(Code::UnknownName, span, format!("`{name}` is a module, not a value")).with_label("write `Module::name` to use one of its definitions"));
                ExprKind::Error
            }
            None => match builtin(name) {
                Some(b) => ExprKind::Builtin(b.name),
                None => return self.unknown_name(name, span, "name"),
            },
        };
        Expr { kind, span }
    }

    fn apply(&mut self, callee: &ast::Ident, args: Vec<Expr>, span: Span) -> Expr {
        let name = callee.name.as_str();
        let callee_span = callee.span;
        if let Some(local) = self.lookup_local(name) {
            return Expr { kind: ExprKind::Call { callee: Callee::Local(local), callee_span, args }, span };
        }
        match self.lookup_global(name) {
            Some(Entity::Def(d)) => Expr { kind: ExprKind::Call { callee: Callee::Def(d), callee_span, args }, span },
            Some(Entity::Constructor { ty, variant }) => {
                let mut args = args;
                let payload = match args.len() {
                    0 => None,
                    1 => args.pop().map(Box::new),
                    n => {
                        // Quint rejects it too ("Expected 1 arguments, got 2"): a variant holds one value.
                        self.diagnostics.push(
                            Diagnostic::error(Code::WrongArity, callee_span, format!("the variant `{name}` holds one value, but {n} were given"))
                                .with_label("one value expected")
                                .with_help(format!("for several values, pass a tuple: `{name}((a, b))`")),
                        );
                        return Expr { kind: ExprKind::Error, span };
                    }
                };
                Expr { kind: ExprKind::Variant { ty, name: variant, payload }, span }
            }
            Some(Entity::Var(_)) | Some(Entity::Const(_)) => {
                self.diagnostics.push(Diagnostic::error(Code::WrongArity, callee_span, format!("`{name}` is not an operator and cannot be applied")).with_label("not an operator"));
                Expr { kind: ExprKind::Error, span }
            }
            Some(Entity::Module(_)) => {
                self.diagnostics.push(Diagnostic::error(Code::UnknownName, callee_span, format!("`{name}` is a module, not an operator")));
                Expr { kind: ExprKind::Error, span }
            }
            None => match builtin(name) {
                Some(b) => {
                    if matches!(b.shape, Shape::Fixed(sig) if !sig.contains("=>")) && !args.is_empty() {
                        self.diagnostics.push(Diagnostic::error(Code::WrongArity, callee_span, format!("`{name}` is a constant set, not an operator")).with_label("remove the arguments"));
                        return Expr { kind: ExprKind::Error, span };
                    }
                    self.call(b.name, callee_span, args, span)
                }
                None => self.unknown_name(name, callee_span, "operator"),
            },
        }
    }

    fn record(&mut self, items: &[ast::RecordItem], span: Span) -> Expr {
        let mut base: Option<Expr> = None;
        let mut fields: Vec<(String, Expr)> = Vec::new();
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for item in items {
            match item {
                ast::RecordItem::Spread(e) => {
                    // Anywhere among the fields, as Quint accepts it (`{ a: 1, ...r }`): the
                    // fields given override the record's, wherever they are written.
                    let e = self.expr(e);
                    if base.is_some() {
                        self.diagnostics.push(Diagnostic::error(Code::Unsupported, e.span, "a record may hold one spread `...r`, not two").with_label("second spread"));
                    }
                    base = Some(e);
                }
                ast::RecordItem::Field(name, value) => {
                    if let Some(first) = seen.insert(name.name.clone(), name.span) {
                        self.diagnostics.push(
                            Diagnostic::error(Code::DuplicateDefinition, name.span, format!("the field `{}` is given twice", name.name))
                                .with_secondary(first, "first given here"),
                        );
                    }
                    let value = self.expr(value);
                    fields.push((name.name.clone(), value));
                }
            }
        }
        match base {
            None => Expr { kind: ExprKind::Record(fields), span },
            Some(mut record) => {
                for (name, value) in fields {
                    let name_expr = Expr { kind: ExprKind::Str(name), span: value.span };
                    record = self.call("with", span, vec![record, name_expr, value], span);
                }
                record
            }
        }
    }

    fn let_in(&mut self, binding: &ast::LetBinding, body: &ast::Expr, span: Span) -> Expr {
        let depth = self.scopes.len();
        let kind = match binding {
            ast::LetBinding::Def(def) => {
                let mut vars = TyVars::open();
                let params = def.params.as_ref().map(|ps| ps.iter().map(|p| self.param(p, &mut vars)).collect::<Vec<_>>());
                let module = self.module;
                let ret = def.ret.as_ref().map(|r| self.types().resolve_type(module, r, &mut vars));
                let annotation = match (&params, ret) {
                    (Some(ps), Some(ret)) => Some(Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret)),
                    (None, ret) => ret,
                    (Some(_), None) => None,
                };
                let value = Box::new(match &def.body {
                    Some(b) => self.expr(b),
                    None => Expr { kind: ExprKind::Error, span: def.span },
                });
                // The parameters are not in scope after the definition; its name is.
                self.scopes.truncate(depth);
                let local = self.new_local(&def.name);
                self.scopes.push((def.name.name.clone(), local));
                let body = Box::new(self.expr(body));
                if def.qualifier == Qualifier::Nondet {
                    ExprKind::Nondet { local, annotation, value, body }
                } else {
                    ExprKind::Let { local, qualifier: def.qualifier, params: params.map(|ps| ps.into_iter().map(|p| p.0).collect()), annotation, value, body }
                }
            }
            ast::LetBinding::Destructure { pattern, value, .. } => {
                let value = Box::new(self.expr(value));
                let pat = self.pattern(pattern);
                let body = Box::new(self.expr(body));
                ExprKind::LetPat { pat, value, body }
            }
        };
        self.scopes.truncate(depth);
        Expr { kind, span }
    }
}
