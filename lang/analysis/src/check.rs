//! One analysis of a program, as salsa queries: resolve names across files (whole
//! program, cheap), then infer the type of each definition in its own query, keyed by the
//! definition. A definition's query reads only its own body, the program's declarations
//! (bodies left out) and the types of the definitions it uses, so editing one body re-runs
//! the inference of that definition, and of those that use it only if its type changed.
//! Modes are checked the same way, per definition, reading the mode summaries of the
//! definitions it uses; only the check that `init` and `step` assign every variable looks at
//! the whole program (from the summaries). Definitions are checked in dependency order, so
//! that no query waits on a long chain of others (a chain of a million definitions must not
//! exhaust the stack). Every diagnostic comes back in source order.

use crate::db::{parsed, resolve_relative, Db, SourceText};
use crate::infer::infer_def;
use crate::ir::{shift_def, Def, DefId, DefTypes, Program, Types};
use crate::modes::{check_def_modes, check_steps, DefModes, Mode, ModeSummary};
use crate::resolve::{resolve, LoadedFile, Loader};
use spec_syntax::{Diagnostic, FileId, Span};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Everything the analysis knows about a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Analysis {
    pub program: Arc<Program>,
    pub types: Arc<Types>,
    pub modes: Arc<Vec<Mode>>,
    /// Every diagnostic, of every file involved, in order.
    pub diagnostics: Vec<Diagnostic>,
    /// The files the program was read from (the root first).
    pub files: Vec<FileId>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }
}

/// The resolved program of a root file, with the diagnostics of parsing and resolving.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub program: Arc<Program>,
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<FileId>,
}

/// The definitions on cycles (their types cannot be inferred from each other).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycles {
    pub on_cycle: BTreeSet<DefId>,
    pub diagnostics: Vec<Diagnostic>,
    pub order: Vec<DefId>,
}

/// A definition of the program of a root file.
#[salsa::interned(debug)]
pub struct DefKey<'db> {
    #[returns(copy)]
    pub file: SourceText,
    #[returns(copy)]
    pub def: u32,
}

#[salsa::tracked(returns(ref))]
pub fn resolved(db: &dyn Db, file: SourceText) -> Resolved {
    let root_id = FileId(file.id(db));
    let root = parsed(db, file);
    let mut loader = DbLoader { db, files: vec![root_id], diagnostics: root.diagnostics.clone(), relative_to: None };
    let (program, mut diagnostics) = resolve(LoadedFile { id: root_id, ast: root.ast.clone() }, &mut loader);
    diagnostics.extend(loader.diagnostics);
    Resolved { program: Arc::new(program), diagnostics, files: loader.files }
}

/// The program without the bodies of its definitions and without positions: what a
/// definition's inference and mode check may read of the others. It stays equal when only
/// bodies change. Of the names in scope of each module it keeps only the constructors (what
/// a `match` arm looks up): a program of a million definitions would copy its scopes here.
#[salsa::tracked(returns(ref))]
pub fn interface(db: &dyn Db, file: SourceText) -> Arc<Program> {
    Arc::new(resolved(db, file).program.interface())
}

#[salsa::tracked(returns(ref))]
pub fn cycles(db: &dyn Db, file: SourceText) -> Cycles {
    let program = &resolved(db, file).program;
    let mut diagnostics = Vec::new();
    let (order, on_cycle) = crate::deps::order_and_cycles(program, &mut diagnostics);
    Cycles { on_cycle, diagnostics, order }
}

/// One definition, with its body, its spans relative to its own start (so that edits
/// elsewhere in the file leave it equal).
#[salsa::tracked(returns(ref))]
pub fn def_ir<'db>(db: &'db dyn Db, key: DefKey<'db>) -> Option<Def> {
    let mut def = resolved(db, key.file(db)).program.defs.get(key.def(db) as usize)?.clone();
    let start = def.span.start as i64;
    shift_def(&mut def, -start);
    Some(def)
}

/// The types of one definition.
#[salsa::tracked(returns(ref))]
pub fn def_types<'db>(db: &'db dyn Db, key: DefKey<'db>) -> Arc<DefTypes> {
    let file = key.file(db);
    let id = key.def(db);
    let Some(def) = def_ir(db, key) else { return Arc::default() };
    let interface = interface(db, file);
    let on_cycle = &cycles(db, file).on_cycle;
    Arc::new(infer_def(interface, id, def, &mut |used| {
        if on_cycle.contains(&used) {
            return None;
        }
        def_scheme(db, DefKey::new(db, file, used)).clone()
    }))
}

/// Just the type of a definition: what the definitions that use it depend on, so that a
/// change of its body that keeps its type does not make them run again.
#[salsa::tracked]
pub fn def_scheme<'db>(db: &'db dyn Db, key: DefKey<'db>) -> Option<crate::ty::Scheme> {
    def_types(db, key).scheme.clone()
}

/// The modes of one definition (positions relative to its start, like its types).
#[salsa::tracked(returns(ref))]
pub fn def_modes<'db>(db: &'db dyn Db, key: DefKey<'db>) -> Arc<DefModes> {
    let file = key.file(db);
    let Some(def) = def_ir(db, key) else { return Arc::default() };
    let interface = interface(db, file);
    let on_cycle = &cycles(db, file).on_cycle;
    Arc::new(check_def_modes(interface, def, &mut |used| {
        if on_cycle.contains(&used) {
            return None;
        }
        Some(def_mode_summary(db, DefKey::new(db, file, used)).clone())
    }))
}

