"""Sending messages through Twilio: one contact's messages leave in order, never to an opt-out.

Every outbound message is a record first (so nothing is lost and a retried job finds it), then
an entry in the contact's outbox, which an RQ worker drains in order; RQ's declared retries
(`SEND_RETRY`) try a transient failure again. The call to Twilio, the lookup of an attempt whose
answer was lost and the reading of Twilio's errors are `delivery`'s, shared with broadcasts.

May import: core, contacts, messaging (delivery, routing, messages, serial), runtime.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from rq import Retry

from hotline import metrics
from hotline.contacts import Contact
from hotline.messaging import billing, deadletters, delivery, routing
from hotline.messaging.channels import channel_of
from hotline.messaging.messages import Outbound
from hotline.messaging.serial import SerialQueue
from hotline.runtime import OUTBOUND_QUEUE, Runtime

log = logging.getLogger(__name__)

# Kinds a person receives even after opting out: the confirmation of STOP itself and of START.
COMPLIANCE = "compliance"
REPLY = "reply"
NOTICE = "notice"

SEND_RETRY = Retry(max=10, interval=[2, 5, 15, 30, 60, 120, 300, 600, 900, 1800])


def outbox(rt: Runtime) -> SerialQueue:
    return SerialQueue(rt.redis, "outbox")


def queue_message(rt: Runtime, contact_id: str, to: str, sender: str, body: str, kind: str,
                  out_id: str | None = None, content_sid: str | None = None,
                  delay: float = 0, hold: bool = False) -> str:
    """Record a message and queue it for sending; the same out_id is only ever queued once.

    With `content_sid` the message goes as that approved WhatsApp template, `body` as its
    variable (outside WhatsApp's 24-hour window). With `delay`, it joins the outbox only after
    that many seconds (a send tried again after a passing failure): recorded now, so nothing is
    lost, queued then (`release`). With `hold`, it is only recorded (a dead letter's copy,
    queued by a supervisor's retry).
    """
    out_id = out_id or uuid.uuid4().hex
    created = rt.messages.create_outbound(
        Outbound(id=out_id, contact_id=contact_id, to=to, sender=sender, body=body, kind=kind,
                 content_sid=content_sid)
    )
    if hold:
        return out_id
    if created and delay > 0:
        rt.queue(OUTBOUND_QUEUE).enqueue_in(timedelta(seconds=delay),
                                            "hotline.jobs.release_outbound", contact_id, out_id,
                                            retry=SEND_RETRY)
        return out_id
    if created:
        outbox(rt).push(contact_id, out_id)
    schedule(rt, contact_id)
    return out_id


def release(rt: Runtime, contact_id: str, out_id: str) -> bool:
    """A delayed message's time has come: into the outbox, once."""
    if not rt.messages.claim_release(out_id):
        return False
    outbox(rt).push(contact_id, out_id)
    schedule(rt, contact_id)
    return True


def queue_to_contact(rt: Runtime, contact: Contact, body: str, kind: str,
                     out_id: str | None = None, channel: str | None = None,
                     number: str | None = None, route: routing.Route | None = None) -> str:
    """Queue a message the hotline starts (not a reply) on the route `routing.choose` picks
    (or `route`, already chosen); raises routing.NoRoute when the person cannot be written to
    now."""
    route = route or routing.choose(contact, rt.settings.hotline_numbers,
                                    rt.settings.whatsapp_content_sid, channel=channel,
                                    number=number)
    return queue_message(rt, contact.id, to=route.to, sender=route.sender, body=body, kind=kind,
                         out_id=out_id, content_sid=route.content_sid)


def callbacks_early(rt: Runtime, twilio_sid: str) -> None:
    """Status callbacks that came before our record knew `twilio_sid` (untagged ones): applied
    now; what a final failure calls for is a job of its own (`callbacks.act`, which queues
    through this module)."""
    for early in rt.messages.take_early(twilio_sid):
        update = rt.messages.record_delivery(twilio_sid, early["status"], early.get("error_code"))
        if update is not None and update.newly_final:
            rt.queue(OUTBOUND_QUEUE).enqueue("hotline.jobs.act_on_delivery", update.out_id,
                                             update.status, update.previous, update.error_code,
                                             retry=SEND_RETRY)


def send_around_line(rt: Runtime, notice_id: str, waiting_id: str) -> str:
    """Send a notice that a message still in the outbox (`waiting_id`) is coming, outside the
    person's line: the line may be held by a killed worker, and the notice would only wait
    behind the very message it announces. Not sent once that message has left (it would come
    after the answer it announces); never to someone who opted out (`send_one`)."""
    waiting = rt.messages.load_outbound(waiting_id)
    if waiting is not None and (waiting.twilio_sid or waiting.status not in ("pending",
                                                                            "sending")):
        rt.messages.mark_outbound(notice_id, "canceled", reason="answered")
        return "canceled"
    return send_one(rt, notice_id)


def record_billing(rt: Runtime, msg: Outbound) -> None:
    """Note on the record what Twilio will bill for the message: its class (SMS segments and
    encoding, WhatsApp category) and its cost at the operator's prices (none: unknown)."""
    s = rt.settings
    bclass = billing.classify(msg.to, msg.body, msg.content_sid, s.whatsapp_template_category)
    try:
        price = billing.cost(bclass, billing.Prices.parse(s.message_prices, s.price_currency))
    except billing.PriceError as exc:
        # The message is sent: a misread price must not undo that; its cost stays unknown.
        log.error("HOTLINE_MESSAGE_PRICES unreadable (%s); cost of %s unknown", exc, msg.id)
        price = None
    rt.messages.set_billing(msg.id, {**bclass.as_fields(),
                                     "bill_cost": "" if price is None else str(price),
                                     "bill_currency": s.price_currency})


# The lines queued to while a worker answers a person's messages, when that worker sends the
# answers itself right after (`hotline.jobs.drain_inbox`); None otherwise.
_SENT_BY_CALLER: ContextVar[set[str] | None] = ContextVar("sent_by_caller", default=None)


@contextmanager
def sent_by_caller() -> Iterator[set[str]]:
    """Within it, `schedule` queues no outbound job but notes the line: the caller sends those
    lines when the block ends, and queues a job only for what it could not send.

    One job per message raced the worker that had just decided the answer: the job found the
    line sent or locked, at the cost of an RQ job's forty Redis commands and a worker's time
    under load (bench/inbound_latency.py's CPU table). A worker killed before sending leaves
    its line active with the message in it: the sweeper queues its job at its next round."""
    lines: set[str] = set()
    token = _SENT_BY_CALLER.set(lines)
    try:
        yield lines
    finally:
        _SENT_BY_CALLER.reset(token)


def schedule(rt: Runtime, contact_id: str) -> None:
    lines = _SENT_BY_CALLER.get()
    if lines is not None:
        lines.add(contact_id)
        return
    rt.queue(OUTBOUND_QUEUE).enqueue(
        "hotline.jobs.drain_outbox", contact_id, retry=SEND_RETRY, job_timeout=600
    )


def drain(rt: Runtime, contact_id: str) -> int:
    # A message that keeps failing is set aside for a supervisor (dead letters): the person's
    # next messages are not held behind it for ever.
    s = rt.settings
    return outbox(rt).drain(contact_id, deadletters.guard(
        rt.redis, "outbox", contact_id, lambda out_id: send_one(rt, out_id),
        attempts=s.dead_letter_attempts, transient_seconds=s.dead_letter_transient_hours * 3600,
        dead="dead"))


def send_one(rt: Runtime, out_id: str) -> str:
    """Send one recorded message; returns its new status. Transient failures raise."""
    msg = rt.messages.load_outbound(out_id)
    if msg is None:
        log.error("outbound %s has no record; dropped from outbox", out_id)
        return "missing"
    if msg.status not in ("pending", "sending"):
        return msg.status  # already handled by an earlier attempt
    if msg.status == "sending" and msg.twilio_sid:
        # A previous attempt died after Twilio accepted it, and its tagged status callback
        # (`delivery.callback_url`) has told us which message that was.
        return msg.status
    if msg.status == "sending" and (earlier := delivery.accepted_earlier(
            rt, [msg.to], {msg.body}, msg.created_at, sender=msg.sender,
            taken=lambda sid: rt.messages.owner_of(sid) not in (None, out_id),
            template=bool(msg.content_sid))) is not None:
        # A previous attempt died between Twilio's answer and our record of it, before any
        # callback: the oldest unclaimed message with these words, queued ones included.
        rt.messages.mark_outbound(out_id, earlier.status or "queued", twilio_sid=earlier.sid)
        callbacks_early(rt, earlier.sid)
        rt.messages.append_transcript(msg.contact_id, "out", msg.body, sid=earlier.sid,
                                      kind=msg.kind)
        return earlier.status or "queued"
    if msg.kind != COMPLIANCE and rt.contacts.is_opted_out(msg.contact_id, channel_of(msg.to)):
        rt.messages.mark_outbound(out_id, "refused", reason="opted_out")
        log.info("outbound %s refused: contact %s opted out", out_id, msg.contact_id)
        return "refused"
    rt.messages.mark_outbound(out_id, "sending")
    try:
        created = delivery.create(rt, msg.contact_id, msg.to, msg.sender, msg.body,
                                  msg.content_sid, send_id=out_id)
    except delivery.SendRefused as exc:
        rt.messages.mark_outbound(out_id, "failed", error_code=exc.code)
        log.warning("outbound %s failed permanently: Twilio %s", out_id, exc.code)
        metrics.twilio_error(exc.code, "send")
        return "failed"
    status = created.status or "queued"
    rt.messages.mark_outbound(out_id, status, twilio_sid=created.sid)
    callbacks_early(rt, created.sid)
    rt.messages.append_transcript(msg.contact_id, "out", msg.body, sid=created.sid, kind=msg.kind)
    log.info("outbound %s accepted by Twilio as %s", out_id, created.sid)
    record_billing(rt, msg)
    metrics.message_sent(msg.to, msg.kind, rt.contacts.language(msg.contact_id))
    return status
