#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for copydesk's store tests (and for trying the store by hand).
#
#   scripts/pg-cluster.sh start [DIR]    initdb + start a primary on 127.0.0.1 at a free port
#   scripts/pg-cluster.sh replica DIR    add a streaming replica (pg_basebackup -R) on another port
#   scripts/pg-cluster.sh stop DIR       stop both and remove DIR
#   scripts/pg-cluster.sh pause DIR      stop the primary, keeping DIR (a database gone away)
#   scripts/pg-cluster.sh resume DIR     start the paused primary again, on its port
#   scripts/pg-cluster.sh promote DIR    promote the replica to a primary (a failover)
#
# `start` prints DIR (a new temp dir when not given) on its last line and writes DIR/env:
#   COPYDESK_TEST_PG_URL=postgres://copydesk_admin@127.0.0.1:PORT/copydesk_test
# (and COPYDESK_TEST_PG_CA, the CA of the server's TLS certificate, when openssl is there),
# and `replica` adds COPYDESK_TEST_PG_REPLICA_URL. `set -a; . DIR/env; set +a` then
# `cargo test` runs the store tests against it; without those variables they are skipped.
#
# As root (CI), the postgresql package is installed from Debian when missing and the
# cluster runs as the `postgres` user (PostgreSQL refuses to run as root). fsync is off:
# this cluster is for tests. Local connections by copydesk_admin (a superuser) and
# replication are trusted; every other role logs in with its password (scram-sha-256).
set -euo pipefail

die() { echo "pg-cluster: $*" >&2; exit 1; }

bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return 0; }
    return 1
}

install_postgres() {
    bindir >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "pg-cluster: installing postgresql (Debian)" >&2
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1 || true
    fi
    bindir >/dev/null
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

wait_ready() { # port
    local bin=$1 port=$2 i
    for i in $(seq 1 100); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && return 0
        sleep 0.1
    done
    return 1
}

start_server() { # bin datadir port log
    local bin=$1 data=$2 port=$3 log=$4
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 -o \
        "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$(dirname "$data")' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on" \
        start >/dev/null || { cat "$log" >&2; return 1; }
    wait_ready "$bin" "$port"
}

# TLS for the sslmode tests: a CA of this cluster's own and a server certificate for
# 127.0.0.1 and localhost, used by the primary (and so by its replica, which copies it).
# Without openssl the cluster runs without TLS and those tests are skipped.
make_certificates() { # dir
    local dir=$1
    command -v openssl >/dev/null 2>&1 || return 0
    (
        cd "$dir"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=copydesk test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -keyout ca.key -out ca.crt
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3 -extfile server.ext -out server.crt
    ) >/dev/null 2>&1 || { rm -f "$dir/ca.crt"; return 0; }
    cp "$dir/server.crt" "$dir/server.key" "$dir/primary/"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/primary/server.crt" "$dir/primary/server.key"
    chmod 600 "$dir/primary/server.key"
    printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" | as_owner tee -a "$dir/primary/postgresql.auto.conf" >/dev/null
}

cmd_start() {
    install_postgres || die "PostgreSQL is not installed and cannot be installed here"
    local bin dir port
    bin=$(bindir)
    dir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/copydesk-pg.XXXXXX")}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
        chown postgres "$dir"
    fi
    chmod 755 "$dir"
    port=$(free_port)
    as_owner "$bin/initdb" -D "$dir/primary" -U copydesk_admin -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || as_owner "$bin/initdb" -D "$dir/primary" -U copydesk_admin -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    cat > "$dir/hba.conf" <<HBA
local   all           all                          trust
host    all           copydesk_admin 127.0.0.1/32  trust
host    replication   copydesk_admin 127.0.0.1/32  trust
host    all           all            127.0.0.1/32  scram-sha-256
HBA
    as_owner cp "$dir/hba.conf" "$dir/primary/pg_hba.conf"
    make_certificates "$dir"
    start_server "$bin" "$dir/primary" "$port" "$dir/primary.log" || die "the primary did not start"
    "$bin/psql" -q -h 127.0.0.1 -p "$port" -U copydesk_admin -d postgres -c "CREATE DATABASE copydesk_test" >/dev/null
    echo "$port" > "$dir/primary.port"
    echo "COPYDESK_TEST_PG_URL=postgres://copydesk_admin@127.0.0.1:$port/copydesk_test" > "$dir/env"
    [ -f "$dir/ca.crt" ] && echo "COPYDESK_TEST_PG_CA=$dir/ca.crt" >> "$dir/env"
    echo "pg-cluster: primary on 127.0.0.1:$port (data in $dir/primary)" >&2
    echo "$dir"
}

cmd_replica() {
    local dir=${1:?usage: pg-cluster.sh replica DIR} bin port primary
    bin=$(bindir) || die "PostgreSQL is not installed"
    primary=$(cat "$dir/primary.port")
    port=$(free_port)
    as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U copydesk_admin -D "$dir/replica" -R -X stream -c fast --no-sync \
        >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; die "pg_basebackup failed"; }
    start_server "$bin" "$dir/replica" "$port" "$dir/replica.log" || die "the replica did not start"
    echo "$port" > "$dir/replica.port"
    echo "COPYDESK_TEST_PG_REPLICA_URL=postgres://copydesk_admin@127.0.0.1:$port/copydesk_test" >> "$dir/env"
    echo "pg-cluster: replica on 127.0.0.1:$port, streaming from $primary" >&2
}

cmd_stop() {
    local dir=${1:?usage: pg-cluster.sh stop DIR} bin node
    [ -d "$dir" ] || return 0
    bin=$(bindir) || true
    for node in replica primary; do
        if [ -n "${bin:-}" ] && [ -f "$dir/$node/postmaster.pid" ]; then
            as_owner "$bin/pg_ctl" -D "$dir/$node" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$dir"
}

cmd_pause() {
    local dir=${1:?usage: pg-cluster.sh pause DIR} bin
    bin=$(bindir) || die "PostgreSQL is not installed"
    as_owner "$bin/pg_ctl" -D "$dir/primary" -m fast -w -t 30 stop >/dev/null
}

cmd_resume() {
    local dir=${1:?usage: pg-cluster.sh resume DIR} bin
    bin=$(bindir) || die "PostgreSQL is not installed"
    start_server "$bin" "$dir/primary" "$(cat "$dir/primary.port")" "$dir/primary.log" || die "the primary did not start again"
}

cmd_promote() {
    local dir=${1:?usage: pg-cluster.sh promote DIR} bin
    bin=$(bindir) || die "PostgreSQL is not installed"
    as_owner "$bin/pg_ctl" -D "$dir/replica" -w -t 60 promote >/dev/null
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    replica) shift; cmd_replica "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    pause) shift; cmd_pause "$@" ;;
    resume) shift; cmd_resume "$@" ;;
    promote) shift; cmd_promote "$@" ;;
    *) die "usage: pg-cluster.sh start [DIR] | replica DIR | stop DIR | pause DIR | resume DIR | promote DIR" ;;
esac
