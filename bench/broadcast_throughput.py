"""Broadcast fan-out: 25,000 recipients against the Twilio sandbox, uncapped and capped.

Starts its own redis-server, the sandbox (gunicorn, as `./hotline.sh run` starts it) and RQ
workers, seeds contacts (2% opted out), sends one uncapped broadcast and one capped one, and
prints from the sandbox's own records: messages per second accepted, duplicates, sends to
opted-out contacts, the busiest second under the cap, and memory while sending.

    .venv/bin/python bench/broadcast_throughput.py --recipients 25000 --workers 2 --cap 50
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402

from hotline.config import Settings  # noqa: E402
from hotline.messaging.channels import parse_address  # noqa: E402
from hotline.ops.stack import free_port  # noqa: E402
from hotline.outreach import report as bc_report  # noqa: E402
from hotline.outreach import runner as bc_runner  # noqa: E402
from hotline.outreach import spec as bc_spec  # noqa: E402
from hotline.outreach import store as bc_store  # noqa: E402
from hotline.runtime import Runtime  # noqa: E402

SID, TOKEN = "AC" + "b" * 32, "bench-auth-token-0123456789"
NUMBERS = "+15005550006,whatsapp:+14155238886"


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def seed(rt: Runtime, count: int) -> set[str]:
    """Contacts who wrote to the hotline; returns the numbers that opted out."""
    opted = set()
    for i in range(count):
        number = f"+5215{i:09d}"
        contact_id = rt.contacts.touch_inbound(parse_address(number))
        rt.contacts.set_language(contact_id, "es" if i % 3 else "en", chosen=False)
        if i % 50 == 7:
            rt.contacts.set_opted_out(contact_id, True)
            opted.add(number)
    return opted


def sandbox_times(redis: Redis) -> list[tuple[float, str]]:
    """(accepted at, to) for every message the sandbox accepted."""
    sids = redis.zrange("tw:all", 0, -1)
    out = []
    for i in range(0, len(sids), 2000):
        pipe = redis.pipeline(transaction=False)
        for sid in sids[i:i + 2000]:
            pipe.get("tw:msg:" + sid)
        import json
        out += [(r["_at"], r["to"]) for r in (json.loads(x) for x in pipe.execute() if x)]
    return sorted(out)


def measure(rt: Runtime, redis: Redis, spec: dict, groups: dict, label: str,
            opted: set[str]) -> dict:
    redis.delete(*(redis.keys("tw:*") or ["-"]))
    bc = bc_spec.build(rt, spec, actor="bench")
    memory = {name: [rss_mb(pids)] for name, pids in groups.items()}
    started = time.time()
    bc = bc_runner.submit(rt, bc)
    frozen = time.time()
    while bc_store.load(rt.redis, bc.id).state == "sending":
        for name, pids in groups.items():
            memory[name].append(rss_mb(pids))
        time.sleep(0.5)
    finished = time.time()
    times = sandbox_times(redis)
    stamps = [t for t, _ in times]
    per_to = Counter(to for _, to in times)
    busiest, j = 0, 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - 1.0:
            j += 1
        busiest = max(busiest, i - j + 1)
    report = bc_report.report(rt, bc.id)
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0
    print(f"\n== {label}")
    print(f"recipients {report['total']}  sent {report['sent']}  opted out (not sent) "
          f"{report['opted_out']}  failed {report['failed']}")
    print(f"audience frozen in {frozen - started:.1f} s; sending took {finished - frozen:.1f} s")
    print(f"accepted by the sandbox: {len(stamps)} messages, {rate:.0f} msg/s "
          f"(first to last acceptance)")
    print(f"busiest one-second window: {busiest} messages")
    print(f"duplicates: {sum(c - 1 for c in per_to.values() if c > 1)}   "
          f"sent to opted-out contacts: {len(opted & set(per_to))}")
    for name, values in memory.items():
        # After warm-up (imports, thread pools, connections) it should stay level.
        marks = [values[min(len(values) - 1, int(len(values) * q))] for q in (0.1, 0.5, 0.9)]
        print(f"memory of {name} (MB): before {values[0]:.0f}; at 10%/50%/90% of the run "
              f"{marks[0]:.0f}/{marks[1]:.0f}/{marks[2]:.0f}; peak {max(values):.0f}")
    return {"rate": rate, "busiest": busiest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=25000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="sending threads per worker")
    parser.add_argument("--cap", type=float, default=50, help="messages/s for the capped run")
    parser.add_argument("--capped-recipients", type=int, default=1500)
    parser.add_argument("--callbacks", action="store_true",
                        help="also request status callbacks (nothing listens in the bench)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    redis_port, sandbox_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {**os.environ, "REDIS_URL": redis_url, "HOTLINE_SECRET": "bench-secret-" + "x" * 20,
           "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN,
           "TWILIO_API_BASE_URL": f"http://127.0.0.1:{sandbox_port}", "HOTLINE_NUMBERS": NUMBERS,
           "SANDBOX_DELIVERY_DELAY": "0.05", "HOTLINE_BROADCAST_THREADS": str(args.threads),
           "HOTLINE_BROADCAST_CALLBACKS": "1" if args.callbacks else "0",
           "PYTHONPATH": str(ROOT)}
    bindir = Path(sys.executable).parent
    procs = [subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port",
                               str(redis_port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(work)],
                              stdout=subprocess.DEVNULL)]
    time.sleep(0.5)
    procs.append(subprocess.Popen([str(bindir / "gunicorn"), "--bind", f"127.0.0.1:{sandbox_port}",
                                   "--workers", "2", "--worker-class", "gthread", "--threads", "16",
                                   "--no-control-socket", "sandbox:create_app()"],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL))
    for _ in range(args.workers):
        procs.append(subprocess.Popen([str(bindir / "rq"), "worker", "--url", redis_url,
                                       "--worker-class", "rq.worker.SimpleWorker", "broadcast"],
                                      env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
    try:
        time.sleep(3)
        os.environ.update(env)
        rt = Runtime(Settings.from_env())
        redis = Redis.from_url(redis_url, decode_responses=True)
        started = time.time()
        opted = seed(rt, args.recipients)
        print(f"seeded {args.recipients} contacts ({len(opted)} opted out) in "
              f"{time.time() - started:.1f} s; {args.workers} workers x {args.threads} threads; "
              f"{os.cpu_count()} cores")
        groups = {"workers": [p.pid for p in procs[2:]],
                  "sandbox": [procs[1].pid] + children(procs[1].pid),
                  "redis (holds the sandbox's records too)": [procs[0].pid]}
        measure(rt, redis, {"template": "broadcast.stay_put", "rate": 0}, groups,
                f"uncapped, {args.recipients} recipients", opted)
        capped = {"template": "broadcast.stay_put", "rate": args.cap,
                  "audience": {"language": "en"}}
        # A smaller audience for the capped run: the English third, trimmed by the flag below.
        everyone = [cid for page in rt.contacts.id_pages() for cid in page]
        for cid in everyone[args.capped_recipients:]:
            rt.contacts.forget(cid)
        result = measure(rt, redis, capped, groups, f"capped at {args.cap:g} msg/s", opted)
        within = 0.95 * args.cap <= result["rate"] <= args.cap
        print(f"cap check: achieved {result['rate']:.1f} of {args.cap:g} msg/s "
              f"({'within' if within else 'NOT within'} 5%), busiest second {result['busiest']} "
              f"({'never above' if result['busiest'] <= args.cap else 'ABOVE'} the cap)")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
