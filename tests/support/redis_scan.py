"""Every key and value in a Redis database, for tests that prove something is not stored."""

from __future__ import annotations

from collections.abc import Iterator

from redis import Redis


def raw_values(raw: Redis) -> Iterator[tuple[bytes, list[bytes]]]:
    """(key, [the key's name and every value of it]) for each key of every type, as bytes; the
    Twilio sandbox's own records (`tw:*`) are Twilio's, not ours, and are skipped."""
    for key in raw.scan_iter(count=1000):
        if key.startswith(b"tw:"):
            continue
        kind = raw.type(key)
        if kind == b"none":
            # Expired between SCAN and TYPE: a live stack keeps short-lived keys (pace buckets,
            # leases), and a key that is gone holds nothing to find.
            continue
        if kind == b"string":
            values = [raw.get(key)]
        elif kind == b"hash":
            values = [v for pair in raw.hgetall(key).items() for v in pair]
        elif kind == b"list":
            values = raw.lrange(key, 0, -1)
        elif kind in (b"set", b"zset"):
            values = list(raw.smembers(key) if kind == b"set" else raw.zrange(key, 0, -1))
        elif kind == b"stream":
            values = [v for _, entry in raw.xrange(key) for pair in entry.items() for v in pair]
        else:
            raise AssertionError(f"unexpected Redis type {kind} of {key}")
        yield key, [key, *(v for v in values if v is not None)]
