"""How fast one person's messages are answered, so one fast sender cannot starve the others.

Three small pieces of state per person, all in Redis so every gateway and worker process agrees:
- a turn bucket (`take_turn`): at most `burst` assistant turns at once, refilled at `rate` per
  minute. A person writing faster than that is not refused: their messages stay queued and are
  answered together in the next turn (`inbound` batches what queued up);
- a job marker (`claim_job` / `job_started`): at most one drain job per person waits in the RQ
  queue, so a flood adds messages to the person's line, not jobs to everyone's queue;
- a count of messages in the current minute and a "told" marker (`note_message`): the person
  is told once, not once per message, that their messages are being answered together;
- a count of every message per minute (`count_message` / `flooding`): someone who sends faster
  than anyone types is paced even when each message was answered before the next arrived (the
  pace otherwise holds back only a backlog, never a person waiting for each answer).

Owns the keys `hl:flow:*`. Imports nothing of ours.
"""

from __future__ import annotations

import time

from redis import Redis

BUCKET_KEY = "hl:flow:bucket:{}"
JOB_KEY = "hl:flow:job:{}"
COUNT_KEY = "hl:flow:count:{}:{}"
TOLD_KEY = "hl:flow:told:{}"
RATE_KEY = "hl:flow:rate:{}:{}"

# Token bucket: KEYS[1] the person's bucket; ARGV rate per second, burst, now.
# Returns 0 when a turn was taken, else the seconds (rounded up, in ms) until one is free.
_TAKE = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return wait
"""


def take_turn(redis: Redis, contact_id: str, per_minute: float, burst: int,
              now: float | None = None) -> float:
    """Take one assistant turn for this person; 0.0 when taken, else seconds to wait.

    A rate of 0 means no limit.
    """
    if per_minute <= 0:
        return 0.0
    wait_ms = redis.eval(_TAKE, 1, BUCKET_KEY.format(contact_id), per_minute / 60.0,
                         max(burst, 1), now if now is not None else time.time())
    return int(wait_ms) / 1000.0


def claim_job(redis: Redis, contact_id: str, ttl: int) -> bool:
    """True when no drain job of this person is waiting: the caller enqueues one.

    The marker outlives a lost enqueue by `ttl` at most; the sweeper covers that gap.
    """
    return bool(redis.set(JOB_KEY.format(contact_id), 1, nx=True, ex=max(ttl, 1)))


def job_marked_for(redis: Redis, contact_id: str) -> int:
    """Seconds the marker of a waiting drain job has left (0: none; a new message queues one)."""
    return max(redis.ttl(JOB_KEY.format(contact_id)), 0)


def job_started(redis: Redis, contact_id: str) -> None:
    """The waiting job runs now: a message arriving from here on needs a new one."""
    redis.delete(JOB_KEY.format(contact_id))


def note_message(redis: Redis, contact_id: str, per_minute: int, tell_every: int,
                 now: float | None = None) -> bool:
    """Count one inbound message; True exactly once per `tell_every` seconds when the person
    went over `per_minute` messages in a minute (tell them their messages are answered
    together). A limit of 0 never tells."""
    if per_minute <= 0:
        return False
    count = _count_minute(redis, COUNT_KEY, contact_id, now)
    if count <= per_minute:
        return False
    return bool(redis.set(TOLD_KEY.format(contact_id), 1, nx=True, ex=max(tell_every, 1)))


def count_message(redis: Redis, contact_id: str, now: float | None = None) -> int:
    """Count one inbound message, whatever the line holds; this minute's count."""
    return _count_minute(redis, RATE_KEY, contact_id, now)


def _count_minute(redis: Redis, key_format: str, contact_id: str, now: float | None) -> int:
    """One more in this minute's counter of `key_format`; the new count (kept two minutes, so
    `flooding` can read the last one too)."""
    minute = int((now if now is not None else time.time()) // 60)
    key = key_format.format(contact_id, minute)
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, 120)
    return int(pipe.execute()[0])


def flooding(redis: Redis, contact_id: str, per_minute: int, now: float | None = None) -> bool:
    """More than `per_minute` messages this minute or the last (0: never)."""
    if per_minute <= 0:
        return False
    minute = int((now if now is not None else time.time()) // 60)
    counts = redis.mget([RATE_KEY.format(contact_id, minute),
                         RATE_KEY.format(contact_id, minute - 1)])
    return any(int(c or 0) > per_minute for c in counts)


def forget(redis: Redis, contact_id: str) -> int:
    """Erase this person's flow state (counters and markers, no personal data besides the id)."""
    keys = [BUCKET_KEY.format(contact_id), JOB_KEY.format(contact_id),
            TOLD_KEY.format(contact_id)]
    keys += list(redis.scan_iter(COUNT_KEY.format(contact_id, "*")))
    keys += list(redis.scan_iter(RATE_KEY.format(contact_id, "*")))
    return redis.delete(*keys)
