//! Golden tests of programs spread over modules and files: imports, exports, instances and
//! the paths in `from` clauses. Each folder in `modules/` is one program; `main.qnt` is the
//! root, analyzed as if the working directory were the folder named in the optional file
//! `cwd` (so that a `from "../x"` is relative to it, as when a user runs `spec` there).
//! Files are given to the database from memory, under the paths a user in that directory
//! would see, so the test reads nothing else from disk. The snapshot lists the files the
//! program read, the type of every definition of the root file and the diagnostics.
//! Regenerate with `INSTA_UPDATE=always cargo test -p spec-analysis` and review the diff.

use spec_analysis::{analyzed, Database, Db};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Every `.qnt` file under `dir`, relative to it, with `/` separators.
fn sources(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("readable folder").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if path.is_dir() {
            sources(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".qnt") {
            out.push((format!("{prefix}{name}"), path));
        }
    }
}

/// `path` (relative to the case folder) as seen from the directory `cwd` (also relative to it).
fn seen_from(cwd: &str, path: &str) -> String {
    let cwd: Vec<&str> = cwd.split('/').filter(|p| !p.is_empty()).collect();
    let parts: Vec<&str> = path.split('/').collect();
    let common = cwd.iter().zip(&parts).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; cwd.len() - common];
    out.extend(&parts[common..]);
    out.join("/")
}

#[test]
fn module_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/modules");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).expect("the folder exists").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 5, "the cases are there");
    for case in cases {
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let cwd = std::fs::read_to_string(case.join("cwd")).map(|s| s.trim().to_string()).unwrap_or_default();
        let mut files = Vec::new();
        sources(&case, "", &mut files);
        let mut db = Database::default();
        let mut root = None;
        for (relative, path) in &files {
            let seen = seen_from(&cwd, relative);
            let file = db.set_text(&seen, std::fs::read_to_string(path).expect("readable"));
            if seen == "main.qnt" {
                root = Some(file);
            }
        }
        let root = root.unwrap_or_else(|| panic!("{name}: no main.qnt in the folder named by `cwd`"));
        let analysis = analyzed(&db, root);
        // The whole program, assembled from pieces, as whole parses of the files give it.
        let (whole, whole_files) = spec_analysis::db::resolved_from_whole_files(&db, root);
        assert_eq!((&*analysis.program, &analysis.files), (&*whole, &whole_files), "{name}");
        let map = db.source_map();
        let mut out = String::new();
        for file in &analysis.files {
            let _ = writeln!(out, "read {}", db.source(*file).map(|f| f.path(&db).clone()).unwrap_or_default());
        }
        for (i, def) in analysis.program.defs.iter().enumerate() {
            if def.synthetic || def.span.file != analysis.files[0] || analysis.program.modules[def.module as usize].is_instance {
                continue;
            }
            let shown = analysis.types.defs[i].as_ref().map(|s| s.to_string()).unwrap_or_else(|| "?".into());
            let module = &analysis.program.modules[def.module as usize].name;
            let _ = writeln!(out, "{module}::{}: {shown}", def.name);
        }
        out.push_str(&map.render(&analysis.diagnostics));
        insta::assert_snapshot!(name, out);
    }
}

#[test]
fn normalize_keeps_leading_parent_directories() {
    use spec_analysis::db::{normalize, resolve_relative};
    assert_eq!(normalize(Path::new("../../shared/lib.qnt")), "../../shared/lib.qnt");
    assert_eq!(normalize(Path::new("a/../../b/./c.qnt")), "../b/c.qnt");
    assert_eq!(normalize(Path::new("/../x.qnt")), "/x.qnt");
    assert_eq!(resolve_relative("main.qnt", "../../shared/lib"), "../../shared/lib");
    assert_eq!(resolve_relative("a/b/main.qnt", "../../shared/lib"), "shared/lib");
    assert_eq!(resolve_relative("../main.qnt", "../lib"), "../../lib");
}

/// Each instance of a module has its own copy of what that module imports when the instance
/// sets the imported constants: `cells` (of `params`, imported by `board`) is a different
/// definition in `small`, in `large` and in `params` itself.
#[test]
fn instances_copy_the_modules_whose_constants_they_set() {
    use spec_analysis::ir::Entity;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/modules/instance_sets_imported_constant");
    let mut db = Database::default();
    let file = db.set_text("main.qnt", std::fs::read_to_string(dir.join("main.qnt")).expect("readable"));
    let analysis = analyzed(&db, file);
    assert!(!analysis.has_errors());
    let program = &analysis.program;
    let module = |name: &str| program.module_names[name];
    let def = |m: &str, name: &str| match spec_analysis::lookup(program, module(m), name) {
        Some(Entity::Def(d)) => d,
        other => panic!("{m}: `{name}` is {other:?}"),
    };
    // `board` and its two instances each see their own `cells`.
    let boards: Vec<u32> = (0..program.modules.len() as u32).filter(|m| program.modules[*m as usize].name.starts_with("board")).collect();
    assert_eq!(boards.len(), 3, "board and two instances");
    let mut copies: Vec<_> = boards.iter().map(|m| spec_analysis::lookup(program, *m, "cells")).collect();
    copies.push(Some(Entity::Def(def("params", "cells"))));
    copies.sort_by_key(|e| format!("{e:?}"));
    copies.dedup();
    assert_eq!(copies.len(), 3, "the instances have their own copies, the canonical board shares params' own: {copies:?}");
    // `large` sees the constant it set, through the instance, and `small` sees its own.
    assert!(matches!(spec_analysis::lookup(program, module("large"), "B::SIZE"), Some(Entity::Def(_))));
    assert!(matches!(spec_analysis::lookup(program, module("small"), "SIZE"), Some(Entity::Def(_))));
    assert!(matches!(spec_analysis::lookup(program, module("params"), "SIZE"), Some(Entity::Const(_))));
}
