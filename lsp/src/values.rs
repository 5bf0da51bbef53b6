//! The parts of the server that run specs: the value of a pure `val` on hover (when it is
//! cheap: a short time budget), the background commands behind the code lenses, and the
//! classification of tokens for semantic highlighting. Specs are built from the server's
//! own analysis (never from a fresh database), so they see the open buffers of every file.

use crate::ide::{self, NameKind, Symbol};
use spec_analysis::ir::{Entity, Program};
use spec_analysis::Analysis;
use spec_interpreter::compile::Compiled;
use spec_interpreter::simulate::{simulate, Config, Progress};
use spec_interpreter::test_runner::{run_test, tests, TestOutcome};
use spec_interpreter::{RandomChooser, Spec};
use spec_syntax::ast::Qualifier;
use spec_syntax::lexer::{lex, Token};
use spec_syntax::{FileId, SourceMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::ls_types::SemanticTokenType;

/// How long hover may spend computing a value.
const HOVER_BUDGET: Duration = Duration::from_millis(50);

/// The program last compiled (for a hover value or a code lens), kept while the analysis
/// it came from is the current one: hovering twice over an unchanged spec compiles once.
#[derive(Default)]
pub struct CompiledCache {
    last: Mutex<Option<(Arc<Program>, Arc<Compiled>)>>,
}

impl CompiledCache {
    fn get(&self, analysis: &Analysis) -> Arc<Compiled> {
        if let Ok(last) = self.last.lock() {
            if let Some((program, compiled)) = last.as_ref() {
                if Arc::ptr_eq(program, &analysis.program) {
                    return compiled.clone();
                }
            }
        }
        let compiled = Arc::new(Compiled::new(analysis.program.clone(), analysis.types.clone()));
        if let Ok(mut last) = self.last.lock() {
            *last = Some((analysis.program.clone(), compiled.clone()));
        }
        compiled
    }
}

/// A runnable spec from the server's own analysis, with `module` (or the one named after
/// the file, or the last) as its main module. Errors are messages for the user.
pub fn spec_of(cache: &CompiledCache, analysis: Analysis, stem: &str, module: Option<&str>) -> Result<Spec, String> {
    if let Some(first) = analysis.diagnostics.iter().find(|d| d.is_error()) {
        return Err(format!("the spec has errors: {}", first.message));
    }
    let main = spec_analysis::main_module(&analysis.program, stem, module)?;
    let scope = &analysis.program.modules[main as usize].scope;
    let active: Vec<bool> = (0..analysis.program.vars.len()).map(|v| scope.values().any(|e| *e == Entity::Var(v as u32))).collect();
    let mut compiled = cache.get(&analysis);
    if compiled.active_vars != active {
        let mut own = Compiled::new(analysis.program.clone(), analysis.types.clone());
        own.active_vars = active;
        compiled = Arc::new(own);
    }
    Ok(Spec { analysis, compiled, main, sources: SourceMap::new() })
}

/// The value of a `pure val` without parameters, if it can be computed quickly.
pub fn cheap_value(cache: &CompiledCache, analysis: &Analysis, symbol: &Symbol) -> Option<String> {
    let Symbol::Def(d) = symbol else { return None };
    let def = analysis.program.defs.get(*d as usize)?;
    if def.qualifier != Qualifier::PureVal || def.params.is_some() || analysis.has_errors() {
        return None;
    }
    let spec = Spec { analysis: analysis.clone(), compiled: cache.get(analysis), main: def.module, sources: SourceMap::new() };
    let stop = Arc::new(AtomicBool::new(false));
    let timer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(HOVER_BUDGET);
            stop.store(true, Ordering::Relaxed);
        })
    };
    let value = spec.eval_def_interruptible(&spec.state0(), *d, &mut RandomChooser::new(0), Some(&stop)).ok()?.to_string();
    drop(timer);
    (value.len() <= 300).then_some(value)
}

/// How long a code-lens command may run before it stops with what it has (the client may
/// set another budget with the initialization option `commandBudgetMs`).
pub const COMMAND_BUDGET: Duration = Duration::from_secs(10);

/// How many samples a test lens runs between looks at its limits.
const TEST_CHUNK: u64 = 100;

/// A flag raised when the request that owns it goes away (answered or cancelled).
#[derive(Default)]
pub struct StopOnDrop(Arc<AtomicBool>);

impl StopOnDrop {
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What bounds a code-lens command: a time budget, the request's cancellation and the
/// server's shutdown.
pub struct RunLimits {
    pub budget: Duration,
    pub cancel: Arc<AtomicBool>,
    pub stopping: Arc<AtomicBool>,
}

/// Why a command stopped before it finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stopped {
    Budget,
    Cancelled,
}

/// Raises `interrupt` when the limits say so, until dropped. It looks every 20 ms.
struct Watcher {
    done: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Option<Stopped>>>,
}

impl Watcher {
    fn start(limits: &RunLimits, interrupt: Arc<AtomicBool>) -> Watcher {
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let (cancel, stopping, budget) = (limits.cancel.clone(), limits.stopping.clone(), limits.budget);
        let thread = std::thread::spawn(move || {
            let start = std::time::Instant::now();
            loop {
                match finished.recv_timeout(Duration::from_millis(20)) {
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    _ => return None,
                }
                let why = if cancel.load(Ordering::Relaxed) || stopping.load(Ordering::Relaxed) {
                    Stopped::Cancelled
                } else if start.elapsed() >= budget {
                    Stopped::Budget
                } else {
                    continue;
                };
                interrupt.store(true, Ordering::Relaxed);
                return Some(why);
            }
        });
        Watcher { done: Some(done), thread: Some(thread) }
    }

