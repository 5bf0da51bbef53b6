//! Name resolution: from the syntax trees of a file and the files it imports to one flat
//! [`Program`]. Each module becomes a module instance with its own scope; `import M(N = e)`
//! makes a fresh copy of `M` in which the constant `N` stands for `e`. Every name in every
//! expression is resolved here, so later stages never look names up.
//!
//! A module is processed in phases: register its own names, process its imports (which may
//! instantiate other modules, recursively; a module met again while in progress is an import
//! cycle), resolve its types (`annotations.rs`), then lower the bodies of its definitions
//! (`lower.rs`). This file holds the module graph: instances, scopes, imports and exports.

mod annotations;
mod lower;

pub(crate) use lower::lower_def;

use crate::builtins::builtin;
use crate::db::LoadError;
use crate::ir::*;
use crate::suggest::closest;
use crate::ty::Ty;
use annotations::{TyVars, TypeDecls};
use spec_syntax::ast::{self, ImportWhat, Qualifier};
use spec_syntax::{Code, Diagnostic, FileId, Span};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Names Quint reserves although they have no signature.
const RESERVED: &[&str] = &["assign", "cross", "difference", "fields", "of", "applyTo", "matchVariant", "variant"];

/// A parsed file, as the resolver sees it.
#[derive(Clone)]
pub struct LoadedFile {
    pub id: FileId,
    pub ast: Arc<ast::SourceFile>,
}

/// Finds and parses the files named in `from "..."` clauses.
pub trait Loader {
    /// The file `path` names, relative to the file `importer`.
    fn load(&mut self, importer: FileId, path: &str) -> Result<LoadedFile, LoadError>;
    /// The standard library module `module` (`std::sets`), if there is one.
    fn load_std(&mut self, _module: &str) -> Option<LoadedFile> {
        None
    }
}

/// Where the body of a definition is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The definition `decl` of module `module` of `file`: a body that can be lowered on its
    /// own, in the scope of the definition's module (see [`lower_def`]).
    Decl { file: FileId, module: u32, decl: u32 },
    /// Elsewhere (an `assume`, an instance's constant value): lowered with the declarations.
    Header,
}

/// Resolves every module of `root` (and what they import).
pub fn resolve(root: LoadedFile, loader: &mut dyn Loader) -> (Program, Vec<Diagnostic>) {
    let (program, diagnostics, _) = resolve_with_origins(root, loader);
    (program, diagnostics)
}

/// [`resolve`], and where the body of each definition is written (indexed like the
/// program's definitions).
pub fn resolve_with_origins(root: LoadedFile, loader: &mut dyn Loader) -> (Program, Vec<Diagnostic>, Vec<Origin>) {
    let mut resolver = Resolver {
        loader,
        program: Program::default(),
        diagnostics: Vec::new(),
        files: HashMap::new(),
        canonical: HashMap::new(),
        in_progress: Vec::new(),
        origins: Vec::new(),
    };
    resolver.files.insert(root.id, root.ast.clone());
    let mut seen = BTreeMap::new();
    for (index, module) in root.ast.modules.iter().enumerate() {
        if let Some(previous) = seen.insert(module.name.name.clone(), module.name.span) {
            resolver.diagnostics.push(
                Diagnostic::error(Code::DuplicateModule, module.name.span, format!("the module `{}` is defined twice", module.name.name))
                    .with_label("second definition")
                    .with_secondary(previous, "first defined here"),
            );
            continue;
        }
        let id = resolver.canonical_instance(root.id, index, module.name.span);
        if let Some(id) = id {
            resolver.program.module_names.insert(module.name.name.clone(), id);
        }
    }
    (resolver.program, resolver.diagnostics, resolver.origins)
}

