#!/usr/bin/env bash
# Scale benchmark of the persistent corpus index (issue: 100,000 stories).
#
# Builds a corpus of COUNT stories (default 100000) under a temp dir from the
# Reuters-21578 stories in ../shared (copies with every digit run multiplied by a
# per-copy factor) plus the seeds, then reports with the release build:
#   cold index time and MB/s (median of three builds), no-change re-index, update after 10 changed files,
#   a CLI check after the update (full load, writes the snapshot) and again (snapshot),
#   warm start of `copydesk lsp` (spawn -> first diagnostics of an open draft), also
#   right after another `copydesk index` update (older snapshot, reload behind),
#   edit-to-diagnostics latency (median, p95; debounce 0), peak memory.
# Usage: scripts/bench-scale.sh [COUNT]   (env: SHARED=path/to/shared, KEEP=1 keeps the temp dir)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
count="${1:-100000}"
edits="${EDITS:-60}"
bin="$repo/target/release/copydesk"
[ -x /usr/bin/time ] || { echo "installing GNU time"; apt-get install -y time >/dev/null; }
(cd "$repo" && cargo build --release -p copydesk 2>&1 | tail -1)
# The phase timer (benches/open_phases.rs): sync / load / build times of opening the index.
PHASES_BIN="$(cd "$repo" && cargo bench -p copydesk-store --bench open_phases --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import sys,json
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="open_phases" and m.get("executable"): print(m["executable"])' | tail -1)"

work="$(mktemp -d "${TMPDIR:-/tmp}/copydesk-scale.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
echo "work dir: $work; $(nproc) cores"
python3 "$here/bench/make_corpus.py" "$shared/data/reuters21578" "$shared/corpus/seeds" "$work/corpus" "$count"
cp "$shared/eval/bench/draft-2000.md" "$work/draft.md"
cat > "$work/copydesk.toml" <<TOML
[corpus]
paths = ["corpus"]

[server]
debounce_ms = 0
TOML
sync  # the corpus is on disk before the clock starts

peak() { awk -F': ' '/Maximum resident set size/ {printf "%.0f MiB", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }

cd "$work"
echo
echo "== cold index (three builds from scratch; the median is the figure)"
for run in 1 2 3; do
  rm -rf .copydesk
  /usr/bin/time -v -o "time-cold-$run.txt" "$bin" index > "index-cold-$run.txt"
  head -1 "index-cold-$run.txt"
  echo "   wall $(wall "time-cold-$run.txt"), peak memory $(peak "time-cold-$run.txt")"
done
median=$(for run in 1 2 3; do sed -n 's/.*MB in \([0-9.]*\) s (\([0-9.]*\) MB\/s).*/\1 \2/p' "index-cold-$run.txt"; done | sort -n | sed -n 2p)
echo "   median: ${median% *} s, ${median#* } MB/s"

echo "== re-index, nothing changed"
"$bin" index >/dev/null  # past the racy-mtime window of files written just now
/usr/bin/time -v -o time-noop.txt "$bin" index > index-noop.txt; head -1 index-noop.txt
echo "   wall $(wall time-noop.txt), peak memory $(peak time-noop.txt)"

echo "== update after 10 changed files"
for f in $(find corpus/copy-00 -name '*.txt' | sort | head -10); do
  printf '\nThe board said 4%d new contracts were signed.\n' "$RANDOM" >> "$f"
done
/usr/bin/time -v -o time-upd.txt "$bin" index > index-upd.txt; head -1 index-upd.txt
echo "   wall $(wall time-upd.txt), peak memory $(peak time-upd.txt)"

echo "== check one draft through the index (CLI: sync, full load as the snapshot predates the update, check)"
/usr/bin/time -v -o time-check.txt "$bin" check --format json draft.md > check.json || true
echo "   wall $(wall time-check.txt), peak memory $(peak time-check.txt)"

echo "== check it again, nothing changed (CLI: sync, snapshot, check)"
/usr/bin/time -v -o time-check2.txt "$bin" check --format json draft.md > check2.json || true
echo "   wall $(wall time-check2.txt), peak memory $(peak time-check2.txt)"
cmp -s check.json check2.json && echo "   same findings" || { echo "   the findings differ"; exit 1; }

echo "== language server: warm start and edit-to-diagnostics (debounce 0, $edits edits)"
for run in 1 2; do
  python3 "$here/bench/lsp_client.py" "$work" "$work/draft.md" "$edits" -- \
    /usr/bin/time -v -o "time-lsp-$run.txt" "$bin" lsp | tee "lsp-$run.json"
  echo "   run $run: server peak memory $(peak "time-lsp-$run.txt")"
done

echo "== language server after another update by \`copydesk index\` (starts from the older snapshot, reloads behind)"
for f in $(find corpus/copy-01 -name '*.txt' | sort | head -10); do
  printf '\nThe board said 5%d new contracts were signed.\n' "$RANDOM" >> "$f"
done
"$bin" index > /dev/null
python3 "$here/bench/lsp_client.py" "$work" "$work/draft.md" "$edits" -- \
  /usr/bin/time -v -o "time-lsp-stale.txt" "$bin" lsp | tee "lsp-stale.json"
echo "   server peak memory $(peak "time-lsp-stale.txt")"
echo
echo "index file: $(du -sh .copydesk | cut -f1)"
if [ -n "${PHASES_BIN:-}" ]; then
  echo "== open phases in process (sync; load = snapshot read when current)"
  COPYDESK_BENCH_CORPUS="$work/corpus" COPYDESK_BENCH_INDEX="$work/.copydesk" COPYDESK_BENCH_BASE="$work" "$PHASES_BIN"
fi
