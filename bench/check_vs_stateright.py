#!/usr/bin/env python3
"""`spec check` against Stateright on equal work: two-phase commit (TLA+ TwoPhase) with 5 and
7 resource managers, written in the spec language (bench/models/two_phase.qnt) and as a
Stateright model in compiled Rust (bench/stateright-2pc, the practical ceiling). Both search
the whole state space on one thread, in the same run of this script; the script checks that
both counted the same distinct states before it prints a ratio.

For each tool it prints distinct states per second and per minute of the search's own clock
(wall time), and per second of CPU time (user + system of the process: on a busy machine the
wall clock also counts time spent waiting for a core, the CPU time does not), the peak
resident set and the resident set per state (peak RSS / distinct states; it includes the
process's fixed part, which `--rms 3` shows). With `--repeat K` each run is made K times and
the fastest is kept (on a shared machine the slowest runs measure the neighbours), and the
spread of the CPU times (fastest-slowest) is printed with the load average. `--threads N`
runs `spec check -j N` (Stateright stays on one thread; the ratio is then not per core).

    python3 bench/check_vs_stateright.py --spec target/release/spec [--rms 5 7] [--repeat 3] [--threads 1]
"""
import argparse, json, os, re, resource, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, cwd=None):
    """Runs cmd: (stdout, CPU seconds of the child, peak RSS in KiB or None)."""
    timed = ["/usr/bin/time", "-f", "%M"] + cmd if os.path.exists("/usr/bin/time") else cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(timed, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss = None
    if timed is not cmd:
        last = out.stderr.strip().splitlines()[-1:] or ["0"]
        rss = int(last[0]) if last[0].isdigit() else None
    return out.stdout, cpu, rss


def spec_run(spec, n, threads=1):
    """One `spec check` run: (distinct, status, search seconds, CPU seconds, RSS KiB)."""
    out, cpu, rss = run([spec, "check", os.path.join(HERE, "models", "two_phase.qnt"), "--main", f"two_phase_{n}",
                         "--invariant", "consistent", "--no-deadlock", "-j", str(threads), "--json"])
    result = json.loads(out)
    return result["distinct_states"], result["status"], result["seconds"], cpu, rss


def stateright_run(binary, n):
    out, cpu, rss = run([binary, str(n)])
    m = re.search(r"distinct=(\d+) seconds=([\d.]+)", out)
    if not m:
        raise SystemExit(f"Stateright printed nothing usable: {out!r}")
    return int(m.group(1)), "ok", float(m.group(2)), cpu, rss


def best(runs):
    """The run with the least CPU time (all must have counted the same states)."""
    counts = {r[0] for r in runs}
    if len(counts) != 1:
        raise SystemExit(f"runs counted different numbers of states: {sorted(counts)}")
    return min(runs, key=lambda r: r[3])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--spec", required=True)
    p.add_argument("--rms", nargs="+", type=int, default=[5, 7])
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    sr_dir = os.path.join(HERE, "stateright-2pc")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=sr_dir, check=True)
    sr_bin = os.path.join(sr_dir, "target", "release", "stateright-2pc")
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    header = f"{'RMs':>4} {'tool':<10} {'states':>8} {'seconds':>8} {'states/s':>9} {'states/min':>11} {'CPU s':>7} {'states/CPU s':>12} {'peak RSS':>9} {'B/state':>8}"
    print(header)
    for n in a.rms:
        spec_runs = [spec_run(a.spec, n, a.threads) for _ in range(a.repeat)]
        sr_runs = [stateright_run(sr_bin, n) for _ in range(a.repeat)]
        spec, sr = best(spec_runs), best(sr_runs)
        for tool, runs in (("spec", spec_runs), ("Stateright", sr_runs)):
            cpus = sorted(r[3] for r in runs)
            print(f"{n:>4} {tool:<10} CPU s of {len(runs)} runs: {cpus[0]:.2f}-{cpus[-1]:.2f} (load {os.getloadavg()[0]:.2f})")
        for tool, (states, status, seconds, cpu, rss) in (("spec", spec), ("Stateright", sr)):
            rate = states / seconds if seconds > 0 else float("nan")
            cpu_rate = states / cpu if cpu > 0 else float("nan")
            rss_text = f"{rss / 1024:.0f} MiB" if rss else "?"
            per_state = f"{rss * 1024 / states:.0f}" if rss else "?"
            print(f"{n:>4} {tool:<10} {states:>8} {seconds:>8.2f} {rate:>9.0f} {rate * 60:>11.0f} {cpu:>7.2f} {cpu_rate:>12.0f} {rss_text:>9} {per_state:>8}")
        if spec[1] != "ok" or spec[0] != sr[0]:
            print(f"{n:>4}: unequal work: spec {spec[1]} {spec[0]} states, Stateright {sr[0]}: no ratio")
            continue
        print(f"{n:>4} Stateright is {spec[2] / sr[2]:.1f}x faster (search clocks), {spec[3] / sr[3]:.1f}x (CPU time); "
              f"spec: {spec[0] / spec[2] * 60:,.0f} states a minute ({spec[0] / spec[3] * 60:,.0f} per CPU minute)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
