//! The salsa database every tool shares. Source texts are salsa inputs that the host
//! provides: a [`FileProvider`] answers for a path the first time an import names it (the
//! CLI reads the disk; the language server answers with its open buffers over the disk),
//! and the host sets a file's text again when it learns of a change (an edit, a save, a
//! file that appeared). Queries read files only through these inputs, so salsa knows every
//! file an analysis depends on, missing files included: a file that could not be read is an
//! input too, holding the reason, and starts to count as soon as the host sets its text.
//! The embedded standard library gets high durability, disk files medium, buffers low.
//!
//! The path-to-input table beside the inputs is only an interning map (a path always names
//! the same input); it holds no contents.

use crate::check::{analyze_program, Analysis};
use salsa::{Durability, Setter};
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
    /// Why the text could not be read (then `text` is empty), or `None`.
    #[returns(ref)]
    pub missing: Option<LoadError>,
}

#[salsa::db]
pub trait Db: salsa::Database {
    /// The source text at `path`, asked of the host's [`FileProvider`] the first time. A
    /// file that could not be read is an error, and a dependency of the caller all the same.
    fn load(&self, path: &str) -> Result<SourceText, LoadError>;
    /// The input with this id.
    fn source(&self, id: FileId) -> Option<SourceText>;
    /// A source that is not on disk (a stdlib module), created the first time.
    fn builtin_source(&self, path: &str, text: &str) -> SourceText;
}

/// Where the texts of files come from, as the host sees them. Called once per path, the
/// first time the analysis needs it; later changes are given with [`Database::set_text`]
/// or [`Database::reload`].
pub trait FileProvider: Send + Sync {
    fn read(&self, path: &str) -> Result<String, LoadError>;
}

/// Files as they are on disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskFiles;

impl FileProvider for DiskFiles {
    fn read(&self, path: &str) -> Result<String, LoadError> {
        read_file(Path::new(path))
    }
}

/// Files from another provider, but only under `root`: for embedders that analyse specs they
/// did not write, so that an import cannot read `/etc/passwd.qnt` or follow a symbolic link out
/// of the tree. Paths are resolved (`..` and links) before they are compared.
pub struct Confined<P> {
    root: PathBuf,
    inner: P,
}

impl<P: FileProvider> Confined<P> {
    /// Confines `inner` to `root` (an existing directory).
    pub fn new(root: &Path, inner: P) -> std::io::Result<Confined<P>> {
        Ok(Confined { root: std::fs::canonicalize(root)?, inner })
    }
}

impl<P: FileProvider> FileProvider for Confined<P> {
    fn read(&self, path: &str) -> Result<String, LoadError> {
        let outside = || LoadError::OutsideRoot { path: path.to_string(), root: self.root.to_string_lossy().into_owned() };
        // A file that does not exist is checked by where it would be.
        let resolved = std::fs::canonicalize(path).or_else(|_| std::env::current_dir().map(|cwd| PathBuf::from(normalize(&cwd.join(path))))).map_err(|_| outside())?;
        if !resolved.starts_with(&self.root) {
            return Err(outside());
        }
        self.inner.read(path)
    }
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
pub fn analyzed(db: &dyn Db, file: SourceText) -> &Analysis {
    crate::check::prepare(db, file);
    analysis(db, file)
}

#[salsa::tracked(returns(ref))]
fn analysis(db: &dyn Db, file: SourceText) -> Analysis {
    analyze_program(db, file)
}

/// The program of `file` with names resolved but no types inferred, and the files it was
/// read from (`file` first): what finding the uses of a name across files needs.
pub fn resolved_program(db: &dyn Db, file: SourceText) -> (Arc<crate::ir::Program>, &[FileId]) {
    let resolved = crate::check::resolved(db, file);
    (resolved.program.clone(), &resolved.files)
}

/// The files the program of `file` reads (`file` first), found from the declarations alone
/// (no body is lowered for it, unlike [`resolved_program`]).
pub fn files_read(db: &dyn Db, file: SourceText) -> &[FileId] {
    &crate::check::headers(db, file).files
}

/// The program of `file` resolved from whole parses of its files, without the pieces that
/// [`resolved_program`] is assembled from: for tests that both give the same program.
pub fn resolved_from_whole_files(db: &dyn Db, file: SourceText) -> (Arc<crate::ir::Program>, Vec<FileId>) {
    let resolved = crate::check::resolved_from_whole_files(db, file);
    (resolved.program, resolved.files)
}

/// Definition `def` of the program of `file` as its own query lowered it (positions
/// relative to its start): for tests that it equals the whole resolved program's.
pub fn lowered_def(db: &dyn Db, file: SourceText, def: u32) -> Option<crate::ir::Def> {
    crate::check::def_ir(db, crate::check::DefKey::new(db, file, def)).as_ref().map(|ir| ir.def.clone())
}

/// Counts query executions (for tests of incrementality).
pub type ExecutionLog = Arc<Mutex<Vec<String>>>;

#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    files: Arc<Mutex<Files>>,
    provider: Arc<dyn FileProvider>,
}

