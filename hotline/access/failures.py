"""Failed authentication, kept apart from the audit trails.

Anyone can fail to authenticate, as often as they like: were failures written to the API's
request log or the console's audit log, a flood of them would push out the record of what
organizations and operators really did (both logs keep a fixed number of entries). Here they
have their own capped lists, one per door, so a flood only pushes out older failures.

Owns the keys `hl:api:failures` (the organizations' API) and `hl:operator:failures` (console
sign-ins), newest first. May import core only.
"""

from __future__ import annotations

import json
import time

from redis import Redis

KEYS = {"api": "hl:api:failures", "console": "hl:operator:failures"}
KEEP = 10_000


def record(redis: Redis, door: str, **entry) -> None:
    """One failed authentication at `door` ("api" or "console"): when, and what was tried."""
    key = KEYS[door]
    pipe = redis.pipeline()
    pipe.lpush(key, json.dumps({"at": time.time(), **entry}))
    pipe.ltrim(key, 0, KEEP - 1)
    pipe.execute()


def recent(redis: Redis, door: str, count: int = 100) -> list[dict]:
    """The latest failures at `door`, newest first."""
    return [json.loads(e) for e in redis.lrange(KEYS[door], 0, count - 1)]
