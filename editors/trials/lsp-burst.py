#!/usr/bin/env python3
"""Protocol reproduction of a lost re-publication, found by the Emacs trial (see run.sh).

eglot sends the didChange notifications of several buffers back to back (its idle timers fire
together), as after a rename that edits lib.qnt, main.qnt and other.qnt. This script opens the
three files of workspace/ over stdio, sends the same three didChange notifications in one
write, and waits (at most 10 s) for main.qnt's diagnostics to match its new text: no unknown
`double` or `twice`. It prints the publications for main.qnt it saw and exits 1 when they
never matched.

    python3 editors/trials/lsp-burst.py target/debug/spec [RUNS]
"""
import json
import os
import pathlib
import select
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def frame(msg):
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Reader:
    def __init__(self, stream):
        self.fd = stream.fileno()
        self.buf = b""

    def next(self, deadline):
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if sep:
                length = int(
                    [l for l in head.decode().split("\r\n") if l.lower().startswith("content-length")][0].split(":")[1]
                )
                if len(rest) >= length:
                    self.buf = rest[length:]
                    return json.loads(rest[:length])
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.buf += chunk


def one_run(spec, ws):
    texts = {n: (ws / n).read_text() for n in ("lib.qnt", "main.qnt", "other.qnt")}
    uri = {n: (ws / n).as_uri() for n in texts}
    server = subprocess.Popen([spec, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    reader = Reader(server.stdout)
    send = lambda *msgs: (server.stdin.write(b"".join(frame(m) for m in msgs)), server.stdin.flush())
    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": ws.as_uri(), "capabilities": {},
                         "workspaceFolders": [{"uri": ws.as_uri(), "name": "ws"}]}})
        deadline = time.monotonic() + 10
        while (m := reader.next(deadline)) is not None and m.get("id") != 1:
            pass
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}},
             *[{"jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": uri[n], "languageId": "quint", "version": 0, "text": texts[n]}}}
               for n in texts])
        # Wait until main.qnt has been published once with its deliberate errors.
        while (m := reader.next(deadline)) is not None:
            p = m.get("params", {})
            if m.get("method") == "textDocument/publishDiagnostics" and p["uri"] == uri["main.qnt"] and p["diagnostics"]:
                break
        # Drain what the opening of other.qnt may still publish.
        while reader.next(time.monotonic() + 0.5) is not None:
            pass
        send(*[{"jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": uri[n], "version": 1},
                           "contentChanges": [{"text": texts[n].replace("double", "twice")}]}}
               for n in ("lib.qnt", "main.qnt", "other.qnt")])
        seen = []
        deadline = time.monotonic() + 10
        while (m := reader.next(deadline)) is not None:
            p = m.get("params", {})
            if m.get("method") == "textDocument/publishDiagnostics" and p["uri"] == uri["main.qnt"]:
                messages = [d["message"] for d in p["diagnostics"]]
                seen.append(messages)
                if not any("`double`" in s or "`twice`" in s for s in messages):
                    return True, seen
        return False, seen
    finally:
        server.kill()
        server.wait()


def main():
    spec = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    failures = 0
    for _ in range(runs):
        ok, seen = one_run(spec, HERE / "workspace")
        if not ok:
            failures += 1
            print("main.qnt never re-published for its new text; publications seen after the changes:")
            for s in seen:
                print("   ", s)
    print(f"{runs - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
