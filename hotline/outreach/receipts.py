"""What happened to each recipient of each broadcast, and which broadcast a Twilio SID belongs to.

Owns, per broadcast, the recipients' send states `hl:bc:{id}:st` (contact id -> "sending:<time>"
while claimed, then "sent:<sid>:<via>", "skip:<reason>" or "fail:<code>") and their delivery
statuses `hl:bc:{id}:dlv` (contact id -> Twilio's latest status, "<status>:<code>" on errors),
and the index `hl:bcsid:{sid}` -> "<broadcast id> <contact id>" that status callbacks are
matched by. Every broadcast message is tagged with its receipt's own id (`send_id`, carried in
the status callback URL as replies carry theirs), so a callback names its recipient even
before the runner has recorded Twilio's SID, and a runner taking over a dead one's chunk knows
which message is whose. `forget` removes a person from all of them.

May import: core, messaging.messages (the rank of delivery states), outreach.store.
"""

from __future__ import annotations

import json

from redis import Redis

from hotline.messaging.messages import STATUS_RANK
from hotline.outreach import store

_STATES = "hl:bc:{}:st"
_DELIVERIES = "hl:bc:{}:dlv"
_BY_TWILIO_SID = "hl:bcsid:{}"
# What the broadcast's accepted messages are billed as: "<class fields>|<cost>" -> how many.
# Counts only, naming nobody: erasure has nothing to take from it.
_BILLING = "hl:bc:{}:bill"
_BILLING_FIELDS = ("bill_channel", "bill_category", "bill_units", "bill_encoding")

SENDING, SENT, SKIP, FAIL = "sending", "sent", "skip", "fail"

# The tag on a broadcast message's status callback URL: "bc.<broadcast id>.<contact id>", only
# characters a URL carries as they are (an escaped one would be signed by Twilio as escaped and
# read by us unescaped). No reply's record id has this form (theirs are Twilio SIDs, hex ids).
_TAG = "bc."
_RANKS = json.dumps(STATUS_RANK)

# Callbacks can arrive twice or out of order: a compare-and-set on the state's rank, as for
# replies (`MessageStore.record_delivery`), so a state never moves backwards. Nothing is written
# for a recipient the broadcast has no send state for (erased, or never claimed).
# KEYS: deliveries, send states. ARGV: contact id, value, status, ranks.
_RECORD_DELIVERY = """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end
local ranks = cjson.decode(ARGV[4])
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local status = string.match(cur, '^[^:]+')
  if (ranks[ARGV[3]] or 0) < (ranks[status] or 0) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1
"""
# A tagged callback names Twilio's SID for a recipient still "sending" (its runner has not
# recorded Twilio's answer yet, or died before it could): index the SID and note it as sent,
# so nobody sends it again. KEYS: send states, SID index. ARGV: contact id, sent state, owner,
# ttl.
_LEARN_SID = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
if string.find(cur, '^sending:') then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if string.find(cur, '^sending:') or string.find(cur, '^sent:') then
  redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
  return 1
end
return 0
"""


def send_id(bc_id: str, contact_id: str) -> str:
    """The receipt's own id, which tags the recipient's message (`delivery.callback_url`).

    >>> send_id("BC1", "c42")
    'bc.BC1.c42'
    >>> tagged(send_id("BC1", "c.42"))
    ('BC1', 'c.42')
    """
    return f"{_TAG}{bc_id}.{contact_id}"


def tagged(tag: str | None) -> tuple[str, str] | None:
    """(broadcast id, contact id) a callback's tag names; None for a reply's or no tag.

    >>> tagged("SMx-0") is None and tagged(None) is None and tagged("bc.") is None
    True
    """
    if not tag or not tag.startswith(_TAG):
        return None
    bc_id, _, contact_id = tag[len(_TAG):].partition(".")
    return (bc_id, contact_id) if bc_id and contact_id else None


# send states -------------------------------------------------------------------------------
def claim(redis: Redis, bc_id: str, contact_ids: list[str], now: float) -> list[bool]:
    """Claim each recipient for sending, in one round trip; True where the claim is ours."""
    pipe = redis.pipeline(transaction=False)
    for contact_id in contact_ids:
        pipe.hsetnx(_STATES.format(bc_id), contact_id, f"{SENDING}:{now}")
    return [bool(won) for won in pipe.execute()]


def states_of(redis: Redis, bc_id: str, contact_ids: list[str]) -> list[str | None]:
    return redis.hmget(_STATES.format(bc_id), contact_ids) if contact_ids else []


def set_state(redis: Redis, bc_id: str, contact_id: str, state: str) -> None:
    redis.hset(_STATES.format(bc_id), contact_id, state)


def record_sent(redis: Redis, bc_id: str, contact_id: str, twilio_sid: str, via: str,
                ttl: int) -> None:
    """Twilio took the recipient's message: remember by which route, and index its SID."""
    pipe = redis.pipeline(transaction=False)
    pipe.set(_BY_TWILIO_SID.format(twilio_sid), f"{bc_id} {contact_id}", ex=ttl)
    pipe.hset(_STATES.format(bc_id), contact_id, f"{SENT}:{twilio_sid}:{via}")
    pipe.execute()


