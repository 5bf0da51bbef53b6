//! Golden tests of name, type and mode diagnostics: each file in `diagnostics/` has one
//! mistake; the snapshot shows the source and the rendered diagnostics. Every case must
//! produce at least one error, pointing inside the file.
//! Regenerate with `INSTA_UPDATE=always cargo test -p spec-analysis` and review the diff.

use spec_analysis::{analyzed, Database};
use std::path::Path;

#[test]
fn diagnostic_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("the folder exists").flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(files.len() >= 40, "at least 40 cases");
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut db = Database::default();
        let file = db.set_text(&format!("tests/diagnostics/{name}"), text.clone());
        let analysis = analyzed(&db, file);
        let errors: Vec<_> = analysis.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty(), "{name}: expected an error");
        assert!(errors.iter().all(|d| (d.span.end as usize) <= text.len()), "{name}: a span points past the end of the file");
        let rendered = db.source_map().render(&analysis.diagnostics);
        insta::assert_snapshot!(name.trim_end_matches(".qnt").to_string(), format!("{text}\n----\n{rendered}"));
    }
}
