"""What every hotline action shares: the contact's id, language and our Redis."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker
from redis import Redis

from hotline.config import Settings


@lru_cache(maxsize=1)
def redis() -> Redis:
    return Redis.from_url(Settings.from_env().redis_url, decode_responses=True)


def language(tracker: Tracker) -> str:
    """The language the gateway chose for this turn."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    lang = metadata.get("language")
    return lang if lang in ("en", "es") else Settings.from_env().default_language
