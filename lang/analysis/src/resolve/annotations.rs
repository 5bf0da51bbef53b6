//! Type annotations: the type aliases, sum types and uninterpreted types a module declares,
//! resolved in dependency order (a type defined in terms of itself is an error), and the
//! types written on constants, variables, parameters and definitions, resolved in the scope
//! of their module. Named type variables (`a`) are numbered from 0 per annotation.

use std::sync::Arc;
use super::Resolver;
use crate::ir::*;
use crate::suggest::closest;
use crate::ty::{Row, Ty};
use spec_syntax::ast;
use spec_syntax::{Code, Diagnostic, Span};
use std::collections::BTreeMap;

impl Resolver<'_> {
    pub(super) fn resolve_type_decl(&mut self, id: ModId, module_name: &str, name: &str, types: &mut TypeDecls) {
        if types.done.iter().any(|n| n == name) {
            return;
        }
        let Some(decl) = types.decls.get(name).cloned() else { return };
        if types.in_progress.iter().any(|n| n == name) {
            self.error(Diagnostic::error(Code::DefinitionCycle, decl.span, format!("the type `{name}` is defined in terms of itself")));
            return;
        }
        types.in_progress.push(name.to_string());
        // Resolve the aliases this one mentions first.
        for mentioned in type_names_in_decl(&decl) {
            if mentioned != name && types.decls.contains_key(&mentioned) {
                self.resolve_type_decl(id, module_name, &mentioned, types);
            }
        }
        match &decl.kind {
            ast::DeclKind::TypeAlias { name: n, params, ty } => {
                let entity = match ty {
                    None => TypeEntity::Uninterpreted(n.name.clone()),
                    Some(ty) => {
                        let mut vars = TyVars::params(params);
                        let body = self.resolve_type(id, ty, &mut vars);
                        TypeEntity::Alias { params: params.len(), body }
                    }
                };
                self.program.modules[id as usize].types.insert(n.name.clone(), entity);
            }
            ast::DeclKind::SumType { name: n, params, variants } => {
                let key = format!("{module_name}::{}", n.name);
                // Register first, so that a recursive mention resolves.
                self.program.modules[id as usize].types.insert(n.name.clone(), TypeEntity::Sum(key.clone()));
                let mut vars = TyVars::params(params);
                let mut resolved = Vec::new();
                for v in variants {
                    let payload = v.payload.as_ref().map(|t| self.resolve_type(id, t, &mut vars));
                    resolved.push((v.name.name.clone(), payload));
                }
                self.program.sum_types.insert(key, SumType { name: n.name.clone(), params: params.len(), variants: resolved, span: n.span });
            }
            _ => {}
        }
        types.in_progress.pop();
        types.done.push(name.to_string());
    }

    /// The type an annotation denotes, in the scope of module `id`.
    pub(super) fn resolve_type(&mut self, id: ModId, ty: &ast::Type, vars: &mut TyVars) -> Ty {
        TypeScope { program: &self.program, diagnostics: &mut self.diagnostics }.resolve_type(id, ty, vars)
    }
}

