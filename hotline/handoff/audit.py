"""The console's audit log: what each operator did, when, and to whose conversation.

Owns the key `hl:console:audit` (newest first, the last 100,000 entries). Imports nothing but
Redis.
"""

from __future__ import annotations

import json
import time

from redis import Redis

KEY = "hl:console:audit"
KEEP = 100_000

# Erasure keeps each entry but takes the person out of it: the log answers "what did operators
# do", which supervisors still need after a person is forgotten, but it must no longer say to
# whom (nor which message, which would lead back to them). Done in Redis, in one step, so that
# entries pushed meanwhile neither shift the positions nor get lost.
_FORGET = """
local n = 0
for i, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if string.find(raw, ARGV[1], 1, true) then
    local entry = cjson.decode(raw)
    if entry['contact_id'] == ARGV[1] then
      entry['contact_id'] = cjson.null
      entry['message_id'] = nil
      redis.call('LSET', KEYS[1], i - 1, cjson.encode(entry))
      n = n + 1
    end
  end
end
return n
"""


def record(redis: Redis, operator: str, action: str, contact_id: str | None = None,
           **details) -> None:
    """Log one operator action (sign-in, claim, read, reply, note, transfer, hand-back...)."""
    redis.lpush(KEY, json.dumps({"at": time.time(), "operator": operator, "action": action,
                                 "contact_id": contact_id, **details}))
    redis.ltrim(KEY, 0, KEEP - 1)


def recent(redis: Redis, count: int = 200) -> list[dict]:
    """The latest entries, newest first."""
    return [json.loads(e) for e in redis.lrange(KEY, 0, count - 1)]


def forget(redis: Redis, contact_id: str) -> int:
    """Take this person out of every entry that names them; returns how many entries."""
    return redis.eval(_FORGET, 1, KEY, contact_id)
