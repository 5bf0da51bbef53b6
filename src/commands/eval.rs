//! `spec eval [--file F [--main M]] EXPR`: evaluates one expression and prints its value in
//! canonical form. The expression is checked like any definition (names, types, modes).

use crate::{outln, report};
use spec_interpreter::{itf, RandomChooser, Spec};

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
    /// Seed for nondeterministic choices, in decimal or in hex (`0x1a2b`).
    #[arg(long, default_value = "0", value_parser = report::parse_seed)]
    seed: u64,
    /// Print the result as JSON on stdout: the value in canonical form and in ITF.
    #[arg(long)]
    json: bool,
}

const COMMAND: &str = "eval";

pub fn run(args: Args) -> u8 {
    let extras = [("temporal", "__input", args.expr.as_str())];
    let loaded = match &args.file {
        Some(path) => Spec::load_with_extras(path, args.main.as_deref(), &extras),
        None => Spec::with_extras("<expr>", None, None, &extras),
    };
    let spec = match loaded {
        Ok(spec) => spec,
        Err(e) => return report::load_error(COMMAND, &e, args.json),
    };
    let Some(def) = spec.lookup("__input") else { return report::fail(COMMAND, args.json, "internal error: the expression was lost") };
    let mut chooser = RandomChooser::new(args.seed);
    match spec.eval_def(&spec.state0(), def, &mut chooser) {
        Ok(value) => {
            if args.json {
                report::json_out(&serde_json::json!({ "command": COMMAND, "status": "ok", "value": value.to_string(), "itf": itf::value(&value), "diagnostics": [] }));
            } else {
                outln!("{value}");
            }
            report::OK
        }
        Err(e) => {
            if args.json {
                report::json_out(&serde_json::json!({ "command": COMMAND, "status": "error", "value": null, "itf": null, "diagnostics": [report::runtime_diagnostic(&spec.sources, &e)] }));
            } else {
                eprint!("{}", spec.render_error(&e));
            }
            report::RUNTIME
        }
    }
}
