//! The REPL's backend: it knows nothing of terminals. It takes one complete input at a time
//! (an expression, a declaration or a `.command`) and answers with lines of output. The
//! state history is kept as persistent values, so `.back` is free. The terminal front end
//! (rustyline) lives in the CLI; tests drive this backend directly.
//!
//! The session owns one database. The loaded file (or an empty module) is its root, and
//! every accepted declaration is a layer over the previous ones (`spec_analysis::extend`),
//! so a new input is parsed and checked on its own: nothing typed before, and nothing of the
//! file, is analysed again.

use crate::eval::{Ctx, ErrorKind, RandomChooser};
use crate::{render_error, LoadError, Spec, State, Value};
use spec_analysis::builtins::BUILTINS;
use spec_analysis::{Database, Db, Extra, Layer, Mode, SourceText};
use spec_syntax::ast::Qualifier;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// One line of output and what kind it is (the front end may colour them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Value(String),
    Info(String),
    Error(String),
}

impl Line {
    pub fn text(&self) -> &str {
        match self {
            Line::Value(s) | Line::Info(s) | Line::Error(s) => s,
        }
    }
}

/// The answer to one input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub lines: Vec<Line>,
    /// The user asked to leave.
    pub exit: bool,
}

impl Reply {
    fn info(text: impl Into<String>) -> Reply {
        Reply { lines: vec![Line::Info(text.into())], exit: false }
    }
    fn error(text: impl Into<String>) -> Reply {
        Reply { lines: vec![Line::Error(text.into())], exit: false }
    }
    pub fn is_error(&self) -> bool {
        self.lines.iter().any(|l| matches!(l, Line::Error(_)))
    }
    pub fn text(&self) -> String {
        self.lines.iter().map(|l| l.text()).collect::<Vec<_>>().join("\n")
    }
}

const HELP: &str = "\
Type an expression to evaluate it, or a declaration (val, def, action, ...) to add it.
Running an action (e.g. `init`, `step`) moves to its next state and shows what changed.
  .load FILE [MODULE]  load a spec file (and its main module)
  .reload              read the loaded file again
  .clear               forget the file, the definitions and the states
  .state               show the current state
  .trace               show every state so far
  .back                undo the last action
  .seed N              seed the random choices
  .verbosity N         0 or 1: values and errors only; 2 (the default): also states and notes
  .save FILE           write the declarations typed so far to FILE (with an import of the loaded module)
  .help                this text
Quint's forms `.seed=N` and `.verbosity=N` work too, and inputs separated by `;` run in turn.
  .exit                leave (Ctrl-D works too)";

/// The REPL session.
pub struct Repl {
    /// The loaded file and the module asked for, if any.
    file: Option<(String, Option<String>)>,
    db: Database,
    /// What the declarations join: the loaded file, or an empty module.
    root: SourceText,
    main: Option<String>,
    /// The declarations accepted so far: each a layer over the one before.
    top: Option<Layer>,
    spec: Option<Spec>,
    /// The states so far, each with the action that led to it.
    trace: Vec<Visited>,
    /// The declarations accepted since the file was loaded, as typed (for `.save`).
    declared: Vec<String>,
    /// How much a reply shows: below 2, no state after an action and no notes (Quint's
    /// `--verbosity`; values and errors are always shown).
    verbosity: u8,
    chooser: RandomChooser,
    seed: u64,
    pub interrupt: Arc<AtomicBool>,
}

/// The name of the definition an input expression is evaluated as.
const INPUT: &str = "__input";

/// A state the session reached.
struct Visited {
    state: State,
    /// The input that led here.
    after: String,
    /// The variables (by index) the action left unassigned: they have no value here, and
    /// reading one is an error, as in Quint ("Variable y not set").
    unassigned: Vec<bool>,
}

/// A line after an action that left variables unassigned, naming them (Quint warns the same
/// way: "some variables are undefined").
fn unassigned_note(spec: &Spec, here: &Visited) -> Option<Line> {
    let names: Vec<String> = spec
        .active_var_indices()
        .zip(spec.var_names())
        .filter(|(i, _)| here.unassigned.get(*i).copied().unwrap_or(false))
        .map(|(_, name)| format!("`{name}`"))
        .collect();
    let them = if names.len() == 1 { "it" } else { "them" };
    (!names.is_empty()).then(|| Line::Info(format!("the action did not assign {}: reading {them} is an error until an action assigns {them}", names.join(", "))))
}

