"""Every client comes from one REDIS_URL (hotline/redis_connect.py): the usual redis:// and
rediss:// forms, and the Sentinel form whose client follows a failover; promised writes wait for
a replica (hotline/replication.py). A real primary, replica and sentinel on loopback answer the
last tests (about a second to start; the failover test takes about ten)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.sentinel import SentinelConnectionPool

from hotline import replication
from hotline.ops.stack import free_port
from hotline.redis_connect import (
    FAILOVER_SECONDS,
    HotlineRedis,
    SentinelConnection,
    SentinelSSLConnection,
    connect,
    durability,
    parse_sentinel_url,
    url_secrets,
)


def test_the_sentinel_form_names_sentinels_service_database_and_both_passwords():
    target = parse_sentinel_url(
        "redis+sentinel://hotline:p%40ss%2Fw@10.0.0.1:26380,10.0.0.2,[fd00::3]:26381"
        "/hotline-main/3?sentinel_password=s3nt&sentinel_username=watch&wait_ms=250")
    assert target.sentinels == (("10.0.0.1", 26380), ("10.0.0.2", 26379), ("fd00::3", 26381))
    assert (target.service, target.db) == ("hotline-main", 3)
    assert (target.username, target.password) == ("hotline", "p@ss/w")
    assert (target.sentinel_username, target.sentinel_password) == ("watch", "s3nt")
    assert not target.ssl
    assert parse_sentinel_url("rediss+sentinel://h/m?ssl_ca_certs=/ca.pem").ssl_ca_certs == \
        "/ca.pem"
    assert parse_sentinel_url("redis+sentinel://h:1/m").db == 0


@pytest.mark.parametrize("url", [
    "redis+sentinel://h:26379",            # no service
    "redis+sentinel:///mymaster/0",        # no sentinel
    "redis+sentinel://h:26379/m/0/extra",  # what is 'extra'?
    "redis+sentinel://h:port/m/0",         # a port that is no number
])
def test_a_malformed_sentinel_url_is_refused_at_start(url):
    with pytest.raises(ValueError):
        connect(url)


@pytest.mark.parametrize("url", ["http://redis:6379", "redis.internal:6379", "sentinel://h/m"])
def test_a_url_that_is_no_redis_url_is_refused(url):
    with pytest.raises(ValueError):
        connect(url)


def test_durability_waits_for_a_replica_with_sentinel_and_not_for_one_server():
    assert durability("redis+sentinel://h/m/0") == (1, 1000)
    assert durability("redis+sentinel://h/m/0?wait_replicas=0") == (0, 1000)
    assert durability("redis://h:6379/0") == (0, 1000)
    assert durability("rediss://h:6379/0?wait_replicas=2&wait_ms=50") == (2, 50)


def test_our_options_never_reach_redis_py_and_tls_options_do():
    client = connect("rediss://u:pw@redis.example:6380/2?wait_replicas=1&ssl_ca_certs=/ca.pem")
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["username"]) == \
        ("redis.example", 6380, 2, "u")
    assert kwargs["ssl_ca_certs"] == "/ca.pem" and "wait_replicas" not in kwargs
    assert (client.wait_replicas, client.wait_ms) == (1, 1000)


def test_the_sentinel_client_asks_the_sentinels_and_retries_through_a_failover():
    client = connect("redis+sentinel://app:pw@10.9.9.1:26379,10.9.9.2:26379/hotline/4"
                     "?sentinel_password=sp", decode_responses=True)
    pool = client.connection_pool
    assert isinstance(client, HotlineRedis) and isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "hotline" and pool.connection_class is SentinelConnection
    kwargs = pool.connection_kwargs
    assert (kwargs["db"], kwargs["username"], kwargs["password"]) == (4, "app", "pw")
    assert kwargs["decode_responses"] is True
    # A broken command is retried; a new connection keeps trying while a promotion runs.
    assert RedisConnectionError in kwargs["retry_on_error"]
    assert FAILOVER_SECONDS >= 5
    sentinels = pool.sentinel_manager.sentinels
    assert [s.connection_pool.connection_kwargs["host"] for s in sentinels] == \
        ["10.9.9.1", "10.9.9.2"]
    assert sentinels[0].connection_pool.connection_kwargs["password"] == "sp"
    tls = connect("rediss+sentinel://h:26379/hotline/0")
    assert tls.connection_pool.connection_class is SentinelSSLConnection


def test_the_sentinel_password_is_a_secret_the_logs_blank():
    assert sorted(url_secrets("redis+sentinel://u:data%21pw@h:1,h:2/m/0?sentinel_password=sp")) \
        == ["data!pw", "sp"]
    assert url_secrets("redis://127.0.0.1:6380/0") == []


class Recording(Redis):
    """Records what is sent instead of sending it; ROLE names `connected` replicas."""

    wait_replicas, wait_ms = 1, 700

    def __init__(self, confirmed, connected=1):
        self.sent, self.confirmed, self.connected = [], confirmed, connected

    def execute_command(self, *args, **options):
        self.sent.append(args)
        return [b"master", 100, [[b"10.0.0.2", b"6379", b"100"]] * self.connected]

    def pipeline(self, transaction=True, shard_hint=None):
        outer = self

        class Pipe:
            def incr(self, key):
                outer.sent.append(("INCR", key))

            def execute_command(self, *args):
                outer.sent.append(args)

            def execute(self):
                return [1, outer.confirmed]

        return Pipe()


def test_acknowledge_writes_its_mark_then_waits_on_the_same_connection(caplog, monkeypatch):
    monkeypatch.setattr(replication, "_last_warning", [0.0])
    client = Recording(confirmed=1)
    assert replication.acknowledge(client) == 1
    # WAIT counts its own connection's writes only: the mark is written in the same pipeline,
    # and the replication stream's order covers every earlier write.
    assert client.sent == [("ROLE",), ("INCR", replication.REPLICATION_MARK), ("WAIT", 1, 700)]
    lagging = Recording(confirmed=0)
    assert replication.acknowledge(lagging) == 0
    assert "confirmed by 0 of 1 Redis replica(s) (1 connected)" in caplog.text


def test_with_no_replica_connected_nothing_waits_and_the_warning_comes_once(caplog,
                                                                            monkeypatch):
    monkeypatch.setattr(replication, "_last_warning", [0.0])
    alone = Recording(confirmed=0, connected=0)
    assert replication.acknowledge(alone) == 0
    assert replication.acknowledge(alone) == 0
    assert alone.sent == [("ROLE",), ("ROLE",)]  # no WAIT: it would take its whole timeout
    assert caplog.text.count("(0 connected)") == 1


def test_acknowledge_does_nothing_for_one_server(settings):
    client = connect(settings.redis_url)
    assert replication.acknowledge(client) is None
    assert not client.exists(replication.REPLICATION_MARK)


@pytest.mark.rasa_env
def test_rasa_stores_get_the_sentinel_client(monkeypatch):
    import secrets

    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import read_endpoint_config

    from hotline.config import PROJECT_ROOT

    monkeypatch.setenv("REDIS_URL", "redis+sentinel://rasa:pw@10.9.9.1:26379,10.9.9.2/hotline/5")
    monkeypatch.setenv("HOTLINE_SECRET", secrets.token_urlsafe(32))
    for name in ("ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "NLG_URL", "NLG_TOKEN"):
        monkeypatch.setenv(name, "unused")
    endpoints = str(PROJECT_ROOT / "bot" / "endpoints.yml")
    tracker_store = TrackerStore.create(read_endpoint_config(endpoints, "tracker_store"),
                                        Domain.empty())
    lock_store = LockStore.create(read_endpoint_config(endpoints, "lock_store"))
    for store in (tracker_store, lock_store):
        pool = store.red.connection_pool
        assert isinstance(pool, SentinelConnectionPool), type(store).__name__
        assert pool.service_name == "hotline"
        assert (pool.connection_kwargs["db"], pool.connection_kwargs["username"]) == (5, "rasa")
    assert tracker_store.key_prefix.startswith("hotline")
    assert lock_store.red.connection_pool.connection_kwargs["socket_timeout"] == 10


# A real primary, replica and sentinel -------------------------------------------------------

@contextlib.contextmanager
def sentinel_servers(workdir, failover: bool = False):
    """A primary, its replica and one sentinel (quorum 1) on loopback: (url, primary, replica,
    processes by name). With `failover`, the sentinel fails the primary over half a second
    after it stops answering, and is ready to (it has seen the replica)."""
    down_after_ms = 500 if failover else 30000
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run the tests with ./hotline.sh test")
    primary, replica, sentinel = free_port(), free_port(), free_port()
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass", "pw",
              "--masterauth", "pw", "--dir", str(workdir)]
    conf = workdir / "sentinel.conf"
    conf.write_text(f"port {sentinel}\nbind 127.0.0.1\n"
                    f"sentinel monitor hotline 127.0.0.1 {primary} 1\n"
                    "sentinel auth-pass hotline pw\n"
                    f"sentinel down-after-milliseconds hotline {down_after_ms}\n"
                    "sentinel failover-timeout hotline 5000\n")
    processes = {
        "primary": subprocess.Popen([binary, "--port", str(primary), *common],
                                    stdout=subprocess.DEVNULL),
        "replica": subprocess.Popen([binary, "--port", str(replica), *common,
                                     "--replicaof", "127.0.0.1", str(primary)],
                                    stdout=subprocess.DEVNULL),
        "sentinel": subprocess.Popen([binary, str(conf), "--sentinel"],
                                     stdout=subprocess.DEVNULL),
    }
    try:
        # Both ends: the replica's link is up a moment before the primary lists it in ROLE,
        # which is what a promised write counts (hotline.replication.acknowledge).
        probe, listing = Redis(port=replica, password="pw"), Redis(port=primary, password="pw")
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                if probe.info("replication").get("master_link_status") == "up" and \
                        listing.execute_command("ROLE")[2]:
                    break
            except RedisConnectionError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the replica did not connect to its primary within 15 s")
        # A sentinel learns of replicas from the primary's INFO, every ten seconds: until then
        # it has nobody to promote.
        watcher = Redis(port=sentinel, decode_responses=True)
        deadline = time.time() + 25
        while failover and int(watcher.sentinel_master("hotline").get("num-slaves", 0)) < 1:
            if time.time() > deadline:
                pytest.fail("the sentinel did not see the replica within 25 s")
            time.sleep(0.2)
        yield f"redis+sentinel://:pw@127.0.0.1:{sentinel}/hotline/0", primary, replica, processes
    finally:
        for process in processes.values():
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def sentinel_set(tmp_path_factory):
    with sentinel_servers(tmp_path_factory.mktemp("sentinel")) as (url, primary, replica, _):
        yield url, primary, replica


def test_a_write_through_sentinel_reaches_the_primary_and_a_replica_confirms(sentinel_set):
    url, primary, replica = sentinel_set
    client = connect(url, decode_responses=True)
    client.set("hl:test:sentinel", "kept")
    assert client.connection_pool.get_master_address() == ("127.0.0.1", primary)
    assert replication.acknowledge(client) == 1
    assert Redis(port=replica, password="pw").get("hl:test:sentinel") == b"kept"


def test_the_rq_scheduler_rebuilds_a_working_connection_from_the_sentinel_client(sentinel_set):
    from rq.connections import parse_connection
    from rq.scheduler import RQScheduler

    url, primary, _ = sentinel_set
    client = connect(url)
    connection_class, pool_class, _ = parse_connection(client)
    assert connection_class is HotlineRedis and pool_class is SentinelConnection
    scheduler = RQScheduler(["inbound"], connection=client)
    assert scheduler.connection.ping()
    assert scheduler.connection.connection_pool.get_connection("PING").port == primary


def test_a_new_connection_keeps_asking_the_sentinels_until_the_primary_answers(monkeypatch):
    client = connect("redis+sentinel://10.9.9.1:26379/hotline/0")
    connection = client.connection_pool.make_connection()
    answers = iter([RedisConnectionError("the dead primary"), RedisConnectionError("again"),
                    None])

    def attempt():
        outcome = next(answers)
        if outcome:
            raise outcome
        return "connected"

    monkeypatch.setattr(connection, "_connect_retry", attempt)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    assert connection.connect() == "connected"


def test_a_new_connection_gives_up_after_the_failover_time(monkeypatch):
    import hotline.redis_connect as redis_connect

    client = connect("redis+sentinel://10.9.9.1:26379/hotline/0")
    connection = client.connection_pool.make_connection()
    tries = []

    def attempt():
        tries.append(1)
        raise RedisConnectionError("no primary")

    clock = [0.0]
    monkeypatch.setattr(connection, "_connect_retry", attempt)
    monkeypatch.setattr(redis_connect.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(redis_connect.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    with pytest.raises(RedisConnectionError):
        connection.connect()
    assert clock[0] <= FAILOVER_SECONDS and len(tries) > 5


def test_a_command_whose_connection_breaks_in_a_failover_waits_for_the_new_primary(tmp_path):
    # redis-py 8 reconnected a broken connection straight to the address it had: the dead
    # primary, three tries in a third of a second, and the command failed. A scale-out run's
    # worker ended so at a failover (RQ's loop does not survive a Redis error writing its
    # heartbeat), and one person's messages were never answered.
    with sentinel_servers(tmp_path, failover=True) as (url, primary, replica, processes):
        client = connect(url, decode_responses=True)
        client.set("hl:test:before", "1")
        # The primary dies while a command waits on it (as RQ's worker waits for a job):
        # the command's own retry reconnects.
        killer = threading.Timer(0.5, processes["primary"].kill)
        killer.start()
        started = time.monotonic()
        assert client.blpop(["hl:test:nothing"], timeout=2) is None
        waited = time.monotonic() - started
        killer.join()
        assert client.connection_pool.get_master_address() == ("127.0.0.1", replica)
        client.set("hl:test:after", "2")
        assert Redis(port=replica, password="pw", decode_responses=True).get(
            "hl:test:after") == "2"
        assert waited < FAILOVER_SECONDS + 2
