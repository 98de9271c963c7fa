"""The registration question a person is answering now, where the gateway can see it.

The action server marks the question it asked; the gateway reads the mark so that, while a
question is open, digits are an answer (not an unprompted number) and CANCEL stops the form (not
every message). Owns the key `hl:form:{contact_id}`; imports nothing but Redis.
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

KEY = "hl:form:{}"
# A registration left half-way is picked up again weeks later: the mark lives as long.
TTL = 30 * 24 * 3600


def open_question(redis: Redis, contact_id: str) -> str | None:
    """The registration question waiting for this contact's answer, if any."""
    return redis.get(KEY.format(contact_id))


def mark(redis: Redis, contact_id: str, requested: str | None) -> None:
    """Say which question is open now (None: none is).

    A failed write is logged, not raised: the worst it does is read one message as if no
    question were open, which must not cost the person the answer to their turn.
    """
    try:
        if requested:
            redis.set(KEY.format(contact_id), requested, ex=TTL)
        else:
            redis.delete(KEY.format(contact_id))
    except RedisError:
        log.exception("could not mark the registration form for %s", contact_id)


def forget(redis: Redis, contact_id: str) -> int:
    """Erase the mark with the rest of the person's data; returns how many marks went (0 or 1)."""
    return redis.delete(KEY.format(contact_id))
