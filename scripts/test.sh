#!/usr/bin/env bash
# copydesk's whole test suite, as CI runs it (.ci/run calls exactly this).
# Installs what the end-to-end tests need when it runs as root (CI), builds the
# release binary once, then runs: unit, property, protocol and CLI tests; the
# shared-data acceptance scorers (skipped without ../shared); the Neovim
# end-to-end tests; and the VS Code extension's packaging.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '\n== %s\n' "$*"; }

missing=()
command -v nvim >/dev/null 2>&1 || missing+=(neovim)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "copydesk tests need: ${missing[*]} (install them, or run as root to have this script do it)" >&2
        exit 2
    fi
fi

say "build (release)"
cargo build --release --locked -p copydesk
bin="$root/target/release/copydesk"

say "cargo test (release: the shared-data scorers check 19,043 stories)"
cargo test --release --locked --workspace

say "example: README's one-command check exits 1 on the planted errors"
set +e
(cd examples/newsroom && "$bin" check --format json draft.md >/dev/null)
code=$?
set -e
[ "$code" = 1 ] || { echo "expected exit 1 from the example check, got $code" >&2; exit 1; }

say "Neovim: the server through a real headless client"
bash tests/nvim/run.sh "$bin"

if [ -f tests/editors/nvim-plugin.sh ]; then
    say "Neovim plugin"
    bash tests/editors/nvim-plugin.sh "$bin"
fi

if [ -f editors/vscode/build.sh ]; then
    say "VS Code extension: build the .vsix"
    bash editors/vscode/build.sh "$bin"
fi

say "all tests passed"
