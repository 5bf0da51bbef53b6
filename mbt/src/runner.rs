//! The runner: traces of a spec, generated in-process by the engine with a strategy (see
//! `strategy.rs`: random, as the simulator samples them, with Quint's retries and one seed
//! per sample derived from the run's seed; coverage-guided; or covering every transition),
//! each replayed on a fresh driver with the spec and implementation states compared after
//! every step. The first failure is shrunk (see `shrink.rs`) and reported with the step, the
//! action and picks, a diff of the spec state against the implementation's, and the seed to
//! reproduce it (`SPEC_MBT_SEED` overrides the configured seed).

use crate::driver::{Driver, State};
use crate::report::{Failure, FailureKind, TraceStep};
use crate::coverage::Summary;
use crate::step::Step;
use crate::strategy::{GenError, Generator, Strategy, DEFAULT_MAX_STATES};
use spec_interpreter::simulate::sample_seed;
use spec_interpreter::{RequestError, Resolved, RunRequest, Spec};
use std::collections::BTreeMap;
use std::fmt;

/// The environment variable that overrides a run's seed (decimal, or hex with `0x`).
pub const SEED_VAR: &str = "SPEC_MBT_SEED";

/// What to run: the spec, its actions, and how many traces of what length.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The test's name, for messages.
    pub name: String,
    pub spec: String,
    pub main: Option<String>,
    pub init: String,
    pub step: String,
    pub max_samples: u64,
    pub max_steps: usize,
    pub seed: Option<u64>,
    /// A seed given as text that is not a number (reported when the run starts).
    pub bad_seed: Option<String>,
    pub shrink: bool,
    /// How traces are generated.
    pub strategy: Strategy,
    /// The bound of the state space for [`Strategy::Transitions`].
    pub max_states: usize,
    /// Stop generating once every action and branch is covered (for measuring coverage).
    pub stop_at_full_coverage: bool,
    /// A `run` of the spec whose traces are replayed instead of generated ones
    /// (`#[quint_test]`; see `spec_test.rs`).
    pub test: Option<String>,
}

impl RunConfig {
    pub fn new(name: &str) -> RunConfig {
        RunConfig {
            name: name.to_string(),
            spec: String::new(),
            main: None,
            init: "init".into(),
            step: "step".into(),
            max_samples: 100,
            max_steps: 20,
            seed: None,
            bad_seed: None,
            shrink: true,
            strategy: Strategy::Random,
            max_states: DEFAULT_MAX_STATES,
            stop_at_full_coverage: false,
            test: None,
        }
    }
    pub fn spec(mut self, path: &str) -> RunConfig {
        self.spec = path.to_string();
        self
    }
    pub fn main(mut self, module: &str) -> RunConfig {
        self.main = Some(module.to_string());
        self
    }
    pub fn init(mut self, action: &str) -> RunConfig {
        self.init = action.to_string();
        self
    }
    pub fn step(mut self, action: &str) -> RunConfig {
        self.step = action.to_string();
        self
    }
    pub fn max_samples(mut self, n: u64) -> RunConfig {
        self.max_samples = n;
        self
    }
    pub fn max_steps(mut self, n: usize) -> RunConfig {
        self.max_steps = n;
        self
    }
    pub fn seed(mut self, seed: u64) -> RunConfig {
        self.seed = Some(seed);
        self
    }
    /// A seed as text: decimal, or hexadecimal with `0x`.
    pub fn seed_text(mut self, seed: &str) -> RunConfig {
        match parse_seed(seed) {
            Some(s) => self.seed = Some(s),
            None => self.bad_seed = Some(seed.to_string()),
        }
        self
    }
    pub fn shrink(mut self, on: bool) -> RunConfig {
        self.shrink = on;
        self
    }
    pub fn strategy(mut self, strategy: Strategy) -> RunConfig {
        self.strategy = strategy;
        self
    }
    /// A strategy by name (`random`, `coverage`, `transitions`); an unknown name leaves it.
    pub fn strategy_name(mut self, name: &str) -> RunConfig {
        if let Ok(s) = name.parse() {
            self.strategy = s;
        }
        self
    }
    pub fn max_states(mut self, n: usize) -> RunConfig {
        self.max_states = n;
        self
    }
    /// Replays the traces of the spec's `run` named `name` (see `spec_test.rs`).
    pub fn test(mut self, name: &str) -> RunConfig {
        self.test = Some(name.to_string());
        self
    }
    pub fn stop_at_full_coverage(mut self, on: bool) -> RunConfig {
        self.stop_at_full_coverage = on;
        self
    }
}

