//! Times the phases of re-analysing a generated 5,000-line spec after a one-character edit
//! (the work behind `bench/lsp_latency.py`), to see where an edit's time goes:
//! `cargo run --release -p spec-lsp --example edit_phases -- FILE [EDITS]`, where FILE is the
//! text to open and the edit replaces the first `r.id + 7 |`. Opening prints the resident memory
//! after each phase (parse, resolve, the rest), which is how the huge-file figures were read.

use spec_analysis::{analyzed, parsed, Database};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else { return eprintln!("usage: edit_phases FILE [EDITS]") };
    let edits: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let Ok(text) = std::fs::read_to_string(&path) else { return eprintln!("cannot read {path}") };
    let mut db = Database::default();
    let t = Instant::now();
    let file = db.set_text("/tmp/bench.qnt", text.clone());
    println!("read: {} MB resident", resident_mb());
    let _ = parsed(&db, file);
    println!("parse: {:?}, {} MB resident", t.elapsed(), resident_mb());
    let _ = spec_analysis::db::resolved_program(&db, file);
    println!("resolve: {:?}, {} MB resident", t.elapsed(), resident_mb());
    let n = analyzed(&db, file).diagnostics.len();
    println!("open: {:?} ({n} diagnostics), {} MB resident", t.elapsed(), resident_mb());
    for v in 0..edits {
        let edited = text.replacen("r.id + 7 |", &format!("r.id + {} |", v + 100), 1);
        let t = Instant::now();
        db.set_text("/tmp/bench.qnt", edited);
        let set = t.elapsed();
        let t = Instant::now();
        let _ = parsed(&db, file);
        let parse = t.elapsed();
        let t = Instant::now();
        let _ = spec_analysis::db::resolved_program(&db, file);
        let resolve = t.elapsed();
        let t = Instant::now();
        let n = analyzed(&db, file).diagnostics.len();
        let rest = t.elapsed();
        println!("edit {v}: set_text {set:?}, parse {parse:?}, resolve {resolve:?}, rest of analysis {rest:?} ({n} diagnostics)");
    }
}

/// The resident memory of this process in MB (Linux), or 0.
fn resident_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok()).unwrap_or(0) / 1024
}
