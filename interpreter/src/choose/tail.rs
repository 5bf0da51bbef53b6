//! The choices of an action that are in *tail position*: whatever their body evaluates to
//! is, unchanged, what the whole action evaluates to, and nothing runs after it. The
//! enumerator uses them to hand over a next state where it is made and go on within the
//! same run (see `EnumeratingChooser`'s module documentation): at such a choice, a body
//! that turns out enabled has given one next state, and the choice's other alternatives
//! are the enumeration's next paths, exactly as after a disabled body.
//!
//! Only constructs that pass their operand's value through unchanged pass tail position
//! on: `any` (each branch), the last action of `all` (and of `and`, evaluated alike), the body of `nondet`, `val` and
//! `match` arms, both arms of `if`, and the body of an action called in tail position. A
//! `false` then means to every enclosing construct what it means for a disabled body,
//! which is what makes going on sound. Everything else is evaluated before the action's
//! end (the other actions of `all`, conditions, arguments, sets picked from) or its value
//! is used in another way (`then` commits, a Boolean `or` stops at its first true operand), and
//! a choice inside it is not in tail position.
//!
//! Choices are told apart by their span, as the compiled code knows them. One span may be
//! several choices (an instance's copy of a module's definitions): a span counts only when
//! every choice with that span reached from the action is in tail position.

use spec_analysis::ir::{Callee, DefId, Expr, ExprKind, Program};
use spec_syntax::Span;
use std::collections::HashSet;

/// The spans of the choices (`any` and `nondet`) in tail position of the action `def`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tails {
    pub def: DefId,
    spans: Vec<Span>,
}

impl Tails {
    /// The choices in tail position of action `def` in `program`.
    pub fn of(program: &Program, def: DefId) -> Tails {
        let mut walk = Walk { program, tail: HashSet::new(), other: HashSet::new(), bodies: HashSet::new() };
        walk.def(def, true);
        let mut spans: Vec<Span> = walk.tail.difference(&walk.other).copied().collect();
        spans.sort_by_key(|s| (s.file, s.start, s.end));
        Tails { def, spans }
    }

    /// Whether the choice at `span` is in tail position.
    #[inline]
    pub fn contains(&self, span: Span) -> bool {
        self.spans.contains(&span)
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// How many choices are in tail position.
    pub fn len(&self) -> usize {
        self.spans.len()
    }
}

struct Walk<'p> {
    program: &'p Program,
    /// Spans of choices met in tail position, and met elsewhere.
    tail: HashSet<Span>,
    other: HashSet<Span>,
    /// Definitions whose body was walked, with whether in tail position.
    bodies: HashSet<(DefId, bool)>,
}

impl Walk<'_> {
    fn def(&mut self, d: DefId, tail: bool) {
        if !self.bodies.insert((d, tail)) {
            return;
        }
        if let Some(body) = self.program.defs.get(d as usize).and_then(|def| def.body.as_ref()) {
            self.expr(body, tail);
        }
    }

    fn choice(&mut self, span: Span, tail: bool) {
        if tail {
            self.tail.insert(span);
        } else {
            self.other.insert(span);
        }
    }

    fn expr(&mut self, e: &Expr, tail: bool) {
        // Deep expressions (long chains) are walked on a grown stack, as the analysis does.
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_here(e, tail));
    }

    fn expr_here(&mut self, e: &Expr, tail: bool) {
        match &e.kind {
            ExprKind::Call { callee: Callee::Builtin("actionAny"), args, .. } => {
                self.choice(e.span, tail);
                for a in args {
                    self.expr(a, tail);
                }
            }
            ExprKind::Call { callee: Callee::Builtin("actionAll" | "and"), args, .. } => {
                for (i, a) in args.iter().enumerate() {
                    self.expr(a, tail && i + 1 == args.len());
                }
            }
            ExprKind::Call { callee: Callee::Builtin("ite"), args, .. } if args.len() == 3 => {
                self.expr(&args[0], false);
                self.expr(&args[1], tail);
                self.expr(&args[2], tail);
            }
            ExprKind::Nondet { value, body, .. } => {
                self.choice(e.span, tail);
                self.expr(value, false);
                self.expr(body, tail);
            }
            ExprKind::Let { value, body, .. } | ExprKind::LetPat { value, body, .. } => {
                self.expr(value, false);
                self.expr(body, tail);
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee, false);
                for arm in arms {
                    self.expr(&arm.body, tail);
                }
            }
            ExprKind::Call { callee: Callee::Def(d), args, .. } => {
                for a in args {
                    self.expr(a, false);
                }
                self.def(*d, tail);
            }
            ExprKind::Def(d) => {
                // A definition without parameters used by name is called; one with parameters
                // is a value (an operator passed on), called from anywhere.
                let called = self.program.defs.get(*d as usize).is_some_and(|def| def.params.as_ref().is_none_or(Vec::is_empty));
                self.def(*d, tail && called);
            }
            _ => {
                let mut children = Vec::new();
                e.push_children(&mut children);
                for c in children {
                    self.expr(c, false);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Spec;

    /// The lines of the tail choices of `step` (each choice written on a line of its own).
    fn tail_lines(text: &str) -> Vec<usize> {
        let spec = Spec::from_text("t.qnt", text, None).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let step = spec.lookup("step").unwrap_or_else(|| panic!("no step"));
        let tails = Tails::of(&spec.analysis.program, step);
        let mut lines: Vec<usize> = tails.spans.iter().map(|s| text[..s.start as usize].matches('\n').count()).collect();
        lines.sort();
        lines
    }

    #[test]
    fn branches_picks_and_called_actions_pass_tail_position_on() {
        let lines = tail_lines(
            "module m { var x: int
               action a(n) = all { x < 5,
                 any { x' = n, x' = n + 1 } }
               action b = nondet v = Set(1, 2).oneOf()
                 x' = v
               action init = x' = 0
               action step = any {
                 nondet n = Set(1, 2).oneOf()
                   a(n),
                 b,
                 if (x > 2) any { x' = 0, x' = 1 } else x' = 2,
               } }",
        );
        // The step's any (line 6), the nondet (7), a's any (2), b's nondet (3), the if's any (10).
        assert_eq!(lines, vec![2, 3, 6, 7, 10]);
    }

    #[test]
    fn choices_whose_value_is_used_otherwise_are_not_in_tail_position() {
        let lines = tail_lines(
            "module m { var x: int
               action a = any { x' = 1, x' = 2 }
               action init = x' = 0
               action step = any {
                 all {
                   any { x' = 3, x' = 4 },
                   x < 2 },
                 all { x > 3, a },
                 all { a, x > 4 },
                 all { nondet v = Set(1, 2).oneOf()
                   x' = v, x > 0 },
               } }",
        );
        // Only the step's own any: `a` is called in tail position once and once not, the
        // any of the first all and the nondet come before a guard.
        assert_eq!(lines, vec![3]);
    }

    #[test]
    fn an_operator_passed_as_a_value_is_not_in_tail_position() {
        let lines = tail_lines(
            "module m { var x: int
               def apply(f) = f(1)
               action inc(n) = any { x' = x + n,
                 x' = x }
               action init = x' = 0
               action step = apply(inc) }",
        );
        assert_eq!(lines, Vec::<usize>::new());
    }
}
