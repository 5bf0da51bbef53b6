//! The interpreter of spec programs, as a library: load a spec (from a file or a string),
//! evaluate expressions, run `init` or any action with a seeded chooser, read states as
//! values, check invariants. The CLI, the REPL, the simulator and the test runner are built
//! on this API; other Rust programs can embed it (see `examples/embed.rs`).
//!
//! ```
//! use spec_interpreter::{Spec, RandomChooser};
//! let spec = Spec::from_text("counter.qnt", "module counter { var x: int  action init = x' = 0 }", None).unwrap();
//! let mut chooser = RandomChooser::new(1);
//! let (state, _step) = spec.run_action(&spec.state0(), "init", &mut chooser).unwrap().unwrap();
//! assert_eq!(spec.var_value(&state, "x").unwrap().to_string(), "0");
//! ```

pub mod builtins;
pub mod choose;
pub mod collection;
pub mod compile;
pub mod eval;
mod generate;
pub mod itf;
mod keep;
pub mod oracle;
mod place;
pub mod render;
pub mod repl;
pub mod request;
pub mod set;
mod set_index;
pub mod simulate;
pub mod test_runner;
pub mod value;

pub use choose::{Choice, ChoiceError, Chooser, EnumeratingChooser, NextState, RandomChooser, ScriptedChooser, Site, Tries};
pub use eval::{Ctx, ErrorKind, EvalError, Scratch};
pub use request::{Property, RequestError, Resolved, Role, RunRequest};
pub use value::Value;

use compile::Compiled;
use spec_analysis::ir::{DefId, Entity, ModId};
use spec_analysis::{analyzed, layer_analysis, layer_program, Analysis, Database, Db, Extra, Layer, Mode, SourceText};
use spec_syntax::ast::Qualifier;
use spec_syntax::{Diagnostic, SourceMap, Span};
use std::sync::Arc;

/// A state: the values of the state variables, in declaration order.
pub type State = Arc<Vec<Value>>;

/// Why a spec could not be loaded: its diagnostics, and the sources to render them.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// A problem with the request itself (no such module, unreadable file).
    pub message: Option<String>,
}

/// A loaded, checked and compiled spec with a chosen main module.
pub struct Spec {
    pub analysis: Analysis,
    pub compiled: Arc<Compiled>,
    pub main: ModId,
    pub sources: SourceMap,
}

/// The outcome of running an action.
pub type StepResult = Result<Option<(State, Step)>, Box<EvalError>>;

/// What happened in a step besides the new state.
#[derive(Clone, Debug, Default)]
pub struct Step {
    /// The named actions under `any` that fired, innermost first.
    pub actions: Vec<Arc<str>>,
    /// Nondeterministic picks by name.
    pub picks: Vec<(Arc<str>, Value)>,
}

impl Spec {
    /// Loads `path` (and what it imports) from disk.
    pub fn load_file(path: &str, main: Option<&str>) -> Result<Spec, LoadError> {
        let db = Database::default();
        let file = Spec::read_root(&db, path)?;
        Spec::from_file(&db, file, main)
    }

    /// Loads a spec from text; `name` is used in messages and to resolve imports.
    pub fn from_text(name: &str, text: &str, main: Option<&str>) -> Result<Spec, LoadError> {
        let mut db = Database::default();
        let file = db.set_text(&spec_analysis::db::normalize(std::path::Path::new(name)), text.to_string());
        Spec::from_file(&db, file, main)
    }

    /// The spec of the root file `file` of `db` (its analysis is the database's, cached).
    pub fn from_file(db: &Database, file: SourceText, main: Option<&str>) -> Result<Spec, LoadError> {
        let analysis = analyzed(db, file);
        let stem = std::path::Path::new(file.path(db)).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let main = if analysis.has_errors() { Err(String::new()) } else { spec_analysis::main_module(&analysis.program, &stem, main) };
        Spec::build(db, analysis, main)
    }

    /// The spec of a layer of additions (see [`spec_analysis::extend`]).
    pub fn from_layer(db: &Database, layer: Layer) -> Result<Spec, LoadError> {
        let analysis = layer_analysis(db, layer);
        Spec::build(db, analysis, layer_program(db, layer).main.clone())
    }

