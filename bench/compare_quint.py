#!/usr/bin/env python3
"""Simulation speed of `spec` against Quint 0.33's TypeScript backend, on equal work.

    python3 bench/compare_quint.py [--quint PATH] [--scale F] [--only NAME] [--threads]

Both tools run the same spec with the same seed, sample count and step bound, one thread
each, as whole processes (start-up included). Equal work is checked, not assumed: the mean
number of steps per sample must agree within 10% (Quint prints its mean trace length, which
counts the initial state; `spec --json` gives steps and samples), otherwise no ratio is
printed. Speeds are steps per second of CPU time (user + system of the process: the machine
may be shared, and CPU time is disturbed less by other work than wall-clock time; the
wall-clock figure is printed beside it). With --threads, `spec` also runs with -j 1 and -j 2
on the same work, to show the speed-up and that the results are identical.

Quint is found with --quint, or installed with npm into a temporary folder
(@informalsystems/quint@0.33.0 with antlr4ts@0.5.0-alpha.4 pinned).
"""
import argparse, json, os, re, resource, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WILD = os.path.join(os.path.dirname(ROOT), "shared", "wild")

# name, folder, file, extra arguments, samples, steps
CASES = [
    ("tic-tac-toe", f"{WILD}/quint/examples/games/tictactoe", "tictactoe.qnt", ["--invariant", "inv"], 300, 20),
    ("two-phase commit", f"{WILD}/quint/examples/classic/distributed/TwoPhaseCommit", "two_phase_commit.qnt",
     ["--main", "two_phase_commit_3", "--invariant", "consistencyInv"], 300, 20),
    ("mutual exclusion", f"{ROOT}/examples", "peterson.qnt", ["--invariant", "mutualExclusion"], 500, 20),
    ("bakery", f"{WILD}/quint/examples/classic/distributed/Bakery", "bakery.qnt",
     ["--main", "verification", "--invariant", "correctness"], 200, 20),
    ("interchain security", f"{WILD}/ics/model", "ccv_model.qnt",
     ["--invariant", "all{ValidatorUpdatesArePropagatedInv,ValidatorSetHasExistedInv,SameVscPacketsInv,MatureOnTimeInv,EventuallyMatureOnProviderInv,WaitingForSlashPacketAckInv}"], 10, 100),
]


def run(cmd, cwd):
    """Runs `cmd`; returns (stdout, wall seconds, CPU seconds of the child)."""
    # Output goes to a file: node cuts long output written to a pipe when it exits.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=err, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        err.seek(0)
        p.stdout, p.stderr = out.read(), err.read()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p, wall, cpu


def quint_mean(output):
    m = re.search(r"average=([0-9.]+)", output)
    return float(m.group(1)) - 1 if m else None


def quint_seconds(output):
    """The time Quint reports for the simulation itself (without its start-up)."""
    m = re.search(r"\(([0-9]+)ms at", output)
    return int(m.group(1)) / 1000 if m else None


def install_quint(work):
    print(f"installing Quint 0.33.0 into {work} ...", file=sys.stderr)
    subprocess.run(["npm", "init", "-y"], cwd=work, check=True, capture_output=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "@informalsystems/quint@0.33.0", "antlr4ts@0.5.0-alpha.4"],
                   cwd=work, check=True, capture_output=True)
    return os.path.join(work, "node_modules/.bin/quint")