/// Paths to their inputs (an interning table: contents live in the inputs).
#[derive(Default)]
struct Files {
    by_path: HashMap<String, SourceText>,
    by_id: Vec<SourceText>,
}

impl Default for Database {
    fn default() -> Self {
        Database::with_provider(Arc::new(DiskFiles))
    }
}

impl Database {
    /// A database whose files come from `provider`.
    pub fn with_provider(provider: Arc<dyn FileProvider>) -> Database {
        Database { storage: salsa::Storage::new(None), files: Arc::default(), provider }
    }

    /// A database that records the name of every query it executes into `log`.
    pub fn with_log(log: ExecutionLog) -> Database {
        let callback = move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                if let Ok(mut log) = log.lock() {
                    log.push(format!("{database_key:?}"));
                }
            }
        };
        Database { storage: salsa::Storage::new(Some(Box::new(callback))), files: Arc::default(), provider: Arc::new(DiskFiles) }
    }

    /// Adds or replaces the text of a file (an open editor buffer, a REPL input).
    pub fn set_text(&mut self, path: &str, text: String) -> SourceText {
        self.put(path, Ok(text), Durability::LOW)
    }

    /// A new input that is not a file: a REPL line, an expression given on the command
    /// line. Each call makes a fresh input, shown as `name` (`<input>`, `<invariant>`).
    pub fn add_input(&mut self, name: &str, text: String) -> SourceText {
        let serial = self.files.lock().map(|f| f.by_id.len()).unwrap_or_default();
        self.create(format!("{name}{INPUT_SERIAL}{serial}"), text, None, Durability::LOW)
    }

    /// Reads a known file again from the provider (the disk changed, or an editor buffer
    /// was closed and the disk is what counts again). Unknown paths are left alone: no
    /// analysis depends on them yet. Returns the input when it was known.
    pub fn reload(&mut self, path: &str) -> Option<SourceText> {
        self.file_by_path(path)?;
        let contents = self.provider.read(path);
        Some(self.put(path, contents, Durability::MEDIUM))
    }

    fn put(&mut self, path: &str, contents: Result<String, LoadError>, durability: Durability) -> SourceText {
        let (text, missing) = match contents {
            Ok(text) => (text, None),
            Err(e) => (String::new(), Some(e)),
        };
        let Some(file) = self.file_by_path(path) else { return self.create(path.to_string(), text, missing, durability) };
        if file.text(self) != &text {
            file.set_text(self).with_durability(durability).to(text);
        }
        if file.missing(self) != &missing {
            file.set_missing(self).with_durability(durability).to(missing);
        }
        file
    }

    fn create(&self, path: String, text: String, missing: Option<LoadError>, durability: Durability) -> SourceText {
        let make = |id| SourceText::builder(path.clone(), text.clone(), id, missing.clone()).durability(durability).new(self);
        let Ok(mut files) = self.files.lock() else { return make(u32::MAX) };
        if let Some(existing) = files.by_path.get(&path) {
            return *existing;
        }
        let file = make(files.by_id.len() as u32);
        files.by_path.insert(path, file);
        files.by_id.push(file);
        file
    }

    /// Every file the database knows, for rendering diagnostics.
    pub fn source_map(&self) -> SourceMap {
        let mut map = SourceMap::new();
        for file in self.known_files() {
            let (id, path) = (FileId(file.id(self)), file.path(self));
            // A file named where a spec was expected but not a spec (`spec typecheck
            // /etc/passwd`) is located, never quoted.
            if path.starts_with('<') || path.ends_with(".qnt") {
                map.insert(id, display_path(path), file.text(self).clone());
            } else {
                map.insert_unquoted(id, display_path(path), file.text(self).clone());
            }
        }
        map
    }

    /// Every input, in the order they were made.
    pub fn known_files(&self) -> Vec<SourceText> {
        self.files.lock().map(|f| f.by_id.clone()).unwrap_or_default()
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
        let file = match self.file_by_path(path) {
            Some(file) => file,
            None => {
                let (text, missing) = match self.provider.read(path) {
                    Ok(text) => (text, None),
                    Err(e) => (String::new(), Some(e)),
                };
                self.create(path.to_string(), text, missing, Durability::MEDIUM)
            }
        };
        // Read through salsa, so that the caller depends on whether the file is there.
        match file.missing(self) {
            Some(e) => Err(e.clone()),
            None => Ok(file),
        }
    }

    fn source(&self, id: FileId) -> Option<SourceText> {
        self.files.lock().ok().and_then(|f| f.by_id.get(id.0 as usize).copied())
    }

    fn builtin_source(&self, path: &str, text: &str) -> SourceText {
        self.file_by_path(path).unwrap_or_else(|| self.create(path.to_string(), text.to_string(), None, Durability::HIGH))
    }
}

