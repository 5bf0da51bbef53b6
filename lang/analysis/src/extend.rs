//! Definitions added to a checked program without editing its text: the REPL's declarations
//! and inputs, and the invariants, witnesses and expressions given on the command line.
//!
//! Each addition is a [`Layer`], a database input over the program of a root file or over a
//! lower layer. Its declarations are resolved as if written at the end of the main module
//! (they see every name the module sees, and the module's definitions keep their ids), but
//! each comes from a source input of its own, so diagnostics point at what was typed
//! (`<invariant>:1:5`). Nothing below a layer is analysed again: the root file's analysis is
//! the usual cached one, and a layer infers the types of its own definitions only, each in
//! its own query. A REPL session is a stack of layers, one per accepted declaration.

use crate::check::{placed, resolved, Analysis, DbLoader};
use crate::db::{analyzed, parsed, Db, SourceText};
use crate::infer::infer_def;
use crate::ir::{shift_def, DefId, DefTypes, ModId, Program};
use crate::modes::check_modes;
use crate::resolve::{extend, LoadedFile};
use crate::ty::Scheme;
use spec_syntax::ast::{self, Qualifier};
use spec_syntax::{Diagnostic, FileId, Span};
use std::collections::BTreeSet;
use std::sync::Arc;

/// One thing a layer adds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Extra {
    /// Declarations as typed: `def f(x) = x + 1`, `var y: int`, `import M.*`.
    Declarations(SourceText),
    /// The definition `qualifier name = e`, where `expr` holds just `e`: the text the user
    /// typed, and the source its diagnostics point at.
    Definition { qualifier: Qualifier, name: String, expr: SourceText },
}

/// Additions to the main module of `root`, on top of the layer `below` if there is one.
#[salsa::input(debug)]
pub struct Layer {
    #[returns(copy)]
    pub root: SourceText,
    /// The module the additions join (`--main`); without it, the one [`crate::main_module`]
    /// picks.
    #[returns(ref)]
    pub main: Option<String>,
    #[returns(copy)]
    pub below: Option<Layer>,
    #[returns(ref)]
    pub extras: Vec<Extra>,
}

/// The resolved program of a layer: the program below with the additions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerProgram {
    pub program: Arc<Program>,
    /// The module the additions joined, or why there is none.
    pub main: Result<ModId, String>,
    /// The first definition this layer adds; those below keep their ids.
    pub first_def: u32,
    /// The diagnostics of parsing and resolving this layer's additions.
    pub diagnostics: Vec<Diagnostic>,
    /// The sources of this layer's additions.
    pub files: Vec<FileId>,
}

/// A definition that a layer adds.
#[salsa::interned(debug)]
pub struct LayerDef<'db> {
    #[returns(copy)]
    pub layer: Layer,
    #[returns(copy)]
    pub def: u32,
}

#[salsa::tracked(returns(ref))]
fn parsed_declarations(db: &dyn Db, text: SourceText) -> (Vec<ast::Decl>, Vec<Diagnostic>) {
    spec_syntax::parse_decls(text.text(db), FileId(text.id(db)))
}

#[salsa::tracked(returns(ref))]
fn parsed_expression(db: &dyn Db, text: SourceText) -> (Option<ast::Expr>, Vec<Diagnostic>) {
    spec_syntax::parse_expr(text.text(db), FileId(text.id(db)))
}

/// The program below `layer`, its main module, and the files it was read from.
fn below(db: &dyn Db, layer: Layer) -> (Arc<Program>, Result<ModId, String>) {
    match layer.below(db) {
        Some(below) => {
            let b = layer_program(db, below);
            (b.program.clone(), b.main.clone())
        }
        None => {
            let root = layer.root(db);
            let program = resolved(db, root).program.clone();
            let stem = std::path::Path::new(root.path(db)).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let main = crate::main_module(&program, &stem, layer.main(db).as_deref());
            (program, main)
        }
    }
}

