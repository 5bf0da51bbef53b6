//! `spec typecheck FILE`: names, types and modes.

use crate::report;

const COMMAND: &str = "typecheck";
use spec_analysis::analyzed;

#[derive(clap::Args)]
pub struct Args {
    /// The spec file (.qnt).
    file: String,
    /// The module to check (default: all modules of the file).
    #[arg(long)]
    main: Option<String>,
    /// Print diagnostics (and the types of definitions) as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
    let (db, file) = match super::load::load(&args.file) {
        Ok(loaded) => loaded,
        Err(e) => return report::fail(COMMAND, args.json, &e),
    };
    let analysis = analyzed(&db, file);
    let sources = db.source_map();
    let main = match &args.main {
        Some(name) => match spec_analysis::main_module(&analysis.program, "", Some(name)) {
            Ok(m) => Some(m),
            Err(e) => return report::fail(COMMAND, args.json, &e),
        },
        None => None,
    };
    if args.json {
        let program = &analysis.program;
        let defs: Vec<serde_json::Value> = program
            .defs
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.synthetic && main.is_none_or(|m| d.module == m) && !program.modules[d.module as usize].is_instance)
            .map(|(i, d)| {
                serde_json::json!({
                    "module": program.modules[d.module as usize].name,
                    "name": d.name,
                    "qualifier": d.qualifier.keyword(),
                    "type": analysis.types.defs[i].as_ref().map(|s| s.to_string()),
                    "mode": analysis.modes[i].name(),
                })
            })
            .collect();
        let out = serde_json::json!({
            "command": COMMAND,
            "status": if analysis.has_errors() { "error" } else { "ok" },
            "file": args.file,
            "ok": !analysis.has_errors(),
            "definitions": defs,
            "diagnostics": sources.to_json(&analysis.diagnostics),
        });
        report::json_out(&out);
    }
    if report::diagnostics(&sources, &analysis.diagnostics, args.json) {
        report::INVALID
    } else {
        if !args.json {
            eprintln!("{}: no errors", args.file);
        }
        report::OK
    }
}
