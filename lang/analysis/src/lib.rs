//! Semantic analysis of spec programs, on a salsa database that the CLI, the REPL and the
//! language server share: module graph and instances, name resolution, type inference with
//! let-polymorphism and row-polymorphic records, and mode (effect) checking.
//!
//! The result of an analysis is a flat, resolved [`ir::Program`] with its [`ir::Types`] and
//! the modes of its definitions, plus every diagnostic found on the way.

pub mod builtins;
mod check;
pub mod db;
mod deps;
pub mod extend;
mod infer;
pub mod ir;
pub mod modes;
pub mod pieces;
mod resolve;
pub mod suggest;
pub mod ty;

pub use check::{file_diagnostics, name_diagnostics, Analysis, FileDiagnostics};
pub use db::{analyzed, parsed, Database, Db, SourceText};
pub use extend::{layer_analysis, layer_program, Extra, Layer};
pub use modes::Mode;

use ir::{Entity, ModId, Program};

/// The module a command works on: the one named `--main`, else the one named after the
/// file, else the last module of the file.
pub fn main_module(program: &Program, file_stem: &str, requested: Option<&str>) -> Result<ModId, String> {
    if let Some(name) = requested {
        return program.module_names.get(name).copied().ok_or_else(|| {
            let names: Vec<&str> = program.module_names.keys().map(|s| s.as_str()).collect();
            match suggest::closest(name, names.iter().copied()) {
                Some(s) => format!("there is no module `{name}` in this file; did you mean `{s}`?"),
                None => format!("there is no module `{name}` in this file (modules: {})", names.join(", ")),
            }
        });
    }
    if let Some(id) = program.module_names.get(file_stem) {
        return Ok(*id);
    }
    program
        .modules
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| !m.is_instance && program.module_names.get(&m.name).is_some())
        .map(|(i, _)| i as ModId)
        .ok_or_else(|| "the file has no module".to_string())
}

/// What `name` denotes in module `module` (`I::x` included).
pub fn lookup(program: &Program, module: ModId, name: &str) -> Option<Entity> {
    resolve::lookup_qualified(program, module, name)
}
