//! The builtin operators: name, type signature and the mode (effect level) they imply.
//! Signatures are written in the language's own type syntax and read by a small parser here;
//! a few operators (`Set`, `Map`, `Rec`, `tuples`, ...) take any number of arguments and are
//! typed by the checker directly.

pub mod hints;

use std::sync::Arc;
use crate::ty::{Row, Ty, TyVar};
use std::collections::BTreeMap;

/// How an operator is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A fixed signature.
    Fixed(&'static str),
    /// Any number of arguments, typed specially by the checker.
    Variadic,
}

/// The least mode in which an operator may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpMode {
    Pure,
    /// Only in actions: it chooses (`oneOf`) or relates steps.
    Action,
    Temporal,
}

pub struct BuiltinInfo {
    pub name: &'static str,
    pub shape: Shape,
    pub mode: OpMode,
    /// One line for hover and completion.
    pub doc: &'static str,
}

macro_rules! builtins {
    ($( $name:literal : $shape:expr, $mode:ident, $doc:literal; )*) => {
        /// Every builtin operator, in a stable order.
        pub const BUILTINS: &[BuiltinInfo] = &[
            $( BuiltinInfo { name: $name, shape: $shape, mode: OpMode::$mode, doc: $doc }, )*
        ];
    };
}

use Shape::{Fixed, Variadic};

