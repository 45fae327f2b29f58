#!/usr/bin/env bash
# Builds the VS Code extension: npm ci, type-check + bundle, package.
#   editors/vscode/build.sh [-o OUT.vsix] [COPYDESK_BIN]   ->  OUT (default editors/vscode/copydesk.vsix)
# With COPYDESK_BIN (a path relative to the current folder or absolute), that binary is
# bundled as server/copydesk in the package (the extension then needs nothing on PATH);
# without it, the package has no server. The package is built beside OUT and moved into
# place only when complete: a failed build leaves an existing OUT as it was.
set -euo pipefail

out=""
if [[ "${1:-}" == "-o" ]]; then
  [[ $# -ge 2 ]] || { echo "build.sh: -o needs a file name" >&2; exit 2; }
  out="$2"
  shift 2
fi
bin="${1:-}"
# Paths are the caller's: resolve them before changing folder.
if [[ -n "$bin" ]]; then
  [[ -f "$bin" && -x "$bin" ]] || { echo "build.sh: $bin is not an executable file" >&2; exit 2; }
  bin="$(realpath "$bin")"
fi
here="$(cd "$(dirname "$0")" && pwd)"
if [[ -z "$out" ]]; then
  out="$here/copydesk.vsix"
fi
mkdir -p "$(dirname "$out")"
out="$(realpath -m "$out")"
cd "$here"

rm -rf server dist
if [[ -n "$bin" ]]; then
  mkdir -p server
  cp "$bin" server/copydesk
  chmod 755 server/copydesk
fi

npm ci --no-audit --no-fund
npm run compile
partial="$(dirname "$out")/.$(basename "$out").partial-$$.vsix"
trap 'rm -f "$partial"' EXIT
npx vsce package --no-dependencies --skip-license --allow-missing-repository -o "$partial"
mv -f "$partial" "$out"
ls -l "$out"