def states(redis: Redis, bc_id: str) -> list[str]:
    """Every recipient's send state so far."""
    return redis.hvals(_STATES.format(bc_id))


# deliveries ----------------------------------------------------------------------------------
def owner_of(redis: Redis, twilio_sid: str) -> tuple[str, str] | None:
    """(broadcast id, contact id) of a message a broadcast sent; None for any other SID."""
    owner = redis.get(_BY_TWILIO_SID.format(twilio_sid))
    if not owner:
        return None
    bc_id, contact_id = owner.split(" ", 1)
    return bc_id, contact_id


def record_delivery(redis: Redis, bc_id: str, contact_id: str, status: str,
                    error_code: str | None) -> bool:
    """Apply one status to the recipient's delivery (never backwards); False when the
    broadcast has no such recipient (erased meanwhile, or a tag naming nobody)."""
    value = f"{status}:{error_code}" if error_code else status
    return int(redis.eval(_RECORD_DELIVERY, 2, _DELIVERIES.format(bc_id), _STATES.format(bc_id),
                          contact_id, value, status, _RANKS)) >= 0


def learn_sid(redis: Redis, bc_id: str, contact_id: str, twilio_sid: str, ttl: int) -> bool:
    """A tagged callback told which message Twilio accepted for this recipient: indexed, and a
    recipient still "sending" is noted as sent (by a route only its runner knew: "recovered")."""
    return bool(redis.eval(_LEARN_SID, 2, _STATES.format(bc_id),
                           _BY_TWILIO_SID.format(twilio_sid), contact_id,
                           f"{SENT}:{twilio_sid}:recovered", f"{bc_id} {contact_id}", ttl))


def deliveries(redis: Redis, bc_id: str) -> list[str]:
    """Every recipient's latest delivery status so far."""
    return redis.hvals(_DELIVERIES.format(bc_id))


# billing -------------------------------------------------------------------------------------
def record_billing(redis: Redis, bc_id: str, fields: dict[str, str], cost: str) -> None:
    """Count one accepted message of this billing class (`messaging.billing`) and cost ('' for
    a price not configured)."""
    member = "|".join([*(fields.get(f, "") for f in _BILLING_FIELDS), cost])
    redis.hincrby(_BILLING.format(bc_id), member, 1)


def billing(redis: Redis, bc_id: str) -> list[tuple[dict[str, str], str, int]]:
    """(class fields, cost, how many messages) for each class and cost the broadcast sent."""
    rows = []
    for member, count in redis.hgetall(_BILLING.format(bc_id)).items():
        *values, cost = member.split("|")
        if len(values) == len(_BILLING_FIELDS):
            rows.append((dict(zip(_BILLING_FIELDS, values)), cost, int(count)))
    return rows


# erasure -----------------------------------------------------------------------------------------
def forget(redis: Redis, contact_id: str) -> None:
    """Remove the contact from every broadcast's send states and deliveries, and their
    messages from the SID index."""
    bc_ids = store.ids(redis)
    pipe = redis.pipeline(transaction=False)
    for bc_id in bc_ids:
        pipe.hget(_STATES.format(bc_id), contact_id)
    pipe_states = pipe.execute()
    pipe = redis.pipeline(transaction=False)
    for bc_id, state in zip(bc_ids, pipe_states):
        kind, _, rest = (state or "").partition(":")
        if kind == SENT:
            pipe.delete(_BY_TWILIO_SID.format(rest.split(":", 1)[0]))
        pipe.hdel(_STATES.format(bc_id), contact_id)
        pipe.hdel(_DELIVERIES.format(bc_id), contact_id)
    pipe.execute()
