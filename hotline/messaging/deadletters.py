"""Work that failed too often to keep trying on its own: set aside for a supervisor to look at
and retry, so one bad item never blocks anything behind it.

Two kinds of entries. A *line item* is one message in a person's inbox or outbox (their serial
line): `guard` counts each attempt at it, and once it failed `attempts` times (or a transient
failure has lasted `transient_seconds`) it is set aside and the line moves on to the person's
next message. A *job* is an RQ job whose last retry failed (a reminder, a scheduled broadcast's
start): `hotline.jobs.job_failed` records it with its arguments, so a retry runs it again.

Entries keep ids (a contact id, a message id, a registration reference), never words a person
wrote: the error is its class and a short message. They last `KEEP_DAYS` and go when the person
they name is erased (`forget`).

Owns the keys `hl:dead:{id}` (an entry), `hl:dead:index` (entries by time) and
`hl:dead:tries:{line}:{item}` (attempts at a line item). May import: core, redis.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

import requests
from redis import Redis
from redis.exceptions import RedisError

from hotline.errors import AssistantUnavailable, TransientSendError

log = logging.getLogger(__name__)

ENTRY = "hl:dead:{}"
INDEX = "hl:dead:index"
TRIES = "hl:dead:tries:{}:{}"
KEEP_DAYS = 30
# Attempts at an item are forgotten this long after the last one (a week of retries at most).
TRIES_TTL = 7 * 24 * 3600
LINE, JOB = "line", "job"
DEAD, RETRIED = "dead", "retried"
# Failures that say nothing about the item itself (the assistant, Twilio or Redis is down):
# counted by how long they last, not by how many, so an outage does not bury everyone's messages.
TRANSIENT = (AssistantUnavailable, TransientSendError, RedisError, requests.RequestException,
             ConnectionError, TimeoutError)

T = TypeVar("T")

# Mark an entry retried once: of two supervisors pressing retry, one wins.
_TAKE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'dead' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'retried', 'retried_by', ARGV[1], 'retried_at', ARGV[2])
return 1
"""


def describe(exc: BaseException) -> str:
    """What went wrong, short: the error's class and the start of its message."""
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def add(redis: Redis, kind: str, error: str, attempts: int, *, contact_id: str | None = None,
        line: str | None = None, item: str | None = None, func: str | None = None,
        args: list | None = None, queue: str | None = None,
        names: Iterable[str] = ()) -> str:
    """Set one piece of work aside; returns the entry's id.

    `names`: the other ids the work carries (a registration's reference), so erasing the
    person also removes the entry.
    """
    entry_id = secrets.token_hex(8)
    now = time.time()
    named = sorted({n for n in (contact_id, *names) if n})
    record = {"id": entry_id, "kind": kind, "state": DEAD, "at": now, "error": error[:300],
              "attempts": attempts, "contact_id": contact_id or "", "line": line or "",
              "item": item or "", "func": func or "", "args": json.dumps(args or []),
              "queue": queue or "", "names": json.dumps(named)}
    pipe = redis.pipeline()
    pipe.hset(ENTRY.format(entry_id), mapping=record)
    pipe.expire(ENTRY.format(entry_id), KEEP_DAYS * 24 * 3600)
    pipe.zadd(INDEX, {entry_id: now})
    pipe.zremrangebyscore(INDEX, 0, now - KEEP_DAYS * 24 * 3600)
    pipe.execute()
    log.error("dead letter %s: %s %s after %s attempts: %s", entry_id, kind,
              item or func, attempts, error[:120])
    return entry_id


def _decode(record: dict) -> dict:
    return {**record, "at": float(record["at"]), "attempts": int(record.get("attempts") or 0),
            "args": json.loads(record.get("args") or "[]"),
            "names": json.loads(record.get("names") or "[]")}


def get(redis: Redis, entry_id: str) -> dict | None:
    record = redis.hgetall(ENTRY.format(entry_id))
    return _decode(record) if record.get("id") else None


