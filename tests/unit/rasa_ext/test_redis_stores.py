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
