"""People who write to the hotline, kept in Redis under a pseudonymous id.

The phone number itself is stored only encrypted; keys, trackers and logs use the id. Owns the
contact records (`hl:contact:*`) and the set of every contact id: other modules read many
contacts at once through `ContactStore.id_pages` and `get_many`, never through the keys.

A contact may ask to be told of something later ("tell me when registration opens"): a
subscription to one of `TOPICS`, kept in the record and erased with it.

One person, one contact: a contact has channel identities (a phone number, for SMS and for
WhatsApp; a WhatsApp business-scoped user id such as `US.1234`, which may come with no number and
changes when the person changes number). The identity index `hl:ident:{hash}` -> contact id (and
`hl:contact:{id}:idents`, the hashes of a contact's identities, so erasure finds them) is how
every message, search and export finds the contact. Numbers are folded to one form first
(`messaging.phones.canonical`: `+521…` on WhatsApp and `+52…` on SMS are one handset). A phone's
contact id is the pseudonym of its canonical number, what it always was for an SMS number, and
an identity not yet indexed whose old id (the number as Twilio wrote it) has a record is linked
to that record: nothing stored before the index is orphaned.

Opting out is per channel (`opted_out:sms`, `opted_out:whatsapp`): STOP by SMS does not silence
WhatsApp. The old `opted_out` field (from before channels were told apart, or a STOP that named
no channel) covers every channel.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from redis import Redis

from hotline import replication
from hotline.crypto import Vault
from hotline.messaging import phones
from hotline.messaging.channels import SMS, WHATSAPP, Address

KEY = "hl:contact:{}"
ALL = "hl:contacts"  # every contact id, for broadcast audiences
IDENT_KEY = "hl:ident:{}"  # pseudonym of one channel identity -> contact id
IDENTS_KEY = "hl:contact:{}:idents"  # a contact's identity pseudonyms, for erasure
CHANNELS = (SMS, WHATSAPP)
_OPTED_OUT = "opted_out"  # every channel (before channels were told apart, or asked for all)
_OPTED_OUT_ON = "opted_out:{}"  # one channel
# A WhatsApp business-scoped user id: a country code, a dot, letters and digits.
_USER_ID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,64}$")
# What a person can ask to be told about later; broadcast audiences can select them.
INTAKE = "intake"  # "tell me when registration opens" (AVISAME / NOTIFY ME)
TOPICS = (INTAKE,)
_SUBSCRIPTION = "sub:{}"  # record field: when they subscribed to the topic


log = logging.getLogger(__name__)


def contact_key(contact_id: str) -> str:
    return KEY.format(contact_id)


@dataclass(frozen=True)
class Sender:
    """Who wrote, as the channel identifies them: a number, a WhatsApp user id, or both."""

    channel: str
    number: str | None = None  # E.164 as Twilio wrote it
    user_id: str | None = None  # WhatsApp business-scoped user id (ExternalUserId)

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.number is None and self.user_id is None:
            raise ValueError("a sender needs a number or a user id")
        if self.user_id is not None and not is_user_id(self.user_id):
            raise ValueError("not a WhatsApp user id")

    @classmethod
    def of(cls, address: Address) -> Sender:
        """A channel address; on WhatsApp its "number" may be a business-scoped user id."""
        if address.channel == WHATSAPP and is_user_id(address.number):
            return cls(address.channel, user_id=address.number)
        return cls(address.channel, number=address.number)


def is_user_id(value: str) -> bool:
    """Whether a value is a WhatsApp business-scoped user id (`US.1234`), not a number.

    >>> is_user_id("US.13491208655302741918"), is_user_id("+5215512345678"), is_user_id("US.")
    (True, False, False)
    >>> is_user_id("MX.ENT.a1B2"), is_user_id("US.12 34"), is_user_id("us.1234")
    (True, False, False)
    """
    return bool(_USER_ID.match(value or ""))


@dataclass
class Contact:
    id: str
    number: str | None = None
    language: str | None = None
    language_chosen: bool = False
    opted_out: bool = False  # on some channel (on every one when no channel is named)
    opted_out_channels: frozenset[str] = field(default_factory=frozenset)
    last_channel: str | None = None
    last_inbound_at: float | None = None
    sms_ok: bool = False  # wrote to us by SMS, or chose SMS when registering
    undeliverable: bool = False
    subscriptions: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_hash(cls, contact_id: str, data: dict, vault: Vault | None) -> Contact:
        """The record as read; without a vault the number stays unread (None)."""
        stopped = frozenset(CHANNELS) if data.get(_OPTED_OUT) == "1" else frozenset(
            ch for ch in CHANNELS if data.get(_OPTED_OUT_ON.format(ch)) == "1")
        number = vault.decrypt(data["number"]) if vault and data.get("number") else None
        return cls(
            id=contact_id,
            number=number,
            language=data.get("language") or None,
            language_chosen=data.get("language_chosen") == "1",
            opted_out=bool(stopped),
            opted_out_channels=stopped,
            last_channel=data.get("last_channel") or None,
            last_inbound_at=float(data["last_inbound_at"]) if data.get("last_inbound_at") else None,
            sms_ok=data.get("sms_ok") == "1",
            undeliverable=bool(data.get("undeliverable_code")),
            subscriptions=frozenset(topic for topic in TOPICS
                                    if data.get(_SUBSCRIPTION.format(topic))),
        )

    def opted_out_on(self, channel: str | None) -> bool:
        """Whether the person asked for no messages on this channel (None: on any channel).

        >>> sms_stop = Contact("c1", opted_out=True, opted_out_channels=frozenset({"sms"}))
        >>> sms_stop.opted_out_on("sms"), sms_stop.opted_out_on("whatsapp")
        (True, False)
        >>> Contact("c2", opted_out=True).opted_out_on("whatsapp")  # no channel named: all
        True
        """
        if channel is None or not self.opted_out_channels:
            return self.opted_out
        return channel in self.opted_out_channels


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
        """One contact per phone number, whichever channel they use (+521 and +52 alike)."""
        return self.vault.pseudonym(phones.canonical(address.number))

    # identities ----------------------------------------------------------------------------
    def _ident(self, kind: str, value: str) -> str:
        # Its own prefix: an identity's hash never equals a contact id or an A-number's.
        return self.vault.pseudonym(f"{kind}:{value}", prefix="i")

    def _identities(self, sender: Sender) -> list[str]:
        """The sender's identity hashes, the phone first: it carries what SMS knows of them."""
        idents = []
        if sender.number:
            idents.append(self._ident("tel", phones.canonical(sender.number)))
        if sender.user_id:
            idents.append(self._ident("wa-user", sender.user_id))
        return idents

    def _new_id(self, sender: Sender) -> str:
        """The id for a sender no identity of which is indexed yet."""
        if sender.number:
            return self._stored_id(sender.number) or self.vault.pseudonym(
                phones.canonical(sender.number))
        return self.vault.pseudonym(f"wa-user:{sender.user_id}")

    def _stored_id(self, number: str) -> str | None:
        """The id of a contact stored before the index under any form of this number (a
        +521… WhatsApp number was its own contact then), the canonical form's first."""
        for form in phones.forms(number):
            candidate = self.vault.pseudonym(form)
            if self.redis.exists(contact_key(candidate)):
                return candidate
        return None

    def resolve(self, sender: Sender) -> str:
        """The contact id of a sender, linking identities not seen before to it.

        The first identity already linked decides (the phone before the user id); the others
        are linked to the same contact unless linked elsewhere already (never taken from another
        contact: two people must not be merged on a guess). Safe when two messages of a new
        person arrive at once: SET NX decides.
        """
        idents = self._identities(sender)
        keys = [IDENT_KEY.format(i) for i in idents]
        linked = self.redis.mget(keys)
        contact_id = next((cid for cid in linked if cid), None)
        if contact_id is None:
            contact_id = self._new_id(sender)
        for ident, key, current in zip(idents, keys, linked):
            if current is None and not self.redis.set(key, contact_id, nx=True):
                current = self.redis.get(key)
                if ident == idents[0]:
                    contact_id = current  # a concurrent first message linked it first
            if current is None:
                self.redis.sadd(IDENTS_KEY.format(contact_id), ident)
            elif current != contact_id:
                log.warning("identity linked to %s, message from %s: not merged",
                            current, contact_id)
        return contact_id

    def lookup(self, number: str) -> str | None:
        """The contact a phone number (E.164, either Mexican form) belongs to, or None: what
        search and export by phone go through."""
        contact_id = self.redis.get(IDENT_KEY.format(self._ident("tel", phones.canonical(number))))
        # Else someone who wrote before the index existed and not since.
        return contact_id or self._stored_id(number)

    def lookup_user(self, user_id: str) -> str | None:
        """The contact a WhatsApp user id is linked to, or None."""
        if not is_user_id(user_id):
            return None
        return self.redis.get(IDENT_KEY.format(self._ident("wa-user", user_id)))

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

    def touch_inbound(self, address: Address | Sender) -> str:
        """Record an inbound message from this sender; returns the contact id.

        The one call the webhook makes to learn who wrote: an SMS or WhatsApp address, or a
        `Sender` (a WhatsApp user id, with or without a number).
        """
        sender = address if isinstance(address, Sender) else Sender.of(address)
        contact_id = self.resolve(sender)
        key = contact_key(contact_id)
        pipe = self.redis.pipeline()
        if sender.number:
            # The number as the channel wrote it: replies and notices go to that form.
            pipe.hsetnx(key, "number", self.vault.encrypt(sender.number))
        pipe.hsetnx(key, "created_at", time.time())
        fields = {"last_channel": sender.channel, "last_inbound_at": time.time()}
        if sender.channel == SMS:
            fields["sms_ok"] = "1"
        pipe.hset(key, mapping=fields)
        pipe.hdel(key, "undeliverable_code")  # they just wrote from it: it works
        pipe.sadd(ALL, contact_id)
        pipe.execute()
        return contact_id

    def language(self, contact_id: str) -> str | None:
        """The person's language alone (counting a message sent needs nothing else)."""
        return self.redis.hget(contact_key(contact_id), "language") or None

    def set_language(self, contact_id: str, language: str, chosen: bool) -> None:
        store_language(self.redis, contact_id, language, chosen)

    def allow_sms(self, contact_id: str) -> None:
        """They chose text messages: news may come by SMS when WhatsApp's window is closed."""
        self.redis.hset(contact_key(contact_id), "sms_ok", "1")

    def sms_allowed(self, contact_id: str) -> bool:
        """Whether they wrote by SMS or chose it (`Contact.sms_ok`), without reading the rest."""
        return self.redis.hget(contact_key(contact_id), "sms_ok") == "1"

    def set_opted_out(self, contact_id: str, opted_out: bool, channel: str | None = None) -> None:
        """STOP (True) or START (False) on one channel, or on every channel (None).

        Starting again on one channel after a STOP that covered every channel keeps the
        others stopped: each channel then says so for itself.
        """
        if channel is not None and channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        key = contact_key(contact_id)
        flag = "1" if opted_out else "0"
        if channel is None:
            fields = {_OPTED_OUT: flag, **{_OPTED_OUT_ON.format(ch): flag for ch in CHANNELS}}
        else:
            fields = {_OPTED_OUT_ON.format(channel): flag}
            if not opted_out and self.redis.hget(key, _OPTED_OUT) == "1":
                fields[_OPTED_OUT] = "0"
                fields.update({_OPTED_OUT_ON.format(ch): "1" for ch in CHANNELS if ch != channel})
        self.redis.hset(key, mapping={**fields, "opt_changed_at": time.time()})
        # The person is told they will get nothing more: a failover must not undo it.
        replication.acknowledge(self.redis)

    def is_opted_out(self, contact_id: str, channel: str | None = None) -> bool:
        """Opted out on this channel (None: on any channel)."""
        values = self.redis.hmget(contact_key(contact_id),
                                  [_OPTED_OUT, *(_OPTED_OUT_ON.format(ch) for ch in CHANNELS)])
        every, per_channel = values[0] == "1", dict(zip(CHANNELS, values[1:]))
        if every:
            return True
        if channel is None:
            return any(v == "1" for v in per_channel.values())
        return per_channel.get(channel) == "1"

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
        """Erase the contact record (encrypted number, language, opt-out, subscriptions), its
        place among all contacts and its identity links; returns how many records went (0 or 1).

        The opt-out goes with it: someone erased is in no audience, and writing again makes
        them a new contact. A link now pointing elsewhere is left alone.
        """
        idents = self.redis.smembers(IDENTS_KEY.format(contact_id))
        for ident in idents:
            # Only this contact's own links: compare-and-delete, one key at a time.
            self.redis.eval(_DELETE_IF, 1, IDENT_KEY.format(ident), contact_id)
        pipe = self.redis.pipeline()
        pipe.delete(contact_key(contact_id))
        pipe.srem(ALL, contact_id)
        pipe.delete(IDENTS_KEY.format(contact_id))
        return pipe.execute()[0]


# KEYS: one identity link; ARGV: the contact id it must point to for it to go.
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