    /// Loads the spec in `text` (named `name`; without text, an empty module) with extra
    /// definitions `(qualifier, name, expression)` in its main module: they see every name
    /// the module sees. Each expression is a source of its own, shown as `<name>` without
    /// the leading underscores and trailing digits (`__invariant0` is `<invariant>`).
    pub fn with_extras(name: &str, text: Option<&str>, main: Option<&str>, extras: &[(&str, &str, &str)]) -> Result<Spec, LoadError> {
        let mut db = Database::default();
        let (root, main) = match text {
            Some(text) => (db.set_text(&spec_analysis::db::normalize(std::path::Path::new(name)), text.to_string()), main),
            None => (db.add_input("<module>", "module __repl {}".to_string()), Some("__repl")),
        };
        Spec::layered(db, root, main, extras)
    }

    /// `with_extras` on the file at `path`, read (with what it imports) through the database.
    pub fn load_with_extras(path: &str, main: Option<&str>, extras: &[(&str, &str, &str)]) -> Result<Spec, LoadError> {
        let db = Database::default();
        let root = Spec::read_root(&db, path)?;
        Spec::layered(db, root, main, extras)
    }

    fn layered(mut db: Database, root: SourceText, main: Option<&str>, extras: &[(&str, &str, &str)]) -> Result<Spec, LoadError> {
        let mut layer_extras = Vec::new();
        for (keyword, name, expr) in extras {
            let Some(qualifier) = Qualifier::from_keyword(keyword) else {
                return Err(LoadError { diagnostics: Vec::new(), sources: SourceMap::new(), message: Some(format!("`{keyword}` is not a qualifier (for the definition `{name}`)")) });
            };
            layer_extras.push(Extra::Definition { qualifier, name: name.to_string(), expr: db.add_input(&shown_name(name), expr.to_string()) });
        }
        let layer = Layer::new(&db, root, main.map(String::from), None, layer_extras);
        Spec::from_layer(&db, layer)
    }

    /// The root file at `path`, read through the database.
    fn read_root(db: &Database, path: &str) -> Result<SourceText, LoadError> {
        let normalized = spec_analysis::db::normalize(std::path::Path::new(path));
        db.load(&normalized).map_err(|e| LoadError { diagnostics: Vec::new(), sources: SourceMap::new(), message: Some(format!("cannot read `{path}`: {}", e.reason())) })
    }

    /// A spec from an analysis and its main module.
    fn build(db: &Database, analysis: &Analysis, main: Result<ModId, String>) -> Result<Spec, LoadError> {
        let sources = db.source_map();
        if analysis.has_errors() {
            return Err(LoadError { diagnostics: analysis.diagnostics.clone(), sources, message: None });
        }
        let main = main.map_err(|m| LoadError { diagnostics: Vec::new(), sources: sources.clone(), message: Some(m) })?;
        let mut compiled = Compiled::new(analysis.program.clone(), analysis.types.clone());
        let scope = &analysis.program.modules[main as usize].scope;
        compiled.active_vars = (0..analysis.program.vars.len()).map(|v| scope.values().any(|e| *e == Entity::Var(v as u32))).collect();
        Ok(Spec { analysis: analysis.clone(), compiled: Arc::new(compiled), main, sources })
    }

    /// The state before `init`: no variable has a value.
    pub fn state0(&self) -> State {
        Arc::new(Vec::new())
    }

    /// The names of the state variables of the main module, in declaration order.
    pub fn var_names(&self) -> Vec<String> {
        self.analysis.program.vars.iter().enumerate().filter(|(i, _)| self.compiled.active_vars[*i]).map(|(_, v)| v.name.clone()).collect()
    }

    /// The values of the main module's state variables (as named by `var_names`).
    pub fn project(&self, state: &State) -> Vec<Value> {
        self.active_var_indices().filter_map(|i| state.get(i).cloned()).collect()
    }

    /// The definition `name` in the main module.
    pub fn lookup(&self, name: &str) -> Option<DefId> {
        match spec_analysis::lookup(&self.analysis.program, self.main, name) {
            Some(Entity::Def(d)) => Some(d),
            _ => None,
        }
    }

    pub fn mode(&self, def: DefId) -> Mode {
        self.analysis.modes[def as usize]
    }

    /// Evaluates a definition without parameters in `state`.
    pub fn eval_def(&self, state: &State, def: DefId, chooser: &mut dyn Chooser) -> Result<Value, Box<EvalError>> {
        self.eval_def_interruptible(state, def, chooser, None)
    }

