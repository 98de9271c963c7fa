"""Conversations waiting for a person: urgent ones first, then the longest waiting."""

from __future__ import annotations

import time

from redis import Redis

QUEUE = "hl:escalations"
RECORD = "hl:escalation:{}"
# Urgent entries sort before every normal one, each group oldest first.
_URGENT_OFFSET = 10**11


def escalate(redis: Redis, contact_id: str, reason: str, urgent: bool, language: str) -> bool:
    """Put a conversation in the operators' queue; False when it was already waiting.

    A second request from someone already waiting keeps their place, but becomes urgent if
    this one is.
    """
    now = time.time()
    key = RECORD.format(contact_id)
    existing = redis.hgetall(key)
    if existing and existing.get("state") == "waiting":
        if urgent and existing.get("urgent") != "1":
            redis.hset(key, mapping={"urgent": "1", "reason": reason})
            redis.zadd(QUEUE, {contact_id: float(existing["since"])})
        return False
    redis.hset(key, mapping={"state": "waiting", "reason": reason, "urgent": "1" if urgent else "0",
                             "since": now, "language": language})
    redis.zadd(QUEUE, {contact_id: now if urgent else now + _URGENT_OFFSET})
    return True


def waiting(redis: Redis) -> list[dict]:
    """The queue in the order operators should take it."""
    entries = []
    for contact_id in redis.zrange(QUEUE, 0, -1):
        record = redis.hgetall(RECORD.format(contact_id))
        if record.get("state") == "waiting":
            entries.append({"contact_id": contact_id, **record})
    return entries
