"""Where the sandbox keeps the messages it accepted: Redis, shared by its worker processes."""

from __future__ import annotations

import json
import secrets
from email.utils import formatdate

from redis import Redis

PREFIX = "tw:"


def new_sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(ts: float) -> str:
    return formatdate(ts, usegmt=False).replace("-0000", "+0000")


class SandboxStore:
    def __init__(self, redis: Redis):
        self.redis = redis

    def save(self, record: dict) -> None:
        seq = self.redis.incr(PREFIX + "seq")
        record["_seq"] = seq
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(PREFIX + "msg:" + record["sid"], json.dumps(record))
        pipe.zadd(PREFIX + "all", {record["sid"]: seq})
        pipe.zadd(PREFIX + "to:" + record["to"], {record["sid"]: seq})
        pipe.zadd(PREFIX + "from:" + record["from"], {record["sid"]: seq})
        pipe.incr(PREFIX + "accepted")
        pipe.execute()

    def get(self, sid: str) -> dict | None:
        raw = self.redis.get(PREFIX + "msg:" + sid)
        return json.loads(raw) if raw else None

    def update(self, sid: str, **fields) -> dict | None:
        record = self.get(sid)
        if record is None:
            return None
        record.update(fields)
        self.redis.set(PREFIX + "msg:" + sid, json.dumps(record))
        return record

    def page(self, to: str | None, sender: str | None, offset: int, size: int) -> tuple[list, int]:
        """Newest first, like Twilio; filtered by To and/or From."""
        if to and sender:
            key = PREFIX + "tmp:" + secrets.token_hex(8)
            self.redis.zinterstore(key, [PREFIX + "to:" + to, PREFIX + "from:" + sender],
                                   aggregate="MAX")
            self.redis.expire(key, 10)
        elif to:
            key = PREFIX + "to:" + to
        elif sender:
            key = PREFIX + "from:" + sender
        else:
            key = PREFIX + "all"
        total = self.redis.zcard(key)
        sids = self.redis.zrevrange(key, offset, offset + size - 1)
        records = [r for r in (self.get(s) for s in sids) if r]
        return records, total

    def accepted(self) -> int:
        return int(self.redis.get(PREFIX + "accepted") or 0)

    # Faults a test or benchmark asks for -----------------------------------------------------
    def push_faults(self, status: int, count: int) -> None:
        self.redis.rpush(PREFIX + "faults", *[status] * count)

    def next_fault(self) -> int | None:
        raw = self.redis.lpop(PREFIX + "faults")
        return int(raw) if raw else None

    # Media of inbound messages (tests upload them) ---------------------------------------------
    def save_media(self, media_sid: str, content_type: str, data: bytes) -> None:
        self.redis.hset(PREFIX + "media:" + media_sid,
                        mapping={"type": content_type, "data": data.hex()})

    def media(self, media_sid: str) -> tuple[str, bytes] | None:
        found = self.redis.hgetall(PREFIX + "media:" + media_sid)
        return (found["type"], bytes.fromhex(found["data"])) if found else None

    def push_holds(self, count: int) -> None:
        self.redis.incrby(PREFIX + "holds", count)

    def next_hold(self) -> bool:
        """Whether the message being accepted is one a test asked to stay queued."""
        if int(self.redis.get(PREFIX + "holds") or 0) <= 0:
            return False
        return self.redis.decr(PREFIX + "holds") >= 0

    def unsubscribe(self, number: str) -> None:
        self.redis.sadd(PREFIX + "unsubscribed", number)

    def is_unsubscribed(self, number: str) -> bool:
        return bool(self.redis.sismember(PREFIX + "unsubscribed", number))

    def reset(self) -> None:
        keys = list(self.redis.scan_iter(PREFIX + "*", count=1000))
        for i in range(0, len(keys), 500):
            self.redis.delete(*keys[i : i + 500])
