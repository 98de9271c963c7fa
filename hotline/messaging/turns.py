"""Each assistant turn runs once per MessageSid, however often the gateway asks.

The gateway asks Rasa again when it did not hear the answer (a timeout after Rasa had acted, a
worker killed before the answer was saved). Rasa would run the turn again and move a form one
step too far. So Rasa's channel (`rasa_ext.turns`) asks here first: a new MessageSid runs under a
lease it renews while the turn runs; the answer is kept (encrypted: it may repeat what the person
told us) and a repeat gets that answer back without a second turn; a repeat that arrives while
the first is still running is told to come back later.

Rasa saves the conversation when the turn ends, so a turn whose Rasa process died mid-way left
no trace in it: after its lease runs out the turn may run again, which is what should happen.
The save itself marks the turn done, in the same transaction (`rasa_ext.tracker_store`), so a
turn Rasa saved is never run again, whenever the process dies.

Owns the keys `hl:turns:*` (one hash per person: MessageSid -> the turn). Imports core only.
"""

from __future__ import annotations

import json
import secrets
import time

from redis import Redis
from redis.client import Pipeline

from hotline.crypto import Vault

TURNS_KEY = "hl:turns:{}"
NEW, RUNNING, DONE = "new", "running", "done"
# What Rasa's channel answers for a turn running elsewhere right now (the gateway retries).
RUNNING_MARK = {"custom": {"hotline_turn": RUNNING}}
# Renewed every LEASE_SECONDS / 4 while the turn runs, so a live Rasa never loses it; short, so
# the mark a killed Rasa leaves behind holds the person's retry back for seconds, not minutes.
LEASE_SECONDS = 30
KEEP_SECONDS = 3 * 24 * 3600  # the gateway's retries and the sweeper give up well before

# KEYS[1] the person's turns; ARGV sid, token, now, lease, keep.
_BEGIN = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local turn = cjson.decode(cur)
  if turn.state == 'done' then return cur end
  if tonumber(turn.lease) > tonumber(ARGV[3]) then return cur end
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({state = 'running', token = ARGV[2],
  lease = tonumber(ARGV[3]) + tonumber(ARGV[4])}))
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 'new'
"""
# KEYS[1]; ARGV sid, token, now, lease. Renews only the caller's own running turn.
_RENEW = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local turn = cjson.decode(cur)
if turn.state ~= 'running' or turn.token ~= ARGV[2] then return 0 end
turn.lease = tonumber(ARGV[3]) + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(turn))
return 1
"""
# KEYS[1]; ARGV sid, the done turn, keep. The first answer stays the answer.
_FINISH = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cjson.decode(cur).state == 'done' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class TurnStore:
    def __init__(self, redis: Redis, vault: Vault, lease: float = LEASE_SECONDS,
                 keep: int = KEEP_SECONDS):
        self.redis = redis
        self.vault = vault
        self.lease = lease
        self.keep = keep

    def begin(self, contact_id: str, sid: str) -> tuple[str, str | list[dict]]:
        """(NEW, token): run the turn, then `finish`; (DONE, replies): it ran, here is its
        answer; (RUNNING, ""): it is running elsewhere right now."""
        token = secrets.token_hex(8)
        raw = self.redis.eval(_BEGIN, 1, TURNS_KEY.format(contact_id), sid, token,
                              time.time(), self.lease, self.keep)
        if raw == NEW:
            return NEW, token
        turn = json.loads(raw)
        if turn["state"] == DONE:
            return DONE, json.loads(self.vault.decrypt(turn["replies"]))
        return RUNNING, ""

    def renew(self, contact_id: str, sid: str, token: str) -> bool:
        return bool(self.redis.eval(_RENEW, 1, TURNS_KEY.format(contact_id), sid, token,
                                    time.time(), self.lease))

    def finish(self, contact_id: str, sid: str, replies: list[dict],
               redis: Redis | Pipeline | None = None) -> None:
        """Keep the turn's answer; a `redis` pipeline makes it part of the caller's transaction
        (Rasa's tracker store writes the conversation in the same one)."""
        turn = {"state": DONE, "at": time.time(),
                "replies": self.vault.encrypt(json.dumps(replies, ensure_ascii=False))}
        (redis or self.redis).eval(_FINISH, 1, TURNS_KEY.format(contact_id), sid,
                                   json.dumps(turn), self.keep)

    def abandon(self, contact_id: str, sid: str, token: str) -> None:
        """The turn failed before Rasa saved anything: a retry may run it at once."""
        self.redis.eval(_RENEW, 1, TURNS_KEY.format(contact_id), sid, token, 0, 0)



def forget(redis: Redis, contact_id: str) -> int:
    """Erase this person's kept answers; returns how many records went (0 or 1)."""
    return redis.delete(TURNS_KEY.format(contact_id))
