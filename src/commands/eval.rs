//! `spec eval [--file F [--main M]] EXPR`: evaluates one expression and prints its value in
//! canonical form. The expression is checked like any definition (names, types, modes).

use crate::report;
use spec_interpreter::{LoadError, RandomChooser, Spec};

#[derive(clap::Args)]
pub struct Args {
    /// The expression to evaluate.
    #[arg(allow_hyphen_values = true)]
    expr: String,
    /// A spec file whose definitions the expression may use.
    #[arg(long)]
    file: Option<String>,
    /// The module of FILE to use (default: the one named after the file, else the last).
    #[arg(long)]
    main: Option<String>,
    /// Seed for nondeterministic choices.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// The source text evaluated: the expression as the body of a definition in a module that
/// imports the main module (when there is a file).
pub fn wrap(expr: &str, import: Option<&str>) -> String {
    let import = import.map(|m| format!("  import {m}.*\n")).unwrap_or_default();
    format!("module __eval {{\n{import}  temporal __input =\n{expr}\n}}\n")
}

pub fn run(args: Args) -> u8 {
    let (name, text) = match &args.file {
        None => ("<expr>".to_string(), wrap(&args.expr, None)),
        Some(path) => {
            let spec = match Spec::load_file(path, args.main.as_deref()) {
                Ok(spec) => spec,
                Err(e) => return report_load_error(&e),
            };
            let main = spec.analysis.program.modules[spec.main as usize].name.clone();
            let original = std::fs::read_to_string(path).unwrap_or_default();
            (path.clone(), format!("{original}\n{}", wrap(&args.expr, Some(&main))))
        }
    };
    let spec = match Spec::from_text(&name, &text, Some("__eval")) {
        Ok(spec) => spec,
        Err(e) => return report_load_error(&e),
    };
    let Some(def) = spec.lookup("__input") else { return report::usage_error("internal error: the expression was lost") };
    let mut chooser = RandomChooser::new(args.seed);
    match spec.eval_def(&spec.state0(), def, &mut chooser) {
        Ok(value) => {
            println!("{value}");
            report::OK
        }
        Err(e) => {
            eprint!("{}", spec.render_error(&e));
            report::RUNTIME
        }
    }
}

/// Reports a spec that failed to load; exit code 2.
pub fn report_load_error(e: &LoadError) -> u8 {
    if let Some(message) = &e.message {
        return report::usage_error(message);
    }
    report::diagnostics(&e.sources, &e.diagnostics, false);
    report::INVALID
}
