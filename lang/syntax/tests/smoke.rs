use spec_syntax::{parse, FileId, SourceMap};

#[test]
fn conformance_specs_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/specs");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let (ast, diags) = parse(&text, FileId(0));
        let mut map = SourceMap::new();
        map.add(entry.path().display().to_string(), text.clone());
        assert!(diags.is_empty(), "{}", map.render(&diags));
        assert!(!ast.modules.is_empty());
    }
}
