"""Conversations that need a person: the queue (urgent first, then the longest waiting), who
holds each one, transfers, hand-backs, the operators' notes, and how long each wait and each
handling took today.

A conversation is `waiting` (in the queue), `claimed` (an operator holds it), then `returned`
to the assistant or `closed`. A claim nobody acts on goes back to the queue, in its old place:
after the idle time (`return_idle`, by the sweeper) or when its operator signs out
(`return_operator`), so nobody waits overnight behind a forgotten claim. While an operator
holds it the assistant stays silent; while it waits, the assistant still answers (nobody is
left in silence when no operator is on duty), and the operator reads everything in the
transcript.

Owns the keys `hl:escalations`, `hl:escalations:active`, `hl:escalation:{contact_id}`,
`hl:escalation:notes:{contact_id}` (notes encrypted) and `hl:escalation:stats:*`. Imports Redis
and the vault only.
"""

from __future__ import annotations

import json
import time

from redis import Redis

from hotline.crypto import Vault

QUEUE = "hl:escalations"
ACTIVE = "hl:escalations:active"  # claimed conversations
RECORD = "hl:escalation:{}"
NOTES = "hl:escalation:notes:{}"
STATS = "hl:escalation:stats:{}:{}"  # kind (wait|handle), day
# Urgent entries sort before every normal one, each group oldest first.
_URGENT_OFFSET = 10**11

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
    """This person's escalation record with its `contact_id`, or {} if there is none."""
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


# Back to the queue only if still claimed (by ARGV[2], when given), in the place it had.
# KEYS: record, queue, active; ARGV: contact id, operator or "", now, why, urgent offset.
_UNCLAIM = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'claimed' then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'claimed_by') ~= ARGV[2] then return 0 end
local since = tonumber(redis.call('HGET', KEYS[1], 'since') or ARGV[3])
local score = since
if redis.call('HGET', KEYS[1], 'urgent') ~= '1' then score = since + tonumber(ARGV[5]) end
redis.call('HSET', KEYS[1], 'state', 'waiting', 'returned_at', ARGV[3], 'returned_why', ARGV[4],
           'returned_from', redis.call('HGET', KEYS[1], 'claimed_by') or '')
redis.call('HDEL', KEYS[1], 'claimed_by', 'claimed_at', 'active_at', 'transferred_at')
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[2], score, ARGV[1])
return 1
"""


def touch(redis: Redis, contact_id: str, operator: str) -> None:
    """The operator holding this conversation did something in it (opened, replied, noted);
    a supervisor looking in does not keep someone else's claim alive."""
    key = RECORD.format(contact_id)
    state, holder = redis.hmget(key, "state", "claimed_by")
    if state == "claimed" and holder == operator:
        redis.hset(key, "active_at", time.time())


def last_active(record: dict) -> float:
    """When the operator holding a conversation last acted in it."""
    return max(float(record.get(k) or 0) for k in ("claimed_at", "transferred_at", "active_at"))


def unclaim(redis: Redis, contact_id: str, why: str, operator: str | None = None) -> bool:
    """Put a claimed conversation back in the queue where it was; False if it was not claimed
    (by `operator`, when given)."""
    return bool(redis.eval(_UNCLAIM, 3, RECORD.format(contact_id), QUEUE, ACTIVE, contact_id,
                           operator or "", time.time(), why, _URGENT_OFFSET))


def return_idle(redis: Redis, idle_minutes: float, now: float | None = None) -> list[str]:
    """Claims nobody acted on for `idle_minutes` go back to the queue; returns whose."""
    if idle_minutes <= 0:
        return []
    now = now or time.time()
    returned = []
    for record in active(redis):
        if now - last_active(record) >= idle_minutes * 60 and unclaim(
                redis, record["contact_id"], "idle", record.get("claimed_by")):
            returned.append(record["contact_id"])
    return returned


def return_operator(redis: Redis, operator: str) -> list[str]:
    """An operator signs out: every conversation they hold goes back to the queue."""
    return [r["contact_id"] for r in active(redis, operator)
            if unclaim(redis, r["contact_id"], "signed_out", operator)]


def transfer(redis: Redis, contact_id: str, to_operator: str) -> None:
    """Hand a held conversation to another operator."""
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


def add_note(redis: Redis, contact_id: str, operator: str, text: str, vault: Vault) -> None:
    """An operator's note about this person, kept (encrypted: it is free text about them)
    until they are erased."""
    redis.rpush(NOTES.format(contact_id), json.dumps({"at": time.time(), "by": operator,
                                                      "text": vault.encrypt(text[:2000])}))


def notes(redis: Redis, contact_id: str, vault: Vault) -> list[dict]:
    """The operators' notes about this person, oldest first, decrypted."""
    found = []
    for raw in redis.lrange(NOTES.format(contact_id), 0, -1):
        note = json.loads(raw)
        # A note written before notes were encrypted reads as it was.
        if note.get("text", "").startswith("gAAAAA"):
            note["text"] = vault.decrypt(note["text"])
        found.append(note)
    return found


# Replace a note only if it is still the one read (never clobber a newer write).
_CAS_ITEM = """
if redis.call('LINDEX', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('LSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0"""


def encrypt_legacy(redis: Redis, vault: Vault) -> int:
    """Encrypt, in place, the notes written before notes were encrypted; returns how many.

    Safe to stop and run again: an encrypted note is recognised and left alone, so a second
    run changes nothing and no note is encrypted twice.
    """
    cas = redis.register_script(_CAS_ITEM)
    changed = 0
    for key in redis.scan_iter(match=NOTES.format("*"), count=500):
        for index, raw in enumerate(redis.lrange(key, 0, -1)):
            note = json.loads(raw)
            text = note.get("text")
            if not isinstance(text, str) or not text or text.startswith("gAAAAA"):
                continue
            note["text"] = vault.encrypt(text)
            changed += cas(keys=[key], args=[index, raw, json.dumps(note)])
    return changed


def forget(redis: Redis, contact_id: str) -> int:
    """Erase this person's escalation, its place in the queue or among the claimed
    conversations, and the operators' notes; returns how many records went.

    Today's wait and handling times stay: they are numbers that name nobody.
    """
    pipe = redis.pipeline()
    pipe.delete(RECORD.format(contact_id), NOTES.format(contact_id))
    pipe.zrem(QUEUE, contact_id)
    pipe.srem(ACTIVE, contact_id)
    return pipe.execute()[0]


def timings(redis: Redis, kind: str) -> list[float]:
    """Today's waits (`wait`: queued until claimed) or handlings (`handle`: claimed until
    released), in seconds."""
    return [float(x) for x in redis.lrange(STATS.format(kind, _day()), 0, -1)]


def _day() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def _stat(redis: Redis, kind: str, seconds: float) -> None:
    key = STATS.format(kind, _day())
    redis.rpush(key, round(seconds, 1))
    redis.expire(key, 8 * 24 * 3600)

