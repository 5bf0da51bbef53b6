//! The analyzer never panics: it runs on mutated copies of the test corpus and the examples
//! (characters cut, tokens inserted), and on deeply nested but parseable input.

use proptest::prelude::*;
use spec_analysis::{analyzed, Database};

fn corpus() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [root.join("tests/diagnostics"), root.join("../../examples"), root.join("../syntax/tests/corpus")] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.path().extension().and_then(|x| x.to_str()) == Some("qnt") {
                    if let Ok(text) = std::fs::read_to_string(e.path()) {
                        out.push(text);
                    }
                }
            }
        }
    }
    out.sort();
    out
}

const TOKENS: &[&str] = &[
    "x", "'", "=", "==", "+", "(", ")", "{", "}", "[", "]", ",", ".", "_1", "match", "|", "=>", "Set", "Map", "->", "val", "pure def f(a) = a",
    "nondet n = Set(1).oneOf()", "import m.*", "all {", "any {", "1", "\"s\"", "_", "init", "step", "x' = 1", "type T = A | B", "A(1)",
];

fn analyze(text: &str) {
    let mut db = Database::default();
    let file = db.set_text("mutant.qnt", text.to_string());
    let _ = analyzed(&db, file);
}

proptest! {
    // SPEC_FUZZ_CASES raises the number of cases for a longer run (see interpreter/tests/fuzz.rs).
    #![proptest_config(ProptestConfig::with_cases(std::env::var("SPEC_FUZZ_CASES").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(200)))]

    #[test]
    fn mutated_corpus_files_never_panic_the_analyzer(file in 0usize..100, cut in 0usize..5000, len in 0usize..8, insert in 0usize..TOKENS.len(), at in 0usize..5000) {
        let corpus = corpus();
        let text = &corpus[file % corpus.len()];
        let chars: Vec<char> = text.chars().collect();
        let cut = cut % (chars.len() + 1);
        let mut mutated: Vec<char> = chars[..cut].to_vec();
        mutated.extend(chars[(cut + len).min(chars.len())..].iter());
        let at = at % (mutated.len() + 1);
        let mut s: String = mutated[..at].iter().collect();
        s.push(' ');
        s.push_str(TOKENS[insert]);
        s.push(' ');
        s.extend(mutated[at..].iter());
        analyze(&s);
    }
}

#[test]
fn deep_but_legal_nesting_is_analyzed() {
    let depth = 900;
    let text = format!("module m {{ pure val a = {}1{} }}", "(1 + ".repeat(depth), ")".repeat(depth));
    analyze(&text);
    let lets = format!("module m {{ pure val a = {{ {} 0 }} }}", (0..500).map(|i| format!("val v{i} = {i}")).collect::<Vec<_>>().join(" "));
    analyze(&lets);
}
