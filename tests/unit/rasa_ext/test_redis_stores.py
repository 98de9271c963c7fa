"""Rasa's tracker and lock stores read REDIS_URL whole, as bot/endpoints.yml configures them:
an ACL user and password, the database, and TLS for rediss://."""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import urlsplit

import pytest
from redis import Redis

from hotline.config import PROJECT_ROOT


def endpoint(kind: str, monkeypatch, redis_url: str):
    """The endpoint config Rasa itself reads from bot/endpoints.yml with REDIS_URL set."""
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("REDIS_URL", redis_url)
    for name in ("ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "NLG_URL", "NLG_TOKEN"):
        monkeypatch.setenv(name, "unused")
    return read_endpoint_config(str(PROJECT_ROOT / "bot" / "endpoints.yml"), kind)


@pytest.fixture
def acl_user(redis_server):
    admin = Redis.from_url(redis_server)
    name, password = f"rasa-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    admin.acl_setuser(name, enabled=True, passwords=[f"+{password}"], keys=["*"],
                      commands=["+@all"])
    yield name, password
    admin.acl_deluser(name)


def test_stores_use_the_acl_user_password_and_database(redis_server, acl_user, monkeypatch):
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    name, password = acl_user
    url = f"redis://{name}:{password}@{urlsplit(redis_server).netloc.rpartition('@')[2]}/3"
    monkeypatch.setenv("HOTLINE_SECRET", secrets.token_urlsafe(32))
    tracker_store = TrackerStore.create(endpoint("tracker_store", monkeypatch, url),
                                        Domain.empty())
    lock_store = LockStore.create(endpoint("lock_store", monkeypatch, url))
    assert type(tracker_store).__name__ == "EncryptedRedisTrackerStore"
    assert type(lock_store).__name__ == "UrlRedisLockStore"
    for store in (tracker_store.red, lock_store.red):
        kwargs = store.connection_pool.connection_kwargs
        assert (kwargs["username"], kwargs["password"], kwargs["db"]) == (name, password, 3)

    tracker = DialogueStateTracker.from_events("c0ffee", [
        ActionExecuted("action_listen"), UserUttered("hola", {"name": "greet"})])
    asyncio.run(tracker_store.save(tracker))
    assert asyncio.run(tracker_store.retrieve("c0ffee")).latest_message.text == "hola"
    lock_store.save_lock(lock_store.create_lock("c0ffee"))
    assert lock_store.get_lock("c0ffee") is not None
    # Everything went to database 3, encrypted; a wrong password is refused by the server.
    stored = Redis.from_url(redis_server + "/3")
    assert stored.exists("hotline:tracker:c0ffee")
    assert b"hola" not in stored.get("hotline:tracker:c0ffee")
    stored.flushdb()


def test_rediss_means_tls_with_the_given_ca(monkeypatch):
    from rasa.core.lock_store import LockStore
    from redis.connection import SSLConnection

    store = LockStore.create(endpoint(
        "lock_store", monkeypatch, "rediss://hotline:pw@redis.example:6380/0?ssl_ca_certs=/ca.pem"))
    pool = store.red.connection_pool
    assert pool.connection_class is SSLConnection
    assert pool.connection_kwargs["ssl_ca_certs"] == "/ca.pem"
    assert pool.connection_kwargs["host"] == "redis.example"


@pytest.mark.parametrize("url", ["http://redis:6379", "redis.internal:6379"])
def test_a_url_that_is_not_redis_is_refused(url):
    from rasa_ext.redis_url import store_kwargs

    with pytest.raises(ValueError):
        store_kwargs(url)


@pytest.fixture
def tracker_store(redis_server, monkeypatch):
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain

    monkeypatch.setenv("HOTLINE_SECRET", "unit-test-secret-" + "x" * 16)
    store = TrackerStore.create(endpoint("tracker_store", monkeypatch, redis_server + "/5"),
                                Domain.empty())
    yield store
    Redis.from_url(redis_server + "/5").flushdb()


