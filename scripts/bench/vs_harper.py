#!/usr/bin/env python3
"""Runs harper-ls and copydesk alternately on one draft and compares them.

Each round starts harper-ls, then copydesk (`copydesk lsp`), each under
`/usr/bin/time -v` for its peak memory, each driven by lsp_client.py the same way:
spawn -> first diagnostics of the opened draft, then EDITS edits that each retype
one figure, timed from didChange to the diagnostics of that text. Warm-up rounds
run first and are not counted. Prints every run, then per server the median and p95
of all counted edits pooled, the median spawn -> first diagnostics, the largest peak
memory, and copydesk/harper-ls ratios.
Usage: vs_harper.py --label TEXT --workdir DIR --draft FILE --out DIR
                    --harper CMD --copydesk CMD [--rounds 5] [--warmup 1] [--edits 30]
                    [--sync auto|full|incremental] [--peak-target MIB]
(CMD is split like a shell word list.) Writes OUT/runs.jsonl and OUT/summary.json.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# harper-ls asks for its settings (workspace/configuration) after `initialized`;
# the answer keeps its defaults and states the one that matters here: no delay.
HARPER_SETTINGS = {"harper-ls": {"diagnosticDelayMs": 0}}


def peak_mib(path):
    with open(path) as fh:
        for line in fh:
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1]) / 1024
    return float("nan")


def p95(values):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def run_one(args, name, cmd, tag):
    time_file = os.path.join(args.out, f"time-{name}-{tag}.txt")
    client = [sys.executable, os.path.join(HERE, "lsp_client.py"), args.workdir, args.draft, str(args.edits),
              "--latencies", "--sync", args.sync]
    if name == "harper-ls":
        client += ["--settings", json.dumps(HARPER_SETTINGS)]
    load = os.getloadavg()[0]
    out = subprocess.run(client + ["--", "/usr/bin/time", "-v", "-o", time_file] + cmd,
                         cwd=args.workdir, check=True, stdout=subprocess.PIPE, text=True).stdout
    res = json.loads(out)
    res.update(name=name, tag=tag, peak_mib=round(peak_mib(time_file), 1), load_before=load,
               load_after=os.getloadavg()[0])
    return res


def fmt_ms(x):
    return f"{x:.0f} ms" if x >= 100 else f"{x:.1f} ms" if x >= 10 else f"{x:.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--draft", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--harper", required=True)
    ap.add_argument("--copydesk", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--sync", default="auto", choices=["auto", "full", "incremental"])
    ap.add_argument("--peak-target", type=float, help="MiB copydesk's peak memory should stay within")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    servers = [("harper-ls", shlex.split(args.harper)), ("copydesk", shlex.split(args.copydesk))]
    runs = []
    with open(os.path.join(args.out, "runs.jsonl"), "w") as log:
        for r in range(args.warmup + args.rounds):
            warm = r < args.warmup
            tag = f"warmup{r + 1}" if warm else f"round{r - args.warmup + 1}"
            for name, cmd in servers:
                res = run_one(args, name, cmd, tag)
                res["counted"] = not warm
                log.write(json.dumps(res) + "\n")
                log.flush()
                runs.append(res)
                print(f"  {tag:8} {name:9} first diagnostics {fmt_ms(res['warm_start_ms']):>8}, "
                      f"edit median {fmt_ms(res['edit_median_ms']):>8}, p95 {fmt_ms(res['edit_p95_ms']):>8}, "
                      f"peak {res['peak_mib']:.0f} MiB, {res['diagnostics_at_open']} diagnostics, "
                      f"{res['sync']} sync, {res['publishes']} publishes ({res['other_publishes']} unmatched), "
                      f"load {res['load_before']:.2f}{' (not counted)' if warm else ''}", flush=True)

    summary = {"label": args.label, "rounds": args.rounds, "warmup": args.warmup, "edits": args.edits}
    for name, _ in servers:
        rs = [x for x in runs if x["name"] == name and x["counted"]]
        lat = [v for x in rs for v in x["edit_latencies_ms"]]
        summary[name] = {
            "server": rs[0]["server"],
            "sync": rs[0]["sync"],
            "edits": len(lat),
            "edit_median_ms": statistics.median(lat),
            "edit_p95_ms": p95(lat),
            "edit_max_ms": max(lat),
            "round_medians_ms": [x["edit_median_ms"] for x in rs],
            "first_diagnostics_median_ms": statistics.median(x["warm_start_ms"] for x in rs),
            "first_diagnostics_ms": [x["warm_start_ms"] for x in rs],
            "peak_mib_max": max(x["peak_mib"] for x in rs),
            "peak_mib": [x["peak_mib"] for x in rs],
            "diagnostics_at_open": sorted({x["diagnostics_at_open"] for x in rs}),
            "other_publishes": sum(x["other_publishes"] for x in rs),
            "publishes": sum(x["publishes"] for x in rs),
        }
    loads = [x["load_before"] for x in runs if x["counted"]] + [x["load_after"] for x in runs if x["counted"]]
    summary["load_min"], summary["load_max"] = min(loads), max(loads)
    with open(os.path.join(args.out, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=1)

    h, c = summary["harper-ls"], summary["copydesk"]
    rng = lambda xs, f: f"{f(min(xs)).rsplit(' ', 1)[0]}–{f(max(xs))}"
    print()
    print(f"{args.label}: {args.rounds} round{'s' if args.rounds != 1 else ''} of {args.edits} edits per server "
          f"(+{args.warmup} warm-up round{'s' if args.warmup != 1 else ''} not counted), "
          f"load average {summary['load_min']:.2f}–{summary['load_max']:.2f}")
    rows = [
        ("edit → diagnostics, median", fmt_ms(h["edit_median_ms"]), fmt_ms(c["edit_median_ms"]),
         c["edit_median_ms"] / h["edit_median_ms"]),
        ("edit → diagnostics, p95", fmt_ms(h["edit_p95_ms"]), fmt_ms(c["edit_p95_ms"]),
         c["edit_p95_ms"] / h["edit_p95_ms"]),
        ("  medians of the rounds", rng(h["round_medians_ms"], fmt_ms), rng(c["round_medians_ms"], fmt_ms), None),
        ("spawn → first diagnostics, median", fmt_ms(h["first_diagnostics_median_ms"]),
         fmt_ms(c["first_diagnostics_median_ms"]), c["first_diagnostics_median_ms"] / h["first_diagnostics_median_ms"]),
        ("  range", rng(h["first_diagnostics_ms"], fmt_ms), rng(c["first_diagnostics_ms"], fmt_ms), None),
        ("peak memory (largest)", f"{h['peak_mib_max']:.0f} MiB", f"{c['peak_mib_max']:.0f} MiB",
         c["peak_mib_max"] / h["peak_mib_max"]),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows + [("", h["server"] or "harper-ls")])
    w2 = max(len(r[2]) for r in rows + [("", "", c["server"] or "copydesk")])
    print(f"  {'':{w0}}  {h['server'] or 'harper-ls':>{w1}}  {c['server'] or 'copydesk':>{w2}}  copydesk/harper")
    for label, a, b, ratio in rows:
        print(f"  {label:{w0}}  {a:>{w1}}  {b:>{w2}}  {'' if ratio is None else f'{ratio:.2f}'}")
    how = {"full": "the whole text", "incremental": "the changed range"}
    print(f"  each edit sent as: {how[h['sync']]} to harper-ls, {how[c['sync']]} to copydesk; "
          f"diagnostics at open: harper-ls {h['diagnostics_at_open']}, copydesk {c['diagnostics_at_open']}; "
          f"unmatched publishes: harper-ls {h['other_publishes']}, copydesk {c['other_publishes']}")
    verdict = "met" if c["edit_median_ms"] <= h["edit_median_ms"] else "not met"
    print(f"  target: copydesk's edit median no higher than harper-ls's: {verdict} "
          f"({fmt_ms(c['edit_median_ms'])} against {fmt_ms(h['edit_median_ms'])})")
    if args.peak_target is not None:
        verdict = "met" if c["peak_mib_max"] <= args.peak_target else "not met"
        print(f"  target: copydesk's peak memory ≤ {args.peak_target:.0f} MiB: {verdict} ({c['peak_mib_max']:.0f} MiB)")


if __name__ == "__main__":
    main()
