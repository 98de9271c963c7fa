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
