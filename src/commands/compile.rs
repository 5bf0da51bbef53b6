//! `spec compile FILE --target json`: Quint's `compile`, for tools that want the analysed
//! program rather than a verdict. The document has Quint's outline (`stage`, `main`,
//! `modules` of `declarations` with a `kind`, `name` and `qualifier`) and this project's
//! content: each declaration's inferred type (as text), mode, parameters, declared type,
//! documentation and locations, plus the usual `command`/`status`/`diagnostics` (docs/json.md).
//! Expression trees are not emitted (Quint's IR has them; a consumer here gets each body's
//! location instead). Quint's other targets (`tlaplus`) are refused with a clear error.

use crate::report;
use serde_json::{json, Value as Json};
use spec_analysis::ir::{Entity, Pat, Program, TypeEntity};
use spec_analysis::{analyzed, Analysis};
use spec_syntax::{SourceMap, Span};

const COMMAND: &str = "compile";

/// The targets `spec` compiles to.
const TARGETS: &[&str] = &["json"];

#[derive(clap::Args)]
pub struct Args {
    /// The spec file (.qnt).
    file: String,
    /// What to compile to: `json` (Quint's default; Quint's `tlaplus` is not supported).
    #[arg(long, default_value = "json")]
    target: String,
    /// The main module (default: the one named after the file, else the last).
    #[arg(long)]
    main: Option<String>,
    /// Write the document to this file instead of stdout (Quint's flag).
    #[arg(long)]
    out: Option<String>,
    /// Accepted for uniformity: the output is JSON in any case; with `--json`, errors are
    /// a JSON document on stdout too.
    #[arg(long)]
    json: bool,
    /// Accepted for Quint's command line (its verbosity of messages).
    #[arg(long, default_value_t = 2)]
    verbosity: u8,
    /// Accepted for Quint's command line (`--flatten`, `--flatten=false`): the document
    /// lists every module with its own declarations, whatever the value.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL")]
    flatten: Option<bool>,
}

pub fn run(args: Args) -> u8 {
    if !TARGETS.contains(&args.target.as_str()) {
        return report::fail(COMMAND, args.json, &format!("cannot compile to `{}`: the only target is `json` (Quint's `tlaplus` is not supported)", args.target));
    }
    let (db, file) = match super::load::load(&args.file) {
        Ok(loaded) => loaded,
        Err(e) => return report::fail(COMMAND, args.json, &e),
    };
    let analysis = analyzed(&db, file);
    let sources = db.source_map();
    if analysis.has_errors() {
        if args.json {
            report::json_out(&json!({ "command": COMMAND, "status": "error", "diagnostics": sources.to_json(&analysis.diagnostics) }));
        }
        report::diagnostics(&sources, &analysis.diagnostics, args.json);
        return report::INVALID;
    }
    let stem = std::path::Path::new(&args.file).file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let main = match spec_analysis::main_module(&analysis.program, stem, args.main.as_deref()) {
        Ok(m) => m,
        Err(e) => return report::fail(COMMAND, args.json, &e),
    };
    let document = json!({
        "command": COMMAND,
        "status": "ok",
        "stage": "compiling",
        "target": args.target,
        "file": args.file,
        "main": analysis.program.modules[main as usize].name,
        "modules": modules(&analysis, &sources),
        "scope": scope(&analysis.program, main),
        "diagnostics": sources.to_json(&analysis.diagnostics),
    });
    match &args.out {
        Some(path) => {
            let text = document.to_string() + "\n";
            if let Err(e) = std::fs::write(path, text) {
                return report::fail(COMMAND, args.json, &format!("cannot write `{path}`: {e}"));
            }
        }
        None => report::json_out(&document),
    }
    // Warnings, on stderr (the document on stdout has them too).
    report::diagnostics(&sources, &analysis.diagnostics, args.json);
    report::OK
}

