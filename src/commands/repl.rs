//! `spec repl [FILE]`: the terminal front end of the REPL (rustyline): multi-line input
//! while brackets are open, history kept between sessions, tab completion. Ctrl-C stops a
//! long evaluation or clears the line; it never ends the session.

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use spec_interpreter::repl::{Line, Repl};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::rc::Rc;
use std::sync::atomic::Ordering;

#[derive(clap::Args)]
pub struct Args {
    /// A spec file to load.
    file: Option<String>,
    /// The module of FILE to use.
    #[arg(long)]
    main: Option<String>,
    #[command(flatten)]
    start: Start,
}

/// How a session starts and how much it prints: Quint's options, also accepted before any
/// command (`quint -r file.qnt::M -q` starts the REPL).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Start {
    /// Load FILE and use its module MODULE (Quint's `--require`): `-r file.qnt::Main`.
    #[arg(short = 'r', long = "require", value_name = "FILE[::MODULE]")]
    pub require: Option<String>,
    /// Print only values and errors: no banner, no prompt, no state after an action (`--verbosity 0`).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// How much to print: 0 values and errors only, 1 adds the banner and the prompt, 2 and
    /// more (the default) also the state after each action.
    #[arg(long, value_name = "LEVEL")]
    pub verbosity: Option<u8>,
    /// Seed for nondeterministic choices, in decimal or in hex (`0x1a2b`).
    #[arg(long, value_parser = crate::report::parse_seed)]
    pub seed: Option<u64>,
    /// Accepted for Quint's command lines and ignored: `spec` has one evaluator.
    #[arg(long, hide = true)]
    pub backend: Option<String>,
}

impl Args {
    /// These options, with those given before the command (`spec -q repl`) where these
    /// leave them out.
    pub fn with_outer(mut self, outer: Start) -> Args {
        let start = &mut self.start;
        start.require = start.require.take().or(outer.require);
        start.quiet |= outer.quiet;
        start.verbosity = start.verbosity.or(outer.verbosity);
        start.seed = start.seed.or(outer.seed);
        start.backend = start.backend.take().or(outer.backend);
        self
    }
}

impl Start {
    /// Whether the options ask for a session (`-r`, `-q`, ...), for `spec` without a command.
    pub fn given(&self) -> bool {
        self.require.is_some() || self.quiet || self.verbosity.is_some() || self.seed.is_some()
    }

    fn verbosity(&self) -> u8 {
        if self.quiet {
            0
        } else {
            self.verbosity.unwrap_or(2)
        }
    }
}

/// The REPL without a file (what `quint` alone starts), with Quint's options.
pub fn run_default(start: Start) -> u8 {
    run(Args { file: None, main: None, start })
}

struct ReplHelper {
    repl: Rc<RefCell<Repl>>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, names) = self.repl.borrow().completions(line, pos);
        Ok((start, names.into_iter().map(|n| Pair { display: n.clone(), replacement: n }).collect()))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}
impl Highlighter for ReplHelper {}
impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if Repl::is_complete(ctx.input()) { ValidationResult::Valid(None) } else { ValidationResult::Incomplete })
    }
}
impl Helper for ReplHelper {}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".spec_history"))
}

pub fn run(args: Args) -> u8 {
    let repl = Rc::new(RefCell::new(Repl::new()));
    let interrupt = repl.borrow().interrupt.clone();
    {
        let flag = interrupt.clone();
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
    }
    let color = std::io::stdout().is_terminal();
    let verbosity = args.start.verbosity();
    let print = |lines: &[Line]| {
        for line in lines {
            match (line, color) {
                (Line::Error(t), true) => crate::outln!("\x1b[31m{t}\x1b[0m"),
                (Line::Info(t), true) => crate::outln!("\x1b[2m{t}\x1b[0m"),
                (l, _) => crate::outln!("{}", l.text()),
            }
        }
    };
    // The session leaves out states and notes below verbosity 2 (`.verbosity N` changes it).
    repl.borrow_mut().input(&format!(".verbosity {verbosity}"));
    if let Some(seed) = args.start.seed {
        print(&repl.borrow_mut().input(&format!(".seed {seed}")).lines);
    }
    let (file, main) = match &args.start.require {
        // `file.qnt::Module`: the module follows the last `::` when a file name precedes it.
        Some(required) => match required.rsplit_once("::") {
            Some((file, module)) if !file.is_empty() && !module.contains('/') => (Some(file.to_string()), Some(module.to_string())),
            _ => (Some(required.clone()), None),
        },
        None => (args.file.clone(), args.main.clone()),
    };
    if let Some(file) = &file {
        // Called directly, not as a `.load` line: a path may hold spaces.
        let reply = repl.borrow_mut().load(file, main.clone());
        let shown: Vec<Line> = reply.lines.iter().filter(|l| verbosity >= 2 || !matches!(l, Line::Info(_))).cloned().collect();
        print(&shown);
        if reply.is_error() && verbosity == 0 {
            return crate::report::INVALID;
        }
    }
    if verbosity >= 1 {
        crate::outln!("spec {} REPL; `.help` for help, `.exit` or Ctrl-D to leave", env!("CARGO_PKG_VERSION"));
    }
    let prompt = if verbosity >= 1 { ">>> " } else { "" };
    let mut editor = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return crate::report::INVALID;
        }
    };
    editor.set_helper(Some(ReplHelper { repl: repl.clone() }));
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    loop {
        match editor.readline(prompt) {
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                interrupt.store(false, Ordering::Relaxed);
                let reply = repl.borrow_mut().input(&line);
                print(&reply.lines);
                if reply.exit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    crate::report::OK
}
