#!/usr/bin/env bash
# copydesk's whole test suite, as CI runs it (.ci/run calls exactly this).
# Installs what the end-to-end tests need when it runs as root (CI), builds the
# release binary once, then runs: unit, property, protocol and CLI tests; the
# shared-data acceptance scorers (skipped without ../shared); the Neovim
# end-to-end tests; the PostgreSQL store's tests against a throwaway primary and streaming
# replica (scripts/pg-cluster.sh; skipped with a message when PostgreSQL cannot be installed);
# the review page in headless Chromium; the editor packages in
# Neovim, Emacs and VS Code; a bounded run of every fuzz target (FUZZ_SECONDS each,
# 40 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '\n== %s\n' "$*"; }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing the editors the end-to-end tests drive (Debian packages)"
    bash tests/editors/install-deps.sh --vscode
    command -v npm >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
fi
for tool in nvim emacs npm chromium; do
    command -v "$tool" >/dev/null 2>&1 || { echo "copydesk tests need $tool: run tests/editors/install-deps.sh --vscode as root" >&2; exit 2; }
done

say "format and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --no-deps -- -D warnings

say "build (release)"
cargo build --release --locked -p copydesk
bin="$root/target/release/copydesk"

say "PostgreSQL: a throwaway primary and streaming replica for the store tests (stopped on exit)"
. scripts/pg-test-env.sh
pg_test_up

say "cargo test (release: the shared-data scorers check 19,043 stories)"
# This includes the language server's soak test (crates/copydesk/tests/soak.rs: `copydesk lsp`
# as a process, random edits, requests and corpus changes, its diagnostics against `copydesk
# check`) at its bounded default of 2,500 edits (seconds); COPYDESK_SOAK_EDITS runs a longer one.
cargo test --release --locked --workspace
pg_test_down

say "example: README's one-command check exits 1 on the planted errors"
set +e
(cd examples/newsroom && "$bin" check --format json draft.md >/dev/null)
code=$?
set -e
[ "$code" = 1 ] || { echo "expected exit 1 from the example check, got $code" >&2; exit 1; }

say "Neovim: the server through a real headless client"
bash tests/nvim/run.sh "$bin"

say "review page: check --format html in headless Chromium (DOM checked, screenshot saved)"
bash tests/review/run.sh "$bin"

say "VS Code extension: build.sh as users run it (relative paths; a failed build keeps the package)"
bash tests/editors/vscode-build.sh "$bin"

say "editor packages in the real editors: Neovim plugin, Emacs eglot, VS Code (code-server)"
VSCODE_E2E=1 bash tests/editors/run.sh "$bin"

say "fuzzing: every target in fuzz/ for ${FUZZ_SECONDS:-40} s (scripts/fuzz.sh)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-40}"

say "all tests passed"