/// What resolving an annotation reads and writes: the scopes and types of the program's
/// modules, and the list problems are reported to.
pub(crate) struct TypeScope<'a> {
    pub program: &'a Program,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl TypeScope<'_> {
    pub(crate) fn resolve_type(&mut self, id: ModId, ty: &ast::Type, vars: &mut TyVars) -> Ty {
        crate::ty::grow(|| self.resolve_type_inner(id, ty, vars))
    }

    fn resolve_type_inner(&mut self, id: ModId, ty: &ast::Type, vars: &mut TyVars) -> Ty {
        use ast::TypeKind as T;
        match &ty.kind {
            T::Name(name) => self.named_type(id, name, &[], ty.span, vars),
            T::App(name, args) => {
                let args: Vec<Ty> = args.iter().map(|a| self.resolve_type(id, a, vars)).collect();
                self.named_type(id, name, &args, ty.span, vars)
            }
            T::Fun(a, b) => Ty::map(self.resolve_type(id, a, vars), self.resolve_type(id, b, vars)),
            T::Oper(params, ret) => {
                let params = params.iter().map(|p| self.resolve_type(id, p, vars)).collect();
                Ty::oper(params, self.resolve_type(id, ret, vars))
            }
            T::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.resolve_type(id, t, vars)).collect()),
            T::Record(fields, rest) => {
                let mut row = BTreeMap::new();
                for (name, t) in fields {
                    let t = self.resolve_type(id, t, vars);
                    row.insert(name.name.clone(), t);
                }
                let rest = rest.as_ref().and_then(|r| match vars.var(&r.name) {
                    Ty::Var(v) => Some(v),
                    _ => None,
                });
                Ty::Record(Row { fields: row.into(), rest })
            }
            T::Paren(inner) => self.resolve_type(id, inner, vars),
            T::Error => vars.fresh(),
        }
    }

    fn named_type(&mut self, id: ModId, name: &ast::Ident, args: &[Ty], span: Span, vars: &mut TyVars) -> Ty {
        let arity_error = |this: &mut Self, expected: usize| {
            this.diagnostics.push(
                Diagnostic::error(Code::UnknownType, span, format!("`{}` takes {expected} type argument{}, given {}", name.name, plural(expected), args.len()))
                    .with_label("wrong number of type arguments"),
            );
        };
        match name.name.as_str() {
            "int" | "str" | "bool" if args.is_empty() => {
                return match name.name.as_str() {
                    "int" => Ty::Int,
                    "str" => Ty::Str,
                    _ => Ty::Bool,
                }
            }
            "Set" | "List" => {
                if args.len() != 1 {
                    arity_error(self, 1);
                    return vars.fresh();
                }
                return if name.name == "Set" { Ty::set(args[0].clone()) } else { Ty::list(args[0].clone()) };
            }
            _ => {}
        }
        let entity = self.lookup_type(id, &name.name);
        match entity {
            Some(TypeEntity::Alias { params, body }) => {
                if params != args.len() {
                    arity_error(self, params);
                    return vars.fresh();
                }
                substitute_params(&body, args)
            }
            Some(TypeEntity::Sum(key)) => {
                let params = self.program.sum_types.get(&key).map(|s| s.params).unwrap_or(args.len());
                if params != args.len() {
                    arity_error(self, params);
                }
                Ty::Sum(key, args.to_vec())
            }
            Some(TypeEntity::Uninterpreted(n)) => Ty::Const(n),
            None => {
                let is_var = name.name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && args.is_empty() && !name.name.contains("::");
                if is_var && vars.open {
                    return vars.var(&name.name);
                }
                if let Some(v) = vars.known(&name.name) {
                    return v;
                }
                let known: Vec<String> = self.program.modules[id as usize].types.keys().cloned().chain(["int", "str", "bool", "Set", "List"].map(String::from)).collect();
                let mut d = Diagnostic::error(Code::UnknownType, name.span, format!("unknown type `{}`", name.name)).with_label("not a type in scope");
                if let ("Map", [key, value]) = (name.name.as_str(), args) {
                    // Quint's QNT015 says the same.
                    d = d.with_help(format!("a map type is written `{key} -> {value}`"));
                } else if let Some(s) = closest(&name.name, known.iter().map(|s| s.as_str())) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else if is_var {
                    d = d.with_help(format!("a type variable is a parameter of the type alias that uses it (`type T[{0}] = List[{0}]`), or part of a definition's type", name.name));
                }
                self.diagnostics.push(d);
                vars.fresh()
            }
        }
    }

    fn lookup_type(&self, id: ModId, name: &str) -> Option<TypeEntity> {
        if let Some(t) = self.program.modules[id as usize].types.get(name) {
            return Some(t.clone());
        }
        let module = &self.program.modules[id as usize];
        if let Some(found) = super::qualified_splits(name).find_map(|(first, rest)| self.lookup_type(super::namespace(module, first)?, rest)) {
            return Some(found);
        }
        self.program.modules[id as usize].types.get(name).cloned()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Replaces variables `0..args.len()` of an alias body by the arguments.
fn substitute_params(body: &Ty, args: &[Ty]) -> Ty {
    crate::ty::grow(|| substitute_params_inner(body, args))
}

fn substitute_params_inner(body: &Ty, args: &[Ty]) -> Ty {
    match body {
        Ty::Var(v) if (*v as usize) < args.len() => args[*v as usize].clone(),
        Ty::Var(_) | Ty::Int | Ty::Bool | Ty::Str | Ty::Const(_) => body.clone(),
        Ty::Set(t) => Ty::set(substitute_params(t, args)),
        Ty::List(t) => Ty::list(substitute_params(t, args)),
        Ty::Map(a, b) => Ty::map(substitute_params(a, args), substitute_params(b, args)),
        Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| substitute_params(t, args)).collect()),
        Ty::Sum(n, items) => Ty::Sum(n.clone(), items.iter().map(|t| substitute_params(t, args)).collect()),
        Ty::Oper(ps, r) => Ty::oper(ps.iter().map(|t| substitute_params(t, args)).collect(), substitute_params(r, args)),
        Ty::Record(row) => Ty::Record(Row { fields: Arc::new(row.fields.iter().map(|(k, t)| (k.clone(), substitute_params(t, args))).collect()), rest: row.rest }),
    }
}

