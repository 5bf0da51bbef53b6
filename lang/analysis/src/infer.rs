//! Type inference: Hindley–Milner with let-polymorphism over the resolved program, with
//! row-polymorphic records (a field access on a record of unknown shape constrains it to
//! have that field) and nominal sum types. Definitions are checked in dependency order, so
//! each use of a definition instantiates its generalized type.
//!
//! Errors name what was expected and what was found, at the place where they differ.

mod explain;

use crate::builtins::{builtin, signature_type, Shape};
use crate::ir::*;
pub use crate::ir::DefTypes;
use crate::ty::Substitution;
use crate::ty::{Aliases, Row, Scheme, Ty, TyVar};
use spec_syntax::{Code, Diagnostic, Span};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Infers the type of one definition. `interface` gives the program's declarations (bodies
/// may be left out); `dependency` gives the type of each definition this one uses (or
/// `None` when it cannot be known, as on a cycle). This is the unit of incremental work.
pub fn infer_def(interface: &Program, id: DefId, def: &Def, dependency: &mut dyn FnMut(DefId) -> Option<Scheme>) -> DefTypes {
    let mut infer = Infer {
        program: interface,
        subst: Substitution::default(),
        schemes: HashMap::new(),
        diagnostics: Vec::new(),
        exprs: Vec::new(),
        locals: HashMap::new(),
        current: 0,
        current_def: None,
        local_types: BTreeMap::new(),
        trail: Vec::new(),
        results: Vec::new(),
        aliases: std::cell::OnceCell::new(),
    };
    for used in crate::deps::uses(def) {
        if used != id {
            if (used as usize) < interface.defs.len() && !infer.schemes.contains_key(&used) {
                if let Some(scheme) = dependency(used) {
                    infer.schemes.insert(used, scheme);
                }
            }
        }
    }
    infer.check_def(id, def);
    let locals = std::mem::take(&mut infer.local_types).into_iter().map(|((_, l), t)| (l, t)).collect();
    let scheme = infer.schemes.remove(&id);
    DefTypes { scheme, exprs: infer.exprs, locals, substitution: infer.subst, diagnostics: infer.diagnostics }
}

#[derive(Clone)]
enum LocalTy {
    Mono(Ty),
    Poly(Scheme),
}

struct Infer<'p> {
    program: &'p Program,
    /// What each type variable stands for, once known.
    subst: Substitution,
    /// The types of the definitions this one uses (only those: a program may have many).
    schemes: HashMap<DefId, Scheme>,
    diagnostics: Vec<Diagnostic>,
    exprs: Vec<(Span, Ty)>,
    locals: HashMap<LocalId, LocalTy>,
    current: DefId,
    /// The definition being checked (with its body; `program` may hold only headers).
    current_def: Option<&'p Def>,
    local_types: BTreeMap<(DefId, LocalId), Ty>,
    /// Variables bound so far, in order: a failed unification undoes its bindings, so that
    /// its message shows the types as they were and later checks do not see half of it.
    trail: Vec<TyVar>,
    /// The results of the lambdas and operators of the definition checked, with where each
    /// body is: none may be an operator (Quint: "Result cannot be an operator").
    results: Vec<(Span, Ty)>,
    /// The type aliases in scope, by their bodies; gathered for the first message.
    aliases: std::cell::OnceCell<Aliases>,
}

