#!/usr/bin/env bash
# editors/vscode/build.sh as the README has users run it:
#   1. from the repository root with a relative path to the binary: the package holds it;
#   2. a failed build (a path that is no binary) leaves an existing package untouched;
#   3. without -o and without a binary... is not run here: it would replace the user's
#      editors/vscode/copydesk.vsix, which no test may do (every build here uses -o).
# usage: tests/editors/vscode-build.sh COPYDESK_BIN
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$(realpath "$1")"
work="$repo/target/e2e/vscode-build"
rm -rf "$work" && mkdir -p "$work/bin"
cp "$bin" "$work/bin/copydesk"
fail() { echo "vscode-build: FAIL: $*" >&2; exit 1; }

# 1. a relative binary path, resolved against the caller's folder (the script changes folder)
(cd "$work" && bash "$repo/editors/vscode/build.sh" -o out/copydesk.vsix bin/copydesk >build.log 2>&1) \
  || { tail -20 "$work/build.log"; fail "build with a relative binary path"; }
[[ -f "$work/out/copydesk.vsix" ]] || fail "no package at the relative -o path"
python3 - "$work/out/copydesk.vsix" <<'PY' || fail "the package lacks the bundled server"
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
sys.exit(0 if "extension/server/copydesk" in names else 1)
PY
echo "ok 1 - a relative binary path is bundled"

# 2. a failed build keeps the existing package
before="$(sha256sum "$work/out/copydesk.vsix")"
if (cd "$work" && bash "$repo/editors/vscode/build.sh" -o out/copydesk.vsix no/such/copydesk >fail.log 2>&1); then
  fail "a missing binary was accepted"
fi
grep -q "is not an executable file" "$work/fail.log" || fail "no clear message: $(cat "$work/fail.log")"
[[ "$(sha256sum "$work/out/copydesk.vsix")" == "$before" ]] || fail "a failed build changed the existing package"
echo "ok 2 - a failed build leaves the package as it was"
