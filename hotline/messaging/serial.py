"""Per-key FIFO queues drained by one worker at a time.

Twilio may deliver one person's messages to several gateway workers at once, and RQ runs jobs on
several workers; yet one person's messages must be answered in order, and their replies must
leave in order. Each key (a contact) gets a Redis list and a lock: whoever holds the lock drains
the list head first and removes an item only after it was handled, so a crash or a transient
failure leaves the item where it was for the retry.

The lock is held with an owner token and renewed by a heartbeat while a handler runs, so a slow
turn (Rasa's timeout, a job's retries) never lets a second worker in mid-item. An item is
removed only by the lock's owner and only if it is still the head (compare-and-remove by item
id): a worker that lost its lock anyway (a paused process) removes nothing, so no message is
handled by two workers and then skipped. The handlers themselves are idempotent per item (its
record's state), which covers the one case a lock cannot: the owner that lost it while inside.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from redis import Redis

from hotline.heartbeat import Heartbeat

log = logging.getLogger(__name__)

# Compare-and-remove: the head goes only if the caller still owns the line and it is the item
# the caller handled.
_REMOVE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('LINDEX', KEYS[2], 0) ~= ARGV[2] then return 0 end
redis.call('LPOP', KEYS[2])
return 1
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# The line leaves the active set only while empty: checked and removed in one step, so an item
# pushed between a look and the removal (RPUSH + SADD) never sits where the sweeper cannot see.
_RETIRE = """
if redis.call('LLEN', KEYS[1]) > 0 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
return 1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class SerialQueue:
    def __init__(self, redis: Redis, name: str, lock_timeout: float = 30):
        self.redis = redis
        self.name = name
        # Short, because the heartbeat renews it: a killed worker holds the line this long at
        # most, not a whole job timeout.
        self.lock_timeout = lock_timeout

    def _list(self, key: str) -> str:
        return f"hl:{self.name}:{key}"

    def _lock_key(self, key: str) -> str:
        return f"hl:lock:{self.name}:{key}"

    def _active(self) -> str:
        return f"hl:{self.name}:active"

    def keys(self, key: str) -> tuple[str, str]:
        """The list and the active set a push writes: for a store's script that must store a
        record and queue it in one step (`MessageStore.accept_inbound`)."""
        return self._list(key), self._active()

    def push(self, key: str, item: str) -> None:
        pipe = self.redis.pipeline()
        pipe.rpush(self._list(key), item)
        pipe.sadd(self._active(), key)
        pipe.execute()

    def pending(self, key: str) -> list[str]:
        return self.redis.lrange(self._list(key), 0, -1)

    def active_keys(self) -> set[str]:
        return self.redis.smembers(self._active())

    def held_for(self, key: str) -> float:
        """Seconds left on the line's lock (0 when nobody holds it): how long a worker killed
        while holding it can keep the line."""
        left = self.redis.pttl(self._lock_key(key))
        return left / 1000 if left > 0 else 0.0

    def acquire(self, key: str) -> str | None:
        """Take the line; the owner token, or None when another worker holds it."""
        token = secrets.token_hex(8)
        if self.redis.set(self._lock_key(key), token, nx=True,
                          px=int(self.lock_timeout * 1000)):
            return token
        return None

    def extend(self, key: str, token: str) -> bool:
        return bool(self.redis.eval(_EXTEND, 1, self._lock_key(key), token,
                                    int(self.lock_timeout * 1000)))

    def release(self, key: str, token: str) -> bool:
        return bool(self.redis.eval(_RELEASE, 1, self._lock_key(key), token))

    def retire(self, key: str) -> bool:
        """Out of the active set if the line is empty (True); False when an item waits."""
        return bool(self.redis.eval(_RETIRE, 2, self._list(key), self._active(), key))

    def remove_head(self, key: str, token: str, item: str) -> int:
        """1: removed; 0: `item` is no longer the head; -1: the caller does not own the line."""
        return int(self.redis.eval(_REMOVE, 2, self._lock_key(key), self._list(key), token,
                                   item))

    def drain(self, key: str, handle: Callable[[str], object],
              max_items: int | None = None,
              free: Callable[[str], bool] | None = None) -> int:
        """Handle queued items of `key` in order; returns how many were handled.

        Returns 0 at once when another worker holds the key: that worker will see the items.
        With `max_items`, stops after that many and leaves the rest queued (the caller schedules
        another job, behind other people's: fairness); an item for which `handle` returns False
        is not counted, and items `free` says have nothing left to do are cleared even after
        the cap. An exception from `handle` leaves its item at the head and propagates.
        """
        handled = 0
        capped = False
        while True:
            token = self.acquire(key)
            if token is None:
                return handled
            try:
                while True:
                    item = self.redis.lindex(self._list(key), 0)
                    if item is None:
                        break
                    if max_items is not None and handled >= max_items and not (
                            free and free(item)):
                        capped = True
                        break
                    # The lock lives a short lease renewed while the handler runs.
                    with Heartbeat(lambda t=token: self.extend(key, t), self.lock_timeout / 3,
                                   f"serial lock {self.name}:{key}") as beat:
                        counted = handle(item)
                    if beat.lost.is_set() or self.remove_head(key, token, item) < 0:
                        # Someone else holds the line now and will see what is left; whatever
                        # they re-handle, the handler's own state makes harmless.
                        log.warning("serial lock %s:%s lost; leaving the line", self.name, key)
                        return handled
                    if counted is not False:
                        handled += 1
            finally:
                self.release(key, token)
            if capped:
                return handled
            # An item pushed between our last look and the release would otherwise wait for
            # the sweeper: its own job may have seen the lock taken and left.
            if self.retire(key):
                return handled
