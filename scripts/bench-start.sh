#!/usr/bin/env bash
# Language-server start (issue 14): spawn -> first diagnostics of an open draft, in the
# three paths a user meets, for one or more builds side by side (alternated in each round).
#
#   warm:    the index and its snapshot as `copydesk index` left them, in the page cache;
#   updated: right after another process (`copydesk index`) updated the index (10 files changed);
#   cold:    the index files' pages evicted from the page cache first (posix_fadvise
#            DONTNEED on every file of the index folder: /proc/sys/vm/drop_caches is not
#            writable in the container); with COLD_BIN=1 the binary's pages too.
#
# Usage: scripts/bench-start.sh CORPUS ROUNDS BIN [BIN...]
#   CORPUS: a folder of stories (scripts/bench/make_corpus.py makes the 100,000 of bench-scale.sh).
#   Each BIN gets a root of its own under $WORK (default: a temp dir) with its own index, so that
#   builds with different snapshot formats do not see each other's. Prints one line per start
#   (with COPYDESK_INDEX_TRACE's phases in $WORK/<n>/trace-*.txt) and the medians.
# Env: SHARED (../shared), WORK, KEEP=1, COLD_BIN=1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
corpus="$(cd "$1" && pwd)"; rounds="$2"; shift 2
bins=()
for b in "$@"; do bins+=("$(readlink -f "$b")"); done
work="${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/copydesk-start.XXXXXX")}"
[ "${KEEP:-0}" = 1 ] || [ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT

evict() {  # drops the page-cache pages of these files (or every file under these folders)
  python3 - "$@" <<'PY'
import os, sys
for top in sys.argv[1:]:
    paths = [top] if os.path.isfile(top) else [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs]
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        os.fsync(fd) if os.access(p, os.W_OK) else None
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
PY
}

start() {  # start BIN_INDEX PATH_NAME: one start, its first-diagnostics time in ms
  local n="$1" path="$2" root="$work/$1"
  python3 "$here/bench/lsp_client.py" "$root" "$root/draft.md" 1 -- \
    /usr/bin/time -v -o "$root/time-$path.txt" sh -c "COPYDESK_INDEX_TRACE=1 exec '${bins[$n]}' lsp 2>>'$root/trace-$path.txt'" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["warm_start_ms"])'
}

for n in "${!bins[@]}"; do
  mkdir -p "$work/$n"
  cp "$shared/eval/bench/draft-2000.md" "$work/$n/draft.md"
  printf '[corpus]\npaths = ["%s"]\n\n[server]\ndebounce_ms = 0\n' "$corpus" > "$work/$n/copydesk.toml"
  [ -d "$work/$n/.copydesk" ] || (cd "$work/$n" && "${bins[$n]}" index | head -1)
done
declare -A times
for round in $(seq "$rounds"); do
  for path in warm updated cold; do
    if [ "$path" = updated ]; then
      for f in $(find "$corpus" -name '*.txt' | sort | sed -n "$((round * 10)),$((round * 10 + 9))p"); do
        printf '\nThe board said 4%d new contracts were signed.\n' "$RANDOM" >> "$f"
      done
    fi
    for n in "${!bins[@]}"; do
      case "$path" in
        warm) (cd "$work/$n" && "${bins[$n]}" index >/dev/null); cat "$work/$n"/.copydesk/* >/dev/null ;;
        updated) (cd "$work/$n" && "${bins[$n]}" index >/dev/null) ;;
        cold) evict "$work/$n/.copydesk"; [ "${COLD_BIN:-0}" = 1 ] && evict "${bins[$n]}" ;;
      esac
      ms=$(start "$n" "$path")
      times[$n,$path]+="$ms "
      echo "round $round $path bin $n: $ms ms (load $(cut -d' ' -f1 /proc/loadavg))"
    done
  done
done
echo
for n in "${!bins[@]}"; do
  for path in warm updated cold; do
    echo "${bins[$n]} $path: $(echo ${times[$n,$path]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {printf "median %s ms, range %s-%s ms (%d starts)", a[int((NR+1)/2)], a[1], a[NR], NR}')"
  done
  echo "   peak memory $(awk -F': ' '/Maximum resident/ {print int($2/1024)}' "$work/$n"/time-*.txt | sort -n | tail -1) MiB"
done
