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

If no replica confirms in time (none connected, one far behind) it is logged and the hotline
goes on: availability over a second copy while the replica is away. `min-replicas-to-write`
was not chosen: with one replica it refuses every write after a failover, until the old
primary returns as a replica. A primary dying while the wait runs raises ConnectionError: the
gateway answers 5xx and Twilio sends the message again, to the new primary.
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import ConnectionError, ReadOnlyError

log = logging.getLogger(__name__)

REPLICATION_MARK = "hl:replication:mark"  # written, then waited for (this module's only key)
DEFAULT_WAIT_MS = 1000


def acknowledge(redis: Redis) -> int | None:
    """Wait until the client's `wait_replicas` replicas have every write made so far; how many
    confirmed, or None when the client asks for no wait (one server, no replicas)."""
    replicas = getattr(redis, "wait_replicas", 0)
    if not replicas:
        return None
    wait_ms = getattr(redis, "wait_ms", DEFAULT_WAIT_MS)
    pipe = redis.pipeline(transaction=False)
    pipe.incr(REPLICATION_MARK)
    pipe.execute_command("WAIT", replicas, wait_ms)
    try:
        confirmed = int(pipe.execute()[-1])
    except ReadOnlyError:
        # A demoted primary (one server named directly, no Sentinel to follow): the write is
        # not kept there. A connection error, so the caller's retry finds the new primary.
        raise ConnectionError("the Redis primary was demoted while a write waited") from None
    if confirmed < replicas:
        log.warning("a promised write was confirmed by %s of %s Redis replica(s) in %s ms",
                    confirmed, replicas, wait_ms)
    return confirmed
