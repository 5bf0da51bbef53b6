//! Name resolution: from the syntax trees of a file and the files it imports to one flat
//! [`Program`]. Each module becomes a module instance with its own scope; `import M(N = e)`
//! makes a fresh copy of `M` in which the constant `N` stands for `e`. Every name in every
//! expression is resolved here, so later stages never look names up.
//!
//! A module is processed in phases: register its own names, process its imports (which may
//! instantiate other modules, recursively; a module met again while in progress is an import
//! cycle), resolve its types, then lower the bodies of its definitions.

use crate::builtins::{builtin, Shape};
use crate::db::LoadError;
use crate::ir::*;
use crate::suggest::closest;
use crate::ty::{Row, Ty};
use spec_syntax::ast::{self, ExprKind as A, ImportWhat, Qualifier};
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

/// Resolves every module of `root` (and what they import).
pub fn resolve(root: LoadedFile, loader: &mut dyn Loader) -> (Program, Vec<Diagnostic>) {
    let mut resolver = Resolver {
        loader,
        program: Program::default(),
        diagnostics: Vec::new(),
        files: HashMap::new(),
        canonical: HashMap::new(),
        in_progress: Vec::new(),
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
    fn instantiate(&mut self, file: FileId, index: usize, mut bindings: Option<&mut Bindings>) -> ModId {
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
            types: BTreeMap::new(),
            defs: Vec::new(),
            vars: Vec::new(),
            consts: Vec::new(),
            span: module.span,
            is_instance: bindings.is_some(),
            doc: module.doc.clone(),
        });
        self.in_progress.push((file, index, module.name.name.clone()));
        let mut pending = Vec::new();
        let mut defined_at: BTreeMap<String, Span> = BTreeMap::new();

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
        for decl in &module.decls {
            match &decl.kind {
                ast::DeclKind::Var { name, ty } => {
                    let resolved = self.resolve_type(id, ty, &mut TyVars::closed());
                    if let Some(var) = self.program.vars.iter_mut().rev().find(|v| v.module == id && v.name == name.name) {
                        var.ty = resolved;
                    }
                }
                ast::DeclKind::Const { name, ty } => {
                    let resolved = self.resolve_type(id, ty, &mut TyVars::closed());
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
        self.in_progress.pop();
        id
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
            locals: Vec::new(),
            span: def.span,
            name_span: def.name.span,
            doc,
            synthetic: false,
        });
        self.program.modules[module as usize].defs.push(id);
        id
    }

    /// Finds the module an import names: in the importing file, or in the file after `from`.
    fn find_module(&mut self, file: FileId, module: &ast::Ident, from: &Option<(String, Span)>) -> Option<(FileId, usize)> {
        let target_file = match from {
            None => file,
            Some((path, span)) => match self.loader.load(file, path) {
                Ok(loaded) => {
                    self.files.entry(loaded.id).or_insert(loaded.ast);
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
                self.program.modules[id as usize].scope.insert(name, Entity::Module(target));
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
                self.program.modules[id as usize].public.insert(name, Entity::Module(target));
            }
        }
    }

    // ------------------------------------------------------------------ types

    fn resolve_type_decl(&mut self, id: ModId, module_name: &str, name: &str, types: &mut TypeDecls) {
        if types.done.iter().any(|n| n == name) {
            return;
        }
        let Some(decl) = types.decls.get(name).cloned() else { return };
        if types.in_progress.iter().any(|n| n == name) {
            self.error(Diagnostic::error(Code::DefinitionCycle, decl.span, format!("the type `{name}` is defined in terms of itself")));
            return;
        }
        types.in_progress.push(name.to_string());
        // Resolve the aliases this one mentions first.
        for mentioned in type_names_in_decl(&decl) {
            if mentioned != name && types.decls.contains_key(&mentioned) {
                self.resolve_type_decl(id, module_name, &mentioned, types);
            }
        }
        match &decl.kind {
            ast::DeclKind::TypeAlias { name: n, params, ty } => {
                let entity = match ty {
                    None => TypeEntity::Uninterpreted(n.name.clone()),
                    Some(ty) => {
                        let mut vars = TyVars::params(params);
                        let body = self.resolve_type(id, ty, &mut vars);
                        TypeEntity::Alias { params: params.len(), body }
                    }
                };
                self.program.modules[id as usize].types.insert(n.name.clone(), entity);
            }
            ast::DeclKind::SumType { name: n, params, variants } => {
                let key = format!("{module_name}::{}", n.name);
                // Register first, so that a recursive mention resolves.
                self.program.modules[id as usize].types.insert(n.name.clone(), TypeEntity::Sum(key.clone()));
                let mut vars = TyVars::params(params);
                let mut resolved = Vec::new();
                for v in variants {
                    let payload = v.payload.as_ref().map(|t| self.resolve_type(id, t, &mut vars));
                    resolved.push((v.name.name.clone(), payload));
                }
                self.program.sum_types.insert(key, SumType { name: n.name.clone(), params: params.len(), variants: resolved, span: n.span });
            }
            _ => {}
        }
        types.in_progress.pop();
        types.done.push(name.to_string());
    }

    /// The type an annotation denotes, in the scope of module `id`.
    fn resolve_type(&mut self, id: ModId, ty: &ast::Type, vars: &mut TyVars) -> Ty {
        use ast::TypeKind as T;
        match &ty.kind {
            T::Name(name) => self.named_type(id, name, &[], ty.span, vars),
            T::App(name, args) => {
                let args: Vec<Ty> = args.iter().map(|a| self.resolve_type(id, a, vars)).collect();
                self.named_type(id, name, &args, ty.span, vars)
            }
            T::Fun(a, b) => Ty::map(self.resolve_type(id, a, vars), self.resolve_type(id, b, vars)),
            T::Oper(params, ret) => {
                let params = params.iter().map(|p| self.resolve_type(id, p, vars)).collect();
                Ty::oper(params, self.resolve_type(id, ret, vars))
            }
            T::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.resolve_type(id, t, vars)).collect()),
            T::Record(fields, rest) => {
                let mut row = BTreeMap::new();
                for (name, t) in fields {
                    let t = self.resolve_type(id, t, vars);
                    row.insert(name.name.clone(), t);
                }
                let rest = rest.as_ref().and_then(|r| match vars.var(&r.name) {
                    Ty::Var(v) => Some(v),
                    _ => None,
                });
                Ty::Record(Row { fields: row, rest })
            }
            T::Paren(inner) => self.resolve_type(id, inner, vars),
            T::Error => vars.fresh(),
        }
    }

    fn named_type(&mut self, id: ModId, name: &ast::Ident, args: &[Ty], span: Span, vars: &mut TyVars) -> Ty {
        let arity_error = |this: &mut Self, expected: usize| {
            this.error(
                Diagnostic::error(Code::UnknownType, span, format!("`{}` takes {expected} type argument{}, given {}", name.name, plural(expected), args.len()))
                    .with_label("wrong number of type arguments"),
            );
        };
        match name.name.as_str() {
            "int" | "str" | "bool" if args.is_empty() => {
                return match name.name.as_str() {
                    "int" => Ty::Int,
                    "str" => Ty::Str,
                    _ => Ty::Bool,
                }
            }
            "Set" | "List" => {
                if args.len() != 1 {
                    arity_error(self, 1);
                    return vars.fresh();
                }
                return if name.name == "Set" { Ty::set(args[0].clone()) } else { Ty::list(args[0].clone()) };
            }
            _ => {}
        }
        let entity = self.lookup_type(id, &name.name);
        match entity {
            Some(TypeEntity::Alias { params, body }) => {
                if params != args.len() {
                    arity_error(self, params);
                    return vars.fresh();
                }
                substitute_params(&body, args)
            }
            Some(TypeEntity::Sum(key)) => {
                let params = self.program.sum_types.get(&key).map(|s| s.params).unwrap_or(args.len());
                if params != args.len() {
                    arity_error(self, params);
                }
                Ty::Sum(key, args.to_vec())
            }
            Some(TypeEntity::Uninterpreted(n)) => Ty::Const(n),
            None => {
                let is_var = name.name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && args.is_empty() && !name.name.contains("::");
                if is_var && vars.open {
                    return vars.var(&name.name);
                }
                if let Some(v) = vars.known(&name.name) {
                    return v;
                }
                let known: Vec<String> = self.program.modules[id as usize].types.keys().cloned().chain(["int", "str", "bool", "Set", "List"].map(String::from)).collect();
                let mut d = Diagnostic::error(Code::UnknownType, name.span, format!("unknown type `{}`", name.name)).with_label("not a type in scope");
                if let Some(s) = closest(&name.name, known.iter().map(|s| s.as_str())) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else if is_var {
                    d = d.with_help("type variables are only allowed in the types of definitions");
                }
                self.error(d);
                vars.fresh()
            }
        }
    }

    fn lookup_type(&self, id: ModId, name: &str) -> Option<TypeEntity> {
        if let Some(t) = self.program.modules[id as usize].types.get(name) {
            return Some(t.clone());
        }
        if let Some((module, rest)) = name.split_once("::") {
            let target = match self.program.modules[id as usize].scope.get(module) {
                Some(Entity::Module(t)) => *t,
                _ => return None,
            };
            return self.lookup_type(target, rest);
        }
        self.program.modules[id as usize].types.get(name).cloned()
    }

    // ------------------------------------------------------------------ bodies

    fn lower_pending(&mut self, module: ModId, pending: Pending) {
        match pending {
            Pending::Def { def, file, module: index, decl } => {
                let ast = self.files[&file].clone();
                let ast::DeclKind::Def(d) = &ast.modules[index].decls[decl].kind else { return };
                let mut lower = Lowering::new(self, module, def);
                let mut vars = TyVars::open();
                let params = d.params.as_ref().map(|ps| ps.iter().map(|p| lower.param(p, &mut vars)).collect::<Vec<_>>());
                let mut annotation = None;
                if let Some(ret) = &d.ret {
                    let ret_ty = lower.resolver.resolve_type(module, ret, &mut vars);
                    annotation = Some(match &params {
                        // `def f(x: int, y): int` → an operator type over the parameters.
                        Some(ps) => {
                            if let (Ty::Oper(op_params, _), true) = (&ret_ty, ps.iter().all(|p| p.1.is_none()) && !ps.is_empty()) {
                                // The older form `def f(x, y): (int, int) => int`.
                                if op_params.len() == ps.len() {
                                    ret_ty.clone()
                                } else {
                                    Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret_ty.clone())
                                }
                            } else {
                                Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret_ty.clone())
                            }
                        }
                        None => ret_ty,
                    });
                } else if let Some(ps) = &params {
                    if ps.iter().any(|p| p.1.is_some()) {
                        let ret = vars.fresh();
                        annotation = Some(Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret));
                    }
                }
                let body = d.body.as_ref().map(|b| lower.expr(b));
                let locals = std::mem::take(&mut lower.locals);
                let info = &mut self.program.defs[def as usize];
                info.params = params.map(|ps| ps.into_iter().map(|p| p.0).collect());
                info.body = body;
                info.annotation = annotation;
                info.locals = locals;
            }
            Pending::Assume { def, file, module: index, decl } => {
                let ast = self.files[&file].clone();
                let ast::DeclKind::Assume { expr, .. } = &ast.modules[index].decls[decl].kind else { return };
                let mut lower = Lowering::new(self, module, def);
                let body = lower.expr(expr);
                let locals = std::mem::take(&mut lower.locals);
                let info = &mut self.program.defs[def as usize];
                info.body = Some(body);
                info.locals = locals;
            }
            Pending::Binding { def, expr } => {
                let mut lower = Lowering::new(self, module, def);
                let body = lower.expr(&expr);
                let locals = std::mem::take(&mut lower.locals);
                let info = &mut self.program.defs[def as usize];
                info.body = Some(body);
                info.locals = locals;
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
/// module `I` (an import `as I`, or an instance) offers, its constants included.
pub(crate) fn lookup_qualified(program: &Program, id: ModId, name: &str) -> Option<Entity> {
    let scope = &program.modules.get(id as usize)?.scope;
    if let Some(e) = scope.get(name) {
        return Some(e.clone());
    }
    let (first, rest) = name.split_once("::")?;
    let Some(Entity::Module(m)) = scope.get(first) else { return None };
    lookup_member(program, *m, rest)
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
    let (first, rest) = name.split_once("::")?;
    match module.public.get(first) {
        Some(Entity::Module(m)) => lookup_member(program, *m, rest),
        _ => None,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Replaces variables `0..args.len()` of an alias body by the arguments.
fn substitute_params(body: &Ty, args: &[Ty]) -> Ty {
    match body {
        Ty::Var(v) if (*v as usize) < args.len() => args[*v as usize].clone(),
        Ty::Var(_) | Ty::Int | Ty::Bool | Ty::Str | Ty::Const(_) => body.clone(),
        Ty::Set(t) => Ty::set(substitute_params(t, args)),
        Ty::List(t) => Ty::list(substitute_params(t, args)),
        Ty::Map(a, b) => Ty::map(substitute_params(a, args), substitute_params(b, args)),
        Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| substitute_params(t, args)).collect()),
        Ty::Sum(n, items) => Ty::Sum(n.clone(), items.iter().map(|t| substitute_params(t, args)).collect()),
        Ty::Oper(ps, r) => Ty::oper(ps.iter().map(|t| substitute_params(t, args)).collect(), substitute_params(r, args)),
        Ty::Record(row) => Ty::Record(Row { fields: row.fields.iter().map(|(k, t)| (k.clone(), substitute_params(t, args))).collect(), rest: row.rest }),
    }
}

fn type_names_in_decl(decl: &ast::Decl) -> Vec<String> {
    fn walk(t: &ast::Type, out: &mut Vec<String>) {
        use ast::TypeKind as T;
        match &t.kind {
            T::Name(n) => out.push(n.name.clone()),
            T::App(n, args) => {
                out.push(n.name.clone());
                args.iter().for_each(|a| walk(a, out));
            }
            T::Fun(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            T::Oper(ps, r) => {
                ps.iter().for_each(|p| walk(p, out));
                walk(r, out);
            }
            T::Tuple(items) => items.iter().for_each(|i| walk(i, out)),
            T::Record(fields, _) => fields.iter().for_each(|(_, t)| walk(t, out)),
            T::Paren(t) => walk(t, out),
            T::Error => {}
        }
    }
    let mut out = Vec::new();
    match &decl.kind {
        ast::DeclKind::TypeAlias { ty: Some(t), .. } => walk(t, &mut out),
        ast::DeclKind::SumType { variants, .. } => variants.iter().filter_map(|v| v.payload.as_ref()).for_each(|t| walk(t, &mut out)),
        _ => {}
    }
    out
}

#[derive(Default)]
struct TypeDecls {
    decls: BTreeMap<String, ast::Decl>,
    in_progress: Vec<String>,
    done: Vec<String>,
}

/// Type variables of one annotation context: named (`a`) or fresh, numbered from 0.
pub(crate) struct TyVars {
    names: BTreeMap<String, u32>,
    next: u32,
    /// Whether unknown lowercase names become type variables.
    open: bool,
}

impl TyVars {
    fn open() -> TyVars {
        TyVars { names: BTreeMap::new(), next: 0, open: true }
    }
    fn closed() -> TyVars {
        TyVars { names: BTreeMap::new(), next: 0, open: false }
    }
    fn params(params: &[ast::Ident]) -> TyVars {
        let mut vars = TyVars::closed();
        for p in params {
            vars.var(&p.name);
        }
        vars
    }
    fn var(&mut self, name: &str) -> Ty {
        if let Some(v) = self.names.get(name) {
            return Ty::Var(*v);
        }
        let v = self.next;
        self.next += 1;
        self.names.insert(name.to_string(), v);
        Ty::Var(v)
    }
    fn known(&self, name: &str) -> Option<Ty> {
        self.names.get(name).map(|v| Ty::Var(*v))
    }
    fn fresh(&mut self) -> Ty {
        let v = self.next;
        self.next += 1;
        Ty::Var(v)
    }
}

/// Lowers the body of one definition: a stack of local scopes over the module's scope.
struct Lowering<'r, 'l> {
    resolver: &'r mut Resolver<'l>,
    module: ModId,
    locals: Vec<LocalInfo>,
    scopes: Vec<(String, LocalId)>,
}

impl<'r, 'l> Lowering<'r, 'l> {
    fn new(resolver: &'r mut Resolver<'l>, module: ModId, _def: DefId) -> Self {
        Lowering { resolver, module, locals: Vec::new(), scopes: Vec::new() }
    }

    fn new_local(&mut self, name: &ast::Ident) -> LocalId {
        if builtin(&name.name).is_some() || RESERVED.contains(&name.name.as_str()) {
            self.resolver.error(
                Diagnostic::error(Code::DuplicateDefinition, name.span, format!("`{}` is the name of a builtin operator", name.name))
                    .with_label("choose another name")
                    .with_help("builtin names cannot be redefined, not even for a parameter (Quint refuses them too)"),
            );
        }
        // Quint accepts a local that hides another local silently; it is usually a slip.
        if let Some(outer) = self.lookup_local(&name.name) {
            let outer_span = self.locals[outer as usize].span;
            self.resolver.error(
                Diagnostic::warning(Code::ShadowedName, name.span, format!("`{}` hides another local name `{}`", name.name, name.name))
                    .with_label("this name hides the outer one")
                    .with_secondary(outer_span, "the outer one is defined here")
                    .with_help("rename one of them if they are meant to be different"),
            );
        }
        let id = self.locals.len() as LocalId;
        self.locals.push(LocalInfo { name: name.name.clone(), span: name.span });
        id
    }

    /// Binds the names of a pattern (pushing them on the scope stack).
    fn pattern(&mut self, p: &ast::Pattern) -> Pat {
        match p {
            ast::Pattern::Name(ident) => {
                let id = self.new_local(ident);
                self.scopes.push((ident.name.clone(), id));
                Pat::Bind(id)
            }
            ast::Pattern::Hole(span) => Pat::Hole(*span),
            ast::Pattern::Tuple(items, span) => Pat::Tuple(items.iter().map(|i| self.pattern(i)).collect(), *span),
            ast::Pattern::Record(fields, span) => {
                let bound = fields
                    .iter()
                    .map(|f| {
                        let id = self.new_local(f);
                        self.scopes.push((f.name.clone(), id));
                        (f.name.clone(), id)
                    })
                    .collect();
                Pat::Record(bound, *span)
            }
        }
    }

    fn param(&mut self, p: &ast::Param, vars: &mut TyVars) -> (Pat, Option<Ty>) {
        let ty = p.ty.as_ref().map(|t| self.resolver.resolve_type(self.module, t, vars));
        (self.pattern(&p.pattern), ty)
    }

    fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find(|(n, _)| n == name).map(|(_, id)| *id)
    }

    /// What a (possibly qualified) name denotes outside the local scopes.
    fn lookup_global(&self, name: &str) -> Option<Entity> {
        lookup_qualified(&self.resolver.program, self.module, name)
    }

    fn unknown_name(&mut self, name: &str, span: Span, what: &str) -> Expr {
        let mut candidates: Vec<String> = self.scopes.iter().map(|(n, _)| n.clone()).collect();
        candidates.extend(self.resolver.program.modules[self.module as usize].scope.keys().cloned());
        if what == "operator" {
            candidates.extend(crate::builtins::BUILTINS.iter().map(|b| b.name.to_string()));
        }
        let mut d = Diagnostic::error(Code::UnknownName, span, format!("unknown {what} `{name}`")).with_label("not defined in this scope");
        if let Some(s) = closest(name, candidates.iter().map(|s| s.as_str())) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        self.resolver.error(d);
        Expr { kind: ExprKind::Error, span }
    }

    fn expr(&mut self, e: &ast::Expr) -> Expr {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e))
    }

    fn exprs(&mut self, es: &[ast::Expr]) -> Vec<Expr> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn call(&mut self, name: &'static str, callee_span: Span, args: Vec<Expr>, span: Span) -> Expr {
        Expr { kind: ExprKind::Call { callee: Callee::Builtin(name), callee_span, args }, span }
    }

    fn expr_inner(&mut self, e: &ast::Expr) -> Expr {
        let span = e.span;
        let kind = match &e.kind {
            A::Int(n) => ExprKind::Int(n.clone()),
            A::Bool(b) => ExprKind::Bool(*b),
            A::Str(s) => ExprKind::Str(s.clone()),
            A::Name(name) => return self.name(name, span),
            A::App { callee, args } => {
                let args = self.exprs(args);
                return self.apply(callee, args, span);
            }
            A::MethodCall { receiver, method, args } => {
                let mut all = vec![self.expr(receiver)];
                all.extend(self.exprs(args));
                return self.apply(method, all, span);
            }
            A::Field { receiver, field } => {
                let record = Box::new(self.expr(receiver));
                match field.name.strip_prefix('_').and_then(|n| n.parse::<usize>().ok()) {
                    Some(index) => ExprKind::Item { tuple: record, index },
                    None => ExprKind::Field { record, field: field.name.clone() },
                }
            }
            A::Index { list, index } => {
                let args = vec![self.expr(list), self.expr(index)];
                return self.call("nth", span, args, span);
            }
            A::Binary { op, op_span, lhs, rhs } => {
                let args = vec![self.expr(lhs), self.expr(rhs)];
                return self.call(op.builtin(), *op_span, args, span);
            }
            A::Neg(inner) => {
                let args = vec![self.expr(inner)];
                return self.call("iuminus", span, args, span);
            }
            A::Prime(inner) => {
                let args = vec![self.expr(inner)];
                return self.call("next", span, args, span);
            }
            A::Assign { var, value } => {
                let value = Box::new(self.expr(value));
                if self.lookup_local(&var.name).is_some() {
                    return self.not_a_variable(var, "a local name");
                }
                match self.lookup_global(&var.name) {
                    Some(Entity::Var(v)) => ExprKind::Assign { var: v, value },
                    Some(Entity::Const(_)) => return self.not_a_variable(var, "a constant"),
                    Some(Entity::Def(_)) => return self.not_a_variable(var, "a definition"),
                    Some(_) => return self.not_a_variable(var, "not a state variable"),
                    None => return self.unknown_name(&var.name, var.span, "state variable"),
                }
            }
            A::Lambda { params, body } => {
                let depth = self.scopes.len();
                let params = params.iter().map(|p| self.pattern(&p.pattern)).collect();
                let body = Box::new(self.expr(body));
                self.scopes.truncate(depth);
                ExprKind::Lambda { params, body }
            }
            A::Tuple(items) => {
                let args = self.exprs(items);
                return self.call("Tup", span, args, span);
            }
            A::List(items) => {
                let args = self.exprs(items);
                return self.call("List", span, args, span);
            }
            A::Record(items) => return self.record(items, span),
            A::If { cond, then, otherwise } => {
                let args = vec![self.expr(cond), self.expr(then), self.expr(otherwise)];
                return self.call("ite", span, args, span);
            }
            A::Match { scrutinee, arms } => {
                let scrutinee = Box::new(self.expr(scrutinee));
                let arms = arms
                    .iter()
                    .map(|arm| {
                        let depth = self.scopes.len();
                        let (variant, pat) = match &arm.pattern {
                            ast::MatchPattern::Wildcard(_) => (None, None),
                            ast::MatchPattern::Variant(name, p) => {
                                self.check_constructor(name);
                                (Some(name.name.clone()), p.as_ref().map(|p| self.pattern(p)))
                            }
                        };
                        let body = self.expr(&arm.body);
                        self.scopes.truncate(depth);
                        Arm { variant, pat, body, span: arm.span }
                    })
                    .collect();
                ExprKind::Match { scrutinee, arms }
            }
            A::Block { op, args } => {
                let args = self.exprs(args);
                return self.call(op.builtin(), span, args, span);
            }
            A::Let { binding, body } => return self.let_in(binding, body, span),
            A::Paren(inner) | A::Braces(inner) => return self.expr(inner),
            A::Hole => {
                self.resolver.error(
                    Diagnostic::error(Code::UnknownName, span, "`_` is not a value")
                        .with_label("`_` only names an unused parameter, as in `_ => e`"),
                );
                ExprKind::Error
            }
            A::Error => ExprKind::Error,
        };
        Expr { kind, span }
    }

    fn not_a_variable(&mut self, var: &ast::Ident, what: &str) -> Expr {
        self.resolver.error(
            Diagnostic::error(Code::AssignToNonVariable, var.span, format!("`{}` cannot be assigned: it is {what}", var.name))
                .with_label("only state variables (`var`) can be assigned with `x' = e`"),
        );
        Expr { kind: ExprKind::Error, span: var.span }
    }

    fn check_constructor(&mut self, name: &ast::Ident) {
        match self.lookup_global(&name.name) {
            Some(Entity::Constructor { .. }) => {}
            _ => {
                let candidates: Vec<String> = self.resolver.program.modules[self.module as usize]
                    .scope
                    .iter()
                    .filter(|(_, e)| matches!(e, Entity::Constructor { .. }))
                    .map(|(n, _)| n.clone())
                    .collect();
                let mut d = Diagnostic::error(Code::UnknownVariant, name.span, format!("unknown variant `{}`", name.name)).with_label("no sum type in scope has this variant");
                if let Some(s) = closest(&name.name, candidates.iter().map(|s| s.as_str())) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                self.resolver.error(d);
            }
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Expr {
        if let Some(local) = self.lookup_local(name) {
            return Expr { kind: ExprKind::Local(local), span };
        }
        let kind = match self.lookup_global(name) {
            Some(Entity::Def(d)) => ExprKind::Def(d),
            Some(Entity::Var(v)) => ExprKind::Var(v),
            Some(Entity::Const(c)) => ExprKind::Const(c),
            Some(Entity::Constructor { ty, variant }) => {
                let has_payload = self.resolver.program.sum_types.get(&ty).and_then(|s| s.variants.iter().find(|(n, _)| *n == variant)).is_some_and(|(_, p)| p.is_some());
                if has_payload {
                    // A constructor used as an operator value: `S.map(Some)`.
                    let local = self.new_local(&ast::Ident { name: "_x".into(), span });
                    let payload = Some(Box::new(Expr { kind: ExprKind::Local(local), span }));
                    let body = Box::new(Expr { kind: ExprKind::Variant { ty, name: variant, payload }, span });
                    ExprKind::Lambda { params: vec![Pat::Bind(local)], body }
                } else {
                    ExprKind::Variant { ty, name: variant, payload: None }
                }
            }
            Some(Entity::Module(_)) => {
                self.resolver.error(Diagnostic::error(Code::UnknownName, span, format!("`{name}` is a module, not a value")).with_label("write `Module::name` to use one of its definitions"));
                ExprKind::Error
            }
            None => match builtin(name) {
                Some(b) => ExprKind::Builtin(b.name),
                None => return self.unknown_name(name, span, "name"),
            },
        };
        Expr { kind, span }
    }

    fn apply(&mut self, callee: &ast::Ident, args: Vec<Expr>, span: Span) -> Expr {
        let name = callee.name.as_str();
        let callee_span = callee.span;
        if let Some(local) = self.lookup_local(name) {
            return Expr { kind: ExprKind::Call { callee: Callee::Local(local), callee_span, args }, span };
        }
        match self.lookup_global(name) {
            Some(Entity::Def(d)) => Expr { kind: ExprKind::Call { callee: Callee::Def(d), callee_span, args }, span },
            Some(Entity::Constructor { ty, variant }) => {
                let mut args = args;
                let payload = match args.len() {
                    0 => None,
                    1 => args.pop().map(Box::new),
                    _ => Some(Box::new(self.call("Tup", span, args, span))),
                };
                Expr { kind: ExprKind::Variant { ty, name: variant, payload }, span }
            }
            Some(Entity::Var(_)) | Some(Entity::Const(_)) => {
                self.resolver.error(Diagnostic::error(Code::WrongArity, callee_span, format!("`{name}` is not an operator and cannot be applied")).with_label("not an operator"));
                Expr { kind: ExprKind::Error, span }
            }
            Some(Entity::Module(_)) => {
                self.resolver.error(Diagnostic::error(Code::UnknownName, callee_span, format!("`{name}` is a module, not an operator")));
                Expr { kind: ExprKind::Error, span }
            }
            None => match builtin(name) {
                Some(b) => {
                    if matches!(b.shape, Shape::Fixed(sig) if !sig.contains("=>")) && !args.is_empty() {
                        self.resolver.error(Diagnostic::error(Code::WrongArity, callee_span, format!("`{name}` is a constant set, not an operator")).with_label("remove the arguments"));
                        return Expr { kind: ExprKind::Error, span };
                    }
                    self.call(b.name, callee_span, args, span)
                }
                None => self.unknown_name(name, callee_span, "operator"),
            },
        }
    }

    fn record(&mut self, items: &[ast::RecordItem], span: Span) -> Expr {
        let mut base: Option<Expr> = None;
        let mut fields: Vec<(String, Expr)> = Vec::new();
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for item in items {
            match item {
                ast::RecordItem::Spread(e) => {
                    let e = self.expr(e);
                    if base.is_some() || !fields.is_empty() {
                        self.resolver.error(Diagnostic::error(Code::Unsupported, e.span, "a spread `...r` must come first in a record, and only once").with_label("move it to the front"));
                    }
                    base = Some(e);
                }
                ast::RecordItem::Field(name, value) => {
                    if let Some(first) = seen.insert(name.name.clone(), name.span) {
                        self.resolver.error(
                            Diagnostic::error(Code::DuplicateDefinition, name.span, format!("the field `{}` is given twice", name.name))
                                .with_secondary(first, "first given here"),
                        );
                    }
                    let value = self.expr(value);
                    fields.push((name.name.clone(), value));
                }
            }
        }
        match base {
            None => Expr { kind: ExprKind::Record(fields), span },
            Some(mut record) => {
                for (name, value) in fields {
                    let name_expr = Expr { kind: ExprKind::Str(name), span: value.span };
                    record = self.call("with", span, vec![record, name_expr, value], span);
                }
                record
            }
        }
    }

    fn let_in(&mut self, binding: &ast::LetBinding, body: &ast::Expr, span: Span) -> Expr {
        let depth = self.scopes.len();
        let kind = match binding {
            ast::LetBinding::Def(def) => {
                let mut vars = TyVars::open();
                let params = def.params.as_ref().map(|ps| ps.iter().map(|p| self.param(p, &mut vars)).collect::<Vec<_>>());
                let ret = def.ret.as_ref().map(|r| self.resolver.resolve_type(self.module, r, &mut vars));
                let annotation = match (&params, ret) {
                    (Some(ps), Some(ret)) => Some(Ty::oper(ps.iter().map(|p| p.1.clone().unwrap_or_else(|| vars.fresh())).collect(), ret)),
                    (None, ret) => ret,
                    (Some(_), None) => None,
                };
                let value = Box::new(match &def.body {
                    Some(b) => self.expr(b),
                    None => Expr { kind: ExprKind::Error, span: def.span },
                });
                // The parameters are not in scope after the definition; its name is.
                self.scopes.truncate(depth);
                let local = self.new_local(&def.name);
                self.scopes.push((def.name.name.clone(), local));
                let body = Box::new(self.expr(body));
                if def.qualifier == Qualifier::Nondet {
                    ExprKind::Nondet { local, annotation, value, body }
                } else {
                    ExprKind::Let { local, qualifier: def.qualifier, params: params.map(|ps| ps.into_iter().map(|p| p.0).collect()), annotation, value, body }
                }
            }
            ast::LetBinding::Destructure { pattern, value, .. } => {
                let value = Box::new(self.expr(value));
                let pat = self.pattern(pattern);
                let body = Box::new(self.expr(body));
                ExprKind::LetPat { pat, value, body }
            }
        };
        self.scopes.truncate(depth);
        Expr { kind, span }
    }
}
