"""What the gateway does once a person's erasure request has been answered."""

from __future__ import annotations

from redis import Redis

from hotline.messaging.messages import TRANSCRIPT_KEY
from hotline.registration import form_mark

ERASE_MARK = "hl:erase:{}"
# Rasa's Redis tracker store key (key_prefix "hotline" in bot/endpoints.yml).
TRACKER_KEY = "hotline:tracker:{}"


def finish_erasure(redis: Redis, contact_id: str, extra_keys: tuple[str, ...] = ()) -> bool:
    """Drop the conversation itself if this contact asked to be erased; True if it did."""
    if not redis.delete(ERASE_MARK.format(contact_id)):
        return False
    redis.delete(TRACKER_KEY.format(contact_id), TRANSCRIPT_KEY.format(contact_id), *extra_keys)
    form_mark.forget(redis, contact_id)
    return True
