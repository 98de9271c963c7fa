"""Rasa's Redis tracker store, encrypted: conversations hold names, dates and A-numbers.

Rasa keeps every message and slot of a conversation in its tracker. Registration answers are
identity data, so the serialised tracker is encrypted with the hotline's field key before it
reaches Redis. Configured in bot/endpoints.yml as `type: rasa_ext.tracker_store.EncryptedRedisTrackerStore`;
the Rasa process reads HOTLINE_SECRET from the environment like every other service.
"""

from __future__ import annotations

import os
from typing import Optional, Text, Union

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from hotline.crypto import Vault


class EncryptedRedisTrackerStore(RedisTrackerStore):
    def __init__(self, *args, **kwargs):
        secret = os.environ.get("HOTLINE_SECRET")
        if not secret:
            # Refuse to start rather than fall back to storing conversations in the clear.
            raise RuntimeError("HOTLINE_SECRET must be set for the encrypted tracker store")
        self._vault = Vault(secret)
        super().__init__(*args, **kwargs)

    def serialise_tracker(self, tracker: DialogueStateTracker) -> Text:  # type: ignore[override]
        return self._vault.encrypt(RedisTrackerStore.serialise_tracker(tracker))

    def deserialise_tracker(self, sender_id: Text, serialised_tracker: Union[Text, bytes]
                            ) -> Optional[DialogueStateTracker]:
        if isinstance(serialised_tracker, bytes):
            serialised_tracker = serialised_tracker.decode()
        return super().deserialise_tracker(sender_id, self._vault.decrypt(serialised_tracker))
