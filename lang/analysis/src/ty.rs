//! Types of the language and their display. Type variables are numbered; a `Scheme`
//! quantifies some of them (let-polymorphism). Records are rows: known fields plus an
//! optional row variable standing for "any other fields". Sum types are nominal: a
//! constructor belongs to the type that declared it.
//!
//! Tuples are rows too, as in Quint: `t._2` on a `t` of unknown shape makes `t` a tuple of
//! at least two items. Such an open tuple is written `Ty::Tuple([a, b, rest])` where `rest`
//! is [`Ty::tuple_rest`] over a variable standing for the items after these (see
//! [`split_tuple`]); the variable is bound to a tuple of the remaining items once known.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub type TyVar = u32;

/// The key of the marker that ends an open tuple (no declared type can have it).
pub const TUPLE_REST: &str = "..";

/// The known items of a tuple type and its open tail, if any.
pub fn split_tuple(items: &[Ty]) -> (&[Ty], Option<TyVar>) {
    match items.split_last() {
        Some((Ty::Sum(key, args), known)) if key == TUPLE_REST => match args.first() {
            Some(Ty::Var(v)) => (known, Some(*v)),
            _ => (known, None),
        },
        _ => (items, None),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Int,
    Bool,
    Str,
    Set(Arc<Ty>),
    List(Arc<Ty>),
    /// A map (function) type `a -> b`.
    Map(Arc<Ty>, Arc<Ty>),
    Tuple(Vec<Ty>),
    Record(Row),
    /// An operator type `(a, b) => c`.
    Oper(Vec<Ty>, Arc<Ty>),
    /// A declared sum type with its type arguments.
    Sum(String, Vec<Ty>),
    /// An uninterpreted type (`type T` without a definition).
    Const(String),
    Var(TyVar),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Row {
    pub fields: Arc<BTreeMap<String, Ty>>,
    /// `None`: exactly these fields. `Some(v)`: these and whatever `v` stands for.
    pub rest: Option<TyVar>,
}

/// A type with universally quantified variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scheme {
    pub vars: Vec<TyVar>,
    pub ty: Ty,
}

impl Scheme {
    pub fn mono(ty: Ty) -> Scheme {
        Scheme { vars: Vec::new(), ty }
    }
}

impl Ty {
    pub fn set(t: Ty) -> Ty {
        Ty::Set(Arc::new(t))
    }
    pub fn list(t: Ty) -> Ty {
        Ty::List(Arc::new(t))
    }
    pub fn map(k: Ty, v: Ty) -> Ty {
        Ty::Map(Arc::new(k), Arc::new(v))
    }
    pub fn oper(params: Vec<Ty>, ret: Ty) -> Ty {
        Ty::Oper(params, Arc::new(ret))
    }
    pub fn record(fields: impl IntoIterator<Item = (String, Ty)>) -> Ty {
        Ty::Record(Row { fields: Arc::new(fields.into_iter().collect()), rest: None })
    }

    /// The marker that ends an open tuple: "and the items `v` stands for".
    pub fn tuple_rest(v: TyVar) -> Ty {
        Ty::Sum(TUPLE_REST.to_string(), vec![Ty::Var(v)])
    }

    /// A tuple of these items and, when `rest` is given, whatever items it stands for.
    pub fn open_tuple(mut items: Vec<Ty>, rest: Option<TyVar>) -> Ty {
        if let Some(v) = rest {
            items.push(Ty::tuple_rest(v));
        }
        Ty::Tuple(items)
    }

    /// Type variables that occur in the type (row variables included).
    pub fn free_vars(&self, out: &mut Vec<TyVar>) {
        grow(|| self.free_vars_inner(out))
    }

    fn free_vars_inner(&self, out: &mut Vec<TyVar>) {
        match self {
            Ty::Int | Ty::Bool | Ty::Str | Ty::Const(_) => {}
            Ty::Var(v) => {
                if !out.contains(v) {
                    out.push(*v)
                }
            }
            Ty::Set(t) | Ty::List(t) => t.free_vars(out),
            Ty::Map(a, b) => {
                a.free_vars(out);
                b.free_vars(out);
            }
            Ty::Tuple(items) | Ty::Sum(_, items) => items.iter().for_each(|t| t.free_vars(out)),
            Ty::Oper(params, ret) => {
                params.iter().for_each(|t| t.free_vars(out));
                ret.free_vars(out);
            }
            Ty::Record(row) => {
                row.fields.values().for_each(|t| t.free_vars(out));
                if let Some(v) = row.rest {
                    if !out.contains(&v) {
                        out.push(v)
                    }
                }
            }
        }
    }
}

/// Runs a step of a recursive pass over types, growing the stack first when it runs low:
/// types are as deep as annotations (up to the `nesting` limit) or inference make them.
pub(crate) fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, f)
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        TyDisplay { ty: self, names: &BTreeMap::new() }.fmt(f)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = var_names(&self.ty);
        TyDisplay { ty: &self.ty, names: &names }.fmt(f)
    }
}

