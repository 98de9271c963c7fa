"""Who receives a broadcast: the contacts its filters select, and the dry run that counts them.

Owns the meaning of the audience filters (`matches`, pure) and the walk over every contact in
a stable order. Registration fields come from `RegistrationStore.audience_fields`; contacts'
language, channel, opt-out and subscriptions from `ContactStore.get_many`, a batch at a time.

May import: core, contacts, content.corrections, registration.store, outreach (spec, costs),
runtime.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from hotline.contacts import Contact
from hotline.content import corrections
from hotline.outreach import costs
from hotline.outreach.spec import Broadcast
from hotline.runtime import Runtime

# Filters answered by the person's registration rather than their contact record.
REGISTRATION_FILTERS = {"country", "city", "status", "registered"}
# An audience named by the system, not by filters: the people of one correction sending
# (`hotline.outreach.corrections`); the list is kept, and forgotten, by `content.corrections`.
CORRECTION = "correction"


def matches(audience: dict, language: str, channel: str | None,
            registration: dict | None = None,
            subscriptions: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a contact (their language, last channel, latest registration's fields, what they
    asked to be told about) is in the audience; `country` matches where they are or their
    citizenship.

    >>> reg = {"status": "received", "location_country": "MX", "location_city": "Tijuana",
    ...        "citizenship": "HN"}
    >>> matches({"country": "HN", "city": "tijuana"}, "es", "sms", reg)
    True
    >>> matches({"registered": True}, "es", None, {}), matches({"channel": "sms"}, "en", None)
    (False, True)
    >>> matches({"subscribed": "intake"}, "es", None), matches({"subscribed": "intake"}, "es",
    ...                                                         None, None, {"intake"})
    (False, True)
    """
    if audience.get("subscribed") and audience["subscribed"] not in subscriptions:
        return False
    if audience.get("language") and audience["language"] != language:
        return False
    if audience.get("channel") and audience["channel"] != (channel or "sms"):
        return False
    if REGISTRATION_FILTERS & set(audience):
        registration = registration or {}
        status = registration.get("status")
        if "registered" in audience and audience["registered"] != bool(status):
            return False
        if audience.get("status") and audience["status"] != status:
            return False
        if audience.get("country") and audience["country"] not in (
                registration.get("location_country"), registration.get("citizenship")):
            return False
        if audience.get("city") and audience["city"].casefold() not in (
                registration.get("location_city") or "").casefold():
            return False
    return True


def audience_members(rt: Runtime, audience: dict,
                     batch: int = 1000) -> Iterator[tuple[str, str, bool]]:
    """(contact id, language, opted out) for everyone the filters select, in a stable order;
    opted out on the channel the broadcast would reach them by (their last one)."""
    for contact, lang in _selected(rt, audience, batch):
        yield contact.id, lang, contact.opted_out_on(contact.last_channel or "sms")


def _selected(rt: Runtime, audience: dict, batch: int = 1000) -> Iterator[tuple[Contact, str]]:
    """(contact, language) for everyone the filters select, numbers left encrypted."""
    if CORRECTION in audience:
        ids = corrections.sending_recipients(rt.redis, audience[CORRECTION])
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            for contact in rt.contacts.get_many(chunk, numbers=False):
                if contact is not None:
                    yield contact, contact.language or rt.settings.default_language
        return
    wants_registration = bool(REGISTRATION_FILTERS & set(audience))
    for chunk in rt.contacts.id_pages(batch):
        contacts = rt.contacts.get_many(chunk, numbers=False)
        registrations = rt.registrations.audience_fields(chunk) if wants_registration else {}
        for cid, contact in zip(chunk, contacts):
            contact = contact or Contact(cid)
            lang = contact.language or rt.settings.default_language
            if matches(audience, lang, contact.last_channel, registrations.get(cid),
                       contact.subscriptions):
                yield contact, lang


def reach(rt: Runtime, contact_ids: list[str],
          batch: int = 1000) -> Iterator[tuple[str, str, str, bool]]:
    """(contact id, language, last channel, opted out) of the given contacts, in their order;
    those without a contact record (erased) are left out."""
    for start in range(0, len(contact_ids), batch):
        chunk = contact_ids[start:start + batch]
        for cid, contact in zip(chunk, rt.contacts.get_many(chunk, numbers=False)):
            if contact is not None:
                channel = contact.last_channel or "sms"
                yield (cid, contact.language or rt.settings.default_language, channel,
                       contact.opted_out_on(channel))


def dry_run(rt: Runtime, bc: Broadcast) -> dict:
    """How many would receive it, by language, how many opted out, and what it would cost
    (`costs.Estimate`: each message classed on the route it would take); sends nothing."""
    by_language, opted_out = Counter(), 0
    estimate = costs.Estimate(rt, bc)
    for contact, lang in _selected(rt, bc.audience):
        if contact.opted_out_on(contact.last_channel or "sms"):
            opted_out += 1
        else:
            by_language[lang] += 1
            estimate.add(contact, lang)
    return {"audience": sum(by_language.values()), "opted_out": opted_out,
            "by_language": dict(by_language), "samples": bc.texts,
            "estimated_cost": estimate.as_dict()}
