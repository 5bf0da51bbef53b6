//! Tests: each definition of the main module whose name matches, as in Quint. A `run` is
//! evaluated from the empty state, up to `max_samples` times with fresh nondeterminism
//! (once, if it made no choice); a run that ends disabled, fails an `expect`, or raises an
//! error has failed. Any other definition without parameters is a test of its value: false
//! fails (Quint's QNT511), a value that is not a Boolean, or a definition with parameters,
//! is ignored (Quint counts both as ignored).

use crate::choose::{Choice, ChoiceError, Chooser, RandomChooser, Tries};
use crate::eval::{ErrorKind, EvalError};
use crate::simulate::sample_seed;
use crate::{Spec, Value};
use spec_analysis::ir::DefId;
use spec_syntax::ast::Qualifier;

#[derive(Debug)]
pub enum TestOutcome {
    /// Passed every sample; `seed` is the last sample's (to replay it).
    Passed { samples: u64, seed: u64 },
    /// The run was disabled (an action in it could not happen).
    Disabled { seed: u64 },
    /// A test that is not a `run` evaluated to false.
    False { seed: u64 },
    /// An `expect` was false, or another runtime error.
    Failed { seed: u64, error: Box<EvalError> },
    /// Not a test: the definition's name matches, but it cannot pass or fail.
    Ignored(Ignored),
}

/// Why a definition whose name matches is not run as a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// It takes parameters (there is nothing to call it with).
    TakesParameters,
    /// Its value is not a Boolean.
    NotBoolean,
}

impl Ignored {
    pub fn reason(self) -> &'static str {
        match self {
            Ignored::TakesParameters => "it takes parameters",
            Ignored::NotBoolean => "its value is not a Boolean",
        }
    }
}

impl TestOutcome {
    /// Whether the test failed (ignored ones did not).
    pub fn failed(&self) -> bool {
        matches!(self, TestOutcome::Disabled { .. } | TestOutcome::False { .. } | TestOutcome::Failed { .. })
    }
}

/// Why a recorded run stopped before its end.
#[derive(Debug)]
pub enum RecordError {
    /// One of the run's actions could not happen.
    Disabled,
    /// The run failed (an `expect`, or another runtime error).
    Failed(Box<EvalError>),
}

/// A run as it went: the states and the step to each (the action taken and the picks, as
/// Quint records them for `mbt::actionTaken` and `mbt::nondetPicks`), up to its end or to
/// where it stopped.
pub struct Recorded {
    pub states: Vec<crate::State>,
    pub steps: Vec<crate::Step>,
    pub ended: Result<(), RecordError>,
}

/// Runs `def` with `chooser`, recording every state it commits.
pub fn record(spec: &Spec, def: DefId, chooser: &mut dyn Chooser) -> Recorded {
    let mut ctx = crate::Ctx::new(&spec.compiled, spec.state0(), chooser);
    ctx.recorded = Some(Vec::new());
    let mut ended = match spec.eval_in(&mut ctx, def) {
        Ok(Value::Bool(true)) => Ok(()),
        Ok(_) => Err(RecordError::Disabled),
        Err(e) => Err(RecordError::Failed(e)),
    };
    // The run's last action assigned the next state without committing it (unless it ended
    // in `expect`, which leaves the state as it was).
    // The main module's variables, and those of the test's own module (a test of a module
    // imported under a qualifier changes that module's).
    let module = spec.analysis.program.defs.get(def as usize).map(|d| d.module);
    let active = |i: &usize| spec.compiled.active_vars.get(*i).copied().unwrap_or(false) || spec.analysis.program.vars.get(*i).map(|v| v.module) == module;
    let assigned = (0..ctx.next.len()).filter(active).all(|i| ctx.next[i].is_some());
    // A run that ends in `expect` has committed its last state already; any other last
    // action is a step, a stuttering one (`x' = x`) included, as in Quint's traces.
    let ends_in_expect = spec.analysis.program.defs.get(def as usize).and_then(|d| d.body.as_ref()).is_some_and(ends_in_expect);
    if ended.is_ok() && assigned && !ends_in_expect {
        let span = spec.analysis.program.defs[def as usize].name_span;
        if let Err(e) = ctx.commit(span) {
            ended = Err(RecordError::Failed(e));
        }
    }
    let (states, steps) = ctx.recorded.take().unwrap_or_default().into_iter().unzip();
    Recorded { states, steps, ended }
}

/// Where the last action of the run `def` is (`c` in `a.then(b).then(c)`): what was
/// disabled when the run is (an earlier disabled action is an error at its own place).
pub fn last_action_span(spec: &Spec, def: DefId) -> Option<spec_syntax::Span> {
    use spec_analysis::ir::{Callee, ExprKind};
    let mut e = spec.analysis.program.defs.get(def as usize)?.body.as_ref()?;
    loop {
        match &e.kind {
            ExprKind::Call { callee: Callee::Builtin("then"), args, .. } if args.len() == 2 => e = &args[1],
            ExprKind::Let { body, .. } | ExprKind::LetPat { body, .. } | ExprKind::Nondet { body, .. } => e = body,
            _ => return Some(e.span),
        }
    }
}

