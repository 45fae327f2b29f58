#!/usr/bin/env python3
"""A tiny LSP client over stdio for benchmarks.

Spawns the server command, opens a draft, and measures
- warm start: process spawn to the first diagnostics published for the draft;
- edit-to-diagnostics latency: didChange (one figure retyped) to the diagnostics
  of that version.
Usage: lsp_client.py ROOT DRAFT EDITS -- SERVER_CMD...
Prints one JSON object.
"""
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time


def main():
    sep = sys.argv.index("--")
    root, draft, edits = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cmd = sys.argv[sep + 1:]
    text = open(draft, encoding="utf-8").read()
    uri = "file://" + os.path.abspath(draft)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    inbox = queue.Queue()

    def reader():
        out = proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode().partition(":")
                headers[k.strip().lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            inbox.put((time.perf_counter(), json.loads(body)))

    threading.Thread(target=reader, daemon=True).start()
    next_id = [0]

    def send(msg):
        data = json.dumps(msg).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        proc.stdin.flush()

    def request(method, params):
        next_id[0] += 1
        send({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params})
        return next_id[0]

    def notify(method, params):
        send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(pred, timeout=600):
        end = time.perf_counter() + timeout
        while True:
            item = inbox.get(timeout=max(0.01, end - time.perf_counter()))
            if item is None:
                raise SystemExit("server exited")
            at, msg = item
            if "method" in msg and "id" in msg:  # a request from the server
                send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                continue
            if pred(msg):
                return at, msg

    init = request("initialize", {
        "processId": os.getpid(),
        "rootUri": "file://" + os.path.abspath(root),
        "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
    })
    wait(lambda m: m.get("id") == init)
    notify("initialized", {})
    notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})
    is_diag = lambda v: (lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri and m["params"].get("version") in (v, None))
    at, msg = wait(is_diag(1))
    warm = at - t0
    first_count = len(msg["params"]["diagnostics"])

    # Retype one figure: a run of digits in the body, replaced by another of the same length.
    lines = text.split("\n")
    pos = None
    for li, line in enumerate(lines):
        if li < 2:
            continue
        m = re.search(r"\d{2,}", line)
        if m:
            pos = (li, m.start(), m.end())
            break
    lat = []
    counts = set()
    for i in range(edits):
        li, a, b = pos
        digits = str((i * 7919 + 13) % (10 ** (b - a))).rjust(b - a, "1")
        version = i + 2
        t = time.perf_counter()
        notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": li, "character": a}, "end": {"line": li, "character": b}},
                                "text": digits}],
        })
        at, msg = wait(is_diag(version))
        lat.append((at - t) * 1000)
        counts.add(len(msg["params"]["diagnostics"]))
    sd = request("shutdown", None)
    wait(lambda m: m.get("id") == sd)
    notify("exit", None)
    proc.wait(timeout=30)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
    print(json.dumps({
        "warm_start_ms": round(warm * 1000, 1),
        "diagnostics_at_open": first_count,
        "edits": len(lat),
        "edit_median_ms": round(pct(50), 2),
        "edit_p95_ms": round(pct(95), 2),
        "edit_max_ms": round(lat[-1], 2),
        "diagnostic_counts_seen": sorted(counts),
    }))


if __name__ == "__main__":
    main()