/// A runtime error of an input, without the call of the definition the REPL wraps the input in
/// (`__input` is not a name the user wrote).
fn render_input_error(spec: &Spec, mut e: Box<crate::eval::EvalError>) -> String {
    e.stack.retain(|(name, _)| name != INPUT);
    render_error(&spec.sources, &e)
}

impl Default for Repl {
    fn default() -> Repl {
        Repl::new()
    }
}

impl Repl {
    pub fn new() -> Repl {
        Repl::with_database(Database::default())
    }

    /// A session on `db` (a database that logs its queries, in tests).
    pub fn with_database(mut db: Database) -> Repl {
        let root = db.add_input("<module>", "module __repl {}".to_string());
        Repl { file: None, db, root, main: Some("__repl".into()), top: None, spec: None, trace: Vec::new(), declared: Vec::new(), verbosity: 2, chooser: RandomChooser::new(0), seed: 0, interrupt: Arc::new(AtomicBool::new(false)) }
    }

    /// The session's database (to inspect what it computed).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Whether `text` is a complete input, or the line should continue (an open bracket or
    /// an open `/* comment`).
    pub fn is_complete(text: &str) -> bool {
        let scan = scan(text);
        scan.depth <= 0 && !scan.in_comment
    }

    /// Handles one complete input; inputs separated by `;` (outside brackets, strings and
    /// comments) run in turn, as in Quint's REPL (`val x = 3; 2 * x`).
    pub fn input(&mut self, text: &str) -> Reply {
        let parts = scan(text).parts;
        if let [one] = parts[..] {
            return self.input_one(one);
        }
        if parts.len() > 1 {
            let mut reply = Reply::default();
            for part in parts {
                let one = self.input_one(part);
                reply.lines.extend(one.lines);
                if one.exit {
                    reply.exit = true;
                    break;
                }
            }
            return reply;
        }
        self.input_one(text)
    }

    fn input_one(&mut self, text: &str) -> Reply {
        let trimmed = text.trim();
        if trimmed.is_empty() || without_comments(trimmed).trim().is_empty() {
            return Reply::default();
        }
        if let Some(command) = trimmed.strip_prefix('.') {
            let mut reply = self.command(command);
            // What a command says of itself (loaded, saved, seed set) is a note too.
            let mut words = command.split(|c: char| c.is_whitespace() || c == '=').filter(|w| !w.is_empty());
            let asked = match (words.next(), words.next()) {
                (Some("help" | "state" | "trace" | "back"), _) | (Some("seed" | "verbosity"), None) => true,
                _ => false,
            };
            if self.verbosity < 2 && !asked {
                reply.lines.retain(|l| !matches!(l, Line::Info(_)));
            }
            return reply;
        }
        let uncommented = without_comments(trimmed);
        let first = uncommented.split_whitespace().next().unwrap_or("");
        let mut reply = if matches!(first, "val" | "def" | "pure" | "action" | "temporal" | "run" | "var" | "const" | "type" | "import" | "export" | "assume") {
            let reply = self.declare(trimmed);
            if !reply.is_error() {
                self.declared.push(trimmed.to_string());
            }
            reply
        } else {
            self.evaluate(trimmed)
        };
        if self.verbosity < 2 {
            reply.lines.retain(|l| !matches!(l, Line::Info(_)));
        }
        reply
    }

