//! One analysis of a program, as salsa queries. Names are resolved in two steps: the
//! declarations of every module (imports, scopes, types, headers of definitions) from the
//! modules without the bodies of their definitions (`pieces::header_file`), then the body
//! of each definition in a query of its own (`def_ir`), from the syntax tree of its module
//! alone (positions relative to the module) and the declarations without positions. Then
//! the type of each definition is inferred in its own query, keyed by the definition. A
//! definition's queries read only its own body, the program's declarations (bodies left
//! out, no positions) and the types of the definitions it uses, so editing one body parses
//! its module again, lowers the definitions of that module again (each is compared with its
//! last IR) and re-runs the inference of the edited definition, and of those that use it
//! only if its type changed. An edit that moves later text changes positions only, which no
//! definition's queries read. The diagnostics of a file ([`file_diagnostics`]) come from
//! these queries alone; the whole resolved program ([`resolved`]) is built only for the
//! tools that read it.
//! Modes are checked the same way, per definition, reading the mode summaries of the
//! definitions it uses; only the check that `init` and `step` assign every variable looks at
//! the whole program (from the summaries). Definitions are checked in dependency order, so
//! that no query waits on a long chain of others (a chain of a million definitions must not
//! exhaust the stack). Every diagnostic comes back in source order.

use crate::db::{parsed, resolve_relative, Db, SourceText};
use crate::infer::infer_def;
use crate::ir::{shift_def, Def, DefId, DefTypes, Program, Types};
use crate::modes::{check_def_modes, check_steps, DefModes, Mode, ModeSummary};
use crate::pieces::{decl_ast, header_file, module_spans, syntax_diagnostics, FilePositions};
use crate::resolve::{lower_def, resolve, resolve_with_origins, LoadedFile, Loader, Origin};
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

/// The resolved program of a root file, and the files it was read from (the root first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub program: Arc<Program>,
    pub files: Vec<FileId>,
}

/// A definition of the program of a root file.
#[salsa::interned(debug)]
pub struct DefKey<'db> {
    #[returns(copy)]
    pub file: SourceText,
    #[returns(copy)]
    pub def: u32,
}

/// The whole program of `file`, with the bodies of its definitions, at positions in the
/// files: the declarations of [`headers`] with each definition as its own [`def_ir`] lowered
/// it, placed where the definition starts. It parses and lowers nothing that the
/// diagnostics did not (the interpreter, hover and the other whole-program readers used to
/// parse and lower every file a second time, whole).
#[salsa::tracked(returns(ref))]
pub fn resolved(db: &dyn Db, file: SourceText) -> Resolved {
    let headers = headers(db, file);
    let mut positions = FilePositions::new(db);
    let mut program = (*headers.program).clone();
    // A module's end in the declarations' positions lies where bodies were left out.
    let written: std::collections::HashMap<(FileId, u32), Span> = headers
        .files
        .iter()
        .filter_map(|f| db.source(*f))
        .flat_map(|source| module_spans(db, source).iter().map(|span| ((span.file, span.start), *span)))
        .collect();
    for module in &mut program.modules {
        let span = positions.span(module.span);
        module.span = written.get(&(span.file, span.start)).copied().unwrap_or(span);
    }
    for var in &mut program.vars {
        var.span = positions.span(var.span);
    }
    for constant in &mut program.consts {
        constant.span = positions.span(constant.span);
    }
    for sum in program.sum_types.values_mut() {
        sum.span = positions.span(sum.span);
    }
    for (d, def) in program.defs.iter_mut().enumerate() {
        let start = positions.span(def.span).start as i64;
        match def_ir(db, DefKey::new(db, file, d as u32)) {
            Some(ir) => {
                *def = ir.def.clone();
                shift_def(def, start);
            }
            // Not lowered on its own (no body was found where its declaration said): its
            // header, moved to where it starts.
            None => {
                let delta = start - def.span.start as i64;
                shift_def(def, delta);
            }
        }
    }
    Resolved { program: Arc::new(program), files: headers.files.clone() }
}

/// The whole program of `file` resolved from whole parses of its files, the way [`resolved`]
/// was computed before it was assembled from pieces: the reference that tests compare the
/// assembled program with.
pub fn resolved_from_whole_files(db: &dyn Db, file: SourceText) -> Resolved {
    let root_id = FileId(file.id(db));
    let root = parsed(db, file);
    let mut loader = DbLoader { db, files: vec![root_id], diagnostics: Vec::new(), relative_to: None, headers_only: false };
    let (program, _) = resolve(LoadedFile { id: root_id, ast: root.ast.clone() }, &mut loader);
    Resolved { program: Arc::new(program), files: loader.files }
}