def listing(redis: Redis, count: int = 200, state: str | None = DEAD) -> list[dict]:
    """The newest entries first (only those still waiting for a decision by default)."""
    entries = []
    for entry_id in redis.zrevrange(INDEX, 0, -1):
        entry = get(redis, entry_id)
        if entry is None:
            redis.zrem(INDEX, entry_id)  # expired
            continue
        if state is None or entry["state"] == state:
            entries.append(entry)
            if len(entries) >= count:
                break
    return entries


def waiting(redis: Redis) -> int:
    """How many entries wait for a supervisor."""
    return len(listing(redis, count=10_000))


def take_for_retry(redis: Redis, entry_id: str, actor: str) -> dict | None:
    """Mark an entry retried by `actor`; the entry, or None if it is gone or already retried."""
    if not redis.eval(_TAKE, 1, ENTRY.format(entry_id), actor, time.time()):
        return None
    return get(redis, entry_id)


def forget(redis: Redis, names: Iterable[str]) -> int:
    """Remove every entry naming one of `names` (a contact id, their registrations'
    references), and the attempts counted at their messages; returns how many entries."""
    wanted = {n for n in names if n}
    if not wanted:
        return 0
    gone = 0
    for entry_id in redis.zrange(INDEX, 0, -1):
        entry = get(redis, entry_id)
        if entry is None or not wanted & set(entry["names"]):
            continue
        redis.delete(ENTRY.format(entry_id))
        redis.zrem(INDEX, entry_id)
        gone += 1
    return gone


# attempts at a line item ---------------------------------------------------------------------
def _tries(redis: Redis, line: str, item: str) -> dict:
    return redis.hgetall(TRIES.format(line, item))


def _begin(redis: Redis, line: str, item: str) -> int:
    """Count one attempt; returns how many earlier attempts ended badly (raised a non-transient
    error, or never ended: the worker died inside)."""
    key = TRIES.format(line, item)
    pipe = redis.pipeline()
    pipe.hincrby(key, "runs", 1)
    pipe.hsetnx(key, "first", time.time())
    pipe.hget(key, "transient")
    pipe.expire(key, TRIES_TTL)
    runs, _, transient, _ = pipe.execute()
    return runs - 1 - int(transient or 0)


def guard(redis: Redis, line: str, contact_id: str, handle: Callable[[str], T], *,
          attempts: int, transient_seconds: float, dead: T) -> Callable[[str], T]:
    """`handle` for one person's serial line, with its items set aside once they keep failing.

    An item that failed `attempts` times (errors that are not an outage, or a worker that died
    handling it) goes to the dead letters and counts as handled (`dead` is returned), so the
    line moves on. An outage's errors (TRANSIENT) are raised for RQ's retries as before, until
    the item has been failing for `transient_seconds`.
    """
    def guarded(item: str) -> T:
        try:
            bad_before = _begin(redis, line, item)
        except RedisError:
            return handle(item)  # nothing can be counted; the handler meets the same outage
        if bad_before >= attempts:
            _bury(redis, line, contact_id, item, "the worker stopped while handling it",
                  bad_before)
            return dead
        try:
            result = handle(item)
        except TRANSIENT as exc:
            if not isinstance(exc, RedisError) and _transient_too_long(
                    redis, line, item, transient_seconds):
                _bury(redis, line, contact_id, item, describe(exc), bad_before + 1)
                return dead
            raise
        except Exception as exc:
            # Any other error is about this item (a bug it triggers, a record it breaks): after
            # a few tries it must stop holding back the person's next messages.
            if bad_before + 1 >= attempts:
                _bury(redis, line, contact_id, item, describe(exc), bad_before + 1)
                return dead
            raise
        redis.delete(TRIES.format(line, item))
        return result

    return guarded


def _transient_too_long(redis: Redis, line: str, item: str, seconds: float) -> bool:
    key = TRIES.format(line, item)
    redis.hincrby(key, "transient", 1)
    first = float(_tries(redis, line, item).get("first") or time.time())
    return time.time() - first >= seconds


def _bury(redis: Redis, line: str, contact_id: str, item: str, error: str, attempts: int) -> None:
    add(redis, LINE, error, attempts, contact_id=contact_id, line=line, item=item)
    redis.delete(TRIES.format(line, item))
