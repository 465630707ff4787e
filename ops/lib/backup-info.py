"""Reads `pgbackrest --output=json info` (one stanza) on stdin and prints what ops/lib/backup.sh asks for.

    backup-info.py latest SECONDS     the backup just taken, in one line
    backup-info.py list REPOSITORY    every backup and the WAL archived
    backup-info.py status             one line for `cluster status`
    backup-info.py first-stop         when the first backup finished (epoch seconds), empty without one
    backup-info.py latest-json        the latest backup's figures as JSON (for the restore test's report)
"""
import datetime
import json
import sys


def at(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def mb(size):
    return f"{size / 1048576:.1f} MB"


def main():
    mode = sys.argv[1]
    stanzas = json.load(sys.stdin)
    info = stanzas[0] if stanzas else {}
    backups = info.get("backup", [])
    wal = next((a.get("max") for a in reversed(info.get("archive", [])) if a.get("max")), None)
    if mode == "first-stop":
        print(backups[0]["timestamp"]["stop"] if backups else "")
    elif mode == "latest":
        b = backups[-1]
        print(f"backup {b['label']} ({b['type']}): database {mb(b['info']['size'])}, {mb(b['info']['delta'])} of it copied, "
              f"{mb(b['info']['repository']['delta'])} in the repository, {float(sys.argv[2]):.1f} s; "
              f"WAL {b['archive']['start']}..{b['archive']['stop']}")
    elif mode == "latest-json":
        b = backups[-1]
        print(json.dumps({
            "label": b["label"], "type": b["type"],
            "databaseBytes": b["info"]["size"], "copiedBytes": b["info"]["delta"],
            "repositoryBytes": b["info"]["repository"]["delta"],
            "started": at(b["timestamp"]["start"]), "finished": at(b["timestamp"]["stop"]),
            "pgbackrestSeconds": b["timestamp"]["stop"] - b["timestamp"]["start"],
        }))
    elif mode == "list":
        print(f"repository {sys.argv[2]}: stanza {info.get('name')}, {info.get('status', {}).get('message')}")
        if not backups:
            print("no backup yet (./ops/ledger cluster backup)")
        else:
            print(f"{'label':<34} {'type':<5} {'started':<24} {'finished':<24} {'database':>10} {'repository':>11}")
            for b in backups:
                print(f"{b['label']:<34} {b['type']:<5} {at(b['timestamp']['start']):<24} {at(b['timestamp']['stop']):<24} "
                      f"{mb(b['info']['size']):>10} {mb(b['info']['repository']['delta']):>11}")
            print(f"a restore can reach any time from {at(backups[0]['timestamp']['stop'])} to the last WAL archived ({wal or '-'})")
    elif mode == "status":
        if backups:
            b = backups[-1]
            print(f"backups: {len(backups)} (latest {b['label']}, {b['type']}, finished {at(b['timestamp']['stop'])}); "
                  f"WAL archived to {wal or '-'}")
        else:
            print(f"backups: none yet (./ops/ledger cluster backup); WAL archived to {wal or '-'}")
    else:
        sys.exit(f"backup-info.py: unknown mode {mode}")


main()
