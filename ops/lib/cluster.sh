# A highly available PostgreSQL on one machine, for development and the failover test: one etcd member,
# Patroni managing two or three PostgreSQL members with synchronous replication, and two API nodes that
# reach the primary through Npgsql multi-host connection strings. Opt-in: `./ops/ledger up` never uses it.
# Sourced by ops/ledger after postgres.sh (pg_bin, pg_install, pg_as_owner, pg_roles, psql_admin);
# ops/docs/deployment.md says what each part guarantees.
#
# Everything lives under one folder (cluster_dir) and every process it starts has a pid file in
# run/ there: `cluster down` stops those pids and nothing else.

CLUSTER_BASE_PORT="${LEDGER_CLUSTER_BASE_PORT:-55470}"
CLUSTER_MEMBERS="${LEDGER_CLUSTER_MEMBERS:-3}"
CLUSTER_SCOPE=ledger
ETCD_CLIENT_PORT=$CLUSTER_BASE_PORT
ETCD_PEER_PORT=$((CLUSTER_BASE_PORT + 1))
cluster_pg_port() { echo $((CLUSTER_BASE_PORT + 1 + $1)); }      # members 1..3: 55472..55474
cluster_rest_port() { echo $((CLUSTER_BASE_PORT + 11 + $1)); }   # their Patroni REST APIs: 55482..55484
cluster_api_port() { echo $((CLUSTER_BASE_PORT + 19 + $1)); }    # API nodes 1..2: 55490, 55491

# As for the private cluster: the postgres user must reach the members' folders.
cluster_dir() { pg_owned_dir cluster -cluster; }

cluster_install() {
  pg_install
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni)
  command -v etcd >/dev/null || missing+=(etcd-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  # The packages' own services stay off: this cluster runs its processes itself, on its own ports.
  apt_install "the cluster" "${missing[@]}"
  command -v patroni >/dev/null && command -v etcd >/dev/null || { say "apt-get did not install ${missing[*]}"; exit 1; }
}

# The multi-host connection string the API nodes and the command line use: Npgsql tries the members in
# turn and keeps a session only on the one that is primary now (Host Recheck Seconds: how long it trusts
# what it learnt of a member before asking again).
cluster_connection() {
  local role="$1" hosts="" i
  for i in $(seq 1 "$CLUSTER_MEMBERS"); do hosts="${hosts:+$hosts,}127.0.0.1:$(cluster_pg_port "$i")"; done
  echo "Host=$hosts;Database=ledger;Username=$role;Target Session Attributes=primary;Host Recheck Seconds=1;Max Auto Prepare=50;Auto Prepare Min Usages=2"
}

# Starts a command in the background, in a session of its own, and writes its pid to a file: as the
# postgres user when asked ("owner") and we are root, else as ourselves ("self").
cluster_spawn() {
  local who="$1" pidfile="$2" log="$3"; shift 3
  if [ "$who" = owner ] && [ "$(id -u)" -eq 0 ]; then
    setsid runuser -u postgres -- sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
  else
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
  fi
  local waited=0
  while [ ! -s "$pidfile" ] && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
}

# Whether the pid in this file is alive and still the program we started (a pid can be reused).
cluster_alive() {
  local pidfile="$1" name="$2" pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name"
}

