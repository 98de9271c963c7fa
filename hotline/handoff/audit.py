"""The console's audit log: what each operator did, when, and to whose conversation.

Owns the key `hl:console:audit` (newest first, the last 100,000 entries). Imports nothing but
Redis and the vault.

An entry names the person only by their pseudonymous contact id (taken out when they are
erased). Any other detail that could lead back to them (the id of the message sent to them) is
sealed with the vault; only details that say nothing about the person (`PUBLIC_DETAILS`) stay
readable.
"""

from __future__ import annotations

import json
import time

from redis import Redis

from hotline.crypto import Vault

KEY = "hl:console:audit"
KEEP = 100_000
# Details that say nothing about one person: counts, days, topics, the program status set,
# broadcast ids, which operator. Anything else (a message's id or sid, a dead letter's entry or
# outbox line, a not-understood message's entry) leads back to a person and is sealed.
PUBLIC_DETAILS = frozenset({"to", "found", "days", "count", "topic", "change", "state", "since",
                            "as_of", "intake", "organizations", "sent_to", "broadcast", "kind",
                            "index"})

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
      entry['sealed'] = nil
      redis.call('LSET', KEYS[1], i - 1, cjson.encode(entry))
      n = n + 1
    end
  end
end
return n
"""


def record(redis: Redis, operator: str, action: str, contact_id: str | None = None,
           vault: Vault | None = None, **details) -> None:
    """Log one operator action (sign-in, claim, read, reply, note, transfer, hand-back...).

    Details outside `PUBLIC_DETAILS` are sealed with `vault`; without a vault they are refused,
    so no caller can write one in the clear by mistake."""
    details = {k: v for k, v in details.items() if v is not None}
    private = {k: v for k, v in details.items() if k not in PUBLIC_DETAILS}
    entry = {"at": time.time(), "operator": operator, "action": action,
             "contact_id": contact_id,
             **{k: v for k, v in details.items() if k in PUBLIC_DETAILS}}
    if private:
        if vault is None:
            raise ValueError(f"audit details {sorted(private)} need the vault to be sealed")
        entry["sealed"] = vault.encrypt(json.dumps(private))
    redis.lpush(KEY, json.dumps(entry))
    redis.ltrim(KEY, 0, KEEP - 1)


def details(entry: dict, vault: Vault) -> dict:
    """An entry's sealed details, opened (for a supervisor looking into one action)."""
    return json.loads(vault.decrypt(entry["sealed"])) if entry.get("sealed") else {}


# Replace an entry only if it is still the one read at that position (new entries pushed
# meanwhile shift positions: that entry is simply looked at again by the next run).
_CAS_ITEM = """
if redis.call('LINDEX', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('LSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0"""


def encrypt_legacy(redis: Redis, vault: Vault) -> int:
    """Seal, in place, the details left in the clear by entries written before they were
    sealed; returns how many entries changed. Safe to stop and run again: an entry with no
    plain private detail is left alone, so nothing is sealed twice."""
    cas = redis.register_script(_CAS_ITEM)
    changed = 0
    for index, raw in enumerate(redis.lrange(KEY, 0, -1)):
        entry = json.loads(raw)
        private = {k: v for k, v in entry.items() if k not in
                   ("at", "operator", "action", "contact_id", "sealed", *PUBLIC_DETAILS)}
        if not private:
            continue
        if entry.get("sealed"):
            private = {**details(entry, vault), **private}
        kept = {k: v for k, v in entry.items() if k not in private}
        kept["sealed"] = vault.encrypt(json.dumps(private))
        changed += cas(keys=[KEY], args=[index, raw, json.dumps(kept)])
    return changed


def recent(redis: Redis, count: int = 200) -> list[dict]:
    """The latest entries, newest first."""
    return [json.loads(e) for e in redis.lrange(KEY, 0, count - 1)]


def forget(redis: Redis, contact_id: str) -> int:
    """Take this person out of every entry that names them; returns how many entries."""
    return redis.eval(_FORGET, 1, KEY, contact_id)
