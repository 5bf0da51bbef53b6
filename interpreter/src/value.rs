//! Runtime values. Collections are persistent (shared, never copied to be read): small sets
//! and maps are sorted arrays, large ones imbl B-trees (see `collection.rs`), lists imbl
//! vectors, so states are shared and compared at almost no cost. The `Ord` of `Value` *is* the canonical order of the conformance README:
//! ordered sets and maps iterate canonically, and printing needs no sorting step.
//! Integers are exact: an `i64` fast path that widens into a bigint instead of wrapping.

use crate::set::SetValue;
use crate::collection::{ValueMap, ValueSet};
use imbl::Vector;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// An exact integer.
#[derive(Clone, Debug)]
pub enum Int {
    Small(i64),
    /// Only for values outside the `i64` range (kept normalized).
    Big(Arc<BigInt>),
}

impl Int {
    pub fn from_big(n: BigInt) -> Int {
        match n.to_i64() {
            Some(s) => Int::Small(s),
            None => Int::Big(Arc::new(n)),
        }
    }

    pub fn to_big(&self) -> BigInt {
        match self {
            Int::Small(s) => BigInt::from(*s),
            Int::Big(b) => (**b).clone(),
        }
    }

    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Int::Small(s) => Some(*s),
            Int::Big(_) => None,
        }
    }

    pub fn is_negative(&self) -> bool {
        match self {
            Int::Small(s) => *s < 0,
            Int::Big(b) => b.is_negative(),
        }
    }

    /// How many bits the magnitude takes.
    pub fn bits(&self) -> u64 {
        match self {
            Int::Small(s) => 64 - s.unsigned_abs().leading_zeros() as u64,
            Int::Big(b) => b.bits(),
        }
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Int::Small(s) => *s == 0,
            Int::Big(b) => b.is_zero(),
        }
    }

    pub fn add(&self, other: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, other) {
            if let Some(r) = a.checked_add(*b) {
                return Int::Small(r);
            }
        }
        Int::from_big(self.to_big() + other.to_big())
    }

    pub fn sub(&self, other: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, other) {
            if let Some(r) = a.checked_sub(*b) {
                return Int::Small(r);
            }
        }
        Int::from_big(self.to_big() - other.to_big())
    }

    pub fn mul(&self, other: &Int) -> Int {
        if let (Int::Small(a), Int::Small(b)) = (self, other) {
            if let Some(r) = a.checked_mul(*b) {
                return Int::Small(r);
            }
        }
        Int::from_big(self.to_big() * other.to_big())
    }

    /// Division truncating toward zero; `None` when dividing by zero.
    pub fn div(&self, other: &Int) -> Option<Int> {
        if other.is_zero() {
            return None;
        }
        if let (Int::Small(a), Int::Small(b)) = (self, other) {
            if let Some(r) = a.checked_div(*b) {
                return Some(Int::Small(r));
            }
        }
        Some(Int::from_big(self.to_big() / other.to_big()))
    }

    /// Remainder with the sign of the dividend; `None` when dividing by zero.
    pub fn rem(&self, other: &Int) -> Option<Int> {
        if other.is_zero() {
            return None;
        }
        if let (Int::Small(a), Int::Small(b)) = (self, other) {
            if let Some(r) = a.checked_rem(*b) {
                return Some(Int::Small(r));
            }
        }
        Some(Int::from_big(self.to_big() % other.to_big()))
    }

    pub fn neg(&self) -> Int {
        match self {
            Int::Small(a) => a.checked_neg().map(Int::Small).unwrap_or_else(|| Int::from_big(-BigInt::from(*a))),
            Int::Big(b) => Int::from_big(-(**b).clone()),
        }
    }
}

impl PartialEq for Int {
    fn eq(&self, other: &Int) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Int {}
impl PartialOrd for Int {
    fn partial_cmp(&self, other: &Int) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Int {
    #[inline]
    fn cmp(&self, other: &Int) -> Ordering {
        match (self, other) {
            (Int::Small(a), Int::Small(b)) => a.cmp(b),
            _ => self.to_big().cmp(&other.to_big()),
        }
    }
}

/// Consistent with `Eq`: a value in the `i64` range hashes the same whichever variant holds it.
impl std::hash::Hash for Int {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Int::Small(s) => s.hash(state),
            Int::Big(b) => match b.to_i64() {
                Some(s) => s.hash(state),
                None => b.hash(state),
            },
        }
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Int::Small(s) => write!(f, "{s}"),
            Int::Big(b) => write!(f, "{b}"),
        }
    }
}

impl From<i64> for Int {
    fn from(n: i64) -> Int {
        Int::Small(n)
    }
}

