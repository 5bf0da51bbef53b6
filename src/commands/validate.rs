//! `spec validate FILE --trace LOG`: trace validation. LOG is an ITF trace or
//! newline-delimited JSON events (an action name, picks, and some or all of the state) taken
//! from an implementation's log; the spec's oracle keeps every spec state consistent with the
//! events so far and answers "consistent" or names the first event that no behaviour of the
//! spec explains.

use super::target::Target;
use crate::{outln, report};
use spec_interpreter::oracle::{validate_log, Validation};

const COMMAND: &str = "validate";

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// The log to validate: an ITF trace, or one JSON event per line
    /// (`{"action": "deposit", "picks": {...}, "state": {...}}`).
    #[arg(long)]
    trace: String,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
    let request = args.target.request(&Default::default());
    let (spec, resolved) = match request.resolve() {
        Ok(r) => r,
        Err(e) => return report::request_error(COMMAND, &e, args.json),
    };
    let log = match std::fs::read_to_string(&args.trace) {
        Ok(text) => text,
        Err(e) => return report::fail(COMMAND, args.json, &format!("cannot read `{}`: {e}", args.trace)),
    };
    match validate_log(&spec, resolved.init, resolved.step, &log) {
        Err(e) => report::fail(COMMAND, args.json, &e.to_string()),
        Ok(verdict) => {
            let consistent = matches!(verdict, Validation::Consistent { .. });
            if args.json {
                let detail = match &verdict {
                    Validation::Consistent { events, states } => serde_json::json!({ "events": events, "states": states }),
                    Validation::Unexplained { index, event, candidates } => {
                        serde_json::json!({ "event": index, "action": event.action, "candidates": candidates })
                    }
                };
                report::json_out(&serde_json::json!({
                    "command": COMMAND,
                    "status": if consistent { "consistent" } else { "unexplained" },
                    "diagnostics": [],
                    "result": detail,
                }));
            } else {
                outln!("{} {verdict}", if consistent { "[ok]" } else { "[violation]" });
            }
            if consistent {
                report::OK
            } else {
                report::VERDICT_NO
            }
        }
    }
}
