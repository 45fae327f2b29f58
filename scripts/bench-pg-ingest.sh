#!/usr/bin/env bash
# Ingest rate of the PostgreSQL store on the 19,043 Reuters-21578 stories of ../shared:
# one ingester into an empty store, the same again (nothing changed), two ingesters at once
# on two halves of the stories, and two at once on all of them (every story contended).
# Starts a throwaway cluster (scripts/pg-cluster.sh, fsync off) and stops it on exit.
# Usage: scripts/bench-pg-ingest.sh   (env: SHARED=path/to/shared)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
reuters="$shared/data/reuters21578"
[ -d "$reuters" ] || { echo "no Reuters stories at $reuters (set SHARED)" >&2; exit 2; }
(cd "$repo" && cargo build --release --locked -p copydesk 2>&1 | tail -1)
bin="$repo/target/release/copydesk"

work="$(mktemp -d "${TMPDIR:-/tmp}/copydesk-pgbench.XXXXXX")"
cluster=""
cleanup() { [ -z "$cluster" ] || bash "$here/pg-cluster.sh" stop "$cluster"; rm -rf "$work"; }
trap cleanup EXIT
cluster=$(bash "$here/pg-cluster.sh" start)
set -a; . "$cluster/env"; set +a
admin="$COPYDESK_TEST_PG_URL"
url_of() { echo "${admin%/*}/$1"; }
psql_admin() { psql -qtA "$admin" -c "$1"; }
count=$(ls "$reuters" | grep -c '\.txt$')
echo "$count stories ($(du -sh "$reuters" | cut -f1)); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

# Two halves, as two folders of one name each (hard links: no copy).
python3 - "$reuters" "$work" <<'PY'
import os, shutil, sys
src, work = sys.argv[1], sys.argv[2]
for half in "ab":
    os.makedirs(os.path.join(work, half, "reuters"))
for i, name in enumerate(sorted(f for f in os.listdir(src) if f.endswith(".txt"))):
    dst = os.path.join(work, "ab"[i % 2], "reuters", name)
    try:
        os.link(os.path.join(src, name), dst)
    except OSError:
        shutil.copyfile(os.path.join(src, name), dst)
PY

now() { date +%s.%N; }
rate() { python3 -c "import sys; n, t = float(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); print(f'{t:.1f} s, {n / t:.0f} stories/s')" "$@"; }

echo "== one ingester, empty store"
psql_admin "CREATE DATABASE bench1"
t0=$(now); "$bin" ingest --store "$(url_of bench1)" "$reuters" | head -1; t1=$(now)
echo "   $(rate "$count" "$t0" "$t1")"
echo "   database size: $(psql -qtA "$(url_of bench1)" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"

echo "== the same again (nothing changed)"
t0=$(now); "$bin" ingest --store "$(url_of bench1)" "$reuters" | head -1; t1=$(now)
echo "   $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$t0" "$t1")"

echo "== two ingesters at once, a half each, empty store"
psql_admin "CREATE DATABASE bench2"
"$bin" store migrate --store "$(url_of bench2)" >/dev/null
t0=$(now)
"$bin" ingest --store "$(url_of bench2)" "$work/a/reuters" > "$work/a.out" &
pa=$!
"$bin" ingest --store "$(url_of bench2)" "$work/b/reuters" > "$work/b.out" &
pb=$!
wait $pa; wait $pb
t1=$(now)
head -1 "$work/a.out"; head -1 "$work/b.out"
echo "   together: $(rate "$count" "$t0" "$t1")"

echo "== two ingesters at once, both all stories (every story contended), empty store"
psql_admin "CREATE DATABASE bench3"
"$bin" store migrate --store "$(url_of bench3)" >/dev/null
t0=$(now)
"$bin" ingest --store "$(url_of bench3)" "$reuters" > "$work/c.out" &
pa=$!
"$bin" ingest --store "$(url_of bench3)" "$reuters" > "$work/d.out" &
pb=$!
wait $pa; wait $pb
t1=$(now)
head -1 "$work/c.out"; head -1 "$work/d.out"
echo "   together: $(rate "$count" "$t0" "$t1") stored"
"$bin" store verify --store "$(url_of bench3)"