def compare(quint, spec, a):
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("steps/s: quint over its whole process (wall-clock) and over the simulation time it reports itself;")
    print("spec over its whole process, wall-clock and CPU time. Ratios of spec's whole process (wall-clock):")
    print("'vs proc' against Quint's whole process (as the issue's table measures), 'vs sim' against Quint's")
    print("simulation alone (without its start-up and type checking: the conservative one).")
    print(f"{'spec':<20} {'samples':>7} {'steps':>5} {'mean spec/quint':>15} {'quint proc':>10} {'quint sim':>10} {'spec wall':>10} {'spec cpu':>10} {'vs proc':>7} {'vs sim':>7}")
    for name, folder, file, extra, samples, steps in CASES:
        if a.only and a.only not in name:
            continue
        samples = max(1, int(samples * a.scale))
        common = [*extra, "--max-samples", str(samples), "--max-steps", str(steps), "--seed", "1"]
        q, qwall, qcpu = run([quint, "run", "--backend", "typescript", *common, file], folder)
        qmean = quint_mean(q.stdout + q.stderr)
        s, swall, scpu = run([spec, "simulate", file, *common, "-j", "1", "--json"], folder)
        try:
            out = json.loads(s.stdout)
        except ValueError:
            print(f"{name:<22} spec failed ({s.returncode}): {s.stderr[-300:]}")
            continue
        smean = out["steps"] / max(out["samples"], 1)
        qsim = quint_seconds(q.stdout + q.stderr)
        if qmean is None or qsim is None or q.returncode != 0:
            kept = os.path.join(tempfile.gettempdir(), "compare_quint_failed.txt")
            with open(kept, "w") as f:
                f.write(q.stdout + q.stderr)
            print(f"{name:<20} quint failed (exit {q.returncode}, no statistics); its output is in {kept}")
            continue
        qsteps = samples * qmean
        swall_rate = out["steps"] / swall
        equal = abs(smean - qmean) <= 0.1 * max(qmean, 1e-9)
        ratio = f"{swall_rate / (qsteps / max(qsim, 1e-3)):6.1f}x" if equal else "unequal"
        ratio_proc = f"{swall_rate / (qsteps / qwall):6.1f}x" if equal else "unequal"
        print(f"{name:<20} {samples:>7} {steps:>5} {smean:>7.2f}/{qmean:<7.2f} {qsteps / qwall:>10.0f} {qsteps / max(qsim, 1e-3):>10.0f} {swall_rate:>10.0f} {out['steps'] / scpu:>10.0f} {ratio_proc:>7} {ratio:>7}")
        if a.threads:
            threads(spec, name, folder, file, extra, samples * 10, steps)


def threads(spec, name, folder, file, extra, samples, steps):
    """-j 1 against -j 2 on the same work: wall-clock speed-up, and the same results. The work
    is made long enough (about 2 s of CPU at -j 1) that the start-up, which one thread does, weighs
    little: a 0.4 s run measures the start-up as much as the threads. The CPU time of each
    (user + system) shows what the threads cost beyond the work itself, and the start-up (a
    one-sample run) the part that no thread count shortens. The wall-clock ratio means
    something only on a quiet machine: the load average is printed beside it."""
    def once(j, n):
        p, wall, cpu = run([spec, "simulate", file, *extra, "--max-samples", str(n), "--max-steps", str(steps), "--seed", "1", "-j", str(j), "--json"], folder)
        out = json.loads(p.stdout)
        out.pop("seconds", None)
        return out, wall, cpu
    # Sized by CPU time: on a busy machine the wall-clock time of a run says little.
    _, _, cpu = once(1, samples)
    if 0 < cpu < 2.0:
        samples = int(samples * min(20.0, 2.0 / cpu))
    startup = min(once(1, 1)[1] for _ in range(3))
    load_before = os.getloadavg()[0]
    results, walls, cpus = {}, {1: [], 2: []}, {1: [], 2: []}
    for _ in range(3):
        for j in (1, 2):
            out, wall, cpu = once(j, samples)
            results.setdefault(j, out)
            if results[j] != out:
                print(f"    {name}: -j {j} gave different results on the same seed")
            walls[j].append(wall)
            cpus[j].append(cpu)
    same = results[1] == results[2]
    w1, w2 = min(walls[1]), min(walls[2])
    c1, c2 = sorted(cpus[1])[1], sorted(cpus[2])[1]
    print(f"    {samples} samples: -j 1 {w1:.2f}s, -j 2 {w2:.2f}s: {w1 / w2:.2f}x (best of 3 each, alternated), results {'identical' if same else 'DIFFERENT'}; "
          f"CPU -j 1 {c1:.2f}s, -j 2 {c2:.2f}s ({100 * (c2 / c1 - 1):+.1f}%); start-up {startup * 1000:.0f} ms; load {load_before:.1f} -> {os.getloadavg()[0]:.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quint", help="a Quint 0.33 executable (default: install one with npm into a temporary folder)")
    ap.add_argument("--spec", help="the spec executable (default: build and use target/release/spec)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every sample count")
    ap.add_argument("--only", help="run the cases whose name contains this")
    ap.add_argument("--threads", action="store_true", help="also measure spec -j 1 against -j 2 (10x the samples)")
    a = ap.parse_args()
    if a.spec is None:
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "spec"], cwd=ROOT, check=True)
        a.spec = os.path.join(ROOT, "target/release/spec")
    a.spec = os.path.abspath(a.spec)
    if a.quint:
        compare(a.quint, a.spec, a)
    else:
        with tempfile.TemporaryDirectory() as work:
            compare(install_quint(work), a.spec, a)


if __name__ == "__main__":
    main()
