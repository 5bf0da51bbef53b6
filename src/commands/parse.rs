//! `spec parse FILE`: syntax only.

use crate::report;

const COMMAND: &str = "parse";
use spec_analysis::parsed;

#[derive(clap::Args)]
pub struct Args {
    /// The spec file (.qnt).
    file: String,
    /// Print diagnostics as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
    let (db, file) = match super::load::load(&args.file) {
        Ok(loaded) => loaded,
        Err(e) => return report::fail(COMMAND, args.json, &e),
    };
    let result = parsed(&db, file);
    let sources = db.source_map();
    if args.json {
        let out = serde_json::json!({
            "command": COMMAND,
            "status": if result.diagnostics.iter().any(|d| d.is_error()) { "error" } else { "ok" },
            "file": args.file,
            "ok": result.diagnostics.iter().all(|d| !d.is_error()),
            "modules": result.ast.modules.iter().map(|m| m.name.name.clone()).collect::<Vec<_>>(),
            "diagnostics": sources.to_json(&result.diagnostics),
        });
        report::json_out(&out);
    }
    if report::diagnostics(&sources, &result.diagnostics, args.json) {
        report::INVALID
    } else {
        if !args.json {
            eprintln!("{}: parsed {} module(s)", args.file, result.ast.modules.len());
        }
        report::OK
    }
}
