#!/usr/bin/env python3
"""How `spec typecheck` scales with the number of definitions in one module.

    python3 bench/typecheck_scale.py [--binary target/release/spec] [--sizes 10000 100000 400000]

Generates a module of N one-line definitions for each N, typechecks it, and prints the CPU
seconds, the microseconds per definition and the peak memory. The time per definition must
stay about flat as N grows: a query whose work grows with the program, run once per
definition, shows up here as microseconds per definition that grow with N (salsa's reuse of
a finished query's dependency list made 480,000 definitions take minutes; see
`check::prepare`).
"""
import argparse, os, resource, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def module(n):
    lines = ["module big {"]
    lines += [f"  pure def f{i}(x: int): int = x + {i}" for i in range(n)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "spec"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 400_000])
    args = parser.parse_args()
    print(f"{'definitions':>12} {'CPU s':>8} {'us/def':>8} {'peak MB':>8}")
    per_def = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = os.path.join(tmp, f"big{n}.qnt")
            with open(path, "w") as f:
                f.write(module(n))
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            p = subprocess.run([args.binary, "typecheck", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if p.returncode != 0:
                sys.exit(f"typecheck failed on {n} definitions: {p.stderr[-2000:]}")
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            per_def.append(cpu / n * 1e6)
            print(f"{n:>12} {cpu:>8.2f} {per_def[-1]:>8.1f} {after.ru_maxrss / 1024:>8.0f}")
    growth = per_def[-1] / per_def[0] if per_def[0] > 0 else 0
    print(f"time per definition grew {growth:.1f}x from the smallest to the largest size")


if __name__ == "__main__":
    main()
