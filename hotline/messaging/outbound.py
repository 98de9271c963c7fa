"""Sending messages through Twilio: one contact's messages leave in order, never to an opt-out.

Every outbound message is a record first (so nothing is lost and a retried job finds it), then
an entry in the contact's outbox, which an RQ worker drains in order.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timezone

import requests
from rq import Retry
from twilio.base.exceptions import TwilioRestException

from hotline.messaging import routing, sms
from hotline.contacts import Contact
from hotline.errors import TransientSendError
from hotline.messaging.messages import Outbound
from hotline.runtime import OUTBOUND_QUEUE, Runtime
from hotline.messaging.serial import SerialQueue

log = logging.getLogger(__name__)

# Kinds a person receives even after opting out: the confirmation of STOP itself and of START.
COMPLIANCE = "compliance"
REPLY = "reply"
NOTICE = "notice"

# Twilio errors that will not change on a retry; the contact is marked accordingly.
UNSUBSCRIBED = 21610
UNDELIVERABLE = {21211, 21612, 21614, 30006, 21635, 21408}

SEND_RETRY = Retry(max=10, interval=[2, 5, 15, 30, 60, 120, 300, 600, 900, 1800])


def is_transient(exc: TwilioRestException) -> bool:
    """Twilio errors worth another try later: rate limits and Twilio's own failures."""
    return exc.status == 429 or exc.status >= 500


def mark_permanent_failure(rt: Runtime, contact_id: str, code) -> None:
    """What a permanent Twilio error says about the contact: unsubscribed, or unreachable."""
    if code == UNSUBSCRIBED:
        rt.contacts.set_opted_out(contact_id, True)
    elif code in UNDELIVERABLE:
        rt.contacts.mark_undeliverable(contact_id, code)


def wire_body(to: str, body: str) -> str:
    """The words as Twilio gets them: by SMS folded to GSM-7 when that costs fewer segments,
    by WhatsApp as written. Records and transcripts keep the text as written."""
    return body if to.lower().startswith("whatsapp:") else sms.for_sms(body)


def message_content(body: str, content_sid: str | None) -> dict:
    """Twilio's create() arguments for the words: free text, or an approved WhatsApp template
    carrying the text as its one variable."""
    if content_sid:
        return {"content_sid": content_sid,
                "content_variables": json.dumps({"1": body}, ensure_ascii=False)}
    return {"body": body}


def outbox(rt: Runtime) -> SerialQueue:
    return SerialQueue(rt.redis, "outbox")


def queue_message(rt: Runtime, contact_id: str, to: str, sender: str, body: str, kind: str,
                  out_id: str | None = None, content_sid: str | None = None) -> str:
    """Record a message and queue it for sending; the same out_id is only ever queued once.

    With `content_sid` the message goes as that approved WhatsApp template, `body` as its
    variable (outside WhatsApp's 24-hour window).
    """
    out_id = out_id or uuid.uuid4().hex
    created = rt.messages.create_outbound(
        Outbound(id=out_id, contact_id=contact_id, to=to, sender=sender, body=body, kind=kind,
                 content_sid=content_sid)
    )
    if created:
        outbox(rt).push(contact_id, out_id)
    schedule(rt, contact_id)
    return out_id


def queue_to_contact(rt: Runtime, contact: Contact, body: str, kind: str,
                     out_id: str | None = None, channel: str | None = None,
                     number: str | None = None) -> str:
    """Queue a message the hotline starts (not a reply) on the route `routing.choose` picks;
    raises routing.NoRoute when the person cannot be written to now."""
    route = routing.choose(contact, rt.settings.hotline_numbers, rt.settings.whatsapp_content_sid,
                           channel=channel, number=number)
    return queue_message(rt, contact.id, to=route.to, sender=route.sender, body=body, kind=kind,
                         out_id=out_id, content_sid=route.content_sid)


def schedule(rt: Runtime, contact_id: str) -> None:
    rt.queue(OUTBOUND_QUEUE).enqueue(
        "hotline.jobs.drain_outbox", contact_id, retry=SEND_RETRY, job_timeout=600
    )


def drain(rt: Runtime, contact_id: str) -> int:
    return outbox(rt).drain(contact_id, lambda out_id: send_one(rt, out_id))


def _accepted_earlier(rt: Runtime, msg: Outbound):
    """The Twilio message an interrupted attempt created for this record, if any."""
    since = datetime.fromtimestamp(msg.created_at - 60, tz=timezone.utc)
    try:
        recent = rt.twilio.messages.list(to=msg.to, from_=msg.sender, date_sent_after=since,
                                         limit=50)
    except (TwilioRestException, requests.RequestException) as exc:
        raise TransientSendError(f"cannot check earlier attempt: {exc.__class__.__name__}") from exc
    sent_as = {msg.body, wire_body(msg.to, msg.body)}
    return next((m for m in recent if m.body in sent_as), None)


def send_one(rt: Runtime, out_id: str) -> str:
    """Send one recorded message; returns its new status. Transient failures raise."""
    msg = rt.messages.load_outbound(out_id)
    if msg is None:
        log.error("outbound %s has no record; dropped from outbox", out_id)
        return "missing"
    if msg.status not in ("pending", "sending"):
        return msg.status  # already handled by an earlier attempt
    if msg.status == "sending" and (earlier := _accepted_earlier(rt, msg)) is not None:
        # A previous attempt died between Twilio's answer and our record of it.
        rt.messages.mark_outbound(out_id, earlier.status or "queued", twilio_sid=earlier.sid)
        return earlier.status or "queued"
    if msg.kind != COMPLIANCE and rt.contacts.is_opted_out(msg.contact_id):
        rt.messages.mark_outbound(out_id, "refused", reason="opted_out")
        log.info("outbound %s refused: contact %s opted out", out_id, msg.contact_id)
        return "refused"
    rt.messages.mark_outbound(out_id, "sending")
    try:
        created = rt.twilio.messages.create(
            to=msg.to, from_=msg.sender, status_callback=rt.settings.status_callback_url,
            **message_content(wire_body(msg.to, msg.body), msg.content_sid),
        )
    except TwilioRestException as exc:
        if is_transient(exc):
            raise TransientSendError(f"Twilio {exc.status}", code=exc.code, status=exc.status)
        rt.messages.mark_outbound(out_id, "failed", error_code=exc.code or exc.status)
        mark_permanent_failure(rt, msg.contact_id, exc.code)
        log.warning("outbound %s failed permanently: Twilio %s", out_id, exc.code)
        return "failed"
    except requests.RequestException as exc:
        raise TransientSendError(f"Twilio unreachable: {exc.__class__.__name__}") from exc
    status = created.status or "queued"
    rt.messages.mark_outbound(out_id, status, twilio_sid=created.sid)
    rt.messages.append_transcript(msg.contact_id, "out", msg.body, sid=created.sid, kind=msg.kind)
    log.info("outbound %s accepted by Twilio as %s", out_id, created.sid)
    return status