/// The declarations of a program: every module, scope, type and definition, without the
/// bodies of definitions (their parameters and declared types are there), at the positions of
/// `pieces::header_file` (which do not move when text before them does; `pieces::FilePositions` gives
/// positions in the files); where each body is written; the diagnostics of resolving the
/// declarations; the files read (the root first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headers {
    pub program: Arc<Program>,
    pub origins: Vec<Origin>,
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<FileId>,
}

#[salsa::tracked(returns(ref))]
pub fn headers(db: &dyn Db, file: SourceText) -> Headers {
    let root_id = FileId(file.id(db));
    let mut loader = DbLoader { db, files: vec![root_id], diagnostics: Vec::new(), relative_to: None, headers_only: true };
    let (program, mut diagnostics, origins) = resolve_with_origins(LoadedFile { id: root_id, ast: header_file(db, file).clone() }, &mut loader);
    diagnostics.extend(loader.diagnostics);
    Headers { program: Arc::new(program), origins, diagnostics, files: loader.files }
}

/// The declarations without positions, and where each body is written: what lowering a
/// body reads. Equal after an edit inside a body, or one that only moves text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declarations {
    pub program: Program,
    pub origins: Vec<Origin>,
}

#[salsa::tracked(returns(ref))]
pub fn declarations(db: &dyn Db, file: SourceText) -> Arc<Declarations> {
    let headers = headers(db, file);
    Arc::new(Declarations { program: headers.program.declarations(), origins: headers.origins.clone() })
}

/// The program without the bodies of its definitions and without positions: what a
/// definition's inference and mode check may read of the others. It stays equal when only
/// bodies change. Of the names in scope of each module it keeps only the constructors (what
/// a `match` arm looks up): a program of a million definitions would copy its scopes here.
#[salsa::tracked(returns(ref))]
pub fn interface(db: &dyn Db, file: SourceText) -> Arc<Program> {
    Arc::new(headers(db, file).program.interface())
}

/// The order in which definitions are checked (each after those it uses) and the
/// definitions on cycles: no positions, so equal unless some definition's uses changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub order: Vec<DefId>,
    pub on_cycle: BTreeSet<DefId>,
}

/// The definitions each definition uses.
fn dependencies(db: &dyn Db, file: SourceText, count: usize) -> Vec<Vec<DefId>> {
    (0..count as u32).map(|d| def_uses(db, DefKey::new(db, file, d)).clone()).collect()
}

#[salsa::tracked(returns(ref))]
pub fn order(db: &dyn Db, file: SourceText) -> Order {
    let program = &declarations(db, file).program;
    let deps = dependencies(db, file, program.defs.len());
    let mut ignored = Vec::new();
    let (order, on_cycle) = crate::deps::order_and_cycles_with(program, &deps, &mut ignored);
    Order { order, on_cycle }
}

/// The cycles among definitions, reported at their names.
#[salsa::tracked(returns(ref))]
pub fn cycle_diagnostics(db: &dyn Db, file: SourceText) -> Vec<Diagnostic> {
    if order(db, file).on_cycle.is_empty() {
        return Vec::new();
    }
    let program = &headers(db, file).program;
    let deps = dependencies(db, file, program.defs.len());
    let mut diagnostics = Vec::new();
    crate::deps::order_and_cycles_with(program, &deps, &mut diagnostics);
    diagnostics
}

/// One definition lowered to IR, with the diagnostics of lowering it; positions relative to
/// the start of the definition (so that edits elsewhere in the file leave it equal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefIr {
    pub def: Def,
    pub diagnostics: Vec<Diagnostic>,
}

