//! Parse throughput on a large generated spec: `cargo bench -p spec-syntax`.

use spec_syntax::{parse, FileId};
use std::time::Instant;

fn main() {
    let mut text = String::new();
    let mut m = 0;
    while text.len() < 20 * 1024 * 1024 {
        text.push_str(&format!("module m{m} {{\n  type T{m} = A{m}(int) | B{m}\n  var x{m}: int -> Set[str]\n"));
        for i in 0..50 {
            text.push_str(&format!(
                "  /// Doc {i}\n  pure def f{i}(a: int, r: {{ f: int, g: str }}): int = if (a > {i}) a * 2 + r.f else Set(1, 2, 3).fold(0, (s, x) => s + x)\n  action a{i} = all {{ x{m}' = x{m}.put({i}, Set(\"a\")), any {{ true, false }} }}\n"
            ));
        }
        text.push_str("}\n");
        m += 1;
    }
    let mb = text.len() as f64 / (1024.0 * 1024.0);
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let (ast, diagnostics) = parse(&text, FileId(0));
        let secs = start.elapsed().as_secs_f64();
        assert!(diagnostics.is_empty() && ast.modules.len() == m);
        best = best.min(secs);
    }
    println!("parse: {mb:.1} MB in {best:.3} s = {:.1} MB/s", mb / best);
}