/// An operator value: a lambda, a definition passed as an argument, or a builtin.
pub enum Lambda {
    /// A compiled anonymous operator (or local operator definition).
    Code(Arc<crate::compile::LambdaCode>),
    /// A top-level definition used as a value (`S.map(f)`).
    Def { def: spec_analysis::ir::DefId, site: spec_syntax::Span },
    /// A builtin used as a value (`S.map(not)`).
    Builtin { op: crate::builtins::Eager, name: &'static str, span: spec_syntax::Span },
}

impl Lambda {
    pub fn name(&self) -> String {
        match self {
            Lambda::Code(code) => code.name.to_string(),
            Lambda::Def { def, .. } => format!("definition #{def}"),
            Lambda::Builtin { name, .. } => name.to_string(),
        }
    }
}

impl fmt::Debug for Lambda {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<operator {}>", self.name())
    }
}

/// A record: fields sorted by name.
pub type Fields = Arc<Vec<(Arc<str>, Value)>>;

#[derive(Clone, Debug)]
pub enum Value {
    Bool(bool),
    Int(Int),
    Str(Arc<str>),
    Set(SetValue),
    Map(ValueMap),
    /// Boxed: an imbl vector is large, and values are moved around a lot.
    List(Arc<Vector<Value>>),
    Record(Fields),
    Tuple(Arc<Vec<Value>>),
    /// A sum-type value: the constructor and its payload (the empty tuple when it has none).
    Variant(Arc<str>, Arc<Value>),
    Lambda(Arc<Lambda>),
}

impl Value {
    pub fn int(n: i64) -> Value {
        Value::Int(Int::Small(n))
    }

