//! Typecheck time of a generated 20,000-line spec with many modules, imports, records and
//! sum types: `cargo bench -p spec-analysis`. Target: under 1 s in release.

use spec_analysis::{analyzed, Database};
use std::time::Instant;

fn generate(lines: usize) -> String {
    let mut text = String::new();
    let mut m = 0;
    while text.lines().count() < lines {
        text.push_str(&format!("module m{m} {{\n"));
        if m > 0 {
            text.push_str(&format!("  import m{}.*\n", m - 1));
        }
        text.push_str(&format!("  type Msg{m} = Req{m}({{ id: int, body: str }}) | Ack{m}(int) | Stop{m}\n"));
        text.push_str(&format!("  var log{m}: List[Msg{m}]\n  var seen{m}: int -> Set[str]\n"));
        text.push_str(&format!("  action init{m} = all {{ log{m}' = [], seen{m}' = Map() }}\n"));
        for i in 0..40 {
            text.push_str(&format!(
                "  pure def weight{m}_{i}(msg: Msg{m}): int = match msg {{\n    | Req{m}(r) => r.id + {i}\n    | Ack{m}(n) => n * 2\n    | Stop{m} => 0\n  }}\n"
            ));
            text.push_str(&format!(
                "  pure def total{m}_{i}(l: List[Msg{m}]): int = l.foldl(0, (s, x) => s + weight{m}_{i}(x))\n"
            ));
            text.push_str(&format!(
                "  def tagged{m}_{i}(k: int) = seen{m}.keys().filter(x => x > k).map(x => {{ key: x, names: seen{m}.get(x) }})\n"
            ));
            text.push_str(&format!(
                "  action send{m}_{i} = {{\n    nondet id = 1.to(10).oneOf()\n    all {{ log{m}' = log{m}.append(Req{m}({{ id: id, body: \"b\" }})), seen{m}' = seen{m}.put(id, Set(\"x\")) }}\n  }}\n"
            ));
        }
        text.push_str("}\n");
        m += 1;
    }
    text
}

fn main() {
    let text = generate(20_000);
    let lines = text.lines().count();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let mut db = Database::default();
        let file = db.set_text("bench.qnt", text.clone());
        let start = Instant::now();
        let analysis = analyzed(&db, file);
        let secs = start.elapsed().as_secs_f64();
        assert!(!analysis.has_errors(), "{}", db.source_map().render(&analysis.diagnostics[..3.min(analysis.diagnostics.len())]));
        best = best.min(secs);
    }
    println!("typecheck: {lines} lines in {best:.3} s");
}