/// A seed as text: decimal, or hexadecimal with `0x`.
pub fn parse_seed(text: &str) -> Option<u64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// What a passing run did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub seed: u64,
    pub samples: u64,
    /// Steps replayed on drivers, init steps included.
    pub steps: u64,
    /// How often each action was replayed.
    pub coverage: BTreeMap<String, u64>,
    /// Action, branch and state coverage of the generated traces.
    pub spec_coverage: Summary,
    /// The samples after which every action and branch was covered, if that happened.
    pub full_coverage_after: Option<u64>,
    /// The generated steps (init steps included) after which every action and branch was
    /// covered, if that happened.
    pub full_coverage_after_steps: Option<u64>,
    /// The transitions of the state graph ([`Strategy::Transitions`]; 0 otherwise).
    pub transitions: usize,
}

/// Why a run did not pass.
#[derive(Debug)]
pub enum MbtError {
    /// The seed (configured, or from `SPEC_MBT_SEED`) is not a number.
    BadSeed { text: String },
    /// The spec or the request does not load (the rendered diagnostics, if any).
    Load { error: RequestError, rendered: String },
    /// The spec itself failed while generating a trace (a runtime error, rendered).
    Spec { sample: u64, seed: u64, message: String },
    /// The init action was disabled in every sample.
    InitDisabled,
    /// The strategy cannot generate traces for this spec (a state space too large to cover
    /// every transition, say).
    Strategy(GenError),
    /// The spec's `run` named by `RunConfig::test` gave no traces.
    SpecTest(crate::spec_test::SpecTestError),
    /// The implementation disagreed with the spec.
    Failure(Box<Failure>),
}

impl fmt::Display for MbtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MbtError::BadSeed { text } => write!(f, "the seed `{text}` is not a number (decimal, or hexadecimal with 0x)"),
            MbtError::Load { error, rendered } => {
                write!(f, "{error}")?;
                if !rendered.is_empty() {
                    write!(f, "\n{rendered}")?;
                }
                Ok(())
            }
            MbtError::Spec { sample, seed, message } => write!(f, "the spec failed while generating sample {sample} (run seed {seed}):\n{message}"),
            MbtError::InitDisabled => write!(f, "the init action is disabled: there is no trace to test"),
            MbtError::Strategy(e) => write!(f, "{e}"),
            MbtError::SpecTest(e) => write!(f, "{e}"),
            MbtError::Failure(failure) => write!(f, "{failure}"),
        }
    }
}

/// The seed of a run: `SPEC_MBT_SEED` if set, else the configured one, else a fresh one.
pub fn resolve_seed(config: &RunConfig) -> Result<u64, MbtError> {
    if let Ok(text) = std::env::var(SEED_VAR) {
        return parse_seed(&text).ok_or(MbtError::BadSeed { text });
    }
    if let Some(text) = &config.bad_seed {
        return Err(MbtError::BadSeed { text: text.clone() });
    }
    Ok(config.seed.unwrap_or_else(fresh_seed))
}

fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    sample_seed(nanos, u64::from(std::process::id()))
}

/// Loads the spec of a run and checks its init and step actions.
pub fn load(config: &RunConfig) -> Result<(Spec, Resolved), MbtError> {
    let request = RunRequest { file: config.spec.clone(), main: config.main.clone(), init: config.init.clone(), step: config.step.clone(), ..RunRequest::default() };
    request.resolve().map_err(|error| {
        let rendered = match &error {
            RequestError::Load(e) if !e.diagnostics.is_empty() => e.sources.render(&e.diagnostics),
            _ => String::new(),
        };
        MbtError::Load { error, rendered }
    })
}

