//! Mode (effect) checking. Every expression has a level: pure (no state), state (reads
//! variables), action (assigns, chooses) or temporal. Each definition's qualifier bounds the
//! level of its body: `pure def` reads no state, `def`/`val` assign nothing, `action` may
//! assign and choose, `temporal` anything. The checker also tracks which variables each
//! action assigns: at most once per step, the same ones in every branch of `any`, `if` and
//! `match`, and all of them in `init` and `step`.
//!
//! A definition whose body holds an error already reported (a syntax error, an unknown
//! name) is incomplete: what it assigns is not known, so it gets no assignment errors of
//! its own, and neither do the actions that use it.

use crate::builtins::{builtin, OpMode};
use crate::ir::*;
use spec_syntax::ast::Qualifier;
use spec_syntax::{Code, Diagnostic, Span};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Pure,
    State,
    Action,
    Temporal,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Pure => "pure",
            Mode::State => "state",
            Mode::Action => "action",
            Mode::Temporal => "temporal",
        }
    }
}

/// The level of an expression and the first thing that raised it there.
#[derive(Clone, Debug)]
struct Level {
    mode: Mode,
    reason: Option<(Span, String)>,
}

impl Level {
    fn pure() -> Level {
        Level { mode: Mode::Pure, reason: None }
    }
    fn join(self, other: Level) -> Level {
        if other.mode > self.mode {
            other
        } else {
            self
        }
    }
}

/// What the definitions that use a definition need to know of its modes: its level,
/// the variables it assigns, and whether it is incomplete. Small, so that a change of a body
/// that keeps it does not make its users be checked again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModeSummary {
    pub mode: Mode,
    pub assigns: BTreeSet<VarId>,
    pub incomplete: bool,
}

impl Default for Mode {
    fn default() -> Mode {
        Mode::Pure
    }
}

