"""Conversations that need a person: the queue (urgent first, then the longest waiting), who
holds each one, notes, figures for supervisors, and the audit log of what operators did.

A conversation is `waiting` (in the queue), `claimed` (an operator holds it), then `returned`
to the assistant or `closed`. While an operator holds it the assistant stays silent; while it
waits, the assistant still answers (nobody is left in silence when no operator is on duty),
and the operator reads everything in the transcript.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime, time as clock, timedelta
from zoneinfo import ZoneInfo

from redis import Redis

QUEUE = "hl:escalations"
ACTIVE = "hl:escalations:active"  # claimed conversations
RECORD = "hl:escalation:{}"
NOTES = "hl:escalation:notes:{}"
AUDIT = "hl:console:audit"
STATS = "hl:escalation:stats:{}:{}"  # kind (wait|handle), day
# Urgent entries sort before every normal one, each group oldest first.
_URGENT_OFFSET = 10**11
# Without history yet, how long one conversation takes a person (minutes).
DEFAULT_HANDLE_MINUTES = 5

_CLAIM = """
if redis.call('HGET', KEYS[1], 'state') ~= 'waiting' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'claimed_by', ARGV[1], 'claimed_at', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""


def escalate(redis: Redis, contact_id: str, reason: str, urgent: bool, language: str) -> bool:
    """Put a conversation in the operators' queue; False when a person already has it.

    A second request from someone already waiting keeps their place, but becomes urgent if
    this one is.
    """
    now = time.time()
    key = RECORD.format(contact_id)
    existing = redis.hgetall(key)
    if existing.get("state") == "claimed":
        if urgent:
            redis.hset(key, mapping={"urgent": "1", "reason": reason})
        return False
    if existing.get("state") == "waiting":
        if urgent and existing.get("urgent") != "1":
            redis.hset(key, mapping={"urgent": "1", "reason": reason})
            redis.zadd(QUEUE, {contact_id: float(existing["since"])})
        return False
    redis.delete(key)
    redis.hset(key, mapping={"state": "waiting", "reason": reason, "urgent": "1" if urgent else "0",
                             "since": now, "language": language})
    redis.zadd(QUEUE, {contact_id: now if urgent else now + _URGENT_OFFSET})
    return True


def get(redis: Redis, contact_id: str) -> dict:
    record = redis.hgetall(RECORD.format(contact_id))
    return {"contact_id": contact_id, **record} if record else {}


def with_operator(redis: Redis, contact_id: str) -> bool:
    """Whether the assistant must stay silent: an operator holds this conversation."""
    return redis.hget(RECORD.format(contact_id), "state") == "claimed"


def waiting(redis: Redis) -> list[dict]:
    """The queue in the order operators should take it."""
    entries = []
    for contact_id in redis.zrange(QUEUE, 0, -1):
        record = redis.hgetall(RECORD.format(contact_id))
        if record.get("state") == "waiting":
            entries.append({"contact_id": contact_id, **record})
    return entries


def active(redis: Redis, operator: str | None = None) -> list[dict]:
    """Claimed conversations (one operator's, or everyone's)."""
    entries = [get(redis, c) for c in sorted(redis.smembers(ACTIVE))]
    return [e for e in entries if e.get("state") == "claimed"
            and (operator is None or e.get("claimed_by") == operator)]


def claim(redis: Redis, contact_id: str, operator: str) -> bool:
    """Take a waiting conversation; exactly one of two operators claiming at once wins."""
    now = time.time()
    won = bool(redis.eval(_CLAIM, 3, RECORD.format(contact_id), QUEUE, ACTIVE, operator, now,
                          contact_id))
    if won:
        since = float(redis.hget(RECORD.format(contact_id), "since") or now)
        _stat(redis, "wait", now - since)
    return won


def transfer(redis: Redis, contact_id: str, to_operator: str) -> None:
    redis.hset(RECORD.format(contact_id), mapping={"claimed_by": to_operator,
                                                   "transferred_at": time.time()})


