"""The broadcast record and the bookkeeping of its sending, in Redis.

Owns the keys `hl:bc:{id}` (the record and its state), `hl:bc:index` (every broadcast by
creation time) and, per broadcast, the recipient list frozen when it starts (`:rcpt`), the
cursor that hands out chunks of that list (`:cursor`), each chunk's runner (`:owner`) and
heartbeat or "done" (`:chunks`), and the sweeper's hold `hl:bc:resume:{id}`. What happened to
each recipient is `receipts`'; when to claim, beat and take over is `runner`'s.

May import: core, outreach.spec.
"""

from __future__ import annotations

import time

from redis import Redis

from hotline.outreach.spec import Broadcast

RECORD = "hl:bc:{}"
INDEX = "hl:bc:index"
_RECIPIENTS = "hl:bc:{}:rcpt"
_CURSOR = "hl:bc:{}:cursor"
_OWNERS = "hl:bc:{}:owner"
_HEARTBEATS = "hl:bc:{}:chunks"
_RESUME_HOLD = "hl:bc:resume:{}"

DONE = "done"  # a chunk's heartbeat once it is finished

# Take a chunk over only if its heartbeat is still the stale one we saw: of two runners that
# saw it stale, one wins. KEYS: heartbeats, owners; ARGV: chunk start, stale beat, now, token.
_TAKE_OVER = ("if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
              "redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) "
              "redis.call('HSET', KEYS[2], ARGV[1], ARGV[4]) return 1 end return 0")
# Beat only while the chunk is still ours. KEYS: owners, heartbeats; ARGV: start, token, now.
_BEAT = ("if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
         "redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) return 1 end return 0")


# the record ----------------------------------------------------------------------------------
def save(redis: Redis, bc: Broadcast) -> None:
    redis.hset(RECORD.format(bc.id), mapping=bc.to_hash())
    redis.zadd(INDEX, {bc.id: bc.created_at})


def load(redis: Redis, bc_id: str) -> Broadcast | None:
    data = redis.hgetall(RECORD.format(bc_id))
    return Broadcast.from_hash(data) if data.get("id") else None


def state(redis: Redis, bc_id: str) -> str | None:
    """The broadcast's state now (the record's copy in a loaded `Broadcast` may be older)."""
    return redis.hget(RECORD.format(bc_id), "state")


def set_state(redis: Redis, bc_id: str, new_state: str, **fields) -> None:
    redis.hset(RECORD.format(bc_id), mapping={"state": new_state, **fields})


def times(redis: Redis, bc_id: str) -> tuple[float | None, float | None]:
    """When sending started and finished."""
    started, finished = redis.hmget(RECORD.format(bc_id), "started_at", "finished_at")
    return (float(started) if started else None, float(finished) if finished else None)


def ids(redis: Redis) -> list[str]:
    """Every broadcast, oldest first."""
    return redis.zrange(INDEX, 0, -1)


def recent_ids(redis: Redis, count: int) -> list[str]:
    """The newest broadcasts, newest first."""
    return redis.zrevrange(INDEX, 0, count - 1)


# the frozen recipient list ---------------------------------------------------------------------
def freeze(redis: Redis, bc_id: str) -> bool:
    """Mark the recipient list frozen; True only for the first caller, who then fills it."""
    return bool(redis.hsetnx(RECORD.format(bc_id), "frozen_at", time.time()))


def add_recipients(redis: Redis, bc_id: str, contact_ids: list[str], batch: int = 5000) -> None:
    for i in range(0, len(contact_ids), batch):
        redis.rpush(_RECIPIENTS.format(bc_id), *contact_ids[i:i + batch])


def recipients(redis: Redis, bc_id: str, start: int, count: int) -> list[str]:
    return redis.lrange(_RECIPIENTS.format(bc_id), start, start + count - 1)


def forget_recipient(redis: Redis, contact_id: str) -> int:
    """Take a person out of every broadcast's recipient list; returns in how many places.

    Chunks are positions in the list, so each place keeps a placeholder that names nobody:
    the sender finds no contact for it and skips it. The list is only ever appended to, so a
    position found stays that person's.
    """
    places = 0
    for bc_id in ids(redis):
        key = _RECIPIENTS.format(bc_id)
        for position in redis.lpos(key, contact_id, count=0) or []:
            redis.lset(key, position, f"erased:{position}")
            places += 1
    return places


# chunks ------------------------------------------------------------------------------------------
def next_chunk(redis: Redis, bc_id: str, size: int) -> int:
    """The start of the next chunk nobody was handed yet (past the end once all were)."""
    return redis.incrby(_CURSOR.format(bc_id), size) - size


def own_chunk(redis: Redis, bc_id: str, start: int, token: str) -> None:
    redis.hset(_OWNERS.format(bc_id), start, token)
    redis.hset(_HEARTBEATS.format(bc_id), start, time.time())


def owner(redis: Redis, bc_id: str, start: int) -> str | None:
    return redis.hget(_OWNERS.format(bc_id), start)


def heartbeats(redis: Redis, bc_id: str) -> dict[str, str]:
    """Chunk start -> its last heartbeat (a timestamp) or DONE."""
    return redis.hgetall(_HEARTBEATS.format(bc_id))


def take_over(redis: Redis, bc_id: str, start: int | str, stale_beat: str, now: float,
              token: str) -> bool:
    """Become the chunk's runner if its heartbeat is still `stale_beat`."""
    return bool(redis.eval(_TAKE_OVER, 2, _HEARTBEATS.format(bc_id), _OWNERS.format(bc_id),
                           start, stale_beat, now, token))


def beat(redis: Redis, bc_id: str, start: int, token: str) -> bool:
    """Refresh our chunk's heartbeat; False when another runner has taken it over."""
    return bool(redis.eval(_BEAT, 2, _OWNERS.format(bc_id), _HEARTBEATS.format(bc_id), start,
                           token, time.time()))


def finish_chunk(redis: Redis, bc_id: str, start: int) -> None:
    redis.hset(_HEARTBEATS.format(bc_id), start, DONE)


def hold_resume(redis: Redis, bc_id: str, seconds: int) -> bool:
    """True for the first caller in `seconds`: one sweeper resumes a quiet broadcast once."""
    return bool(redis.set(_RESUME_HOLD.format(bc_id), 1, nx=True, ex=seconds))