/// Why two types had to be equal: decides the wording of the error.
#[derive(Clone, Copy)]
enum Why<'a> {
    /// An argument of an operator call.
    Argument { op: &'a str, index: usize },
    /// The declared type of a definition.
    Annotation,
    /// Two things that must have one type (set elements, branches).
    Same(&'a str),
    /// The new value of a record field (`r.with("f", v)`, `{ ...r, f: v }`).
    Field(&'a str),
    Plain,
}

impl<'p> Infer<'p> {
    fn fresh(&mut self) -> Ty {
        self.subst.bindings.push(None);
        Ty::Var(self.subst.bindings.len() as TyVar - 1)
    }

    fn fresh_var(&mut self) -> TyVar {
        self.subst.bindings.push(None);
        self.subst.bindings.len() as TyVar - 1
    }

    fn resolve(&self, ty: &Ty) -> Ty {
        self.subst.resolve(ty)
    }


    fn shallow(&self, ty: &Ty) -> Ty {
        self.subst.shallow(ty)
    }

    fn occurs(&self, v: TyVar, ty: &Ty) -> bool {
        self.subst.occurs(v, ty)
    }

    fn bind(&mut self, v: TyVar, ty: impl Into<Arc<Ty>>) -> Result<(), ()> {
        let ty = ty.into();
        if let Ty::Var(w) = &*self.subst.shallow_shared(&ty) {
            if *w == v {
                return Ok(());
            }
        }
        if self.occurs(v, &ty) {
            return Err(());
        }
        // Variables always come from `fresh`; should one slip through from an annotation
        // with errors, make room rather than fail.
        if v as usize >= self.subst.bindings.len() {
            self.subst.bindings.resize(v as usize + 1, None);
        }
        self.subst.bindings[v as usize] = Some(ty);
        self.trail.push(v);
        Ok(())
    }

    /// Makes two types equal, or reports why they cannot be, at `span`.
    fn unify_at(&mut self, expected: &Ty, found: &Ty, span: Span, why: Why) {
        if self.try_unify(expected, found).is_err() {
            let (e, f) = self.show_pair(expected, found);
            let notes = self.record_notes(expected, found);
            let message = match why {
                Why::Argument { op: "ite", index: 0 } => format!("the condition of `if` should be {e}, but it is {f}"),
                Why::Argument { op: "ite", .. } => format!("the branches of `if` must have one type: {e} and {f} differ"),
                Why::Argument { op, index } => match (infix_symbol(op), index) {
                    (Some(sym), 0) => format!("the left side of `{sym}` should be {e}, but it is {f}"),
                    (Some(sym), 1) => format!("the right side of `{sym}` should be {e}, but it is {f}"),
                    (Some(sym), _) => format!("the operand of `{sym}` should be {e}, but it is {f}"),
                    (None, _) => format!("argument {} of `{op}` should be {e}, but it is {f}", index + 1),
                },
                Why::Annotation => format!("the declared type is {e}, but the definition has type {f}"),
                Why::Same(what) => format!("{what} must have one type: {e} and {f} differ"),
                Why::Field(name) => format!("the field `{name}` has type {e}, but the new value has type {f}"),
                Why::Plain => format!("expected {e}, found {f}"),
            };
            let code = if matches!(why, Why::Annotation) { Code::AnnotationMismatch } else { Code::TypeMismatch };
            // The label repeats the types only when the message does not already show them.
            let label = if notes.is_empty() { format!("expected {e}, found {f}") } else { "the types differ here".to_string() };
            let mut d = Diagnostic::error(code, span, message).with_label(label);
            for n in notes {
                d = d.with_note(n);
            }
            self.diagnostics.push(d);
        }
    }

    /// Unifies, or leaves every variable as it was.
    fn try_unify(&mut self, a: &Ty, b: &Ty) -> Result<(), ()> {
        let mark = self.trail.len();
        let result = self.unify(a, b);
        if result.is_err() {
            for v in self.trail.drain(mark..) {
                if let Some(slot) = self.subst.bindings.get_mut(v as usize) {
                    *slot = None;
                }
            }
        }
        result
    }

    fn unify(&mut self, a: &Ty, b: &Ty) -> Result<(), ()> {
        crate::ty::grow(|| self.unify_inner(a, b))
    }

    fn unify_inner(&mut self, a: &Ty, b: &Ty) -> Result<(), ()> {
        let a = self.subst.shallow_shared(a);
        let b = self.subst.shallow_shared(b);
        match (&*a, &*b) {
            (Ty::Var(x), Ty::Var(y)) if x == y => Ok(()),
            (Ty::Var(x), _) => {
                let x = *x;
                self.bind(x, b.into_shared())
            }
            (_, Ty::Var(y)) => {
                let y = *y;
                self.bind(y, a.into_shared())
            }
            (Ty::Int, Ty::Int) | (Ty::Bool, Ty::Bool) | (Ty::Str, Ty::Str) => Ok(()),
            (Ty::Const(x), Ty::Const(y)) if x == y => Ok(()),
            (Ty::Set(x), Ty::Set(y)) | (Ty::List(x), Ty::List(y)) => self.unify(x, y),
            (Ty::Map(k1, v1), Ty::Map(k2, v2)) => {
                self.unify(k1, k2)?;
                self.unify(v1, v2)
            }
            (Ty::Tuple(xs), Ty::Tuple(ys)) => self.unify_tuples(xs, ys),
            (Ty::Sum(n1, xs), Ty::Sum(n2, ys)) if n1 == n2 && xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys) {
                    self.unify(x, y)?;
                }
                Ok(())
            }
            (Ty::Oper(p1, r1), Ty::Oper(p2, r2)) if p1.len() == p2.len() => {
                for (x, y) in p1.iter().zip(p2) {
                    self.unify(x, y)?;
                }
                self.unify(r1, r2)
            }
            (Ty::Record(r1), Ty::Record(r2)) => self.unify_rows(r1, r2),
            _ => Err(()),
        }
    }

    /// Tuples are rows of positions: an open tuple (`t._3` on an unknown `t`) has at least
    /// its known items, and its tail stands for the items after them.
    fn unify_tuples(&mut self, xs: &[Ty], ys: &[Ty]) -> Result<(), ()> {
        let (xs, rest1) = self.subst.tuple(xs);
        let (ys, rest2) = self.subst.tuple(ys);
        for (x, y) in xs.iter().zip(&ys) {
            self.unify(x, y)?;
        }
        let (n, m) = (xs.len(), ys.len());
        match (rest1, rest2) {
            (None, None) => if n == m { Ok(()) } else { Err(()) },
            (Some(a), None) => if n <= m { self.bind(a, Ty::Tuple(ys[n..].to_vec())) } else { Err(()) },
            (None, Some(b)) => if m <= n { self.bind(b, Ty::Tuple(xs[m..].to_vec())) } else { Err(()) },
            (Some(a), Some(b)) => {
                if n == m {
                    self.bind(a, Ty::Var(b))
                } else if n < m {
                    self.bind(a, Ty::open_tuple(ys[n..].to_vec(), Some(b)))
                } else {
                    self.bind(b, Ty::open_tuple(xs[m..].to_vec(), Some(a)))
                }
            }
        }
    }

    fn unify_rows(&mut self, r1: &Row, r2: &Row) -> Result<(), ()> {
        let (f1, rest1) = self.subst.row(r1);
        let (f2, rest2) = self.subst.row(r2);
        for (k, t1) in f1.iter() {
            if let Some(t2) = f2.get(k) {
                self.unify(t1, t2)?;
            }
        }
        let only1: BTreeMap<String, Ty> = f1.iter().filter(|(k, _)| !f2.contains_key(*k)).map(|(k, t)| (k.clone(), t.clone())).collect();
        let only2: BTreeMap<String, Ty> = f2.iter().filter(|(k, _)| !f1.contains_key(*k)).map(|(k, t)| (k.clone(), t.clone())).collect();
        match (rest1, rest2) {
            (None, None) => {
                if only1.is_empty() && only2.is_empty() {
                    Ok(())
                } else {
                    Err(())
                }
            }
            (Some(a), None) => {
                if !only1.is_empty() {
                    return Err(());
                }
                self.bind(a, Ty::Record(Row { fields: only2.into(), rest: None }))
            }
            (None, Some(b)) => {
                if !only2.is_empty() {
                    return Err(());
                }
                self.bind(b, Ty::Record(Row { fields: only1.into(), rest: None }))
            }
            (Some(a), Some(b)) => {
                if a == b {
                    return if only1.is_empty() && only2.is_empty() { Ok(()) } else { Err(()) };
                }
                let tail = self.fresh_var();
                self.bind(a, Ty::Record(Row { fields: only2.into(), rest: Some(tail) }))?;
                self.bind(b, Ty::Record(Row { fields: only1.into(), rest: Some(tail) }))
            }
        }
    }

    fn instantiate(&mut self, scheme: &Scheme) -> Ty {
        let map: HashMap<TyVar, Ty> = scheme.vars.iter().map(|v| (*v, self.fresh())).collect();
        substitute(&scheme.ty, &map)
    }

    /// Replaces annotation variables (numbered from 0) by fresh variables, consistently.
    fn from_annotation(&mut self, ty: &Ty, map: &mut HashMap<TyVar, Ty>) -> Ty {
        let mut vars = Vec::new();
        ty.free_vars(&mut vars);
        for v in vars {
            if !map.contains_key(&v) {
                let f = self.fresh();
                map.insert(v, f);
            }
        }
        substitute(ty, map)
    }

    fn generalize(&self, ty: &Ty, env_vars: &[TyVar]) -> Scheme {
        let ty = self.resolve(ty);
        let mut vars = Vec::new();
        ty.free_vars(&mut vars);
        vars.retain(|v| !env_vars.contains(v));
        Scheme { vars, ty }
    }

    /// Type variables of the monomorphic locals among `in_scope`: these may not be
    /// generalized.
    fn env_vars(&self, in_scope: &[LocalId]) -> Vec<TyVar> {
        let mut out = Vec::new();
        for l in in_scope {
            if let Some(LocalTy::Mono(t)) = self.locals.get(l) {
                self.resolve(t).free_vars(&mut out);
            }
        }
        out
    }

    fn check_def(&mut self, id: DefId, def: &'p Def) {
        self.current = id;
        self.current_def = Some(def);
        self.locals.clear();
        self.results.clear();
        let mut ann_map = HashMap::new();
        let annotation = def.annotation.as_ref().map(|a| self.from_annotation(a, &mut ann_map));
        // `def f() = e` is a value, as in Quint: `f` has the type of `e`.
        let nullary = def.params.as_ref().is_some_and(|ps| ps.is_empty());
        let annotation = if nullary { annotation.map(|a| self.nullary_annotation(a)) } else { annotation };
        let ty = match def.params.as_ref().filter(|ps| !ps.is_empty()) {
            Some(params) => {
                let param_tys = self.bind_params(params, annotation.as_ref());
                let ret = match &def.body {
                    Some(body) => {
                        let ret = self.expr(body);
                        self.results.push((body.span, ret.clone()));
                        ret
                    }
                    None => match annotation.as_ref().map(|a| self.shallow(a)) {
                        Some(Ty::Oper(_, r)) => Arc::unwrap_or_clone(r),
                        _ => self.fresh(),
                    },
                };
                Ty::oper(param_tys, ret)
            }
            None => match &def.body {
                Some(body) => self.expr(body),
                None => annotation.clone().unwrap_or_else(|| self.fresh()),
            },
        };
        if let Some(annotation) = &annotation {
            let span = def.body.as_ref().map(|b| b.span).unwrap_or(def.name_span);
            // For operators, compare the result type at the body, parameters were bound already.
            match (self.shallow(annotation), self.shallow(&ty)) {
                (Ty::Oper(ap, ar), Ty::Oper(tp, tr)) if ap.len() == tp.len() => {
                    let before = self.diagnostics.len();
                    self.unify_at(&ar, &tr, span, Why::Annotation);
                    if self.diagnostics.len() == before {
                        self.unify_at(annotation, &ty, def.name_span, Why::Annotation);
                    }
                }
                _ => self.unify_at(annotation, &ty, span, Why::Annotation),
            }
        }
        self.check_annotation_vars(def, &ann_map);
        self.check_results();
        if matches!(def.qualifier, spec_syntax::ast::Qualifier::Val | spec_syntax::ast::Qualifier::PureVal) && def.body.is_some() {
            // As Quint (QNT200): a value has no parameters, so it cannot be an operator.
            let t = self.resolve(&ty);
            if let Ty::Oper(..) = t {
                let shown = self.show(&t);
                let instead = if def.qualifier == spec_syntax::ast::Qualifier::Val { "def" } else { "pure def" };
                self.diagnostics.push(
                    Diagnostic::error(Code::TypeMismatch, def.name_span, format!("`{}` is declared as a value, but it is an operator ({shown})", def.name))
                        .with_label("an operator")
                        .with_help(format!("declare it as `{instead}`")),
                );
            }
        }
        if def.body.is_some() && def.qualifier != spec_syntax::ast::Qualifier::Run {
            let t = self.resolve(&ty);
            // An action with parameters may compute a value of any type (Quint allows it, and
            // contracts use it for a result record); one without parameters is a step, which
            // must be a Boolean (Quint accepts `action a = 1`, which no step can run).
            if matches!(def.qualifier, spec_syntax::ast::Qualifier::Action) && !matches!(t, Ty::Oper(..)) {
                let result = t.clone();
                if !matches!(self.shallow(&result), Ty::Bool | Ty::Var(_)) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::TypeMismatch, def.name_span, format!("the action `{}` has type {}, but an action must be a Boolean", def.name, self.show(&result)))
                            .with_label("not a Boolean"),
                    );
                }
            }
        }
        let scheme = self.generalize(&ty, &[]);
        self.schemes.insert(id, scheme);
    }

    /// An operator's or lambda's result may not be an operator: operators are passed to
    /// others, not made (Quint rejects it too; `spec` would build sets of operators).
    fn check_results(&mut self) {
        for (span, result) in std::mem::take(&mut self.results) {
            let result = self.resolve(&result);
            if let Ty::Oper(..) = result {
                let shown = self.show(&result);
                self.diagnostics.push(
                    Diagnostic::error(Code::TypeMismatch, span, format!("the result of an operator cannot be an operator, but this is {shown}"))
                        .with_label("an operator")
                        .with_help("apply it here, or pass it as an argument to the operator that uses it"),
                );
            }
        }
    }

    /// A type variable written in an annotation stands for any type: the body may not make
    /// it a particular one (`def f(x: a): int = x`). Two of them may become one, as Quint
    /// allows (`def pair(x: a, y: b): (a, b) = (y, x)`), and so may a type that still has
    /// variables (a generic module's records).
    fn check_annotation_vars(&mut self, def: &Def, ann_map: &HashMap<TyVar, Ty>) {
        // An instance's copy is checked in its module: there its constants' values may make
        // a variable a particular type (`import M(procs = Set("a")).*` makes `p` a string).
        if self.program.modules.get(def.module as usize).is_none_or(|m| m.is_instance) {
            return;
        }
        for (var, name) in &def.annotation_vars {
            let Some(fresh) = ann_map.get(var) else { continue };
            let found = self.resolve(fresh);
            // Only a type without variables is reported: one with variables may come from
            // how this inference treats records and generic state (Quint accepts those).
            let mut free = Vec::new();
            found.free_vars(&mut free);
            if !free.is_empty() {
                continue;
            }
            let shown = self.show(&found);
            self.diagnostics.push(
                Diagnostic::error(Code::AnnotationMismatch, def.name_span, format!("the type annotation of `{}` is too general: `{name}` is always {shown} here", def.name))
                    .with_label(format!("`{name}` stands for any type, but the body needs {shown}"))
                    .with_help(format!("write {shown} in place of `{name}`")),
            );
        }
    }

    /// The annotation of `def f(): T` reads as `() => T`; the definition is a value of type `T`.
    fn nullary_annotation(&self, annotation: Ty) -> Ty {
        match self.shallow(&annotation) {
            Ty::Oper(params, ret) if params.is_empty() => Arc::unwrap_or_clone(ret),
            _ => annotation,
        }
    }

    /// `def f(x, y): (int, str) => bool`, the older form, gives the whole operator type
    /// after the untyped parameters (as in Quint, where one type after the parameters is
    /// the definition's type). Reads as `(int, str) => bool`, not as an operator returning
    /// one: untyped parameters arrive as distinct variables that occur nowhere else.
    fn older_form(&self, annotation: Ty) -> Ty {
        let Ty::Oper(params, ret) = self.shallow(&annotation) else { return annotation };
        let Ty::Oper(inner, _) = self.shallow(&ret) else { return annotation };
        if inner.len() != params.len() {
            return annotation;
        }
        let mut seen = Vec::new();
        for p in &params {
            match self.shallow(p) {
                Ty::Var(v) if !seen.contains(&v) && !self.occurs(v, &ret) => seen.push(v),
                _ => return annotation,
            }
        }
        Arc::unwrap_or_clone(ret)
    }

    /// Binds the parameters of an operator, with the types its annotation gives them (when
    /// it is an operator type of the right arity), fresh ones otherwise.
    fn bind_params(&mut self, params: &[Pat], annotation: Option<&Ty>) -> Vec<Ty> {
        let declared = match annotation.map(|a| self.shallow(a)) {
            Some(Ty::Oper(ps, _)) if ps.len() == params.len() => Some(ps),
            _ => None,
        };
        params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let t = declared.as_ref().map(|ps| ps[i].clone()).unwrap_or_else(|| self.fresh());
                self.bind_pattern(p, &t);
                t
            })
            .collect()
    }

    fn bind_pattern(&mut self, pat: &Pat, ty: &Ty) {
        match pat {
            Pat::Bind(local) => {
                self.locals.insert(*local, LocalTy::Mono(ty.clone()));
                self.local_types.insert((self.current, *local), ty.clone());
            }
            Pat::Hole(_) => {}
            Pat::Tuple(items, span) => {
                let tys: Vec<Ty> = items.iter().map(|_| self.fresh()).collect();
                self.unify_at(&Ty::Tuple(tys.clone()), ty, *span, Why::Plain);
                for (p, t) in items.iter().zip(&tys) {
                    self.bind_pattern(p, t);
                }
            }
            Pat::Record(fields, span) => {
                let rest = self.fresh_var();
                let tys: BTreeMap<String, Ty> = fields.iter().map(|(n, _)| (n.clone(), self.fresh())).collect();
                self.unify_at(&Ty::Record(Row { fields: tys.clone().into(), rest: Some(rest) }), ty, *span, Why::Plain);
                for (name, local) in fields {
                    self.locals.insert(*local, LocalTy::Mono(tys[name].clone()));
                    self.local_types.insert((self.current, *local), tys[name].clone());
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Ty {
        let ty = stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e));
        self.exprs.push((e.span, ty.clone()));
        ty
    }

    fn expr_inner(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Str(_) => Ty::Str,
            ExprKind::Local(l) => match self.locals.get(l).cloned() {
                Some(LocalTy::Mono(t)) => t,
                Some(LocalTy::Poly(s)) => self.instantiate(&s),
                None => self.fresh(),
            },
            ExprKind::Def(d) => self.def_type(*d),
            // Declared types may hold placeholder variables where the declaration had errors.
            ExprKind::Var(v) => {
                let ty = self.program.vars[*v as usize].ty.clone();
                self.from_annotation(&ty, &mut HashMap::new())
            }
            ExprKind::Const(c) => {
                let ty = self.program.consts[*c as usize].ty.clone();
                self.from_annotation(&ty, &mut HashMap::new())
            }
            ExprKind::Builtin(name) => self.builtin_type(name),
            ExprKind::Call { callee, callee_span, args } => self.call(callee, *callee_span, args, e.span),
            ExprKind::Lambda { params, body } => {
                let tys: Vec<Ty> = params
                    .iter()
                    .map(|p| {
                        let t = self.fresh();
                        self.bind_pattern(p, &t);
                        t
                    })
                    .collect();
                let ret = self.expr(body);
                self.results.push((body.span, ret.clone()));
                Ty::oper(tys, ret)
            }
            ExprKind::Let { local, params, annotation, value, body, .. } => {
                let mut map = HashMap::new();
                let annotation = annotation.as_ref().map(|a| self.from_annotation(a, &mut map));
                let nullary = params.as_ref().is_some_and(|ps| ps.is_empty());
                let annotation = if nullary { annotation.map(|a| self.nullary_annotation(a)) } else { annotation.map(|a| self.older_form(a)) };
                let params = params.as_ref().filter(|ps| !ps.is_empty());
                // What is in scope here: the value's own parameters and locals are not.
                let outer: Vec<LocalId> = self.locals.keys().copied().collect();
                let ty = match params {
                    Some(params) => {
                        let tys = self.bind_params(params, annotation.as_ref());
                        let ret = self.expr(value);
                        Ty::oper(tys, ret)
                    }
                    None => self.expr(value),
                };
                if let Some(a) = &annotation {
                    self.unify_at(a, &ty, value.span, Why::Annotation);
                }
                self.local_types.insert((self.current, *local), ty.clone());
                let binding = if params.is_some() {
                    let env = self.env_vars(&outer);
                    LocalTy::Poly(self.generalize(&ty, &env))
                } else {
                    LocalTy::Mono(ty)
                };
                self.locals.insert(*local, binding);
                self.expr(body)
            }
            ExprKind::LetPat { pat, value, body } => {
                let t = self.expr(value);
                self.bind_pattern(pat, &t);
                self.expr(body)
            }
            ExprKind::Nondet { local, annotation, value, body } => {
                let t = self.expr(value);
                if let Some(a) = annotation {
                    let a = self.from_annotation(a, &mut HashMap::new());
                    self.unify_at(&a, &t, value.span, Why::Annotation);
                }
                self.locals.insert(*local, LocalTy::Mono(t.clone()));
                self.local_types.insert((self.current, *local), t);
                self.expr(body)
            }
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, e.span),
            ExprKind::Variant { ty, name, payload } => {
                let (sum_ty, payload_ty) = self.variant_type(ty, name);
                match (payload, payload_ty) {
                    (Some(p), Some(expected)) => {
                        let found = self.expr(p);
                        self.unify_at(&expected, &found, p.span, Why::Plain);
                    }
                    (None, Some(expected)) => {
                        self.diagnostics.push(
                            Diagnostic::error(Code::WrongArity, e.span, format!("the variant `{name}` carries a value of type {}", self.show(&expected)))
                                .with_label(format!("write `{name}(...)`")),
                        );
                    }
                    (Some(p), None) => {
                        self.expr(p);
                        self.diagnostics.push(Diagnostic::error(Code::WrongArity, e.span, format!("the variant `{name}` carries no value")).with_label(format!("write `{name}` without arguments")));
                    }
                    (None, None) => {}
                }
                sum_ty
            }
            ExprKind::Assign { var, value } => {
                let declared = self.program.vars[*var as usize].ty.clone();
                let var_ty = self.from_annotation(&declared, &mut HashMap::new());
                let found = self.expr(value);
                if self.try_unify(&var_ty, &found).is_err() {
                    let (v, f) = (self.show(&var_ty), self.show(&found));
                    let name = &self.program.vars[*var as usize].name;
                    self.diagnostics.push(
                        Diagnostic::error(Code::TypeMismatch, value.span, format!("the state variable `{name}` has type {v}, but is assigned a value of type {f}"))
                            .with_label(format!("expected {v}, found {f}")),
                    );
                }
                Ty::Bool
            }
            ExprKind::Record(fields) => {
                let fields = fields.iter().map(|(n, v)| (n.clone(), self.expr(v))).collect::<Vec<_>>();
                Ty::record(fields)
            }
            ExprKind::Field { record, field } => {
                let t = self.expr(record);
                self.field_type(&t, field, record.span, e.span)
            }
            ExprKind::Item { tuple, index } => {
                let t = self.expr(tuple);
                self.item_type(&t, *index, tuple.span, e.span)
            }
            ExprKind::Error => self.fresh(),
        }
    }

    fn def_type(&mut self, d: DefId) -> Ty {
        match self.schemes.get(&d).cloned() {
            Some(s) => self.instantiate(&s),
            None => self.fresh(),
        }
    }

    fn builtin_type(&mut self, name: &str) -> Ty {
        match builtin(name).map(|b| b.shape) {
            Some(Shape::Fixed(sig)) => {
                // Signatures are read once per thread, then instantiated (a large program
                // uses builtins hundreds of thousands of times).
                thread_local! {
                    static SIGNATURES: std::cell::RefCell<HashMap<String, Scheme>> = std::cell::RefCell::new(HashMap::new());
                }
                let scheme = SIGNATURES.with(|cache| {
                    cache
                        .borrow_mut()
                        .entry(sig.to_string())
                        .or_insert_with(|| {
                            let mut next: TyVar = 0;
                            let ty = signature_type(sig, &mut || {
                                next += 1;
                                next - 1
                            });
                            Scheme { vars: (0..next).collect(), ty }
                        })
                        .clone()
                });
                self.instantiate(&scheme)
            }
            _ => self.fresh(),
        }
    }

    fn field_type(&mut self, record: &Ty, field: &str, record_span: Span, span: Span) -> Ty {
        let shape = self.subst.shallow_shared(record);
        match &*shape {
            Ty::Record(row) => {
                let (fields, rest) = self.subst.row(row);
                if let Some(t) = fields.get(field) {
                    return t.clone();
                }
                if rest.is_none() {
                    let mut d = Diagnostic::error(Code::NoSuchField, span, format!("record {} has no field {field}", self.show(record)))
                        .with_label(format!("no field `{field}`"));
                    if let Some(s) = crate::suggest::closest(field, fields.keys().map(|k| k.as_str())) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    self.diagnostics.push(d);
                    return self.fresh();
                }
            }
            Ty::Var(_) => {}
            other => {
                self.diagnostics.push(
                    Diagnostic::error(Code::TypeMismatch, record_span, format!("`.{field}` needs a record, but this has type {}", self.show(other)))
                        .with_label("not a record"),
                );
                return self.fresh();
            }
        }
        let t = self.fresh();
        let rest = self.fresh_var();
        let wanted = Ty::Record(Row { fields: BTreeMap::from([(field.to_string(), t.clone())]).into(), rest: Some(rest) });
        self.unify_at(&wanted, record, span, Why::Plain);
        t
    }

    /// The type of item `index` (from 1) of a tuple of type `tuple`. On a tuple whose
    /// shape is not known yet, this makes it a tuple of at least `index` items.
    fn item_type(&mut self, tuple: &Ty, index: usize, tuple_span: Span, span: Span) -> Ty {
        if index == 0 {
            self.diagnostics.push(
                Diagnostic::error(Code::NoSuchField, span, "tuple items are numbered from 1").with_label("write `._1` for the first item"),
            );
            return self.fresh();
        }
        match self.shallow(tuple) {
            Ty::Tuple(items) => {
                let (known, rest) = self.subst.tuple(&items);
                if let Some(t) = known.get(index - 1) {
                    return t.clone();
                }
                if rest.is_none() {
                    self.diagnostics.push(
                        Diagnostic::error(Code::NoSuchField, span, format!("the tuple {} has {} items; there is no item {index}", self.show(tuple), known.len()))
                            .with_label(format!("items are numbered from `_1` to `_{}`", known.len())),
                    );
                    return self.fresh();
                }
            }
            Ty::Var(_) => {}
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(Code::TypeMismatch, tuple_span, format!("`._{index}` needs a tuple, but this has type {}", self.show(tuple))).with_label("not a tuple"),
                );
                return self.fresh();
            }
        }
        let items: Vec<Ty> = (0..index).map(|_| self.fresh()).collect();
        let result = items[index - 1].clone();
        let rest = self.fresh_var();
        self.unify_at(&Ty::open_tuple(items, Some(rest)), tuple, span, Why::Plain);
        result
    }

    fn variant_type(&mut self, key: &str, name: &str) -> (Ty, Option<Ty>) {
        let Some(sum) = self.program.sum_types.get(key) else { return (self.fresh(), None) };
        let args: Vec<Ty> = (0..sum.params).map(|_| self.fresh()).collect();
        let payload = sum.variants.iter().find(|(n, _)| n == name).and_then(|(_, p)| p.clone());
        let mut map: HashMap<TyVar, Ty> = args.iter().enumerate().map(|(i, t)| (i as TyVar, t.clone())).collect();
        (Ty::Sum(key.to_string(), args), payload.map(|p| self.from_annotation(&p, &mut map)))
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[Arm], span: Span) -> Ty {
        let scrutinee_ty = self.expr(scrutinee);
        let result = self.fresh();
        let mut sum_key: Option<String> = None;
        let mut covered: Vec<String> = Vec::new();
        let mut wildcard = false;
        for arm in arms {
            match &arm.variant {
                None => wildcard = true,
                Some(name) => {
                    // The constructor in scope where the definition is written; another
                    // module may have one of the same name (`None`) in another type.
                    let here = self.current_def.and_then(|d| self.program.modules.get(d.module as usize));
                    let key = here.into_iter().chain(self.program.modules.iter()).find_map(|m| match m.scope.get(name) {
                        Some(Entity::Constructor { ty, .. }) => Some(ty.clone()),
                        _ => None,
                    });
                    if let Some(key) = key {
                        let (sum_ty, payload) = self.variant_type(&key, name);
                        self.unify_at(&sum_ty, &scrutinee_ty, scrutinee.span, Why::Plain);
                        if let Some(pat) = &arm.pat {
                            let t = payload.unwrap_or(Ty::Tuple(vec![]));
                            self.bind_pattern(pat, &t);
                        }
                        sum_key.get_or_insert(key);
                        covered.push(name.clone());
                    }
                }
            }
            let t = self.expr(&arm.body);
            self.unify_at(&result, &t, arm.body.span, Why::Same("the branches of a match"));
        }
        if !wildcard {
            let key = sum_key.or_else(|| match self.shallow(&scrutinee_ty) {
                Ty::Sum(k, _) => Some(k),
                _ => None,
            });
            if let Some(sum) = key.and_then(|k| self.program.sum_types.get(&k)) {
                let missing: Vec<String> = sum
                    .variants
                    .iter()
                    .filter(|(n, _)| !covered.contains(n))
                    .map(|(n, p)| if p.is_some() { format!("{n}(_)") } else { n.clone() })
                    .collect();
                if !missing.is_empty() {
                    self.diagnostics.push(
                        Diagnostic::error(Code::NotExhaustive, span, format!("this match does not cover {}", missing.join(", ")))
                            .with_label("missing cases")
                            .with_help(format!("add `| {} => ...` or a catch-all `| _ => ...`", missing[0])),
                    );
                }
            }
        }
        result
    }

    fn call(&mut self, callee: &Callee, callee_span: Span, args: &[Expr], span: Span) -> Ty {
        let (name, op_ty) = match callee {
            Callee::Builtin(name) => {
                if let Some(Shape::Variadic) = builtin(name).map(|b| b.shape) {
                    return self.variadic(name, args, span);
                }
                (name.to_string(), self.builtin_type(name))
            }
            Callee::Def(d) => (self.program.defs[*d as usize].name.clone(), self.def_type(*d)),
            Callee::Local(l) => {
                let name = self.current_def.and_then(|def| def.locals.get(*l as usize)).map(|l| l.name.clone()).unwrap_or_default();
                let ty = match self.locals.get(l).cloned() {
                    Some(LocalTy::Mono(t)) => t,
                    Some(LocalTy::Poly(s)) => self.instantiate(&s),
                    None => self.fresh(),
                };
                (name, ty)
            }
        };
        // `f()` of a definition without parameters is its value, as `f` is.
        if args.is_empty() {
            let nullary_def = matches!(callee, Callee::Def(d) if self.program.defs.get(*d as usize).and_then(|d| d.params.as_ref()).is_some_and(|ps| ps.is_empty()));
            if nullary_def || !matches!(self.shallow(&op_ty), Ty::Oper(..) | Ty::Var(_)) {
                return op_ty;
            }
        }
        match self.shallow(&op_ty) {
            Ty::Oper(params, ret) => {
                if params.len() != args.len() {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::WrongArity,
                            span,
                            format!("`{name}` takes {} argument{}, but {} {} given", params.len(), if params.len() == 1 { "" } else { "s" }, args.len(), if args.len() == 1 { "was" } else { "were" }),
                        )
                        .with_label(format!("expected {} argument{}", params.len(), if params.len() == 1 { "" } else { "s" }))
                        .with_secondary(callee_span, format!("`{name}` has type {}", self.show(&op_ty))),
                    );
                    for a in args {
                        self.expr(a);
                    }
                    return Arc::unwrap_or_clone(ret);
                }
                for (i, (arg, param)) in args.iter().zip(params.iter()).enumerate() {
                    // Lambdas see their parameter types before their bodies are checked.
                    if let ExprKind::Lambda { params: lambda_params, .. } = &arg.kind {
                        if let Ty::Oper(expected_params, _) = self.shallow(param) {
                            if expected_params.len() != lambda_params.len() {
                                self.diagnostics.push(
                                    Diagnostic::error(Code::WrongArity, arg.span, format!("argument {} of `{name}` should take {} parameter{}, but it takes {}", i + 1, expected_params.len(), if expected_params.len() == 1 { "" } else { "s" }, lambda_params.len()))
                                        .with_label(format!("expected an operator of type {}", self.show(param))),
                                );
                                continue;
                            }
                        }
                    }
                    let t = self.expr(arg);
                    self.unify_at(param, &t, arg.span, Why::Argument { op: &name, index: i });
                }
                Arc::unwrap_or_clone(ret)
            }
            Ty::Var(_) => {
                let tys: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
                let ret = self.fresh();
                self.unify_at(&op_ty, &Ty::oper(tys, ret.clone()), span, Why::Plain);
                ret
            }
            other => {
                for a in args {
                    self.expr(a);
                }
                self.diagnostics.push(
                    Diagnostic::error(Code::WrongArity, callee_span, format!("`{name}` has type {} and cannot be applied to arguments", self.show(&other))).with_label("not an operator"),
                );
                self.fresh()
            }
        }
    }

    fn variadic(&mut self, name: &str, args: &[Expr], span: Span) -> Ty {
        match name {
            "Set" | "List" => {
                let elem = self.fresh();
                for a in args {
                    let t = self.expr(a);
                    self.unify_at(&elem, &t, a.span, Why::Same(if name == "Set" { "the elements of a set" } else { "the elements of a list" }));
                }
                if name == "Set" {
                    Ty::set(elem)
                } else {
                    Ty::list(elem)
                }
            }
            "Map" => {
                let (k, v) = (self.fresh(), self.fresh());
                for a in args {
                    let t = self.expr(a);
                    self.unify_at(&Ty::Tuple(vec![k.clone(), v.clone()]), &t, a.span, Why::Same("the entries of a map"));
                }
                Ty::map(k, v)
            }
            "Tup" => Ty::Tuple(args.iter().map(|a| self.expr(a)).collect()),
            "tuples" => {
                let items = args
                    .iter()
                    .map(|a| {
                        let t = self.expr(a);
                        let elem = self.fresh();
                        self.unify_at(&Ty::set(elem.clone()), &t, a.span, Why::Plain);
                        elem
                    })
                    .collect();
                Ty::set(Ty::Tuple(items))
            }
            "and" | "or" | "actionAll" | "actionAny" => {
                if args.is_empty() {
                    self.diagnostics.push(Diagnostic::error(Code::WrongArity, span, format!("`{name}` needs at least one argument")));
                }
                for a in args {
                    let t = self.expr(a);
                    self.unify_at(&Ty::Bool, &t, a.span, Why::Plain);
                }
                Ty::Bool
            }
            "Rec" => {
                if args.len() % 2 != 0 {
                    self.diagnostics.push(Diagnostic::error(Code::WrongArity, span, "`Rec` takes pairs of field names and values"));
                }
                let mut fields = BTreeMap::new();
                for pair in args.chunks(2) {
                    let value = pair.get(1).map(|v| self.expr(v)).unwrap_or_else(|| self.fresh());
                    match &pair[0].kind {
                        ExprKind::Str(s) => {
                            fields.insert(s.clone(), value);
                        }
                        _ => self.diagnostics.push(Diagnostic::error(Code::TypeMismatch, pair[0].span, "a field name must be a string literal").with_label("not a string literal")),
                    }
                }
                Ty::Record(Row { fields: fields.into(), rest: None })
            }
            "with" | "field" => {
                let want = if name == "with" { 3 } else { 2 };
                if args.len() != want {
                    self.diagnostics.push(Diagnostic::error(Code::WrongArity, span, format!("`{name}` takes {want} arguments, but {} were given", args.len())));
                    return self.fresh();
                }
                let record = self.expr(&args[0]);
                let ExprKind::Str(field) = &args[1].kind else {
                    self.diagnostics.push(Diagnostic::error(Code::TypeMismatch, args[1].span, "a field name must be a string literal").with_label("not a string literal"));
                    return self.fresh();
                };
                let field_ty = self.field_type(&record, field, args[0].span, span);
                if name == "with" {
                    let v = self.expr(&args[2]);
                    self.unify_at(&field_ty, &v, args[2].span, Why::Field(field));
                    record
                } else {
                    field_ty
                }
            }
            "fieldNames" => {
                for a in args {
                    let t = self.expr(a);
                    let rest = self.fresh_var();
                    self.unify_at(&Ty::Record(Row { fields: Arc::default(), rest: Some(rest) }), &t, a.span, Why::Plain);
                }
                Ty::set(Ty::Str)
            }
            "item" => {
                if args.len() != 2 {
                    self.diagnostics.push(Diagnostic::error(Code::WrongArity, span, "`item` takes a tuple and an index"));
                    return self.fresh();
                }
                let t = self.expr(&args[0]);
                let ExprKind::Int(n) = &args[1].kind else {
                    self.diagnostics.push(Diagnostic::error(Code::TypeMismatch, args[1].span, "a tuple index must be an integer literal"));
                    return self.fresh();
                };
                let index: usize = n.try_into().unwrap_or(0);
                self.item_type(&t, index, args[0].span, span)
            }
            _ => {
                for a in args {
                    self.expr(a);
                }
                self.fresh()
            }
        }
    }
}