def release(redis: Redis, contact_id: str, how: str) -> None:
    """End a person's handling: `returned` to the assistant, or `closed`."""
    key = RECORD.format(contact_id)
    record = redis.hgetall(key)
    now = time.time()
    if record.get("claimed_at"):
        _stat(redis, "handle", now - float(record["claimed_at"]))
    redis.hset(key, mapping={"state": how, "ended_at": now})
    redis.zrem(QUEUE, contact_id)
    redis.srem(ACTIVE, contact_id)


def add_note(redis: Redis, contact_id: str, operator: str, text: str) -> None:
    redis.rpush(NOTES.format(contact_id), json.dumps({"at": time.time(), "by": operator,
                                                      "text": text[:2000]}))


def notes(redis: Redis, contact_id: str) -> list[dict]:
    return [json.loads(n) for n in redis.lrange(NOTES.format(contact_id), 0, -1)]


def audit(redis: Redis, operator: str, action: str, contact_id: str | None = None,
          **details) -> None:
    redis.lpush(AUDIT, json.dumps({"at": time.time(), "operator": operator, "action": action,
                                   "contact_id": contact_id, **details}))
    redis.ltrim(AUDIT, 0, 99_999)


def audit_log(redis: Redis, count: int = 200) -> list[dict]:
    return [json.loads(e) for e in redis.lrange(AUDIT, 0, count - 1)]


def _day() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def _stat(redis: Redis, kind: str, seconds: float) -> None:
    key = STATS.format(kind, _day())
    redis.rpush(key, round(seconds, 1))
    redis.expire(key, 8 * 24 * 3600)


def figures(redis: Redis) -> dict:
    """Today's figures for supervisors (minutes)."""
    waits = [float(x) for x in redis.lrange(STATS.format("wait", _day()), 0, -1)]
    handles = [float(x) for x in redis.lrange(STATS.format("handle", _day()), 0, -1)]
    return {
        "waiting": len(waiting(redis)), "in_progress": len(active(redis)),
        "median_wait_minutes": round(statistics.median(waits) / 60, 1) if waits else None,
        "median_handling_minutes": round(statistics.median(handles) / 60, 1) if handles else None,
        "taken_today": len(waits), "finished_today": len(handles),
    }


def wait_minutes(redis: Redis, contact_id: str) -> int:
    """Roughly how long until a person answers: the people ahead of them times the usual
    handling time today."""
    queue = [e["contact_id"] for e in waiting(redis)]
    ahead = queue.index(contact_id) if contact_id in queue else len(queue)
    handles = [float(x) for x in redis.lrange(STATS.format("handle", _day()), 0, -1)]
    per = statistics.median(handles) / 60 if handles else DEFAULT_HANDLE_MINUTES
    return max(2, int(round((ahead + 1) * per)))


def opening(hours: str, zone: str, now: datetime | None = None) -> datetime | None:
    """When operators are next on duty, or None if they are now.

    `hours` is "HH:MM-HH:MM" in the hotline's time zone, every day.

    >>> z = "America/Mexico_City"
    >>> opening("08:00-20:00", z, datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo(z))) is None
    True
    >>> opening("08:00-20:00", z, datetime(2026, 11, 23, 22, 0, tzinfo=ZoneInfo(z))).isoformat()
    '2026-11-24T08:00:00-06:00'
    >>> opening("08:00-20:00", z, datetime(2026, 11, 23, 6, 30, tzinfo=ZoneInfo(z))).hour
    8
    """
    tz = ZoneInfo(zone)
    now = (now or datetime.now(tz)).astimezone(tz)
    start_s, _, end_s = hours.partition("-")
    start, end = clock.fromisoformat(start_s.strip()), clock.fromisoformat(end_s.strip())
    if start <= now.time() < end:
        return None
    day = now.date() if now.time() < start else now.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=tz)
