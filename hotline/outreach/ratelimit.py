"""A send rate shared by every worker: each message reserves the next free slot in Redis.

Slots are spaced `1 / rate` seconds apart on Redis's own clock, so however many workers and
threads send, the sender never goes above the rate in any second, and a paused sender does not
burst to catch up. Owns the keys `hl:rate:{key}`.

May import: nothing of the hotline (Redis only).
"""

from __future__ import annotations

import time

from redis import Redis

# Returns the slot granted and Redis's time now (seconds, Redis's clock).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(nxt, now)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'PX', 60000)
return {tostring(slot), tostring(now)}
"""
# Aim a little under the cap: network jitter between our clock and the receiver's must not
# push two messages into the same second.
HEADROOM = 0.96


class RateLimiter:
    def __init__(self, redis: Redis, key: str, per_second: float):
        self.redis = redis
        self.key = f"hl:rate:{key}"
        self.interval = 1.0 / (per_second * HEADROOM) if per_second and per_second > 0 else 0.0
        self._script = redis.register_script(_RESERVE) if self.interval else None

    def reserve(self) -> tuple[float, float]:
        """Take the next free slot: (slot, now), both on Redis's clock.

        The slot is what the limiter promises; when the message actually leaves also depends on
        the caller waking up on time, which a loaded machine can delay."""
        slot, now = self._script(keys=[self.key], args=[self.interval])
        return float(slot), float(now)

    def wait(self) -> float:
        """Block until this caller may send; returns the seconds waited."""
        if not self._script:
            return 0.0
        slot, now = self.reserve()
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return max(delay, 0.0)
