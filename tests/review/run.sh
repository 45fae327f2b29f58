#!/usr/bin/env bash
# The review page (`copydesk check --format html`) in real headless Chromium.
#
#   bash tests/review/run.sh path/to/copydesk
#
# Writes the page for examples/newsroom, opens it through a file:// URL with every
# host name unresolvable (the page must need no network), dumps the DOM Chromium
# built and checks it (check_dom.py) against the JSON findings and the verdicts
# COPYDESK_EXPLAIN prints: one mark per finding with its code and words, marks per
# status, the summary's numbers, a note per mark citing its sources, nothing that
# loads. Then checks that the checker fails on the page with a mark taken out, and
# saves the screenshot the README shows (docs/review-page.png; REVIEW_SCREENSHOT=path
# to write it elsewhere). Prints SKIP and exits 0 when chromium is not installed.
set -euo pipefail

die() { echo "tests/review: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: bash tests/review/run.sh path/to/copydesk"
CHROMIUM=${CHROMIUM-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
  echo "tests/review: SKIP: chromium not found (apt-get install -y chromium)"
  exit 0
fi
command -v python3 >/dev/null 2>&1 || die "python3 not found"
BIN=$(realpath "$1") || die "no such file: $1"
[ -x "$BIN" ] || die "not an executable: $BIN"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHOT=${REVIEW_SCREENSHOT:-$REPO/docs/review-page.png}
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT

cd "$REPO/examples/newsroom"
set +e
"$BIN" check --no-index --format html draft.md > "$WS/review.html"
code=$?
"$BIN" check --no-index --format json draft.md > "$WS/findings.json"
COPYDESK_EXPLAIN=1 "$BIN" check --no-index draft.md > /dev/null 2> "$WS/explain.txt"
set -e
[ "$code" = 1 ] || die "expected exit 1 (contradictions) from check --format html, got $code"

chrome() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$WS/profile" \
    --host-resolver-rules="MAP * ~NOTFOUND" "$@" 2> "$WS/chromium.log"
}

chrome --dump-dom "file://$WS/review.html" > "$WS/dom.html" || { cat "$WS/chromium.log" >&2; die "chromium --dump-dom failed"; }
grep -q '<mark' "$WS/dom.html" || die "the DOM Chromium dumped has no marks (see $WS/dom.html)"
python3 "$HERE/check_dom.py" "$WS/dom.html" "$WS/findings.json" "$WS/explain.txt"

# The check must be able to fail: the same DOM with the first contradicted mark unwrapped.
python3 - "$WS/dom.html" "$WS/broken.html" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
broken, n = re.subn(r'<mark [^>]*data-status="contradicted"[^>]*>(.*?)</mark>', r'\1', dom, count=1, flags=re.S)
assert n == 1, "no contradicted mark to take out"
open(sys.argv[2], "w", encoding="utf-8").write(broken)
PY
if python3 "$HERE/check_dom.py" "$WS/broken.html" "$WS/findings.json" "$WS/explain.txt" 2> "$WS/broken.err"; then
  die "check_dom.py passed a page with a contradicted mark missing"
fi
echo "tests/review: a page with a mark missing fails as it should ($(grep -c '^  - ' "$WS/broken.err") complaints)"

mkdir -p "$(dirname "$SHOT")"
chrome --hide-scrollbars --window-size=1280,900 --screenshot="$WS/shot.png" "file://$WS/review.html" > /dev/null \
  || { cat "$WS/chromium.log" >&2; die "chromium --screenshot failed"; }
[ -s "$WS/shot.png" ] || die "no screenshot written"
cp "$WS/shot.png" "$SHOT"
echo "tests/review: screenshot $SHOT"
echo "tests/review: passed"
