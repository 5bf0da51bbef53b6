#!/usr/bin/env python3
"""Time spent on the real-world specs of ../shared/wild: typecheck time of every spec that
Quint accepts (the slowest should stay below 0.5 s), and simulation speed on a few of them,
with spec's mean trace length beside Quint's (equal work: a ratio of speeds means nothing
when the two tools take different numbers of steps).

    python3 bench/wild.py --spec target/release/spec [--wild ../shared/wild]
"""
import argparse, csv, json, os, shlex, subprocess, sys, time

SIMULATIONS = [
    # (file, args); Quint's mean trace length comes from cases.tsv.
    ("quint/examples/puzzles/river/river.qnt", "--max-samples 3000 --invariant safety"),
    ("quint/examples/classic/distributed/Bakery/bakery.qnt", "--max-samples 1000 --main verification --invariant correctness"),
    ("quint/examples/classic/distributed/TwoPhaseCommit/two_phase_commit.qnt", "--max-samples 1000 --main two_phase_commit_3 --invariant consistencyInv"),
    ("quint/examples/games/tictactoe/tictactoe.qnt", "--max-samples 1000 --invariant inv"),
]


def cases(wild):
    with open(os.path.join(wild, "cases.tsv")) as f:
        for row in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t"):
            if len(row) >= 4:
                yield row + [""] * (5 - len(row))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--spec", required=True)
    p.add_argument("--wild", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "wild"))
    p.add_argument("--seed", default="7")
    a = p.parse_args()
    spec = os.path.abspath(a.spec)
    rows = list(cases(a.wild))

    times = []
    for cmd, file, _args, exit_code, _mean in rows:
        if cmd != "typecheck" or exit_code != "0":
            continue
        folder, name = os.path.split(os.path.join(a.wild, file))
        start = time.perf_counter()
        subprocess.run([spec, "typecheck", name], cwd=folder, capture_output=True)
        times.append((time.perf_counter() - start, file))
    times.sort(reverse=True)
    print(f"typecheck: {len(times)} specs, total {sum(t for t, _ in times):.2f}s, slowest:")
    for t, f in times[:5]:
        print(f"  {t * 1000:7.1f} ms  {f}")
    slowest = times[0][0] if times else 0.0

    quint_mean = {(f, args): mean for cmd, f, args, _, mean in rows if cmd == "simulate"}
    print("\nsimulate (one thread, seed %s):" % a.seed)
    print(f"  {'spec':60} {'steps/s':>10} {'mean':>6} {'Quint mean':>10}")
    for file, args in SIMULATIONS:
        folder, name = os.path.split(os.path.join(a.wild, file))
        cmd = [spec, "simulate", name] + shlex.split(args) + ["--seed", a.seed, "-j", "1", "--json"]
        start = time.perf_counter()
        out = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        try:
            result = json.loads(out.stdout)
        except json.JSONDecodeError:
            print(f"  {file}: no JSON ({out.stderr.strip()[:200]})")
            continue
        steps, samples = result.get("steps", 0), max(result.get("samples", 1), 1)
        q = quint_mean.get((file, args), "")
        print(f"  {file[-60:]:60} {steps / elapsed:10.0f} {steps / samples:6.2f} {q:>10}")
    return 0 if slowest < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
