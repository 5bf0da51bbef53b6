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

pub fn run(args: Args) -> u8 {
    let text = match &args.file {
        None => None,
        Some(path) => match spec_analysis::db::read_source(std::path::Path::new(path)) {
            Ok(text) => Some(text),
            Err(e) => return report::usage_error(&format!("cannot read `{path}`: {e}")),
        },
    };
    let name = args.file.clone().unwrap_or_else(|| "<expr>".to_string());
    let extras = [("temporal", "__input", args.expr.as_str())];
    let spec = match Spec::with_extras(&name, text.as_deref(), args.main.as_deref(), &extras) {
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
