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

def timed(cmd):
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
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

if __name__ == "__main__":
    main()