fn type_names_in_decl(decl: &ast::Decl) -> Vec<String> {
    fn walk(t: &ast::Type, out: &mut Vec<String>) {
        crate::ty::grow(|| walk_inner(t, out))
    }
    fn walk_inner(t: &ast::Type, out: &mut Vec<String>) {
        use ast::TypeKind as T;
        match &t.kind {
            T::Name(n) => out.push(n.name.clone()),
            T::App(n, args) => {
                out.push(n.name.clone());
                args.iter().for_each(|a| walk(a, out));
            }
            T::Fun(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            T::Oper(ps, r) => {
                ps.iter().for_each(|p| walk(p, out));
                walk(r, out);
            }
            T::Tuple(items) => items.iter().for_each(|i| walk(i, out)),
            T::Record(fields, _) => fields.iter().for_each(|(_, t)| walk(t, out)),
            T::Paren(t) => walk(t, out),
            T::Error => {}
        }
    }
    let mut out = Vec::new();
    match &decl.kind {
        ast::DeclKind::TypeAlias { ty: Some(t), .. } => walk(t, &mut out),
        ast::DeclKind::SumType { variants, .. } => variants.iter().filter_map(|v| v.payload.as_ref()).for_each(|t| walk(t, &mut out)),
        _ => {}
    }
    out
}

#[derive(Default)]
pub(super) struct TypeDecls {
    pub(super) decls: BTreeMap<String, ast::Decl>,
    in_progress: Vec<String>,
    done: Vec<String>,
}

/// Type variables of one annotation context: named (`a`) or fresh, numbered from 0.
pub(super) struct TyVars {
    names: BTreeMap<String, u32>,
    next: u32,
    /// Whether unknown lowercase names become type variables.
    open: bool,
}

impl TyVars {
    pub(super) fn open() -> TyVars {
        TyVars { names: BTreeMap::new(), next: 0, open: true }
    }
    pub(super) fn closed() -> TyVars {
        TyVars { names: BTreeMap::new(), next: 0, open: false }
    }
    pub(super) fn params(params: &[ast::Ident]) -> TyVars {
        let mut vars = TyVars::closed();
        for p in params {
            vars.var(&p.name);
        }
        vars
    }
    pub(super) fn var(&mut self, name: &str) -> Ty {
        if let Some(v) = self.names.get(name) {
            return Ty::Var(*v);
        }
        let v = self.next;
        self.next += 1;
        self.names.insert(name.to_string(), v);
        Ty::Var(v)
    }
    /// The variables written by name, with their names (the others stand for parameters
    /// written without a type).
    pub(super) fn named(&self) -> Vec<(crate::ty::TyVar, String)> {
        self.names.iter().map(|(name, v)| (*v, name.clone())).collect()
    }
    pub(super) fn known(&self, name: &str) -> Option<Ty> {
        self.names.get(name).map(|v| Ty::Var(*v))
    }
    pub(super) fn fresh(&mut self) -> Ty {
        let v = self.next;
        self.next += 1;
        Ty::Var(v)
    }
}
