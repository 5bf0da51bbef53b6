//! The order in which definitions are checked: each after the definitions it uses.
//! A cycle of definitions is an error (the language has no recursion); it is reported with
//! the names on the cycle, and the definitions on it are checked without each other's types.

use crate::ir::*;
use spec_syntax::{Code, Diagnostic};

/// Definitions used directly by `def` (through names or calls).
pub fn uses(def: &Def) -> Vec<DefId> {
    let mut out = Vec::new();
    let mut stack: Vec<&Expr> = def.body.iter().collect();
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => out.push(*d),
            _ => {}
        }
        e.push_children(&mut stack);
    }
    out.sort_unstable();
    out.dedup();
    out
}


/// The dependency order of all definitions (cycles reported) and the definitions on
/// cycles, with the uses of each definition given (`deps[d]`, as [`uses`] finds them):
/// `program` is read only for the names and places of definitions on cycles.
pub fn order_and_cycles_with(program: &Program, deps: &[Vec<DefId>], diagnostics: &mut Vec<Diagnostic>) -> (Vec<DefId>, std::collections::BTreeSet<DefId>) {
    (order_with(program, deps, diagnostics), on_cycles_with(deps))
}

/// All definitions in dependency order; cycles are reported.
pub fn order(program: &Program, diagnostics: &mut Vec<Diagnostic>) -> Vec<DefId> {
    let deps: Vec<Vec<DefId>> = program.defs.iter().map(uses).collect();
    order_with(program, &deps, diagnostics)
}

fn order_with(program: &Program, deps: &[Vec<DefId>], diagnostics: &mut Vec<Diagnostic>) -> Vec<DefId> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = program.defs.len();
    let mut mark = vec![Mark::New; n];
    let mut order = Vec::with_capacity(n);
    let mut reported = vec![false; n];
    for root in 0..n {
        if mark[root] != Mark::New {
            continue;
        }
        // Iterative depth-first search: (definition, next dependency to visit).
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Active;
        while let Some((d, i)) = stack.last().copied() {
            if i < deps[d].len() {
                stack.last_mut().map(|top| top.1 += 1);
                let next = deps[d][i] as usize;
                match mark[next] {
                    Mark::New => {
                        mark[next] = Mark::Active;
                        stack.push((next, 0));
                    }
                    Mark::Active => {
                        let start = stack.iter().position(|(x, _)| *x == next).unwrap_or(0);
                        let cycle: Vec<usize> = stack[start..].iter().map(|(x, _)| *x).collect();
                        if !cycle.iter().any(|c| reported[*c]) {
                            for c in &cycle {
                                reported[*c] = true;
                            }
                            let mut names: Vec<&str> = cycle.iter().map(|c| program.defs[*c].name.as_str()).collect();
                            names.push(names[0]);
                            let first = &program.defs[next];
                            let mut diag = Diagnostic::error(Code::DefinitionCycle, first.name_span, format!("these definitions depend on each other in a cycle: {}", names.join(" -> ")))
                                .with_label("part of the cycle")
                                .with_help("recursion is not allowed; use fold or reps to iterate");
                            for c in cycle.iter().skip(1) {
                                diag = diag.with_secondary(program.defs[*c].name_span, "also on the cycle");
                            }
                            diagnostics.push(diag);
                        }
                    }
                    Mark::Done => {}
                }
            } else {
                mark[d] = Mark::Done;
                order.push(d as DefId);
                stack.pop();
            }
        }
    }
    order
}

/// The definitions that lie on a cycle of uses.
pub fn on_cycles(program: &Program) -> std::collections::BTreeSet<DefId> {
    let deps: Vec<Vec<DefId>> = program.defs.iter().map(uses).collect();
    on_cycles_with(&deps)
}

fn on_cycles_with(deps: &[Vec<DefId>]) -> std::collections::BTreeSet<DefId> {
    // A definition is on a cycle when it can reach itself. Strongly connected components
    // (iterative Tarjan) find them all in one pass.
    let n = deps.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut out = std::collections::BTreeSet::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if i < deps[v].len() {
                work.push((v, i + 1));
                let w = deps[v][i] as usize;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = deps[v].contains(&(v as DefId));
                if component.len() > 1 || self_loop {
                    out.extend(component.into_iter().map(|c| c as DefId));
                }
            }
        }
    }
    out
}
