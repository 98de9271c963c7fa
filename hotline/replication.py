"""Waiting for Redis replicas after a write the hotline promises to someone outside.

Replication is asynchronous: a write the primary acknowledged may not have reached its replica
when the primary dies, and Sentinel then promotes a replica without it. What the hotline tells
the outside world it has kept must survive that: an inbound message Twilio got 200 for (Twilio
will not send it again) and an opt-out (the person was told they will get nothing more). After
those, `acknowledge(redis)` makes one write of its own and `WAIT`s until `wait_replicas`
replicas confirm it, at most `wait_ms` milliseconds (both carried by the client,
`hotline.redis_connect`: 1 replica and 1000 ms in the Sentinel form, no wait for one server).
The replication stream is in order, so a replica holding that write holds every write made
before it, whichever connection made them (WAIT alone counts only its own connection's writes).

If no replica confirms in time (one far behind) or none is connected (no wait then) it is
logged, once a minute, and the hotline goes on: availability over a second copy while the
replica is away. `min-replicas-to-write` was not chosen: with one replica it refuses every
write after a failover, until the old primary returns as a replica. A primary dying while the
wait runs raises ConnectionError: the gateway answers 5xx and Twilio sends the message again,
to the new primary.
"""

from __future__ import annotations

import logging
import time

from redis import Redis
from redis.exceptions import ConnectionError, ReadOnlyError
from redis.utils import str_if_bytes

log = logging.getLogger(__name__)

REPLICATION_MARK = "hl:replication:mark"  # written, then waited for (this module's only key)
DEFAULT_WAIT_MS = 1000
WARN_EVERY_SECONDS = 60.0


def acknowledge(redis: Redis) -> int | None:
    """Wait until the client's `wait_replicas` replicas have every write made so far; how many
    confirmed, or None when the client asks for no wait (one server, no replicas)."""
    wanted = getattr(redis, "wait_replicas", 0)
    if not wanted:
        return None
    try:
        # ROLE lists the replicas connected now: with none (after a failover, until the old
        # primary returns as a replica) a WAIT would only take its whole timeout every time.
        role = redis.execute_command("ROLE")
        connected = len(role[2]) if role and str_if_bytes(role[0]) == "master" else 0
        confirmed = 0
        if connected:
            wait_ms = getattr(redis, "wait_ms", DEFAULT_WAIT_MS)
            pipe = redis.pipeline(transaction=False)
            pipe.incr(REPLICATION_MARK)
            pipe.execute_command("WAIT", min(wanted, connected), wait_ms)
            confirmed = int(pipe.execute()[-1])
    except ReadOnlyError:
        # A demoted primary (one server named directly, no Sentinel to follow): the write is
        # not kept there. A connection error, so the caller's retry finds the new primary.
        raise ConnectionError("the Redis primary was demoted while a write waited") from None
    if confirmed < wanted:
        _warn(confirmed, wanted, connected)
    return confirmed


_last_warning = [0.0]


def _warn(confirmed: int, wanted: int, connected: int) -> None:
    # Once a minute: without a replica every promised write would say it.
    if time.monotonic() - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = time.monotonic()
        log.warning("promised writes confirmed by %s of %s Redis replica(s) (%s connected)",
                    confirmed, wanted, connected)
