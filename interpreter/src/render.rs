//! Traces shown to people and programs, in one place: as text (state by state, the action and
//! picks of each step, changed variables marked) and as ITF (with Quint's MBT fields on
//! request). The simulator, the checker, the test runner and the REPL all print through here.

use crate::{itf, Spec, State, Step, Value};
use spec_analysis::ir::DefId;
use serde_json::Value as Json;
use std::fmt::Write;

/// A trace: states from the initial one, and for each the step that led to it (the first
/// step is the initial action's).
#[derive(Clone, Copy)]
pub struct Trace<'a> {
    pub states: &'a [State],
    pub steps: &'a [Step],
    /// The name of the initial action, shown for state 0.
    pub init: &'a str,
}

/// How to show a trace as text.
#[derive(Clone, Copy, Default)]
pub struct TextStyle<'a> {
    /// Mark changed variables with colour (else with `*`).
    pub color: bool,
    /// Variables to leave out.
    pub hide: &'a [String],
}

/// The trace as text: `[State i] after ACTION`, one line per variable, `(picked x = 1)`.
pub fn text(spec: &Spec, trace: Trace, style: TextStyle) -> String {
    let vars = spec.var_names();
    let states: Vec<Vec<Value>> = trace.states.iter().map(|s| spec.project(s)).collect();
    let mut out = String::new();
    for (i, state) in states.iter().enumerate() {
        let step = trace.steps.get(i);
        // A step whose `any` took a branch calling no action is shown as `step`.
        let action = if i == 0 { trace.init.to_string() } else { step.and_then(|s| s.actions.first()).filter(|a| !a.is_empty()).map(|a| a.to_string()).unwrap_or_else(|| "step".to_string()) };
        let _ = writeln!(out, "[State {i}] after {action}");
        for (v, (name, value)) in vars.iter().zip(state.iter()).enumerate() {
            if style.hide.contains(name) {
                continue;
            }
            let changed = i > 0 && states[i - 1].get(v) != Some(value);
            let _ = match (changed, style.color) {
                (true, true) => writeln!(out, "  \x1b[1;33m{name}: {value}\x1b[0m"),
                (true, false) => writeln!(out, "* {name}: {value}"),
                _ => writeln!(out, "  {name}: {value}"),
            };
        }
        if let Some(step) = step.filter(|s| i > 0 && !s.picks.is_empty()) {
            let picks: Vec<String> = step.picks.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            let _ = writeln!(out, "  (picked {})", picks.join(", "));
        }
        out.push('\n');
    }
    out
}

/// What an ITF trace records besides the states.
pub struct ItfOptions<'a> {
    pub source: &'a str,
    pub status: &'a str,
    pub seed: u64,
    /// Add `mbt::actionTaken` and `mbt::nondetPicks`.
    pub mbt: bool,
    pub hide: &'a [String],
    /// The definitions that made the trace (`init` and `step`, or a test), by name:
    /// `mbt::nondetPicks` lists the `nondet`s of these and of what they use, as Quint does.
    pub ran: Vec<&'a str>,
}

/// The trace in ITF.
pub fn itf(spec: &Spec, trace: Trace, options: &ItfOptions) -> Json {
    let (indices, vars): (Vec<usize>, Vec<String>) = spec.shown_vars(&options.ran).into_iter().unzip();
    let states: Vec<Vec<Value>> = trace.states.iter().map(|s| project(s, &indices)).collect();
    let nondet_names = spec.nondet_names(&options.ran);
    let meta = itf::TraceMeta { source: options.source, status: options.status, seed: options.seed, mbt: options.mbt, hide: options.hide, nondet_names: &nondet_names };
    itf::trace(&vars, &states, trace.steps, &meta)
}

/// Writes the trace in ITF to `out`, one state at a time: a trace of any length is written
/// in the memory of its values (the JSON of only one state exists at once).
pub fn write_itf(spec: &Spec, trace: Trace, options: &ItfOptions, out: impl std::io::Write) -> std::io::Result<()> {
    let (indices, vars): (Vec<usize>, Vec<String>) = spec.shown_vars(&options.ran).into_iter().unzip();
    let nondet_names = spec.nondet_names(&options.ran);
    let meta = itf::TraceMeta { source: options.source, status: options.status, seed: options.seed, mbt: options.mbt, hide: options.hide, nondet_names: &nondet_names };
    itf::write_trace(out, &vars, trace.states.iter().map(|s| project(s, &indices)), trace.steps, &meta)
}

/// Writes the trace in ITF to the file at `path` (see [`write_itf`]); the error says which
/// file could not be written.
pub fn write_itf_file(spec: &Spec, trace: Trace, options: &ItfOptions, path: &str) -> Result<(), String> {
    let written = std::fs::File::create(path).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        write_itf(spec, trace, options, &mut out)?;
        std::io::Write::flush(&mut out)
    });
    written.map_err(|e| format!("cannot write `{path}`: {e}"))
}

/// The values of the variables at `indices` in `state`.
fn project(state: &State, indices: &[usize]) -> Vec<Value> {
    indices.iter().filter_map(|i| state.get(*i).cloned()).collect()
}

impl Spec {
    /// The variables a trace of the definitions named `ran` shows, with their names: the
    /// main module's, and those of a module imported under a qualifier whose definition ran
    /// (a test `M4::someTest` changes `M4::x`, named so, as Quint names it `main::M4::x`).
    pub fn shown_vars(&self, ran: &[&str]) -> Vec<(usize, String)> {
        let program = &self.analysis.program;
        let mut shown: Vec<(usize, String)> = self.active_var_indices().zip(self.var_names()).collect();
        for name in ran {
            let (Some((prefix, _)), Some(def)) = (name.rsplit_once("::"), self.lookup(name)) else { continue };
            let module = program.defs[def as usize].module;
            for (i, var) in program.vars.iter().enumerate() {
                if var.module == module && !shown.iter().any(|(j, _)| *j == i) {
                    shown.push((i, format!("{prefix}::{}", var.name)));
                }
            }
        }
        shown
    }

    /// The names bound by `nondet` in the definitions named `ran` and in every definition
    /// they use, sorted (for `mbt::nondetPicks`; those of other actions and tests are not
    /// picked in the trace, and Quint does not list them).
    pub fn nondet_names(&self, ran: &[&str]) -> Vec<String> {
        use spec_analysis::ir::{Callee, ExprKind};
        let program = &self.analysis.program;
        let mut todo: Vec<DefId> = ran.iter().filter_map(|name| self.lookup(name)).collect();
        let mut seen = vec![false; program.defs.len()];
        let mut names = Vec::new();
        while let Some(d) = todo.pop() {
            match seen.get_mut(d as usize) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            let def = &program.defs[d as usize];
            let mut stack: Vec<&spec_analysis::ir::Expr> = def.body.iter().collect();
            while let Some(e) = stack.pop() {
                match &e.kind {
                    ExprKind::Nondet { local, .. } => names.extend(def.locals.get(*local as usize).map(|l| l.name.clone())),
                    ExprKind::Def(used) | ExprKind::Call { callee: Callee::Def(used), .. } => todo.push(*used),
                    _ => {}
                }
                stack.extend(e.children());
            }
        }
        names.sort();
        names.dedup();
        names
    }
}
