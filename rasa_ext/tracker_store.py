"""Rasa's Redis tracker store, encrypted: conversations hold names, dates and A-numbers.

Rasa keeps every message and slot of a conversation in its tracker. Registration answers are
identity data, so the serialised tracker is encrypted with the hotline's field key before it
reaches Redis. Configured in bot/endpoints.yml as
`type: rasa_ext.tracker_store.EncryptedRedisTrackerStore` with `url: ${REDIS_URL}`
(`rasa_ext.redis_url`: TLS and an ACL user included); the Rasa process reads HOTLINE_SECRET
through `hotline.config.Settings` like every other service.

Saving a turn's conversation also marks the turn done in `hotline.messaging.turns`, in the same
Redis transaction. Rasa saves the conversation once, at the end of a turn, and the REST channel
(`rasa_ext.turns`) marks the turn done only after that: a Rasa process killed in between left a
saved turn that the gateway's retry ran a second time. Written together, there is no between.
"""

from __future__ import annotations

import json
import logging
import math

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from hotline.config import ConfigError, Settings
from hotline.crypto import Vault
from hotline.messaging.turns import TurnStore
from rasa_ext.redis_url import client_for, resolve

log = logging.getLogger(__name__)


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
        self._turns = TurnStore(self.red, self._vault)

    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        """RedisTrackerStore.save (Rasa 3.6.21), with the turn marked done in the same
        transaction as the conversation is written."""
        await self.stream_events(tracker)
        if not timeout and self.record_exp:
            timeout = self.record_exp
        key = self.key_prefix + tracker.sender_id
        stored = self.red.get(key)
        prior = self.deserialise_tracker(tracker.sender_id, stored) if stored is not None else None
        done = await _turn_done(prior, tracker)
        if prior is not None:
            tracker = self._merge_trackers(prior, tracker)
        with self.red.pipeline(transaction=True) as pipe:
            pipe.set(key, self.serialise_tracker(tracker), ex=timeout)
            if done is not None:
                self._turns.finish(tracker.sender_id, done[0], done[1], redis=pipe)
            pipe.execute()

    @staticmethod
    def _merge_trackers(prior_tracker: DialogueStateTracker,
                        tracker: DialogueStateTracker) -> DialogueStateTracker:
        """RedisTrackerStore._merge_trackers (Rasa 3.6.21) with the same result, in linear time.

        A person who comes back after an hour starts a new session, and Rasa then works on the
        last session alone: every save merges it into the whole stored conversation. Rasa's
        merge compares each of the session's events with every stored one (`as_dict` both
        sides, each time): O(session x conversation), 120 ms a save at 15 sessions of 43 events
        on this machine, growing with every return. Here the stored events are indexed by
        (event, timestamp), the two fields every `as_dict` carries, so a new event is compared
        only with the stored events sharing them; "equal to none" is decided as Rasa decides it.
        """
        if not prior_tracker.events:
            return tracker
        last_event_timestamp = prior_tracker.events[-1].timestamp
        past_tracker = tracker.travel_back_in_time(target_time=last_event_timestamp)
        if past_tracker.events == prior_tracker.events:
            return tracker
        merged = tracker.init_copy()
        merged.update_with_events(list(prior_tracker.events), override_timestamp=False,
                                  domain=None)
        seen: dict[tuple, list[dict]] = {}
        for event in merged.events:
            as_dict = event.as_dict()
            seen.setdefault(_merge_key(as_dict), []).append(as_dict)
        for new_event in tracker.events:
            as_dict = new_event.as_dict()
            alike = seen.setdefault(_merge_key(as_dict), [])
            if all(as_dict != other for other in alike):
                merged.update(new_event)
                alike.append(as_dict)
        return merged

    def serialise_tracker(self, tracker: DialogueStateTracker) -> str:  # type: ignore[override]
        return self._vault.encrypt(RedisTrackerStore.serialise_tracker(tracker))

    def deserialise_tracker(self, sender_id: str, serialised_tracker: str | bytes
                            ) -> DialogueStateTracker | None:
        """TrackerStore.deserialise_tracker (Rasa 3.6.21), each event's class found once.

        Rasa finds an event's class by walking every subclass of Event and asking each whether
        it is abstract, for every event it reads: 87% of reading a conversation back, which a
        turn does twice (at its start and in `save`). 44 ms at 660 events on this machine,
        growing faster than the conversation (bench/tracker_merge.py)."""
        if isinstance(serialised_tracker, bytes):
            serialised_tracker = serialised_tracker.decode()
        parameters = json.loads(self._vault.decrypt(serialised_tracker))
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(Dialogue(parameters.get("name"),
                                                events_from_dicts(parameters.get("events", []))))
        return tracker


_EVENT_CLASSES: dict[str, type[Event]] = {}


def event_class(type_name: str) -> type[Event] | None:
    """Event.resolve_by_type's answer, from a table built once: the first class of Rasa's own
    order with that type name. A name not in it (a class imported later, the retired "topic")
    gets Rasa's own answer, its error included."""
    if not _EVENT_CLASSES:
        for cls in all_subclasses(Event):
            _EVENT_CLASSES.setdefault(cls.type_name, cls)
    found = _EVENT_CLASSES.get(type_name)
    return found if found is not None else Event.resolve_by_type(type_name)


def events_from_dicts(serialised: list[dict]) -> list[Event]:
    """rasa.shared.core.events.deserialise_events, with `event_class`."""
    events = []
    for parameters in serialised:
        if "event" not in parameters:
            continue
        name = parameters.get("event")
        cls = event_class(name) if name is not None else None
        event = cls._from_parameters(parameters) if cls is not None else None
        if event:
            events.append(event)
        else:
            log.warning("an event of type %r could not be read back", name)
    return events


def _merge_key(as_dict: dict) -> tuple:
    """Equal `as_dict`s share it: a dict key's equality is the values' own (1 and 1.0 alike),
    as in the dicts' comparison."""
    key = as_dict.get("event"), as_dict.get("timestamp")
    try:
        hash(key)
    except TypeError:  # no Rasa event has one, but a bucket of its own would be wrong
        return ("unhashable",)
    return key


async def _turn_done(prior: DialogueStateTracker | None,
                     tracker: DialogueStateTracker) -> tuple[str, list[dict]] | None:
    """(MessageSid, replies) of the turn this save ends, or None: no message with a MessageSid
    in it (a developer's test, a reminder), or nothing said (the channel lets that turn run
    again). The turn's events are those newer than the saved conversation, as Rasa's own merge
    reads them; the replies are what Rasa's REST channel collected from them, the greeting of a
    new session included."""
    since = prior.events[-1].timestamp if prior is not None and prior.events else -math.inf
    new = [e for e in tracker.events if e.timestamp > since]
    sids = {(e.metadata or {}).get("message_sid") for e in new if isinstance(e, UserUttered)}
    sids.discard(None)
    if len(sids) != 1:
        return None
    channel = CollectingOutputChannel()
    for event in new:
        if isinstance(event, BotUttered):
            # As Rasa's processor sends them (MessageProcessor._send_bot_messages).
            await channel.send_response(tracker.sender_id, event.message())
    return (sids.pop(), channel.messages) if channel.messages else None