/// Letters for the type variables of `ty`, in order of appearance: a, b, c, ...
pub fn var_names(ty: &Ty) -> BTreeMap<TyVar, String> {
    let mut vars = Vec::new();
    ty.free_vars(&mut vars);
    // The tail of an open tuple is shown as `...`, without a name.
    let mut tails = Vec::new();
    tuple_tails(ty, &mut tails);
    vars.retain(|v| !tails.contains(v));
    vars.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let letter = (b'a' + (i % 26) as u8) as char;
            let name = if i < 26 { letter.to_string() } else { format!("{letter}{}", i / 26) };
            (v, name)
        })
        .collect()
}

fn tuple_tails(ty: &Ty, out: &mut Vec<TyVar>) {
    grow(|| tuple_tails_inner(ty, out))
}

fn tuple_tails_inner(ty: &Ty, out: &mut Vec<TyVar>) {
    match ty {
        Ty::Int | Ty::Bool | Ty::Str | Ty::Const(_) | Ty::Var(_) => {}
        Ty::Set(t) | Ty::List(t) => tuple_tails(t, out),
        Ty::Map(a, b) => {
            tuple_tails(a, out);
            tuple_tails(b, out);
        }
        Ty::Tuple(items) => {
            let (known, rest) = split_tuple(items);
            out.extend(rest);
            known.iter().for_each(|t| tuple_tails(t, out));
        }
        Ty::Sum(_, items) => items.iter().for_each(|t| tuple_tails(t, out)),
        Ty::Oper(params, ret) => {
            params.iter().for_each(|t| tuple_tails(t, out));
            tuple_tails(ret, out);
        }
        Ty::Record(row) => row.fields.values().for_each(|t| tuple_tails(t, out)),
    }
}

/// Shows a type with its variables named as in `names` (others as `t12`).
pub struct TyDisplay<'a> {
    pub ty: &'a Ty,
    pub names: &'a BTreeMap<TyVar, String>,
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        grow(|| self.fmt_inner(f))
    }
}

impl TyDisplay<'_> {
    fn fmt_inner(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub = |ty| TyDisplay { ty, names: self.names };
        let var = |v: &TyVar| self.names.get(v).cloned().unwrap_or_else(|| format!("t{v}"));
        match self.ty {
            Ty::Int => write!(f, "int"),
            Ty::Bool => write!(f, "bool"),
            Ty::Str => write!(f, "str"),
            Ty::Set(t) => write!(f, "Set[{}]", sub(t)),
            Ty::List(t) => write!(f, "List[{}]", sub(t)),
            Ty::Map(a, b) => {
                if matches!(**a, Ty::Map(..) | Ty::Oper(..)) {
                    write!(f, "({}) -> {}", sub(a), sub(b))
                } else {
                    write!(f, "{} -> {}", sub(a), sub(b))
                }
            }
            Ty::Tuple(items) => {
                let (known, rest) = split_tuple(items);
                write!(f, "(")?;
                for (i, t) in known.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}", sub(t))?;
                }
                if rest.is_some() {
                    write!(f, "{}...", if known.is_empty() { "" } else { ", " })?;
                }
                write!(f, ")")
            }
            Ty::Record(row) => {
                if row.fields.is_empty() && row.rest.is_none() {
                    return write!(f, "{{}}");
                }
                write!(f, "{{ ")?;
                for (i, (name, t)) in row.fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{name}: {}", sub(t))?;
                }
                if let Some(v) = row.rest {
                    if row.fields.is_empty() {
                        write!(f, "| {}", var(&v))?;
                    } else {
                        write!(f, " | {}", var(&v))?;
                    }
                }
                write!(f, " }}")
            }
            Ty::Oper(params, ret) => {
                write!(f, "(")?;
                for (i, t) in params.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}", sub(t))?;
                }
                write!(f, ") => {}", sub(ret))
            }
            Ty::Sum(key, args) => {
                // Sum types are keyed `Module::Name`; people know them by `Name`.
                let name = key.rsplit("::").next().unwrap_or(key);
                write!(f, "{name}")?;
                if !args.is_empty() {
                    write!(f, "[")?;
                    for (i, t) in args.iter().enumerate() {
                        if i > 0 {
                            write!(f, ", ")?;
                        }
                        write!(f, "{}", sub(t))?;
                    }
                    write!(f, "]")?;
                }
                Ok(())
            }
            Ty::Const(name) => write!(f, "{name}"),
            Ty::Var(v) => write!(f, "{}", var(v)),
        }
    }
}

