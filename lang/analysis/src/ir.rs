//! The resolved program: every module instance flattened into one table of definitions,
//! state variables and constants, with every name in every expression resolved to what it
//! denotes. The type checker, the mode checker and the interpreter all work on this form.

use crate::ty::{Scheme, Substitution, Ty};
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
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
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Int(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Local(_)
            | ExprKind::Def(_)
            | ExprKind::Var(_)
            | ExprKind::Const(_)
            | ExprKind::Builtin(_)
            | ExprKind::Error => Vec::new(),
            ExprKind::Call { args, .. } => args.iter().collect(),
            ExprKind::Lambda { body, .. } => vec![body],
            ExprKind::Let { value, body, .. } | ExprKind::LetPat { value, body, .. } | ExprKind::Nondet { value, body, .. } => {
                vec![value, body]
            }
            ExprKind::Match { scrutinee, arms } => std::iter::once(&**scrutinee).chain(arms.iter().map(|a| &a.body)).collect(),
            ExprKind::Variant { payload, .. } => payload.iter().map(|p| &**p).collect(),
            ExprKind::Assign { value, .. } => vec![value],
            ExprKind::Record(fields) => fields.iter().map(|(_, e)| e).collect(),
            ExprKind::Field { record: e, .. } | ExprKind::Item { tuple: e, .. } => vec![e],
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

/// What the type checker found, indexed like `Program::defs`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Types {
    pub defs: Vec<Option<Scheme>>,
    /// Types of expressions by span (innermost first when spans nest), as inferred: pass
    /// them through `resolve` before use.
    pub exprs: Vec<(Span, Ty)>,
    /// Types of local bindings per definition, as inferred (see `resolve`).
    pub locals: BTreeMap<(DefId, LocalId), Ty>,
    pub subst: Substitution,
}

impl Types {
    /// A type with everything inference learned about its variables applied.
    pub fn resolve(&self, ty: &Ty) -> Ty {
        self.subst.resolve(ty)
    }

    /// The resolved type of the expression at exactly `span`.
    pub fn at(&self, span: Span) -> Option<Ty> {
        self.exprs.iter().rev().find(|(s, _)| *s == span).map(|(_, t)| self.resolve(t))
    }
}