/// A trace the engine produced: states from the initial one, and the step that led to each.
#[derive(Clone, Debug)]
pub struct SpecTrace {
    pub states: Vec<spec_interpreter::State>,
    pub steps: Vec<spec_interpreter::Step>,
}

/// The spec and what a replay needs besides the driver.
pub struct Harness<'s> {
    pub spec: &'s Spec,
    pub resolved: &'s Resolved,
    pub init_name: &'s str,
}

impl Harness<'_> {
    /// Replays `trace` on `driver`: the first failing step and why, or `None` if every
    /// step agreed.
    pub fn replay<D: Driver>(&self, trace: &SpecTrace, mut driver: D, coverage: Option<&mut BTreeMap<String, u64>>) -> Option<(usize, FailureKind)> {
        let config = D::config();
        let mut coverage = coverage;
        for (i, (state, step)) in trace.states.iter().zip(&trace.steps).enumerate() {
            let step = match Step::new(self.spec, state, step, i, self.init_name, &config) {
                Ok(s) => s,
                Err(e) => return Some((i, FailureKind::SpecStep(e))),
            };
            if let Some(c) = coverage.as_deref_mut() {
                *c.entry(step.action_taken.clone()).or_insert(0) += 1;
            }
            if let Err(e) = driver.step(&step) {
                return Some((i, FailureKind::Driver(e)));
            }
            let spec_state = match D::State::from_spec(&step.state) {
                Ok(s) => s,
                Err(e) => return Some((i, FailureKind::SpecState(e))),
            };
            let impl_state = match D::State::from_driver(&driver) {
                Ok(s) => s,
                Err(e) => return Some((i, FailureKind::ImplState(e))),
            };
            if spec_state != impl_state {
                return Some((i, FailureKind::divergence(&spec_state, &impl_state)));
            }
        }
        None
    }

    /// What each step of a trace did, for reports.
    pub fn describe(&self, trace: &SpecTrace) -> Vec<TraceStep> {
        trace
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let action = match (i, s.actions.first()) {
                    (0, _) => self.init_name.to_string(),
                    (_, Some(a)) => a.to_string(),
                    (_, None) => "step".to_string(),
                };
                let mut picks: Vec<(String, String)> = Vec::new();
                for (n, v) in &s.picks {
                    match picks.iter_mut().find(|(m, _)| m.as_str() == &**n) {
                        Some(slot) => slot.1 = v.to_string(),
                        None => picks.push((n.to_string(), v.to_string())),
                    }
                }
                TraceStep { action, picks }
            })
            .collect()
    }
}

/// Runs the traces of `config.strategy` (`config.max_samples` of them, or every planned
/// one for [`Strategy::Transitions`]), each on a fresh driver from `make`.
pub fn run<D: Driver>(config: &RunConfig, mut make: impl FnMut() -> D) -> Result<Report, MbtError> {
    let seed = resolve_seed(config)?;
    let (spec, resolved) = load(config)?;
    let harness = Harness { spec: &spec, resolved: &resolved, init_name: &config.init };
    let mut generator = generator(&spec, &resolved, config, seed)?;
    let mut report = Report { seed, transitions: generator.transitions, ..Report::default() };
    let mut any_trace = false;
    let limit = if config.strategy == Strategy::Transitions || config.test.is_some() { u64::MAX } else { config.max_samples };
    let mut index = 0;
    while index < limit {
        let generated = match generator.next_trace(index) {
            Ok(Some(g)) => g,
            Ok(None) => break,
            Err(GenError::Spec(e)) => return Err(MbtError::Spec { sample: index, seed, message: spec.render_error(&e) }),
            Err(e) => return Err(MbtError::Strategy(e)),
        };
        index += 1;
        if generated.trace.states.is_empty() {
            continue;
        }
        any_trace = true;
        let trace = generated.trace;
        report.samples += 1;
        report.steps += trace.states.len() as u64;
        if let Some((at, kind)) = harness.replay(&trace, make(), Some(&mut report.coverage)) {
            let original_len = at + 1;
            let (trace, at, kind) = if config.shrink { crate::shrink::shrink(&harness, trace, at, kind, &mut make) } else { (trace, at, kind) };
            let failure = Failure {
                test: config.name.clone(),
                seed,
                sample: index - 1,
                sample_seed: generated.seed,
                step: at,
                trace: harness.describe(&SpecTrace { states: trace.states[..=at].to_vec(), steps: trace.steps[..=at].to_vec() }),
                original_len,
                kind,
            };
            return Err(MbtError::Failure(Box::new(failure)));
        }
        if report.full_coverage_after.is_none() && generator.coverage.is_full() {
            report.full_coverage_after = Some(report.samples);
            if config.stop_at_full_coverage {
                break;
            }
        }
    }
    if !any_trace {
        return Err(MbtError::InitDisabled);
    }
    report.spec_coverage = generator.coverage.summary();
    report.full_coverage_after_steps = generator.coverage.full_after_steps;
    Ok(report)
}

