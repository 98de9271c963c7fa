"""Tokens for facilitating organizations' API access, and the log of what each one did.

Only a SHA-256 of each token is stored: a Redis dump does not let anyone call the API. Tokens
are created by `./hotline.sh token create` and carry scopes; a request that lacks its scope is
refused (403) even with a valid token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time

from redis import Redis

TOKENS = "hl:api:tokens"  # sha256(token) -> {name, scopes, created_at, revoked}
LOG = "hl:api:log"
LOG_KEEP = 100_000
SCOPES = ("registrations:read", "registrations:write", "broadcasts")
PREFIX = "hlt_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(redis: Redis, name: str, scopes: tuple[str, ...] = ("registrations:read",)) -> str:
    """A new token for an organization; shown once, never stored in the clear."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(SCOPES)}")
    if not name.strip():
        raise ValueError("a token needs the organization's name")
    token = PREFIX + secrets.token_urlsafe(32)
    redis.hset(TOKENS, _digest(token), json.dumps({
        "name": name.strip(), "scopes": list(scopes), "created_at": time.time(),
        "revoked": False}))
    return token


def lookup(redis: Redis, token: str) -> dict | None:
    """The token's record if it is known and not revoked."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    raw = redis.hget(TOKENS, _digest(token))
    record = json.loads(raw) if raw else None
    return record if record and not record.get("revoked") else None


def revoke(redis: Redis, name: str) -> int:
    count = 0
    for digest, raw in redis.hgetall(TOKENS).items():
        record = json.loads(raw)
        if record["name"] == name and not record.get("revoked"):
            record["revoked"] = True
            redis.hset(TOKENS, digest, json.dumps(record))
            count += 1
    return count


def listing(redis: Redis) -> list[dict]:
    return sorted((json.loads(raw) for raw in redis.hgetall(TOKENS).values()),
                  key=lambda r: r["created_at"])


def log_request(redis: Redis, **entry) -> None:
    pipe = redis.pipeline()
    pipe.lpush(LOG, json.dumps({"at": time.time(), **entry}))
    pipe.ltrim(LOG, 0, LOG_KEEP - 1)
    pipe.execute()


def recent_requests(redis: Redis, count: int = 100) -> list[dict]:
    return [json.loads(e) for e in redis.lrange(LOG, 0, count - 1)]
