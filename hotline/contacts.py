"""People who write to the hotline, kept in Redis under a pseudonymous id.

The phone number itself is stored only encrypted; keys, trackers and logs use the id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis import Redis

from hotline.messaging.channels import Address
from hotline.crypto import Vault

KEY = "hl:contact:{}"
ALL = "hl:contacts"  # every contact id, for broadcast audiences


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

    @classmethod
    def from_hash(cls, contact_id: str, data: dict, vault: Vault) -> "Contact":
        number = vault.decrypt(data["number"]) if data.get("number") else None
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

    def mark_undeliverable(self, contact_id: str, code: int) -> None:
        self.redis.hset(contact_key(contact_id), mapping={"undeliverable_code": code})

    def forget(self, contact_id: str) -> int:
        """Erase the contact record (encrypted number, language, opt-out) and its place among
        all contacts; returns how many records went (0 or 1).

        The opt-out goes with it: someone erased is in no audience, and writing again makes
        them a new contact.
        """
        pipe = self.redis.pipeline()
        pipe.delete(contact_key(contact_id))
        pipe.srem(ALL, contact_id)
        return pipe.execute()[0]