/// Just what the users of a definition need of its modes (see [`ModeSummary`]).
#[salsa::tracked]
pub fn def_mode_summary<'db>(db: &'db dyn Db, key: DefKey<'db>) -> ModeSummary {
    def_modes(db, key).summary.clone()
}

/// The file that `from "path"` names in the file `importer`: `path` is relative to the
/// importer's directory, and `.qnt` is added unless it is there (Quint adds it always;
/// accepting it written out as well is harmless).
pub(crate) fn import_path(importer: &str, path: &str) -> String {
    let full = resolve_relative(importer, path);
    if full.ends_with(".qnt") {
        full
    } else {
        format!("{full}.qnt")
    }
}

/// Reads the files that `from "..."` clauses name through the database, parsing each once
/// and collecting its syntax diagnostics once.
pub(crate) struct DbLoader<'a> {
    pub db: &'a dyn Db,
    /// The files read so far, in reading order.
    pub files: Vec<FileId>,
    pub diagnostics: Vec<Diagnostic>,
    /// Declarations that are in no file (a layer's, see `extend.rs`) are read under this id;
    /// their imports are relative to the file given with it.
    pub relative_to: Option<(FileId, SourceText)>,
}

impl Loader for DbLoader<'_> {
    fn load(&mut self, importer: FileId, path: &str) -> Result<LoadedFile, crate::db::LoadError> {
        let importer = match self.relative_to {
            Some((anchor, file)) if anchor == importer => Some(file),
            _ => self.db.source(importer),
        };
        let importer_path = importer.map(|f| f.path(self.db).clone()).unwrap_or_default();
        let file = self.db.load(&import_path(&importer_path, path))?;
        Ok(self.register(file))
    }

    fn load_std(&mut self, module: &str) -> Option<LoadedFile> {
        let text = spec_stdlib::source(module)?;
        let file = self.db.builtin_source(&spec_stdlib::path(module), text);
        Some(self.register(file))
    }
}

impl DbLoader<'_> {
    /// Parses a file the program reads, remembering it and its syntax diagnostics once.
    fn register(&mut self, file: SourceText) -> LoadedFile {
        let id = FileId(file.id(self.db));
        let parsed = parsed(self.db, file);
        if !self.files.contains(&id) {
            self.files.push(id);
            self.diagnostics.extend(parsed.diagnostics.iter().cloned());
        }
        LoadedFile { id, ast: parsed.ast.clone() }
    }
}

/// Diagnostics of one definition, from positions relative to its start (as its queries
/// compute them) back to positions in its file.
pub(crate) fn placed<'d>(def_span: Span, diagnostics: impl Iterator<Item = &'d Diagnostic> + 'd) -> impl Iterator<Item = Diagnostic> + 'd {
    let place = move |s: Span| if s.file == def_span.file { Span { start: s.start + def_span.start, end: s.end + def_span.start, ..s } } else { s };
    diagnostics.map(move |diag| {
        let mut diag = diag.clone();
        diag.span = place(diag.span);
        for label in &mut diag.labels {
            label.span = place(label.span);
        }
        diag
    })
}

pub fn analyze_program(db: &dyn Db, file: SourceText) -> Analysis {
    let resolved = resolved(db, file);
    let program = resolved.program.clone();
    let cycles = cycles(db, file);
    let mut diagnostics = resolved.diagnostics.clone();
    diagnostics.extend(cycles.diagnostics.iter().cloned());
    let count = program.defs.len();
    let mut schemes = vec![None; count];
    let mut per_def: Vec<Option<(Span, Arc<DefTypes>)>> = vec![None; count];
    let mut summaries: Vec<ModeSummary> = vec![ModeSummary::default(); count];
    // Each definition after those it uses (`order` holds every definition once).
    for &d in &cycles.order {
        let key = DefKey::new(db, file, d);
        let found = def_types(db, key);
        let modes = def_modes(db, key);
        let def_span = program.defs[d as usize].span;
        schemes[d as usize] = found.scheme.clone();
        per_def[d as usize] = Some((def_span, found.clone()));
        summaries[d as usize] = modes.summary.clone();
        diagnostics.extend(placed(def_span, found.diagnostics.iter().chain(&modes.diagnostics)));
    }
    diagnostics.extend(check_steps(&program, &|d| summaries.get(d as usize).cloned()));
    let modes = summaries.iter().map(|s| s.mode).collect();
    let per_def = per_def.into_iter().enumerate().map(|(d, found)| found.unwrap_or_else(|| (program.defs[d].span, Arc::default()))).collect();
    let types = Types { defs: schemes, per_def };
    // Instances repeat their module's definitions: report each problem once.
    let mut seen = BTreeSet::new();
    diagnostics.retain(|d| seen.insert((d.span, d.message.clone())));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
    Analysis { program, types: Arc::new(types), modes: Arc::new(modes), diagnostics, files: resolved.files.clone() }
}