def turn_store(redis_server):
    from hotline.crypto import Vault
    from hotline.messaging.turns import TurnStore

    return TurnStore(Redis.from_url(redis_server + "/5", decode_responses=True),
                     Vault("unit-test-secret-" + "x" * 16))


def said(tracker_store, sender, events):
    from rasa.shared.core.trackers import DialogueStateTracker

    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, events)))


def test_saving_a_turn_marks_it_done_so_rasa_killed_before_the_channel_finished_never_reruns_it(
        redis_server, tracker_store):
    """The crash window of the scale-out test: Rasa saved the conversation, then died before
    its REST channel marked the turn done. The gateway's retry must get the saved answer."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    from hotline.messaging.turns import DONE, NEW

    turns = turn_store(redis_server)
    assert turns.begin("c1", "SM1")[0] == NEW  # the channel took the turn, then Rasa ran it
    said(tracker_store, "c1", [
        ActionExecuted("action_listen"),
        UserUttered("Ana", {"name": "inform"}, metadata={"message_sid": "SM1"}),
        BotUttered("¿Fecha de nacimiento?", {"buttons": [{"title": "No sé", "payload": "/x"}]}),
        BotUttered(None, {"custom": {"hotline_form": "birth"}}),
        ActionExecuted("action_listen")])
    # ... and was killed here: the channel never called finish.
    state, replies = turns.begin("c1", "SM1")
    assert state == DONE
    # What Rasa's REST channel would have answered, in its order.
    assert replies == [
        {"recipient_id": "c1", "text": "¿Fecha de nacimiento?",
         "buttons": [{"title": "No sé", "payload": "/x"}]},
        {"recipient_id": "c1", "custom": {"hotline_form": "birth"}}]


def test_only_the_new_turn_counts_with_the_greeting_of_a_new_session(redis_server,
                                                                     tracker_store):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

    from hotline.messaging.turns import DONE

    first = [ActionExecuted("action_listen"),
             UserUttered("hola", {"name": "greet"}, metadata={"message_sid": "SM1"}),
             BotUttered("Hola"), ActionExecuted("action_listen")]
    said(tracker_store, "c1", first)
    # An hour later: the session start reminds of the registration, then the message is read.
    second = first + [SessionStarted(), BotUttered("Tu registro sigue pendiente"),
                      ActionExecuted("action_listen"),
                      UserUttered("menu", {"name": "menu"}, metadata={"message_sid": "SM2"}),
                      BotUttered("Menú"), ActionExecuted("action_listen")]
    said(tracker_store, "c1", second)
    turns = turn_store(redis_server)
    assert turns.begin("c1", "SM2") == (DONE, [
        {"recipient_id": "c1", "text": "Tu registro sigue pendiente"},
        {"recipient_id": "c1", "text": "Menú"}])
    assert turns.begin("c1", "SM1") == (DONE, [{"recipient_id": "c1", "text": "Hola"}])


def test_a_save_without_a_messagesid_or_an_answer_marks_nothing(redis_server, tracker_store):
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    from hotline.messaging.turns import NEW

    said(tracker_store, "c1", [ActionExecuted("action_listen"),
                               UserUttered("hola", {"name": "greet"}), BotUttered("Hola")])
    # An action that failed said nothing: the channel lets that turn run again.
    said(tracker_store, "c2", [ActionExecuted("action_listen"),
                               UserUttered("Ana", {"name": "inform"},
                                           metadata={"message_sid": "SM3"})])
    stored = Redis.from_url(redis_server + "/5", decode_responses=True)
    assert stored.keys("hl:turns:*") == []
    assert turn_store(redis_server).begin("c2", "SM3")[0] == NEW
    assert asyncio.run(tracker_store.retrieve("c2")).latest_message.text == "Ana"


def test_the_first_kept_answer_stays_and_the_channel_finishing_after_the_save_changes_nothing(
        redis_server, tracker_store):
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    from hotline.messaging.turns import DONE

    turns = turn_store(redis_server)
    said(tracker_store, "c1", [ActionExecuted("action_listen"),
                               UserUttered("Ana", {"name": "inform"},
                                           metadata={"message_sid": "SM1"}),
                               BotUttered("pregunta 2")])
    turns.finish("c1", "SM1", [{"recipient_id": "c1", "text": "otra cosa"}])
    assert turns.begin("c1", "SM1") == (DONE, [{"recipient_id": "c1", "text": "pregunta 2"}])


def _sessions(count: int, turns: int, start: float = 1000.0) -> list:
    """`count` conversation sessions an hour or more apart, `turns` messages each."""
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    events = []
    for s in range(count):
        t = start + s * 7200
        events += [ActionExecuted("action_session_start", timestamp=t),
                   SessionStarted(timestamp=t + 0.001),
                   SlotSet("language", "es", timestamp=t + 0.002),  # carried over
                   ActionExecuted("action_listen", timestamp=t + 0.003)]
        for i in range(turns):
            at = t + 1 + i
            events += [UserUttered(f"hola {i}", {"name": "greet", "confidence": 0.9},
                                   metadata={"message_sid": f"SM{s}x{i}"}, timestamp=at),
                       SlotSet("count", i, timestamp=at + 0.001),
                       BotUttered(f"respuesta {i}", timestamp=at + 0.002),
                       ActionExecuted("action_listen", timestamp=at + 0.003)]
    return events


def _last_session(events: list) -> list:
    from rasa.shared.core.events import ActionExecuted

    start = max(i for i, e in enumerate(events)
                if isinstance(e, ActionExecuted) and e.action_name == "action_session_start")
    return events[start:]


@pytest.mark.parametrize("case", ["new turn", "same second", "int and float", "replayed",
                                  "one session", "nothing stored"])
def test_merging_a_session_into_the_stored_conversation_keeps_rasas_result(case):
    """The linear merge (`EncryptedRedisTrackerStore._merge_trackers`) against Rasa's own, on
    what a returning person's save merges: the last session, grown by a turn, into every
    session stored. Duplicates are where a merge can differ: events equal to a stored one, an
    event equal to another new one, timestamps equal as numbers but of two types."""
    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_ext.tracker_store import EncryptedRedisTrackerStore

    stored = _sessions(4, 6)
    at = stored[-1].timestamp + 3600 * 2
    turn = [UserUttered("ayuda", {"name": "help"}, metadata={"message_sid": "SMnew"},
                        timestamp=at),
            BotUttered("Aquí estamos", timestamp=at + 0.001),
            ActionExecuted("action_listen", timestamp=at + 0.002)]
    if case == "same second":  # two new events alike in everything
        turn.insert(1, SlotSet("count", 7, timestamp=at + 0.0005))
        turn.insert(2, SlotSet("count", 7, timestamp=at + 0.0005))
    if case == "int and float":  # 1 == 1.0: Rasa calls these the same event
        stored.append(SlotSet("flag", True, timestamp=float(int(at) - 100)))
        turn.insert(0, SlotSet("flag", True, timestamp=int(at) - 100))
    if case == "replayed":  # a stored event of an earlier session comes back in the session
        turn.insert(0, stored[10])
    if case == "one session":
        stored = _sessions(1, 6)
    current = _last_session(stored) + turn
    prior = DialogueStateTracker.from_events("p1", stored) if case != "nothing stored" else (
        DialogueStateTracker.from_events("p1", []))

    theirs = RedisTrackerStore._merge_trackers(prior, DialogueStateTracker.from_events(
        "p1", current))
    ours = EncryptedRedisTrackerStore._merge_trackers(prior, DialogueStateTracker.from_events(
        "p1", current))
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in theirs.events]
    assert ours.current_slot_values() == theirs.current_slot_values()
    assert len(ours.events) >= len(current)


def test_a_returning_persons_turn_is_saved_whole_after_many_sessions(redis_server,
                                                                     tracker_store):
    """Through the store: fifteen sessions stored, Rasa hands the last one with a new turn,
    and the conversation stored holds every session and the turn, once."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from hotline.messaging.turns import DONE

    stored = _sessions(15, 10)
    said(tracker_store, "c9", stored)
    at = stored[-1].timestamp + 7200
    turn = [UserUttered("ayuda", {"name": "help"}, metadata={"message_sid": "SMnew"},
                        timestamp=at),
            BotUttered("Aquí estamos", timestamp=at + 0.001),
            ActionExecuted("action_listen", timestamp=at + 0.002)]
    said(tracker_store, "c9", _last_session(stored) + turn)
    full = asyncio.run(tracker_store.retrieve_full_tracker("c9"))
    assert [e.as_dict() for e in full.events] == [
        e.as_dict() for e in DialogueStateTracker.from_events("c9", stored + turn).events]
    assert turn_store(redis_server).begin("c9", "SMnew") == (
        DONE, [{"recipient_id": "c9", "text": "Aquí estamos"}])