/// Adds declarations to module `module` of an already resolved program, as if they were
/// written at the end of it: they see every name it sees, and their own names join its
/// scope. `extra` is a file whose first module holds the declarations (its name is not
/// used); `files` are the files `base` was read from, so that imports among the extra
/// declarations find modules that are already there. The definitions of `base` keep their
/// ids; the new ones follow.
pub fn extend(base: Program, module: ModId, files: &[LoadedFile], extra: LoadedFile, loader: &mut dyn Loader) -> (Program, Vec<Diagnostic>) {
    let mut resolver = Resolver { loader, program: base, diagnostics: Vec::new(), files: HashMap::new(), canonical: HashMap::new(), in_progress: Vec::new(), origins: Vec::new() };
    for file in files {
        for (index, m) in file.ast.modules.iter().enumerate() {
            if let Some(id) = resolver.program.module_names.get(&m.name.name) {
                resolver.canonical.insert((file.id, index), *id);
            }
        }
        resolver.files.insert(file.id, file.ast.clone());
    }
    let program = &resolver.program;
    let span_of = |entity: &Entity| match entity {
        Entity::Def(d) => program.defs.get(*d as usize).map(|d| d.name_span),
        Entity::Var(v) => program.vars.get(*v as usize).map(|v| v.span),
        Entity::Const(c) => program.consts.get(*c as usize).map(|c| c.span),
        _ => None,
    };
    let defined_at: BTreeMap<String, Span> = program.modules[module as usize].scope.iter().filter_map(|(name, entity)| Some((name.clone(), span_of(entity)?))).collect();
    let name = program.modules[module as usize].name.clone();
    resolver.files.insert(extra.id, extra.ast);
    resolver.in_progress.push((extra.id, 0, name));
    resolver.populate(module, extra.id, 0, None, defined_at);
    resolver.in_progress.pop();
    (resolver.program, resolver.diagnostics)
}

struct Resolver<'l> {
    loader: &'l mut dyn Loader,
    program: Program,
    diagnostics: Vec<Diagnostic>,
    files: HashMap<FileId, Arc<ast::SourceFile>>,
    /// The instance without constant substitutions of each module, by (file, index).
    canonical: HashMap<(FileId, usize), ModId>,
    /// Modules being processed, for cycle detection.
    in_progress: Vec<(FileId, usize, String)>,
    /// Where the body of each definition made so far is written (see [`Origin`]).
    origins: Vec<Origin>,
}

/// The constant values of one instance, `import M(N = e)`: each constant's name and the
/// definition that holds its value. A value may set a constant of `M` itself or one that
/// `M` imports with `.*` (Quint copies constants through imports); `used` records which
/// were claimed, so that the others can be reported.
struct Bindings {
    values: BTreeMap<String, DefId>,
    span: Span,
    used: BTreeSet<String>,
}

impl Bindings {
    /// The values of those constants among `names` that no module has claimed yet.
    fn unclaimed(&self, names: &[String]) -> BTreeMap<String, DefId> {
        names.iter().filter(|n| !self.used.contains(*n)).filter_map(|n| Some((n.clone(), *self.values.get(n)?))).collect()
    }
}

/// A definition whose body is lowered once all names of its module are known.
enum Pending {
    Def { def: DefId, file: FileId, module: usize, decl: usize },
    /// An instance's constant value, resolved in the importing module.
    Binding { def: DefId, expr: ast::Expr },
    Assume { def: DefId, file: FileId, module: usize, decl: usize },
}

/// The module whose imports are being processed, and what its imports record.
struct ImportContext<'a> {
    module: ModId,
    file: FileId,
    pending: &'a mut Vec<Pending>,
    defined_at: &'a mut BTreeMap<String, Span>,
    /// The instance each imported module name (or alias) stands for, for `export`.
    imported: &'a mut BTreeMap<String, ModId>,
}

