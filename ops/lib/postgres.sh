# The private PostgreSQL cluster: under the data folder, on 127.0.0.1 and a non-default port.
# Sourced by ops/ledger; expects LEDGER_DATA_DIR and a `say` function.

PG_PORT="${LEDGER_PG_PORT:-55432}"  # also read by the application (LedgerSettings)

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

pg_install() {
  if [ -n "$(pg_bin)" ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    say "PostgreSQL is not installed: run 'sudo apt-get install -y postgresql' (or set ConnectionStrings__Ledger), then try again"
    exit 1
  fi
  say "installing PostgreSQL with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  [ -n "$(pg_bin)" ] || { say "apt-get did not install PostgreSQL"; exit 1; }
}

# initdb and pg_ctl refuse to run as root: as root they run as the postgres user, on folders it owns.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_cluster_dir() {
  local dir="$LEDGER_DATA_DIR/postgres"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$LEDGER_DATA_DIR" 2>/dev/null; then
    # The postgres user cannot reach the project's folder (a private home, say): keep the cluster
    # in a folder of its own, named after the project's path so that two checkouts never share one.
    dir="/var/lib/ledger-postgres/$(printf '%s' "$LEDGER_DATA_DIR" | sha256sum | cut -c1-12)"
  fi
  echo "$dir"
}

pg_running() {
  local dir; dir=$(pg_cluster_dir)
  [ -f "$dir/data/postmaster.pid" ] && pg_as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

pg_up() {
  pg_install
  local bin dir; bin=$(pg_bin); dir=$(pg_cluster_dir)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "creating the private PostgreSQL cluster in $dir"
    pg_as_owner mkdir -p "$dir/data" "$dir/socket"
    # Trust on loopback only: this cluster listens on 127.0.0.1 alone and serves one developer.
    # Production configures ConnectionStrings__Ledger instead.
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; say "initdb failed"; exit 1; }
  fi
  if ! pg_running; then
    pg_as_owner mkdir -p "$dir/socket"
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
      || { tail -n 20 "$dir/postgres.log" >&2; say "PostgreSQL did not start (log: $dir/postgres.log)"; exit 1; }
    say "PostgreSQL is running on 127.0.0.1:$PG_PORT"
  fi
  local db
  for db in ledger ledger_test; do
    if ! psql_admin -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      psql_admin -qc "create database $db" >/dev/null
    fi
  done
}

psql_admin() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

pg_down() {
  local bin dir; bin=$(pg_bin); dir=$(pg_cluster_dir)
  if [ -n "$bin" ] && pg_running; then
    pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    say "PostgreSQL stopped"
  else
    say "the private PostgreSQL cluster is not running"
  fi
}

# Verbs that only read files (offline proof checks, token minting, help) need no database.
pg_needed_for() {
  case "$1" in
    token|proof|witness|-h|--help|help|--version) return 1 ;;
    export) [ "${2:-}" != "verify" ] ;;
    *) return 0 ;;
  esac
}