/// What type variables stand for, as inference found out. A bound type is shared: following
/// a variable hands out its type without copying it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Substitution {
    pub bindings: Vec<Option<Arc<Ty>>>,
}

/// A type with its outermost variables followed: the type given, or the type a variable
/// stands for (shared with the substitution). Reading it copies nothing.
pub enum Shallow<'a> {
    Given(&'a Ty),
    Bound(Arc<Ty>),
}

impl std::ops::Deref for Shallow<'_> {
    type Target = Ty;
    fn deref(&self) -> &Ty {
        match self {
            Shallow::Given(t) => t,
            Shallow::Bound(t) => t,
        }
    }
}

impl Shallow<'_> {
    /// The type, to be stored: shared when it is already, copied once otherwise.
    pub fn into_shared(self) -> Arc<Ty> {
        match self {
            Shallow::Given(t) => Arc::new(t.clone()),
            Shallow::Bound(t) => t,
        }
    }
}

impl Substitution {
    /// What variable `v` stands for, if it is known.
    pub fn bound(&self, v: TyVar) -> Option<&Ty> {
        self.bindings.get(v as usize).and_then(|b| b.as_deref())
    }

    /// The type with every known variable replaced, records flattened.
    pub fn resolve(&self, ty: &Ty) -> Ty {
        grow(|| self.resolve_inner(ty))
    }

    fn resolve_inner(&self, ty: &Ty) -> Ty {
        match ty {
            Ty::Var(v) => match self.bound(*v) {
                Some(t) => self.resolve(t),
                None => ty.clone(),
            },
            Ty::Int | Ty::Bool | Ty::Str | Ty::Const(_) => ty.clone(),
            Ty::Set(t) => Ty::set(self.resolve(t)),
            Ty::List(t) => Ty::list(self.resolve(t)),
            Ty::Map(a, b) => Ty::map(self.resolve(a), self.resolve(b)),
            Ty::Tuple(items) => {
                let (known, rest) = self.tuple(items);
                Ty::open_tuple(known.iter().map(|t| self.resolve(t)).collect(), rest)
            }
            Ty::Sum(n, items) => Ty::Sum(n.clone(), items.iter().map(|t| self.resolve(t)).collect()),
            Ty::Oper(ps, r) => Ty::oper(ps.iter().map(|t| self.resolve(t)).collect(), self.resolve(r)),
            Ty::Record(row) => {
                let (fields, rest) = self.row(row);
                Ty::Record(Row { fields: Arc::new(fields.iter().map(|(k, t)| (k.clone(), self.resolve(t))).collect()), rest })
            }
        }
    }