impl Resolver<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn canonical_instance(&mut self, file: FileId, index: usize, use_span: Span) -> Option<ModId> {
        if let Some(id) = self.canonical.get(&(file, index)) {
            return Some(*id);
        }
        if let Some(pos) = self.in_progress.iter().position(|(f, i, _)| *f == file && *i == index) {
            let mut cycle: Vec<String> = self.in_progress[pos..].iter().map(|(_, _, n)| n.clone()).collect();
            cycle.push(cycle[0].clone());
            self.error(
                Diagnostic::error(Code::ImportCycle, use_span, format!("modules import each other in a cycle: {}", cycle.join(" -> ")))
                    .with_label("this import closes the cycle")
                    .with_help("move the shared definitions to a module that both can import"),
            );
            return None;
        }
        let id = self.instantiate(file, index, None);
        self.canonical.insert((file, index), id);
        Some(id)
    }

    /// Builds one instance of module `index` of `file`. `bindings` holds the values of
    /// constants (for `import M(N = e)`); the ones this instance uses are marked used.
    fn instantiate(&mut self, file: FileId, index: usize, bindings: Option<&mut Bindings>) -> ModId {
        let ast = self.files[&file].clone();
        let module = &ast.modules[index];
        let id = self.program.modules.len() as ModId;
        let name = match &bindings {
            Some(b) => format!("{}({})", module.name.name, b.values.keys().map(|k| format!("{k} = ..")).collect::<Vec<_>>().join(", ")),
            None => module.name.name.clone(),
        };
        self.program.modules.push(ModuleInstance {
            name,
            public: BTreeMap::new(),
            scope: BTreeMap::new(),
            namespaces: BTreeMap::new(),
            types: BTreeMap::new(),
            defs: Vec::new(),
            vars: Vec::new(),
            consts: Vec::new(),
            span: module.span,
            is_instance: bindings.is_some(),
            doc: module.doc.clone(),
        });
        self.in_progress.push((file, index, module.name.name.clone()));
        self.populate(id, file, index, bindings, BTreeMap::new());
        self.in_progress.pop();
        id
    }

    /// Adds the declarations of module `index` of `file` to the instance `id`: its names,
    /// imports and exports, types, then the bodies. `defined_at` holds the names the
    /// instance has already (empty for a new instance).
    fn populate(&mut self, id: ModId, file: FileId, index: usize, mut bindings: Option<&mut Bindings>, mut defined_at: BTreeMap<String, Span>) {
        let ast = self.files[&file].clone();
        let module = &ast.modules[index];
        let mut pending = Vec::new();

        // Phase 1: the module's own names.
        let mut bound_consts = BTreeMap::new();
        for (decl_index, decl) in module.decls.iter().enumerate() {
            match &decl.kind {
                ast::DeclKind::Def(def) => {
                    if !self.claim_name(&mut defined_at, &def.name) {
                        continue;
                    }
                    let def_id = self.new_def(id, def, decl.doc.clone());
                    self.define(id, &def.name.name, Entity::Def(def_id), true);
                    if let Some(origin) = self.origins.get_mut(def_id as usize) {
                        *origin = Origin::Decl { file, module: index as u32, decl: decl_index as u32 };
                    }
                    pending.push(Pending::Def { def: def_id, file, module: index, decl: decl_index });
                }
                ast::DeclKind::Var { name, .. } => {
                    if !self.claim_name(&mut defined_at, name) {
                        continue;
                    }
                    let var = self.program.vars.len() as VarId;
                    self.program.vars.push(VarInfo { name: name.name.clone(), module: id, ty: Ty::Int, span: name.span, doc: decl.doc.clone() });
                    self.program.modules[id as usize].vars.push(var);
                    self.define(id, &name.name, Entity::Var(var), true);
                }
                ast::DeclKind::Const { name, .. } => {
                    if !self.claim_name(&mut defined_at, name) {
                        continue;
                    }
                    match bindings.as_deref_mut().and_then(|b| Some((*b.values.get(&name.name)?, b))) {
                        Some((def, b)) => {
                            b.used.insert(name.name.clone());
                            bound_consts.insert(name.name.clone(), def);
                            // An instance's constant is one of its names: `I::N`, and `N`
                            // after `import M(N = e).*`.
                            self.define(id, &name.name, Entity::Def(def), true);
                        }
                        None => {
                            if let Some(b) = &bindings {
                                self.error(
                                    Diagnostic::error(Code::MissingConstant, b.span, format!("this instance of `{}` does not set the constant `{}`", module.name.name, name.name))
                                        .with_label(format!("add `{} = ...` here", name.name))
                                        .with_secondary(name.span, "the constant is declared here"),
                                );
                            }
                            let c = self.program.consts.len() as ConstId;
                            self.program.consts.push(ConstInfo { name: name.name.clone(), module: id, ty: Ty::Int, span: name.span, doc: decl.doc.clone() });
                            self.program.modules[id as usize].consts.push(c);
                            self.define(id, &name.name, Entity::Const(c), true);
                        }
                    }
                }
                ast::DeclKind::Assume { name, .. } => {
                    let def = ast::Def {
                        qualifier: Qualifier::Val,
                        name: name.clone().unwrap_or(ast::Ident { name: "_assume".into(), span: decl.span }),
                        params: None,
                        ret: None,
                        body: None,
                        span: decl.span,
                    };
                    let def_id = self.new_def(id, &def, decl.doc.clone());
                    if let Some(name) = name {
                        if self.claim_name(&mut defined_at, name) {
                            self.define(id, &name.name, Entity::Def(def_id), true);
                        }
                    }
                    pending.push(Pending::Assume { def: def_id, file, module: index, decl: decl_index });
                }
                ast::DeclKind::TypeAlias { name, .. } | ast::DeclKind::SumType { name, .. } => {
                    if builtin(&name.name).is_some() {
                        self.error(Diagnostic::error(Code::DuplicateDefinition, name.span, format!("`{}` is the name of a builtin operator", name.name)).with_label("choose another name for this type"));
                    }
                    if let ast::DeclKind::SumType { variants, .. } = &decl.kind {
                        let key = format!("{}::{}", module.name.name, name.name);
                        for v in variants {
                            if self.claim_name(&mut defined_at, &v.name) {
                                self.define(id, &v.name.name, Entity::Constructor { ty: key.clone(), variant: v.name.name.clone() }, true);
                            }
                        }
                    }
                }
                _ => {}
            }
        }

        // Phase 2: imports and exports.
        let mut imported = BTreeMap::new();
        for decl in &module.decls {
            match &decl.kind {
                ast::DeclKind::Import(import) => {
                    let mut context = ImportContext { module: id, file, pending: &mut pending, defined_at: &mut defined_at, imported: &mut imported };
                    self.import(&mut context, import, bindings.as_deref_mut())
                }
                ast::DeclKind::Export(export) => self.export(id, file, export, &imported, &mut defined_at),
                _ => {}
            }
        }
        if let Some(b) = &bindings {
            self.report_unknown_constants(&module.name.name, id, b);
        }

        // Phase 3: types.
        let mut types = TypeDecls::default();
        for decl in &module.decls {
            match &decl.kind {
                ast::DeclKind::TypeAlias { name, .. } | ast::DeclKind::SumType { name, .. } => {
                    if types.decls.insert(name.name.clone(), decl.clone()).is_some() || self.program.modules[id as usize].types.contains_key(&name.name) {
                        self.error(Diagnostic::error(Code::DuplicateDefinition, name.span, format!("the type `{}` is defined twice", name.name)).with_label("second definition"));
                    }
                }
                _ => {}
            }
        }
        let names: Vec<String> = types.decls.keys().cloned().collect();
        for name in names {
            self.resolve_type_decl(id, &module.name.name, &name, &mut types);
        }
        // A state variable's or constant's type may hold type variables (`var log: List[p]`),
        // as Quint allows: each use of the name takes the type with fresh variables.
        for decl in &module.decls {
            match &decl.kind {
                ast::DeclKind::Var { name, ty } => {
                    let resolved = self.resolve_type(id, ty, &mut TyVars::open());
                    if let Some(var) = self.program.vars.iter_mut().rev().find(|v| v.module == id && v.name == name.name) {
                        var.ty = resolved;
                    }
                }
                ast::DeclKind::Const { name, ty } => {
                    let resolved = self.resolve_type(id, ty, &mut TyVars::open());
                    match self.program.consts.iter_mut().rev().find(|c| c.module == id && c.name == name.name) {
                        Some(c) => c.ty = resolved,
                        None => {
                            if let Some(def) = bound_consts.get(&name.name) {
                                self.program.defs[*def as usize].annotation = Some(resolved);
                            }
                        }
                    }
                }
                _ => {}
            }
        }

        // Phase 4: bodies.
        for p in pending {
            self.lower_pending(id, p);
        }
    }

    /// Reports the values of an instance that set no constant of the module or of what it imports.
    fn report_unknown_constants(&mut self, module_name: &str, id: ModId, b: &Bindings) {
        for name in b.values.keys().filter(|n| !b.used.contains(*n)) {
            let names: Vec<String> = self.constants(id).into_iter().map(|(n, _)| n).collect();
            let mut d = Diagnostic::error(Code::UnknownConstant, b.span, format!("the module `{module_name}` has no constant `{name}`"));
            if let Some(s) = closest(name, names.iter().map(|s| s.as_str())) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            self.error(d);
        }
    }

    /// The constants visible in module `id`: its own, the values of an instance's constants,
    /// and those of the modules it imports with `.*` (which Quint passes on through imports
    /// even where it does not pass on other imported names).
    fn constants(&self, id: ModId) -> Vec<(String, Entity)> {
        constants(&self.program, id)
    }

    /// Records that `name` is defined here; reports a second definition, and a definition
    /// that would hide a builtin operator (Quint refuses those too).
    fn claim_name(&mut self, defined_at: &mut BTreeMap<String, Span>, name: &ast::Ident) -> bool {
        if builtin(&name.name).is_some() || RESERVED.contains(&name.name.as_str()) {
            self.error(
                Diagnostic::error(Code::DuplicateDefinition, name.span, format!("`{}` is the name of a builtin operator", name.name))
                    .with_label("choose another name")
                    .with_help("builtin names cannot be redefined"),
            );
            return false;
        }
        if let Some(first) = defined_at.get(&name.name) {
            let first = *first;
            self.error(
                Diagnostic::error(Code::DuplicateDefinition, name.span, format!("`{}` is defined twice in this module", name.name))
                    .with_label("second definition")
                    .with_secondary(first, "first defined here")
                    .with_help("rename one of them"),
            );
            return false;
        }
        defined_at.insert(name.name.clone(), name.span);
        true
    }

    fn define(&mut self, module: ModId, name: &str, entity: Entity, public: bool) {
        let m = &mut self.program.modules[module as usize];
        if public {
            m.public.insert(name.to_string(), entity.clone());
        }
        m.scope.insert(name.to_string(), entity);
    }

    fn new_def(&mut self, module: ModId, def: &ast::Def, doc: Option<String>) -> DefId {
        let id = self.program.defs.len() as DefId;
        self.program.defs.push(Def {
            name: def.name.name.clone(),
            module,
            qualifier: def.qualifier,
            params: None,
            body: None,
            annotation: None,
            annotation_vars: Vec::new(),
            locals: Vec::new(),
            span: def.span,
            name_span: def.name.span,
            doc,
            synthetic: false,
        });
        self.program.modules[module as usize].defs.push(id);
        self.origins.resize(id as usize + 1, Origin::Header);
        id
    }

    /// Finds the module an import names: in the importing file, or in the file after `from`.
    fn find_module(&mut self, file: FileId, module: &ast::Ident, from: &Option<(String, Span)>) -> Option<(FileId, usize)> {
        let target_file = match from {
            None => file,
            Some((path, span)) => match self.loader.load(file, path) {
                Ok(loaded) => {
                    if !self.files.contains_key(&loaded.id) {
                        self.report_modules_named_twice(&loaded.ast);
                        self.files.insert(loaded.id, loaded.ast.clone());
                    }
                    loaded.id
                }
                Err(e) => {
                    let mut d = Diagnostic::error(Code::FileNotFound, *span, format!("cannot read `{path}`: {}", e.reason())).with_label("imported here");
                    if let LoadError::NotFound { path: tried } = &e {
                        d = d.with_note(format!("looked for `{tried}`")).with_help("a path after `from` is relative to the directory of the importing file; `.qnt` may be left out");
                    }
                    self.error(d);
                    return None;
                }
            },
        };
        let ast = self.files[&target_file].clone();
        match ast.modules.iter().position(|m| m.name.name == module.name) {
            Some(index) => Some((target_file, index)),
            None if from.is_none() && module.name.starts_with("std::") => match self.loader.load_std(&module.name) {
                Some(loaded) => {
                    self.files.entry(loaded.id).or_insert(loaded.ast.clone());
                    let index = loaded.ast.modules.iter().position(|m| m.name.name == module.name)?;
                    Some((loaded.id, index))
                }
                None => {
                    let names: Vec<&str> = spec_stdlib::MODULES.iter().map(|(n, _)| *n).collect();
                    let mut d = Diagnostic::error(Code::UnknownModule, module.span, format!("the standard library has no module `{}`", module.name)).with_label("unknown module");
                    d = d.with_help(match closest(&module.name, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("the standard library has: {}", names.join(", ")),
                    });
                    self.error(d);
                    None
                }
            },
            None if from.is_none() && self.loaded_module(module).is_some() => self.loaded_module(module),
            None => {
                let names: Vec<&str> = ast.modules.iter().map(|m| m.name.name.as_str()).collect();
                let place = if from.is_some() { "that file" } else { "this file" };
                let mut d = Diagnostic::error(Code::UnknownModule, module.span, format!("no module named `{}` in {place}", module.name))
                    .with_label("unknown module");
                if let Some(s) = closest(&module.name, names.iter().copied()) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else if from.is_none() {
                    d = d.with_help("to import a module from another file, add `from \"./file.qnt\"`");
                }
                self.error(d);
                None
            }
        }
    }

    /// Module names are global, as in Quint: a file read by an import may not define a
    /// module that another file of the program defines (Quint's QNT101). Two copies of one
    /// library in two folders are two modules of one name.
    fn report_modules_named_twice(&mut self, new_file: &ast::SourceFile) {
        for module in &new_file.modules {
            let Some((file, index)) = self.loaded_module(&module.name) else { continue };
            let first = self.files[&file].modules[index].name.span;
            self.error(
                Diagnostic::error(Code::DuplicateModule, module.name.span, format!("the module `{}` is defined in two files", module.name.name))
                    .with_label("second definition")
                    .with_secondary(first, "first defined here")
                    .with_help("module names are global: rename one, or import both from one file"),
            );
        }
    }

    /// A module of that name in a file the program has read already: Quint's module names
    /// are global, so `import M.*` without `from` may name a module of a file that another
    /// import read. The first such file (in reading order) wins.
    fn loaded_module(&self, module: &ast::Ident) -> Option<(FileId, usize)> {
        let mut files: Vec<(&FileId, &Arc<ast::SourceFile>)> = self.files.iter().collect();
        files.sort_by_key(|(id, _)| id.0);
        files.into_iter().find_map(|(id, ast)| Some((*id, ast.modules.iter().position(|m| m.name.name == module.name)?)))
    }

    fn import(&mut self, cx: &mut ImportContext<'_>, import: &ast::Import, bindings: Option<&mut Bindings>) {
        let Some((target_file, index)) = self.find_module(cx.file, &import.module, &import.from) else { return };
        let id = cx.module;
        let target = match &import.instance {
            None => match self.canonical_instance(target_file, index, import.module.span) {
                Some(t) => self.pass_constants(t, target_file, index, import, bindings),
                None => return,
            },
            Some(args) => {
                if self.in_progress.iter().any(|(f, i, _)| *f == target_file && *i == index) {
                    self.canonical_instance(target_file, index, import.module.span);
                    return;
                }
                let mut values = BTreeMap::new();
                for (name, expr) in args {
                    let def = ast::Def {
                        qualifier: Qualifier::PureVal,
                        name: name.clone(),
                        params: None,
                        ret: None,
                        body: None,
                        span: name.span.to(expr.span),
                    };
                    let def_id = self.new_def(id, &def, None);
                    self.program.defs[def_id as usize].synthetic = true;
                    values.insert(name.name.clone(), def_id);
                    cx.pending.push(Pending::Binding { def: def_id, expr: expr.clone() });
                }
                let mut b = Bindings { values, span: import.module.span, used: BTreeSet::new() };
                self.instantiate(target_file, index, Some(&mut b))
            }
        };
        cx.imported.insert(import.module.name.clone(), target);
        match &import.what {
            ImportWhat::All => {
                for (name, entity) in self.importable(target) {
                    self.bring_in(id, &name, entity, import.module.span, cx.defined_at);
                }
                let types = self.program.modules[target as usize].types.clone();
                self.program.modules[id as usize].types.extend(types);
            }
            ImportWhat::Name(name) => {
                let found = self.importable(target).remove(&name.name);
                match found {
                    Some(entity) => self.bring_in(id, &name.name, entity, name.span, cx.defined_at),
                    None => {
                        if let Some(t) = self.program.modules[target as usize].types.get(&name.name).cloned() {
                            self.program.modules[id as usize].types.insert(name.name.clone(), t);
                            return;
                        }
                        let names: Vec<String> = self.program.modules[target as usize].public.keys().cloned().collect();
                        let mut d = Diagnostic::error(Code::UnknownName, name.span, format!("the module `{}` has no definition `{}`", import.module.name, name.name))
                            .with_label("not defined there");
                        if let Some(s) = closest(&name.name, names.iter().map(|s| s.as_str())) {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                        self.error(d);
                    }
                }
            }
            ImportWhat::Qualified(alias) => {
                let name = alias.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| import.module.name.clone());
                cx.imported.insert(name.clone(), target);
                let module = &mut self.program.modules[id as usize];
                module.namespaces.insert(name.clone(), target);
                // A value of the same name keeps the name; the module stays reachable as `name::x`.
                match module.scope.get(&name) {
                    None | Some(Entity::Module(_)) => {
                        module.scope.insert(name, Entity::Module(target));
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// Inside an instance `import K(N = e)`, a plain `import M.*` of `K` whose module `M`
    /// declares (or itself imports) the constant `N` imports a copy of `M` with `N = e`
    /// instead of `M` itself: Quint flattens `M`'s definitions into `K` before it
    /// substitutes `K`'s constants. Otherwise the import is `canonical`.
    fn pass_constants(&mut self, canonical: ModId, file: FileId, index: usize, import: &ast::Import, bindings: Option<&mut Bindings>) -> ModId {
        let Some(outer) = bindings else { return canonical };
        if !matches!(import.what, ImportWhat::All) || self.in_progress.iter().any(|(f, i, _)| *f == file && *i == index) {
            return canonical;
        }
        let names: Vec<String> = self.constants(canonical).into_iter().map(|(n, _)| n).collect();
        let values = outer.unclaimed(&names);
        if values.is_empty() {
            return canonical;
        }
        let mut inner = Bindings { values, span: outer.span, used: BTreeSet::new() };
        let instance = self.instantiate(file, index, Some(&mut inner));
        outer.used.extend(inner.used);
        instance
    }

    /// What `import M.*` brings in from module `target`: its public names and its constants.
    fn importable(&self, target: ModId) -> BTreeMap<String, Entity> {
        let mut names = self.program.modules[target as usize].public.clone();
        for (name, entity) in self.constants(target) {
            names.entry(name).or_insert(entity);
        }
        names
    }

    /// Adds an imported name to a module's scope, unless it clashes with a different entity.
    fn bring_in(&mut self, id: ModId, name: &str, entity: Entity, span: Span, defined_at: &mut BTreeMap<String, Span>) {
        let existing = self.program.modules[id as usize].scope.get(name).cloned();
        match existing {
            Some(e) if e == entity => {}
            Some(_) => {
                let mut d = Diagnostic::error(Code::DuplicateDefinition, span, format!("this import brings in `{name}`, which is already defined here"))
                    .with_label(format!("imports `{name}`"));
                if let Some(first) = defined_at.get(name) {
                    d = d.with_secondary(*first, "defined here");
                }
                self.error(d.with_help("import only the names you need (`import M.x`) or use a qualified import (`import M as N`)"));
            }
            None => {
                self.program.modules[id as usize].scope.insert(name.to_string(), entity);
            }
        }
    }

    /// `export M.*` (or `export M.x`, `export M as N`): the module's names become names of
    /// this module for its importers, and visible here too. `M` is the instance this module
    /// imported under that name (from any file), else a module of this file.
    fn export(&mut self, id: ModId, file: FileId, export: &ast::Export, imported: &BTreeMap<String, ModId>, defined_at: &mut BTreeMap<String, Span>) {
        let target = match imported.get(&export.module.name) {
            Some(t) => Some(*t),
            None => self.find_module(file, &export.module, &None).and_then(|(f, i)| self.canonical_instance(f, i, export.module.span)),
        };
        let Some(target) = target else { return };
        match &export.what {
            ImportWhat::All => {
                for (name, entity) in self.importable(target) {
                    self.bring_in(id, &name, entity.clone(), export.module.span, defined_at);
                    self.program.modules[id as usize].public.entry(name).or_insert(entity);
                }
                let types = self.program.modules[target as usize].types.clone();
                for (name, t) in types {
                    self.program.modules[id as usize].types.entry(name).or_insert(t);
                }
            }
            ImportWhat::Name(name) => match self.importable(target).remove(&name.name) {
                Some(entity) => {
                    self.bring_in(id, &name.name, entity.clone(), name.span, defined_at);
                    self.program.modules[id as usize].public.insert(name.name.clone(), entity);
                }
                None => {
                    if let Some(t) = self.program.modules[target as usize].types.get(&name.name).cloned() {
                        self.program.modules[id as usize].types.entry(name.name.clone()).or_insert(t);
                        return;
                    }
                    self.error(Diagnostic::error(Code::UnknownName, name.span, format!("the module `{}` has no definition `{}`", export.module.name, name.name)).with_label("not defined there"))
                }
            },
            ImportWhat::Qualified(alias) => {
                let name = alias.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| export.module.name.clone());
                self.program.modules[id as usize].scope.entry(name.clone()).or_insert(Entity::Module(target));
                self.program.modules[id as usize].namespaces.entry(name.clone()).or_insert(target);
                self.program.modules[id as usize].public.insert(name, Entity::Module(target));
            }
        }
    }
}


/// The constants visible in module `id` (see [`Resolver::constants`]): constants in its
/// scope, and the definitions that hold the values of an instance's constants.
pub(crate) fn constants(program: &Program, id: ModId) -> Vec<(String, Entity)> {
    let Some(module) = program.modules.get(id as usize) else { return Vec::new() };
    module
        .scope
        .iter()
        .filter(|(_, e)| match e {
            Entity::Const(_) => true,
            Entity::Def(d) => program.defs.get(*d as usize).is_some_and(|d| d.synthetic),
            _ => false,
        })
        .map(|(n, e)| (n.clone(), e.clone()))
        .collect()
}

/// What `name` denotes in the scope of module `id`. A name with `::` is first looked up
/// whole (definitions may be named `A::b`), then as `I::rest`: `rest` among the names
/// module `I` (an import `as I`, or an instance) offers, its constants included. `I` may
/// itself contain `::` (`import a::b from "./lib"`, then `a::b::x`).
pub(crate) fn lookup_qualified(program: &Program, id: ModId, name: &str) -> Option<Entity> {
    let module = program.modules.get(id as usize)?;
    if let Some(e) = module.scope.get(name) {
        return Some(e.clone());
    }
    qualified_splits(name).find_map(|(first, rest)| lookup_member(program, namespace(module, first)?, rest))
}

/// The module that `name` stands for in `Name::x` inside `module`.
pub(crate) fn namespace(module: &crate::ir::ModuleInstance, name: &str) -> Option<ModId> {
    match module.scope.get(name) {
        Some(Entity::Module(m)) => Some(*m),
        _ => module.namespaces.get(name).copied(),
    }
}

/// The ways to read `a::b::c` as a module name and a name in it: (`a`, `b::c`), (`a::b`, `c`).
pub(crate) fn qualified_splits(name: &str) -> impl Iterator<Item = (&str, &str)> {
    name.match_indices("::").map(move |(i, _)| (&name[..i], &name[i + 2..]))
}

/// `name` among what module `id` offers to qualified uses `I::name`.
fn lookup_member(program: &Program, id: ModId, name: &str) -> Option<Entity> {
    let module = program.modules.get(id as usize)?;
    if let Some(e) = module.public.get(name) {
        return Some(e.clone());
    }
    if let Some((_, e)) = constants(program, id).into_iter().find(|(n, _)| n == name) {
        return Some(e);
    }
    qualified_splits(name).find_map(|(first, rest)| match module.public.get(first) {
        Some(Entity::Module(m)) => lookup_member(program, *m, rest),
        _ => None,
    })
}
