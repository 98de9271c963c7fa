"""Flood benchmark: one sender at 10 messages a second beside 30 ordinary senders.

Starts its own hotline (as bench/chaos.py does) and runs the same 30 ordinary conversations
twice: alone, then beside a flooder who sends 10 messages a second for as long as they talk.
Prints the ordinary senders' reply p50/p95 side by side, and whether every flood message was
stored (the flooder's messages are kept and answered together, not dropped).

    nice -n 10 .venv/bin/python bench/flood.py [--senders 30] [--turns 4] [--rate 10]

Target: the ordinary senders' p95 beside the flooder within 1.5x of their p95 alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    FAQ,
    Listener,
    Person,
    Supervisor,
    make_phone,
    runtime_of,
    start_stack,
    wait_for_quiet,
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def waits(listener: Listener, crowd: list[Person]) -> tuple[list[float], int]:
    found, unanswered = [], 0
    for person in crowd:
        for sent in person.sent:
            answers = listener.answers(sent.sid)
            if answers:
                found.append(min(a.at for a in answers) - sent.first_try)
            else:
                unanswered += 1
    return found, unanswered


def ordinary(stack, listener: Listener, count: int, turns: int) -> list[Person]:
    return [Person(f"ordinary-{i}", make_phone(stack), [FAQ[(i + t) % len(FAQ)]
                                                         for t in range(turns)], listener)
            for i in range(count)]


def run(crowd: list[Person]) -> float:
    started = time.time()
    for person in crowd:
        person.thread.start()
        time.sleep(0.05)
    for person in crowd:
        person.thread.join(timeout=900)
    return time.time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=30)
    parser.add_argument("--turns", type=int, default=4, help="messages per ordinary sender")
    parser.add_argument("--rate", type=float, default=10.0, help="the flooder's messages/s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-flood-") as tmp:
        print("starting the hotline (its own Redis, sandbox and ports)...", flush=True)
        stack = start_stack(Path(tmp))
        try:
            rt = runtime_of(stack)
            with Supervisor(stack), Listener(rt.redis) as listener:
                alone = ordinary(stack, listener, args.senders, args.turns)
                took_alone = run(alone)
                wait_for_quiet(rt, listener, quiet=5)
                print(f"  alone: {took_alone:.0f} s", flush=True)

                beside = ordinary(stack, listener, args.senders, args.turns)
                script = [f"hola {i}" for i in range(100_000)]
                flooder = Person("flooder", make_phone(stack), script, listener,
                                 interval=1.0 / args.rate)
                done = threading.Event()
                # The flooder sends until the ordinary senders are done.
                flooder.script = _Until(script, done)
                flooder.thread.start()
                took_beside = run(beside)
                done.set()
                flooder.thread.join(timeout=60)
                wait_for_quiet(rt, listener, quiet=10)
            waits_alone, missing_alone = waits(listener, alone)
            waits_beside, missing_beside = waits(listener, beside)
            accepted = [s for s in flooder.sent if s.accepted_at]
            stored = sum(1 for s in accepted if rt.messages.load_inbound(s.sid) is not None)
            flood_answers = sum(len(listener.answers(s.sid)) for s in accepted)
            sent_seconds = (accepted[-1].first_try - accepted[0].first_try) if accepted else 0
            print(f"\n{args.senders} ordinary senders x {args.turns} messages; the flooder at "
                  f"{args.rate:g}/s sent {len(flooder.sent)} in {sent_seconds:.0f} s")
            print(f"  {'':28s}{'alone':>10s}{'beside the flooder':>22s}")
            for name, q in (("reply p50", .5), ("reply p95", .95), ("reply max", 1.0)):
                print(f"  {name:28s}{percentile(waits_alone, q):9.1f}s"
                      f"{percentile(waits_beside, q):21.1f}s")
            print(f"  {'unanswered':28s}{missing_alone:10d}{missing_beside:22d}")
            print(f"  {'run time':28s}{took_alone:9.0f}s{took_beside:21.0f}s")
            ratio = (percentile(waits_beside, .95) / percentile(waits_alone, .95)
                     if waits_alone else 0)
            print(f"  p95 beside / alone: {ratio:.2f}  (target <= 1.5)")
            print(f"  flood messages accepted {len(accepted)}, stored {stored}, "
                  f"answers sent to the flooder {flood_answers}")
            return 0 if ratio <= 1.5 and stored == len(accepted) else 1
        finally:
            stack.stop()


class _Until(list):
    """The flooder's script: as long as it is needed, then empty."""

    def __init__(self, items: list[str], done: threading.Event):
        super().__init__(items)
        self.done = done

    def __len__(self) -> int:
        return 0 if self.done.is_set() else super().__len__()


if __name__ == "__main__":
    sys.exit(main())
