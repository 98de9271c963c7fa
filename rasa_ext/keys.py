"""Where Rasa keeps a conversation in Redis, for code that must not import Rasa.

Owns the tracker key `hotline:tracker:{contact_id}`: Rasa's RedisTrackerStore writes
`<key_prefix>:tracker:<sender_id>`, and bot/endpoints.yml sets `key_prefix: hotline` (a test
checks that the two agree). Imports nothing but Redis, so the gateway and the action server can
forget a tracker without loading Rasa.
"""

from __future__ import annotations

from redis import Redis

KEY_PREFIX = "hotline"  # bot/endpoints.yml, tracker_store.key_prefix


def tracker_key(contact_id: str) -> str:
    """The Redis key of this contact's conversation (the sender id is the contact id).

    >>> tracker_key("c0a1")
    'hotline:tracker:c0a1'
    """
    return f"{KEY_PREFIX}:tracker:{contact_id}"


def forget(redis: Redis, contact_id: str) -> int:
    """Erase this contact's conversation; returns how many trackers went (0 or 1)."""
    return redis.delete(tracker_key(contact_id))