/// The modes of one definition: its summary and the problems found in its body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefModes {
    pub summary: ModeSummary,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the modes of one definition, `def` (which may be a copy with positions of its
/// own). `program` gives the names of definitions and variables (its definitions need no
/// bodies); `used` gives the summaries of the definitions `def` uses (`None` for those on
/// a cycle).
pub fn check_def_modes(program: &Program, def: &Def, used: &mut dyn FnMut(DefId) -> Option<ModeSummary>) -> DefModes {
    let deps = crate::deps::uses(def).into_iter().filter_map(|d| Some((d, used(d)?))).collect();
    let mut checker = Checker { program, deps, quiet: false, action_argument: None, diagnostics: Vec::new() };
    let summary = checker.check_def(def);
    DefModes { summary, diagnostics: checker.diagnostics }
}

/// Checks modes of a whole program, definitions in `order` (each after those it uses);
/// returns each definition's mode (indexed like `program.defs`).
pub fn check_modes(program: &Program, order: &[DefId]) -> (Vec<Mode>, Vec<Diagnostic>) {
    let mut summaries: Vec<Option<ModeSummary>> = vec![None; program.defs.len()];
    let mut diagnostics = Vec::new();
    for &id in order {
        let Some(def) = program.defs.get(id as usize) else { continue };
        let found = check_def_modes(program, def, &mut |d| summaries.get(d as usize).cloned().flatten());
        diagnostics.extend(found.diagnostics);
        summaries[id as usize] = Some(found.summary);
    }
    diagnostics.extend(check_steps(program, &|d| summaries.get(d as usize).cloned().flatten()));
    let modes = summaries.into_iter().map(|s| s.map(|s| s.mode).unwrap_or(Mode::Pure)).collect();
    (modes, diagnostics)
}

/// `init` and `step` should assign every state variable in scope of their module (a warning).
pub fn check_steps(program: &Program, summary: &dyn Fn(DefId) -> Option<ModeSummary>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for module in &program.modules {
        if module.is_instance {
            continue;
        }
        let vars: Vec<VarId> = module.scope.values().filter_map(|e| if let Entity::Var(v) = e { Some(*v) } else { None }).collect();
        if vars.is_empty() {
            continue;
        }
        for name in ["init", "step"] {
            let Some(Entity::Def(d)) = module.public.get(name) else { continue };
            if !module.defs.contains(d) {
                continue;
            }
            let Some(def) = program.defs.get(*d as usize) else { continue };
            let found = summary(*d).unwrap_or_default();
            if def.qualifier != Qualifier::Action || found.incomplete {
                continue;
            }
            let missing: Vec<&str> = vars.iter().filter(|v| !found.assigns.contains(v)).map(|v| var_name(program, *v)).collect();
            if !missing.is_empty() {
                // A warning, as Quint accepts it: such a variable has no value after the
                // action, and reading it is a runtime error (real specs declare variables
                // that only some tools read, and never assign them).
                diagnostics.push(
                    Diagnostic::warning(Code::MissingAssignment, def.name_span, format!("`{name}` does not assign {}", quote_list(&missing)))
                        .with_label("some state variables are left unassigned")
                        .with_help(format!("after `{name}` they have no value, and reading one is an error; add `{0}' = {0}` where it should stay the same", missing[0])),
                );
            }
        }
    }
    diagnostics
}

fn var_name(program: &Program, v: VarId) -> &str {
    program.vars.get(v as usize).map(|v| v.name.as_str()).unwrap_or("?")
}

/// Variables an action assigns, with where.
type Assigned = BTreeMap<VarId, Span>;

struct Checker<'p> {
    program: &'p Program,
    /// The summaries of the definitions the one checked uses.
    deps: HashMap<DefId, ModeSummary>,
    /// Set while looking at an incomplete definition: assignment errors are not reported.
    quiet: bool,
    /// The first operator of the definition checked that is given an action as an argument
    /// without being an action operator itself (`x' = 1 and y' = 2`): its assignments become
    /// a formula over the next state, which only a temporal definition may be (as in Quint).
    action_argument: Option<(Span, &'static str)>,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn check_def(&mut self, def: &Def) -> ModeSummary {
        let Some(body) = &def.body else {
            return ModeSummary { mode: qualifier_mode(def.qualifier).min(Mode::Action), ..ModeSummary::default() };
        };
        if let (Qualifier::Val | Qualifier::PureVal, Some(params)) = (def.qualifier, &def.params) {
            if !params.is_empty() {
                let (kind, instead) = if def.qualifier == Qualifier::Val { ("val", "def") } else { ("pure val", "pure def") };
                let count = if params.len() == 1 { "1 parameter".to_string() } else { format!("{} parameters", params.len()) };
                self.diagnostics.push(
                    Diagnostic::error(Code::ModeMismatch, def.name_span, format!("a {kind} has no parameters, but `{}` has {count}", def.name))
                        .with_label(format!("declared as {kind}"))
                        .with_help(format!("declare it as `{instead}`")),
                );
            }
        }
        let in_action = matches!(def.qualifier, Qualifier::Action | Qualifier::Run | Qualifier::Temporal);
        self.action_argument = None;
        let level = self.level(body, in_action, false);
        let allowed = qualifier_mode(def.qualifier);
        let mut level = level;
        // An action given to `and` (and the like) already says what is wrong with the
        // assignments: no second report that some are missing.
        let misused_action = level.mode > allowed && self.action_argument.is_some();
        if level.mode > allowed {
            self.report_mode(def, &level, allowed);
            // Users of this definition see its declared level: one mistake, one report.
            level = Level { mode: allowed, reason: None };
        }
        let incomplete = self.is_incomplete(body) || misused_action;
        self.quiet = incomplete;
        let assigned = if level.mode >= Mode::Action || def.qualifier == Qualifier::Action { self.assigns(body) } else { Assigned::new() };
        self.quiet = false;
        ModeSummary { mode: level.mode, assigns: assigned.into_keys().collect(), incomplete }
    }

    /// Whether an expression holds an error node or uses an incomplete definition.
    fn is_incomplete(&self, body: &Expr) -> bool {
        let mut stack = vec![body];
        while let Some(e) = stack.pop() {
            match &e.kind {
                ExprKind::Error => return true,
                ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } if self.deps.get(d).is_some_and(|s| s.incomplete) => return true,
                _ => {}
            }
            e.push_children(&mut stack);
        }
        false
    }

    fn report(&mut self, d: Diagnostic) {
        if !self.quiet {
            self.diagnostics.push(d);
        }
    }

    fn report_mode(&mut self, def: &Def, level: &Level, _allowed: Mode) {
        let (span, what) = level.reason.clone().unwrap_or((def.name_span, "its body".to_string()));
        let kind = def.qualifier.keyword();
        if let (Mode::Temporal, Some((at, operator))) = (level.mode, self.action_argument) {
            self.diagnostics.push(action_as_argument(def, at, operator));
            return;
        }
        let suggestion = match level.mode {
            Mode::Pure => "pure def",
            Mode::State => {
                if def.params.is_some() {
                    "def"
                } else {
                    "val"
                }
            }
            Mode::Action => "action",
            Mode::Temporal => "temporal",
        };
        let message = if def.synthetic {
            format!("the value given to the constant `{}` {what}; an instance's constants must be pure", def.name)
        } else {
            format!("{kind} {} {what}; declare it as {suggestion}", def.name)
        };
        self.diagnostics.push(
            Diagnostic::error(Code::ModeMismatch, span, message)
                .with_label(format!("{} here", what_short(level.mode)))
                .with_secondary(def.name_span, format!("declared as {kind}")),
        );
    }

    fn def_level(&self, d: DefId, span: Span) -> Level {
        let name = self.program.defs.get(d as usize).map(|def| def.name.as_str()).unwrap_or("?");
        match self.deps.get(&d) {
            Some(s) if s.mode > Mode::Pure => Level { mode: s.mode, reason: Some((span, reason_for(s.mode, name))) },
            _ => Level::pure(),
        }
    }

    fn level(&mut self, e: &Expr, in_action: bool, nondet_value: bool) -> Level {
        // Flat chains (`a + b + ...`, `s.map(f).map(g)...`) make deep trees: grow the stack.
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.level_inner(e, in_action, nondet_value))
    }

    fn level_inner(&mut self, e: &Expr, in_action: bool, nondet_value: bool) -> Level {
        match &e.kind {
            ExprKind::Var(v) => Level { mode: Mode::State, reason: Some((e.span, format!("reads the state variable {}", var_name(self.program, *v)))) },
            ExprKind::Def(d) => self.def_level(*d, e.span),
            ExprKind::Assign { var, value } => {
                let inner = self.level(value, in_action, false);
                let own = Level { mode: Mode::Action, reason: Some((e.span, format!("assigns the state variable {}", var_name(self.program, *var)))) };
                own.join(inner)
            }
            ExprKind::Nondet { value, body, .. } => {
                if !in_action {
                    self.diagnostics.push(
                        Diagnostic::error(Code::MisplacedNondet, e.span, "`nondet` is only allowed inside actions and runs")
                            .with_label("a nondeterministic choice outside an action")
                            .with_help("declare the enclosing definition as `action`"),
                    );
                }
                let own = Level { mode: Mode::Action, reason: Some((e.span, "makes a nondeterministic choice".to_string())) };
                let v = self.level(value, in_action, true);
                let b = self.level(body, in_action, false);
                own.join(v).join(b)
            }
            ExprKind::Call { callee, args, callee_span } => {
                let mut level = match callee {
                    Callee::Def(d) => self.def_level(*d, *callee_span),
                    Callee::Builtin(name) => {
                        if *name == "oneOf" && !nondet_value {
                            self.diagnostics.push(
                                Diagnostic::error(Code::MisplacedNondet, e.span, "`oneOf` may only be used directly as the value of `nondet`")
                                    .with_label("move this into `nondet x = ...`")
                                    .with_help("write `nondet x = S.oneOf()` and use `x`"),
                            );
                        }
                        match builtin(name).map(|b| b.mode) {
                            Some(OpMode::Action) if *name == "next" => Level { mode: Mode::Action, reason: Some((e.span, "reads the next state".to_string())) },
                            Some(OpMode::Action) => Level { mode: Mode::Action, reason: Some((e.span, format!("uses `{name}`"))) },
                            Some(OpMode::Temporal) => Level { mode: Mode::Temporal, reason: Some((e.span, format!("uses the temporal operator `{name}`"))) },
                            _ => Level::pure(),
                        }
                    }
                    Callee::Local(_) => Level::pure(),
                };
                for a in args {
                    let l = self.level(a, in_action, false);
                    level = level.join(l);
                }
                if let Callee::Builtin(name) = callee {
                    let temporal = builtin(name).is_some_and(|b| b.mode == OpMode::Temporal);
                    // `if` makes the assignments of its branches, not of its condition.
                    let given_action = match *name {
                        "ite" => args.first().is_some_and(|c| self.assigns_something(c)),
                        _ => !carries_assignments(name) && args.iter().any(|a| self.assigns_something(a)),
                    };
                    if !temporal && given_action {
                        let shown = written(name);
                        let at = if *name == "ite" { args[0].span } else { e.span };
                        self.action_argument.get_or_insert((at, shown));
                        level = level.join(Level { mode: Mode::Temporal, reason: Some((e.span, format!("uses an action as an argument of {}", receiver(shown)))) });
                    }
                }
                level
            }
            _ => {
                let mut level = Level::pure();
                for c in e.children() {
                    let l = self.level(c, in_action, false);
                    level = level.join(l);
                }
                level
            }
        }
    }

    /// Whether an expression assigns a state variable when it runs as an action (the
    /// argument of a lambda counts by its body), without reporting anything.
    fn assigns_something(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Assign { .. } => true,
            ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => self.deps.get(d).is_some_and(|s| !s.assigns.is_empty()),
            ExprKind::Call { callee: Callee::Builtin(name), args, .. } => match *name {
                "ite" if args.len() == 3 => args[1..].iter().any(|a| self.assigns_something(a)),
                _ if carries_assignments(name) => args.iter().any(|a| self.assigns_something(a)),
                _ => false,
            },
            ExprKind::Match { arms, .. } => arms.iter().any(|a| self.assigns_something(&a.body)),
            ExprKind::Let { body, .. } | ExprKind::LetPat { body, .. } | ExprKind::Nondet { body, .. } | ExprKind::Lambda { body, .. } => self.assigns_something(body),
            _ => false,
        }
    }

    /// The variables an action expression assigns, reporting double and uneven assignments.
    fn assigns(&mut self, e: &Expr) -> Assigned {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.assigns_inner(e))
    }

    fn assigns_inner(&mut self, e: &Expr) -> Assigned {
        match &e.kind {
            ExprKind::Assign { var, .. } => Assigned::from([(*var, e.span)]),
            ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => {
                self.deps.get(d).map(|s| s.assigns.iter().map(|v| (*v, e.span)).collect()).unwrap_or_default()
            }
            ExprKind::Call { callee: Callee::Builtin(name), args, .. } => match *name {
                "actionAll" => {
                    let mut out = Assigned::new();
                    for a in args {
                        for (var, span) in self.assigns(a) {
                            if let Some(first) = out.get(&var) {
                                let name = var_name(self.program, var);
                                self.report(
                                    Diagnostic::error(Code::DoubleAssignment, span, format!("`{name}` is assigned twice in one step"))
                                        .with_label("second assignment")
                                        .with_secondary(*first, "first assigned here"),
                                );
                            } else {
                                out.insert(var, span);
                            }
                        }
                    }
                    out
                }
                "actionAny" => self.branches(args.iter().collect(), e.span),
                "ite" if args.len() == 3 => self.branches(vec![&args[1], &args[2]], e.span),
                // `a.then(b)` ends in the state `b` makes (what `a` assigns is checked on its
                // own); `a.expect(p)` in the state `a` makes; `n.reps(i => a)` in the state of
                // the last `a`. Quint accepts them in `init` and `step`.
                "then" if args.len() == 2 => {
                    self.assigns(&args[0]);
                    self.assigns(&args[1])
                }
                "expect" if !args.is_empty() => self.assigns(&args[0]),
                "reps" if args.len() == 2 => match &args[1].kind {
                    ExprKind::Lambda { body, .. } => self.assigns(body),
                    _ => self.assigns(&args[1]),
                },
                "then" | "expect" | "reps" | "fail" => Assigned::new(),
                _ => Assigned::new(),
            },
            ExprKind::Match { arms, .. } => self.branches(arms.iter().map(|a| &a.body).collect(), e.span),
            ExprKind::Let { body, .. } | ExprKind::LetPat { body, .. } | ExprKind::Nondet { body, .. } => self.assigns(body),
            _ => Assigned::new(),
        }
    }

    fn branches(&mut self, branches: Vec<&Expr>, span: Span) -> Assigned {
        let sets: Vec<Assigned> = branches.iter().map(|b| self.assigns(b)).collect();
        // Branches that assign nothing are conditions (`any { x > 0, ... }` is unusual but legal).
        let mut union = Assigned::new();
        for s in &sets {
            for (v, sp) in s {
                union.entry(*v).or_insert(*sp);
            }
        }
        for (set, branch) in sets.iter().zip(&branches) {
            if set.is_empty() {
                continue;
            }
            let missing: Vec<&str> = union.keys().filter(|v| !set.contains_key(v)).map(|v| var_name(self.program, *v)).collect();
            if !missing.is_empty() {
                self.report(
                    Diagnostic::error(Code::BranchAssignments, branch.span, format!("this branch does not assign {}, which other branches assign", quote_list(&missing)))
                        .with_label(format!("{} not assigned here", quote_list(&missing)))
                        .with_secondary(span, "every branch must assign the same state variables")
                        .with_help(format!("add `{0}' = {0}` to keep its value", missing[0])),
                );
            }
        }
        union
    }
}

