#!/usr/bin/env bash
# The PostgreSQL store's tests alone, with their throwaway primary and replica (the part of
# scripts/test.sh that needs PostgreSQL; as root it installs postgresql from Debian when
# missing). Extra arguments go to the test binaries (a test name, --nocapture).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg-test-env.sh
pg_test_up
cargo test --release --locked -p copydesk-store --test postgres -- "$@"
cargo test --release --locked -p copydesk --test store_pg -- "$@"
