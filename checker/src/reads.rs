//! The state variables a definition reads, directly or through the definitions it uses
//! (operators passed as values included). A property that reads few variables has the same
//! value in every state that agrees on them, so the search evaluates an invariant once per
//! distinct combination of the values it reads in a level rather than once per state
//! (two-phase commit's `consistent` reads only `rmState`: about 2,000 distinct values in a
//! level of 43,000 states). Evaluation is deterministic and an invariant cannot pick, so
//! the results are the same.

use spec_analysis::ir::{Callee, DefId, Expr, ExprKind, Program};

/// The variables (indices into the state) that `def` may read, sorted.
pub(crate) fn variables_read(program: &Program, def: DefId) -> Vec<usize> {
    let mut vars = Vec::new();
    let mut seen = vec![false; program.defs.len()];
    let mut defs = vec![def];
    let mut exprs: Vec<&Expr> = Vec::new();
    while let Some(d) = defs.pop() {
        match seen.get_mut(d as usize) {
            Some(done) if !*done => *done = true,
            _ => continue,
        }
        exprs.extend(program.defs[d as usize].body.iter());
        while let Some(e) = exprs.pop() {
            match &e.kind {
                ExprKind::Var(v) | ExprKind::Assign { var: v, .. } => vars.push(*v as usize),
                ExprKind::Def(used) | ExprKind::Call { callee: Callee::Def(used), .. } => defs.push(*used),
                _ => {}
            }
            e.push_children(&mut exprs);
        }
    }
    vars.sort_unstable();
    vars.dedup();
    vars
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec_interpreter::Spec;

    #[test]
    fn reads_follow_the_definitions_used() {
        let spec = Spec::from_text(
            "m.qnt",
            "module m { var a: int  var b: int  var c: int
               def twice(x) = 2 * x
               val viaB = twice(b) > 0
               val both = a > 0 and viaB
               val none = twice(3) == 6
               val passed = Set(1).forall(n => n < c)
               action init = all { a' = 0, b' = 0, c' = 0 }
               action step = all { a' = a, b' = b, c' = c } }",
            None,
        )
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let program = &spec.analysis.program;
        let index = |name: &str| program.vars.iter().position(|v| v.name == name).expect("a variable");
        let reads = |name: &str| variables_read(program, spec.lookup(name).expect("a definition"));
        assert_eq!(reads("viaB"), vec![index("b")]);
        let mut both = vec![index("a"), index("b")];
        both.sort();
        assert_eq!(reads("both"), both);
        assert_eq!(reads("none"), Vec::<usize>::new());
        assert_eq!(reads("passed"), vec![index("c")]);
    }
}
