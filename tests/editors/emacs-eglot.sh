#!/usr/bin/env bash
# Emacs + eglot (Debian's emacs-nox, elpa-eglot, elpa-markdown-mode) in batch mode:
# open the draft, start eglot, wait for a flymake diagnostic on the wrong figure.
#   tests/editors/emacs-eglot.sh COPYDESK_BIN
# Environment: COPYDESK_SHARED, EXPECT_TEXT (84,300), EXPECT_LINE (3),
#   COPYDESK_LSP_MOCK=1 (serve `lsp` with tests/editors/mock-lsp/copydesk), EMACS (emacs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$(realpath "${1:?usage: emacs-eglot.sh COPYDESK_BIN}")"
emacs="${EMACS:-emacs}"
command -v "$emacs" >/dev/null || { echo "emacs-eglot.sh: $emacs not found (apt-get install emacs-nox elpa-eglot elpa-markdown-mode)" >&2; exit 2; }

tmp="$(mktemp -d)"; mkdir -p "$tmp/home"
trap 'rm -rf "$tmp"' EXIT
source "$here/lib.sh"
find_shared
make_workspace

start=$(date +%s)
set +e
HOME="$tmp/home" COPYDESK_LSP_CMD="$lsp_cmd" WS="$ws" DRAFT="$ws/drafts/d01-buildup.md" \
  timeout -k 5 120 "$emacs" --batch -Q -l "$here/emacs/test.el" 2>"$tmp/stderr"
rc=$?
set -e
[[ $rc -ne 0 ]] && { echo "# emacs stderr:"; sed 's/^/#   /' "$tmp/stderr" | tail -30; }
echo "# emacs-eglot.sh: exit $rc in $(( $(date +%s) - start ))s"
exit $rc