    fn command(&mut self, command: &str) -> Reply {
        // Quint writes `.seed=4`: the same as `.seed 4`.
        let command = match command.split_once('=') {
            Some((name, value)) if !name.trim().contains(char::is_whitespace) => format!("{} {}", name.trim(), value.trim()),
            _ => command.to_string(),
        };
        let mut words = command.split_whitespace();
        match words.next().unwrap_or("") {
            "help" => Reply::info(HELP),
            "exit" | "quit" => Reply { lines: Vec::new(), exit: true },
            "clear" => {
                *self = Repl { interrupt: self.interrupt.clone(), verbosity: self.verbosity, ..Repl::new() };
                Reply::info("cleared")
            }
            "seed" => match words.next().map(|n| n.parse::<u64>()) {
                Some(Err(_)) => Reply::error("`.seed` takes a whole number: `.seed 42`"),
                Some(Ok(n)) => {
                    self.seed = n;
                    self.chooser = RandomChooser::new(n);
                    Reply::info(format!("seed set to {n}"))
                }
                None => Reply::info(format!("the seed is {}; `.seed N` sets it", self.seed)),
            },
            "verbosity" => match words.next().map(|n| n.parse::<u8>()) {
                Some(Err(_)) => Reply::error("`.verbosity` takes a number from 0 to 5: `.verbosity 1`"),
                Some(Ok(n)) => {
                    self.verbosity = n;
                    Reply::default()
                }
                None => Reply::info(format!("the verbosity is {}; `.verbosity N` sets it", self.verbosity)),
            },
            "save" => match words.next() {
                Some(path) => self.save(path),
                None => Reply::error("usage: .save FILE"),
            },
            "load" => {
                let Some(path) = words.next() else { return Reply::error("usage: .load FILE [MODULE]") };
                let module = words.next().map(String::from);
                self.load(path, module)
            }
            "reload" => match self.file.clone() {
                Some((path, module)) => self.load(&path, module),
                None => Reply::error("no file is loaded; use `.load FILE`"),
            },
            "state" => match self.trace.last() {
                Some(here) => Reply { lines: self.show_state(here, None), exit: false },
                None => Reply::info("no state yet: run `init` (or another action)"),
            },
            "trace" => {
                if self.trace.is_empty() {
                    return Reply::info("no state yet: run `init` (or another action)");
                }
                let mut lines = Vec::new();
                for (i, here) in self.trace.iter().enumerate() {
                    lines.push(Line::Info(format!("[State {i}] after {}", here.after)));
                    lines.extend(self.show_state(here, None));
                }
                Reply { lines, exit: false }
            }
            "back" => {
                if self.trace.pop().is_none() {
                    return Reply::error("there is no action to undo");
                }
                match self.trace.last() {
                    Some(here) => {
                        let mut lines = vec![Line::Info(format!("back to state {} (after {})", self.trace.len() - 1, here.after))];
                        lines.extend(self.show_state(here, None));
                        Reply { lines, exit: false }
                    }
                    None => Reply::info("back to the start: no state"),
                }
            }
            other => Reply::error(format!("unknown command `.{other}`; `.help` lists the commands")),
        }
    }

    /// Loads (or reads again) `path` and the files it imports; the declarations typed so
    /// far are dropped, as they were made for the previous file.
    pub fn load(&mut self, path: &str, module: Option<String>) -> Reply {
        let normalized = spec_analysis::db::normalize(std::path::Path::new(path));
        for known in self.db.known_files() {
            let known = known.path(&self.db).clone();
            if !known.starts_with('<') {
                self.db.reload(&known);
            }
        }
        let root = match self.db.load(&normalized) {
            Ok(root) => root,
            Err(e) => return Reply::error(format!("cannot read `{path}`: {}", e.reason())),
        };
        match Spec::from_file(&self.db, root, module.as_deref()) {
            Ok(spec) => {
                let name = spec.analysis.program.modules[spec.main as usize].name.clone();
                self.main = Some(name.clone());
                self.file = Some((path.to_string(), module));
                self.root = root;
                self.top = None;
                self.spec = Some(spec);
                self.trace.clear();
                self.declared.clear();
                Reply::info(format!("loaded module `{name}` from {path}"))
            }
            Err(e) => Reply::error(render_load_error(&e)),
        }
    }

    /// Writes the session to `path` as a module that `.load` (or any command) reads back:
    /// an import of the loaded file's module, then the declarations typed, in order.
    fn save(&self, path: &str) -> Reply {
        let mut text = String::from("// A session of spec's REPL: the loaded module and the declarations typed.\nmodule repl_session {\n");
        if let (Some((file, _)), Some(main)) = (&self.file, &self.main) {
            let absolute = std::path::absolute(file).unwrap_or_else(|_| std::path::PathBuf::from(file));
            let from = absolute.with_extension("").to_string_lossy().into_owned();
            // A Quint string has no escapes: a path with `"` cannot be written in one.
            if from.contains('"') {
                return Reply::error(format!("cannot save: the path of the loaded file, `{from}`, holds a `\"`"));
            }
            text.push_str(&format!("  import {main}.* from \"{from}\"\n"));
        }
        for declaration in &self.declared {
            for line in declaration.lines() {
                text.push_str(&format!("  {line}\n"));
            }
        }
        text.push_str("}\n");
        match std::fs::write(path, text) {
            Ok(()) => Reply::info(format!("session saved to {path}")),
            Err(e) => Reply::error(format!("cannot write `{path}`: {e}")),
        }
    }