    /// All fields of a row, following bound row variables, and its open tail if any. The
    /// row's own fields are borrowed when no bound variable adds to them.
    pub fn row<'a>(&self, row: &'a Row) -> (Cow<'a, BTreeMap<String, Ty>>, Option<TyVar>) {
        let mut fields = Cow::Borrowed(&*row.fields);
        let mut rest = row.rest;
        while let Some(v) = rest {
            match self.bound(v) {
                Some(Ty::Record(inner)) => {
                    let fields = fields.to_mut();
                    for (k, t) in inner.fields.iter() {
                        fields.entry(k.clone()).or_insert_with(|| t.clone());
                    }
                    rest = inner.rest;
                }
                Some(Ty::Var(w)) => rest = Some(*w),
                _ => break,
            }
        }
        (fields, rest)
    }

    /// All items of a tuple, following bound tails, and its open tail if any.
    pub fn tuple(&self, items: &[Ty]) -> (Vec<Ty>, Option<TyVar>) {
        let (known, mut rest) = split_tuple(items);
        let mut out = known.to_vec();
        while let Some(v) = rest {
            match self.bound(v) {
                Some(Ty::Tuple(more)) => {
                    let (known, next) = split_tuple(more);
                    out.extend(known.iter().cloned());
                    rest = next;
                }
                Some(Ty::Var(w)) => rest = Some(*w),
                _ => break,
            }
        }
        (out, rest)
    }

    /// The outermost shape of a type (variables followed), as a copy.
    pub fn shallow(&self, ty: &Ty) -> Ty {
        (*self.shallow_shared(ty)).clone()
    }

    /// The outermost shape of a type (variables followed), without copying it.
    pub fn shallow_shared<'a>(&self, ty: &'a Ty) -> Shallow<'a> {
        let mut t = Shallow::Given(ty);
        while let Ty::Var(v) = &*t {
            match self.bindings.get(*v as usize).and_then(|b| b.clone()) {
                Some(next) => t = Shallow::Bound(next),
                None => break,
            }
        }
        t
    }

    /// Whether `v` occurs in `ty` (following known variables), without building a copy.
    pub fn occurs(&self, v: TyVar, ty: &Ty) -> bool {
        grow(|| self.occurs_inner(v, ty))
    }

    fn occurs_inner(&self, v: TyVar, ty: &Ty) -> bool {
        match ty {
            Ty::Var(w) => *w == v || self.bound(*w).is_some_and(|t| self.occurs(v, t)),
            Ty::Int | Ty::Bool | Ty::Str | Ty::Const(_) => false,
            Ty::Set(t) | Ty::List(t) => self.occurs(v, t),
            Ty::Map(a, b) => self.occurs(v, a) || self.occurs(v, b),
            Ty::Tuple(items) | Ty::Sum(_, items) => items.iter().any(|t| self.occurs(v, t)),
            Ty::Oper(ps, r) => ps.iter().any(|t| self.occurs(v, t)) || self.occurs(v, r),
            Ty::Record(row) => {
                row.fields.values().any(|t| self.occurs(v, t))
                    || row.rest.is_some_and(|r| self.occurs(v, &Ty::Var(r)))
            }
        }
    }
}

/// The names people know types by: type aliases without parameters, found by their bodies.
/// Only composite bodies count (`type Addr = str` would otherwise rename every string), and
/// a body that two aliases share names neither.
#[derive(Clone, Debug, Default)]
pub struct Aliases {
    names: std::collections::HashMap<Ty, String>,
}

impl Aliases {
    pub fn new(aliases: impl IntoIterator<Item = (String, Ty)>) -> Aliases {
        let mut names: std::collections::HashMap<Ty, Option<String>> = std::collections::HashMap::new();
        for (name, body) in aliases {
            let composite = matches!(body, Ty::Record(_) | Ty::Tuple(_) | Ty::Map(..) | Ty::Set(_) | Ty::List(_) | Ty::Oper(..));
            let mut vars = Vec::new();
            body.free_vars(&mut vars);
            if !composite || !vars.is_empty() {
                continue;
            }
            names
                .entry(body)
                .and_modify(|n| {
                    if n.as_deref() != Some(name.as_str()) {
                        *n = None
                    }
                })
                .or_insert(Some(name));
        }
        Aliases { names: names.into_iter().filter_map(|(t, n)| Some((t, n?))).collect() }
    }

    pub fn name(&self, ty: &Ty) -> Option<&str> {
        self.names.get(ty).map(|s| s.as_str())
    }
}

/// Above this many characters, a record is shown in part.
const LONG: usize = 60;
/// How many fields of a long record are shown when there is nothing better to choose by.
const SHOWN_FIELDS: usize = 3;

/// Shows resolved types for people: aliases by their names, long records in part. Shown
/// against another type (the other side of a mismatch), a long record keeps the fields
/// that differ from the other side's and elides the rest.
pub struct Shown<'a> {
    pub names: &'a BTreeMap<TyVar, String>,
    pub aliases: &'a Aliases,
    /// Cut long records down (messages); hover shows them whole.
    pub elide: bool,
}

