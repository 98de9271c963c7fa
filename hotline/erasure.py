"""Erasing a person when they ask: every store forgets them, through its own `forget`.

`erase` is the one use case (the action server calls it when a person confirms; anything else
that must erase someone calls it too). It owns no data of its own but the short-lived mark
`hl:erase:{contact_id}`, and builds no other store's keys. It may import every store: contacts,
content (what each person was told, corrections), messaging, registration, handoff,
outreach and the tracker's key (`rasa_ext.keys`, not Rasa).

Erasing during a conversation turn takes two steps. The turn that asked is still being
answered: Rasa saves its tracker again after the action ran, and the gateway records the turn
and queues the reply. So `erase(..., during_turn=True)` leaves a mark, and the gateway calls
`finish_erasure` once the turn is answered, which erases again what the turn itself wrote.
"""

from __future__ import annotations

import logging
import time

from hotline.content import corrections, told
from hotline.handoff import audit
from hotline.handoff import queue as escalations
from hotline.messaging import deadletters, flow, misunderstood, pins, turns
from hotline.outreach import receipts
from hotline.outreach import store as broadcasts
from hotline.registration import destinations, form_mark, notify
from hotline.runtime import Runtime
from rasa_ext import keys as tracker

log = logging.getLogger(__name__)

ERASE_MARK = "hl:erase:{}"
# Long enough for the turn that asked to be answered, even after an outage.
ERASE_MARK_TTL = 24 * 3600


def erase(rt: Runtime, contact_id: str, during_turn: bool = False) -> dict[str, int | None]:
    """Forget this person in every store; returns how many records each store dropped (None
    from a store that does not count them).

    `during_turn`: the request came in a conversation turn not answered yet; `finish_erasure`
    then runs this again once it is. Erasing someone already forgotten does nothing.
    """
    references = rt.registrations.forget(contact_id, actor="person")
    counts = {
        "registrations": len(references),
        # Work set aside for a supervisor names the person or their registrations.
        "dead_letters": deadletters.forget(rt.redis, [contact_id, *references]),
        "reminders": notify.forget_reminders(rt.redis, references),
        # A code waiting for this phone; the other phones their registrations named.
        "other_phones": destinations.Destinations(rt.redis, rt.vault).forget(contact_id,
                                                                             references),
        "messages": rt.messages.forget(contact_id),
        "escalation": escalations.forget(rt.redis, contact_id),
        # The audit log keeps what operators did, without naming the person (handoff.audit).
        "audit_entries": audit.forget(rt.redis, contact_id),
        "broadcast_receipts": receipts.forget(rt.redis, contact_id),
        "broadcast_recipients": broadcasts.forget_recipient(rt.redis, contact_id),
        "form_mark": form_mark.forget(rt.redis, contact_id),
        "pin": pins.forget(rt.redis, contact_id),
        "told": told.forget(rt.redis, contact_id),
        "not_understood": misunderstood.forget(rt.redis, contact_id),
        "corrections": corrections.forget(rt.redis, contact_id),
        "tracker": tracker.forget(rt.redis, contact_id),
        "assistant_turns": turns.forget(rt.redis, contact_id),
        "pace": flow.forget(rt.redis, contact_id),
        "contact": rt.contacts.forget(contact_id),
    }
    # A scheduled appointment reminder names only the reference: with the registration gone it
    # finds nothing and sends nothing (notify.remind).
    if during_turn:
        rt.redis.set(ERASE_MARK.format(contact_id), 1, ex=ERASE_MARK_TTL)
    return counts


RETENTION_RAN = "hl:retention:ran"  # at most one retention pass an hour, whoever sweeps
RETENTION_EVERY = 3600


def retention(rt: Runtime, now: float | None = None, force: bool = False) -> dict[str, int]:
    """Erase people silent for `HOTLINE_RETENTION_DAYS` (default 365; 0 = never): their
    conversations and registrations go through `erase`, as if they had asked.

    Organizations are warned first: `HOTLINE_RETENTION_NOTICE_DAYS` (default 30) before, each
    registration of a person silent that long shows `erase_on` (the day) in the API's lists and
    records; a person who writes again is unmarked at the next pass. Run by the sweeper, at most
    once an hour.
    """
    days = rt.settings.retention_days
    counts = {"erased": 0, "marked": 0, "unmarked": 0}
    if days <= 0 or not (force or rt.redis.set(RETENTION_RAN, 1, nx=True, ex=RETENTION_EVERY)):
        return counts
    now = now or time.time()
    erase_before = now - days * 86400
    warn_before = erase_before + max(rt.settings.retention_notice_days, 0) * 86400
    for page in rt.contacts.id_pages():
        for contact in rt.contacts.get_many(page, numbers=False):
            if contact is None or contact.last_inbound_at is None:
                continue  # never wrote (a confirmed destination, a test): nothing to age
            last = contact.last_inbound_at
            if last < erase_before:
                erase(rt, contact.id)
                counts["erased"] += 1
                log.info("retention: erased %s, silent since %s", contact.id,
                         time.strftime("%Y-%m-%d", time.gmtime(last)))
            elif last < warn_before:
                day = time.strftime("%Y-%m-%d", time.gmtime(last + days * 86400))
                counts["marked"] += bool(rt.registrations.set_erase_on(contact.id, day))
            else:
                counts["unmarked"] += bool(rt.registrations.set_erase_on(contact.id, ""))
    return counts


def finish_erasure(rt: Runtime, contact_id: str) -> bool:
    """Once a turn is answered: if this person asked to be erased in it, erase again what the
    turn wrote (the tracker Rasa saved, the turn's records); True if they had asked."""
    if not rt.redis.delete(ERASE_MARK.format(contact_id)):
        return False
    counts = erase(rt, contact_id)
    log.info("finished erasing %s: %s", contact_id, counts)
    return True
