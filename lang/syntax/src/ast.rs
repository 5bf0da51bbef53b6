//! The syntax tree. It mirrors the source closely (parentheses, method-call form and
//! operators are kept as written) so that tools can point at exactly what the user wrote;
//! the analysis layer gives it meaning. Every node has a `Span`.

use crate::span::Span;
use num_bigint::BigInt;

/// A parsed file: one or more modules.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SourceFile {
    pub modules: Vec<Module>,
}

/// A name as written, possibly qualified (`M::x`), with its place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub name: Ident,
    pub decls: Vec<Decl>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    pub kind: DeclKind,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeclKind {
    Const { name: Ident, ty: Type },
    Var { name: Ident, ty: Type },
    /// `assume name = expr`; the name may be `_`.
    Assume { name: Option<Ident>, expr: Expr },
    /// `type T` (uninterpreted) or `type T[a] = type`.
    TypeAlias { name: Ident, params: Vec<Ident>, ty: Option<Type> },
    /// `type T[a] = A(a) | B`.
    SumType { name: Ident, params: Vec<Ident>, variants: Vec<Variant> },
    Import(Import),
    Export(Export),
    Def(Def),
    /// A declaration that did not parse; its diagnostic was reported.
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub name: Ident,
    pub payload: Option<Type>,
    pub span: Span,
}

/// `import M.*`, `import M.x`, `import M as N`, `import M(C = e).*`, each optionally `from "f"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub module: Ident,
    /// Constant substitutions of an instance: `import M(N = 3).*`.
    pub instance: Option<Vec<(Ident, Expr)>>,
    pub what: ImportWhat,
    pub from: Option<(String, Span)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportWhat {
    /// `M.*`
    All,
    /// `M.x`
    Name(Ident),
    /// `M` or `M as N`: the module's names, qualified by `N::` (or `M::`).
    Qualified(Option<Ident>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub module: Ident,
    pub what: ImportWhat,
}

/// What a definition may do: its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Qualifier {
    PureVal,
    PureDef,
    Val,
    Def,
    Action,
    Temporal,
    Run,
    Nondet,
}

impl Qualifier {
    /// The qualifier written `keyword` (`pure val`, `action`, ...).
    pub fn from_keyword(keyword: &str) -> Option<Qualifier> {
        [Qualifier::PureVal, Qualifier::PureDef, Qualifier::Val, Qualifier::Def, Qualifier::Action, Qualifier::Temporal, Qualifier::Run, Qualifier::Nondet].into_iter().find(|q| q.keyword() == keyword)
    }

    pub fn keyword(self) -> &'static str {
        match self {
            Qualifier::PureVal => "pure val",
            Qualifier::PureDef => "pure def",
            Qualifier::Val => "val",
            Qualifier::Def => "def",
            Qualifier::Action => "action",
            Qualifier::Temporal => "temporal",
            Qualifier::Run => "run",
            Qualifier::Nondet => "nondet",
        }
    }
}

/// An operator or value definition, at module level or inside an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Def {
    pub qualifier: Qualifier,
    pub name: Ident,
    /// `None` when written without parentheses (`val x = ...`).
    pub params: Option<Vec<Param>>,
    /// The declared type: the result type after a parameter list, or the whole
    /// definition's type when written `def f: T = ...` or `def f(x): (int) => int`.
    pub ret: Option<Type>,
    /// `None` for a header without a body (`pure def f(x: int): int`).
    pub body: Option<Expr>,
    pub span: Span,
}

/// A lambda or definition parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub pattern: Pattern,
    pub ty: Option<Type>,
    pub span: Span,
}

