#!/usr/bin/env bash
# Side-by-side latency benchmark of copydesk against harper-ls 3.0.0 (issue 14).
#
# Both language servers are driven by the same client (scripts/bench/lsp_client.py) on
# the same draft (eval/bench/draft-2000.md in ../shared) with the same edits (each retypes
# one figure), alternately in one run: harper-ls, copydesk, harper-ls, copydesk, ...
# (scripts/bench/vs_harper.py). For each it measures spawn -> first diagnostics of the
# opened draft, didChange -> the diagnostics of that text, and peak memory
# (/usr/bin/time -v), and prints both medians, p95 and the copydesk/harper-ls ratios, for
#   corpus 1: the seeds + the 19,043 Reuters-21578 stories;
#   corpus 2: 100,000 stories (scripts/bench/make_corpus.py, as scripts/bench-scale.sh).
# copydesk's index is built (`copydesk index`) and its snapshot written (one `copydesk
# check`) before the runs, so every server starts from the snapshot. harper-ls has no
# corpus; it runs in the same workspace. Debounce 0 for both (copydesk.toml
# `[server] debounce_ms = 0`; harper-ls `diagnosticDelayMs = 0`, its default, given in
# its answer to workspace/configuration).
#
# Usage: scripts/bench-vs-harper.sh [--quick]
#   --quick     corpus 1 only (same as SCALE=0)
# env: SHARED     path to the shared data (default ../shared beside the repo)
#      BIN        copydesk binary (default: builds and uses target/release/copydesk)
#      HARPER_LS  harper-ls binary (default target/harper-ls-3.0.0/bin/harper-ls, installed
#                 there with `cargo install harper-ls --version 3.0.0 --locked` if missing)
#      ROUNDS=5 rounds per server, WARMUP=1 uncounted rounds first, EDITS=30 edits a round,
#      COUNT=100000 stories in corpus 2, SCALE=0 skips corpus 2,
#      SYNC=auto (edits sent as each server asks: the whole text to harper-ls, the
#      changed range to copydesk) or full (the whole text to both), KEEP=1 keeps the
#      work dir.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="$(cd "${SHARED:-$repo/../shared}" && pwd)"
scale="${SCALE:-1}"
for arg in "$@"; do
  case "$arg" in
    --quick) scale=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done
rounds="${ROUNDS:-5}"
warmup="${WARMUP:-1}"
edits="${EDITS:-30}"
count="${COUNT:-100000}"
sync_mode="${SYNC:-auto}"
case "$sync_mode" in
  auto|full) ;;
  *) echo "SYNC=$sync_mode: auto or full (harper-ls takes any change's text as the whole document)" >&2; exit 2 ;;
esac
[ -x /usr/bin/time ] || { echo "installing GNU time"; apt-get install -y time >/dev/null; }

if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  bin="$repo/target/release/copydesk"
  (cd "$repo" && cargo build --release -p copydesk 2>&1 | tail -1)
fi
if [ -n "${HARPER_LS:-}" ]; then
  harper="$HARPER_LS"
else
  harper="$repo/target/harper-ls-3.0.0/bin/harper-ls"
  if [ ! -x "$harper" ]; then
    echo "installing harper-ls 3.0.0 into $repo/target/harper-ls-3.0.0 (cargo install; it compiles for a while)"
    cargo install harper-ls --version 3.0.0 --locked --root "$repo/target/harper-ls-3.0.0" 2>&1 | tail -1
  fi
fi
[ -x "$bin" ] || { echo "no copydesk binary at $bin" >&2; exit 1; }
[ -x "$harper" ] || { echo "no harper-ls binary at $harper" >&2; exit 1; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"  # the servers run in the work dirs
harper="$(cd "$(dirname "$harper")" && pwd)/$(basename "$harper")"
harper_version="$("$harper" --version)"
case "$harper_version" in
  *" 3.0.0") ;;
  *) echo "warning: $harper is \"$harper_version\", not harper-ls 3.0.0" >&2 ;;
esac

load() { cut -d' ' -f1-3 /proc/loadavg; }
cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "machine: $(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Thread(s) per core: *//p') thread(s) per core), ${cpu:-unknown CPU}, $mem RAM, Linux $(uname -r)"
echo "load average at start: $(load); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "servers: $harper_version ($harper --stdio); $("$bin" --version) ($bin lsp, at $(git -C "$repo" rev-parse --short HEAD) of the repo)"
echo "draft: $shared/eval/bench/draft-2000.md; rounds: $rounds of $edits edits per server, after $warmup warm-up round(s); edits sent: $sync_mode"

work="$(mktemp -d "${TMPDIR:-/tmp}/copydesk-vs-harper.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
echo "work dir: $work"

# prepare DIR PATHS...: copydesk.toml with the corpus paths, the draft, the index and its snapshot.
prepare() {
  local dir="$1"; shift
  mkdir -p "$dir"
  cp "$shared/eval/bench/draft-2000.md" "$dir/draft.md"
  {
    echo "[corpus]"
    printf 'paths = ['; local sep=""
    for p in "$@"; do printf '%s"%s"' "$sep" "$p"; sep=", "; done; echo "]"
    echo
    echo "[server]"
    echo "debounce_ms = 0"
  } > "$dir/copydesk.toml"
  (cd "$dir" && "$bin" index | head -1 | sed 's/^/  copydesk index: /')
  # The first open after an index update writes the snapshot; do it here, not in a timed start.
  (cd "$dir" && "$bin" check --format json draft.md > /dev/null) || true
}

compare() {
  local label="$1" dir="$2"; shift 2
  python3 "$here/bench/vs_harper.py" --label "$label" --workdir "$dir" --draft "$dir/draft.md" "$@" \
    --out "$dir/results" --rounds "$rounds" --warmup "$warmup" --edits "$edits" --sync "$sync_mode" \
    --harper "$harper --stdio" --copydesk "$bin lsp"
  echo "  load average after: $(load)"
}

echo
echo "== corpus 1: seeds + Reuters-21578 ($(find "$shared/data/reuters21578" -name '*.txt' | wc -l) stories + $(find "$shared/corpus/seeds" -type f | wc -l) seeds)"
prepare "$work/c1" "$shared/corpus/seeds" "$shared/data/reuters21578"
compare "corpus 1 (seeds + Reuters)" "$work/c1"

if [ "$scale" != 0 ]; then
  echo
  echo "== corpus 2: $count stories (make_corpus.py)"
  python3 "$here/bench/make_corpus.py" "$shared/data/reuters21578" "$shared/corpus/seeds" "$work/c2/corpus" "$count" | sed 's/^/  /'
  sync  # the corpus is on disk before the index is built
  prepare "$work/c2" "corpus"
  compare "corpus 2 ($count stories)" "$work/c2" --peak-target 500
fi
echo
echo "load average at end: $(load); $(date -u '+%Y-%m-%d %H:%M UTC')"
