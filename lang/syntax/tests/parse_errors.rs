//! Golden tests of syntax diagnostics: every file in `parse_errors/` is parsed and its
//! rendered diagnostics are compared with a snapshot that shows the source beside them.
//! Regenerate with `INSTA_UPDATE=always cargo test -p spec-syntax` and review the diff.

use spec_syntax::{parse, FileId, SourceMap};
use std::path::Path;

fn render(name: &str, text: &str) -> (usize, String) {
    let (_, diagnostics) = parse(text, FileId(0));
    let mut sources = SourceMap::new();
    sources.add(name, text);
    (diagnostics.len(), sources.render(&diagnostics))
}

#[test]
fn parse_error_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parse_errors");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("the folder exists").flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 30, "at least 30 cases");
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let (count, rendered) = render(&name, &text);
        assert!(count > 0, "{name}: expected at least one diagnostic");
        insta::assert_snapshot!(name.trim_end_matches(".qnt").to_string(), format!("{text}\n----\n{rendered}"));
    }
}

#[test]
fn three_independent_errors_are_all_reported() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parse_errors/three_errors.qnt")).expect("readable");
    let (_, diagnostics) = parse(&text, FileId(0));
    let lines: Vec<usize> = diagnostics.iter().map(|d| spec_syntax::span::line_col(&text, d.span.start as usize).0).collect();
    assert_eq!(lines, vec![3, 4, 7], "one diagnostic for each mistake");
}

#[test]
fn conformance_and_project_specs_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("examples"), root.join("stdlib/src"), root.join("lang/syntax/tests/corpus")];
    dirs.push(root.join("../shared/conformance/specs"));
    let mut count = 0;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("qnt") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let (ast, diagnostics) = parse(&text, FileId(0));
            let mut sources = SourceMap::new();
            sources.add(path.display().to_string(), text.clone());
            assert!(diagnostics.is_empty(), "{}", sources.render(&diagnostics));
            assert!(!ast.modules.is_empty());
            count += 1;
        }
    }
    assert!(count > 0);
}