/// What a parameter or a destructuring `val` binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    Name(Ident),
    /// `_`: binds nothing.
    Hole(Span),
    /// `(a, b)`: a tuple, taken apart.
    Tuple(Vec<Pattern>, Span),
    /// `{ f, g }`: record fields, bound to names of the same name.
    Record(Vec<Ident>, Span),
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Name(ident) => ident.span,
            Pattern::Hole(span) | Pattern::Tuple(_, span) | Pattern::Record(_, span) => *span,
        }
    }

    /// Every name the pattern binds, left to right.
    pub fn names(&self) -> Vec<&Ident> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<&'a Ident>) {
        match self {
            Pattern::Name(ident) => out.push(ident),
            Pattern::Hole(_) => {}
            Pattern::Tuple(items, _) => items.iter().for_each(|p| p.collect_names(out)),
            Pattern::Record(fields, _) => out.extend(fields.iter()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// `int`, `str`, `bool`, an alias, a type variable or an uninterpreted type.
    Name(Ident),
    /// `Set[int]`, `List[a]`, `Option[int]`.
    App(Ident, Vec<Type>),
    /// `a -> b`: a map (function) type.
    Fun(Box<Type>, Box<Type>),
    /// `(a, b) => c`: an operator type.
    Oper(Vec<Type>, Box<Type>),
    Tuple(Vec<Type>),
    /// `{ f: int, g: str }`, or with a row variable `{ f: int | r }`.
    Record(Vec<(Ident, Type)>, Option<Ident>),
    /// `(T)`: only kept by the parser to tell `(T) => U` from `((T)) => U`.
    Paren(Box<Type>),
    Error,
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

impl Drop for Pattern {
    /// Taken apart without recursion: a pattern may nest deeper than the stack allows before
    /// the nesting limit refuses it.
    fn drop(&mut self) {
        let Pattern::Tuple(items, _) = self else { return };
        if !items.iter().any(|p| matches!(p, Pattern::Tuple(..))) {
            return;
        }
        let mut pending = std::mem::take(items);
        while let Some(mut p) = pending.pop() {
            if let Pattern::Tuple(inner, _) = &mut p {
                pending.append(inner);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    And,
    Or,
    Iff,
    Implies,
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    /// `k -> v`: a pair, mainly for `Map(k -> v)`.
    Pair,
}

impl BinOp {
    /// The builtin operator the infix form stands for.
    pub fn builtin(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Iff => "iff",
            BinOp::Implies => "implies",
            BinOp::Eq => "eq",
            BinOp::NotEq => "neq",
            BinOp::Lt => "ilt",
            BinOp::Le => "ilte",
            BinOp::Gt => "igt",
            BinOp::Ge => "igte",
            BinOp::Add => "iadd",
            BinOp::Sub => "isub",
            BinOp::Mul => "imul",
            BinOp::Div => "idiv",
            BinOp::Mod => "imod",
            BinOp::Pow => "ipow",
            BinOp::Pair => "Tup",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Iff => "iff",
            BinOp::Implies => "implies",
            BinOp::Eq => "==",
            BinOp::NotEq => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Pair => "->",
        }
    }
}

/// The braced operator forms `and { }`, `or { }`, `all { }`, `any { }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockOp {
    And,
    Or,
    All,
    Any,
}

impl BlockOp {
    pub fn builtin(self) -> &'static str {
        match self {
            BlockOp::And => "and",
            BlockOp::Or => "or",
            BlockOp::All => "actionAll",
            BlockOp::Any => "actionAny",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordItem {
    Field(Ident, Expr),
    /// `...r`
    Spread(Expr),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchArm {
    pub pattern: MatchPattern,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchPattern {
    /// `A`, `A(x)`, `A(_)`
    Variant(Ident, Option<Pattern>),
    /// `_`
    Wildcard(Span),
}

/// A local binding that scopes over the expression after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LetBinding {
    Def(Def),
    /// `val (a, b) = e` or `val { f, g } = r`.
    Destructure { qualifier: Qualifier, pattern: Pattern, value: Expr, span: Span },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// A name, possibly qualified.
    Name(String),
    Int(BigInt),
    Bool(bool),
    Str(String),
    /// `f(a, b)`, including `Set(..)`, `not(..)`, `M::f(..)`.
    App { callee: Ident, args: Vec<Expr> },
    /// `e.f(a, b)`: the same as `f(e, a, b)`.
    MethodCall { receiver: Box<Expr>, method: Ident, args: Vec<Expr> },
    /// `e.f` (record field) or `e._1` (tuple item).
    Field { receiver: Box<Expr>, field: Ident },
    /// `l[i]`
    Index { list: Box<Expr>, index: Box<Expr> },
    Binary { op: BinOp, op_span: Span, lhs: Box<Expr>, rhs: Box<Expr> },
    Neg(Box<Expr>),
    /// `e'`
    Prime(Box<Expr>),
    /// `x' = e`
    Assign { var: Ident, value: Box<Expr> },
    Lambda { params: Vec<Param>, body: Box<Expr> },
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Record(Vec<RecordItem>),
    If { cond: Box<Expr>, then: Box<Expr>, otherwise: Box<Expr> },
    Match { scrutinee: Box<Expr>, arms: Vec<MatchArm> },
    Block { op: BlockOp, args: Vec<Expr> },
    Let { binding: Box<LetBinding>, body: Box<Expr> },
    /// `( e )`
    Paren(Box<Expr>),
    /// `{ e }`
    Braces(Box<Expr>),
    /// `_` where an expression is expected (only meaningful before `=>`).
    Hole,
    /// An expression that did not parse; its diagnostic was reported.
    Error,
}

impl Expr {
    /// The node's kind, taken out (an `Expr` cannot be destructured: it implements `Drop`).
    pub fn into_kind(mut self) -> ExprKind {
        std::mem::replace(&mut self.kind, ExprKind::Error)
    }

    pub fn error(span: Span) -> Expr {
        Expr { kind: ExprKind::Error, span }
    }

    /// The expression without any parentheses or braces around it.
    pub fn unparenthesized(&self) -> &Expr {
        let mut e = self;
        while let ExprKind::Paren(inner) | ExprKind::Braces(inner) = &e.kind {
            e = inner;
        }
        e
    }

    /// Moves the direct subexpressions out (leaving `Error` nodes behind), so that a deep
    /// tree can be taken apart without recursion.
    pub fn take_children(&mut self) -> Vec<Expr> {
        fn take(b: &mut Box<Expr>) -> Expr {
            let span = b.span;
            std::mem::replace(&mut **b, Expr::error(span))
        }
        match &mut self.kind {
            ExprKind::Name(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Hole | ExprKind::Error => {
                Vec::new()
            }
            ExprKind::App { args, .. } | ExprKind::Tuple(args) | ExprKind::List(args) | ExprKind::Block { args, .. } => {
                std::mem::take(args)
            }
            ExprKind::MethodCall { receiver, args, .. } => {
                let mut out = std::mem::take(args);
                out.push(take(receiver));
                out
            }
            ExprKind::Field { receiver: e, .. }
            | ExprKind::Neg(e)
            | ExprKind::Prime(e)
            | ExprKind::Assign { value: e, .. }
            | ExprKind::Lambda { body: e, .. }
            | ExprKind::Paren(e)
            | ExprKind::Braces(e) => vec![take(e)],
            ExprKind::Index { list: a, index: b } | ExprKind::Binary { lhs: a, rhs: b, .. } => vec![take(a), take(b)],
            ExprKind::Record(items) => std::mem::take(items)
                .into_iter()
                .map(|item| match item {
                    RecordItem::Field(_, e) | RecordItem::Spread(e) => e,
                })
                .collect(),
            ExprKind::If { cond, then, otherwise } => vec![take(cond), take(then), take(otherwise)],
            ExprKind::Match { scrutinee, arms } => {
                let mut out: Vec<Expr> = std::mem::take(arms).into_iter().map(|arm| arm.body).collect();
                out.push(take(scrutinee));
                out
            }
            ExprKind::Let { binding, body } => {
                let mut out = vec![take(body)];
                match &mut **binding {
                    LetBinding::Def(def) => out.extend(def.body.take()),
                    LetBinding::Destructure { value, .. } => out.push(std::mem::replace(value, Expr::error(value.span))),
                }
                out
            }
        }
    }

    /// Direct subexpressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Name(_) | ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Hole | ExprKind::Error => {
                Vec::new()
            }
            ExprKind::App { args, .. } | ExprKind::Tuple(args) | ExprKind::List(args) | ExprKind::Block { args, .. } => {
                args.iter().collect()
            }
            ExprKind::MethodCall { receiver, args, .. } => std::iter::once(&**receiver).chain(args.iter()).collect(),
            ExprKind::Field { receiver: e, .. }
            | ExprKind::Neg(e)
            | ExprKind::Prime(e)
            | ExprKind::Assign { value: e, .. }
            | ExprKind::Lambda { body: e, .. }
            | ExprKind::Paren(e)
            | ExprKind::Braces(e) => vec![e],
            ExprKind::Index { list: a, index: b } | ExprKind::Binary { lhs: a, rhs: b, .. } => vec![a, b],
            ExprKind::Record(items) => items
                .iter()
                .map(|item| match item {
                    RecordItem::Field(_, e) | RecordItem::Spread(e) => e,
                })
                .collect(),
            ExprKind::If { cond, then, otherwise } => vec![cond, then, otherwise],
            ExprKind::Match { scrutinee, arms } => std::iter::once(&**scrutinee).chain(arms.iter().map(|a| &a.body)).collect(),
            ExprKind::Let { binding, body } => {
                let mut out = Vec::new();
                match &**binding {
                    LetBinding::Def(def) => out.extend(def.body.as_ref()),
                    LetBinding::Destructure { value, .. } => out.push(value),
                }
                out.push(body);
                out
            }
        }
    }
}