    /// The spec with `extra` on top of the declarations so far, and its layer.
    fn build(&mut self, extra: Extra) -> Result<(Spec, Layer), LoadError> {
        let layer = Layer::new(&self.db, self.root, self.main.clone(), self.top, vec![extra]);
        Ok((Spec::from_layer(&self.db, layer)?, layer))
    }

    fn declare(&mut self, text: &str) -> Reply {
        let input = self.db.add_input("<input>", text.to_string());
        match self.build(Extra::Declarations(input)) {
            Ok((spec, layer)) => {
                let vars_changed = self.spec.as_ref().map(|s| s.analysis.program.vars.len()) != Some(spec.analysis.program.vars.len());
                self.top = Some(layer);
                self.spec = Some(spec);
                let mut reply = Reply::default();
                if vars_changed && !self.trace.is_empty() {
                    self.trace.clear();
                    reply.lines.push(Line::Info("the state variables changed: the states so far were cleared".into()));
                }
                reply
            }
            Err(e) => Reply::error(render_load_error(&e)),
        }
    }

    fn evaluate(&mut self, expr: &str) -> Reply {
        let input = self.db.add_input("<input>", expr.to_string());
        let spec = match self.build(Extra::Definition { qualifier: Qualifier::Temporal, name: INPUT.into(), expr: input }) {
            Ok((spec, _)) => spec,
            Err(e) => return Reply::error(render_load_error(&e)),
        };
        let Some(def) = spec.lookup(INPUT) else { return Reply::error("internal error: the input was lost") };
        let (state, unassigned) = match self.trace.last() {
            Some(here) => (here.state.clone(), here.unassigned.clone()),
            None => (spec.state0(), Vec::new()),
        };
        self.interrupt.store(false, std::sync::atomic::Ordering::Relaxed);
        let reply = if spec.mode(def) == Mode::Action {
            let mut ctx = Ctx::new(&spec.compiled, state, &mut self.chooser);
            ctx.interrupt = Some(&self.interrupt);
            ctx.unassigned = unassigned;
            match spec.step_in(&mut ctx, def) {
                Ok(Some(_)) => {
                    let label = expr.split_whitespace().collect::<Vec<_>>().join(" ");
                    let here = Visited { state: ctx.state.clone(), after: label, unassigned: std::mem::take(&mut ctx.unassigned) };
                    let mut lines = vec![Line::Value("true".into())];
                    lines.extend(self.show_state(&here, self.trace.last()));
                    if let Some(note) = unassigned_note(&spec, &here) {
                        lines.push(note);
                    }
                    self.trace.push(here);
                    Reply { lines, exit: false }
                }
                Ok(None) => Reply { lines: vec![Line::Value("false".into()), Line::Info("the action is disabled in this state; the state is unchanged".into())], exit: false },
                Err(e) if e.kind == ErrorKind::Interrupted => Reply::error("interrupted"),
                Err(e) => Reply::error(render_input_error(&spec, e)),
            }
        } else {
            let mut chooser = RandomChooser::new(self.seed);
            let mut ctx = Ctx::new(&spec.compiled, state, &mut chooser);
            ctx.interrupt = Some(&self.interrupt);
            ctx.unassigned = unassigned;
            match spec.eval_in(&mut ctx, def) {
                // An action given to `and` (or another operator that does not combine
                // actions) makes the input a formula, not an action: its assignments would
                // be dropped while it says `true`.
                Ok(_) if ctx.next.iter().any(Option::is_some) => Reply::error(
                    "this input assigns state variables inside an operator that does not combine actions (such as `and`, `or`, `not`, `exists`): that makes it a temporal formula, not an action, and the REPL does not run it; combine actions with `all { ... }` and `any { ... }`",
                ),
                Ok(v) => Reply { lines: vec![Line::Value(v.to_string())], exit: false },
                Err(e) if e.kind == ErrorKind::Interrupted => Reply::error("interrupted"),
                Err(e) => Reply::error(render_input_error(&spec, e)),
            }
        };
        self.spec = Some(spec);
        reply
    }