    pub fn list(items: Vector<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    pub fn unit() -> Value {
        Value::Tuple(Arc::new(Vec::new()))
    }

    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// An equal value that shares no allocation with `self` (operators excepted). A value
    /// read by several threads is better copied once per thread than cloned by each: every
    /// clone writes the shared reference count, and the cores then pass its cache line, and
    /// the bytes beside it, back and forth.
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(Int::Small(n)) => Value::Int(Int::Small(*n)),
            Value::Int(Int::Big(b)) => Value::Int(Int::Big(Arc::new((**b).clone()))),
            Value::Str(s) => Value::Str(Arc::from(&**s)),
            Value::Set(set) => Value::Set(set.deep_copy()),
            Value::Map(map) => Value::Map(crate::collection::ValueMap::from_sorted_vec(map.iter().map(|(k, v)| (k.deep_copy(), v.deep_copy())).collect())),
            Value::List(items) => Value::list(items.iter().map(Value::deep_copy).collect()),
            Value::Record(fields) => Value::Record(Arc::new(fields.iter().map(|(name, v)| (Arc::from(&**name), v.deep_copy())).collect())),
            Value::Tuple(items) => Value::Tuple(Arc::new(items.iter().map(Value::deep_copy).collect())),
            Value::Variant(tag, payload) => Value::Variant(Arc::from(&**tag), Arc::new(payload.deep_copy())),
            Value::Lambda(l) => Value::Lambda(l.clone()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Str(_) => "str",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::List(_) => "list",
            Value::Record(_) => "record",
            Value::Tuple(_) => "tuple",
            Value::Variant(..) => "variant",
            Value::Lambda(_) => "operator",
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn record(mut fields: Vec<(Arc<str>, Value)>) -> Value {
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Record(Arc::new(fields))
    }

    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            // The same text (a name shared through the compilation) is found without a look inside.
            Value::Record(fields) => fields.iter().find(|(n, _)| std::ptr::eq(&**n, name) || &**n == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Equal exactly when `cmp` finds them equal, decided without ordering where that is
/// cheaper: the same allocation at once, then lengths before contents, names by pointer
/// before text (a name shared through the compilation, see `compile::Names`).
impl Value {
    /// Drops a value, without calling its drop glue when it holds nothing to free (a Boolean
    /// or a small integer): for the hot paths that drop many such values (registers
    /// overwritten by a call, the arguments of an operator, a condition's result).
    #[inline(always)]
    pub fn discard(self) {
        if matches!(self, Value::Bool(_) | Value::Int(Int::Small(_))) {
            std::mem::forget(self);
        } else {
            drop(self);
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(Int::Small(a)), Value::Int(Int::Small(b))) => a == b,
            (Value::Str(a), Value::Str(b)) => same_name(a, b),
            (Value::Variant(n1, p1), Value::Variant(n2, p2)) => same_name(n1, n2) && (Arc::ptr_eq(p1, p2) || **p1 == **p2),
            (Value::Tuple(a), Value::Tuple(b)) => Arc::ptr_eq(a, b) || **a == **b,
            (Value::Record(a), Value::Record(b)) => {
                Arc::ptr_eq(a, b) || (a.len() == b.len() && a.iter().zip(b.iter()).all(|((n1, v1), (n2, v2))| same_name(n1, n2) && v1 == v2))
            }
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Set(SetValue::Explicit(a)), Value::Set(SetValue::Explicit(b))) => a == b,
            (Value::List(a), Value::List(b)) => Arc::ptr_eq(a, b) || (a.len() == b.len() && a.iter().eq(b.iter())),
            _ => self.cmp(other) == Ordering::Equal,
        }
    }
}
impl Eq for Value {}
impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(Int::Small(a)), Value::Int(Int::Small(b))) => a.cmp(b),
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            // Shared values (the same allocation) are equal without a look inside.
            (Value::Str(a), Value::Str(b)) => cmp_names(a, b),
            (Value::Set(a), Value::Set(b)) => a.cmp(b),
            (Value::Map(a), Value::Map(b)) => a.cmp(b),
            (Value::List(a), Value::List(b)) if Arc::ptr_eq(a, b) => Ordering::Equal,
            (Value::List(a), Value::List(b)) => a.iter().cmp(b.iter()),
            (Value::Record(a), Value::Record(b)) if Arc::ptr_eq(a, b) => Ordering::Equal,
            (Value::Record(a), Value::Record(b)) => {
                // Fields holding names or small integers are compared inline (`cmp_quick`).
                for ((n1, v1), (n2, v2)) in a.iter().zip(b.iter()) {
                    match cmp_names(n1, n2).then_with(|| v1.cmp_quick(v2)) {
                        Ordering::Equal => {}
                        other => return other,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Value::Tuple(a), Value::Tuple(b)) if Arc::ptr_eq(a, b) => Ordering::Equal,
            (Value::Tuple(a), Value::Tuple(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.cmp_quick(y) {
                        Ordering::Equal => {}
                        other => return other,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Value::Variant(n1, p1), Value::Variant(n2, p2)) => cmp_names(n1, n2).then_with(|| if Arc::ptr_eq(p1, p2) { Ordering::Equal } else { p1.cmp(p2) }),
            (Value::Lambda(a), Value::Lambda(b)) => (Arc::as_ptr(a) as usize).cmp(&(Arc::as_ptr(b) as usize)),
            // Values of different kinds never meet in a well-typed program; order by kind.
            _ => self.kind().cmp(other.kind()),
        }
    }
}

/// Whether two names are equal, the same one (one allocation) found equal at once.
#[inline]
pub fn same_name(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Strings in canonical order, the same string (one allocation) found equal at once.
#[inline]
fn cmp_names(a: &Arc<str>, b: &Arc<str>) -> Ordering {
    if Arc::ptr_eq(a, b) {
        return Ordering::Equal;
    }
    // Byte order. Short names (process and message names: "r1", "prepared") are compared
    // byte by byte here, without a `memcmp` call; the first difference decides.
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len().min(y.len()) <= 16 {
        for (p, q) in x.iter().zip(y) {
            if p != q {
                return p.cmp(q);
            }
        }
        return x.len().cmp(&y.len());
    }
    x.cmp(y)
}

impl Value {
    /// The canonical order (`Ord::cmp`), with the commonest cases, two small integers or
    /// two strings, decided inline: for searches in sorted collections.
    #[inline]
    pub fn cmp_quick(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Int(Int::Small(a)), Value::Int(Int::Small(b))) => a.cmp(b),
            (Value::Str(a), Value::Str(b)) => cmp_names(a, b),
            _ => self.cmp(other),
        }
    }

    /// A number per kind, hashed before the contents.
    fn kind_tag(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Int(_) => 1,
            Value::Str(_) => 2,
            Value::Set(_) => 3,
            Value::Map(_) => 4,
            Value::List(_) => 5,
            Value::Record(_) => 6,
            Value::Tuple(_) => 7,
            Value::Variant(..) => 8,
            Value::Lambda(_) => 9,
        }
    }
}

/// Consistent with `Eq` (values equal under the canonical order hash equal): collections
/// hash their items in canonical order, symbolic sets like the explicit sets they equal,
/// operators by identity.
impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u8(self.kind_tag());
        match self {
            Value::Bool(b) => b.hash(state),
            Value::Int(n) => n.hash(state),
            Value::Str(s) => s.hash(state),
            Value::Set(s) => s.hash(state),
            Value::Map(m) => {
                for (k, v) in m.iter() {
                    k.hash(state);
                    v.hash(state);
                }
                state.write_usize(m.len());
            }
            Value::List(items) => {
                items.iter().for_each(|v| v.hash(state));
                state.write_usize(items.len());
            }
            Value::Record(fields) => fields.hash(state),
            Value::Tuple(items) => items.hash(state),
            Value::Variant(name, payload) => {
                name.hash(state);
                payload.hash(state);
            }
            Value::Lambda(l) => (Arc::as_ptr(l) as *const () as usize).hash(state),
        }
    }
}

