//! `spec docs FILE`: the documentation of each module of a file, from its `///` comments, as
//! Markdown (Quint's `docs` command) or as JSON. Syntax only: a file with type errors still
//! has its documentation.

use crate::report;
use spec_analysis::parsed;
use spec_syntax::docs::{file_docs, markdown, ModuleDocs};

const COMMAND: &str = "docs";

#[derive(clap::Args)]
pub struct Args {
    /// The spec file (.qnt).
    file: String,
    /// Print the documentation as JSON on stdout (modules, entries with kind, signature and comment).
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
    let failed = result.diagnostics.iter().any(|d| d.is_error());
    let modules = if failed { Vec::new() } else { file_docs(&result.ast, file.text(&db)) };
    if args.json {
        let out = serde_json::json!({
            "command": COMMAND,
            "status": if failed { "error" } else { "ok" },
            "file": args.file,
            "modules": modules.iter().map(module_json).collect::<Vec<_>>(),
            "diagnostics": sources.to_json(&result.diagnostics),
        });
        report::json_out(&out);
    } else {
        for module in &modules {
            crate::outln!("{}", markdown(module));
        }
    }
    if report::diagnostics(&sources, &result.diagnostics, args.json) {
        report::INVALID
    } else {
        report::OK
    }
}

fn module_json(module: &ModuleDocs) -> serde_json::Value {
    serde_json::json!({
        "name": module.name,
        "doc": module.doc,
        "entries": module.entries.iter().map(|e| serde_json::json!({
            "name": e.name,
            "kind": e.kind.name(),
            "signature": e.signature,
            "doc": e.doc,
        })).collect::<Vec<_>>(),
    })
}
