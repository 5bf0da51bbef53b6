//! The parser on hostile input: deep nesting, very long chains, large files, random bytes.
//! Each must parse or give a clear diagnostic, without panicking or overflowing the stack
//! (these run on the default 2 MiB test thread, in debug builds too).

use proptest::prelude::*;
use spec_syntax::{parse, parse_expr, Code, FileId};

#[test]
fn ten_thousand_nested_parentheses() {
    let text = format!("module m {{ pure val a = {}1{} }}", "(".repeat(10_000), ")".repeat(10_000));
    let (_, diagnostics) = parse(&text, FileId(0));
    assert!(diagnostics.iter().any(|d| d.code == Code::TooDeep), "{diagnostics:?}");
}

#[test]
fn a_hundred_thousand_term_sum_is_a_flat_chain_not_nesting() {
    let text = format!("module m {{ pure val a = 1{} }}", " + 1".repeat(100_000));
    let (ast, diagnostics) = parse(&text, FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // Cloning, comparing and dropping the (100,000 deep) tree must not overflow either.
    let copy = ast.clone();
    assert!(copy == ast);
}

#[test]
fn long_method_and_let_chains_are_flat() {
    let maps = format!("Set(1){}", ".map(x => x + 1)".repeat(5_000));
    let (_, diagnostics) = parse_expr(&maps, FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let lets = format!("{{ {} 0 }}", "val a = 1; ".repeat(5_000));
    let (_, diagnostics) = parse_expr(&lets, FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let ifs = format!("{} 0", "if (true) 1 else ".repeat(5_000));
    let (_, diagnostics) = parse_expr(&ifs, FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn a_twenty_thousand_deep_type_is_refused_with_a_diagnostic() {
    for ty in [format!("{}int{}", "Set[".repeat(20_000), "]".repeat(20_000)), format!("{}int", "int -> ".repeat(20_000)), format!("{}int{}", "(int, ".repeat(20_000), ")".repeat(20_000))] {
        let text = format!("module m {{ const c: {ty} }}");
        let (_, diagnostics) = parse(&text, FileId(0));
        assert!(diagnostics.iter().any(|d| d.code == Code::TooDeep && d.message.contains("type")), "{diagnostics:?}");
    }
}

#[test]
fn a_hundred_thousand_deep_pattern_is_refused_with_a_diagnostic() {
    // In every place a pattern is written: a destructuring `val` at the top of a module and
    // inside an expression, an operator's and a lambda's parameter, a match arm.
    let deep = format!("{}a, b{}", "(".repeat(100_000), ", c)".repeat(100_000));
    for text in [
        format!("module m {{ val {deep} = 1 }}"),
        format!("module m {{ val g = {{ val {deep} = 1\n a }} }}"),
        format!("module m {{ def f({deep}) = 1 }}"),
        format!("module m {{ val g = ({deep}) => 1 }}"),
        format!("module m {{ val h = match Some(1) {{ | Some({deep}) => 1 | None => 2 }} }}"),
    ] {
        let (_, diagnostics) = parse(&text, FileId(0));
        assert!(diagnostics.iter().any(|d| d.code == Code::TooDeep && d.message.contains("pattern")), "{:?}", diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
    }
    // Within the limit, the same forms parse.
    let fine = format!("{}a, b{}", "(".repeat(100), ", c)".repeat(100));
    let (_, diagnostics) = parse(&format!("module m {{ val {fine} = 1\n def f({fine}) = 1 }}"), FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn moderately_deep_nesting_parses() {
    let text = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    let (e, diagnostics) = parse_expr(&text, FileId(0));
    assert!(diagnostics.is_empty());
    assert!(e.is_some());
}

#[test]
fn ten_megabytes_of_definitions() {
    let mut text = String::from("module big {\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!("  pure def f{i}(x: int): int = x + {i} * 2 - Set(1, 2, 3).size()\n"));
        i += 1;
    }
    text.push_str("}\n");
    let (ast, diagnostics) = parse(&text, FileId(0));
    assert!(diagnostics.is_empty());
    assert_eq!(ast.modules[0].decls.len(), i);
}

#[test]
fn empty_file_is_a_file_without_modules() {
    let (ast, diagnostics) = parse("", FileId(0));
    assert!(ast.modules.is_empty());
    assert!(diagnostics.is_empty());
}

#[test]
fn shebang_line_is_ignored() {
    let (ast, diagnostics) = parse("#!/usr/bin/env spec\nmodule m { pure val a = 1 }", FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(ast.modules.len(), 1);
}

#[test]
fn random_bytes_give_diagnostics() {
    let bytes: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let text = String::from_utf8_lossy(&bytes);
    let (_, diagnostics) = parse(&text, FileId(0));
    assert!(!diagnostics.is_empty());
}

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parse_errors");
    let mut out: Vec<String> = std::fs::read_dir(dir).map(|d| d.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect()).unwrap_or_default();
    out.push(include_str!("../../../examples/counter.qnt").to_string());
    out
}

const TOKENS: &[&str] = &[
    "module", "m", "{", "}", "(", ")", "[", "]", "val", "def", "pure", "action", "x", "'", "=", "==", "+", "-", "*", "if", "else", "match", "|",
    "=>", "->", ",", ":", ".", "all", "any", "and", "or", "nondet", "1", "\"s\"", "_", "type", "import", "...", "Set", "run", "var", "int",
];

proptest! {
    // SPEC_FUZZ_CASES raises the number of cases for a longer run (see interpreter/tests/fuzz.rs).
    #![proptest_config(ProptestConfig::with_cases(std::env::var("SPEC_FUZZ_CASES").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(300)))]

    #[test]
    fn mutated_corpus_files_never_panic(file in 0usize..40, cut in 0usize..4000, insert in 0usize..TOKENS.len(), at in 0usize..4000) {
        let corpus = corpus();
        let text = &corpus[file % corpus.len()];
        let mut mutated: String = text.chars().take(cut % (text.len() + 1)).collect();
        let rest: String = text.chars().skip(cut % (text.len() + 1) + 3).collect();
        mutated.push_str(&rest);
        let pos = mutated.char_indices().map(|(i, _)| i).nth(at % (mutated.chars().count() + 1)).unwrap_or(mutated.len());
        mutated.insert_str(pos, TOKENS[insert]);
        let _ = parse(&mutated, FileId(0));
    }

    #[test]
    fn random_token_sequences_never_panic(tokens in proptest::collection::vec(0usize..TOKENS.len(), 0..200)) {
        let text: Vec<&str> = tokens.iter().map(|i| TOKENS[*i]).collect();
        let _ = parse(&text.join(" "), FileId(0));
        let _ = parse_expr(&text.join(" "), FileId(0));
    }
}
