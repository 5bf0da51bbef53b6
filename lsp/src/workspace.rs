//! The server's view of the files beyond one document: which documents the editor has open
//! (their text is the database's input for that path, so every file that imports them sees
//! the unsaved text), the workspace folders and the `.qnt` files under them, which files
//! depend on which (to re-publish the diagnostics of importers when an imported file
//! changes), and the uses of a name across all of them (for references and rename started
//! in any file). Contents always come from the database; this module holds only paths.

use crate::ide::{self, Target};
use spec_analysis::db::resolved_program;
use spec_analysis::{Database, Db, SourceText};
use spec_syntax::{FileId, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How many `.qnt` files a workspace search reads at most (a guard against opening the
/// server at the root of a huge tree).
const MAX_WORKSPACE_FILES: usize = 5000;

/// Folders that never hold specs worth searching.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", "out", "dist"];

/// Paths the server knows about; the texts live in the database.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Open documents: our path for each, and the URI the editor gave it.
    pub open: BTreeMap<String, String>,
    /// The workspace folders (or the root) the editor named at start.
    pub folders: Vec<PathBuf>,
}

impl Workspace {
    pub fn is_open(&self, path: &str) -> bool {
        self.open.contains_key(path)
    }

    /// The files whose programs may use a name: the open documents, then every `.qnt` file
    /// under the workspace folders (paths, deduplicated, in a fixed order).
    pub fn candidate_paths(&self) -> Vec<String> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for path in self.open.keys() {
            if seen.insert(path.clone()) {
                out.push(path.clone());
            }
        }
        for path in qnt_files(&self.folders) {
            if seen.insert(path.clone()) {
                out.push(path);
            }
        }
        out
    }
}

/// Every `.qnt` file under `folders` (hidden and build folders skipped), as normalized paths.
pub fn qnt_files(folders: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = folders.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) {
                    stack.push(path);
                }
            } else if name.ends_with(".qnt") {
                out.push(spec_analysis::db::normalize(&path));
                if out.len() >= MAX_WORKSPACE_FILES {
                    return out;
                }
            }
        }
    }
    out
}

/// The input for `path`, reading it through the database's provider if it is new; `None`
/// when the file cannot be read.
pub fn source_at(db: &Database, path: &str) -> Option<SourceText> {
    db.file_by_path(path).or_else(|| db.load(path).ok())
}

/// Whether the program of `root` reads `file` (itself included).
pub fn depends_on(db: &Database, root: SourceText, file: FileId) -> bool {
    spec_analysis::db::files_read(db, root).contains(&file)
}

/// Every use of `target` (its declaration included) in the programs of the files at
/// `paths` that read the file declaring it. Names are resolved, types are not needed.
pub fn uses_everywhere(db: &Database, paths: &[String], target: &Target) -> Vec<Span> {
    let declared_in = match target {
        Target::Decl(span) | Target::Variant { ty: span, .. } => span.file,
    };
    let mut out = BTreeSet::new();
    for path in paths {
        let Some(root) = source_at(db, path) else { continue };
        let (program, files) = resolved_program(db, root);
        if !files.contains(&declared_in) {
            continue;
        }
        out.extend(ide::uses(&program, target));
    }
    out.into_iter().collect()
}

/// The workspace folders of an `initialize` request: its folders, else its root.
pub fn folders_of(folders: Option<&[tower_lsp_server::ls_types::WorkspaceFolder]>, root: Option<&tower_lsp_server::ls_types::Uri>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = folders.unwrap_or_default().iter().map(|f| PathBuf::from(crate::convert::path_of(&f.uri))).collect();
    if out.is_empty() {
        out.extend(root.map(|r| PathBuf::from(crate::convert::path_of(r))));
    }
    out.retain(|p| Path::new(p).is_dir());
    out
}