/// How an operator is written, when it is written infix (`iadd` is `+`).
pub(crate) fn infix_symbol(builtin: &str) -> Option<&'static str> {
    Some(match builtin {
        "iadd" => "+",
        "isub" => "-",
        "imul" => "*",
        "idiv" => "/",
        "imod" => "%",
        "ipow" => "^",
        "ilt" => "<",
        "ilte" => "<=",
        "igt" => ">",
        "igte" => ">=",
        "eq" => "==",
        "neq" => "!=",
        "iuminus" => "-",
        "and" => "and",
        "or" => "or",
        "iff" => "iff",
        "implies" => "implies",
        _ => return None,
    })
}

fn substitute(ty: &Ty, map: &HashMap<TyVar, Ty>) -> Ty {
    crate::ty::grow(|| substitute_inner(ty, map))
}

fn substitute_inner(ty: &Ty, map: &HashMap<TyVar, Ty>) -> Ty {
    match ty {
        Ty::Var(v) => map.get(v).cloned().unwrap_or(Ty::Var(*v)),
        Ty::Int | Ty::Bool | Ty::Str | Ty::Const(_) => ty.clone(),
        Ty::Set(t) => Ty::set(substitute(t, map)),
        Ty::List(t) => Ty::list(substitute(t, map)),
        Ty::Map(a, b) => Ty::map(substitute(a, map), substitute(b, map)),
        Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| substitute(t, map)).collect()),
        Ty::Sum(n, items) => Ty::Sum(n.clone(), items.iter().map(|t| substitute(t, map)).collect()),
        Ty::Oper(ps, r) => Ty::oper(ps.iter().map(|t| substitute(t, map)).collect(), substitute(r, map)),
        Ty::Record(row) => {
            let fields: BTreeMap<String, Ty> = row.fields.iter().map(|(k, t)| (k.clone(), substitute(t, map))).collect();
            match row.rest.and_then(|r| map.get(&r)) {
                Some(Ty::Var(v)) => Ty::Record(Row { fields: fields.into(), rest: Some(*v) }),
                Some(Ty::Record(inner)) => {
                    let mut fields: BTreeMap<String, Ty> = fields;
                    for (k, t) in inner.fields.iter() {
                        fields.entry(k.clone()).or_insert_with(|| t.clone());
                    }
                    Ty::Record(Row { fields: fields.into(), rest: inner.rest })
                }
                _ => Ty::Record(Row { fields: fields.into(), rest: row.rest }),
            }
        }
    }
}
