//! One analysis of a program: resolve names across files, infer types, check modes, and
//! collect every diagnostic (syntax ones included) in source order.

use crate::db::{parsed, resolve_relative, Db, SourceText};
use crate::infer::infer;
use crate::ir::{Program, Types};
use crate::modes::{check_modes, Mode};
use crate::resolve::{resolve, LoadedFile, Loader};
use spec_syntax::{Diagnostic, FileId};
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

struct DbLoader<'a> {
    db: &'a dyn Db,
    files: Vec<FileId>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader for DbLoader<'_> {
    fn load(&mut self, importer: FileId, path: &str) -> Result<LoadedFile, String> {
        let importer_path = self.db.source(importer).map(|f| f.path(self.db).clone()).unwrap_or_default();
        let full = resolve_relative(&importer_path, path);
        let full = if full.ends_with(".qnt") || std::path::Path::new(&full).exists() { full } else { format!("{full}.qnt") };
        let file = self.db.load(&full)?;
        let id = FileId(file.id(self.db));
        let parsed = parsed(self.db, file);
        if !self.files.contains(&id) {
            self.files.push(id);
            self.diagnostics.extend(parsed.diagnostics.iter().cloned());
        }
        Ok(LoadedFile { id, ast: parsed.ast.clone() })
    }

    fn load_std(&mut self, module: &str) -> Option<LoadedFile> {
        let text = spec_stdlib::source(module)?;
        let file = self.db.builtin_source(&spec_stdlib::path(module), text);
        let id = FileId(file.id(self.db));
        let parsed = parsed(self.db, file);
        if !self.files.contains(&id) {
            self.files.push(id);
            self.diagnostics.extend(parsed.diagnostics.iter().cloned());
        }
        Some(LoadedFile { id, ast: parsed.ast.clone() })
    }
}

pub fn analyze_program(db: &dyn Db, file: SourceText) -> Analysis {
    let root_id = FileId(file.id(db));
    let root = parsed(db, file);
    let mut loader = DbLoader { db, files: vec![root_id], diagnostics: root.diagnostics.clone() };
    let (program, mut diagnostics) = resolve(LoadedFile { id: root_id, ast: root.ast.clone() }, &mut loader);
    let (types, type_diagnostics) = infer(&program);
    let order: Vec<u32> = crate::deps::order(&program, &mut Vec::new());
    let (modes, mode_diagnostics) = check_modes(&program, &order);
    diagnostics.extend(type_diagnostics);
    diagnostics.extend(mode_diagnostics);
    diagnostics.extend(loader.diagnostics);
    // Instances repeat their module's definitions: report each problem once.
    let mut seen = BTreeSet::new();
    diagnostics.retain(|d| seen.insert((d.span, d.message.clone())));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
    Analysis { program: Arc::new(program), types: Arc::new(types), modes: Arc::new(modes), diagnostics, files: loader.files }
}
