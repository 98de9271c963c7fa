"""Hotline operators' accounts: created by a CLI command, passwords hashed, two roles.

Each account has a session generation (`hl:operators:generation`): a console session is good
only while the generation it was signed in under is still the account's. Signing out, a new
password and disabling the account move it on, which ends every session of that operator,
copied cookies included (Flask's sessions live in the cookie, so nothing else can revoke them).
"""

from __future__ import annotations

import json
import re
import time

from redis import Redis
from werkzeug.security import check_password_hash, generate_password_hash

KEY = "hl:operators"  # username -> {name, role, password_hash, language, created_at, disabled}
GENERATION = "hl:operators:generation"  # username -> sessions signed in under another are over
ROLES = ("operator", "supervisor")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 10
# A fixed hash to compare against for unknown usernames, so timing does not reveal them.
_DUMMY = generate_password_hash("not-a-real-password")


def create(redis: Redis, username: str, password: str, role: str = "operator",
           name: str | None = None, language: str = "es") -> dict:
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        raise ValueError("username: 2-40 lowercase letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    if language not in ("en", "es"):
        raise ValueError("language must be en or es")
    record = {"username": username, "name": (name or username).strip()[:80], "role": role,
              "language": language, "password_hash": generate_password_hash(password),
              "created_at": time.time()}
    pipe = redis.pipeline()
    pipe.hset(KEY, username, json.dumps(record))
    # Creating an existing name again is how a password is reset: its old sessions end.
    pipe.hincrby(GENERATION, username, 1)
    pipe.execute()
    return record


def get(redis: Redis, username: str) -> dict | None:
    raw = redis.hget(KEY, (username or "").strip().lower())
    return json.loads(raw) if raw else None


def verify(redis: Redis, username: str, password: str) -> dict | None:
    """The account if the password is right and the account is not disabled."""
    record = get(redis, username)
    if record is None or record.get("disabled"):
        check_password_hash(_DUMMY, password or "")
        return None
    return record if check_password_hash(record["password_hash"], password or "") else None


def set_password(redis: Redis, username: str, password: str) -> dict:
    """A new password; every session signed in with the old one ends."""
    record = get(redis, username)
    if record is None:
        raise ValueError(f"no operator {username!r}")
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    record["password_hash"] = generate_password_hash(password)
    redis.hset(KEY, record["username"], json.dumps(record))
    end_sessions(redis, record["username"])
    return record


def set_disabled(redis: Redis, username: str, disabled: bool = True) -> dict:
    """Disable (or enable again) an account; disabling ends its sessions at once."""
    record = get(redis, username)
    if record is None:
        raise ValueError(f"no operator {username!r}")
    record["disabled"] = disabled
    redis.hset(KEY, record["username"], json.dumps(record))
    end_sessions(redis, record["username"])
    return record


def generation(redis: Redis, username: str) -> int:
    """The account's session generation: a session signed in under another one is over."""
    return int(redis.hget(GENERATION, (username or "").strip().lower()) or 0)


def end_sessions(redis: Redis, username: str) -> int:
    """End every console session of this operator (signing out, a new password, disabling)."""
    return int(redis.hincrby(GENERATION, (username or "").strip().lower(), 1))


def listing(redis: Redis) -> list[dict]:
    records = [json.loads(v) for v in redis.hvals(KEY)]
    return sorted(({k: v for k, v in r.items() if k != "password_hash"} for r in records),
                  key=lambda r: r["username"])
