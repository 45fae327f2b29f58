#!/usr/bin/env bash
# Runs the editor tests against one binary and prints one summary line.
#   tests/editors/run.sh COPYDESK_BIN            # Neovim + Emacs (seconds)
#   VSCODE_E2E=1 tests/editors/run.sh COPYDESK_BIN   # + the code-server e2e (minutes)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:?usage: run.sh COPYDESK_BIN}"
tests=(nvim-plugin emacs-eglot)
[[ "${VSCODE_E2E:-0}" == 1 ]] && tests+=(vscode-e2e)
passed=0 failed=0
for t in "${tests[@]}"; do
  echo "=== $t"
  if "$here/$t.sh" "$bin"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "=== $t FAILED"; fi
done
echo "editors: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
