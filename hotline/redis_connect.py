"""Every Redis client of the hotline, from one URL: a single server or a Sentinel-watched primary.

The gateway, the RQ workers and their scheduler, the sweeper, the action server, the CLI, the
sandbox and Rasa's tracker and lock stores (`rasa_ext`) all call `connect(url)` with REDIS_URL
(read by `hotline.config`, never here). Imports nothing of Rasa, so `rasa_ext` can use it.

    redis://[user:password@]host:6379/0              one server (redis-py's own URL)
    rediss://...?ssl_ca_certs=/path                  the same over TLS
    redis+sentinel://[user:password@]h1:26379,h2:26379,h3:26379/mymaster/0
    rediss+sentinel://...                            TLS to the data nodes and the sentinels

In the Sentinel form the hosts are the sentinels, then come the primary's service name and the
database; `user:password@` is for the data nodes (primary and replicas). Options in the query:
`sentinel_password=` (and `sentinel_username=`) when the sentinels ask for their own password
(sentinel `requirepass`; none by default), `ssl_ca_certs=`, and the durability options below.

The client of the Sentinel form asks the sentinels for the primary's address on every new
connection, and a connection that finds itself talking to a demoted primary (READONLY) is
dropped, so a failover is followed without a restart. A new connection keeps trying for about
ten seconds (`FAILOVER_SECONDS`): the time the sentinels take to agree the primary is down and
promote its replica; a command whose connection broke is retried on a new one. A webhook still
failing after that answers 5xx and Twilio sends it again; an RQ worker waits and reconnects.

Durability across a failover (ARCHITECTURE.md, "Redis durability"): replication is
asynchronous, so a write the primary acknowledged may not have reached the replica when the
primary dies. `hotline.replication.acknowledge` waits after the writes the hotline promises to
someone outside, for `wait_replicas` replicas (query option; default 1 in the Sentinel form, 0
= no wait otherwise) at most `wait_ms` milliseconds (default 1000); the client carries both.

    >>> target = parse_sentinel_url(
    ...     "redis+sentinel://app:p%40ss@10.0.0.1:26379,10.0.0.2/hotline/2?sentinel_password=s")
    >>> target.sentinels, target.service, target.db, target.password, target.sentinel_password
    ((('10.0.0.1', 26379), ('10.0.0.2', 26379)), 'hotline', 2, 'p@ss', 's')
    >>> durability("redis+sentinel://h:26379/m/0"), durability("redis://h:6379/0?wait_replicas=1")
    ((1, 1000), (1, 1000))
    >>> durability("redis://h:6379/0")
    (0, 1000)
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelManagedConnection, SentinelManagedSSLConnection

SENTINEL_SCHEMES = {"redis+sentinel": False, "rediss+sentinel": True}  # scheme -> TLS
PLAIN_SCHEMES = ("redis", "rediss", "unix")
SENTINEL_PORT = 26379
# Options of ours in the query string, taken out before redis-py reads the rest.
OWN_OPTIONS = ("wait_replicas", "wait_ms", "sentinel_password", "sentinel_username")
DEFAULT_WAIT_MS = 1000
# A new connection asks the sentinels and connects, again and again for up to FAILOVER_SECONDS:
# the sentinels need `down-after-milliseconds` plus an election to promote the replica, and
# until then they name the dead primary. A command on a connection that breaks is retried
# RETRIES times (each retry reconnects as above).
FAILOVER_SECONDS = 10.0
RETRIES = 3
BACKOFF = ExponentialBackoff(cap=1.0, base=0.05)
CONNECT_TIMEOUT = 2.0


class HotlineRedis(Redis):
    """A redis-py client that knows how many replicas must confirm a promised write."""

    wait_replicas: int = 0
    wait_ms: int = DEFAULT_WAIT_MS


class _UntilFailedOver:
    """Connecting retries for the seconds a failover takes, on a clock (redis-py's own retry
    of the connection would run inside each retried command, the retries multiplying)."""

    def connect(self):
        deadline = time.monotonic() + FAILOVER_SECONDS
        failures = 0
        while True:
            try:
                return self._connect_retry()
            except (ConnectionError, TimeoutError):
                failures += 1
                pause = BACKOFF.compute(failures)
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)

    # redis-py 8 (the application's environment) reconnects a connection that broke
    # mid-command through `connect_check_health`, straight to the address it had: during a
    # failover, the dead primary, refused three times in a third of a second, and the command
    # failed (a worker's RQ loop ended on it). Every reconnect asks the sentinels instead, on
    # the failover clock; `connect_to`, the socket to the address they named, passes through.
    # redis-py 4 (Rasa's environment) reconnects through `connect` and never calls this.
    _connecting_to = False

    def connect_check_health(self, check_health: bool = True, retry_socket_connect: bool = True):
        if self._sock:
            return None
        if self._connecting_to:
            return super().connect_check_health(check_health=check_health,
                                                retry_socket_connect=retry_socket_connect)
        return self.connect()

    def connect_to(self, address):
        self._connecting_to = True
        try:
            return super().connect_to(address)
        finally:
            self._connecting_to = False


class SentinelConnection(_UntilFailedOver, SentinelManagedConnection):
    pass


class SentinelSSLConnection(_UntilFailedOver, SentinelManagedSSLConnection):
    pass


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_username: str | None = None
    sentinel_password: str | None = None
    ssl: bool = False
    ssl_ca_certs: str | None = None


def is_sentinel(url: str) -> bool:
    return urllib.parse.urlsplit(url).scheme in SENTINEL_SCHEMES


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).items()}


def parse_sentinel_url(url: str) -> SentinelTarget:
    """The sentinels, service name, database and credentials of a `redis+sentinel://` URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in SENTINEL_SCHEMES:
        raise ValueError(f"not a Sentinel URL (redis+sentinel://): {parts.scheme!r}")
    userinfo, _, hosts = parts.netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    sentinels = []
    for host in filter(None, hosts.split(",")):
        name, port = host, SENTINEL_PORT
        if host.startswith("["):  # [IPv6]:port
            name, _, rest = host[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else SENTINEL_PORT
        elif ":" in host:
            name, _, number = host.rpartition(":")
            port = int(number)
        sentinels.append((name, port))
    path = [p for p in parts.path.split("/") if p]
    if not sentinels or not path or len(path) > 2:
        raise ValueError("a Sentinel URL names its sentinels and service: "
                         "redis+sentinel://host:26379,host2:26379/SERVICE[/DB]")
    query = _query(url)
    unquote = urllib.parse.unquote
    return SentinelTarget(
        sentinels=tuple(sentinels), service=unquote(path[0]),
        db=int(path[1]) if len(path) > 1 else int(query.get("db", 0)),
        username=unquote(username) or None, password=unquote(password) or None,
        sentinel_username=query.get("sentinel_username"),
        sentinel_password=query.get("sentinel_password"),
        ssl=SENTINEL_SCHEMES[parts.scheme], ssl_ca_certs=query.get("ssl_ca_certs"))


def durability(url: str) -> tuple[int, int]:
    """(replicas to wait for, milliseconds at most) after a promised write."""
    query = _query(url)
    default = 1 if is_sentinel(url) else 0
    return int(query.get("wait_replicas", default)), int(query.get("wait_ms", DEFAULT_WAIT_MS))


def _without_own_options(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    kept = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k not in OWN_OPTIONS]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


def connect(url: str, decode_responses: bool = False, **kwargs) -> HotlineRedis:
    """A client for REDIS_URL; `kwargs` go to redis-py (socket_timeout, ...)."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme in SENTINEL_SCHEMES:
        client = _sentinel_client(parse_sentinel_url(url), decode_responses, **kwargs)
    elif scheme in PLAIN_SCHEMES:
        client = HotlineRedis.from_url(_without_own_options(url),
                                       decode_responses=decode_responses, **kwargs)
    else:
        raise ValueError("REDIS_URL must start with redis://, rediss://, unix://, "
                         f"redis+sentinel:// or rediss+sentinel://, got {scheme!r}")
    client.wait_replicas, client.wait_ms = durability(url)
    return client


def _sentinel_client(target: SentinelTarget, decode_responses: bool, **kwargs) -> HotlineRedis:
    tls = {"ssl": True, "ssl_ca_certs": target.ssl_ca_certs} if target.ssl else {}
    sentinel_kwargs = {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": 2.0,
                       "username": target.sentinel_username,
                       "password": target.sentinel_password, **tls}
    sentinel = Sentinel(list(target.sentinels), sentinel_kwargs=sentinel_kwargs)
    return sentinel.master_for(
        target.service, redis_class=HotlineRedis,
        connection_class=SentinelSSLConnection if target.ssl else SentinelConnection,
        db=target.db, username=target.username, password=target.password,
        decode_responses=decode_responses,
        socket_connect_timeout=CONNECT_TIMEOUT,
        retry=Retry(BACKOFF, RETRIES), retry_on_error=[ConnectionError, TimeoutError],
        **({"ssl_ca_certs": target.ssl_ca_certs} if target.ssl and target.ssl_ca_certs else {}),
        **kwargs)


def url_secrets(url: str) -> list[str]:
    """The passwords a REDIS_URL carries (for the logs' redaction)."""
    parts = urllib.parse.urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    found = [urllib.parse.unquote(userinfo.partition(":")[2])]
    found.append(_query(url).get("sentinel_password", ""))
    return [s for s in found if s]
