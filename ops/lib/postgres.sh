# The private PostgreSQL cluster: under the data folder, on 127.0.0.1 and a non-default port.
# Sourced by ops/ledger; expects LEDGER_DATA_DIR and a `say` function.

PG_PORT="${LEDGER_PG_PORT:-55432}"  # also read by the application (LedgerSettings)

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# Debian packages the ledger's verbs need, installed with apt-get when run as root; otherwise the one command
# to run, and a stop. Waits for dpkg's lock (other checkouts on the machine may be installing at the same time).
#   apt_install "what needs them" package…
apt_install() {
  local what="$1"; shift
  if [ "$(id -u)" -ne 0 ]; then
    say "$what needs $*: run 'sudo apt-get update && sudo apt-get install -y $*', then try again"
    exit 1
  fi
  say "installing $* with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$LEDGER_DATA_DIR"
  local log="$LEDGER_DATA_DIR/apt.log"
  if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    say "apt-get could not install $* (log: $log)"
    exit 1
  fi
}

pg_install() {
  if [ -n "$(pg_bin)" ]; then return 0; fi
  apt_install "the private PostgreSQL (or set ConnectionStrings__Ledger)" postgresql
  [ -n "$(pg_bin)" ] || { say "apt-get did not install PostgreSQL"; exit 1; }
}

# initdb and pg_ctl refuse to run as root: as root they run as the postgres user, on folders it owns.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A folder the postgres user owns files in: NAME under the data folder, or, as root when the postgres
# user cannot reach the project's folder (a private home, say), a folder of its own under
# /var/lib/ledger-postgres named after the project's path (then SUFFIX), so that two checkouts never share one.
pg_owned_dir() {
  local name="$1" suffix="${2:-}"
  # The data folder first, so that where a cluster lives never depends on whether a verb had made
  # the folder before (a cluster started before it existed would be looked for elsewhere afterwards).
  mkdir -p "$LEDGER_DATA_DIR"
  local dir="$LEDGER_DATA_DIR/$name"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$LEDGER_DATA_DIR" 2>/dev/null; then
    dir="/var/lib/ledger-postgres/$(printf '%s' "$LEDGER_DATA_DIR" | sha256sum | cut -c1-12)$suffix"
  fi
  echo "$dir"
}

pg_cluster_dir() { pg_owned_dir postgres; }

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
  pg_roles
}

# The ledger's two roles (ops/docs/roles.md; `ledger roles sql` prints the same for a configured
# database): ledger_owner applies the schema and owns its tables, ledger_app (the API's and the
# command line's) owns nothing, so it cannot switch a guard off. Loopback trust stays: this cluster
# serves one developer, and the roles are about what each may do, not how it logs in. A ledger
# schema made before the roles (owned by postgres) is handed to the owner, objects and all.
pg_roles() {
  psql_admin -d ledger -q >/dev/null <<'SQL'
do $roles$
declare
  r record;
begin
  if not exists (select 1 from pg_roles where rolname = 'ledger_owner') then create role ledger_owner login; end if;
  if not exists (select 1 from pg_roles where rolname = 'ledger_app') then create role ledger_app login; end if;
  grant connect, create on database ledger to ledger_owner;
  -- zone add makes the master table's database (ledger_zones) and a new zone's database as the owner.
  alter role ledger_owner createdb;
  grant connect on database ledger to ledger_app;
  for r in select n.nspname from pg_namespace n
           where n.nspowner = 'postgres'::regrole and n.nspname not like 'pg\_%' and n.nspname not in ('public', 'information_schema') loop
    execute format('alter schema %I owner to ledger_owner', r.nspname);
  end loop;
  for r in select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspowner = 'ledger_owner'::regrole and c.relowner <> 'ledger_owner'::regrole and c.relkind in ('r', 'p', 'S', 'v', 'm')
             -- a serial or identity column's sequence follows its table
             and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')) loop
    execute format('alter %s %I.%I owner to ledger_owner',
      case r.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end, r.nspname, r.relname);
  end loop;
  for r in select p.oid::regprocedure as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspowner = 'ledger_owner'::regrole and p.proowner <> 'ledger_owner'::regrole loop
    execute format('alter routine %s owner to ledger_owner', r.f);
  end loop;
end
$roles$;
SQL
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
    token|proof|witness|roles|-h|--help|help|--version) return 1 ;;
    export) [ "${2:-}" != "verify" ] ;;
    *) return 0 ;;
  esac
}
