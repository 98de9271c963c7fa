"""What happened to each recipient of each broadcast, and which broadcast a Twilio SID belongs to.

Owns, per broadcast, the recipients' send states `hl:bc:{id}:st` (contact id -> "sending:<time>"
while claimed, then "sent:<sid>:<via>", "skip:<reason>" or "fail:<code>") and their delivery
statuses `hl:bc:{id}:dlv` (contact id -> Twilio's latest status, "<status>:<code>" on errors),
and the index `hl:bcsid:{sid}` -> "<broadcast id> <contact id>" that status callbacks are
matched by. `forget` removes a person from all of them.

May import: core, outreach.store (the list of broadcasts).
"""

from __future__ import annotations

from redis import Redis

from hotline.outreach import store

_STATES = "hl:bc:{}:st"
_DELIVERIES = "hl:bc:{}:dlv"
_BY_TWILIO_SID = "hl:bcsid:{}"
# What the broadcast's accepted messages are billed as: "<class fields>|<cost>" -> how many.
# Counts only, naming nobody: erasure has nothing to take from it.
_BILLING = "hl:bc:{}:bill"
_BILLING_FIELDS = ("bill_channel", "bill_category", "bill_units", "bill_encoding")

SENDING, SENT, SKIP, FAIL = "sending", "sent", "skip", "fail"

# Callbacks can arrive out of order: never move a message back from a final state (except to
# "read", which follows "delivered"). KEYS: deliveries; ARGV: contact id, value, status.
_RECORD_DELIVERY = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and (string.find(cur, '^delivered') or string.find(cur, '^read') or
            string.find(cur, '^undelivered') or string.find(cur, '^failed')) and
   not string.find(ARGV[3], '^read') then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1
"""


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
                    error_code: str | None) -> None:
    value = f"{status}:{error_code}" if error_code else status
    redis.eval(_RECORD_DELIVERY, 1, _DELIVERIES.format(bc_id), contact_id, value, status)


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