/// Why a source file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    NotFound { path: String },
    NotUtf8 { path: String, valid_up_to: usize },
    Io { path: String, message: String },
    /// A directory, a device or a pipe: `kind` says which.
    NotAFile { path: String, kind: &'static str },
    /// Larger than `limit` bytes.
    TooLarge { path: String, limit: u64 },
    /// Outside the directory the host confined reading to (see [`Confined`]).
    OutsideRoot { path: String, root: String },
}

impl LoadError {
    /// The path that was tried.
    pub fn path(&self) -> &str {
        match self {
            LoadError::NotFound { path } | LoadError::NotUtf8 { path, .. } | LoadError::Io { path, .. } | LoadError::NotAFile { path, .. } | LoadError::TooLarge { path, .. } | LoadError::OutsideRoot { path, .. } => path,
        }
    }

    /// What went wrong, without the path.
    pub fn reason(&self) -> String {
        match self {
            LoadError::NotFound { .. } => "no such file".to_string(),
            LoadError::NotUtf8 { valid_up_to, .. } => format!("the file is not valid UTF-8 (at byte {valid_up_to})"),
            LoadError::Io { message, .. } => message.clone(),
            LoadError::NotAFile { kind, .. } => format!("it is {kind}, not a spec file"),
            LoadError::TooLarge { limit, .. } => format!("the file is larger than {} MiB, the most a spec file may be", limit / (1024 * 1024)),
            LoadError::OutsideRoot { root, .. } => format!("it is outside `{root}`, the only directory specs may be read from here"),
        }
    }
}

/// Reads a source file: a missing file or one that is not UTF-8 is an error message.
pub fn read_source(path: &Path) -> Result<String, String> {
    read_file(path).map_err(|e| e.reason())
}

/// The largest source file read: far beyond any spec written by hand or generated for a
/// test, and small enough that reading it cannot exhaust memory.
pub const MAX_SOURCE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a regular file of at most [`MAX_SOURCE_BYTES`]: a directory, a device (`/dev/zero`)
/// or a pipe is refused before anything is read, and a file that grows while it is read
/// stops at the limit.
fn read_file(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let shown = || path.to_string_lossy().into_owned();
    let io_error = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound { path: shown() },
        _ => LoadError::Io { path: shown(), message: e.to_string() },
    };
    let metadata = std::fs::metadata(path).map_err(io_error)?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() { "a directory" } else { "not a regular file (a device, a pipe or a socket)" };
        return Err(LoadError::NotAFile { path: shown(), kind });
    }
    if metadata.len() > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge { path: shown(), limit: MAX_SOURCE_BYTES });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path).and_then(|f| f.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes)).map_err(io_error)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(LoadError::TooLarge { path: shown(), limit: MAX_SOURCE_BYTES });
    }
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
    match path.split_once(INPUT_SERIAL) {
        Some((name, _)) if name.starts_with('<') => name.to_string(),
        _ => path.to_string(),
    }
}

/// Separates the shown name of an input that is not a file from the serial number that
/// keeps it apart from the others of that name.
const INPUT_SERIAL: &str = "#";

#[cfg(test)]
mod tests {
    use super::*;