/// Whether the last action of a run is `expect` (`a.then(b).expect(p)`).
fn ends_in_expect(body: &spec_analysis::ir::Expr) -> bool {
    use spec_analysis::ir::{Callee, ExprKind};
    let mut e = body;
    loop {
        match &e.kind {
            ExprKind::Call { callee: Callee::Builtin("expect"), .. } => return true,
            ExprKind::Call { callee: Callee::Builtin("then"), args, .. } if args.len() == 2 => e = &args[1],
            ExprKind::Let { body, .. } | ExprKind::LetPat { body, .. } | ExprKind::Nondet { body, .. } => e = body,
            _ => return false,
        }
    }
}

/// The definitions of the main module whose names match, in the order they are declared
/// (files in the order they were loaded), with those of the modules it imports under a
/// qualifier (`import M(N = 4) as M4`: `M4::someTest`), as Quint's flattened main module
/// has them (not those that such a module imports under a qualifier in turn). A definition visible under several names (`x` and `M::x`) is listed once,
/// under its shortest name.
pub fn tests(spec: &Spec, matches: &dyn Fn(&str) -> bool) -> Vec<(String, DefId)> {
    let program = &spec.analysis.program;
    let mut found: Vec<(String, DefId)> = Vec::new();
    let main = &program.modules[spec.main as usize];
    let mut named: Vec<(String, DefId)> = main.scope.iter().filter_map(|(name, entity)| match entity {
        spec_analysis::ir::Entity::Def(d) => Some((name.clone(), *d)),
        _ => None,
    }).collect();
    // Qualified imports of the main module (not theirs in turn: Quint does not run those).
    for (prefix, module) in &main.namespaces {
        let Some(instance) = program.modules.get(*module as usize).filter(|_| *module != spec.main) else { continue };
        for (name, entity) in &instance.public {
            if let spec_analysis::ir::Entity::Def(d) = entity {
                named.push((format!("{prefix}::{name}"), *d));
            }
        }
    }
    for (name, d) in named {
        let def = &program.defs[d as usize];
        if def.synthetic || def.body.is_none() || def.qualifier == Qualifier::Nondet || !matches(&name) {
            continue;
        }
        match found.iter_mut().find(|(_, seen)| *seen == d) {
            Some(entry) if name.len() < entry.0.len() => entry.0 = name,
            Some(_) => {}
            None => found.push((name, d)),
        }
    }
    found.sort_by_key(|(_, d)| {
        let span = program.defs[*d as usize].span;
        (span.file, span.start)
    });
    found
}

/// Whether `def` is a `run` (as opposed to a value tested for being true).
pub fn is_run(spec: &Spec, def: DefId) -> bool {
    spec.analysis.program.defs.get(def as usize).is_some_and(|d| d.qualifier == Qualifier::Run)
}

/// A random chooser that notes whether a real choice was asked of it (one with more than one
/// alternative): a run that made none needs to be evaluated only once.
pub struct Asking {
    pub inner: RandomChooser,
    pub asked: bool,
}

impl Asking {
    pub fn new(seed: u64) -> Asking {
        Asking { inner: RandomChooser::new(seed), asked: false }
    }
}

impl Chooser for Asking {
    fn choose(&mut self, choice: &Choice) -> Result<Tries, ChoiceError> {
        self.asked |= choice.size > 1;
        self.inner.choose(choice)
    }
    fn retry(&mut self, choice: &Choice, tries: &mut Tries) -> bool {
        self.inner.retry(choice, tries)
    }
    fn choose_big(&mut self, choice: &Choice, size: &num_bigint::BigInt) -> Result<num_bigint::BigInt, ChoiceError> {
        self.asked = true;
        self.inner.choose_big(choice, size)
    }
}

/// Runs one test.
pub fn run_test(spec: &Spec, def: DefId, max_samples: u64, seed: u64) -> TestOutcome {
    if spec.analysis.program.defs.get(def as usize).and_then(|d| d.params.as_ref()).is_some_and(|ps| !ps.is_empty()) {
        return TestOutcome::Ignored(Ignored::TakesParameters);
    }
    let run = is_run(spec, def);
    for i in 0..max_samples.max(1) {
        let sample = sample_seed(seed, i);
        let mut chooser = Asking::new(sample);
        match spec.eval_def(&spec.state0(), def, &mut chooser) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) if run => return TestOutcome::Disabled { seed: sample },
            Ok(Value::Bool(false)) => return TestOutcome::False { seed: sample },
            Ok(_) => return TestOutcome::Ignored(Ignored::NotBoolean),
            Err(error) => return TestOutcome::Failed { seed: sample, error },
        }
        if !chooser.asked {
            return TestOutcome::Passed { samples: i + 1, seed: sample };
        }
    }
    TestOutcome::Passed { samples: max_samples.max(1), seed: sample_seed(seed, max_samples.max(1) - 1) }
}

pub fn is_expectation(e: &EvalError) -> bool {
    e.kind == ErrorKind::Expectation
}
