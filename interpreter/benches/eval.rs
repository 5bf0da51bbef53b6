//! The evaluator on set- and map-heavy work: `cargo bench -p spec-interpreter`.

use spec_interpreter::{RandomChooser, Spec};
use std::time::Instant;

const WORK: &[(&str, &str)] = &[
    ("fold over 1.to(100000)", "1.to(100000).fold(0, (s, x) => s + x)"),
    ("map and filter 1.to(100000)", "1.to(100000).map(x => x * 2).filter(x => x % 3 == 0).size()"),
    ("build a 10000-key map", "1.to(10000).mapBy(x => x * x).keys().size()"),
    (
        "nested map updates",
        "{ val m = 1.to(20000).fold(0.to(99).mapBy(k => Map(k -> 0)), (m, i) => m.setBy(i % 100, inner => inner.put(i, i))) m.keys().fold(0, (s, k) => s + m.get(k).keys().size()) }",
    ),
    ("powerset of 1..14", "1.to(14).powerset().filter(s => s.size() == 7).size()"),
];

fn main() {
    for (name, expr) in WORK {
        let mut best = f64::MAX;
        let mut value = String::new();
        for _ in 0..3 {
            // A fresh spec each time: pure values are computed once per spec.
            let spec = Spec::with_extras("<bench>", None, None, &[("pure val", "__input", expr)]).unwrap_or_else(|e| panic!("{}", e.sources.render(&e.diagnostics)));
            let def = spec.lookup("__input").unwrap();
            let start = Instant::now();
            value = spec.eval_def(&spec.state0(), def, &mut RandomChooser::new(1)).unwrap().to_string();
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!("{name:<30} {:>9.1} ms   = {value}", best * 1000.0);
    }
}