    /// The variables of the state `here`, marking those that differ from `before`; a
    /// variable the last action left unassigned shows as having no value.
    fn show_state(&self, here: &Visited, before: Option<&Visited>) -> Vec<Line> {
        let Some(spec) = &self.spec else { return Vec::new() };
        let shown = |v: &Visited| -> Vec<Option<Value>> { spec.active_var_indices().map(|i| (!v.unassigned.get(i).copied().unwrap_or(false)).then(|| v.state.get(i).cloned()).flatten()).collect() };
        let values = shown(here);
        let old = before.map(shown);
        spec.var_names()
            .iter()
            .zip(values.iter())
            .enumerate()
            .map(|(i, (name, value))| {
                let changed = old.as_ref().is_some_and(|o| o.get(i) != Some(value));
                let mark = if changed { "*" } else { " " };
                match value {
                    Some(value) => Line::Info(format!("{mark} {name}: {value}")),
                    None => Line::Info(format!("{mark} {name}: (no value)")),
                }
            })
            .collect()
    }

    /// Names for tab completion: after a `.`, the builtin methods; otherwise the names in
    /// scope and the REPL commands.
    pub fn completions(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos.min(line.len())];
        let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == ':')).map(|i| i + 1).unwrap_or(0);
        let word = &before[start..];
        if let Some(dot) = word.rfind('.') {
            if dot == 0 && start == 0 {
                let commands = ["load", "reload", "clear", "state", "trace", "back", "seed", "help", "exit"];
                return (1, commands.iter().filter(|c| c.starts_with(&word[1..])).map(|c| c.to_string()).collect());
            }
            let prefix = &word[dot + 1..];
            let methods: Vec<String> = BUILTINS.iter().map(|b| b.name).filter(|n| n.starts_with(prefix) && n.chars().next().is_some_and(|c| c.is_lowercase()) && !n.contains("::")).map(String::from).collect();
            return (start + dot + 1, methods);
        }
        let mut names: Vec<String> = match &self.spec {
            Some(spec) => spec.analysis.program.modules[spec.main as usize].scope.keys().filter(|n| !n.starts_with("__")).cloned().collect(),
            None => Vec::new(),
        };
        names.extend(BUILTINS.iter().map(|b| b.name.to_string()));
        names.retain(|n| n.starts_with(word));
        names.sort();
        names.dedup();
        (start, names)
    }

    /// The value of a state variable in the current state (for tests and tools).
    pub fn current(&self, name: &str) -> Option<Value> {
        let spec = self.spec.as_ref()?;
        let here = self.trace.last()?;
        let index = spec.var_index(name)?;
        if here.unassigned.get(index).copied().unwrap_or(false) {
            return None;
        }
        here.state.get(index).cloned()
    }

    pub fn trace_len(&self) -> usize {
        self.trace.len()
    }
}

fn render_load_error(e: &LoadError) -> String {
    match &e.message {
        Some(m) => m.clone(),
        None => e.sources.render(&e.diagnostics).trim_end().to_string(),
    }
}

/// What [`scan`] finds in an input.
struct Scanned<'a> {
    /// Open brackets minus closed ones.
    depth: i64,
    /// Whether the input ends inside a `/* comment`.
    in_comment: bool,
    /// The input cut at each `;` outside brackets, strings and comments.
    parts: Vec<&'a str>,
}

/// Reads an input for brackets, strings, comments and `;` separators.
fn scan(text: &str) -> Scanned<'_> {
    let bytes = text.as_bytes();
    let (mut depth, mut in_string, mut in_comment, mut in_line_comment) = (0i64, false, false, false);
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let (c, next) = (bytes[i], bytes.get(i + 1).copied());
        if in_line_comment {
            in_line_comment = c != b'\n';
        } else if in_comment {
            if c == b'*' && next == Some(b'/') {
                in_comment = false;
                i += 1;
            }
        } else if in_string {
            // Strings have no escapes: the next `"` ends one.
            in_string = c != b'"';
        } else {
            match (c, next) {
                (b'/', Some(b'*')) => {
                    in_comment = true;
                    i += 1;
                }
                (b'/', Some(b'/')) => in_line_comment = true,
                (b'"', _) => in_string = true,
                (b'(' | b'{' | b'[', _) => depth += 1,
                (b')' | b'}' | b']', _) => depth -= 1,
                (b';', _) if depth == 0 => {
                    parts.push(&text[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts.retain(|p| !p.trim().is_empty());
    Scanned { depth, in_comment, parts }
}

/// The input with its comments removed (to tell an input that is only a comment).
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map(|(_, r)| r).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map(|(_, r)| r).unwrap_or("");
        } else {
            let mut chars = rest.chars();
            out.extend(chars.next());
            rest = chars.as_str();
        }
    }
    out
}
