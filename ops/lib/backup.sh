# Backups of the Patroni cluster with pgBackRest (Debian's package), and point-in-time restores into a
# PostgreSQL of their own. Sourced by ops/ledger after cluster.sh (cluster_dir, cluster_members, cluster_spawn,
# cluster_alive, cluster_stop_pid) and postgres.sh (pg_bin, pg_as_owner); ops/docs/deployment.md ("Backups and
# point-in-time restore") says what it guarantees.
#
# The repository, its configuration, logs and locks live in the cluster's folder, under backup/. Every member
# archives its WAL there while it is primary (archive_command in its patroni.yml, cluster_member_config); a
# backup is taken from whichever member is primary now. A restore goes into a folder of its own (restore/ by
# default) and runs a standalone PostgreSQL there: it never touches the members, their data or the repository
# (archiving is off in it).

BACKUP_STANZA=ledger
# A restore's port unless --port says otherwise: 55500 with the default base port.
BACKUP_RESTORE_PORT=$((CLUSTER_BASE_PORT + 30))

backup_dir() { echo "$1/backup"; }
backup_conf() { echo "$(backup_dir "$1")/pgbackrest.conf"; }

backup_install() {
  command -v pgbackrest >/dev/null && return 0
  apt_install "backups" pgbackrest
  command -v pgbackrest >/dev/null || { say "apt-get did not install pgbackrest"; exit 1; }
}

# What each member's PostgreSQL runs to archive a WAL segment (%p is relative to its data folder, hence pg1-path).
backup_archive_command() {
  echo "pgbackrest --config=$(backup_conf "$(cluster_dir)") --stanza=$BACKUP_STANZA --pg1-path=$1 archive-push %p"
}

# The repository and its configuration, written before the members start (their archive_command names it).
# Which member to back up is given on each command line (backup_primary_options): it moves with failovers.
backup_configure() {
  local dir="$1" b; b=$(backup_dir "$1")
  backup_install
  pg_as_owner mkdir -p "$b/repo" "$b/log" "$b/lock" "$b/spool"
  pg_as_owner tee "$(backup_conf "$dir")" >/dev/null <<CONF
# Written by ./ops/ledger cluster up (ops/lib/backup.sh); rewritten at each up.
[global]
repo1-path=$b/repo
# Two full backups and the incremental ones and WAL that depend on them; older ones expire after each backup.
repo1-retention-full=2
compress-type=zst
compress-level=3
# A backup starts at once (an immediate checkpoint), not at the next scheduled one.
start-fast=y
# How long a backup or check waits for a WAL segment to reach the repository.
archive-timeout=60
log-path=$b/log
lock-path=$b/lock
spool-path=$b/spool
log-level-console=warn
log-level-file=info

[$BACKUP_STANZA]
CONF
}

# pgbackrest with this cluster's configuration, as the postgres user.
backup_pgbackrest() {
  pg_as_owner pgbackrest --config="$(backup_conf "$(cluster_dir)")" --stanza="$BACKUP_STANZA" "$@"
}

# The primary's data folder, port and socket, as pgbackrest's pg1-* options (empty when no member leads).
backup_primary_options() {
  local dir="$1" name port
  read -r name port < <(cluster_members 2>/dev/null | awk '$2 == "leader" && $3 == "running" { print $1, $4; exit }') || true
  [ -n "${name:-}" ] || return 1
  echo "--pg1-path=$dir/$name/data --pg1-port=$port --pg1-socket-path=$dir/$name/socket --pg1-user=postgres"
}

