"""The per-person line under a lock that outlives a slow handler.

The review's replay (H3): a handler slower than the lock's lifetime, and a second drain job
waiting to take the lock. Before the fix the second job handled the first message again and the
first job's blind pop then removed the second message, which nobody ever handled.
"""

from __future__ import annotations

import threading
import time

import pytest

from hotline.messaging.serial import SerialQueue


def test_a_handler_slower_than_the_lock_neither_repeats_nor_skips(redis):
    queue = SerialQueue(redis, "inbox", lock_timeout=0.3)
    for sid in ("SM1", "SM2", "SM3"):
        queue.push("c1", sid)
    handled: list[tuple[str, str]] = []
    first_started = threading.Event()

    def slow(name):
        def handle(item):
            handled.append((name, item))
            if item == "SM1" and name == "A":
                first_started.set()
                time.sleep(1.0)  # three lifetimes of the lock
        return handle

    a = threading.Thread(target=queue.drain, args=("c1", slow("A")))
    a.start()
    first_started.wait(2)
    # A competitor keeps trying while A is inside the handler, as a new message's job does.
    deadline = time.time() + 1.2
    while time.time() < deadline:
        queue.drain("c1", slow("B"))
        time.sleep(0.05)
    a.join(5)
    queue.drain("c1", slow("B"))
    items = [item for _, item in handled]
    assert sorted(items) == ["SM1", "SM2", "SM3"], handled
    assert items == ["SM1", "SM2", "SM3"]  # in order
    assert queue.pending("c1") == []


def test_an_owner_whose_lock_was_taken_removes_nothing(redis):
    """The lock is lost anyway (a paused process): the next owner handles the item again (the
    handlers are idempotent per item) and the old owner's removal must not pop the next one."""
    queue = SerialQueue(redis, "inbox", lock_timeout=5)
    for sid in ("SM1", "SM2"):
        queue.push("c2", sid)
    handled = []

    def handle(item):
        handled.append(item)
        if len(handled) == 1:
            # Another worker takes the line while this one is stalled: simulate by stealing the
            # lock key outright and letting that worker handle SM1 and remove it.
            for key in redis.scan_iter("hl:lock:inbox:c2*"):
                redis.set(key, "someone-else")
            redis.lpop("hl:inbox:c2")
            handled.append("other:SM1")

    queue.drain("c2", handle)
    # SM2 was never removed by the stalled owner: it is still there for whoever holds the line.
    assert "SM2" in queue.pending("c2")
    for key in redis.scan_iter("hl:lock:inbox:c2*"):
        redis.delete(key)
    queue.drain("c2", lambda item: handled.append(item))
    assert handled.count("SM2") == 1 and queue.pending("c2") == []


def test_a_capped_drain_leaves_the_rest_for_the_next_job(redis):
    queue = SerialQueue(redis, "inbox")
    for sid in ("SM1", "SM2", "SM3"):
        queue.push("c3", sid)
    seen = []
    assert queue.drain("c3", seen.append, max_items=2) == 2
    assert queue.pending("c3") == ["SM3"] and "c3" in queue.active_keys()
    assert queue.drain("c3", seen.append, max_items=2) == 1
    assert seen == ["SM1", "SM2", "SM3"] and "c3" not in queue.active_keys()


def test_an_item_that_raises_stays_first(redis):
    queue = SerialQueue(redis, "inbox")
    queue.push("c4", "SM1")
    queue.push("c4", "SM2")

    def boom(item):
        raise RuntimeError("transient")

    with pytest.raises(RuntimeError):
        queue.drain("c4", boom)
    assert queue.pending("c4") == ["SM1", "SM2"]
    # And the lock was given back: the next job can drain at once.
    assert queue.drain("c4", lambda item: None) == 2


class _PushAfterRelease:
    """The drain's Redis, with a message arriving just after the drain let go of the line: the
    first command after the release runs, then the gateway pushes the message and its job
    takes the line (and may be killed there)."""

    def __init__(self, redis, queue: SerialQueue, key: str):
        self._redis, self._queue, self._key = redis, queue, key
        self.released = self.arrived = False

    def __getattr__(self, name):
        command = getattr(self._redis, name)

        def run(*args, **kwargs):
            result = command(*args, **kwargs)
            if self.released and not self.arrived:
                self.arrived = True
                self._redis.rpush(f"hl:{self._queue.name}:{self._key}", "SMlate")
                self._redis.sadd(f"hl:{self._queue.name}:active", self._key)
                self._redis.set(f"hl:lock:{self._queue.name}:{self._key}", "its-job", px=30000)
            if name == "eval" and args and "DEL" in args[0]:
                self.released = True
            return result
        return run


def test_a_message_arriving_as_the_drain_leaves_stays_where_the_sweeper_looks(redis):
    # Between the drain's look at an empty line and its leaving the active set, the message
    # arrived and its own job took the line. Taken out of the active set all the same, it was
    # invisible to the sweeper: with that job's worker killed, nobody would answer it.
    queue = SerialQueue(redis, "inbox")
    queue.push("c7", "SM1")
    queue.redis = _PushAfterRelease(redis, queue, "c7")
    assert queue.drain("c7", lambda item: True) == 1
    assert queue.redis.arrived
    assert redis.lrange("hl:inbox:c7", 0, -1) == ["SMlate"]
    assert "c7" in redis.smembers("hl:inbox:active")
