"""Hotline operators' accounts: created by a CLI command, passwords hashed, two roles."""

from __future__ import annotations

import json
import re
import time

from redis import Redis
from werkzeug.security import check_password_hash, generate_password_hash

KEY = "hl:operators"  # username -> {name, role, password_hash, language, created_at}
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
    redis.hset(KEY, username, json.dumps(record))
    return record


def get(redis: Redis, username: str) -> dict | None:
    raw = redis.hget(KEY, (username or "").strip().lower())
    return json.loads(raw) if raw else None


def verify(redis: Redis, username: str, password: str) -> dict | None:
    record = get(redis, username)
    if record is None:
        check_password_hash(_DUMMY, password or "")
        return None
    return record if check_password_hash(record["password_hash"], password or "") else None


def listing(redis: Redis) -> list[dict]:
    records = [json.loads(v) for v in redis.hvals(KEY)]
    return sorted(({k: v for k, v in r.items() if k != "password_hash"} for r in records),
                  key=lambda r: r["username"])
