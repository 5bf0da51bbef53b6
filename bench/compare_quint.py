#!/usr/bin/env python3
"""Compares the simulator's throughput with Quint's (TypeScript backend) on the same specs.

    python3 bench/compare_quint.py [--samples N] [--steps N]

Installs @informalsystems/quint@0.33.0 (with antlr4ts@0.5.0-alpha.4 pinned) with npm into a
temporary folder, runs both tools single-threaded with the same sample count and step bound
on specs whose invariants hold, and prints samples per second for each and the ratio.
"""
import argparse, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [  # spec file, main module, invariant (all hold)
    ("examples/two_phase_commit.qnt", "two_phase_commit", "agreement"),
    ("examples/peterson.qnt", "peterson", "mutualExclusion"),
    ("examples/river_crossing.qnt", "river_crossing", "safe"),
]

EXPRESSIONS = [  # evaluator work, as in interpreter/benches/eval.rs
    ("fold over 1.to(100000)", "1.to(100000).fold(0, (s, x) => s + x)"),
    ("map and filter 1.to(100000)", "1.to(100000).map(x => x * 2).filter(x => x % 3 == 0).size()"),
    ("build a 10000-key map", "1.to(10000).mapBy(x => x * x).keys().size()"),
    ("nested map updates", "1.to(20000).fold(0.to(99).mapBy(k => Map(k -> 0)), (m, i) => m.setBy(i % 100, inner => inner.put(i, i))).keys().size()"),
]

def timed(cmd, stdin=None):
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, input=stdin)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return elapsed

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=20)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    spec = os.path.join(ROOT, "target/release/spec")
    with tempfile.TemporaryDirectory() as work:
        print(f"installing Quint into {work} ...", file=sys.stderr)
        subprocess.run(["npm", "init", "-y"], cwd=work, check=True, capture_output=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "@informalsystems/quint@0.33.0", "antlr4ts@0.5.0-alpha.4"],
                       cwd=work, check=True, capture_output=True)
        quint = os.path.join(work, "node_modules/.bin/quint")
        print(f"{'spec':<24} {'samples':>8} {'quint s/s':>12} {'spec s/s':>12} {'ratio':>8}")
        for file, main_module, inv in CASES:
            common = ["--main", main_module, "--invariant", inv, "--max-samples", str(a.samples), "--max-steps", str(a.steps)]
            tq = timed([quint, "run", "--backend", "typescript", *common, file])
            ts = timed([spec, "simulate", file, *common, "-j", "1", "--seed", "1"])
            rq, rs = a.samples / tq, a.samples / ts
            print(f"{os.path.basename(file):<24} {a.samples:>8} {rq:>12.0f} {rs:>12.0f} {rs / rq:>7.1f}x")
        # The evaluator: Quint's REPL against `spec eval`, each minus its start-up time.
        print(f"\n{'expression':<30} {'quint ms':>10} {'spec ms':>10} {'ratio':>8}")
        base_q = timed([quint, "--backend", "typescript"], stdin="1\n")
        base_s = timed([spec, "eval", "1"])
        for name, expr in EXPRESSIONS:
            tq = max(timed([quint, "--backend", "typescript"], stdin=expr + "\n") - base_q, 1e-4)
            ts = max(timed([spec, "eval", expr]) - base_s, 1e-4)
            print(f"{name:<30} {tq * 1000:>10.1f} {ts * 1000:>10.1f} {tq / ts:>7.1f}x")

if __name__ == "__main__":
    main()