fn generator<'s>(spec: &'s Spec, resolved: &Resolved, config: &RunConfig, seed: u64) -> Result<Generator<'s>, MbtError> {
    if let Some(test) = &config.test {
        let traces = crate::spec_test::traces(spec, resolved.init, resolved.step, test, config.max_samples, seed).map_err(MbtError::SpecTest)?;
        return Ok(Generator::from_traces(spec, resolved.init, resolved.step, traces));
    }
    Generator::new(spec, resolved.init, resolved.step, config.strategy, seed, config.max_steps, config.max_states).map_err(|e| match e {
        GenError::Spec(e) => MbtError::Spec { sample: 0, seed, message: spec.render_error(&e) },
        e => MbtError::Strategy(e),
    })
}

/// Generates traces of `config` without replaying them on anything, for measuring what a
/// strategy covers: the report's `samples`, `steps`, `spec_coverage`, `full_coverage_after`
/// and `transitions` are filled in. Stops at full coverage if `config.stop_at_full_coverage`.
pub fn explore(config: &RunConfig) -> Result<Report, MbtError> {
    let seed = resolve_seed(config)?;
    let (spec, resolved) = load(config)?;
    let mut generator = generator(&spec, &resolved, config, seed)?;
    let mut report = Report { seed, transitions: generator.transitions, ..Report::default() };
    let limit = if config.strategy == Strategy::Transitions || config.test.is_some() { u64::MAX } else { config.max_samples };
    let mut index = 0;
    while index < limit {
        let generated = match generator.next_trace(index) {
            Ok(Some(g)) => g,
            Ok(None) => break,
            Err(GenError::Spec(e)) => return Err(MbtError::Spec { sample: index, seed, message: spec.render_error(&e) }),
            Err(e) => return Err(MbtError::Strategy(e)),
        };
        index += 1;
        report.samples += 1;
        report.steps += generated.trace.states.len() as u64;
        if report.full_coverage_after.is_none() && generator.coverage.is_full() {
            report.full_coverage_after = Some(report.samples);
            if config.stop_at_full_coverage {
                break;
            }
        }
    }
    report.spec_coverage = generator.coverage.summary();
    report.full_coverage_after_steps = generator.coverage.full_after_steps;
    Ok(report)
}

/// [`run`] for `#[test]`: panics with the report when the run does not pass, and prints
/// what a passing run covered (shown by `cargo test -- --nocapture`).
pub fn run_test<D: Driver>(config: &RunConfig, make: impl FnMut() -> D) -> Report {
    match run(config, make) {
        Ok(report) => {
            println!("model-based test `{}`: {} traces, {} steps (seed {}); {}", config.name, report.samples, report.steps, report.seed, report.spec_coverage);
            report
        }
        Err(e) => panic!("{e}"),
    }
}