impl fmt::Display for Value {
    /// The canonical form: the language's literal notation, sets and maps in value order,
    /// record fields by name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Str(s) => write!(f, "\"{s}\""),
            Value::Set(s) => write!(f, "{s}"),
            Value::Map(m) => write_joined(f, "Map(", m.iter().map(|(k, v)| format!("{k} -> {v}")), ")"),
            Value::List(items) => write_joined(f, "[", items.iter(), "]"),
            Value::Record(fields) if fields.is_empty() => write!(f, "{{}}"),
            Value::Record(fields) => write_joined(f, "{ ", fields.iter().map(|(name, v)| format!("{name}: {v}")), " }"),
            Value::Tuple(items) => write_joined(f, "(", items.iter(), ")"),
            Value::Variant(name, payload) => match &**payload {
                // As Quint prints them: a tuple payload keeps its own parentheses, `D((1, true))`.
                Value::Tuple(items) if items.is_empty() => write!(f, "{name}"),
                other => write!(f, "{name}({other})"),
            },
            Value::Lambda(l) => write!(f, "<operator {}>", l.name()),
        }
    }
}

/// Writes `open`, the items separated by `, `, then `close`.
pub fn write_joined<T: fmt::Display>(f: &mut fmt::Formatter<'_>, open: &str, items: impl Iterator<Item = T>, close: &str) -> fmt::Result {
    f.write_str(open)?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    f.write_str(close)
}

/// Small helpers to build values in tests and examples.
pub fn set_of(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Set(SetValue::Explicit(items.into_iter().collect::<ValueSet>()))
}

/// Sign-aware conversion of a count to a value.
pub fn count(n: usize) -> Value {
    match i64::try_from(n) {
        Ok(n) => Value::int(n),
        Err(_) => Value::Int(Int::from_big(BigInt::from(n))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_small() {
        assert!(std::mem::size_of::<Value>() <= 32, "{}", std::mem::size_of::<Value>());
    }

    #[test]
    fn ints_widen_instead_of_wrapping() {
        let max = Int::Small(i64::MAX);
        assert_eq!(max.add(&Int::Small(1)).to_string(), "9223372036854775808");
        assert_eq!(Int::Small(i64::MIN).sub(&Int::Small(1)).to_string(), "-9223372036854775809");
        assert_eq!(Int::Small(i64::MIN).neg().to_string(), "9223372036854775808");
        let big = max.mul(&max);
        assert!(big > max);
        assert_eq!(big.sub(&big), Int::Small(0));
        assert!(matches!(big.sub(&big), Int::Small(0)));
    }

    #[test]
    fn division_truncates_toward_zero() {
        let d = |a: i64, b: i64| Int::Small(a).div(&Int::Small(b)).map(|r| r.to_string());
        let m = |a: i64, b: i64| Int::Small(a).rem(&Int::Small(b)).map(|r| r.to_string());
        assert_eq!(d(-7, 2).as_deref(), Some("-3"));
        assert_eq!(d(7, -2).as_deref(), Some("-3"));
        assert_eq!(m(-7, 3).as_deref(), Some("-1"));
        assert_eq!(m(7, -3).as_deref(), Some("1"));
        assert_eq!(d(1, 0), None);
        assert_eq!(Int::Small(i64::MIN).div(&Int::Small(-1)).map(|r| r.to_string()).as_deref(), Some("9223372036854775808"));
    }

    #[test]
    fn canonical_display_sorts_sets_maps_and_fields() {
        let s = set_of([Value::int(3), Value::int(1), Value::int(2)]);
        assert_eq!(s.to_string(), "Set(1, 2, 3)");
        let r = Value::record(vec![(Arc::from("b"), Value::int(2)), (Arc::from("a"), Value::int(1))]);
        assert_eq!(r.to_string(), "{ a: 1, b: 2 }");
        let sets = set_of([set_of([Value::int(2)]), set_of([]), set_of([Value::int(1), Value::int(2)])]);
        assert_eq!(sets.to_string(), "Set(Set(), Set(1, 2), Set(2))");
    }

    #[test]
    fn names_short_and_long_order_like_their_bytes() {
        // Around the length where the comparison stops going byte by byte inline.
        let texts: Vec<String> = ["", "a", "r1", "r10", "r2", "prepared", "preparedX"]
            .iter()
            .map(|t| t.to_string())
            .chain((14..20).flat_map(|n| ["x".repeat(n), format!("{}y", "x".repeat(n)), format!("{}a", "x".repeat(n))]))
            .chain(["\u{e9}t\u{e9}".to_string(), "\u{e9}t".to_string()])
            .collect();
        for a in &texts {
            for b in &texts {
                let (x, y) = (Value::str(a), Value::str(b));
                assert_eq!(x.cmp(&y), a.as_bytes().cmp(b.as_bytes()), "{a:?} {b:?}");
                assert_eq!(x.cmp_quick(&y), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}

