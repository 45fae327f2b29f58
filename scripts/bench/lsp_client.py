#!/usr/bin/env python3
"""A tiny LSP client over stdio for benchmarks.

Spawns the server command, opens a draft, and measures
- warm start: process spawn to the first diagnostics published for the draft;
- edit-to-diagnostics latency: didChange (one figure retyped) to the diagnostics
  of that version.
Usage: lsp_client.py ROOT DRAFT EDITS [OPTIONS] -- SERVER_CMD...
Options:
  --sync auto|full|incremental  how an edit is sent: auto (default) as the server's
      textDocumentSync.change asks (1 = the whole text, 2 = the changed range);
  --settings JSON     the answer to a workspace/configuration item without a section
      (an item with a section gets settings[section]); null by default;
  --init-options JSON initializationOptions of the initialize request;
  --latencies         also print every edit's latency (edit_latencies_ms).
Prints one JSON object.

Which publishDiagnostics belongs to an edit: a server that puts the document's
version in its publishes (copydesk) is waited on for exactly that version (older
versions on the way are skipped). A server that publishes without a version
(harper-ls) is taken at the first publish for the draft received after the change
was sent; the client sends the next edit only once it has it (dropping whatever
arrived meanwhile), so that publish can only be the edited text's. Publishes that
answer no open or edit (an older version, a second one for the same change) are
counted in other_publishes, up to the shutdown request (harper-ls clears its
diagnostics at shutdown with one more).
"""
import argparse
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time


def parse_args(argv):
    sep = argv.index("--")
    ap = argparse.ArgumentParser(prog="lsp_client.py")
    ap.add_argument("root")
    ap.add_argument("draft")
    ap.add_argument("edits", type=int)
    ap.add_argument("--sync", choices=["auto", "full", "incremental"], default="auto")
    ap.add_argument("--settings", type=json.loads, default=None)
    ap.add_argument("--init-options", type=json.loads, default=None)
    ap.add_argument("--latencies", action="store_true")
    args = ap.parse_args(argv[:sep])
    args.cmd = argv[sep + 1:]
    if not args.cmd:
        ap.error("no server command after --")
    return args


def main():
    args = parse_args(sys.argv[1:])
    root, draft, edits, cmd = args.root, args.draft, args.edits, args.cmd
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
    send_lock = threading.Lock()

    def send(msg):
        data = json.dumps(msg).encode()
        with send_lock:
            proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
            proc.stdin.flush()

    def request(method, params):
        next_id[0] += 1
        msg = {"jsonrpc": "2.0", "id": next_id[0], "method": method}
        if params is not None:
            msg["params"] = params
        send(msg)
        return next_id[0]

    def notify(method, params):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        send(msg)

    def answer(msg):
        """The answer to a request from the server."""
        result = None
        if msg["method"] == "workspace/configuration":
            result = []
            for item in msg.get("params", {}).get("items", []):
                section = item.get("section")
                if section is None:
                    result.append(args.settings)
                elif isinstance(args.settings, dict):
                    result.append(args.settings.get(section))
                else:
                    result.append(None)
        send({"jsonrpc": "2.0", "id": msg["id"], "result": result})

    stats = {"publishes": 0, "unversioned": 0, "versioned": 0, "server_requests": {}}
    other = [0]  # publishes for the draft that no predicate took, until shutdown is sent
    closing = [False]  # after shutdown is sent (harper-ls then publishes an empty list)

    def is_publish(msg):
        return msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri

    def count(msg):
        stats["publishes"] += 1
        stats["unversioned" if msg["params"].get("version") is None else "versioned"] += 1

    def wait(pred, timeout=600):
        end = time.perf_counter() + timeout
        while True:
            try:
                item = inbox.get(timeout=max(0.01, end - time.perf_counter()))
            except queue.Empty:
                raise SystemExit("timed out waiting for the server")
            if item is None:
                raise SystemExit("server exited")
            at, msg = item
            if "method" in msg and "id" in msg:  # a request from the server
                m = msg["method"]
                stats["server_requests"][m] = stats["server_requests"].get(m, 0) + 1
                answer(msg)
                continue
            if is_publish(msg):
                count(msg)
            if pred(at, msg):
                return at, msg
            if is_publish(msg) and not closing[0]:
                other[0] += 1

    def drain():
        """Takes what the server sent since the last wait (answering its requests)."""
        while True:
            try:
                item = inbox.get_nowait()
            except queue.Empty:
                return
            if item is None:
                raise SystemExit("server exited")
            _, msg = item
            if "method" in msg and "id" in msg:
                m = msg["method"]
                stats["server_requests"][m] = stats["server_requests"].get(m, 0) + 1
                answer(msg)
            elif is_publish(msg):
                count(msg)
                other[0] += 1

    init_params = {
        "processId": os.getpid(),
        "rootUri": "file://" + os.path.abspath(root),
        "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
    }
    if args.init_options is not None:
        init_params["initializationOptions"] = args.init_options
    init = request("initialize", init_params)
    _, init_reply = wait(lambda at, m: m.get("id") == init and "method" not in m)
    caps = (init_reply.get("result") or {}).get("capabilities", {})
    server_info = (init_reply.get("result") or {}).get("serverInfo") or {}
    sync_cap = caps.get("textDocumentSync")
    declared = sync_cap.get("change") if isinstance(sync_cap, dict) else sync_cap
    if args.sync == "auto":
        full = declared == 1
    else:
        full = args.sync == "full"
    notify("initialized", {})
    notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}})

    def is_diag(v, sent):
        def pred(at, m):
            if not is_publish(m):
                return False
            got = m["params"].get("version")
            return got == v or (got is None and at >= sent)
        return pred

    at, msg = wait(is_diag(1, t0))
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
        lines[li] = lines[li][:a] + digits + lines[li][b:]
        version = i + 2
        if full:
            change = {"text": "\n".join(lines)}
        else:
            change = {"range": {"start": {"line": li, "character": a}, "end": {"line": li, "character": b}},
                      "text": digits}
        drain()
        t = time.perf_counter()
        notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        at, msg = wait(is_diag(version, t))
        lat.append((at - t) * 1000)
        counts.add(len(msg["params"]["diagnostics"]))
    drain()
    closing[0] = True
    sd = request("shutdown", None)
    wait(lambda at, m: m.get("id") == sd and "method" not in m)
    notify("exit", None)
    proc.wait(timeout=30)
    raw = list(lat)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
    out = {
        "warm_start_ms": round(warm * 1000, 1),
        "diagnostics_at_open": first_count,
        "edits": len(lat),
        "edit_median_ms": round(pct(50), 2),
        "edit_p95_ms": round(pct(95), 2),
        "edit_max_ms": round(lat[-1], 2),
        "diagnostic_counts_seen": sorted(counts),
        "server": " ".join(filter(None, [server_info.get("name"), server_info.get("version")])),
        "sync": "full" if full else "incremental",
        "publishes": stats["publishes"],
        "unversioned_publishes": stats["unversioned"],
        "other_publishes": other[0],
        "server_requests": stats["server_requests"],
    }
    if args.latencies:
        out["edit_latencies_ms"] = [round(x, 3) for x in raw]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