builtins! {
    "Bool": Fixed("Set[bool]"), Pure, "The set of Booleans { false, true }.";
    "Int": Fixed("Set[int]"), Pure, "The infinite set of all integers.";
    "Nat": Fixed("Set[int]"), Pure, "The infinite set of natural numbers (0, 1, 2, ...).";
    "eq": Fixed("(a, a) => bool"), Pure, "Equality: `x == y`.";
    "neq": Fixed("(a, a) => bool"), Pure, "Inequality: `x != y`.";
    "iff": Fixed("(bool, bool) => bool"), Pure, "Boolean equivalence.";
    "implies": Fixed("(bool, bool) => bool"), Pure, "Boolean implication.";
    "not": Fixed("(bool) => bool"), Pure, "Boolean negation.";
    "and": Variadic, Pure, "Conjunction of all arguments.";
    "or": Variadic, Pure, "Disjunction of all arguments.";
    "ite": Fixed("(bool, a, a) => a"), Pure, "`ite(c, a, b)` is `if (c) a else b`.";
    "exists": Fixed("(Set[a], (a) => bool) => bool"), Pure, "`S.exists(p)`: some element of S satisfies p.";
    "forall": Fixed("(Set[a], (a) => bool) => bool"), Pure, "`S.forall(p)`: every element of S satisfies p.";
    "in": Fixed("(a, Set[a]) => bool"), Pure, "`x.in(S)`: x is an element of S.";
    "contains": Fixed("(Set[a], a) => bool"), Pure, "`S.contains(x)`: x is an element of S.";
    "union": Fixed("(Set[a], Set[a]) => Set[a]"), Pure, "Set union.";
    "intersect": Fixed("(Set[a], Set[a]) => Set[a]"), Pure, "Set intersection.";
    "exclude": Fixed("(Set[a], Set[a]) => Set[a]"), Pure, "Set difference: the elements of the first set not in the second.";
    "subseteq": Fixed("(Set[a], Set[a]) => bool"), Pure, "Subset or equal.";
    "filter": Fixed("(Set[a], (a) => bool) => Set[a]"), Pure, "The elements that satisfy a predicate.";
    "map": Fixed("(Set[a], (a) => b) => Set[b]"), Pure, "The image of a set under an operator.";
    "fold": Fixed("(Set[a], b, (b, a) => b) => b"), Pure, "Folds a set in its canonical order.";
    "powerset": Fixed("(Set[a]) => Set[Set[a]]"), Pure, "All subsets of a set.";
    "flatten": Fixed("(Set[Set[a]]) => Set[a]"), Pure, "The union of a set of sets.";
    "allLists": Fixed("(Set[a]) => Set[List[a]]"), Pure, "All finite lists over a set (an infinite set).";
    "allListsUpTo": Fixed("(Set[a], int) => Set[List[a]]"), Pure, "All lists over a set up to a length.";
    "chooseSome": Fixed("(Set[a]) => a"), Pure, "The least element of a non-empty set, in canonical order.";
    "oneOf": Fixed("(Set[a]) => a"), Action, "A nondeterministic pick; only as `nondet x = S.oneOf()`.";
    "isFinite": Fixed("(Set[a]) => bool"), Pure, "Whether a set is finite.";
    "size": Fixed("(Set[a]) => int"), Pure, "The number of elements of a finite set.";
    "getOnlyElement": Fixed("(Set[a]) => a"), Pure, "The element of a one-element set.";
    "tuples": Variadic, Pure, "The cartesian product of sets.";
    "Set": Variadic, Pure, "A set of the given elements.";
    "List": Variadic, Pure, "A list of the given elements.";
    "Map": Variadic, Pure, "A map from `key -> value` pairs.";
    "Tup": Variadic, Pure, "A tuple of the given elements.";
    "Rec": Variadic, Pure, "A record from field names and values: `Rec(\"a\", 1)`.";
    "get": Fixed("(a -> b, a) => b"), Pure, "The value of a key in a map.";
    "keys": Fixed("(a -> b) => Set[a]"), Pure, "The keys of a map.";
    "mapBy": Fixed("(Set[a], (a) => b) => a -> b"), Pure, "The map from each element to its image.";
    "setToMap": Fixed("(Set[(a, b)]) => a -> b"), Pure, "A map from a set of pairs.";
    "setOfMaps": Fixed("(Set[a], Set[b]) => Set[a -> b]"), Pure, "All maps from a domain to a range.";
    "set": Fixed("(a -> b, a, b) => a -> b"), Pure, "Changes the value of an existing key.";
    "setBy": Fixed("(a -> b, a, (b) => b) => a -> b"), Pure, "Changes the value of an existing key by an operator.";
    "put": Fixed("(a -> b, a, b) => a -> b"), Pure, "Adds or changes a key.";
    "append": Fixed("(List[a], a) => List[a]"), Pure, "Adds an element at the end of a list.";
    "concat": Fixed("(List[a], List[a]) => List[a]"), Pure, "Concatenates two lists.";
    "head": Fixed("(List[a]) => a"), Pure, "The first element of a non-empty list.";
    "tail": Fixed("(List[a]) => List[a]"), Pure, "All but the first element of a non-empty list.";
    "length": Fixed("(List[a]) => int"), Pure, "The length of a list.";
    "nth": Fixed("(List[a], int) => a"), Pure, "The element at an index (from 0).";
    "indices": Fixed("(List[a]) => Set[int]"), Pure, "The set of valid indices of a list.";
    "replaceAt": Fixed("(List[a], int, a) => List[a]"), Pure, "Replaces the element at an index.";
    "slice": Fixed("(List[a], int, int) => List[a]"), Pure, "The elements from a start index up to (not including) an end index.";
    "range": Fixed("(int, int) => List[int]"), Pure, "The list of integers from start up to (not including) end.";
    "select": Fixed("(List[a], (a) => bool) => List[a]"), Pure, "The elements of a list that satisfy a predicate.";
    "foldl": Fixed("(List[a], b, (b, a) => b) => b"), Pure, "Folds a list from the left.";
    "foldr": Fixed("(List[a], b, (a, b) => b) => b"), Pure, "Folds a list from the right.";
    "with": Variadic, Pure, "`r.with(\"f\", v)`: the record with field f set to v.";
    "field": Variadic, Pure, "`field(r, \"f\")`: the field f of a record.";
    "fieldNames": Variadic, Pure, "The set of field names of a record.";
    "item": Variadic, Pure, "`item(t, i)`: the i-th item of a tuple, from 1.";
    "iadd": Fixed("(int, int) => int"), Pure, "Integer addition.";
    "isub": Fixed("(int, int) => int"), Pure, "Integer subtraction.";
    "imul": Fixed("(int, int) => int"), Pure, "Integer multiplication.";
    "idiv": Fixed("(int, int) => int"), Pure, "Integer division, rounding toward zero.";
    "imod": Fixed("(int, int) => int"), Pure, "Remainder of integer division (sign of the dividend).";
    "ipow": Fixed("(int, int) => int"), Pure, "Integer power; the exponent must be non-negative.";
    "iuminus": Fixed("(int) => int"), Pure, "Integer negation.";
    "ilt": Fixed("(int, int) => bool"), Pure, "Less than.";
    "ilte": Fixed("(int, int) => bool"), Pure, "Less than or equal.";
    "igt": Fixed("(int, int) => bool"), Pure, "Greater than.";
    "igte": Fixed("(int, int) => bool"), Pure, "Greater than or equal.";
    "to": Fixed("(int, int) => Set[int]"), Pure, "`a.to(b)`: the set of integers from a to b inclusive.";
    "actionAll": Variadic, Pure, "`all { }`: every action happens (and all are enabled).";
    "actionAny": Variadic, Pure, "`any { }`: one enabled action happens.";
    "then": Fixed("(bool, bool) => bool"), Pure, "`A.then(B)`: run A, then B from the resulting state (tests).";
    "reps": Fixed("(int, (int) => bool) => bool"), Pure, "`n.reps(i => A)`: run A n times (tests).";
    "expect": Fixed("(bool, bool) => bool"), Pure, "`A.expect(p)`: run A, then fail unless p holds (tests).";
    "fail": Fixed("(bool) => bool"), Pure, "`A.fail()`: succeeds when A is disabled (tests).";
    "assert": Fixed("(bool) => bool"), Pure, "Fails with a runtime error when the condition is false.";
    "q::debug": Fixed("(str, a) => a"), Pure, "Prints a message and a value to stderr; returns the value.";
    "apalache::generate": Fixed("(int) => a"), Action, "A value of the expected type, chosen at random in simulation.";
    "next": Fixed("(a) => a"), Action, "`next(x)` is `x'`.";
    "always": Fixed("(bool) => bool"), Temporal, "Temporal: the formula holds in every state.";
    "eventually": Fixed("(bool) => bool"), Temporal, "Temporal: the formula holds in some future state.";
    "leadsTo": Fixed("(bool, bool) => bool"), Temporal, "Temporal: whenever p holds, q eventually holds.";
    "enabled": Fixed("(bool) => bool"), Temporal, "Temporal: the action is enabled.";
    "weakFair": Fixed("(bool, a) => bool"), Temporal, "Temporal: weak fairness of an action.";
    "strongFair": Fixed("(bool, a) => bool"), Temporal, "Temporal: strong fairness of an action.";
    "orKeep": Fixed("(bool, a) => bool"), Temporal, "Temporal: the action happens or the variables stay unchanged.";
    "mustChange": Fixed("(bool, a) => bool"), Temporal, "Temporal: the action happens and the variables change.";
}

