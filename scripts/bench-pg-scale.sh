#!/usr/bin/env bash
# Scale benchmark of the PostgreSQL store (issue 13): for each COUNT (default 100000 and
# 1000000 stories, built from the Reuters-21578 stories of ../shared as bench-scale.sh does,
# scripts/bench/make_corpus.py), with the release build:
#   ingest by two ingesters at once on two halves (stories/s, database size), then
#   VACUUM ANALYZE (what autovacuum does after a large ingest: index-only scans);
#   `copydesk check --format json` of the 2,000-word bench draft through the store (wall,
#   peak memory; twice: the database's cache cold for this check, then warm);
#   `copydesk lsp` on a workspace whose copydesk.toml has `[store] url` and
#   `[server] debounce_ms = 0`: spawn -> first diagnostics, edit -> diagnostics median and
#   p95 (EDITS edits, default 60), server peak memory;
# and the same check and server with the embedded index at EMBEDDED stories (default
# 100000; empty: none), `copydesk index` first, side by side.
#
# Usage: scripts/bench-pg-scale.sh [COUNT...]
# Env:   SHARED=path/to/shared
#        WORK=dir    where the corpora, the cluster and the workspaces live (default: a new
#                    temp dir). A WORK from an earlier run with KEEP=1 is reused: corpora
#                    already built and stores already holding COUNT stories are not built
#                    or ingested again (1,000,000 stories take about half an hour to ingest),
#                    only re-extracted if the engine changed since (`copydesk store reextract`).
#        KEEP=1      leave WORK and its cluster running at the end (stop it with
#                    `scripts/pg-cluster.sh stop WORK/cluster`)
#        STORE_URL=postgres://...   use this store for every COUNT instead (no cluster, no
#                    ingest: it must hold the stories already)
#        EDITS=60, RUNS=1 (language-server runs per configuration)
# The cluster is scripts/pg-cluster.sh's (fsync off), with shared_buffers 2GB and
# pg_stat_statements; its settings are printed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
reuters="$shared/data/reuters21578"
seeds="$shared/corpus/seeds"
draft="$shared/eval/bench/draft-2000.md"
edits="${EDITS:-60}"
runs="${RUNS:-1}"
embedded="${EMBEDDED-100000}"
[ "$#" -gt 0 ] && counts=("$@") || counts=(100000 1000000)
[ -d "$reuters" ] || { echo "no Reuters stories at $reuters (set SHARED)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "installing GNU time"; apt-get install -y time >/dev/null; }
(cd "$repo" && cargo build --release --locked -p copydesk 2>&1 | tail -1)
bin="$repo/target/release/copydesk"

work="${WORK:-}"
[ -n "$work" ] || work="$(mktemp -d "${TMPDIR:-/tmp}/copydesk-pgscale.XXXXXX")"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
cluster="$work/cluster"
started=""
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then
        echo "kept: $work (cluster: stop it with scripts/pg-cluster.sh stop $cluster)"
        return
    fi
    [ -z "$started" ] || bash "$here/pg-cluster.sh" stop "$cluster" >/dev/null 2>&1 || true
    [ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

peak() { awk -F': ' '/Maximum resident set size/ {printf "%.0f MiB", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1"; }
now() { date +%s.%N; }
machine() {
    echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load $(cut -d' ' -f1-3 /proc/loadavg)"
}

echo "work dir: $work"
machine

# The cluster: reused when WORK holds one that answers, else started.
pg_bin() { local d; for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return; }; done; dirname "$(command -v pg_ctl)"; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -z "${STORE_URL:-}" ]; then
    if [ -f "$cluster/env" ] && pg_isready -q -h 127.0.0.1 -p "$(cat "$cluster/primary.port")"; then
        echo "cluster: reusing $cluster"
    else
        [ -d "$cluster" ] && bash "$here/pg-cluster.sh" stop "$cluster"
        bash "$here/pg-cluster.sh" start "$cluster" >/dev/null
        started=1
        psql -qtA "$(. "$cluster/env"; echo "${COPYDESK_TEST_PG_URL%/*}/postgres")" <<'SQL'
ALTER SYSTEM SET shared_buffers = '2GB';
ALTER SYSTEM SET max_wal_size = '4GB';
ALTER SYSTEM SET checkpoint_timeout = '10min';
ALTER SYSTEM SET work_mem = '64MB';
ALTER SYSTEM SET maintenance_work_mem = '1GB';
ALTER SYSTEM SET effective_cache_size = '12GB';
ALTER SYSTEM SET random_page_cost = 1.1;
ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';
SQL
        as_owner "$(pg_bin)/pg_ctl" -D "$cluster/primary" -l "$cluster/primary.log" -w restart >/dev/null
    fi
    [ "${KEEP:-0}" = 1 ] && started=""
    admin="$(. "$cluster/env"; echo "$COPYDESK_TEST_PG_URL")"
    url_of() { echo "${admin%/*}/s$1"; }
    echo "cluster: $(psql -qtA "${admin%/*}/postgres" -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers') || ', work_mem ' || current_setting('work_mem') || ', fsync ' || current_setting('fsync')")"
else
    url_of() { echo "$STORE_URL"; }
fi

stored() { psql -qtA "$1" -c "SELECT documents FROM copydesk.corpus_stats" 2>/dev/null || echo 0; }

corpus() { # COUNT: builds WORK/cCOUNT/corpus once
    local dir="$work/c$1"
    if [ "$(cat "$dir/built" 2>/dev/null)" != "$1" ]; then
        rm -rf "$dir"
        python3 "$here/bench/make_corpus.py" "$reuters" "$seeds" "$dir/corpus" "$1"
        echo "$1" > "$dir/built"
    fi
    cp "$draft" "$dir/draft.md"
}

ingest() { # COUNT
    local n=$1 url dir t0 t1
    url="$(url_of "$n")"
    dir="$work/c$n"
    if [ "$(stored "$url")" = "$n" ]; then
        echo "   the store holds $n stories already: not ingested again"
        # Stories another engine analyzed are left out of checks until re-extracted (any
        # change to the engine's code changes its fingerprint): a no-op when there are none.
        "$bin" store reextract --store "$url" | tail -1 | sed 's/^/   /'
        psql -qtA "$url" -c "VACUUM ANALYZE" >/dev/null
    else
        [ -n "${STORE_URL:-}" ] && { echo "STORE_URL holds $(stored "$url") stories, not $n" >&2; exit 2; }
        psql -qtA "${admin%/*}/postgres" -c "DROP DATABASE IF EXISTS s$n" -c "CREATE DATABASE s$n" >/dev/null
        psql -qtA "$url" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
        "$bin" store migrate --store "$url" >/dev/null
        # Two halves by the file name's last character (globs: neither removes the other's).
        t0=$(now)
        (cd "$dir" && "$bin" ingest --store "$url" "corpus/*/*[02468ace].txt" > "$dir/ingest-a.txt" 2>&1) &
        local pa=$!
        (cd "$dir" && "$bin" ingest --store "$url" "corpus/*/*[13579bdf].txt" > "$dir/ingest-b.txt" 2>&1) &
        local pb=$!
        wait $pa; wait $pb
        t1=$(now)
        head -1 "$dir/ingest-a.txt"; head -1 "$dir/ingest-b.txt"
        python3 -c "import sys; n, t = float(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); print(f'   two ingesters: {t:.0f} s, {n / t:.0f} stories/s')" "$n" "$t0" "$t1"
        t0=$(now); psql -qtA "$url" -c "VACUUM ANALYZE" >/dev/null; t1=$(now)
        python3 -c "import sys; print(f'   VACUUM ANALYZE: {float(sys.argv[2]) - float(sys.argv[1]):.0f} s')" "$t0" "$t1"
    fi
    echo "   store: $(psql -qtA "$url" -c "SELECT documents || ' stories, ' || sentences || ' sentences, ' || pg_size_pretty(pg_database_size(current_database())) FROM copydesk.corpus_stats")"
}

workspace() { # DIR URL|"": a workspace for the draft, on the store or (no URL) the embedded index
    local ws=$1 url=$2
    mkdir -p "$ws"
    if [ -n "$url" ]; then
        printf '[store]\nurl = "%s"\n\n[server]\ndebounce_ms = 0\n' "$url" > "$ws/copydesk.toml"
    else
        printf '[corpus]\npaths = ["corpus"]\n\n[server]\ndebounce_ms = 0\n' > "$ws/copydesk.toml"
    fi
}

check_and_serve() { # LABEL WS
    local label=$1 ws=$2 run
    cd "$ws"
    for run in 1 2; do
        /usr/bin/time -v -o "time-check-$run.txt" "$bin" check --format json draft.md > "check-$run.json" 2> "check-$run.err" || true
        echo "   $label: CLI check $run: wall $(wall "time-check-$run.txt"), peak memory $(peak "time-check-$run.txt"), $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "check-$run.json" 2>/dev/null || echo no) findings"
    done
    for run in $(seq 1 "$runs"); do
        python3 "$here/bench/lsp_client.py" "$ws" "$ws/draft.md" "$edits" -- \
            /usr/bin/time -v -o "time-lsp-$run.txt" "$bin" lsp > "lsp-$run.json"
        python3 - "$label" "lsp-$run.json" "$(peak "time-lsp-$run.txt")" <<'PY'
import json, sys
label, path, peak = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.load(open(path))
print(f"   {label}: server: spawn -> first diagnostics {r['warm_start_ms']:.0f} ms ({r['diagnostics_at_open']} diagnostics); "
      f"edit -> diagnostics median {r['edit_median_ms']:.1f} ms, p95 {r['edit_p95_ms']:.1f} ms, max {r['edit_max_ms']:.1f} ms "
      f"({r['edits']} edits); peak memory {peak}")
PY
    done
    cd - >/dev/null
}

for n in "${counts[@]}"; do
    echo
    echo "== $n stories in PostgreSQL"
    corpus "$n"
    ingest "$n"
    ws="$work/ws$n"
    workspace "$ws" "$(url_of "$n")"
    cp "$draft" "$ws/draft.md"
    check_and_serve "store $n" "$ws"
    machine
done

if [ -n "$embedded" ]; then
    echo
    echo "== $embedded stories in the embedded index"
    corpus "$embedded"
    ws="$work/c$embedded"
    workspace "$ws" ""
    rm -rf "$ws/.copydesk"
    (cd "$ws" && /usr/bin/time -v -o time-index.txt "$bin" index > index.txt 2>&1)
    echo "   copydesk index: $(head -1 "$ws/index.txt"); wall $(wall "$ws/time-index.txt"), peak memory $(peak "$ws/time-index.txt")"
    check_and_serve "embedded $embedded" "$ws"
    for n in "${counts[@]}"; do
        if [ "$n" = "$embedded" ]; then
            cmp -s "$ws/check-1.json" "$work/ws$n/check-1.json" \
                && echo "   the same findings through the store and through the embedded index" \
                || echo "   the findings differ between the store and the embedded index"
        fi
    done
    machine
fi