/// One definition, with its body, lowered from the syntax tree of its module (see the
/// module documentation). Bodies written elsewhere than in a definition (an `assume`, an
/// instance's constant value) are taken from the declarations, where they were lowered.
#[salsa::tracked(returns(ref))]
pub fn def_ir<'db>(db: &'db dyn Db, key: DefKey<'db>) -> Option<DefIr> {
    let file = key.file(db);
    let id = key.def(db) as usize;
    let declarations = declarations(db, file);
    let header = declarations.program.defs.get(id)?;
    match *declarations.origins.get(id)? {
        Origin::Decl { file: origin, module, decl } => {
            let source = db.source(origin)?;
            let decl = decl_ast(db, source, module, decl)?;
            let spec_syntax::ast::DeclKind::Def(d) = &decl.kind else { return None };
            let mut diagnostics = Vec::new();
            let lowered = lower_def(&declarations.program, &mut diagnostics, header.module, d);
            let mut def = Def {
                name: header.name.clone(),
                module: header.module,
                qualifier: header.qualifier,
                params: lowered.params,
                body: lowered.body,
                annotation: lowered.annotation,
                annotation_vars: lowered.annotation_vars,
                locals: lowered.locals,
                span: d.span,
                name_span: d.name.span,
                doc: decl.doc.clone(),
                synthetic: header.synthetic,
            };
            let start = d.span.start;
            shift_def(&mut def, -(start as i64));
            let to_def = |s: Span| if s.file == origin { Span { start: s.start.saturating_sub(start), end: s.end.saturating_sub(start), ..s } } else { s };
            for diag in &mut diagnostics {
                diag.span = to_def(diag.span);
                for label in &mut diag.labels {
                    label.span = to_def(label.span);
                }
            }
            Some(DefIr { def, diagnostics })
        }
        Origin::Header => {
            let mut def = headers(db, file).program.defs.get(id)?.clone();
            let start = def.span.start as i64;
            shift_def(&mut def, -start);
            Some(DefIr { def, diagnostics: Vec::new() })
        }
    }
}

/// The definitions a definition uses.
#[salsa::tracked(returns(ref))]
pub fn def_uses<'db>(db: &'db dyn Db, key: DefKey<'db>) -> Vec<DefId> {
    def_ir(db, key).as_ref().map(|ir| crate::deps::uses(&ir.def)).unwrap_or_default()
}