# The stanza, made (or found) at `cluster up` on the primary, and a check that a WAL segment reaches the repository.
backup_stanza() {
  local dir="$1" options
  options=$(backup_primary_options "$dir") || { say "no primary to create the backup stanza on"; exit 1; }
  # shellcheck disable=SC2086
  backup_pgbackrest $options stanza-create >/dev/null \
    || { say "pgbackrest stanza-create failed (logs: $(backup_dir "$dir")/log)"; exit 1; }
  # shellcheck disable=SC2086
  backup_pgbackrest $options check >/dev/null \
    || { say "pgbackrest check failed: WAL does not reach the repository (logs: $(backup_dir "$dir")/log, $dir/logs)"; exit 1; }
  say "pgBackRest: stanza '$BACKUP_STANZA' in $(backup_dir "$dir")/repo; the primary archives its WAL there"
}

# A transaction committed on the primary now, then the WAL switched and archived up to it: a restore can reach
# any time before this moment. Called by restore, and by `cluster down` once the API nodes have stopped.
backup_archive_now() {
  local dir="$1" options
  [ -f "$(backup_conf "$dir")" ] && command -v pgbackrest >/dev/null || return 1
  options=$(backup_primary_options "$dir") || return 1
  psql -h 127.0.0.1 -p "$(sed -E 's/.*--pg1-port=([0-9]+).*/\1/' <<<"$options")" -U postgres -d postgres -qtAc "select txid_current()" >/dev/null || return 1
  # shellcheck disable=SC2086
  backup_pgbackrest $options check >/dev/null
}

backup_info_json() { backup_pgbackrest --output=json info 2>/dev/null; }

# ./ops/ledger cluster backup [--type full|incr|diff]
cmd_cluster_backup() {
  local type=full
  while [ $# -gt 0 ]; do
    case "$1" in
      --type)
        [ $# -ge 2 ] || { say "--type needs full, incr or diff"; exit 2; }
        case "$2" in full|incr|diff) type="$2" ;; *) say "--type takes full, incr or diff, not '$2'"; exit 2 ;; esac
        shift 2 ;;
      *) say "cluster backup takes --type full|incr|diff, not '$1'"; exit 2 ;;
    esac
  done
  local dir; dir=$(cluster_dir)
  [ -f "$(backup_conf "$dir")" ] || { say "no backup repository yet: ./ops/ledger cluster up configures it"; exit 1; }
  local options; options=$(backup_primary_options "$dir") || { say "no member is primary now: a backup is taken from the primary"; exit 1; }
  say "taking a backup ($type) from the primary (${options%% *})…"
  local started ended
  started=$(date +%s.%N)
  # shellcheck disable=SC2086
  backup_pgbackrest $options --type="$type" backup \
    || { say "the backup failed (logs: $(backup_dir "$dir")/log)"; exit 1; }
  ended=$(date +%s.%N)
  backup_info_json | python3 "$ROOT/ops/lib/backup-info.py" latest "$(awk -v a="$started" -v b="$ended" 'BEGIN { print b - a }')"
}

# ./ops/ledger cluster backups: every backup in the repository and the WAL archived.
cmd_cluster_backups() {
  local dir; dir=$(cluster_dir)
  [ -f "$(backup_conf "$dir")" ] || { say "no backup repository yet: ./ops/ledger cluster up configures it"; exit 1; }
  local json; json=$(backup_info_json) || { say "pgbackrest info failed (logs: $(backup_dir "$dir")/log)"; exit 1; }
  python3 "$ROOT/ops/lib/backup-info.py" list "$(backup_dir "$dir")/repo" <<<"$json"
}

# One line for `cluster status`.
backup_status() {
  local dir="$1"
  [ -f "$(backup_conf "$dir")" ] && command -v pgbackrest >/dev/null || { echo "backups: not configured (cluster up configures pgBackRest)"; return 0; }
  local json; json=$(backup_info_json) || { echo "backups: pgbackrest info failed"; return 0; }
  python3 "$ROOT/ops/lib/backup-info.py" status <<<"$json"
  local into="$dir/restore"
  if backup_restore_running "$into"; then echo "restore: running on 127.0.0.1:$(backup_restore_port "$into") (data $into/data)"; fi
}