/// Looks a builtin up by name.
pub fn builtin(name: &str) -> Option<&'static BuiltinInfo> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Reads a fixed signature, numbering its type variables from `next_var` on.
/// Signatures are internal (written above), so a malformed one is a bug: it reads as `int`.
pub fn signature_type(sig: &str, next_var: &mut dyn FnMut() -> TyVar) -> Ty {
    let tokens = sig_tokens(sig);
    let mut vars = BTreeMap::new();
    let mut reader = SigReader { tokens, pos: 0, vars: &mut vars, fresh: next_var };
    reader.ty()
}

fn sig_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if (c == '=' || c == '-') && chars.get(i + 1) == Some(&'>') {
            out.push(format!("{c}>"));
            i += 2;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

struct SigReader<'a> {
    tokens: Vec<String>,
    pos: usize,
    vars: &'a mut BTreeMap<String, TyVar>,
    fresh: &'a mut dyn FnMut() -> TyVar,
}

impl SigReader<'_> {
    fn peek(&self) -> &str {
        self.tokens.get(self.pos).map(|s| s.as_str()).unwrap_or("")
    }
    fn next(&mut self) -> String {
        let t = self.peek().to_string();
        self.pos += 1;
        t
    }
    fn ty(&mut self) -> Ty {
        let (atom, paren_list) = self.atom();
        match self.peek() {
            "=>" => {
                self.next();
                let ret = self.ty();
                Ty::Oper(paren_list.unwrap_or_else(|| vec![atom]), Arc::new(ret))
            }
            "->" => {
                self.next();
                let value = self.ty();
                Ty::map(atom, value)
            }
            _ => atom,
        }
    }
    /// An atom; for a parenthesized list also the list (operator parameters).
    fn atom(&mut self) -> (Ty, Option<Vec<Ty>>) {
        let t = self.next();
        match t.as_str() {
            "(" => {
                let mut items = Vec::new();
                while self.peek() != ")" && !self.peek().is_empty() {
                    items.push(self.ty());
                    if self.peek() == "," {
                        self.next();
                    }
                }
                self.next();
                let ty = if items.len() == 1 { items[0].clone() } else { Ty::Tuple(items.clone()) };
                (ty, Some(items))
            }
            "int" => (Ty::Int, None),
            "bool" => (Ty::Bool, None),
            "str" => (Ty::Str, None),
            "Set" | "List" => {
                self.next(); // [
                let inner = self.ty();
                self.next(); // ]
                (if t == "Set" { Ty::set(inner) } else { Ty::list(inner) }, None)
            }
            "{" => {
                self.next();
                (Ty::Record(Row { fields: Arc::default(), rest: None }), None)
            }
            name => {
                let v = match self.vars.get(name) {
                    Some(v) => *v,
                    None => {
                        let v = (self.fresh)();
                        self.vars.insert(name.to_string(), v);
                        v
                    }
                };
                (Ty::Var(v), None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixed_signature_reads_as_an_operator_or_a_set() {
        for b in BUILTINS {
            if let Shape::Fixed(sig) = b.shape {
                let mut n = 0;
                let ty = signature_type(sig, &mut || {
                    n += 1;
                    n
                });
                let shown = ty.to_string();
                assert!(matches!(ty, Ty::Oper(..) | Ty::Set(_)), "{}: {sig} read as {shown}", b.name);
            }
        }
    }

    #[test]
    fn signatures_read_back_as_written() {
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            n
        };
        let ty = signature_type("(Set[a], b, (b, a) => b) => b", &mut fresh);
        let scheme = crate::ty::Scheme { vars: vec![], ty };
        assert_eq!(scheme.to_string(), "(Set[a], b, (b, a) => b) => b");
        let ty = signature_type("(a -> b, a) => b", &mut fresh);
        assert_eq!(crate::ty::Scheme { vars: vec![], ty }.to_string(), "(a -> b, a) => b");
    }
}
