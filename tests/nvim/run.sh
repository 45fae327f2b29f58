#!/usr/bin/env bash
# End-to-end test of `copydesk lsp` in real headless Neovim.
#
#   bash tests/nvim/run.sh path/to/copydesk
#
# Opens the d01 dev draft in a temporary workspace whose copydesk.toml points at
# ../shared/corpus/seeds (or, when ../shared is absent, at a small corpus written
# here), waits for diagnostics, checks the hover, applies the quick fix and checks
# the buffer and the diagnostics after it. Installs nothing; exits non-zero on
# any failure, a missing nvim, or a hang (everything runs under `timeout`).
set -euo pipefail

die() { echo "tests/nvim: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: bash tests/nvim/run.sh path/to/copydesk"
command -v nvim >/dev/null 2>&1 || die "nvim not found: install Neovim (e.g. apt-get install -y neovim)"
command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) not found"
BIN=$(realpath "$1") || die "no such file: $1"
[ -x "$BIN" ] || die "not an executable: $BIN"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED="$REPO/../shared"
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT

if [ -d "$SHARED/corpus/seeds" ] && [ -f "$SHARED/eval/dev/cases/d01-buildup.md" ]; then
  SEEDS=$(cd "$SHARED/corpus/seeds" && pwd)
  cp "$SHARED/eval/dev/cases/d01-buildup.md" "$WS/draft.md"
  printf '[corpus]\npaths = ["%s"]\n\n[server]\ndebounce_ms = 50\n' "$SEEDS" > "$WS/copydesk.toml"
  export CD_WRONG="84,300" CD_RIGHT="94,300" CD_HOVER_AT="100,000 personnel" CD_HOVER_EXPECT="003_407d2300018ae808.txt"
  echo "tests/nvim: d01-buildup.md against $SEEDS"
else
  mkdir -p "$WS/sources"
  printf 'Defence ministry tallies border forces\n2021-12-03\n\nThe defence ministry counted 94,300 soldiers stationed near the northern frontier on Tuesday, an official said.\n' > "$WS/sources/ministry.txt"
  printf 'Harbour works\n\nThe harbour authority spent 12 million euros on the new pier, officials said.\n' > "$WS/sources/harbour.txt"
  printf '# Frontier\n\nThe defence ministry counted 84,300 soldiers stationed near the northern frontier on Tuesday.\n\nThe harbour authority spent 12 million euros on the new pier.\n' > "$WS/draft.md"
  printf '[corpus]\npaths = ["sources"]\n\n[server]\ndebounce_ms = 50\n' > "$WS/copydesk.toml"
  export CD_WRONG="84,300" CD_RIGHT="94,300" CD_HOVER_AT="12 million" CD_HOVER_EXPECT="harbour.txt"
  echo "tests/nvim: ../shared not found; using a corpus written for this test"
fi

export CD_BIN="$BIN" CD_WS="$WS" CD_DRAFT="$WS/draft.md" CD_RESULT="$WS/result.txt"
nvim --version | head -n 1
status=0
(cd "$WS" && timeout 120 nvim --headless --clean -u NONE -i NONE -n -c "luafile $HERE/test.lua") || status=$?
if [ "$status" -eq 124 ]; then
  die "timed out (nvim did not finish within 120 s)"
fi
[ -f "$CD_RESULT" ] || die "no result written (nvim exit status $status)"
result=$(cat "$CD_RESULT")
echo "tests/nvim: $result"
[ "$status" -eq 0 ] || die "nvim exited with status $status"
case "$result" in
  ok*) exit 0 ;;
  *) exit 1 ;;
esac
