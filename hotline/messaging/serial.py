"""Per-key FIFO queues drained by one worker at a time.

Twilio may deliver one person's messages to several gateway workers at once, and RQ runs jobs on
several workers; yet one person's messages must be answered in order, and their replies must
leave in order. Each key (a contact) gets a Redis list and a lock: whoever holds the lock drains
the list head first and removes an item only after it was handled, so a crash or a transient
failure leaves the item where it was for the retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis import Redis
from redis.exceptions import LockError

log = logging.getLogger(__name__)


class SerialQueue:
    def __init__(self, redis: Redis, name: str, lock_timeout: float = 300):
        self.redis = redis
        self.name = name
        self.lock_timeout = lock_timeout

    def _list(self, key: str) -> str:
        return f"hl:{self.name}:{key}"

    def _lock(self, key: str):
        return self.redis.lock(f"hl:lock:{self.name}:{key}", timeout=self.lock_timeout)

    def push(self, key: str, item: str) -> None:
        pipe = self.redis.pipeline()
        pipe.rpush(self._list(key), item)
        pipe.sadd(f"hl:{self.name}:active", key)
        pipe.execute()

    def pending(self, key: str) -> list[str]:
        return self.redis.lrange(self._list(key), 0, -1)

    def active_keys(self) -> set[str]:
        return self.redis.smembers(f"hl:{self.name}:active")

    def drain(self, key: str, handle: Callable[[str], None]) -> int:
        """Handle every queued item of `key` in order; returns how many were handled.

        Returns 0 at once when another worker holds the key: that worker will see the items.
        An exception from `handle` leaves its item at the head and propagates.
        """
        handled = 0
        while True:
            lock = self._lock(key)
            if not lock.acquire(blocking=False):
                return handled
            try:
                while (item := self.redis.lindex(self._list(key), 0)) is not None:
                    handle(item)
                    self.redis.lpop(self._list(key))
                    handled += 1
            finally:
                try:
                    lock.release()
                except LockError:
                    log.warning("serial lock %s:%s expired while draining", self.name, key)
            # An item pushed between our last look and the release would otherwise wait for
            # the sweeper: its own job may have seen the lock taken and left.
            if self.redis.llen(self._list(key)) == 0:
                self.redis.srem(f"hl:{self.name}:active", key)
                if self.redis.llen(self._list(key)) == 0:
                    return handled
