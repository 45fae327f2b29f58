# Sourced by scripts/test.sh and scripts/test-store.sh: a throwaway PostgreSQL primary and
# streaming replica (scripts/pg-cluster.sh) for the store tests, stopped whatever happens.
#   pg_test_up     starts both, exports COPYDESK_TEST_PG_URL and COPYDESK_TEST_PG_REPLICA_URL,
#                  and sets a trap that stops them on exit, error or interrupt; when PostgreSQL
#                  cannot be installed or started, says so and exports nothing (the store
#                  tests then skip, each with a message)
#   pg_test_down   stops them now
pg_test_dir=""

pg_test_down() {
    if [ -n "$pg_test_dir" ]; then
        bash "$(dirname "${BASH_SOURCE[0]}")/pg-cluster.sh" stop "$pg_test_dir" || true
        pg_test_dir=""
    fi
}

pg_test_up() {
    local here
    here="$(dirname "${BASH_SOURCE[0]}")"
    trap pg_test_down EXIT
    trap 'pg_test_down; exit 130' INT TERM
    if ! pg_test_dir=$(bash "$here/pg-cluster.sh" start); then
        pg_test_dir=""
        echo "PostgreSQL could not be installed or started here: the store's PostgreSQL tests will be skipped" >&2
        return 0
    fi
    set -a
    # shellcheck disable=SC1091
    . "$pg_test_dir/env"
    if bash "$here/pg-cluster.sh" replica "$pg_test_dir"; then
        # shellcheck disable=SC1091
        . "$pg_test_dir/env"
    else
        echo "the streaming replica did not start: the replica test will be skipped" >&2
    fi
    set +a
}
