"""What every hotline action shares: the contact's id, language and our Redis."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker
from redis import Redis

from hotline.config import Settings
from hotline.contacts import ContactStore
from hotline.crypto import Vault
from hotline.registration.store import RegistrationStore


@lru_cache(maxsize=1)
def redis() -> Redis:
    return Redis.from_url(Settings.from_env().redis_url, decode_responses=True)


@lru_cache(maxsize=1)
def vault() -> Vault:
    return Vault(Settings.from_env().require("secret").secret)


def contacts() -> ContactStore:
    return ContactStore(redis(), vault())


def registrations() -> RegistrationStore:
    return RegistrationStore(redis(), vault())


def contact_number(contact_id: str) -> str | None:
    contact = contacts().get(contact_id)
    return contact.number if contact else None


def language(tracker: Tracker) -> str:
    """The language the gateway chose for this turn."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    lang = metadata.get("language")
    return lang if lang in ("en", "es") else Settings.from_env().default_language


def current_language(tracker: Tracker) -> str:
    """The contact's language now: an action this turn may have changed it since the gateway
    chose, so the stored one comes first (the NLG endpoint decides the same way)."""
    contact = contacts().get(tracker.sender_id)
    if contact and contact.language in ("en", "es"):
        return contact.language
    return language(tracker)