# TERM, then KILL after a while: only the pid in the file, and only if it is still ours.
cluster_stop_pid() {
  local pidfile="$1" name="$2" what="$3" waited=0
  if cluster_alive "$pidfile" "$name"; then
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    while cluster_alive "$pidfile" "$name" && [ $waited -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
    if cluster_alive "$pidfile" "$name"; then kill -KILL "$(cat "$pidfile")" 2>/dev/null || true; fi
    [ -n "$what" ] && say "stopped $what"
  fi
  rm -f "$pidfile"
}

cluster_member_config() {
  local dir="$1" i="$2" bin="$3"
  local member="$dir/pg$i"
  cat <<YAML
scope: $CLUSTER_SCOPE
namespace: /ledger-cluster/
name: pg$i
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$(cluster_rest_port "$i")
  connect_address: 127.0.0.1:$(cluster_rest_port "$i")
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT_PORT
bootstrap:
  dcs:
    # Short loops so that a dead primary is noticed within a second or two (ttl >= loop_wait + 2 * retry_timeout).
    ttl: 20
    loop_wait: 1
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    # A commit is acknowledged only once a synchronous standby has it, even when no standby is left
    # (then writes wait rather than being acknowledged by the primary alone).
    synchronous_mode: true
    synchronous_mode_strict: true
    # A primary whose PostgreSQL died is not restarted in place: its synchronous standby is promoted.
    primary_start_timeout: 0
    postgresql:
      use_pg_rewind: true
      # No replication slots: a standby re-pointed at a new primary streams at once instead of waiting for
      # Patroni to create its slot there (measured: first acknowledged append 2.3 s after a kill -9 of the
      # primary without slots, 5.0 s with them); wal_keep_size keeps the WAL a standby may still need.
      use_slots: false
      parameters:
        max_connections: 300
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 512MB
        # A standby re-pointed at the new primary retries streaming this often (PostgreSQL's default is 5 s);
        # until one streams, strict synchronous mode holds every commit, so this is most of the recovery time.
        wal_retrieve_retry_interval: 500ms
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - username: postgres
postgresql:
  listen: 127.0.0.1:$(cluster_pg_port "$i")
  connect_address: 127.0.0.1:$(cluster_pg_port "$i")
  data_dir: $member/data
  bin_dir: $bin
  pgpass: $member/pgpass
  # Trust on loopback only, as the private cluster: these members listen on 127.0.0.1 alone.
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
  authentication:
    superuser:
      username: postgres
    replication:
      username: replicator
    rewind:
      username: postgres
  parameters:
    unix_socket_directories: '$member/socket'
    # Whichever member is primary archives its WAL into the pgBackRest repository (ops/lib/backup.sh).
    archive_mode: "on"
    archive_command: '$(backup_archive_command "$member/data")'
    archive_timeout: 60s
YAML
}

# Patroni's view of the cluster from whichever member answers: {"members": [{name, role, state, host, port, lag…}]}.
cluster_members_json() {
  local i
  for i in $(seq 1 "$CLUSTER_MEMBERS"); do
    curl -fsS --max-time 2 "http://127.0.0.1:$(cluster_rest_port "$i")/cluster" 2>/dev/null && return 0
  done
  return 1
}

# "name role state port lag" per member, one a line.
cluster_members() {
  cluster_members_json | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("members", []):
    print(m.get("name"), m.get("role"), m.get("state"), m.get("port"), m.get("lag", "-"))'
}

cluster_leader_port() { cluster_members | awk '$2 == "leader" && $3 == "running" { print $4; exit }'; }

cluster_wait_ready() {
  local waited=0 members
  while [ $waited -lt 180 ]; do
    members=$(cluster_members 2>/dev/null || true)
    if grep -q ' leader running ' <<<"$members" && grep -Eq ' sync_standby (running|streaming) ' <<<"$members"; then return 0; fi
    sleep 1; waited=$((waited + 1))
  done
  say "Patroni did not report a leader and a synchronous standby within 180 s:"
  printf '%s\n' "$members" >&2
  say "logs: $(cluster_dir)/logs"
  exit 1
}

cluster_etcd_up() {
  local dir="$1"
  if cluster_alive "$dir/run/etcd.pid" etcd; then return 0; fi
  cluster_spawn owner "$dir/run/etcd.pid" "$dir/logs/etcd.log" etcd --name ledger-etcd --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "ledger-etcd=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new
  local waited=0
  until curl -fsS --max-time 1 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" 2>/dev/null | grep -q true; do
    sleep 0.2; waited=$((waited + 1))
    if [ $waited -gt 150 ]; then tail -n 20 "$dir/logs/etcd.log" >&2; say "etcd did not start"; exit 1; fi
  done
  say "etcd is running on 127.0.0.1:$ETCD_CLIENT_PORT"
}

cluster_patroni_up() {
  local dir="$1" bin i
  bin=$(pg_bin)
  for i in $(seq 1 "$CLUSTER_MEMBERS"); do
    pg_as_owner mkdir -p "$dir/pg$i/socket"
    cluster_member_config "$dir" "$i" "$bin" | pg_as_owner tee "$dir/pg$i/patroni.yml" >/dev/null
    if cluster_alive "$dir/run/patroni-pg$i.pid" patroni; then continue; fi
    cluster_spawn owner "$dir/run/patroni-pg$i.pid" "$dir/logs/patroni-pg$i.log" patroni "$dir/pg$i/patroni.yml"
    # The first member bootstraps alone, so that it is the one that runs initdb.
    if [ "$i" -eq 1 ] && [ ! -f "$dir/pg1/data/PG_VERSION" ]; then
      local waited=0
      until cluster_members 2>/dev/null | grep -q ' leader running '; do
        sleep 1; waited=$((waited + 1))
        if [ $waited -gt 120 ]; then tail -n 20 "$dir/logs/patroni-pg1.log" >&2; say "the first member did not bootstrap"; exit 1; fi
      done
    fi
  done
}

# The API nodes' shared settings: the multi-host strings, supervisors' reads on standbys, and one data folder for
# both, so they sign checkpoints and check tokens with the same keys.
cluster_api_env() {
  local dir="$1"
  export ConnectionStrings__Ledger ConnectionStrings__LedgerOwner
  ConnectionStrings__Ledger=$(cluster_connection ledger_app)
  ConnectionStrings__LedgerOwner=$(cluster_connection ledger_owner)
  export LEDGER_DATA_DIR="$dir/ledger"
  # Supervisors' view queries on a standby while its views keep up (Ledger:StandbyMaxLag, 5 s by default).
  export Ledger__SupervisorReads=PreferStandby
  # Times on the nodes' log lines, to set beside Patroni's when a failover is read back.
  export Logging__Console__TimestampFormat='HH:mm:ss.fff '
}

cluster_api_up() {
  local dir="$1" n port waited
  for n in 1 2; do
    port=$(cluster_api_port "$n")
    if cluster_alive "$dir/run/api-$n.pid" Ledger.Api.dll; then continue; fi
    (
      cluster_api_env "$dir"
      cd "$ROOT/src/Ledger.Api/bin/$CONFIGURATION/net10.0"
      cluster_spawn self "$dir/run/api-$n.pid" "$dir/logs/api-$n.log" dotnet "$API_DLL" --urls "http://127.0.0.1:$port"
    )
    waited=0
    until curl -fsS --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
      sleep 0.5; waited=$((waited + 1))
      if [ $waited -gt 180 ] || ! cluster_alive "$dir/run/api-$n.pid" Ledger.Api.dll; then
        tail -n 30 "$dir/logs/api-$n.log" >&2; say "API node $n did not become ready"; exit 1
      fi
    done
    say "API node $n is serving on http://127.0.0.1:$port"
  done
}

cmd_cluster_up() {
  cluster_install
  local dir; dir=$(cluster_dir)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  pg_as_owner mkdir -p "$dir/run" "$dir/logs" "$dir/etcd"
  mkdir -p "$dir/ledger"
  backup_configure "$dir"
  cluster_etcd_up "$dir"
  cluster_patroni_up "$dir"
  cluster_wait_ready
  local primary; primary=$(cluster_leader_port)
  say "Patroni reports a leader (127.0.0.1:$primary) and a synchronous standby"
  # The databases and the two roles, on the primary, as for the private cluster (standbys follow).
  (
    PG_PORT=$primary
    if ! psql_admin -tAc "select 1 from pg_database where datname = 'ledger'" | grep -q 1; then
      psql_admin -qc "create database ledger" >/dev/null
    fi
    pg_roles
  )
  backup_stanza "$dir"
  build
  # The same setup `up` runs on a configured database: the schema, and the scenario only with --demo.
  ( cluster_api_env "$dir"; cli setup "$@" )
  cluster_api_up "$dir"
  cmd_cluster_status
}

cmd_cluster_status() {
  local dir; dir=$(cluster_dir)
  echo "cluster folder: $dir"
  if cluster_alive "$dir/run/etcd.pid" etcd; then echo "etcd: running on 127.0.0.1:$ETCD_CLIENT_PORT (pid $(cat "$dir/run/etcd.pid"))"; else echo "etcd: not running"; fi
  local members
  if members=$(cluster_members 2>/dev/null) && [ -n "$members" ]; then
    echo "members (Patroni):"
    printf '  %-5s %-13s %-10s %-16s %s\n' member role state address "lag (bytes)"
    awk '{ printf "  %-5s %-13s %-10s 127.0.0.1:%-6s %s\n", $1, $2, $3, $4, $5 }' <<<"$members"
  else
    echo "members: no Patroni member answers"
  fi
  local n port ready
  for n in 1 2; do
    port=$(cluster_api_port "$n")
    if cluster_alive "$dir/run/api-$n.pid" Ledger.Api.dll; then
      ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$port/health/ready" || true)
      echo "API node $n: http://127.0.0.1:$port (pid $(cat "$dir/run/api-$n.pid")), /health/ready $ready"
    else
      echo "API node $n: not running"
    fi
  done
  backup_status "$dir"
}

cmd_cluster_down() {
  local dir; dir=$(cluster_dir)
  local n i
  for n in 1 2; do cluster_stop_pid "$dir/run/api-$n.pid" Ledger.Api.dll "API node $n"; done
  # The WAL up to this moment into the backup repository, while a primary still runs (ops/lib/backup.sh).
  if backup_archive_now "$dir"; then say "the WAL up to now is in the backup repository"; fi
  # Every member at once: stopping them one by one would have Patroni fail over to the next.
  local stopping=()
  for i in $(seq 1 3); do
    if cluster_alive "$dir/run/patroni-pg$i.pid" patroni; then
      kill -TERM "$(cat "$dir/run/patroni-pg$i.pid")" 2>/dev/null || true
      stopping+=("$i")
    fi
  done
  for i in "${stopping[@]}"; do
    cluster_stop_pid "$dir/run/patroni-pg$i.pid" patroni ""
    say "stopped Patroni member pg$i (and its PostgreSQL)"
  done
  # A PostgreSQL that outlived its Patroni (one killed with -9) is stopped through its own pid file.
  local bin; bin=$(pg_bin)
  for i in $(seq 1 3); do
    if [ -n "$bin" ] && [ -f "$dir/pg$i/data/postmaster.pid" ] && pg_as_owner "$bin/pg_ctl" -D "$dir/pg$i/data" status >/dev/null 2>&1; then
      pg_as_owner "$bin/pg_ctl" -D "$dir/pg$i/data" -m fast -w stop >/dev/null && say "stopped PostgreSQL pg$i"
    fi
  done
  cluster_stop_pid "$dir/run/etcd.pid" etcd "etcd"
  say "the cluster is down (its data stays in $dir)"
}

# The failover test: the cluster up (started if it is not), a workload through both API nodes, the primary's
# postmaster killed with SIGKILL and then a planned switchover, supervisors' reads on standbys, every acknowledged
# append looked for, `verify` run through the multi-host connection (so against whichever member is primary now) and
# against the checkpoint signed just before the kill. Then the same kill with asynchronous replication and the
# standbys held behind, to measure what that loses (its losses are reported, not failed on), and the cluster back to
# synchronous replication. `cluster test --faults …` runs the synchronous part with those faults only;
# `cluster test --replication async` the asynchronous part only.
cmd_cluster_test() {
  local dir; dir=$(cluster_dir)
  if ! cluster_alive "$dir/run/api-1.pid" Ledger.Api.dll || ! cluster_alive "$dir/run/api-2.pid" Ledger.Api.dll \
     || ! cluster_members 2>/dev/null | grep -q ' leader running '; then
    cmd_cluster_up
  else
    build
    # A node started before this build runs the old binaries: restart it (one at a time, the other serving).
    local n
    for n in 1 2; do
      if [ "$API_DLL" -nt "$dir/run/api-$n.pid" ]; then
        cluster_stop_pid "$dir/run/api-$n.pid" Ledger.Api.dll "API node $n (built anew)"
        cluster_api_up "$dir"
      fi
    done
  fi
  cluster_wait_ready
  local nodes patroni i
  nodes="http://127.0.0.1:$(cluster_api_port 1),http://127.0.0.1:$(cluster_api_port 2)"
  for i in $(seq 1 "$CLUSTER_MEMBERS"); do patroni="${patroni:+$patroni,}http://127.0.0.1:$(cluster_rest_port "$i")"; done
  local sync=1 async=1
  case " $* " in
    *" --replication async "*) sync=0 ;;
    "  ") ;;
    *) async=0 ;;
  esac
  local out="$ROOT/artifacts/cluster" status=0 run
  mkdir -p "$out"
  rm -f "$out/checkpoint-before-kill.txt" "$out/checkpoint-before-async-kill.txt"
  harness() {
    dotnet "$CHAOS_DLL" failover --nodes "$nodes" --patroni "$patroni" --connection "$(cluster_connection postgres)" \
      --data-dir "$dir/ledger" "$@"
  }
  if [ "$sync" -eq 1 ]; then
    run=0
    harness --out "$out/failover.json" --checkpoint-out "$out/checkpoint-before-kill.txt" "$@" || run=$?
    if [ "$run" -eq 2 ]; then exit 2; fi
    [ "$run" -eq 0 ] || status=1
    say "verify, through the multi-host connection (the primary now):"
    ( cluster_api_env "$dir"; cli verify ) || status=1
    if [ -f "$out/checkpoint-before-kill.txt" ]; then
      say "verify against the checkpoint signed just before the kill (nothing acknowledged before it may be missing):"
      ( cluster_api_env "$dir"; cli verify --against "$out/checkpoint-before-kill.txt" ) || status=1
    fi
  fi
  if [ "$async" -eq 1 ]; then
    say "the same kill with asynchronous replication, the standbys held behind:"
    run=0
    if [ "$sync" -eq 1 ]; then
      harness --replication async --out "$out/failover-async.json" --checkpoint-out "$out/checkpoint-before-async-kill.txt" || run=$?
    else
      harness --out "$out/failover-async.json" --checkpoint-out "$out/checkpoint-before-async-kill.txt" "$@" || run=$?
    fi
    if [ "$run" -eq 2 ]; then exit 2; fi
    [ "$run" -eq 0 ] || status=1
    ( cluster_api_env "$dir"; cli verify ) || status=1
    if [ -f "$out/checkpoint-before-async-kill.txt" ]; then
      say "verify against the checkpoint signed just before the asynchronous kill (expected to fail if acknowledged events were lost):"
      if ( cluster_api_env "$dir"; cli verify --against "$out/checkpoint-before-async-kill.txt" ); then
        say "the kept checkpoint still verifies: nothing it covered was lost"
      else
        say "the kept checkpoint no longer verifies: the failover lost events it covered (what asynchronous replication risks)"
      fi
    fi
  fi
  cmd_cluster_status
  if [ "$status" -ne 0 ]; then say "the failover test failed"; exit 1; fi
  say "the failover test passed (artifacts/cluster/failover*.json)"
}