impl Shown<'_> {
    /// Letters for the variables of several types at once, so that one name means one variable.
    pub fn names_of(types: &[&Ty]) -> BTreeMap<TyVar, String> {
        let tuple = Ty::Tuple(types.iter().map(|t| (*t).clone()).collect());
        var_names(&tuple)
    }

    pub fn ty(&self, ty: &Ty, against: Option<&Ty>) -> String {
        grow(|| self.ty_inner(ty, against))
    }

    fn ty_inner(&self, ty: &Ty, against: Option<&Ty>) -> String {
        if let Some(name) = self.aliases.name(ty) {
            return name.to_string();
        }
        let inner = |t: &Ty, other: Option<&Ty>| self.ty(t, other);
        match ty {
            Ty::Set(t) => format!("Set[{}]", inner(t, match against {
                Some(Ty::Set(o)) => Some(o),
                _ => None,
            })),
            Ty::List(t) => format!("List[{}]", inner(t, match against {
                Some(Ty::List(o)) => Some(o),
                _ => None,
            })),
            Ty::Map(a, b) => {
                let (oa, ob) = match against {
                    Some(Ty::Map(x, y)) => (Some(&**x), Some(&**y)),
                    _ => (None, None),
                };
                let key = inner(a, oa);
                let key = if matches!(**a, Ty::Map(..) | Ty::Oper(..)) { format!("({key})") } else { key };
                format!("{key} -> {}", inner(b, ob))
            }
            Ty::Tuple(items) => {
                let (known, rest) = split_tuple(items);
                let others: Vec<Ty> = match against {
                    Some(Ty::Tuple(o)) => split_tuple(o).0.to_vec(),
                    _ => Vec::new(),
                };
                let mut parts: Vec<String> = known.iter().enumerate().map(|(i, t)| inner(t, others.get(i))).collect();
                if rest.is_some() {
                    parts.push("...".into());
                }
                format!("({})", parts.join(", "))
            }
            Ty::Oper(params, ret) => {
                let (ops, oret) = match against {
                    Some(Ty::Oper(p, r)) if p.len() == params.len() => (p.iter().collect::<Vec<_>>(), Some(&**r)),
                    _ => (Vec::new(), None),
                };
                let parts: Vec<String> = params.iter().enumerate().map(|(i, t)| inner(t, ops.get(i).copied())).collect();
                format!("({}) => {}", parts.join(", "), inner(ret, oret))
            }
            Ty::Sum(key, args) if !args.is_empty() => {
                let name = key.rsplit("::").next().unwrap_or(key);
                format!("{name}[{}]", args.iter().map(|t| inner(t, None)).collect::<Vec<_>>().join(", "))
            }
            Ty::Record(row) => self.record(row, against),
            _ => TyDisplay { ty, names: self.names }.to_string(),
        }
    }

    fn record(&self, row: &Row, against: Option<&Ty>) -> String {
        let other = match against {
            Some(Ty::Record(o)) => Some(o),
            _ => None,
        };
        let field = |name: &str, t: &Ty| format!("{name}: {}", self.ty(t, other.and_then(|o| o.fields.get(name))));
        let tail = row.rest.map(|v| self.names.get(&v).cloned().unwrap_or_else(|| format!("t{v}")));
        let close = |parts: Vec<String>, tail: Option<String>| {
            if parts.is_empty() && tail.is_none() {
                return "{}".to_string();
            }
            let body = parts.join(", ");
            match (tail, body.is_empty()) {
                (Some(t), true) => format!("{{ | {t} }}"),
                (Some(t), false) => format!("{{ {body} | {t} }}"),
                (None, _) => format!("{{ {body} }}"),
            }
        };
        let full = close(row.fields.iter().map(|(n, t)| field(n, t)).collect(), tail.clone());
        if full.len() <= LONG || !self.elide {
            return full;
        }
        // Keep the fields that differ from the other side; elide the others.
        let differing: Vec<String> = match other {
            Some(o) => row.fields.iter().filter(|(n, t)| o.fields.get(*n) != Some(*t)).map(|(n, t)| field(n, t)).collect(),
            None => Vec::new(),
        };
        let mut parts = if other.is_some() { differing } else { row.fields.iter().take(SHOWN_FIELDS).map(|(n, t)| field(n, t)).collect() };
        let hidden = row.fields.len() - parts.len();
        if hidden > 0 {
            parts.push(format!("...{hidden} more"));
        }
        close(parts, tail)
    }
}
