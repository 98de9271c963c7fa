"""What the identity index costs per inbound message: ContactStore.touch_inbound for a new SMS
number, the same number again, its WhatsApp form (+521, found through the index) and a WhatsApp
user id with its number, against a redis-server of its own on a free loopback port.

    .venv/bin/python bench/identity_index.py [count]

Prints the mean and 95th percentile per call, in microseconds.
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from redis import Redis

from hotline.contacts import ContactStore, Sender
from hotline.crypto import Vault
from hotline.messaging.channels import parse_address


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(calls) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1e6)
    return out


def main(count: int = 2000) -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed")
    port, tmp = free_port(), tempfile.mkdtemp(prefix="identity-bench-")
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
    try:
        redis = Redis(port=port, decode_responses=True)
        for _ in range(100):
            try:
                redis.ping()
                break
            except Exception:  # noqa: BLE001 - waiting for the server to listen
                time.sleep(0.05)
        store = ContactStore(redis, Vault("bench-secret-" + "x" * 16))
        numbers = [f"+5255{n:08d}" for n in range(count)]
        rows = {
            "new SMS number": timed(lambda n=n: store.touch_inbound(parse_address(n))
                                    for n in numbers),
            "same SMS number again": timed(lambda n=n: store.touch_inbound(parse_address(n))
                                           for n in numbers),
            "its WhatsApp +521 form": timed(
                lambda n=n: store.touch_inbound(parse_address("whatsapp:+521" + n[3:]))
                for n in numbers),
            "WhatsApp user id + number": timed(
                lambda i=i, n=n: store.touch_inbound(Sender("whatsapp", number=n,
                                                            user_id=f"MX.{i}"))
                for i, n in enumerate(numbers)),
        }
        print(f"touch_inbound, {count} calls each (microseconds):")
        for name, values in rows.items():
            p95 = statistics.quantiles(values, n=20)[-1]
            print(f"  {name:28s} mean {statistics.mean(values):7.0f}   p95 {p95:7.0f}")
        contacts = sum(len(page) for page in store.id_pages())
        print(f"  contacts: {contacts} (one per handset)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
