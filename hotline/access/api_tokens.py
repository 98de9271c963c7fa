"""Tokens for facilitating organizations' API access, and the log of what each one did.

Only a SHA-256 of each token is stored: a Redis dump does not let anyone call the API. Tokens
are created by `./hotline.sh token create` and carry scopes; a request that lacks its scope is
refused (403) even with a valid token. Every token expires (`--days`, DEFAULT_DAYS unless told),
so one left in an old script or a departed volunteer's laptop stops working by itself.
Reading people's identity in bulk (the CSV export) is its own scope, `registrations:identity`,
and each token may export at most EXPORTS_PER_HOUR times an hour.

The request log (`hl:api:log`) holds authenticated requests only: failed authentication goes to
`failures`, so anonymous callers cannot push out the record of what organizations did.
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
EXPORTS = "hl:api:exports:{}"  # sha256(token) -> exports in the current hour
SCOPES = ("registrations:read", "registrations:write", "registrations:identity", "broadcasts")
PREFIX = "hlt_"
DEFAULT_DAYS = 90  # how long a token works unless `--days` says otherwise
MAX_DAYS = 366
EXPORTS_PER_HOUR = 5


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(redis: Redis, name: str, scopes: tuple[str, ...] = ("registrations:read",),
           days: int = DEFAULT_DAYS) -> str:
    """A new token for an organization, good for `days` days; shown once, never stored in the
    clear."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token lasts 1 to {MAX_DAYS} days")
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(SCOPES)}")
    if not name.strip():
        raise ValueError("a token needs the organization's name")
    token = PREFIX + secrets.token_urlsafe(32)
    now = time.time()
    redis.hset(TOKENS, _digest(token), json.dumps({
        "name": name.strip(), "scopes": list(scopes), "created_at": now,
        "expires_at": now + days * 86400, "revoked": False}))
    return token


def lookup(redis: Redis, token: str) -> dict | None:
    """The token's record if it is known, not revoked and not expired."""
    if not token or not token.startswith(PREFIX) or len(token) > 200 or not token.isascii():
        return None
    raw = redis.hget(TOKENS, _digest(token))
    record = json.loads(raw) if raw else None
    if not record or record.get("revoked") or expired(record):
        return None
    record["digest"] = _digest(token)
    return record


def expired(record: dict, now: float | None = None) -> bool:
    """Whether the token's time is up (tokens made before expiry existed have none)."""
    expires_at = record.get("expires_at")
    return expires_at is not None and (now or time.time()) >= expires_at


def export_allowed(redis: Redis, record: dict) -> bool:
    """Count one identity export by this token; False once it made EXPORTS_PER_HOUR this hour."""
    key = EXPORTS.format(record["digest"])
    pipe = redis.pipeline()
    pipe.set(key, 0, ex=3600, nx=True)  # a fixed hour from the first export
    pipe.incr(key)
    return pipe.execute()[1] <= EXPORTS_PER_HOUR


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
    """Record one authenticated request (failed authentication goes to `failures`)."""
    pipe = redis.pipeline()
    pipe.lpush(LOG, json.dumps({"at": time.time(), **entry}))
    pipe.ltrim(LOG, 0, LOG_KEEP - 1)
    pipe.execute()


def recent_requests(redis: Redis, count: int = 100) -> list[dict]:
    return [json.loads(e) for e in redis.lrange(LOG, 0, count - 1)]
