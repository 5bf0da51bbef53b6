//! The whole program that the interpreter, hover and the other whole-program readers get
//! (`resolved_program`) is assembled from the declarations and each definition's own
//! lowering, the queries the diagnostics already ran. It must equal the program resolved
//! from whole parses of the files, the way it was computed before: every definition, body,
//! position, scope and type. Checked on the shipped examples and, when the corpus of real
//! specs is beside the checkout (`../shared/wild`, as on CI), on every file in it.

use spec_analysis::db::{resolved_from_whole_files, resolved_program};
use spec_analysis::{Database, Db};
use std::path::{Path, PathBuf};

fn qnt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            qnt_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "qnt") {
            out.push(path);
        }
    }
}

/// Compares both programs of `path`; returns whether the file could be read.
fn same_program(path: &Path) -> bool {
    let db = Database::default();
    let Ok(file) = db.load(&path.to_string_lossy()) else { return false };
    let (assembled, files) = resolved_program(&db, file);
    let (whole, whole_files) = resolved_from_whole_files(&db, file);
    assert_eq!(files, whole_files.as_slice(), "{}: the files read", path.display());
    for (a, w) in assembled.modules.iter().zip(&whole.modules) {
        let (a, w) = (format!("{a:?}"), format!("{w:?}"));
        let at = a.bytes().zip(w.bytes()).take_while(|(x, y)| x == y).count();
        assert_eq!(a, w, "{}: module, from {}", path.display(), &w[at.saturating_sub(200)..(at + 100).min(w.len())]);
    }
    assert_eq!(assembled.vars, whole.vars, "{}: variables", path.display());
    assert_eq!(assembled.consts, whole.consts, "{}: constants", path.display());
    assert_eq!(assembled.sum_types, whole.sum_types, "{}: sum types", path.display());
    assert_eq!(assembled.defs.len(), whole.defs.len(), "{}: definitions", path.display());
    for (a, w) in assembled.defs.iter().zip(&whole.defs) {
        assert_eq!(a, w, "{}: definition {}", path.display(), w.name);
    }
    assert_eq!(*assembled, *whole, "{}", path.display());
    true
}

#[test]
fn the_assembled_program_equals_the_program_of_whole_files() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    qnt_files(&manifest.join("../../examples"), &mut files);
    let shipped = files.len();
    assert!(shipped >= 10, "the examples are there: {shipped}");
    qnt_files(&manifest.join("../../../shared/wild"), &mut files);
    let read = files.iter().filter(|path| same_program(path)).count();
    assert_eq!(read, files.len(), "every file could be read");
    eprintln!("{read} programs compared ({shipped} shipped examples)");
}
