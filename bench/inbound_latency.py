"""Load generator: signed inbound messages from N concurrent senders against the running hotline.

Prints the webhook acknowledgement latency and the time until each reply reaches the Twilio
sandbox (p50/p95/p99), and messages per second. Then the same load straight to Rasa's REST
channel (same senders, messages and metadata as the workers send), and both p95s side by side:
the hotline's own cost on top of Rasa's turn (target: replies p95 <= 1.15x raw Rasa p95).
Start the hotline first (./hotline.sh run), then:
    nice -n 10 .venv/bin/python bench/inbound_latency.py --senders 10 --messages 5
Each sender waits for its reply before sending its next message, as a person would. Both paths
are warmed first, and the measured rounds alternate between them (--rounds).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from memory import cpu_seconds, services  # noqa: E402

from hotline.config import Settings, running_stack_environ  # noqa: E402
from hotline.ops.chat import Phone  # noqa: E402
from hotline.redis_connect import connect  # noqa: E402
from sandbox.store import PREFIX  # noqa: E402

PAUSE = 0.3  # seconds between a reply and the sender's next message, on both sides
MESSAGES = ["hola", "gracias", "hello", "buenas tardes", "thank you", "ayuda"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Arrivals(threading.Thread):
    """When each message reached the sandbox, read from the sandbox's own store every 10 ms.

    Each sender asking the sandbox's API five times a second (as `Phone.wait_for` does) cost
    the hotline's side 50 HTTP requests a second of the same two cores Rasa runs on, and
    rounded every reply time up by as much as 200 ms; the raw Rasa side pays neither."""

    def __init__(self, redis) -> None:
        super().__init__(daemon=True)
        self.redis = redis
        self.seen: set[str] = set()
        self.arrived: dict[str, list[float]] = {}
        self.changed = threading.Condition()
        self.low = int(self.redis.get(PREFIX + "seq") or 0)

    def run(self) -> None:
        while True:
            # From a little before the newest seen: sequence numbers are taken before the
            # index is written, so one may appear after a later one.
            sids = [s.decode() if isinstance(s, bytes) else s for s in
                    self.redis.zrangebyscore(PREFIX + "all", max(self.low - 100, 0), "+inf")]
            fresh = [s for s in sids if s not in self.seen]
            now = time.perf_counter()
            if fresh:
                records = self.redis.mget([PREFIX + "msg:" + sid for sid in fresh])
                with self.changed:
                    for sid, raw in zip(fresh, records):
                        if raw:
                            record = json.loads(raw)
                            self.seen.add(sid)
                            self.low = max(self.low, int(record.get("_seq") or 0))
                            self.arrived.setdefault(record["to"], []).append(now)
                    self.changed.notify_all()
            time.sleep(0.01)

    def count(self, to: str) -> int:
        with self.changed:
            return len(self.arrived.get(to, ()))

    def wait(self, to: str, count: int, timeout: float) -> float | None:
        """When the `count`-th message to `to` arrived, or None."""
        with self.changed:
            if self.changed.wait_for(lambda: len(self.arrived.get(to, ())) >= count, timeout):
                return self.arrived[to][count - 1]
        return None


def run_sender(phone: Phone, arrivals: Arrivals, count: int, acks: list, replies: list,
               errors: list) -> None:
    for i in range(count):
        before = arrivals.count(phone.address)
        started = time.perf_counter()
        response = phone.send(MESSAGES[i % len(MESSAGES)])
        acked = time.perf_counter()
        if response.status_code != 200:
            errors.append(response.status_code)
            continue
        acks.append(acked - started)
        arrived = arrivals.wait(phone.address, before + 1, timeout=120)
        if arrived is None:
            errors.append("no reply")
            continue
        replies.append(arrived - started)
        # A reply in several parts: the rest arrive with the first; let them, so they are not
        # taken for the next message's reply (the raw Rasa sender pauses as long).
        time.sleep(PAUSE)


def run_rasa_sender(rasa_url: str, token: str, count: int, turns: list, errors: list) -> None:
    """One person talking to Rasa directly: the turn the worker waits for, nothing else."""
    sender = "bench-" + secrets.token_hex(8)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    for i in range(count):
        started = time.perf_counter()
        try:
            response = session.post(rasa_url + "/webhooks/rest/webhook", timeout=120, json={
                "sender": sender, "message": MESSAGES[i % len(MESSAGES)],
                "metadata": {"language": "es", "channel": "sms",
                             "message_sid": "SM" + secrets.token_hex(16), "num_media": 0}})
        except requests.RequestException as exc:
            errors.append(type(exc).__name__)
            continue
        if response.status_code == 200 and response.json():
            turns.append(time.perf_counter() - started)
        else:
            errors.append(response.status_code)
        time.sleep(PAUSE)


def load(target, senders: int, args: tuple) -> float:
    threads = [threading.Thread(target=target, args=args(i)) for i in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


class CpuUse:
    """CPU seconds each service of the running stack spent, summed over the measured rounds of
    one path. The p95 ratio moves with what else shares the machine; this does not: it is the
    work each reply costs, service by service (on two cores, every CPU millisecond of the
    gateway, the workers, Redis or the sandbox is one Rasa cannot have under load)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def measure(self, run):
        found = services() or {}
        before = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in found.items()}
        result = run()
        for name, pids in found.items():
            self.spent[name] = (self.spent.get(name, 0.0)
                                + sum(cpu_seconds(pid) for pid in pids) - before[name])
        return result


