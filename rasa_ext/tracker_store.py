"""Rasa's Redis tracker store, encrypted: conversations hold names, dates and A-numbers.

Rasa keeps every message and slot of a conversation in its tracker. Registration answers are
identity data, so the serialised tracker is encrypted with the hotline's field key before it
reaches Redis. Configured in bot/endpoints.yml as
`type: rasa_ext.tracker_store.EncryptedRedisTrackerStore` with `url: ${REDIS_URL}`
(`rasa_ext.redis_url`: TLS and an ACL user included); the Rasa process reads HOTLINE_SECRET
through `hotline.config.Settings` like every other service.
"""

from __future__ import annotations

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from hotline.config import ConfigError, Settings
from hotline.crypto import Vault
from rasa_ext.redis_url import client_for, resolve


class EncryptedRedisTrackerStore(RedisTrackerStore):
    def __init__(self, domain, host=None, **kwargs):
        # Refuse to start rather than fall back to storing conversations in the clear.
        try:
            settings = Settings.from_env().require("secret")
        except ConfigError as exc:
            raise RuntimeError(f"the encrypted tracker store cannot start: {exc}") from None
        # The keyring too: a rotation's new key encrypts conversations at once (hotline/crypto.py).
        self._vault = Vault(settings.secret, settings.keyring_file)
        # `url: ${REDIS_URL}` arrives as `host`: TLS, ACL user and database come from it.
        super().__init__(domain, **resolve(host, kwargs))
        # Sentinel-aware and retried like every other client; Rasa's own is never connected.
        self.red = client_for(host) or self.red

    def serialise_tracker(self, tracker: DialogueStateTracker) -> str:  # type: ignore[override]
        return self._vault.encrypt(RedisTrackerStore.serialise_tracker(tracker))

    def deserialise_tracker(self, sender_id: str, serialised_tracker: str | bytes
                            ) -> DialogueStateTracker | None:
        if isinstance(serialised_tracker, bytes):
            serialised_tracker = serialised_tracker.decode()
        return super().deserialise_tracker(sender_id, self._vault.decrypt(serialised_tracker))
