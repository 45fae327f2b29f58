#!/usr/bin/env bash
# Tests editors/nvim headless: the client attaches with the right root, the server's
# diagnostic covers the wrong figure, and :CopydeskCheck fills the quickfix list.
#   tests/editors/nvim-plugin.sh COPYDESK_BIN
# Environment: COPYDESK_SHARED (default: ../shared beside the repo, else a stand-in; see lib.sh),
#   EXPECT_TEXT (default 84,300), COPYDESK_LSP_MOCK=1 to serve `lsp` with
#   tests/editors/mock-lsp/copydesk (a stand-in built on `copydesk check`), NVIM (default nvim).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$(realpath "${1:?usage: nvim-plugin.sh COPYDESK_BIN}")"
nvim="${NVIM:-nvim}"
command -v "$nvim" >/dev/null || { echo "nvim-plugin.sh: $nvim not found (apt-get install neovim)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
source "$here/lib.sh"
find_shared
make_workspace $'\n[severity]\nnumber-mismatch = "warning"\n'

cat > "$tmp/init.lua" <<LUA
vim.opt.runtimepath:prepend("$repo/editors/nvim")
vim.cmd("runtime plugin/copydesk.lua")
vim.opt.swapfile = false
LUA

start=$(date +%s)
set +e
(cd "$ws/drafts" && COPYDESK_BIN="$bin" COPYDESK_LSP_CMD="$lsp_cmd" WS="$ws" DRAFT="$ws/drafts/d01-buildup.md" \
  timeout -k 5 150 "$nvim" --headless --clean -u "$tmp/init.lua" -c "luafile $here/nvim/test.lua" 2>&1)
rc=$?
set -e
echo "# nvim-plugin.sh: exit $rc in $(( $(date +%s) - start ))s"
[[ $rc -eq 124 ]] && echo "nvim-plugin.sh: timed out" >&2
exit $rc
