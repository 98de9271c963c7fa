"""People who write to the hotline, kept in Redis under a pseudonymous id.

The phone number itself is stored only encrypted; keys, trackers and logs use the id. Owns the
contact records (`hl:contact:*`) and the set of every contact id: other modules read many
contacts at once through `ContactStore.id_pages` and `get_many`, never through the keys.

A contact may ask to be told of something later ("tell me when registration opens"): a
subscription to one of `TOPICS`, kept in the record and erased with it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from redis import Redis

from hotline.crypto import Vault
from hotline.messaging.channels import Address

KEY = "hl:contact:{}"
ALL = "hl:contacts"  # every contact id, for broadcast audiences
# What a person can ask to be told about later; broadcast audiences can select them.
INTAKE = "intake"  # "tell me when registration opens" (AVISAME / NOTIFY ME)
TOPICS = (INTAKE,)
_SUBSCRIPTION = "sub:{}"  # record field: when they subscribed to the topic


def contact_key(contact_id: str) -> str:
    return KEY.format(contact_id)


@dataclass
class Contact:
    id: str
    number: str | None = None
    language: str | None = None
    language_chosen: bool = False
    opted_out: bool = False
    last_channel: str | None = None
    last_inbound_at: float | None = None
    sms_ok: bool = False  # wrote to us by SMS, or chose SMS when registering
    undeliverable: bool = False
    subscriptions: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_hash(cls, contact_id: str, data: dict, vault: Vault | None) -> Contact:
        """The record as read; without a vault the number stays unread (None)."""
        number = vault.decrypt(data["number"]) if vault and data.get("number") else None
        return cls(
            id=contact_id,
            number=number,
            language=data.get("language") or None,
            language_chosen=data.get("language_chosen") == "1",
            opted_out=data.get("opted_out") == "1",
            last_channel=data.get("last_channel") or None,
            last_inbound_at=float(data["last_inbound_at"]) if data.get("last_inbound_at") else None,
            sms_ok=data.get("sms_ok") == "1",
            undeliverable=bool(data.get("undeliverable_code")),
            subscriptions=frozenset(topic for topic in TOPICS
                                    if data.get(_SUBSCRIPTION.format(topic))),
        )


def store_language(redis: Redis, contact_id: str, language: str, chosen: bool) -> None:
    """Remember the language to answer in; `chosen` when the person asked for it."""
    fields = {"language": language}
    if chosen:
        fields["language_chosen"] = "1"
    redis.hset(contact_key(contact_id), mapping=fields)


class ContactStore:
    def __init__(self, redis: Redis, vault: Vault):
        self.redis = redis
        self.vault = vault

    def id_for(self, address: Address) -> str:
        """One contact per phone number, whichever channel they use."""
        return self.vault.pseudonym(address.number)

    def get(self, contact_id: str) -> Contact | None:
        data = self.redis.hgetall(contact_key(contact_id))
        return Contact.from_hash(contact_id, data, self.vault) if data else None

    def id_pages(self, size: int = 1000) -> Iterator[list[str]]:
        """Every contact id, in a stable (sorted) order, `size` at a time."""
        ids = sorted(self.redis.smembers(ALL))
        for start in range(0, len(ids), size):
            yield ids[start:start + size]

    def get_many(self, contact_ids: list[str], numbers: bool = True) -> list[Contact | None]:
        """Many contacts in one round trip, in the order given; None where there is no record.

        `numbers=False` leaves the phone numbers encrypted (None): an audience needs only the
        language, channel, opt-out and subscriptions, and decrypting costs time per contact.
        """
        pipe = self.redis.pipeline(transaction=False)
        for contact_id in contact_ids:
            pipe.hgetall(contact_key(contact_id))
        vault = self.vault if numbers else None
        return [Contact.from_hash(cid, data, vault) if data else None
                for cid, data in zip(contact_ids, pipe.execute())]

    def touch_inbound(self, address: Address) -> str:
        """Record an inbound message from this address; returns the contact id."""
        contact_id = self.id_for(address)
        key = contact_key(contact_id)
        pipe = self.redis.pipeline()
        pipe.hsetnx(key, "number", self.vault.encrypt(address.number))
        pipe.hsetnx(key, "created_at", time.time())
        fields = {"last_channel": address.channel, "last_inbound_at": time.time()}
        if address.channel == "sms":
            fields["sms_ok"] = "1"
        pipe.hset(key, mapping=fields)
        pipe.hdel(key, "undeliverable_code")  # they just wrote from it: it works
        pipe.sadd(ALL, contact_id)
        pipe.execute()
        return contact_id

    def set_language(self, contact_id: str, language: str, chosen: bool) -> None:
        store_language(self.redis, contact_id, language, chosen)

    def allow_sms(self, contact_id: str) -> None:
        """They chose text messages: news may come by SMS when WhatsApp's window is closed."""
        self.redis.hset(contact_key(contact_id), "sms_ok", "1")

    def set_opted_out(self, contact_id: str, opted_out: bool) -> None:
        self.redis.hset(
            contact_key(contact_id),
            mapping={"opted_out": "1" if opted_out else "0", "opt_changed_at": time.time()},
        )

    def is_opted_out(self, contact_id: str) -> bool:
        return self.redis.hget(contact_key(contact_id), "opted_out") == "1"

    def subscribe(self, contact_id: str, topic: str) -> bool:
        """Remember that the person wants to be told about `topic`; False if they already
        asked. Opting out (STOP) stops the message too: the sender checks it when sending."""
        if topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r}; one of {', '.join(TOPICS)}")
        return bool(self.redis.hsetnx(contact_key(contact_id), _SUBSCRIPTION.format(topic),
                                      time.time()))

    def mark_undeliverable(self, contact_id: str, code: int) -> None:
        self.redis.hset(contact_key(contact_id), mapping={"undeliverable_code": code})

    def forget(self, contact_id: str) -> int:
        """Erase the contact record (encrypted number, language, opt-out, subscriptions) and its
        place among all contacts; returns how many records went (0 or 1).

        The opt-out goes with it: someone erased is in no audience, and writing again makes
        them a new contact.
        """
        pipe = self.redis.pipeline()
        pipe.delete(contact_key(contact_id))
        pipe.srem(ALL, contact_id)
        return pipe.execute()[0]