    /// Like `eval_def`, stopping with an `Interrupted` error when `interrupt` is set.
    pub fn eval_def_interruptible(&self, state: &State, def: DefId, chooser: &mut dyn Chooser, interrupt: Option<&std::sync::atomic::AtomicBool>) -> Result<Value, Box<EvalError>> {
        let mut ctx = Ctx::new(&self.compiled, state.clone(), chooser);
        ctx.interrupt = interrupt;
        self.eval_in(&mut ctx, def)
    }

    /// Evaluates a definition without parameters in the context's current state, with the
    /// context's compilation (a simulation thread has its own copy).
    pub fn eval_in(&self, ctx: &mut Ctx, def: DefId) -> Result<Value, Box<EvalError>> {
        ctx.reset();
        let compiled = ctx.compiled;
        compiled.call(ctx, def, Vec::new(), compiled.program.defs[def as usize].name_span)
    }

    /// Runs the action `name` from `state`: the next state, `None` if it is disabled.
    pub fn run_action(&self, state: &State, name: &str, chooser: &mut dyn Chooser) -> StepResult {
        let def = self.lookup(name).ok_or_else(|| eval::error(Span::default(), format!("there is no action `{name}`")))?;
        self.run_def(state, def, chooser, None)
    }

    /// Runs the action `def` from `state`.
    pub fn run_def(&self, state: &State, def: DefId, chooser: &mut dyn Chooser, interrupt: Option<&std::sync::atomic::AtomicBool>) -> StepResult {
        let mut ctx = Ctx::new(&self.compiled, state.clone(), chooser);
        ctx.interrupt = interrupt;
        Ok(self.step_in(&mut ctx, def)?.map(|step| (ctx.state.clone(), step)))
    }

    /// Runs the action `def` from the context's state; on success the context moves to the
    /// next state. `None` when the action is disabled (the state stays).
    pub fn step_in(&self, ctx: &mut Ctx, def: DefId) -> Result<Option<Step>, Box<EvalError>> {
        if !self.enabled_in(ctx, def)? {
            return Ok(None);
        }
        ctx.commit(self.analysis.program.defs[def as usize].name_span)?;
        Ok(Some(Step { actions: std::mem::take(&mut ctx.actions_taken), picks: std::mem::take(&mut ctx.picks) }))
    }

    /// Runs the action `def` from the context's state without committing: whether it is
    /// enabled, its assignments left in `ctx.next`.
    pub fn enabled_in(&self, ctx: &mut Ctx, def: DefId) -> Result<bool, Box<EvalError>> {
        ctx.reset();
        let compiled = ctx.compiled;
        let span = compiled.program.defs[def as usize].name_span;
        match compiled.call(ctx, def, Vec::new(), span)? {
            Value::Bool(b) => Ok(b),
            other => Err(eval::error(span, format!("`{}` is not an action: it evaluates to {other}", self.analysis.program.defs[def as usize].name))),
        }
    }

    /// The value of state variable `name` in `state`.
    pub fn var_value<'s>(&self, state: &'s State, name: &str) -> Option<&'s Value> {
        state.get(self.var_index(name)?)
    }

    /// The index in a state of the main module's variable `name`.
    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.analysis.program.vars.iter().enumerate().position(|(i, v)| v.name == name && self.compiled.active_vars[i])
    }

    /// The indices in a state of the main module's variables, in the order of `var_names`.
    pub fn active_var_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.compiled.active_vars.iter().enumerate().filter(|(_, active)| **active).map(|(i, _)| i)
    }

    /// Renders a runtime error with its source line and the chain of calls.
    pub fn render_error(&self, e: &EvalError) -> String {
        render_error(&self.sources, e)
    }
}

/// The name an extra definition's source is shown under: `__invariant0` is `<invariant>`.
fn shown_name(definition: &str) -> String {
    let base = definition.trim_start_matches('_').trim_end_matches(|c: char| c.is_ascii_digit());
    format!("<{base}>")
}

/// Renders a runtime error like a diagnostic, followed by the call chain.
pub fn render_error(sources: &SourceMap, e: &EvalError) -> String {
    let mut d = Diagnostic::error(spec_syntax::Code::Runtime, e.span, e.message.clone());
    for (name, site) in &e.stack {
        let (line, col) = sources.line_col(*site);
        d = d.with_note(format!("in {name}, called at {}:{line}:{col}", sources.name(site.file)));
    }
    sources.render(&[d])
}
