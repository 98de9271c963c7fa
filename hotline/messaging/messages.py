"""Inbound and outbound message records, and each contact's transcript.

Bodies are stored encrypted. An inbound record moves received -> answered (the assistant's
replies are saved) -> done; an outbound one pending -> sending -> Twilio's states.

Owns the keys `hl:in:*`, `hl:out:*`, `hl:twsid:*`, `hl:transcript:*` and `hl:msgs:*` (which
records are whose, so that a person's messages can be forgotten). Imports core only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from redis import Redis

from hotline.crypto import Vault

IN_KEY = "hl:in:{}"
OUT_KEY = "hl:out:{}"
SEEN_KEY = "hl:in:seen:{}"
HISTORY_KEY = "hl:out:{}:history"
TWILIO_SID_KEY = "hl:twsid:{}"
TRANSCRIPT_KEY = "hl:transcript:{}"
MEDIA_NOTICE_KEY = "hl:medianote:{}"  # told today that pictures are not seen
BY_CONTACT = "hl:msgs:{}"  # contact id -> "in:<sid>" and "out:<id>" of their records
# On erasure, a record still being handled (a turn not yet answered, a reply not yet with
# Twilio) must finish, or the person never hears that their data is gone: it stays this long,
# and so does whatever is written about it later. The outbox gives up after about an hour.
FORGET_GRACE = 24 * 3600

# Twilio's delivery states in the order a message moves through them; a late callback for an
# earlier state must not overwrite a later one.
STATUS_RANK = {
    "pending": 0, "sending": 1, "accepted": 2, "scheduled": 2, "queued": 3, "sending_twilio": 4,
    "sent": 5, "delivered": 6, "read": 7, "undelivered": 8, "failed": 8, "canceled": 8,
    "refused": 9,
}
FINAL_STATES = {"delivered", "read", "undelivered", "failed", "canceled", "refused"}


ACCEPTED, REQUEUED, REPEATED = "accepted", "requeued", "repeated"
# KEYS: seen, record, contact index, transcript, serial list, serial active set.
# ARGV: dedupe ttl, record ttl, index member, transcript entry, sid, contact id, queue? (1/0),
# then the record's field/value pairs.
_ACCEPT = """
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then
  if redis.call('HGET', KEYS[2], 'state') ~= 'received' then return 'repeated' end
  if ARGV[7] == '1' then
    if not redis.call('LPOS', KEYS[5], ARGV[5]) then redis.call('RPUSH', KEYS[5], ARGV[5]) end
    redis.call('SADD', KEYS[6], ARGV[6])
  end
  return 'requeued'
end
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[2])
redis.call('RPUSH', KEYS[4], ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[2])
if ARGV[7] == '1' then
  redis.call('RPUSH', KEYS[5], ARGV[5])
  redis.call('SADD', KEYS[6], ARGV[6])
