"""Rasa's Redis stores configured from one URL, the REDIS_URL every other service reads.

Rasa 3.6's `RedisTrackerStore` and `RedisLockStore` take host, port, db, username, password,
`use_ssl` and `ssl_ca_certs` as separate keys, and bot/endpoints.yml can only pass strings (an
`${VAR}` of "false" would be a true `use_ssl`). So the endpoints name `url: ${REDIS_URL}` and this
module turns it into those keys: `rediss://` means TLS, `user:password@` an ACL user, the path
the database, `?ssl_ca_certs=/path` a private CA. Imports nothing of Rasa.

Both stores then replace the client Rasa built (`red`) with one from `hotline.redis_connect`,
so the Sentinel form (`redis+sentinel://h1:26379,h2:26379/mymaster/0`) works for them too and
follows a failover like every other client (`client_for`).
"""

from __future__ import annotations

import urllib.parse

from hotline.redis_connect import connect, is_sentinel


def store_kwargs(url: str) -> dict:
    """The keyword arguments of Rasa's Redis stores for a redis:// or rediss:// URL.

    >>> store_kwargs("rediss://hotline:p%40ss@redis.internal:6380/2?ssl_ca_certs=/etc/ca.pem")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'host': 'redis.internal', 'port': 6380, 'db': 2, 'username': 'hotline', 'password': 'p@ss',
     'use_ssl': True, 'ssl_ca_certs': '/etc/ca.pem'}
    >>> store_kwargs("redis://127.0.0.1:6380/0")  # doctest: +NORMALIZE_WHITESPACE
    {'host': '127.0.0.1', 'port': 6380, 'db': 0, 'username': None, 'password': None,
     'use_ssl': False}
    >>> store_kwargs("redis://:secret@localhost")["password"], store_kwargs("redis://x")["port"]
    ('secret', 6379)
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, got {parts.scheme!r}")
    query = urllib.parse.parse_qs(parts.query)
    db = (parts.path or "/0").strip("/") or query.get("db", ["0"])[0]
    kwargs = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(db),
        "username": urllib.parse.unquote(parts.username) if parts.username else None,
        "password": urllib.parse.unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }
    if "ssl_ca_certs" in query:
        kwargs["ssl_ca_certs"] = query["ssl_ca_certs"][0]
    return kwargs


def resolve(host: str | None, kwargs: dict) -> dict:
    """The stores' arguments: a URL in `url:` (Rasa passes it as `host`) spelled out; a plain
    host name (the older endpoints with separate keys) passed through as it was. A Sentinel URL
    names no one server: Rasa's own client gets its defaults and is replaced (`client_for`)."""
    if host and is_sentinel(host):
        return {k: v for k, v in kwargs.items() if k not in ("host", "url")}
    if host and "://" in host:
        given = {k: v for k, v in kwargs.items() if k not in store_kwargs(host)}
        return {**given, **store_kwargs(host)}
    return {**kwargs, "host": host or "localhost"}


def client_for(host: str | None, **kwargs):
    """The stores' Redis client for a URL in `url:` (one server or Sentinel, with the retries
    every hotline client has); None for the older separate keys (Rasa's own client stays)."""
    if host and "://" in host:
        return connect(host, **kwargs)
    return None
