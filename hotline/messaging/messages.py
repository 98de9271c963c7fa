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


class MessageStore:
    def __init__(self, redis: Redis, vault: Vault, ttl: int):
        self.redis = redis
        self.vault = vault
        self.ttl = ttl

    # inbound -------------------------------------------------------------------------------
    def save_inbound(self, msg: Inbound, dedupe_ttl: int) -> bool:
        """Store a new inbound message; False when this MessageSid was seen before."""
        if not self.redis.set(SEEN_KEY.format(msg.sid), 1, nx=True, ex=dedupe_ttl):
            return False
        key = IN_KEY.format(msg.sid)
        pipe = self.redis.pipeline()
        pipe.hset(
            key,
            mapping={
                "contact_id": msg.contact_id,
                "channel": msg.channel,
                "from": self.vault.encrypt(msg.sender),
                "to": msg.to,
                "body": self.vault.encrypt(msg.body),
                "num_media": msg.num_media,
                "received_at": msg.received_at,
                "state": msg.state,
            },
        )
        pipe.expire(key, self.ttl)
        self._index(pipe, msg.contact_id, f"in:{msg.sid}")
        pipe.execute()
        self.append_transcript(msg.contact_id, "in", msg.body, sid=msg.sid, channel=msg.channel)
        return True

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
        )

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
            error_code=int(data["error_code"]) if data.get("error_code") else None,
            created_at=float(data["created_at"]),
            content_sid=data.get("content_sid") or None,
        )

    def mark_outbound(self, out_id: str, status: str, **fields) -> None:
        mapping = {"status": status, "updated_at": time.time()}
        mapping.update({k: v for k, v in fields.items() if v is not None})
        self.redis.hset(OUT_KEY.format(out_id), mapping=mapping)
        if fields.get("twilio_sid"):
            self.redis.set(TWILIO_SID_KEY.format(fields["twilio_sid"]), out_id,
                           ex=self._left(OUT_KEY.format(out_id)))

    def record_delivery(self, twilio_sid: str, status: str, error_code: str | None) -> str | None:
        """Apply a status callback; returns our message id, or None for an unknown sid.

        Callbacks can arrive twice or out of order: a state never moves backwards.
        """
        out_id = self.redis.get(TWILIO_SID_KEY.format(twilio_sid))
        if out_id is None:
            return None
        key = OUT_KEY.format(out_id)
        current = self.redis.hget(key, "status") or "pending"
        if STATUS_RANK.get(status, 0) >= STATUS_RANK.get(current, 0):
            mapping = {"status": status, "updated_at": time.time()}
            if error_code:
                mapping["error_code"] = error_code
            self.redis.hset(key, mapping=mapping)
        history = HISTORY_KEY.format(out_id)
        self.redis.rpush(history, json.dumps({"status": status, "at": time.time(),
                                              "error_code": error_code}))
        self.redis.expire(history, self._left(key))
        return out_id

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
        pipe.delete(TRANSCRIPT_KEY.format(contact_id))
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