def test_every_event_type_resolves_to_the_class_rasa_resolves():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    from rasa_ext.tracker_store import event_class

    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert event_class(name) is Event.resolve_by_type(name), name
    assert event_class("topic") is None  # Rasa's retired TopicSet reads as nothing
    with pytest.raises(ValueError):
        event_class("no_such_event")


def test_a_conversation_with_every_kind_of_event_reads_back_as_rasa_reads_it(tracker_store):
    """The store reads conversations with its own event table
    (`EncryptedRedisTrackerStore.deserialise_tracker`): the same events, slots, form and
    paused state as Rasa's own reading of the same text."""
    from datetime import datetime

    from rasa.core.tracker_store import RedisTrackerStore
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionExecutionRejected,
        ActionReverted,
        ActiveLoop,
        AgentUttered,
        AllSlotsReset,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        EntitiesAdded,
        FollowupAction,
        LoopInterrupted,
        ReminderCancelled,
        ReminderScheduled,
        Restarted,
        SessionStarted,
        SlotSet,
        StoryExported,
        UserUtteranceReverted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [
        ActionExecuted("action_session_start"), SessionStarted(),
        SlotSet("language", "es"), ActionExecuted("action_listen"),
        UserUttered("me llamo Ana", {"name": "inform", "confidence": 0.93},
                    entities=[{"entity": "name", "value": "Ana", "start": 9, "end": 12}],
                    metadata={"message_sid": "SM1"}),
        EntitiesAdded([{"entity": "city", "value": "Reynosa"}]),
        ActionExecuted("registration_form"), ActiveLoop("registration_form"),
        SlotSet("requested_slot", "birth_date"), BotUttered("¿Fecha?", {"buttons": []}),
        ActionExecuted("action_listen"),
        UserUttered("no sé", {"name": "dont_know", "confidence": 0.6}),
        ActionExecutionRejected("registration_form"), LoopInterrupted(True),
        UserUtteranceReverted(), ActionReverted(), FollowupAction("action_help"),
        ReminderScheduled("EXTERNAL_reminder", datetime(2026, 12, 3, 9, 0), name="r1"),
        ReminderCancelled(name="r1"), AgentUttered("operator note"),
        ConversationPaused(), ConversationResumed(), StoryExported(), ActiveLoop(None),
        AllSlotsReset(), Restarted(), ActionExecuted("action_listen"),
    ]
    tracker = DialogueStateTracker.from_events("c7", events)
    plain = RedisTrackerStore.serialise_tracker(tracker)
    theirs = RedisTrackerStore.deserialise_tracker(tracker_store, "c7", plain)
    ours = tracker_store.deserialise_tracker("c7", tracker_store.serialise_tracker(tracker))
    assert len(ours.events) == len(events)
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in theirs.events]
    assert [type(e) for e in ours.events] == [type(e) for e in theirs.events]
    assert ours.current_slot_values() == theirs.current_slot_values()
    assert (ours.active_loop, ours.is_paused()) == (theirs.active_loop, theirs.is_paused())
