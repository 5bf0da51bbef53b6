//! The salsa database every tool shares. Source files are inputs (loaded lazily from disk
//! when an import names them, or set by the language server from open documents); parsing
//! and analysis are tracked queries that return their results with their diagnostics.

use crate::check::{analyze_program, Analysis};
use spec_syntax::ast::SourceFile;
use spec_syntax::{Diagnostic, FileId, SourceMap};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One source text. `path` is how it was named (a normalized path, or `<input>`).
#[salsa::input(debug)]
pub struct SourceText {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
    #[returns(copy)]
    pub id: u32,
}

#[salsa::db]
pub trait Db: salsa::Database {
    /// The source text at `path`, read from disk the first time it is asked for.
    fn load(&self, path: &str) -> Result<SourceText, LoadError>;
    /// The input with this id.
    fn source(&self, id: FileId) -> Option<SourceText>;
    /// A source that is not on disk (a stdlib module), created the first time.
    fn builtin_source(&self, path: &str, text: &str) -> SourceText;
}

/// A parsed file and its syntax diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedFile {
    pub ast: Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
pub fn parsed(db: &dyn Db, file: SourceText) -> ParsedFile {
    let (ast, diagnostics) = spec_syntax::parse(file.text(db), FileId(file.id(db)));
    ParsedFile { ast: Arc::new(ast), diagnostics }
}

/// Names, types and modes of every module of `file` and what it imports.
#[salsa::tracked(returns(ref))]
pub fn analyzed(db: &dyn Db, file: SourceText) -> Analysis {
    analyze_program(db, file)
}

/// Counts query executions (for tests of incrementality).
pub type ExecutionLog = Arc<Mutex<Vec<String>>>;

#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    files: Arc<Mutex<Files>>,
}

#[derive(Default)]
struct Files {
    by_path: HashMap<String, SourceText>,
    by_id: Vec<SourceText>,
}

impl Default for Database {
    fn default() -> Self {
        Database { storage: salsa::Storage::new(None), files: Arc::default() }
    }
}

impl Database {
    /// A database that records the name of every query it executes into `log`.
    pub fn with_log(log: ExecutionLog) -> Database {
        let callback = move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                if let Ok(mut log) = log.lock() {
                    log.push(format!("{database_key:?}"));
                }
            }
        };
        Database { storage: salsa::Storage::new(Some(Box::new(callback))), files: Arc::default() }
    }

    /// Adds or replaces the text of a file (an open editor buffer, a REPL input).
    pub fn set_text(&mut self, path: &str, text: String) -> SourceText {
        use salsa::Setter;
        let existing = self.files.lock().ok().and_then(|f| f.by_path.get(path).copied());
        match existing {
            Some(file) => {
                if file.text(self) != &text {
                    file.set_text(self).to(text);
                }
                file
            }
            None => self.create(path.to_string(), text),
        }
    }

    fn create(&self, path: String, text: String) -> SourceText {
        let Ok(mut files) = self.files.lock() else { return SourceText::new(self, path, text, u32::MAX) };
        if let Some(existing) = files.by_path.get(&path) {
            return *existing;
        }
        let id = files.by_id.len() as u32;
        let file = SourceText::new(self, path.clone(), text, id);
        files.by_path.insert(path, file);
        files.by_id.push(file);
        file
    }

    /// Every file the database knows, for rendering diagnostics.
    pub fn source_map(&self) -> SourceMap {
        let mut map = SourceMap::new();
        let files: Vec<SourceText> = self.files.lock().map(|f| f.by_id.clone()).unwrap_or_default();
        for file in files {
            map.insert(FileId(file.id(self)), display_path(file.path(self)), file.text(self).clone());
        }
        map
    }

    pub fn file_by_path(&self, path: &str) -> Option<SourceText> {
        self.files.lock().ok().and_then(|f| f.by_path.get(path).copied())
    }
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {
    fn load(&self, path: &str) -> Result<SourceText, LoadError> {
        if let Some(file) = self.file_by_path(path) {
            return Ok(file);
        }
        let text = read_file(Path::new(path))?;
        Ok(self.create(path.to_string(), text))
    }

    fn source(&self, id: FileId) -> Option<SourceText> {
        self.files.lock().ok().and_then(|f| f.by_id.get(id.0 as usize).copied())
    }

    fn builtin_source(&self, path: &str, text: &str) -> SourceText {
        self.file_by_path(path).unwrap_or_else(|| self.create(path.to_string(), text.to_string()))
    }
}

/// Why a source file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    NotFound { path: String },
    NotUtf8 { path: String, valid_up_to: usize },
    Io { path: String, message: String },
}

impl LoadError {
    /// The path that was tried.
    pub fn path(&self) -> &str {
        match self {
            LoadError::NotFound { path } | LoadError::NotUtf8 { path, .. } | LoadError::Io { path, .. } => path,
        }
    }

    /// What went wrong, without the path.
    pub fn reason(&self) -> String {
        match self {
            LoadError::NotFound { .. } => "no such file".to_string(),
            LoadError::NotUtf8 { valid_up_to, .. } => format!("the file is not valid UTF-8 (at byte {valid_up_to})"),
            LoadError::Io { message, .. } => message.clone(),
        }
    }
}

/// Reads a source file: a missing file or one that is not UTF-8 is an error message.
pub fn read_source(path: &Path) -> Result<String, String> {
    read_file(path).map_err(|e| e.reason())
}

fn read_file(path: &Path) -> Result<String, LoadError> {
    let shown = || path.to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound { path: shown() },
        _ => LoadError::Io { path: shown(), message: e.to_string() },
    })?;
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 { path: shown(), valid_up_to: e.utf8_error().valid_up_to() })
}

/// `importer`'s directory joined with `relative`, normalized (no `.` or `..` where avoidable).
pub fn resolve_relative(importer: &str, relative: &str) -> String {
    let base = Path::new(importer).parent().unwrap_or(Path::new(""));
    normalize(&base.join(relative))
}

/// `path` without `.` parts, and with each `..` cancelling the directory before it. A `..`
/// with no directory before it to cancel (at the start of a relative path, or after other
/// such `..`) is kept: `../../x` stays `../../x`; at the root it is dropped (`/..` is `/`).
pub fn normalize(path: &Path) -> String {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(part),
            },
            other => out.push(other),
        }
    }
    let normalized: PathBuf = out.iter().collect();
    normalized.to_string_lossy().into_owned()
}

fn display_path(path: &str) -> String {
    path.to_string()
}
