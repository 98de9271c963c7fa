"""Memory of the running development stack, service by service (Linux /proc, no extra package).

Start the hotline first (./hotline.sh run), then:  nice -n 10 .venv/bin/python bench/memory.py
Each service is its process and every descendant (gunicorn's workers, RQ's scheduler, Sanic's
worker). RSS counts pages shared between processes once per process (a forked gunicorn worker
repeats its master's); PSS shares them out, so the PSS total is what the stack really takes.
Targets (issue 15): whole stack <= 1.8 GB RSS, action server <= 200 MB.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

PROC = Path("/proc")
STACK_TARGET_MB = 1800
ACTIONS_TARGET_MB = 200


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process we may read."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        found[int(entry.name)] = (ppid, cmdline)
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in kB."""
    values = {}
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                values[key] = int(rest.split()[0])
    except OSError:
        return 0, 0
    return values.get("Rss", 0), values.get("Pss", 0)


def service_of(cmdline: str) -> str:
    """The service a process of the runner runs (`hotline.ops.serve` execs gunicorn, the action
    server and Rasa, so their command lines are those programs')."""
    for mark, name in (("webhooks:create_app()", "gateway"), ("sandbox:create_app()", "sandbox"),
                       ("actions.server", "actions"), ("rasa_ext.server", "rasa"),
                       ("hotline.ops.serve worker", "workers"),
                       ("hotline.ops.serve sweeper", "sweeper"), ("redis-server", "redis")):
        if mark in cmdline:
            return name
    return cmdline.split()[0].rsplit("/", 1)[-1] if cmdline else "?"


def services() -> dict[str, list[int]] | None:
    """service -> every pid it runs (each child of the runner with all its descendants), or
    None when no development stack is running."""
    table = processes()
    children = defaultdict(list)
    for pid, (ppid, _) in table.items():
        children[ppid].append(pid)
    runners = [pid for pid, (_, cmdline) in table.items() if "-m hotline.ops.stack" in cmdline]
    if not runners:
        return None
    roots = {pid: service_of(table[pid][1]) for runner in runners for pid in children[runner]}
    roots.update({runner: "runner" for runner in runners})
    found = defaultdict(list)
    for root, name in roots.items():
        stack = [root]
        while stack:
            pid = stack.pop()
            found[name].append(pid)
            stack.extend(c for c in children.get(pid, []) if c not in roots)
    return dict(found)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (0 once it is gone)."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    found = services()
    if found is None:
        print("start the hotline first: ./hotline.sh run", file=sys.stderr)
        return 1
    totals = defaultdict(lambda: [0, 0, 0])  # rss, pss, processes
    for name, pids in found.items():
        for pid in pids:
            rss, pss = memory_kb(pid)
            totals[name][0] += rss
            totals[name][1] += pss
            totals[name][2] += 1
    print(f"{'service':10s} {'procs':>5s} {'RSS MB':>8s} {'PSS MB':>8s}")
    for name, (rss, pss, count) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
        print(f"{name:10s} {count:5d} {rss / 1024:8.0f} {pss / 1024:8.0f}")
    rss_total = sum(v[0] for v in totals.values()) / 1024
    pss_total = sum(v[1] for v in totals.values()) / 1024
    count = sum(v[2] for v in totals.values())
    print(f"{'total':10s} {count:5d} {rss_total:8.0f} {pss_total:8.0f}")
    actions = totals.get("actions", [0, 0, 0])[0] / 1024
    print(f"whole stack RSS {rss_total:.0f} MB (target <= {STACK_TARGET_MB}: "
          f"{'met' if rss_total <= STACK_TARGET_MB else 'NOT met'}); "
          f"action server RSS {actions:.0f} MB (target <= {ACTIONS_TARGET_MB}: "
          f"{'met' if actions <= ACTIONS_TARGET_MB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