end
return 'accepted'
"""


BATCHED = "batched"  # answered together with an earlier message (its `into`)
# KEYS: the first message's record, then the candidates' records; ARGV: its sid, candidates.
_FREEZE = """
local stored = redis.call('HGET', KEYS[1], 'batch')
if stored then return stored end
local sids, members = cjson.decode(ARGV[2]), {}
for i = 2, #KEYS do
  if redis.call('HGET', KEYS[i], 'state') ~= 'received' then break end
  redis.call('HSET', KEYS[i], 'state', 'batched', 'into', ARGV[1])
  members[#members + 1] = sids[i - 1]
end
local encoded = '[]'
if #members > 0 then encoded = cjson.encode(members) end
redis.call('HSET', KEYS[1], 'batch', encoded)
return encoded
"""


EARLY_KEY = "hl:twsid:early:{}"  # callbacks that came before our record knew the Twilio SID
EARLY_TTL = 24 * 3600
_RANKS = json.dumps(STATUS_RANK)
# KEYS: record, Twilio SID index (or the record again). ARGV: status, ranks, out id, Twilio
# SID, ttl, then field/value pairs. The status moves only forwards; fields are always stored.
_MARK = """
local ranks = cjson.decode(ARGV[2])
local cur = redis.call('HGET', KEYS[1], 'status') or 'pending'
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
if (ranks[ARGV[1]] or 0) >= (ranks[cur] or 0) then
  fields[#fields + 1] = 'status'
  fields[#fields + 1] = ARGV[1]
end
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[4] ~= '' then
  local left = redis.call('TTL', KEYS[1])
  if left <= 0 then left = tonumber(ARGV[5]) end
  redis.call('SET', KEYS[2], ARGV[3], 'EX', left)
end
return 1
"""
# KEYS: record, its history, the Twilio SID index. ARGV: status, error code, now, ranks, out id,
# Twilio SID, ttl. Returns nil for no record, else {outcome, previous status}: outcome
# "changed", "same" (a repeat or an earlier state: nothing changed) or "other" (a callback for
# a second Twilio message of the same record: noted in the history only).
_DELIVERY = """
if redis.call('HEXISTS', KEYS[1], 'to') == 0 then return nil end
local ranks = cjson.decode(ARGV[4])
local left = redis.call('TTL', KEYS[1])
if left <= 0 then left = tonumber(ARGV[7]) end
redis.call('RPUSH', KEYS[2], cjson.encode({status = ARGV[1], at = tonumber(ARGV[3]),
  error_code = ARGV[2], sid = ARGV[6]}))
redis.call('EXPIRE', KEYS[2], left)
local known = redis.call('HGET', KEYS[1], 'twilio_sid')
local cur = redis.call('HGET', KEYS[1], 'status') or 'pending'
if known and known ~= ARGV[6] then return {'other', cur} end
if not known then
  redis.call('HSET', KEYS[1], 'twilio_sid', ARGV[6])
  redis.call('SET', KEYS[3], ARGV[5], 'EX', left)
end
if ARGV[1] == cur or (ranks[ARGV[1]] or 0) < (ranks[cur] or 0) then return {'same', cur} end
local fields = {'status', ARGV[1], 'updated_at', ARGV[3]}
if ARGV[2] ~= '' then fields[5] = 'error_code'; fields[6] = ARGV[2] end
redis.call('HSET', KEYS[1], unpack(fields))
return {'changed', cur}
"""


@dataclass(frozen=True)
class Delivery:
    """What a status callback did to our record."""

    out_id: str
    status: str
    previous: str
    outcome: str  # "changed", "same" or "other"
    error_code: str | None = None

    @property
    def newly_final(self) -> bool:
        """The record just reached a final state (its consequences are due, once)."""
        return (self.outcome == "changed" and self.status in FINAL_STATES
                and self.previous not in FINAL_STATES)


@dataclass
class Inbound:
    sid: str
    contact_id: str
    channel: str
    sender: str  # Twilio's From
    to: str  # Twilio's To: the hotline number the person wrote to
    body: str
    num_media: int
    received_at: float
    state: str = "received"
    replies: list | None = None
    language: str | None = None
    # Pictures and files ({"url", "content_type"}), a shared pin, Twilio's opt-out keyword.
    media: list = field(default_factory=list)
    location: dict | None = None
    opt_out: str | None = None


@dataclass
class Outbound:
    id: str
    contact_id: str
    to: str
    sender: str
    body: str
    kind: str
    status: str = "pending"
    twilio_sid: str | None = None
    error_code: int | None = None
    created_at: float = field(default_factory=time.time)
    content_sid: str | None = None


def _transcript_marks(msg: Inbound) -> dict:
    """What an operator's transcript shows besides the words: the kinds of media sent (fetched
    through the console by index, never by Twilio's URL) and that a pin was shared."""
    marks = {"media": [m.get("content_type", "") for m in msg.media]} if msg.media else {}
    return {**marks, **({"location": True} if msg.location else {})}


class MessageStore:
    def __init__(self, redis: Redis, vault: Vault, ttl: int):
        self.redis = redis
        self.vault = vault
        self.ttl = ttl

    # inbound -------------------------------------------------------------------------------
    def save_inbound(self, msg: Inbound, dedupe_ttl: int) -> bool:
        """Store a new inbound message (not queued); False when this MessageSid was seen
        before."""
        return self.accept_inbound(msg, dedupe_ttl) == ACCEPTED

    def accept_inbound(self, msg: Inbound, dedupe_ttl: int,
                       queue: tuple[str, str] | None = None) -> str:
        """Mark the MessageSid seen, store the record, add it to the transcript and (with
        `queue`, a serial queue's `keys()`) queue it, in one step: a crash leaves all or none.

        ACCEPTED for a new message; REQUEUED for a repeat whose record is still `received` (a
        crash or a lost job left it unanswered: it is queued again if it fell out of the queue,
        and the caller schedules it); REPEATED for one already being answered or answered.
        """
        key = IN_KEY.format(msg.sid)
        fields = self._inbound_fields(msg)
        entry = json.dumps({"dir": "in", "at": time.time(),
                            "text": self.vault.encrypt(msg.body), "sid": msg.sid,
                            "channel": msg.channel, **_transcript_marks(msg)})
        list_key, active_key = queue or ("", "")
        keys = [SEEN_KEY.format(msg.sid), key, BY_CONTACT.format(msg.contact_id),
                TRANSCRIPT_KEY.format(msg.contact_id), list_key or key, active_key or key]
        args = [dedupe_ttl, self.ttl, f"in:{msg.sid}", entry, msg.sid, msg.contact_id,
                "1" if queue else "0", *[str(v) for pair in fields.items() for v in pair]]
        return self.redis.eval(_ACCEPT, len(keys), *keys, *args)

    def _inbound_fields(self, msg: Inbound) -> dict:
        return {
            "contact_id": msg.contact_id,
            "channel": msg.channel,
            "from": self.vault.encrypt(msg.sender),
            "to": msg.to,
            "body": self.vault.encrypt(msg.body),
            "num_media": msg.num_media,
            "received_at": msg.received_at,
            "state": msg.state,
            # Media links and a pin say where someone is or what they showed: encrypted.
            **({"media": self.vault.encrypt(json.dumps(msg.media))} if msg.media else {}),
            **({"location": self.vault.encrypt(json.dumps(msg.location))}
               if msg.location else {}),
            **({"opt_out": msg.opt_out} if msg.opt_out else {}),
        }

    def inbound_state(self, sid: str) -> str | None:
        """Where an inbound message stands (None: no record), without decrypting it."""
        return self.redis.hget(IN_KEY.format(sid), "state")

    def freeze_batch(self, sid: str, candidates: list[str]) -> list[str]:
        """Fix which queued messages are answered together with `sid`, once: the first call
        marks those of `candidates` still `received` as BATCHED into it; a later call (a retried
        turn) gets the same members back whatever it proposes."""
        raw = self.redis.eval(_FREEZE, 1 + len(candidates), IN_KEY.format(sid),
                              *[IN_KEY.format(c) for c in candidates], sid,
                              json.dumps(candidates))
        return json.loads(raw)

    def load_inbound(self, sid: str) -> Inbound | None:
        data = self.redis.hgetall(IN_KEY.format(sid))
        if not data:
            return None
        return Inbound(
            sid=sid,
            contact_id=data["contact_id"],
            channel=data["channel"],
            sender=self.vault.decrypt(data["from"]),
            to=data["to"],
            body=self.vault.decrypt(data["body"]),
            num_media=int(data.get("num_media") or 0),
            received_at=float(data["received_at"]),
            state=data.get("state", "received"),
            replies=(json.loads(self.vault.decrypt(data["replies"])) if data.get("replies")
                     else None),
            language=data.get("language"),
            media=json.loads(self.vault.decrypt(data["media"])) if data.get("media") else [],
            location=(json.loads(self.vault.decrypt(data["location"])) if data.get("location")
                      else None),
            opt_out=data.get("opt_out") or None,
        )

    def media_notice_due(self, contact_id: str, seconds: int = 24 * 3600) -> bool:
        """True once a day per person: the first picture is answered "I read only text", the
        next ones that day are not (an album would be a dozen identical replies)."""
        return bool(self.redis.set(MEDIA_NOTICE_KEY.format(contact_id), 1, nx=True,
                                   ex=seconds))

    def set_inbound_state(self, sid: str, state: str, **fields) -> None:
        mapping = {"state": state, **{k: v for k, v in fields.items() if v is not None}}
        self.redis.hset(IN_KEY.format(sid), mapping=mapping)

    def save_answer(self, sid: str, replies: list, language: str) -> None:
        # Replies repeat what the person told us (a registration summary): encrypted like bodies.
        self.set_inbound_state(sid, "answered", replies=self.vault.encrypt(json.dumps(replies)),
                               language=language)

    # outbound ------------------------------------------------------------------------------
    def create_outbound(self, msg: Outbound) -> bool:
        """Create the record once; False when a record with this id already exists."""
        key = OUT_KEY.format(msg.id)
        created = self.redis.hsetnx(key, "status", msg.status)
        if not created:
            return False
        pipe = self.redis.pipeline()
        pipe.hset(
            key,
            mapping={
                "contact_id": msg.contact_id,
                "to": self.vault.encrypt(msg.to),
                "from": msg.sender,
                "body": self.vault.encrypt(msg.body),
                "kind": msg.kind,
                "created_at": msg.created_at,
                **({"content_sid": msg.content_sid} if msg.content_sid else {}),
            },
        )
        pipe.expire(key, self.ttl)
        self._index(pipe, msg.contact_id, f"out:{msg.id}")
        pipe.execute()
        return True

    def load_outbound(self, out_id: str) -> Outbound | None:
        data = self.redis.hgetall(OUT_KEY.format(out_id))
        if not data or "to" not in data:
            return None
        return Outbound(
            id=out_id,
            contact_id=data["contact_id"],
            to=self.vault.decrypt(data["to"]),
            sender=data["from"],
            body=self.vault.decrypt(data["body"]),
            kind=data["kind"],
            status=data["status"],
            twilio_sid=data.get("twilio_sid"),
            error_code=(int(data["error_code"]) if (data.get("error_code") or "").isdigit()
                        else None),
            created_at=float(data["created_at"]),
            content_sid=data.get("content_sid") or None,
        )

    def mark_outbound(self, out_id: str, status: str, **fields) -> None:
        """Move a record to `status` (never to an earlier state: a status callback may already
        have said more) and store `fields`; with `twilio_sid`, index the record by it."""
        mapping = {"updated_at": time.time()}
        mapping.update({k: v for k, v in fields.items() if v is not None})
        twilio_sid = fields.get("twilio_sid") or ""
        self.redis.eval(_MARK, 2, OUT_KEY.format(out_id),
                        TWILIO_SID_KEY.format(twilio_sid) if twilio_sid else OUT_KEY.format(out_id),
                        status, _RANKS, out_id, twilio_sid, self.ttl,
                        *[str(v) for pair in mapping.items() for v in pair])

    def record_delivery(self, twilio_sid: str, status: str, error_code: str | None,
                        send_id: str | None = None) -> Delivery | None:
        """Apply a status callback; None when no record of ours is known for it.

        `send_id` is our own id from the callback URL's tag (`delivery.callback_url`): it names
        the record even when Twilio's SID was never written to it (the attempt's answer was
        lost) or not yet. Callbacks can arrive twice or out of order: a compare-and-set on the
        state's rank, so a state never moves backwards and a repeat changes nothing.
        """
        out_id = send_id or self.redis.get(TWILIO_SID_KEY.format(twilio_sid))
        if not out_id:
            return None
        result = self.redis.eval(
            _DELIVERY, 3, OUT_KEY.format(out_id), HISTORY_KEY.format(out_id),
            TWILIO_SID_KEY.format(twilio_sid), status, error_code or "", time.time(), _RANKS,
            out_id, twilio_sid, self.ttl)
        if result is None:
            return None
        outcome, previous = result
        return Delivery(out_id=out_id, status=status, previous=previous or "pending",
                        outcome=outcome, error_code=error_code)

    def buffer_early(self, twilio_sid: str, status: str, error_code: str | None,
                     ttl: int = EARLY_TTL) -> None:
        """Keep a callback for a Twilio SID no record knows yet: the record may be written a
        moment later (`take_early`)."""
        key = EARLY_KEY.format(twilio_sid)
        pipe = self.redis.pipeline()
        pipe.rpush(key, json.dumps({"status": status, "error_code": error_code}))
        pipe.expire(key, ttl)
        pipe.execute()

    def take_early(self, twilio_sid: str) -> list[dict]:
        """The callbacks that came before our record of `twilio_sid`, oldest first, once."""
        key = EARLY_KEY.format(twilio_sid)
        pipe = self.redis.pipeline()
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        return [json.loads(raw) for raw in pipe.execute()[0]]

    def claim_release(self, out_id: str) -> bool:
        """True once per record: a delayed message joins the outbox only once."""
        return bool(self.redis.hsetnx(OUT_KEY.format(out_id), "released_at", time.time()))

    def owner_of(self, twilio_sid: str) -> str | None:
        """Our record id for the message Twilio knows as `twilio_sid`, if any."""
        return self.redis.get(TWILIO_SID_KEY.format(twilio_sid))

    def set_outbound_fields(self, out_id: str, **fields) -> None:
        """Note fields on a record without touching its state (e.g. that it was retried)."""
        self.redis.hset(OUT_KEY.format(out_id), mapping={k: v for k, v in fields.items()
                                                         if v is not None})

    def set_billing(self, out_id: str, fields: dict[str, str]) -> None:
        """Note what a sent message is billed as (`messaging.billing`: class and cost) on its
        record, where erasure and expiry take it with the message."""
        self.redis.hset(OUT_KEY.format(out_id), mapping=fields)

    def billing(self, contact_id: str) -> list[dict[str, str]]:
        """The billing fields of this contact's outbound records that have them, oldest first:
        what the conversation cost."""
        ids = sorted(m.partition(":")[2] for m in self.redis.smembers(BY_CONTACT.format(contact_id))
                     if m.startswith("out:"))
        pipe = self.redis.pipeline(transaction=False)
        for out_id in ids:
            pipe.hgetall(OUT_KEY.format(out_id))
        records = [r for r in pipe.execute() if r.get("bill_channel")]
        return sorted(({k: v for k, v in r.items() if k.startswith("bill_")} | {
            "created_at": r.get("created_at", "0")} for r in records),
            key=lambda r: float(r["created_at"] or 0))

    def status_of(self, twilio_sid: str) -> str | None:
        """Where the message Twilio knows as `twilio_sid` stands, if it is one of our records."""
        out_id = self.redis.get(TWILIO_SID_KEY.format(twilio_sid))
        return self.redis.hget(OUT_KEY.format(out_id), "status") if out_id else None

    # transcript ----------------------------------------------------------------------------
    def append_transcript(self, contact_id: str, direction: str, text: str, **meta) -> None:
        entry = {"dir": direction, "at": time.time(), "text": self.vault.encrypt(text), **meta}
        key = TRANSCRIPT_KEY.format(contact_id)
        self.redis.rpush(key, json.dumps(entry))
        # As long as the newest record it tells of: after an erasure, the reply saying so.
        self.redis.expire(key, self._left(BY_CONTACT.format(contact_id)))

    def transcript(self, contact_id: str) -> list[dict]:
        entries = []
        for raw in self.redis.lrange(TRANSCRIPT_KEY.format(contact_id), 0, -1):
            entry = json.loads(raw)
            entry["text"] = self.vault.decrypt(entry["text"])
            entries.append(entry)
        return entries

    # erasure -------------------------------------------------------------------------------
    def forget(self, contact_id: str) -> int:
        """Erase this contact's transcript, message records and their Twilio SID index entries;
        returns how many records went.

        A record still being handled (a turn not yet answered, a reply not yet with Twilio) is
        left to finish and expires within FORGET_GRACE, like everything later written about it;
        erasure calls this again once the person's last turn is answered.
        """
        index = BY_CONTACT.format(contact_id)
        gone, busy = [], []
        for member in self.redis.smembers(index):
            kind, _, msg_id = member.partition(":")
            if kind == "in":
                key = IN_KEY.format(msg_id)
                state = self.redis.hget(key, "state")
                keys = [key, SEEN_KEY.format(msg_id)]
                in_flight = state not in (None, "done")
            else:
                key = OUT_KEY.format(msg_id)
                status, twilio_sid = self.redis.hmget(key, "status", "twilio_sid")
                keys = [key, HISTORY_KEY.format(msg_id)]
                keys += [TWILIO_SID_KEY.format(twilio_sid)] if twilio_sid else []
                in_flight = status in ("pending", "sending")
            if in_flight:
                busy.append(key)
            else:
                gone.append((member, keys))
        pipe = self.redis.pipeline()
        for member, keys in gone:
            pipe.delete(*keys)
            pipe.srem(index, member)
        pipe.delete(TRANSCRIPT_KEY.format(contact_id), MEDIA_NOTICE_KEY.format(contact_id))
        pipe.execute()
        for key in busy + [index]:
            if not 0 < self.redis.ttl(key) <= FORGET_GRACE:
                self.redis.expire(key, FORGET_GRACE)
        return len(gone)

    def _index(self, pipe, contact_id: str, member: str) -> None:
        index = BY_CONTACT.format(contact_id)
        pipe.sadd(index, member)
        pipe.expire(index, self.ttl)

    def _left(self, key: str) -> int:
        """Seconds `key` has to live: what refers to a record lives no longer than it."""
        left = self.redis.ttl(key)
        return left if left > 0 else self.ttl
