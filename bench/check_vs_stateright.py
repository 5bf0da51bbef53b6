#!/usr/bin/env python3
"""`spec check` against Stateright on equal work: two-phase commit (TLA+ TwoPhase) with 5 and
7 resource managers, written in the spec language (bench/models/two_phase.qnt) and as a
Stateright model in compiled Rust (bench/stateright-2pc, the practical ceiling). Both search
the whole state space on one thread; the script checks that both count the same distinct
states before it prints a ratio, and reports memory per state (peak resident set / states).

    python3 bench/check_vs_stateright.py --spec target/release/spec [--rms 5 7]
"""
import argparse, json, os, re, resource, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, cwd=None):
    """Runs cmd; returns (stdout, seconds, peak RSS in KiB) via /usr/bin/time when present."""
    timed = ["/usr/bin/time", "-f", "%M"] + cmd if os.path.exists("/usr/bin/time") else cmd
    start = time.perf_counter()
    out = subprocess.run(timed, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    rss = None
    if timed is not cmd:
        last = out.stderr.strip().splitlines()[-1:] or ["0"]
        rss = int(last[0]) if last[0].isdigit() else None
    return out.stdout, seconds, rss


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--spec", required=True)
    p.add_argument("--rms", nargs="+", type=int, default=[5, 7])
    a = p.parse_args()
    sr_dir = os.path.join(HERE, "stateright-2pc")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=sr_dir, check=True)
    sr_bin = os.path.join(sr_dir, "target", "release", "stateright-2pc")
    print(f"{'RMs':>4} {'states':>9} {'spec states/s':>14} {'Stateright states/s':>20} {'ratio':>6} {'spec B/state':>13} {'spec per min':>13}")
    for n in a.rms:
        out, _, rss = run([a.spec, "check", os.path.join(HERE, "models", "two_phase.qnt"), "--main", f"two_phase_{n}",
                           "--invariant", "consistent", "--no-deadlock", "-j", "1", "--json"])
        spec = json.loads(out)
        sr_out, _, _ = run([sr_bin, str(n)])
        m = re.search(r"distinct=(\d+) seconds=([\d.]+)", sr_out)
        if not m:
            print(f"{n:>4}: Stateright printed nothing usable: {sr_out!r}")
            continue
        sr_states, sr_seconds = int(m.group(1)), float(m.group(2))
        if spec["status"] != "ok" or spec["distinct_states"] != sr_states:
            print(f"{n:>4}: unequal work: spec {spec['status']} {spec['distinct_states']} states, Stateright {sr_states}: no ratio")
            continue
        spec_rate = spec["distinct_states"] / spec["seconds"]
        sr_rate = sr_states / sr_seconds
        per_state = (rss * 1024 / sr_states) if rss else float("nan")
        print(f"{n:>4} {sr_states:>9} {spec_rate:>14.0f} {sr_rate:>20.0f} {sr_rate / spec_rate:>5.1f}x {per_state:>13.0f} {spec_rate * 60:>13.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
