#!/usr/bin/env bash
# Every precision and recall measure of copydesk on the shared data, one line each.
# usage: scripts/eval-precision.sh [BIN] [OUT_DIR]   (BIN defaults to target/release/copydesk)
# Needs ../shared; the leave-out runs print their contradictions to OUT_DIR/loo-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/copydesk}")
out=${2:-$(mktemp -d)}
mkdir -p "$out"
s=../shared
[ -d "$s/eval" ] || { echo "eval-precision: ../shared is absent" >&2; exit 2; }

line() { printf '%-28s %s\n' "$1" "$2"; }

python3 "$s/eval/build_cases.py" "$s/eval/dev-polnear/src" "$out/dev-polnear" >/dev/null
"$bin" check --no-index --corpus "$s/data/polnear/dev/text" --format json "$out"/dev-polnear/*.md >"$out/dev-polnear.json" || true
python3 "$s/eval/score.py" "$out/dev-polnear/labels.json" "$out/dev-polnear.json" >"$out/dev-polnear.txt" || true
line "dev-polnear" "$(tail -1 "$out/dev-polnear.txt")"

"$bin" check --no-index --corpus "$s/corpus/seeds" --format json "$s"/eval/dev/cases/*.md >"$out/dev.json" || true
python3 "$s/eval/score.py" "$s/eval/dev/cases/labels.json" "$out/dev.json" >"$out/dev.txt" || true
line "dev (seeds)" "$(tail -1 "$out/dev.txt")"

python3 "$s/eval/score_loo.py" "$bin" "$s/data/polnear/dev/text" --batch 1 --show 500 >"$out/loo-polnear.txt"
line "loo polnear dev" "$(tail -1 "$out/loo-polnear.txt")"
python3 "$s/eval/score_loo.py" "$bin" "$s/data/reuters21578" --every 60 --batch 320 --show 500 >"$out/loo-reuters.txt"
line "loo reuters /60" "$(tail -1 "$out/loo-reuters.txt")"
python3 "$s/eval/score_loo.py" "$bin" "$s/corpus/seeds" --batch 1 --show 500 >"$out/loo-seeds.txt"
line "loo seeds" "$(tail -1 "$out/loo-seeds.txt")"

python3 "$s/eval/make_swaps.py" "$s/data/polnear/dev" "$out/swaps" >/dev/null
"$bin" check --no-index --corpus "$s/data/polnear/dev/text" --format json "$out"/swaps/*.md >"$out/swaps.json" || true
line "swaps (polnear dev)" "$(python3 "$s/eval/score.py" "$out/swaps/labels.json" "$out/swaps.json" | tail -1)"

python3 "$s/eval/make_numswaps.py" "$s/data/reuters21578" "$out/numswaps" >/dev/null
"$bin" check --corpus "$s/data/reuters21578" --format json "$out"/numswaps/*.md >"$out/numswaps.json" || true
line "numswaps (reuters, 0)" "$(python3 "$s/eval/score.py" "$out/numswaps/labels.json" "$out/numswaps.json" | tail -1)"

line "score_polnear dev" "$(python3 "$s/eval/score_polnear.py" "$bin" "$s/data/polnear/dev" | tail -1)"
line "summedits" "$(python3 "$s/eval/score_summedits.py" "$bin" | tail -1)"
