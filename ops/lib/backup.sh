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
  if [ "$(id -u)" -ne 0 ]; then
    say "backups need pgbackrest: run 'sudo apt-get install -y pgbackrest', then try again"
    exit 1
  fi
  say "installing pgbackrest with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq pgbackrest >/dev/null
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
  say "taking a $type backup from the primary (${options%% *})…"
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
  local options
  if options=$(backup_primary_options "$dir"); then
    while backup_later "$target_epoch" "$(date -u +%s.%6N)"; do sleep 0.1; done
    psql -h 127.0.0.1 -p "$(sed -E 's/.*--pg1-port=([0-9]+).*/\1/' <<<"$options")" -U postgres -d postgres -qtAc "select txid_current()" >/dev/null \
      || say "could not write a transaction after the target on the primary"
    # shellcheck disable=SC2086
    backup_pgbackrest $options check >/dev/null || say "pgbackrest check failed: the last WAL may not be archived yet"
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

