"""Load generator: signed inbound messages from N concurrent senders against the running hotline.

Prints the webhook acknowledgement latency and the time until each reply reaches the Twilio
sandbox (p50/p95/p99), and messages per second. Start the hotline first (./hotline.sh run),
then:  .venv/bin/python bench/inbound_latency.py --senders 10 --messages 5
Each sender waits for its reply before sending its next message, as a person would.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotline.config import running_stack_environ  # noqa: E402
from hotline.ops.chat import Phone  # noqa: E402

MESSAGES = ["hola", "gracias", "hello", "buenas tardes", "thank you", "ayuda"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_sender(phone: Phone, count: int, acks: list, replies: list, errors: list) -> None:
    phone.new_messages()
    for i in range(count):
        started = time.perf_counter()
        response = phone.send(MESSAGES[i % len(MESSAGES)])
        acked = time.perf_counter()
        if response.status_code != 200:
            errors.append(response.status_code)
            continue
        acks.append(acked - started)
        got = phone.wait_for(1, timeout=120)
        if got:
            replies.append(time.perf_counter() - started)
        else:
            errors.append("no reply")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--messages", type=int, default=5, help="messages per sender")
    args = parser.parse_args()
    env = running_stack_environ()
    if not env.get("TWILIO_API_BASE_URL"):
        print("start the hotline first: ./hotline.sh run", file=sys.stderr)
        return 1
    hotline_number = env["HOTLINE_NUMBERS"].split(",")[0]
    acks, replies, errors = [], [], []
    phones = [Phone(f"http://127.0.0.1:{env['HOTLINE_PORT']}", env["TWILIO_API_BASE_URL"],
                    env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"],
                    "+52199" + "".join(secrets.choice("0123456789") for _ in range(8)),
                    hotline_number) for _ in range(args.senders)]
    threads = [threading.Thread(target=run_sender, args=(p, args.messages, acks, replies, errors))
               for p in phones]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = args.senders * args.messages
    print(f"{args.senders} concurrent senders x {args.messages} messages = {total} messages "
          f"in {elapsed:.1f}s ({len(replies) / elapsed:.1f} answered messages/s)")
    for name, values in (("webhook ack", acks), ("reply in sandbox", replies)):
        if values:
            print(f"  {name:17s} p50 {percentile(values, .50) * 1000:7.1f} ms   "
                  f"p95 {percentile(values, .95) * 1000:7.1f} ms   "
                  f"p99 {percentile(values, .99) * 1000:7.1f} ms   "
                  f"mean {statistics.mean(values) * 1000:7.1f} ms")
    print(f"  errors: {len(errors)} {errors[:5] if errors else ''}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
