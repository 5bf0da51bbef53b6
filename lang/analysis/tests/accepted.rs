//! Golden tests of specs that must check without errors: each file in `accepted/` holds
//! one construct that Quint 0.33 accepts and that an earlier version of the checker got
//! wrong. The snapshot shows the source, the type of every top-level definition (as hover
//! shows it, aliases by name) and any warnings, so that a change in what is inferred shows
//! up in review.
//! Regenerate with `INSTA_UPDATE=always cargo test -p spec-analysis` and review the diff.

use spec_analysis::{analyzed, Database};
use std::fmt::Write;
use std::path::Path;

#[test]
fn accepted_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/accepted");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("the folder exists").flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut db = Database::default();
        let file = db.set_text(&format!("tests/accepted/{name}"), text.clone());
        let analysis = analyzed(&db, file);
        let rendered = db.source_map().render(&analysis.diagnostics);
        assert!(!analysis.has_errors(), "{name}: expected no errors, got\n{rendered}");
        let mut types = String::new();
        for (i, def) in analysis.program.defs.iter().enumerate() {
            if def.synthetic || def.span.file != analysis.files[0] {
                continue;
            }
            // As hover shows it: aliases by their names.
            let shown = analysis.types.defs[i].as_ref().map(|s| analysis.program.show_type(def.module, s)).unwrap_or_else(|| "?".into());
            let _ = writeln!(types, "{}: {shown}", def.name);
        }
        insta::assert_snapshot!(name.trim_end_matches(".qnt").to_string(), format!("{text}\n----\n{types}{rendered}"));
    }
}