/// The modules written in the files (not the copies `import M(...)` makes), in order.
fn modules(analysis: &Analysis, sources: &SourceMap) -> Vec<Json> {
    let program = &analysis.program;
    let at = |span: Span| report::location(sources, span);
    program
        .modules
        .iter()
        .filter(|m| !m.is_instance)
        .map(|m| {
            let mut declarations = Vec::new();
            for &c in &m.consts {
                let c = &program.consts[c as usize];
                declarations.push(json!({ "kind": "const", "name": c.name, "type": c.ty.to_string(), "doc": c.doc, "location": at(c.span) }));
            }
            for &v in &m.vars {
                let v = &program.vars[v as usize];
                declarations.push(json!({ "kind": "var", "name": v.name, "type": v.ty.to_string(), "doc": v.doc, "location": at(v.span) }));
            }
            for &d in &m.defs {
                let def = &program.defs[d as usize];
                if def.synthetic {
                    continue;
                }
                let params = def.params.as_ref().map(|ps| ps.iter().map(|p| pattern(def, p)).collect::<Vec<_>>());
                declarations.push(json!({
                    "kind": "def",
                    "name": def.name,
                    "qualifier": def.qualifier.keyword().replace(' ', ""),
                    "params": params,
                    "type": analysis.types.defs.get(d as usize).and_then(|s| s.as_ref()).map(|s| s.to_string()),
                    "annotation": def.annotation.as_ref().map(|t| t.to_string()),
                    "mode": analysis.modes.get(d as usize).map(|m| m.name()),
                    "doc": def.doc,
                    "location": at(def.span),
                    "name_location": at(def.name_span),
                    "body_location": def.body.as_ref().map(|b| at(b.span)),
                }));
            }
            // Source order, as Quint lists them.
            declarations.sort_by_key(|d| d["location"]["start"].as_u64());
            json!({ "name": m.name, "doc": m.doc, "location": at(m.span), "declarations": declarations, "types": types(program, m) })
        })
        .collect()
}

/// Every name visible in the main module (its own and imported ones: Quint's flattened
/// main module, by reference), with what it is and the module (or instance) defining it.
fn scope(program: &Program, main: spec_analysis::ir::ModId) -> Vec<Json> {
    let module_name = |m: spec_analysis::ir::ModId| program.modules.get(m as usize).map(|m| m.name.clone());
    program.modules[main as usize]
        .scope
        .iter()
        .map(|(name, entity)| {
            let (kind, defined_in) = match entity {
                Entity::Def(d) => ("def", program.defs.get(*d as usize).and_then(|d| module_name(d.module))),
                Entity::Var(v) => ("var", program.vars.get(*v as usize).and_then(|v| module_name(v.module))),
                Entity::Const(c) => ("const", program.consts.get(*c as usize).and_then(|c| module_name(c.module))),
                Entity::Constructor { .. } => ("constructor", None),
                Entity::Module(m) => ("module", module_name(*m)),
            };
            json!({ "name": name, "kind": kind, "defined_in": defined_in })
        })
        .collect()
}

/// A parameter as written: a name, `_`, a tuple or a record of names.
fn pattern(def: &spec_analysis::ir::Def, p: &Pat) -> String {
    let local = |id: u32| def.locals.get(id as usize).map(|l| l.name.clone()).unwrap_or_else(|| "_".into());
    match p {
        Pat::Bind(id) => local(*id),
        Pat::Hole(_) => "_".into(),
        Pat::Tuple(items, _) => format!("({})", items.iter().map(|i| pattern(def, i)).collect::<Vec<_>>().join(", ")),
        Pat::Record(fields, _) => format!("{{ {} }}", fields.iter().map(|(f, id)| format!("{f}: {}", local(*id))).collect::<Vec<_>>().join(", ")),
    }
}

/// The named types in scope of a module: aliases with their bodies, sum types with their
/// constructors, uninterpreted types.
fn types(program: &Program, module: &spec_analysis::ir::ModuleInstance) -> Vec<Json> {
    module
        .types
        .iter()
        .map(|(name, entity)| match entity {
            TypeEntity::Alias { params, body } => json!({ "kind": "alias", "name": name, "params": params, "type": body.to_string() }),
            TypeEntity::Sum(key) => {
                let variants: Vec<Json> = program
                    .sum_types
                    .get(key)
                    .map(|s| s.variants.iter().map(|(v, payload)| json!({ "name": v, "payload": payload.as_ref().map(|t| t.to_string()) })).collect())
                    .unwrap_or_default();
                json!({ "kind": "sum", "name": name, "params": program.sum_types.get(key).map_or(0, |s| s.params), "variants": variants })
            }
            TypeEntity::Uninterpreted(_) => json!({ "kind": "uninterpreted", "name": name, "params": 0 }),
        })
        .collect()
}