/// The types of one definition.
#[salsa::tracked(returns(ref))]
pub fn def_types<'db>(db: &'db dyn Db, key: DefKey<'db>) -> Arc<DefTypes> {
    let file = key.file(db);
    let id = key.def(db);
    let Some(ir) = def_ir(db, key) else { return Arc::default() };
    let interface = interface(db, file);
    let on_cycle = &order(db, file).on_cycle;
    Arc::new(infer_def(interface, id, &ir.def, &mut |used| {
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
    let Some(ir) = def_ir(db, key) else { return Arc::default() };
    let interface = interface(db, file);
    let on_cycle = &order(db, file).on_cycle;
    Arc::new(check_def_modes(interface, &ir.def, &mut |used| {
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

/// Every diagnostic of a program (of every file involved, in order), and the files it was
/// read from (the root first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiagnostics {
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<FileId>,
}

/// The diagnostics of the program of `file`, from the declarations and the queries of each
/// definition: what the language server publishes after an edit, without building the whole
/// resolved program.
/// Runs the queries of `file` that read every definition or every piece of text before
/// the ones that read one of them, from where it is called (the top, for the CLI and the
/// language server). Salsa keeps a finished query's dependency list (cleared, with its
/// capacity) for the next query run at the same depth of the query stack, and clearing it
/// costs that capacity: a query that depends on every definition, run below queries that
/// then run once per definition at its depth, makes each of those clear a list as long as
/// the program (100,000 one-line definitions: 4 s instead of 1; 480,000: minutes). Run here
/// first, these queries leave their long lists at the top of the stack, where little runs
/// after them, and are found done where the analysis reads them.
pub fn prepare(db: &dyn Db, file: SourceText) {
    crate::pieces::header_file(db, file);
    headers(db, file);
    order(db, file);
}

/// What the language server publishes for `file`.
pub fn file_diagnostics(db: &dyn Db, file: SourceText) -> &FileDiagnostics {
    prepare(db, file);
    diagnostics_of(db, file)
}

/// The problems found before types: syntax, names, imports and cycles among definitions
/// (what Quint's `parse` reports), sorted by place.
pub fn name_diagnostics(db: &dyn Db, file: SourceText) -> &FileDiagnostics {
    prepare(db, file);
    names_of(db, file)
}

#[salsa::tracked(returns(ref))]
fn names_of(db: &dyn Db, file: SourceText) -> FileDiagnostics {
    let headers = headers(db, file);
    let program = &headers.program;
    let syntax = |f: &FileId| db.source(*f).map(|source| syntax_diagnostics(db, source).clone()).unwrap_or_default();
    let mut positions = FilePositions::new(db);
    let mut diagnostics = headers.files.first().map(syntax).unwrap_or_default();
    diagnostics.extend(headers.diagnostics.iter().cloned().map(|d| positions.diagnostic(d)));
    diagnostics.extend(headers.files.iter().skip(1).flat_map(syntax));
    for (d, def) in program.defs.iter().enumerate() {
        if let Some(ir) = def_ir(db, DefKey::new(db, file, d as u32)) {
            diagnostics.extend(placed(positions.span(def.span), ir.diagnostics.iter()));
        }
    }
    diagnostics.extend(cycle_diagnostics(db, file).iter().cloned().map(|d| positions.diagnostic(d)));
    FileDiagnostics { diagnostics: deduplicated(diagnostics), files: headers.files.clone() }
}

/// Instances repeat their module's definitions: each problem once, sorted by place.
fn deduplicated(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    diagnostics.retain(|d| seen.insert((d.span, d.message.clone())));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
    diagnostics
}

#[salsa::tracked(returns(ref))]
fn diagnostics_of(db: &dyn Db, file: SourceText) -> FileDiagnostics {
    let headers = headers(db, file);
    let program = &headers.program;
    let order = order(db, file);
    let count = program.defs.len();
    let mut positions = FilePositions::new(db);
    let mut diagnostics = names_of(db, file).diagnostics.clone();
    // Where each definition starts in its file.
    let starts: Vec<Span> = program.defs.iter().map(|d| positions.span(d.span)).collect();
    let mut summaries: Vec<ModeSummary> = vec![ModeSummary::default(); count];
    // Each definition after those it uses (`order` holds every definition once).
    for &d in &order.order {
        let key = DefKey::new(db, file, d);
        let found = def_types(db, key);
        let modes = def_modes(db, key);
        summaries[d as usize] = modes.summary.clone();
        diagnostics.extend(placed(starts[d as usize], found.diagnostics.iter().chain(&modes.diagnostics)));
    }
    diagnostics.extend(check_steps(program, &|d| summaries.get(d as usize).cloned()).into_iter().map(|d| positions.diagnostic(d)));
    FileDiagnostics { diagnostics: deduplicated(diagnostics), files: headers.files.clone() }
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
    /// Read files without the bodies of their definitions (see [`headers`]).
    pub headers_only: bool,
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
        if self.headers_only {
            // Syntax diagnostics are gathered by `file_diagnostics`, in the files' positions.
            if !self.files.contains(&id) {
                self.files.push(id);
            }
            return LoadedFile { id, ast: header_file(self.db, file).clone() };
        }
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

/// The analysis of the program of `file`: the whole resolved program (for the tools that
/// read it), the types and modes of its definitions from their queries, and the diagnostics
/// of [`file_diagnostics`].
pub fn analyze_program(db: &dyn Db, file: SourceText) -> Analysis {
    let count = headers(db, file).program.defs.len();
    let mut schemes = vec![None; count];
    let mut per_def: Vec<Arc<DefTypes>> = vec![Arc::default(); count];
    let mut modes: Vec<Mode> = vec![ModeSummary::default().mode; count];
    // Each definition after those it uses (`order` holds every definition once), so that
    // inferring one does not recurse through a long chain of others.
    for &d in &order(db, file).order {
        let key = DefKey::new(db, file, d);
        let d = d as usize;
        let types = def_types(db, key);
        schemes[d] = types.scheme.clone();
        per_def[d] = types.clone();
        modes[d] = def_mode_summary(db, key).mode;
    }
    // The queries that read every definition come last: salsa keeps a finished query's
    // dependency list (cleared, with its capacity) for the next query run at the same depth,
    // and clearing costs that capacity. Run before the loop, each definition's query run
    // after them would clear a list that long: quadratic in the number of definitions
    // (100,000 one-line definitions: 4 s instead of 1).
    let resolved = resolved(db, file);
    let found = diagnostics_of(db, file);
    let program = resolved.program.clone();
    let per_def = per_def.into_iter().zip(&program.defs).map(|(types, def)| (def.span, types)).collect();
    let types = Types { defs: schemes, per_def };
    Analysis { program, types: Arc::new(types), modes: Arc::new(modes), diagnostics: found.diagnostics.clone(), files: resolved.files.clone() }
}
