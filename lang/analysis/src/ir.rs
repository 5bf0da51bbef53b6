//! The resolved program: every module instance flattened into one table of definitions,
//! state variables and constants, with every name in every expression resolved to what it
//! denotes. The type checker, the mode checker and the interpreter all work on this form.

use crate::ty::{Scheme, Ty};
use std::sync::Arc;
use num_bigint::BigInt;
use spec_syntax::ast::Qualifier;
use spec_syntax::Span;
use std::collections::BTreeMap;

pub type DefId = u32;
pub type VarId = u32;
pub type ConstId = u32;
pub type LocalId = u32;
pub type ModId = u32;

/// What a name in scope denotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entity {
    Def(DefId),
    Var(VarId),
    Const(ConstId),
    /// A constructor of a sum type (`ty` is the sum type's key in `Program::sum_types`).
    Constructor { ty: String, variant: String },
    /// Another module, reachable through `Name::x`.
    Module(ModId),
}

/// A named type in scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeEntity {
    /// `type T[a, b] = body`: the body's variables `0..params` stand for the parameters.
    Alias { params: usize, body: Ty },
    /// A sum type, by its key in `Program::sum_types`.
    Sum(String),
    /// `type T` without a definition.
    Uninterpreted(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumType {
    /// The name users see.
    pub name: String,
    pub params: usize,
    /// Each constructor and its payload type (over variables `0..params`), in declaration order.
    pub variants: Vec<(String, Option<Ty>)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleInstance {
    /// The module's name; for an instance, `Name(C = ...)`.
    pub name: String,
    /// Names the module defines or exports (what `import M.*` brings in).
    pub public: BTreeMap<String, Entity>,
    /// Every name visible inside the module.
    pub scope: BTreeMap<String, Entity>,
    /// The modules reachable as `Name::x` (an import `as Name`, or a qualified import).
    /// Modules and values are apart, as in Quint: `import bank from "./bank"` and
    /// `var bank: bank::Bank` may share a name, and then `bank` in `scope` is the variable.
    pub namespaces: BTreeMap<String, ModId>,
    pub types: BTreeMap<String, TypeEntity>,
    /// Definitions made in this module, in source order.
    pub defs: Vec<DefId>,
    pub vars: Vec<VarId>,
    pub consts: Vec<ConstId>,
    pub span: Span,
    /// True for a copy made by `import M(...)`.
    pub is_instance: bool,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarInfo {
    pub name: String,
    pub module: ModId,
    pub ty: Ty,
    pub span: Span,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstInfo {
    pub name: String,
    pub module: ModId,
    pub ty: Ty,
    pub span: Span,
    pub doc: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalInfo {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Def {
    pub name: String,
    pub module: ModId,
    pub qualifier: Qualifier,
    /// `Some` for operators (even with zero parameters written as `()`).
    pub params: Option<Vec<Pat>>,
    pub body: Option<Expr>,
    /// The declared type, if any, over annotation variables numbered from 0.
    pub annotation: Option<Ty>,
    /// The type variables the annotation names (`a` in `def f(x: a): a`), which stand for
    /// any type: the body may not make one of them a particular type. The annotation's
    /// other variables stand for parameters written without a type.
    pub annotation_vars: Vec<(crate::ty::TyVar, String)>,
    pub locals: Vec<LocalInfo>,
    pub span: Span,
    pub name_span: Span,
    pub doc: Option<String>,
    /// A definition the analysis made (an instance's constant value), not the user.
    pub synthetic: bool,
}

/// What a parameter or local binding binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pat {
    Bind(LocalId),
    Hole(Span),
    Tuple(Vec<Pat>, Span),
    Record(Vec<(String, LocalId)>, Span),
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

// Clone, equality and drop of expression trees grow the stack when it runs low: flat chains
// (`a + b + ...`, `s.map(f).map(g)...`) are trees as deep as they are long, and the derived
// versions recurse once per level.
impl Clone for Expr {
    fn clone(&self) -> Expr {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || Expr { kind: self.kind.clone(), span: self.span })
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.span == other.span && self.kind == other.kind)
    }
}

impl Eq for Expr {}

impl Drop for Expr {
    fn drop(&mut self) {
        if matches!(self.kind, ExprKind::Error) {
            return;
        }
        let kind = std::mem::replace(&mut self.kind, ExprKind::Error);
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, move || drop(kind));
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callee {
    Builtin(&'static str),
    Def(DefId),
    /// A parameter that is an operator, or a local operator definition.
    Local(LocalId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arm {
    /// `None` for `_`.
    pub variant: Option<String>,
    pub pat: Option<Pat>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    Int(BigInt),
    Bool(bool),
    Str(String),
    Local(LocalId),
    Def(DefId),
    Var(VarId),
    Const(ConstId),
    /// A builtin used as a value: `Int`, `Nat`, `Bool`, or an operator passed as an argument.
    Builtin(&'static str),
    Call { callee: Callee, callee_span: Span, args: Vec<Expr> },
    Lambda { params: Vec<Pat>, body: Box<Expr> },
    /// A local definition; `params` is `Some` for a local operator.
    Let { local: LocalId, qualifier: Qualifier, params: Option<Vec<Pat>>, annotation: Option<Ty>, value: Box<Expr>, body: Box<Expr> },
    /// `val (a, b) = e` and `val { f } = r`.
    LetPat { pat: Pat, value: Box<Expr>, body: Box<Expr> },
    /// `nondet x = e; body`.
    Nondet { local: LocalId, annotation: Option<Ty>, value: Box<Expr>, body: Box<Expr> },
    Match { scrutinee: Box<Expr>, arms: Vec<Arm> },
    /// A sum-type value `A(e)` or `B`.
    Variant { ty: String, name: String, payload: Option<Box<Expr>> },
    /// `x' = e`
    Assign { var: VarId, value: Box<Expr> },
    Record(Vec<(String, Expr)>),
    Field { record: Box<Expr>, field: String },
    /// `t._1`: `index` counts from 1.
    Item { tuple: Box<Expr>, index: usize },
    /// Did not resolve; a diagnostic was reported.
    Error,
}

impl Expr {
    /// The direct subexpressions, in order.
    pub fn children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.push_children(&mut out);
        out
    }

    /// The direct subexpressions pushed onto `stack`, in order: [`Expr::children`] without
    /// a vector of its own for every node (for walks over every expression of a program).
    pub fn push_children<'e>(&'e self, stack: &mut Vec<&'e Expr>) {
        match &self.kind {
            ExprKind::Int(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Local(_)
            | ExprKind::Def(_)
            | ExprKind::Var(_)
            | ExprKind::Const(_)
            | ExprKind::Builtin(_)
            | ExprKind::Error => {}
            ExprKind::Call { args, .. } => stack.extend(args.iter()),
            ExprKind::Lambda { body, .. } => stack.push(body),
            ExprKind::Let { value, body, .. } | ExprKind::LetPat { value, body, .. } | ExprKind::Nondet { value, body, .. } => {
                stack.push(value);
                stack.push(body);
            }
            ExprKind::Match { scrutinee, arms } => {
                stack.push(scrutinee);
                stack.extend(arms.iter().map(|a| &a.body));
            }
            ExprKind::Variant { payload, .. } => stack.extend(payload.iter().map(|p| &**p)),
            ExprKind::Assign { value, .. } => stack.push(value),
            ExprKind::Record(fields) => stack.extend(fields.iter().map(|(_, e)| e)),
            ExprKind::Field { record: e, .. } | ExprKind::Item { tuple: e, .. } => stack.push(e),
        }
    }
}

/// The whole resolved program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    pub modules: Vec<ModuleInstance>,
    pub defs: Vec<Def>,
    pub vars: Vec<VarInfo>,
    pub consts: Vec<ConstInfo>,
    pub sum_types: BTreeMap<String, SumType>,
    /// Modules by name, as written in the files (not instances).
    pub module_names: BTreeMap<String, ModId>,
}

impl Program {
    /// The program without the bodies of its definitions and without positions: what a
    /// definition's inference may read of the others. It stays equal when only bodies change.
    /// Of the modules' scopes only the constructors are kept (inference looks variants up by
    /// name), so that adding or renaming a definition leaves it equal too.
    pub fn interface(&self) -> Program {
        self.without_positions(false)
    }

    /// The program without the bodies of its definitions and without positions, but with
    /// every name in scope of each module: what lowering a body reads (see `check::def_ir`).
    pub fn declarations(&self) -> Program {
        self.without_positions(true)
    }

    fn without_positions(&self, every_name: bool) -> Program {
        let nowhere = Span::default();
        Program {
            modules: self
                .modules
                .iter()
                .map(|m| ModuleInstance {
                    name: m.name.clone(),
                    public: if every_name { m.public.clone() } else { Default::default() },
                    scope: m.scope.iter().filter(|(_, e)| every_name || matches!(e, Entity::Constructor { .. })).map(|(k, e)| (k.clone(), e.clone())).collect(),
                    namespaces: if every_name { m.namespaces.clone() } else { Default::default() },
                    types: m.types.clone(),
                    defs: Vec::new(),
                    vars: Vec::new(),
                    consts: Vec::new(),
                    span: nowhere,
                    is_instance: m.is_instance,
                    doc: None,
                })
                .collect(),
            defs: self
                .defs
                .iter()
                .map(|d| Def {
                    name: d.name.clone(),
                    module: d.module,
                    qualifier: d.qualifier,
                    params: d.params.as_ref().map(|ps| ps.iter().map(|_| Pat::Hole(nowhere)).collect()),
                    body: None,
                    annotation: d.annotation.clone(),
                    annotation_vars: d.annotation_vars.clone(),
                    locals: Vec::new(),
                    span: nowhere,
                    name_span: nowhere,
                    doc: None,
                    synthetic: d.synthetic,
                })
                .collect(),
            vars: self.vars.iter().map(|v| VarInfo { span: nowhere, doc: None, ..v.clone() }).collect(),
            consts: self.consts.iter().map(|c| ConstInfo { span: nowhere, doc: None, ..c.clone() }).collect(),
            sum_types: self.sum_types.iter().map(|(k, t)| (k.clone(), SumType { span: nowhere, ..t.clone() })).collect(),
            module_names: self.module_names.clone(),
        }
    }

    /// The type aliases without parameters in scope of `module`, to show types by the names
    /// people gave them.
    pub fn aliases(&self, module: ModId) -> crate::ty::Aliases {
        let entries = self.modules.get(module as usize).into_iter().flat_map(|m| m.types.iter()).filter_map(|(name, entity)| match entity {
            TypeEntity::Alias { params: 0, body } => Some((name.rsplit("::").next().unwrap_or(name).to_string(), body.clone())),
            _ => None,
        });
        crate::ty::Aliases::new(entries.collect::<Vec<_>>())
    }

    /// A type for hover and messages in `module`: aliases by their names, long records in part.
    pub fn show_type(&self, module: ModId, scheme: &Scheme) -> String {
        let names = crate::ty::var_names(&scheme.ty);
        crate::ty::Shown { names: &names, aliases: &self.aliases(module), elide: false }.ty(&scheme.ty, None)
    }
}

/// What the type checker found, indexed like `Program::defs`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Types {
    pub defs: Vec<Option<Scheme>>,
    /// Per definition: where it starts in its file, and its expression and local types
    /// (positions relative to that start, as inference computed them).
    pub per_def: Vec<(Span, Arc<DefTypes>)>,
}

/// What inference found for one definition. Positions are relative to the start of the
/// definition. The types of expressions and locals are kept as inference left them, with the
/// substitution that resolves them: they are resolved when asked for. Most are never asked
/// for (hover and a few interpreter decisions read them), and resolving every one up front
/// copied the whole state type into each expression over it: 23% of the instructions of
/// type checking the Interchain Security model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefTypes {
    pub scheme: Option<Scheme>,
    pub exprs: Vec<(Span, Ty)>,
    pub locals: Vec<(LocalId, Ty)>,
    pub substitution: crate::ty::Substitution,
    pub diagnostics: Vec<spec_syntax::Diagnostic>,
}

impl Types {
    /// The type of the expression at exactly `span`.
    pub fn at(&self, span: Span) -> Option<Ty> {
        let (def_span, types) = self.per_def.iter().find(|(d, _)| d.file == span.file && d.start <= span.start && span.end <= d.end)?;
        let relative = Span { start: span.start - def_span.start, end: span.end - def_span.start, ..span };
        types.exprs.iter().rev().find(|(s, _)| *s == relative).map(|(_, t)| types.substitution.resolve(t))
    }

    /// The innermost expression that ends exactly at `offset` in `file`, and its type.
    pub fn ending_at(&self, file: spec_syntax::FileId, offset: usize) -> Option<Ty> {
        let offset = offset as u32;
        self.per_def
            .iter()
            .filter(|(d, _)| d.file == file && d.start <= offset && offset <= d.end)
            .flat_map(|(d, types)| types.exprs.iter().filter(move |(s, _)| s.end + d.start == offset).map(move |(s, t)| (s, t, types)))
            .min_by_key(|(s, _, _)| s.len())
            .map(|(_, t, types)| types.substitution.resolve(t))
    }

    /// The type of a local name of definition `def`.
    pub fn local(&self, def: DefId, local: LocalId) -> Option<Ty> {
        let (_, types) = self.per_def.get(def as usize)?;
        types.locals.iter().find(|(l, _)| *l == local).map(|(_, t)| types.substitution.resolve(t))
    }
}

/// Moves every span of a definition by `delta` bytes (negative: towards the start). Used to
/// make a definition's IR independent of where it sits in its file, so that an edit above
/// it does not look like a change of it.
pub fn shift_def(def: &mut Def, delta: i64) {
    let shift = |s: &mut Span| {
        s.start = (s.start as i64 + delta).max(0) as u32;
        s.end = (s.end as i64 + delta).max(0) as u32;
    };
    shift(&mut def.span);
    shift(&mut def.name_span);
    for l in &mut def.locals {
        shift(&mut l.span);
    }
    for p in def.params.iter_mut().flatten() {
        shift_pat(p, &shift);
    }
    if let Some(body) = &mut def.body {
        let mut stack: Vec<&mut Expr> = vec![body];
        while let Some(e) = stack.pop() {
            shift(&mut e.span);
            match &mut e.kind {
                ExprKind::Call { callee_span, args, .. } => {
                    shift(callee_span);
                    stack.extend(args.iter_mut());
                }
                ExprKind::Lambda { params, body } => {
                    params.iter_mut().for_each(|p| shift_pat(p, &shift));
                    stack.push(body);
                }
                ExprKind::Let { params, value, body, .. } => {
                    params.iter_mut().flatten().for_each(|p| shift_pat(p, &shift));
                    stack.push(value);
                    stack.push(body);
                }
                ExprKind::LetPat { pat, value, body } => {
                    shift_pat(pat, &shift);
                    stack.push(value);
                    stack.push(body);
                }
                ExprKind::Nondet { value, body, .. } => {
                    stack.push(value);
                    stack.push(body);
                }
                ExprKind::Match { scrutinee, arms } => {
                    stack.push(scrutinee);
                    for arm in arms.iter_mut() {
                        shift(&mut arm.span);
                        if let Some(p) = &mut arm.pat {
                            shift_pat(p, &shift);
                        }
                        stack.push(&mut arm.body);
                    }
                }
                ExprKind::Variant { payload: Some(p), .. } => stack.push(p),
                ExprKind::Assign { value, .. } => stack.push(value),
                ExprKind::Record(fields) => stack.extend(fields.iter_mut().map(|(_, e)| e)),
                ExprKind::Field { record: e, .. } | ExprKind::Item { tuple: e, .. } => stack.push(e),
                _ => {}
            }
        }
    }
}

fn shift_pat(p: &mut Pat, shift: &dyn Fn(&mut Span)) {
    match p {
        Pat::Bind(_) => {}
        Pat::Hole(s) | Pat::Record(_, s) => shift(s),
        Pat::Tuple(items, s) => {
            shift(s);
            items.iter_mut().for_each(|i| shift_pat(i, shift));
        }
    }
}
