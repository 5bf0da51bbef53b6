#!/usr/bin/env python3
"""Diagnostics latency of the language server after an edit in a 5,000-line spec.

    python3 bench/lsp_latency.py [--lines N] [--edits N] [--binary PATH] [--typing] [--one-module]

Starts `target/release/spec lsp`, opens a generated spec, then changes the body of one
definition in its first module repeatedly and measures the time from `didChange` to
`publishDiagnostics`. By default each edit writes another three-digit number (the first
edit makes the body two characters longer, the others keep its length); with `--typing`
each edit adds one more digit, as typing does, so that every edit moves all the text after
it. With `--one-module` the same definitions are in one module (a file parsed as one
piece). Target: every edit under 100 ms (the script prints the first edit, the median, the 90th
percentile, the maximum and how many edits took longer, and the server's CPU time per edit).
"""
import argparse, json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def generate(lines, one_module=False):
    if one_module:
        # The same definitions in one module (each group's names and types kept apart).
        text = generate(lines)
        body = [l for l in text.splitlines() if not l.startswith("module ") and l != "}" and "import " not in l]
        return "module one {\n" + "\n".join(body) + "\n}\n"
    out, m = [], 0
    while len(out) < lines:
        out.append(f"module m{m} {{")
        if m > 0:
            out.append(f"  import m{m - 1}.*")
        out.append(f"  type Msg{m} = Req{m}({{ id: int, body: str }}) | Ack{m}(int) | Stop{m}")
        out.append(f"  var log{m}: List[Msg{m}]")
        for i in range(40):
            out.append(f"  pure def weight{m}_{i}(msg: Msg{m}): int = match msg {{ | Req{m}(r) => r.id + {i} | Ack{m}(n) => n * 2 | Stop{m} => 0 }}")
            out.append(f"  pure def total{m}_{i}(l: List[Msg{m}]): int = l.foldl(0, (s, x) => s + weight{m}_{i}(x))")
        out.append("}")
        m += 1
    return "\n".join(out) + "\n"

class Server:
    def __init__(self, binary):
        self.p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.id = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def read(self):
        length = 0
        while True:
            line = self.p.stdout.readline().strip()
            if not line:
                break
            if line.startswith(b"Content-Length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def wait(self, pred):
        while True:
            msg = self.read()
            if pred(msg):
                return msg

def cpu_seconds(pid):
    """User and system CPU time of a process (Linux), or None: a measure that a busy machine
    disturbs less than the wall-clock latency."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--binary", help="a built `spec` to measure (default: build target/release/spec)")
    ap.add_argument("--typing", action="store_true", help="each edit one character longer than the last")
    ap.add_argument("--one-module", action="store_true", help="all definitions in one module")
    a = ap.parse_args()
    if not a.binary:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    text = generate(a.lines, a.one_module)
    uri = "file:///tmp/lsp_latency_bench.qnt"
    s = Server(a.binary or os.path.join(ROOT, "target/release/spec"))
    s.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    s.wait(lambda m: m.get("id") == 1)
    s.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    is_diag = lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
    start = time.perf_counter()
    s.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "quint", "version": 1, "text": text}}})
    d = s.wait(is_diag)
    first = time.perf_counter() - start
    assert not d["params"]["diagnostics"], d["params"]["diagnostics"][:2]
    times = []
    cpu_before = cpu_seconds(s.p.pid)
    for v in range(a.edits):
        number = "7" + "".join(str(d % 10) for d in range(v + 1)) if a.typing else str(v + 100)
        edited = text.replace("r.id + 7 |", f"r.id + {number} |", 1)
        start = time.perf_counter()
        s.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": v + 2}, "contentChanges": [{"text": edited}]}})
        s.wait(is_diag)
        times.append(time.perf_counter() - start)
    cpu_after = cpu_seconds(s.p.pid)
    # A clean shutdown (so that a profiler wrapping the server gets to write its data).
    s.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    s.wait(lambda m: m.get("id") == 2)
    s.send({"jsonrpc": "2.0", "method": "exit"})
    try:
        s.p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        s.p.kill()
    ms = sorted(t * 1000 for t in times)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    over = sum(1 for t in ms if t > 100)
    print(f"lsp: {len(text.splitlines())} lines; open {first * 1000:.0f} ms; first edit {times[0] * 1000:.0f} ms; after an edit: median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms; {over} of {len(ms)} edits over 100 ms")
    if cpu_before is not None and cpu_after is not None:
        print(f"server CPU time per edit: {(cpu_after - cpu_before) * 1000 / len(ms):.0f} ms (load average {os.getloadavg()[0]:.1f})")

if __name__ == "__main__":
    main()