def cpu_table(hotline: CpuUse, rasa: CpuUse | None, messages: int, turns: int) -> list[str]:
    names = sorted(hotline.spent, key=lambda n: -hotline.spent[n])
    rows = [f"  CPU ms per message   {'hotline':>8s}" + (f" {'raw Rasa':>9s}" if rasa else "")]
    for name in names + ["total"]:
        mine = (sum(hotline.spent.values()) if name == "total" else hotline.spent[name])
        row = f"    {name:18s} {mine * 1000 / max(messages, 1):8.1f}"
        if rasa:
            theirs = sum(rasa.spent.values()) if name == "total" else rasa.spent.get(name, 0.0)
            row += f" {theirs * 1000 / max(turns, 1):9.1f}"
        rows.append(row + ("   (Twilio's stand-in)" if name == "sandbox" else ""))
    return rows


def line(name: str, values: list[float]) -> str:
    return (f"  {name:17s} p50 {percentile(values, .50) * 1000:7.1f} ms   "
            f"p95 {percentile(values, .95) * 1000:7.1f} ms   "
            f"p99 {percentile(values, .99) * 1000:7.1f} ms   "
            f"mean {statistics.mean(values) * 1000:7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--messages", type=int, default=5, help="messages per sender")
    parser.add_argument("--no-rasa", action="store_true", help="skip the raw Rasa comparison")
    parser.add_argument("--rounds", type=int, default=3,
                        help="measured rounds, hotline and raw Rasa alternating")
    args = parser.parse_args()
    env = running_stack_environ()
    if not env.get("TWILIO_API_BASE_URL"):
        print("start the hotline first: ./hotline.sh run", file=sys.stderr)
        return 1
    hotline_number = env["HOTLINE_NUMBERS"].split(",")[0]
    settings = Settings.from_env(env)
    arrivals = Arrivals(connect(env["REDIS_URL"]))
    arrivals.start()

    def hotline_round(count: int, acks: list, replies: list, errors: list) -> float:
        phones = [Phone(f"http://127.0.0.1:{env['HOTLINE_PORT']}", env["TWILIO_API_BASE_URL"],
                        env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"],
                        "+52199" + "".join(secrets.choice("0123456789") for _ in range(8)),
                        hotline_number) for _ in range(args.senders)]
        return load(run_sender, args.senders,
                    lambda i: (phones[i], arrivals, count, acks, replies, errors))

    def rasa_round(count: int, turns: list, errors: list) -> float:
        return load(run_rasa_sender, args.senders, lambda i: (
            settings.rasa_url, settings.rasa_token or "", count, turns, errors))

    # The first turns after a start are slow (Rasa builds its prediction graphs, connections
    # open): both paths are warmed, unmeasured, before either is measured, and the measured
    # rounds alternate, so neither side pays the cold start or a quieter minute of a shared
    # machine alone.
    hotline_round(1, [], [], [])
    if not args.no_rasa:
        rasa_round(1, [], [])
    acks, replies, errors, turns, rasa_errors = [], [], [], [], []
    elapsed = rasa_elapsed = 0.0
    hotline_cpu, rasa_cpu = CpuUse(), CpuUse()
    for _ in range(args.rounds):
        elapsed += hotline_cpu.measure(
            lambda: hotline_round(args.messages, acks, replies, errors))
        if not args.no_rasa:
            rasa_elapsed += rasa_cpu.measure(
                lambda: rasa_round(args.messages, turns, rasa_errors))
    total = args.senders * args.messages * args.rounds
    print(f"{args.senders} concurrent senders x {args.messages} messages x {args.rounds} rounds "
          f"= {total} messages in {elapsed:.1f}s ({len(replies) / elapsed:.1f} answered "
          "messages/s)")
    for name, values in (("webhook ack", acks), ("reply in sandbox", replies)):
        if values:
            print(line(name, values))
    print(f"  errors: {len(errors)} {errors[:5] if errors else ''}")
    if args.no_rasa or not replies:
        print("\n".join(cpu_table(hotline_cpu, None, len(replies), 0)))
        return 0 if not errors else 1

    # The same load on Rasa alone (its URL and token as the workers read them).
    print(f"raw Rasa, same load: {len(turns)} turns in {rasa_elapsed:.1f}s "
          f"({len(turns) / rasa_elapsed:.1f} turns/s)")
    if turns:
        print(line("raw Rasa turn", turns))
        ratio = percentile(replies, .95) / percentile(turns, .95)
        print(f"  p95 side by side: replies {percentile(replies, .95) * 1000:.0f} ms, "
              f"raw Rasa {percentile(turns, .95) * 1000:.0f} ms, ratio {ratio:.2f}x "
              f"(target <= 1.15x)")
    print(f"  raw Rasa errors: {len(rasa_errors)} {rasa_errors[:5] if rasa_errors else ''}")
    print("\n".join(cpu_table(hotline_cpu, rasa_cpu, len(replies), len(turns))))
    return 0 if not errors and not rasa_errors else 1


if __name__ == "__main__":
    sys.exit(main())