    /// Files from a table: the host, not the disk, answers.
    struct Table(Vec<(&'static str, &'static str)>);

    impl FileProvider for Table {
        fn read(&self, path: &str) -> Result<String, LoadError> {
            self.0.iter().find(|(p, _)| *p == path).map(|(_, t)| t.to_string()).ok_or(LoadError::NotFound { path: path.to_string() })
        }
    }

    const MAIN: &str = "module main {\n  import lib.* from \"./lib\"\n  val y = f(1)\n}\n";

    #[test]
    fn a_confined_provider_reads_only_under_its_root() {
        let dir = std::env::temp_dir().join(format!("spec-confined-{}", std::process::id()));
        let root = dir.join("specs");
        std::fs::create_dir_all(&root).expect("a temporary directory");
        std::fs::write(root.join("lib.qnt"), "module lib { pure def f(n: int): int = n }").expect("written");
        std::fs::write(dir.join("secret.qnt"), "module secret { val s = 1 }").expect("written");
        std::os::unix::fs::symlink(dir.join("secret.qnt"), root.join("link.qnt")).expect("a link");
        let confined = Confined::new(&root, DiskFiles).expect("the root exists");
        assert!(confined.read(&normalize(&root.join("lib.qnt"))).is_ok());
        for escape in [root.join("../secret.qnt"), root.join("link.qnt"), PathBuf::from("/etc/passwd.qnt")] {
            let err = confined.read(&normalize(&escape)).expect_err("outside the root");
            assert!(matches!(err, LoadError::OutsideRoot { .. }) && err.reason().contains("outside"), "{escape:?}: {err:?}");
        }
        // Through the analysis: the import is an error at the import, naming the root.
        let mut db = Database::with_provider(Arc::new(confined));
        let main = db.set_text(&normalize(&root.join("main.qnt")), "module main {\n  import secret.* from \"../secret\"\n  val v = s\n}\n".to_string());
        let analysis = analyzed(&db, main);
        assert!(analysis.diagnostics.iter().any(|d| d.message.contains("outside") || d.notes.iter().any(|n| n.contains("outside"))), "{:?}", analysis.diagnostics);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = std::env::temp_dir().join(format!("spec-read-file-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lib.qnt")).expect("a directory named like a spec");
        let err = read_file(&dir.join("lib.qnt")).expect_err("a directory is not a spec");
        assert!(matches!(err, LoadError::NotAFile { kind: "a directory", .. }), "{err:?}");
        // A device is refused before anything is read (reading /dev/zero never ends).
        let err = read_file(Path::new("/dev/zero")).expect_err("a device is not a spec");
        assert!(matches!(err, LoadError::NotAFile { .. }) && err.reason().contains("not a regular file"), "{err:?}");
        // An import that names a directory is an error at the import, like a missing file.
        std::fs::write(dir.join("main.qnt"), MAIN).expect("the importer is written");
        let db = Database::default();
        let main = db.load(&normalize(&dir.join("main.qnt"))).expect("the importer is read");
        let analysis = analyzed(&db, main);
        assert!(analysis.diagnostics.iter().any(|d| d.message.contains("directory")), "{:?}", analysis.diagnostics);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn imports_are_read_from_the_provider_and_follow_the_hosts_changes() {
        let mut db = Database::with_provider(Arc::new(Table(vec![("w/lib.qnt", "module lib { pure def f(n: int): int = n }")])));
        let main = db.set_text("w/main.qnt", MAIN.to_string());
        assert!(!analyzed(&db, main).has_errors(), "{:?}", analyzed(&db, main).diagnostics);
        // An unsaved edit of the imported file reaches the importer.
        db.set_text("w/lib.qnt", "module lib { pure def g(n: int): int = n }".to_string());
        assert!(analyzed(&db, main).has_errors());
    }

    #[test]
    fn a_missing_file_counts_once_the_host_provides_it() {
        let mut db = Database::with_provider(Arc::new(Table(Vec::new())));
        let main = db.set_text("w/main.qnt", MAIN.to_string());
        assert!(analyzed(&db, main).has_errors());
        assert!(db.file_by_path("w/lib.qnt").is_some_and(|f| f.missing(&db).is_some()));
        db.set_text("w/lib.qnt", "module lib { pure def f(n: int): int = n }".to_string());
        assert!(!analyzed(&db, main).has_errors(), "{:?}", analyzed(&db, main).diagnostics);
    }
}
