"""What a delivery status callback means for a reply and for the person.

Twilio calls `/twilio/status` as a message moves (queued, sent, delivered, read) or fails. The
record's state moves forwards only (`MessageStore.record_delivery`, a compare-and-set on the
state's rank), and a final failure is acted on once, as Twilio documents each code:
- 21610 (the person replied STOP to Twilio; how it arrives through a Messaging Service) and the
  codes of a number that cannot receive (21614 not a mobile number, 30006 landline, ...): the
  contact is marked (`delivery.mark_permanent_failure`, the same as a refusal at create time);
- passing failures (30001 queue overflow, 30008 unknown, 30036 validity period, 63017/63018
  rate limits): the same words are sent again through the outbox after a growing wait, at
  most `send_failure_retries` times, then logged as given up (never silently);
- 63016 (WhatsApp's 24-hour window had closed): sent again the way a broadcast goes outside
  the window (`routing.choose`: the approved template, else SMS where the person allows it).
A callback whose record is not written yet (an attempt whose answer was lost, or not yet
stored) is buffered and applied when the record learns Twilio's SID
(`outbound.callbacks_early`, which leaves what it calls for to `act` in a job).

May import: core, contacts, messaging (deadletters, delivery, routing, messages, outbound),
runtime.
"""

from __future__ import annotations

import logging

from hotline.messaging import deadletters, delivery, routing
from hotline.messaging.channels import channel_of
from hotline.messaging.messages import Delivery
from hotline.messaging.outbound import queue_message, queue_to_contact
from hotline.runtime import Runtime

log = logging.getLogger(__name__)

# Twilio's codes for a failure that may pass (docs: errors/30001, 30008, 30036, 63017, 63018).
PASSING = {30001, 30008, 30036, 63017, 63018}
OUTSIDE_WINDOW = 63016  # WhatsApp: "outside the allowed window", use a template
# Codes that say something about the person or their number, whenever they arrive.
MARKS_CONTACT = {delivery.UNSUBSCRIBED, *delivery.UNDELIVERABLE}


def on_status(rt: Runtime, twilio_sid: str, status: str, error_code: str | None,
              send_id: str | None = None) -> Delivery | None:
    """Apply one status callback to our record and act on what it says; None when no reply
    record of ours knows it (a broadcast's, or one whose record comes later: see `buffer`)."""
    update = rt.messages.record_delivery(twilio_sid, status, error_code, send_id)
    if update is not None:
        act(rt, update)
    return update


def buffer(rt: Runtime, twilio_sid: str, status: str, error_code: str | None) -> None:
    """A callback nobody knows yet: kept until the record learns this SID
    (`outbound.callbacks_early`)."""
    rt.messages.buffer_early(twilio_sid, status, error_code)


def _code(error_code) -> int | None:
    try:
        return int(error_code) if error_code not in (None, "") else None
    except (TypeError, ValueError):
        return None


def act(rt: Runtime, update: Delivery) -> None:
    """Once per record, when it first reaches a final failure."""
    code = _code(update.error_code)
    if not update.newly_final or update.status not in ("failed", "undelivered") or code is None:
        return
    msg = rt.messages.load_outbound(update.out_id)
    if msg is None:
        return
    if code in MARKS_CONTACT:
        # 21610 opts them out on the channel this message went by (as at create time).
        delivery.mark_permanent_failure(rt, msg.contact_id, code, channel=channel_of(msg.to))
        log.info("outbound %s failed with %s: contact %s marked", msg.id, code, msg.contact_id)
    elif code in PASSING:
        _send_again(rt, msg, code)
    elif code == OUTSIDE_WINDOW:
        _outside_window(rt, msg)
    else:
        log.warning("outbound %s failed for good: Twilio %s", msg.id, code)


def _send_again(rt: Runtime, msg, code: int) -> None:
    attempt = _attempt(msg.id) + 1
    if attempt > rt.settings.send_failure_retries:
        _give_up(rt, msg, code, attempt)
        return
    delay = rt.settings.send_failure_backoff_seconds * 2 ** (attempt - 1)
    retry_id = f"{_root(msg.id)}~r{attempt}"
    queue_message(rt, msg.contact_id, to=msg.to, sender=msg.sender, body=msg.body,
                  kind=msg.kind, out_id=retry_id, content_sid=msg.content_sid, delay=delay)
    rt.messages.set_outbound_fields(msg.id, retried_as=retry_id)
    log.info("outbound %s failed with %s: sent again as %s in %.0f s", msg.id, code, retry_id,
             delay)


def _give_up(rt: Runtime, msg, code, attempts: int) -> None:
    """Nothing more the hotline can do by itself: a copy waits, recorded but not queued, in
    the supervisors' dead letters, whose retry button puts it in the person's outbox."""
    copy_id = f"{_root(msg.id)}~d"
    queue_message(rt, msg.contact_id, to=msg.to, sender=msg.sender, body=msg.body,
                  kind=msg.kind, out_id=copy_id, content_sid=msg.content_sid, hold=True)
    rt.messages.set_outbound_fields(msg.id, gave_up=code)
    deadletters.add(rt.redis, deadletters.LINE, f"Twilio {code}: not delivered", attempts,
                    contact_id=msg.contact_id, line="outbox", item=copy_id)


def _outside_window(rt: Runtime, msg) -> None:
    """The free-form WhatsApp reply came too late: a template, or SMS, as broadcasts do."""
    contact = rt.contacts.get(msg.contact_id)
    retry_id = f"{_root(msg.id)}~w"
    if contact is None:
        log.warning("outbound %s outside WhatsApp's window and no contact: not sent", msg.id)
        return
    # The window is closed whatever our clock said: choose as if it were long past.
    last = contact.last_inbound_at or 0
    try:
        route = routing.choose(contact, rt.settings.hotline_numbers,
                               rt.settings.whatsapp_content_sid, channel="whatsapp",
                               now=last + routing.WHATSAPP_WINDOW_SECONDS + 1)
    except routing.NoRoute as exc:
        # Only the person can open the window again (by writing); noted, not retried.
        rt.messages.set_outbound_fields(msg.id, gave_up=f"{OUTSIDE_WINDOW}:{exc.reason}")
        log.error("outbound %s outside WhatsApp's window, no other way to %s (%s)", msg.id,
                  msg.contact_id, exc.reason)
        return
    if route.via == routing.VIA_SESSION:  # cannot happen with the window closed; be safe
        return
    queue_to_contact(rt, contact, msg.body, msg.kind, out_id=retry_id, channel="whatsapp",
                     route=route)
    rt.messages.set_outbound_fields(msg.id, retried_as=retry_id)
    log.info("outbound %s outside WhatsApp's window: sent again as %s (%s)", msg.id, retry_id,
             route.via)


def _root(out_id: str) -> str:
    return out_id.split("~", 1)[0]


def _attempt(out_id: str) -> int:
    _, _, tail = out_id.partition("~r")
    return int(tail) if tail.isdigit() else 0