# " --into DIR" when DIR is not the default restore folder.
backup_into_option() { [ "$2" = "$(realpath -m "$1/restore")" ] || printf ' --into %s' "$2"; }

backup_restore_running() {
  local into="$1"
  [ -f "$into/data/postmaster.pid" ] && pg_as_owner "$(pg_bin)/pg_ctl" -D "$into/data" status >/dev/null 2>&1
}

backup_restore_port() { sed -n 4p "$1/data/postmaster.pid" 2>/dev/null; }

# Whether the first time (epoch seconds, with a fraction) is later than the second.
backup_later() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

backup_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ./ops/ledger cluster restore --to TIME [--port P] [--into DIR]
cmd_cluster_restore() {
  local to="" port="$BACKUP_RESTORE_PORT" into="" dir
  dir=$(cluster_dir)
  while [ $# -gt 0 ]; do
    case "$1" in
      --to|--port|--into)
        [ $# -ge 2 ] && [ -n "$2" ] || { say "$1 needs a value"; exit 2; }
        case "$1" in --to) to="$2" ;; --port) port="$2" ;; --into) into="$2" ;; esac
        shift 2 ;;
      *) say "cluster restore takes --to TIME [--port P] [--into DIR], not '$1'"; exit 2 ;;
    esac
  done
  [ -n "$to" ] || { say "cluster restore needs --to TIME (e.g. --to '$(date -u '+%Y-%m-%d %H:%M:%S+00')')"; exit 2; }
  backup_restore "$dir" "$to" "$port" "${into:-$dir/restore}"
}

