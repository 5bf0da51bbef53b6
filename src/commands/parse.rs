//! `spec parse FILE`: syntax, names, imports and cycles among definitions, as Quint's
//! `parse` checks them (no types, no modes).

use crate::report;

const COMMAND: &str = "parse";
use spec_analysis::{name_diagnostics, parsed};

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
    let diagnostics = &name_diagnostics(&db, file).diagnostics;
    let sources = db.source_map();
    if args.json {
        let out = serde_json::json!({
            "command": COMMAND,
            "status": if diagnostics.iter().any(|d| d.is_error()) { "error" } else { "ok" },
            "file": args.file,
            "ok": diagnostics.iter().all(|d| !d.is_error()),
            "modules": result.ast.modules.iter().map(|m| m.name.name.clone()).collect::<Vec<_>>(),
            "diagnostics": sources.to_json(diagnostics),
        });
        report::json_out(&out);
    }
    if report::diagnostics(&sources, diagnostics, args.json) {
        report::INVALID
    } else {
        if !args.json {
            eprintln!("{}: parsed {} module(s)", args.file, result.ast.modules.len());
        }
        report::OK
    }
}
