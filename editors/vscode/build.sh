#!/usr/bin/env bash
# Builds the VS Code extension: npm ci, type-check + bundle, package.
#   editors/vscode/build.sh [COPYDESK_BIN]   ->  editors/vscode/copydesk.vsix
# With COPYDESK_BIN, that binary is bundled as server/copydesk in the package
# (the extension then needs nothing on PATH); without it, server/ is emptied.
set -euo pipefail
cd "$(dirname "$0")"

bin="${1:-}"
rm -rf server dist copydesk.vsix
if [[ -n "$bin" ]]; then
  [[ -x "$bin" ]] || { echo "build.sh: $bin is not an executable file" >&2; exit 2; }
  mkdir -p server
  cp "$bin" server/copydesk
  chmod 755 server/copydesk
fi

npm ci --no-audit --no-fund
npm run compile
npm run package
ls -l copydesk.vsix