#[salsa::tracked(returns(ref))]
pub fn layer_program(db: &dyn Db, layer: Layer) -> LayerProgram {
    let (base, main) = below(db, layer);
    let first_def = base.defs.len() as u32;
    let mut decls = Vec::new();
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();
    for extra in layer.extras(db) {
        match extra {
            Extra::Declarations(text) => {
                let (parsed, found) = parsed_declarations(db, *text);
                decls.extend(parsed.iter().cloned());
                diagnostics.extend(found.iter().cloned());
                files.push(FileId(text.id(db)));
            }
            Extra::Definition { qualifier, name, expr } => {
                let file = FileId(expr.id(db));
                files.push(file);
                let (parsed, found) = parsed_expression(db, *expr);
                diagnostics.extend(found.iter().cloned());
                if let Some(body) = parsed {
                    let span = Span::new(file, 0, expr.text(db).len());
                    let def = ast::Def { qualifier: *qualifier, name: ast::Ident { name: name.clone(), span: Span::new(file, 0, 0) }, params: None, ret: None, body: Some(body.clone()), span };
                    decls.push(ast::Decl { kind: ast::DeclKind::Def(def), doc: None, span });
                }
            }
        }
    }
    let (Ok(module), Some(&anchor)) = (&main, files.first()) else {
        return LayerProgram { program: base, main, first_def, diagnostics, files };
    };
    let root = layer.root(db);
    let below_files: Vec<LoadedFile> = resolved(db, root)
        .files
        .iter()
        .filter_map(|id| Some(LoadedFile { id: *id, ast: parsed(db, db.source(*id)?).ast.clone() }))
        .collect();
    let module_ast = ast::Module { name: ast::Ident { name: String::new(), span: Span::default() }, decls, doc: None, span: Span::default() };
    let additions = LoadedFile { id: anchor, ast: Arc::new(ast::SourceFile { modules: vec![module_ast] }) };
    let mut loader = DbLoader { db, files: below_files.iter().map(|f| f.id).collect(), diagnostics: Vec::new(), relative_to: Some((anchor, root)), headers_only: false };
    let (program, found) = extend((*base).clone(), *module, &below_files, additions, &mut loader);
    diagnostics.extend(found);
    diagnostics.extend(loader.diagnostics);
    LayerProgram { program: Arc::new(program), main, first_def, diagnostics, files }
}

/// What the inference of a layer's definition may read of the others.
#[salsa::tracked(returns(ref))]
fn layer_interface(db: &dyn Db, layer: Layer) -> Arc<Program> {
    Arc::new(layer_program(db, layer).program.interface())
}

/// The definitions of a layer's program in dependency order, and those on cycles.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LayerCycles {
    order: Vec<DefId>,
    on_cycle: BTreeSet<DefId>,
    diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
fn layer_cycles(db: &dyn Db, layer: Layer) -> LayerCycles {
    let program = &layer_program(db, layer).program;
    let mut diagnostics = Vec::new();
    let order = crate::deps::order(program, &mut diagnostics);
    LayerCycles { order, on_cycle: crate::deps::on_cycles(program), diagnostics }
}

/// The types of one definition a layer adds.
#[salsa::tracked(returns(ref))]
fn layer_def_types<'db>(db: &'db dyn Db, key: LayerDef<'db>) -> Arc<DefTypes> {
    let layer = key.layer(db);
    let id = key.def(db);
    let added = layer_program(db, layer);
    let Some(mut def) = added.program.defs.get(id as usize).cloned() else { return Arc::default() };
    let start = def.span.start as i64;
    shift_def(&mut def, -start);
    let on_cycle = &layer_cycles(db, layer).on_cycle;
    Arc::new(infer_def(layer_interface(db, layer), id, &def, &mut |used| {
        if on_cycle.contains(&used) {
            None
        } else if used < added.first_def {
            below_scheme(db, layer, used)
        } else {
            layer_def_scheme(db, LayerDef::new(db, layer, used)).clone()
        }
    }))
}

#[salsa::tracked]
fn layer_def_scheme<'db>(db: &'db dyn Db, key: LayerDef<'db>) -> Option<Scheme> {
    layer_def_types(db, key).scheme.clone()
}

fn below_scheme(db: &dyn Db, layer: Layer, def: DefId) -> Option<Scheme> {
    let below = match layer.below(db) {
        Some(below) => layer_analysis(db, below),
        None => analyzed(db, layer.root(db)),
    };
    below.types.defs.get(def as usize).cloned().flatten()
}

/// The analysis of the program with the layer's additions: the analysis below, the types
/// of the added definitions, and the modes of the whole program.
#[salsa::tracked(returns(ref))]
pub fn layer_analysis(db: &dyn Db, layer: Layer) -> Analysis {
    let below = match layer.below(db) {
        Some(below) => layer_analysis(db, below),
        None => analyzed(db, layer.root(db)),
    };
    let added = layer_program(db, layer);
    let program = added.program.clone();
    let cycles = layer_cycles(db, layer);
    let mut diagnostics = below.diagnostics.clone();
    diagnostics.extend(added.diagnostics.iter().cloned());
    diagnostics.extend(cycles.diagnostics.iter().cloned());
    let mut types = (*below.types).clone();
    for d in added.first_def..program.defs.len() as u32 {
        let found = layer_def_types(db, LayerDef::new(db, layer, d));
        let def_span = program.defs[d as usize].span;
        types.defs.push(found.scheme.clone());
        types.per_def.push((def_span, found.clone()));
        diagnostics.extend(placed(def_span, found.diagnostics.iter()));
    }
    let (modes, mode_diagnostics) = check_modes(&program, &cycles.order);
    diagnostics.extend(mode_diagnostics);
    let mut seen = BTreeSet::new();
    diagnostics.retain(|d| seen.insert((d.span, d.message.clone())));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
    let mut files = below.files.clone();
    files.extend(added.files.iter().copied());
    Analysis { program, types: Arc::new(types), modes: Arc::new(modes), diagnostics, files }
}