    /// Stops watching; tells whether (and why) the work was interrupted.
    fn finish(mut self) -> Option<Stopped> {
        self.done.take();
        self.thread.take().and_then(|t| t.join().ok()).flatten()
    }
}

/// How many threads a simulation from the editor may use: half the cores (at least one),
/// so the editor and the analysis keep some.
fn lens_threads() -> usize {
    std::thread::available_parallelism().map(|n| (n.get() / 2).max(1)).unwrap_or(1)
}

fn stopped_note(stopped: Option<Stopped>, budget: Duration) -> String {
    match stopped {
        Some(Stopped::Budget) => format!(" (stopped at the time budget of {} ms)", budget.as_millis()),
        Some(Stopped::Cancelled) => " (cancelled)".to_string(),
        None => String::new(),
    }
}

/// Runs a code-lens command on `spec` within `limits` and describes the result in one
/// message.
pub fn run_command(command: &str, spec: &Spec, test: Option<&str>, limits: &RunLimits) -> String {
    let interrupt = Arc::new(AtomicBool::new(false));
    match command {
        "spec.runTest" => {
            let Some(name) = test else { return "no test named".into() };
            let Some((_, def)) = tests(spec, &|n| n == name).into_iter().next() else { return format!("no test `{name}`") };
            // Samples in chunks, looking at the limits between chunks (a sample itself is
            // not interrupted: tests are short).
            let watcher = Watcher::start(limits, interrupt.clone());
            let mut samples = 0;
            let mut verdict = None;
            for chunk in 0..1000 / TEST_CHUNK {
                if interrupt.load(Ordering::Relaxed) {
                    break;
                }
                match run_test(spec, def, TEST_CHUNK, chunk) {
                    TestOutcome::Passed { samples: n, .. } => {
                        samples += n;
                        if n < TEST_CHUNK {
                            break; // it made no choice: one sample says it all
                        }
                    }
                    TestOutcome::Disabled { seed } => {
                        verdict = Some(format!("{name} failed: the run was disabled (seed {seed})"));
                        break;
                    }
                    TestOutcome::Failed { error, seed } => {
                        verdict = Some(format!("{name} failed: {} (seed {seed})", error.message));
                        break;
                    }
                    TestOutcome::False { seed } => {
                        verdict = Some(format!("{name} failed: it is false (seed {seed})"));
                        break;
                    }
                    TestOutcome::Ignored(why) => {
                        verdict = Some(format!("{name} is not a test: {}", why.reason()));
                        break;
                    }
                }
            }
            let stopped = watcher.finish();
            verdict.unwrap_or_else(|| format!("{name} passed ({samples} samples){}", stopped_note(stopped, limits.budget)))
        }
        "spec.simulate" => {
            let (Some(init), Some(step)) = (spec.lookup("init"), spec.lookup("step")) else { return "the module needs `init` and `step` actions".into() };
            let config = Config { init, step, invariants: Vec::new(), witnesses: Vec::new(), max_steps: 20, max_samples: 1000, seed: 0, keep_traces: 0 };
            let watcher = Watcher::start(limits, interrupt.clone());
            let outcome = simulate(spec, &config, lens_threads(), &Progress::default(), &interrupt);
            let stopped = watcher.finish();
            match &outcome.error {
                Some(sample) => format!("simulation stopped by an error: {}", sample.error.as_ref().map(|e| e.message.clone()).unwrap_or_default()),
                None => format!(
                    "simulated {} samples, {} steps; {} ended early (step disabled){}",
                    outcome.samples,
                    outcome.steps,
                    outcome.deadlocks,
                    stopped_note(stopped.filter(|_| outcome.interrupted), limits.budget)
                ),
            }
        }
        other => format!("unknown command {other}"),
    }
}

/// Tokens to highlight: (byte offset, byte length, type), in order.
pub fn semantic_tokens(analysis: &Analysis, text: &str, file: FileId) -> Vec<(usize, usize, SemanticTokenType)> {
    let names = ide::classify(analysis, file);
    let mut out = Vec::new();
    let (tokens, docs) = lex(text);
    for d in &docs {
        out.push((d.start, d.end - d.start, SemanticTokenType::COMMENT));
    }
    for (start, token, end) in tokens {
        let kind = match token {
            Token::Int(_) => SemanticTokenType::NUMBER,
            Token::Str(_) => SemanticTokenType::STRING,
            Token::Ident(_) | Token::QualIdent(_) => {
                let found = names.binary_search_by_key(&start, |(s, _)| s.start as usize).ok().map(|i| names[i].1);
                match found {
                    Some(NameKind::Variable) => SemanticTokenType::VARIABLE,
                    Some(NameKind::Constant) => SemanticTokenType::PROPERTY,
                    Some(NameKind::Operator) => SemanticTokenType::FUNCTION,
                    Some(NameKind::Parameter) => SemanticTokenType::PARAMETER,
                    Some(NameKind::Variant) => SemanticTokenType::ENUM_MEMBER,
                    None => continue,
                }
            }
            Token::Error(_) | Token::StartFile | Token::StartExpr | Token::StartDecls => continue,
            t if t.text().is_some_and(|s| s.chars().all(|c| c.is_ascii_alphabetic())) => SemanticTokenType::KEYWORD,
            _ => continue,
        };
        out.push((start, end - start, kind));
    }
    out.sort_by_key(|(s, _, _)| *s);
    out
}