# The restore itself; RESTORE_SECONDS, RESTORE_TARGET and RESTORE_EVENTS are left for the restore test.
backup_restore() {
  local dir="$1" to="$2" port="$3" into="$4"
  local target_epoch now
  if ! target_epoch=$(TZ=UTC date -d "$to" +%s.%6N 2>/dev/null); then
    say "cannot read '$to' as a time: give it as '$(date -u '+%Y-%m-%d %H:%M:%S+00')' (a time zone, or UTC is assumed)"; exit 2
  fi
  now=$(date -u +%s.%6N)
  if backup_later "$target_epoch" "$now"; then
    say "$(date -u -d "@$target_epoch" '+%Y-%m-%d %H:%M:%S UTC') is in the future: a restore reaches at most the last WAL archived"; exit 2
  fi
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then
    say "--port takes a port from 1024 to 65535, not '$port'"; exit 2
  fi
  if backup_port_in_use "$port"; then say "port $port is in use: give another with --port"; exit 2; fi
  [ -f "$(backup_conf "$dir")" ] || { say "no backup repository: ./ops/ledger cluster up configures it"; exit 1; }
  local first
  first=$(backup_info_json | python3 "$ROOT/ops/lib/backup-info.py" first-stop) \
    || { say "pgbackrest info failed (logs: $(backup_dir "$dir")/log)"; exit 1; }
  [ -n "$first" ] || { say "there is no backup to restore from yet: ./ops/ledger cluster backup takes one"; exit 2; }
  if backup_later "$first" "$target_epoch"; then
    say "$(date -u -d "@$target_epoch" '+%Y-%m-%d %H:%M:%S UTC') is before the first backup finished ($(date -u -d "@$first" '+%Y-%m-%d %H:%M:%S UTC')): nothing can be restored to it"; exit 2
  fi
  # The folder: a new one, or a stopped restore of ours, which is replaced. Never anything else.
  into=$(realpath -m "$into")
  case "$into/" in "$dir"/pg[0-9]/*|"$(backup_dir "$dir")"/*) say "--into $into is inside the cluster's own members or repository"; exit 2 ;; esac
  if backup_restore_running "$into"; then
    say "a restore is running in $into (port $(backup_restore_port "$into")): ./ops/ledger cluster restore-stop$(backup_into_option "$dir" "$into") first"; exit 2
  fi
  if [ -d "$into" ] && [ -n "$(ls -A "$into" 2>/dev/null)" ]; then
    if [ -f "$into/ledger-restore.env" ]; then
      say "replacing the stopped restore in $into"
      rm -rf "$into"
    else
      say "$into is not empty and holds no restore of ours: give an empty or new folder with --into"; exit 2
    fi
  fi
  mkdir -p "$into"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$into"; fi
  pg_as_owner test -w "$into" || { say "the postgres user cannot write to $into: give a folder it can reach with --into"; exit 2; }
  pg_as_owner mkdir -p "$into/data" "$into/socket"
  pg_as_owner chmod 700 "$into/data"

  # WAL up to now into the repository first, so that a target a moment ago is covered. Recovery to a time stops at
  # the first commit after it, and refuses to promote without one: a transaction is committed now (after the
  # target) on the primary, then pgbackrest check switches to a new segment and waits until it is archived. With
  # the cluster down, what was archived is what there is.
  if backup_primary_options "$dir" >/dev/null; then
    while backup_later "$target_epoch" "$(date -u +%s.%6N)"; do sleep 0.1; done
    backup_archive_now "$dir" || say "the last WAL may not be archived yet (logs: $(backup_dir "$dir")/log)"
  else
    say "no member is primary: restoring from the WAL archived so far"
  fi

  RESTORE_TARGET=$(date -u -d "@$target_epoch" '+%Y-%m-%d %H:%M:%S.%6N+00')
  say "restoring to $RESTORE_TARGET into $into…"
  local started ended
  started=$(date +%s.%N)
  # The backup set is the last one finished before the target; recovery replays the archive to the target and
  # promotes. archive-mode=off: the copy never pushes WAL into the cluster's repository.
  backup_pgbackrest --pg1-path="$into/data" --type=time --target="$RESTORE_TARGET" --target-action=promote \
    --archive-mode=off --log-level-console=warn restore \
    || { say "pgbackrest restore failed (logs: $(backup_dir "$dir")/log)"; exit 1; }
  printf 'port=%s\ntarget=%s\nrestored_at=%s\n' "$port" "$RESTORE_TARGET" "$(date -u '+%Y-%m-%d %H:%M:%S+00')" >"$into/ledger-restore.env"
  # The members' settings came with the backup (postgresql.conf by Patroni): this one listens on its own port and
  # socket, reads its own copies of pg_hba/pg_ident, waits for no synchronous standby and archives nothing.
  pg_as_owner "$(pg_bin)/pg_ctl" -D "$into/data" -l "$into/postgres.log" -w -t 900 \
    -o "-p $port -k $into/socket -c listen_addresses=127.0.0.1 -c hba_file=$into/data/pg_hba.conf -c ident_file=$into/data/pg_ident.conf -c synchronous_standby_names='' -c archive_mode=off -c cluster_name=ledger-restore" \
    start >/dev/null || { tail -n 15 "$into/postgres.log" >&2; say "the restored PostgreSQL did not start (log: $into/postgres.log)"; exit 1; }
  local waited=0 recovering
  while :; do
    recovering=$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "select pg_is_in_recovery()" 2>/dev/null || true)
    [ "$recovering" = f ] && break
    if ! backup_restore_running "$into" || [ $waited -gt 1800 ]; then
      if grep -q "recovery ended before configured recovery target was reached" "$into/postgres.log"; then
        say "the WAL archived holds no commit after $RESTORE_TARGET, so recovery cannot know it reached it: give an earlier time, or restore while the cluster runs (log: $into/postgres.log)"
        exit 1
      fi
      tail -n 15 "$into/postgres.log" >&2; say "the restored PostgreSQL did not reach the target and promote (log: $into/postgres.log)"; exit 1
    fi
    sleep 0.5; waited=$((waited + 1))
  done
  ended=$(date +%s.%N)
  RESTORE_SECONDS=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')
  RESTORE_EVENTS=$(psql -h 127.0.0.1 -p "$port" -U postgres -d ledger -tAc \
    "select count(*) || ' events, the last committed at ' || coalesce(to_char(max(timestamp) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || ' UTC', '-') from ledger.mt_events" 2>/dev/null || echo "no ledger schema")
  printf 'seconds=%s\nevents=%s\n' "$RESTORE_SECONDS" "$RESTORE_EVENTS" >>"$into/ledger-restore.env"
  say "restored to $RESTORE_TARGET in $RESTORE_SECONDS s: $RESTORE_EVENTS"
  say "a standalone PostgreSQL on 127.0.0.1:$port (data $into/data, log $into/postgres.log); the cluster was not touched"
  echo "Host=127.0.0.1;Port=$port;Database=ledger;Username=ledger_app"
  say "check it against the last checkpoint you kept: ConnectionStrings__Ledger='Host=127.0.0.1;Port=$port;Database=ledger;Username=ledger_app' LEDGER_DATA_DIR=$dir/ledger ./ops/ledger verify --against CHECKPOINT [--policy FILE]"
  say "stop it with ./ops/ledger cluster restore-stop$(backup_into_option "$dir" "$into")"
}

# ./ops/ledger cluster restore-stop [--into DIR]
cmd_cluster_restore_stop() {
  local into="" dir; dir=$(cluster_dir)
  while [ $# -gt 0 ]; do
    case "$1" in
      --into) [ $# -ge 2 ] || { say "--into needs a folder"; exit 2; }; into="$2"; shift 2 ;;
      *) say "cluster restore-stop takes [--into DIR], not '$1'"; exit 2 ;;
    esac
  done
  into=$(realpath -m "${into:-$dir/restore}")
  backup_restore_stop "$into"
}

backup_restore_stop() {
  local into="$1"
  if backup_restore_running "$into"; then
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$into/data" -m fast -w stop >/dev/null
    say "stopped the restored PostgreSQL in $into (its data stays; the next restore into it replaces it)"
  else
    say "no restored PostgreSQL is running in $into"
  fi
}

# ./ops/ledger cluster restore-test: the proof that a point-in-time restore is checked against a cosigned checkpoint.
# A witness of its own and an API node that has it cosign; events, a full backup, more events, a cosigned checkpoint
# C1, the time T, more events, a cosigned checkpoint C2; then a restore to T and, on it: `verify --against C1` passes,
# `verify --against C2` fails naming the events missing, and the witness refuses the restored ledger's checkpoint.
# Figures in artifacts/cluster/restore.json; exit 1 when any check failed. The cluster is started if it is not up
# and left running; everything else it starts is stopped by its pid at the end.
cmd_cluster_restore_test() {
  [ $# -eq 0 ] || { say "cluster restore-test takes no options, not '$1'"; exit 2; }
  local dir; dir=$(cluster_dir)
  if ! cluster_alive "$dir/run/api-1.pid" Ledger.Api.dll || ! cluster_members 2>/dev/null | grep -q ' leader running '; then
    cmd_cluster_up
  else
    build
  fi
  cluster_wait_ready
  local t="$dir/restore-test" wport=$((CLUSTER_BASE_PORT + 31)) nport=$((CLUSTER_BASE_PORT + 32)) rport=$((CLUSTER_BASE_PORT + 33))
  backup_restore_test_stop "$dir"
  trap 'backup_restore_test_stop "'"$dir"'"' EXIT
  local p
  for p in "$wport" "$nport" "$rport"; do
    if backup_port_in_use "$p"; then say "port $p is in use: the restore test needs $wport-$rport (LEDGER_CLUSTER_BASE_PORT+31..+33)"; exit 1; fi
  done
  rm -rf "$t"; mkdir -p "$t"
  local run node1 node3 witness_name=witness.restore-test.local/w1
  run=$(date -u +%y%m%d%H%M%S)
  node1="http://127.0.0.1:$(cluster_api_port 1)"
  node3="http://127.0.0.1:$nport"
  RT_FAILED=0; RT_CHECKS=()
  local primary; primary=$(cluster_leader_port)

  say "restore test $run: events before the backup"
  rt_append "$dir" "$node1" "restore-$run-a"
  # The log's origin (a checkpoint's first line) and key, for the witness to trust.
  dotnet "$CHAOS_DLL" checkpoint --node "$node1" --data-dir "$dir/ledger" --out "$t/c0.txt" >/dev/null || rt_abort "the first checkpoint failed"
  local origin log_key witness_key
  origin=$(head -n 1 "$t/c0.txt")
  log_key=$(curl -fsS "$node1/api/integrity/public-key") || rt_abort "the API did not give its public key"
  witness_key=$(dotnet "$WITNESS_DLL" keygen --name "$witness_name" --out "$t/witness.key" 2>/dev/null) || rt_abort "witness keygen failed"
  cluster_spawn self "$dir/run/restore-test-witness.pid" "$t/witness.log" dotnet "$WITNESS_DLL" serve --name "$witness_name" \
    --key "$t/witness.key" --log "$origin=$log_key" --listen "127.0.0.1:$wport" --state "$t/witness-state"
  rt_wait_http "http://127.0.0.1:$wport/" "$dir/run/restore-test-witness.pid" Ledger.Witness.dll "$t/witness.log" "the witness"
  say "witness $witness_name on 127.0.0.1:$wport trusts $origin"
  # An API node of the test's own that has the witness cosign (the cluster's two nodes are left as they are).
  (
    cluster_api_env "$dir"
    export Witnesses__0__Url="http://127.0.0.1:$wport" Witnesses__0__VerifierKey="$witness_key"
    cd "$ROOT/src/Ledger.Api/bin/$CONFIGURATION/net10.0"
    cluster_spawn self "$dir/run/restore-test-api.pid" "$t/api.log" dotnet "$API_DLL" --urls "$node3"
  )
  rt_wait_http "$node3/health/ready" "$dir/run/restore-test-api.pid" Ledger.Api.dll "$t/api.log" "the witnessed API node"
  say "an API node with the witness configured on $node3"

  local started ended backup_seconds backup_line
  started=$(date +%s.%N)
  backup_line=$( (cmd_cluster_backup --type full) ) || rt_abort "the backup failed"
  ended=$(date +%s.%N)
  backup_seconds=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')
  echo "$backup_line"
  local backup_json; backup_json=$(backup_info_json | python3 "$ROOT/ops/lib/backup-info.py" latest-json)

  say "events after the backup, then the cosigned checkpoint C1"
  rt_append "$dir" "$node1" "restore-$run-b"
  dotnet "$CHAOS_DLL" checkpoint --node "$node3" --data-dir "$dir/ledger" --out "$t/c1.txt" --witness "$witness_name" || rt_abort "C1 was not cosigned"
  rt_append "$dir" "$node1" "restore-$run-c"
  local last_seq events_at_t target
  last_seq=$(rt_sql "$primary" "select max(seq_id) from ledger.mt_events")
  events_at_t=$(rt_sql "$primary" "select count(*) from ledger.mt_events")
  sleep 1
  target=$(date -u '+%Y-%m-%d %H:%M:%S.%6N+00')
  sleep 1
  say "T = $target ($events_at_t events, the last sequence $last_seq); events after T, then the cosigned checkpoint C2"
  rt_append "$dir" "$node1" "restore-$run-d"
  dotnet "$CHAOS_DLL" checkpoint --node "$node3" --data-dir "$dir/ledger" --out "$t/c2.txt" --witness "$witness_name" || rt_abort "C2 was not cosigned"
  local c1 c2; c1=$(sed -n 2p "$t/c1.txt"); c2=$(sed -n 2p "$t/c2.txt")

  ( backup_restore "$dir" "$target" "$rport" "$t/restore" >/dev/null ) || rt_abort "the restore failed"
  local restore_seconds; restore_seconds=$(sed -n 's/^seconds=//p' "$t/restore/ledger-restore.env")

  # What the restored database holds: every event committed by T, none after.
  local restored_events restored_upto s want got
  restored_events=$(rt_sql "$rport" "select count(*) from ledger.mt_events")
  restored_upto=$(rt_sql "$rport" "select count(*) from ledger.mt_events where seq_id <= $last_seq")
  rt_check "$([ "$restored_upto" = "$events_at_t" ] && echo 0 || echo 1)" \
    "the restore holds every event committed before T ($restored_upto of $events_at_t up to sequence $last_seq)"
  for s in a b c d; do
    want=$(rt_sql "$primary" "select count(*) from ledger.mt_events where stream_id = 'commitment/restore-$run-$s' and seq_id <= $last_seq")
    got=$(rt_sql "$rport" "select count(*) from ledger.mt_events where stream_id = 'commitment/restore-$run-$s'")
    rt_check "$([ "$want" = "$got" ] && echo 0 || echo 1)" "stream restore-$run-$s: $got events restored, $want committed before T"
  done

  # verify against C1 and C2, with the witness in the trust policy (quorum 1): C1 must be the witness's too.
  printf 'log %s\nwitness w1 %s http://127.0.0.1:%s\nquorum 1\n' "$log_key" "$witness_key" "$wport" >"$t/policy"
  local out status
  status=0; out=$(rt_cli_restored "$dir" "$rport" verify --policy "$t/policy" --against "$t/c1.txt" 2>&1) || status=$?
  rt_check "$status" "verify --against C1 (size $c1) on the restore passes: $(tail -n 1 <<<"$out")"
  status=0; out=$(rt_cli_restored "$dir" "$rport" verify --policy "$t/policy" --against "$t/c2.txt" 2>&1) || status=$?
  rt_check "$([ "$status" -ne 0 ] && grep -q "covers $c2 events but the log holds only" <<<"$out" && echo 0 || echo 1)" \
    "verify --against C2 (size $c2) on the restore fails (exit $status): $(tail -n 1 <<<"$out")"
  # What C2 covers that the restore lacks, from the cluster's Merkle log: its leaves committed after T.
  local missing
  missing=$(rt_sql "$primary" "select coalesce(string_agg(n || ' on ' || stream_id || ' (sequence ' || low || '-' || high || ')', ', '), 'nothing')
    from (select stream_id, count(*) n, min(seq_id) low, max(seq_id) high from ledger.ledger_merkle_leaves
          where seq_id > $last_seq and leaf_index < $c2 group by stream_id order by 3) m")
  echo "what C2 covers and the restore lacks: $missing"

  # The restored ledger signs a checkpoint of its own (smaller than C2): the witness refuses it, as the ledger
  # would submit it (old 0: 409 with the size it holds; then old = that size: 400, the checkpoint is smaller).
  rt_cli_restored "$dir" "$rport" checkpoint --out "$t/restored.txt" >/dev/null 2>&1 || rt_abort "the restored ledger did not sign a checkpoint"
  local restored_size code body
  restored_size=$(sed -n 2p "$t/restored.txt")
  code=$( { printf 'old 0\n\n'; cat "$t/restored.txt"; } | curl -s -o "$t/witness-answer-1" -w '%{http_code}' --data-binary @- "http://127.0.0.1:$wport/add-checkpoint")
  body=$(tr -d '\n' <"$t/witness-answer-1")
  rt_check "$([ "$code" = 409 ] && [ "$body" = "$c2" ] && echo 0 || echo 1)" \
    "the witness refuses the restored ledger's checkpoint (size $restored_size) from old 0: $code, it holds $body"
  code=$( { printf 'old %s\n\n' "$c2"; cat "$t/restored.txt"; } | curl -s -o "$t/witness-answer-2" -w '%{http_code}' --data-binary @- "http://127.0.0.1:$wport/add-checkpoint")
  rt_check "$([ "$code" = 400 ] && grep -q "above the checkpoint's size" "$t/witness-answer-2" && echo 0 || echo 1)" \
    "the witness refuses it from old $c2 (a smaller tree than it cosigned): $code $(head -c 200 "$t/witness-answer-2" | tr '\n' ' ')"
  local held
  held=$(curl -fsS "http://127.0.0.1:$wport/$(printf '%s' "$origin" | sha256sum | cut -c1-64)/checkpoint" | sed -n 2p || true)
  rt_check "$([ "$held" = "$c2" ] && echo 0 || echo 1)" "the witness still holds C2 (size $held)"

  mkdir -p "$ROOT/artifacts/cluster"
  printf '%s\n' "${RT_CHECKS[@]}" >"$t/checks.txt"
  python3 - "$ROOT/artifacts/cluster/restore.json" "$t/checks.txt" "$backup_json" "$missing" <<PY
import json, sys
checks = open(sys.argv[2], encoding="utf-8").read().splitlines()
report = {
    "passed": all(c.startswith("pass: ") for c in checks),
    "run": "$run",
    "backup": dict(json.loads(sys.argv[3]), wallSeconds=$backup_seconds),
    "target": "$target",
    "restoreSeconds": $restore_seconds,
    "eventsAtTarget": $events_at_t,
    "eventsRestored": $restored_events,
    "eventsOnPrimaryAfter": $(rt_sql "$primary" "select count(*) from ledger.mt_events"),
    "checkpointC1": $c1,
    "checkpointC2": $c2,
    "restoredCheckpoint": $restored_size,
    "missingFromRestore": sys.argv[4],
    "checks": checks,
}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(report, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
  say "backup: $backup_seconds s; restore to T: $restore_seconds s; events at T: $events_at_t (restored $restored_events); C1 $c1, C2 $c2"
  if [ "$RT_FAILED" -ne 0 ]; then say "the restore test FAILED (artifacts/cluster/restore.json)"; exit 1; fi
  say "the restore test passed (artifacts/cluster/restore.json)"
}

rt_append() {
  dotnet "$CHAOS_DLL" append --node "$2" --data-dir "$1/ledger" --stream "$3" --count 30 >/dev/null || rt_abort "appending to $3 failed"
}

rt_sql() { psql -h 127.0.0.1 -p "$1" -U postgres -d ledger -v ON_ERROR_STOP=1 -tAc "$2"; }

# The command-line tool against the restored database, with the cluster's keys.
rt_cli_restored() {
  local dir="$1" port="$2"; shift 2
  ( export ConnectionStrings__Ledger="Host=127.0.0.1;Port=$port;Database=ledger;Username=ledger_app" LEDGER_DATA_DIR="$dir/ledger"
    unset ConnectionStrings__LedgerOwner; cli "$@" )
}

rt_check() {
  local line
  if [ "$1" -eq 0 ]; then line="pass: $2"; else line="FAIL: $2"; RT_FAILED=1; fi
  RT_CHECKS+=("$line")
  echo "$line"
}

rt_abort() { say "the restore test could not go on: $1"; exit 1; }

rt_wait_http() {
  local url="$1" pidfile="$2" name="$3" log="$4" what="$5" waited=0
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ]; do
    sleep 0.5; waited=$((waited + 1))
    if [ $waited -gt 180 ] || ! cluster_alive "$pidfile" "$name"; then tail -n 20 "$log" >&2; rt_abort "$what did not start"; fi
  done
}

backup_restore_test_stop() {
  local dir="$1"
  if backup_restore_running "$dir/restore-test/restore"; then
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$dir/restore-test/restore/data" -m fast -w stop >/dev/null || true
  fi
  cluster_stop_pid "$dir/run/restore-test-api.pid" Ledger.Api.dll ""
  cluster_stop_pid "$dir/run/restore-test-witness.pid" Ledger.Witness.dll ""
}