/// Builtins whose result makes the assignments of their arguments: `all`, `any`, `if`, and
/// the operators of runs. Any other operator given an action (`and`, `or`, `not`, `exists`,
/// `==`, ...) turns its assignments into a formula over the next state (Quint's effect
/// signatures say the same).
fn carries_assignments(name: &str) -> bool {
    matches!(name, "actionAll" | "actionAny" | "ite" | "then" | "expect" | "reps" | "fail" | "q::test" | "q::testOnce")
}

/// How the user writes a builtin (`eq` is `==`, `ite` is `if`).
fn written(name: &'static str) -> &'static str {
    match name {
        "ite" => "if",
        _ => crate::infer::infix_symbol(name).unwrap_or(name),
    }
}

/// What an action is given to, for a message: an operator in backquotes, or the kind of
/// value a literal builds (`(x' = 1, 2)` gives it to a tuple).
fn receiver(operator: &str) -> String {
    match operator {
        "Tup" => "a tuple".to_string(),
        "List" => "a list".to_string(),
        "Set" => "a set".to_string(),
        "Rec" => "a record".to_string(),
        "Map" => "a map".to_string(),
        _ => format!("`{operator}`"),
    }
}

/// The error for an action given to an operator that does not combine actions, in a
/// definition that is not temporal (Quint's QNT200 says the same, with the same hints).
fn action_as_argument(def: &Def, at: Span, operator: &str) -> Diagnostic {
    let kind = def.qualifier.keyword();
    let hint = match operator {
        "and" => "to combine actions, use `all { ... }`",
        "or" => "for alternative actions, use `any { ... }`",
        "exists" => "to pick a value in an action, use `nondet v = S.oneOf()` and then the action",
        "if" => "the condition of `if` must not assign: assign in its branches",
        _ => "an action can only be combined with `all`, `any`, `if`, `match`, `then` and `reps`; declare the definition `temporal` if it is a formula over the next state",
    };
    let (message, label) = match operator {
        "if" => (format!("the condition of `if` is an action: that makes {kind} `{}` a temporal formula", def.name), "an action as the condition".to_string()),
        _ => (format!("an action is given to {}, which does not combine actions: that makes {kind} `{}` a temporal formula", receiver(operator), def.name), format!("an action as an argument of {}", receiver(operator))),
    };
    Diagnostic::error(Code::ModeMismatch, at, message)
        .with_label(label)
        .with_secondary(def.name_span, format!("declared as {kind}"))
        .with_help(hint)
}

fn quote_list(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn what_short(mode: Mode) -> &'static str {
    match mode {
        Mode::Pure => "pure",
        Mode::State => "reads state",
        Mode::Action => "acts",
        Mode::Temporal => "temporal",
    }
}

fn reason_for(mode: Mode, name: &str) -> String {
    match mode {
        Mode::State => format!("uses `{name}`, which reads the state"),
        Mode::Action => format!("uses the action `{name}`"),
        Mode::Temporal => format!("uses the temporal formula `{name}`"),
        Mode::Pure => format!("uses `{name}`"),
    }
}

/// The highest level a qualifier allows.
pub fn qualifier_mode(q: Qualifier) -> Mode {
    match q {
        Qualifier::PureVal | Qualifier::PureDef => Mode::Pure,
        Qualifier::Val | Qualifier::Def => Mode::State,
        Qualifier::Action | Qualifier::Nondet => Mode::Action,
        // Quint orders `run` above `temporal`: a run may use actions as Booleans
        // (`init and step`) and temporal operators (they fail only if the run reaches them).
        Qualifier::Temporal | Qualifier::Run => Mode::Temporal,
    }
}
