"""Twilio's webhooks: inbound messages (SMS and WhatsApp alike) and delivery status callbacks.

The views only validate, store, schedule and answer: Twilio gives a webhook 15 seconds, and an
assistant turn must never sit inside that.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, abort, request

from hotline import metrics, replication
from hotline.contacts import Sender
from hotline.messaging import callbacks, inbound
from hotline.messaging import payload as twilio_payload
from hotline.messaging.messages import Inbound
from hotline.outreach import report as bc_report

from .context import runtime
from .security import twilio_signed

log = logging.getLogger(__name__)
bp = Blueprint("twilio", __name__, url_prefix="/twilio")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def _twiml() -> Response:
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post("/messages")
@twilio_signed
def messages():
    try:
        payload = twilio_payload.parse(request.form)
    except twilio_payload.PayloadError as exc:
        abort(400, str(exc))
    rt = runtime()
    to = twilio_payload.own_number(payload, rt.settings.hotline_numbers)
    if to is None:
        # Signed by our account but written to a number this hotline does not answer (another
        # service on the account, or a misconfigured webhook): answering would send from a
        # number that is not ours. The log names neither number nor text, only a hash.
        log.warning("inbound %s refused: To %s is not a hotline number", payload.sid,
                    rt.vault.pseudonym(payload.to_number, prefix="n"))
        abort(421, "To is not a number of this hotline")
    contact_id = sender_contact(rt, payload)
    fresh = inbound.accept(rt, Inbound(
        sid=payload.sid, contact_id=contact_id, channel=payload.channel, sender=payload.sender,
        to=to, body=payload.text, num_media=payload.declared_media, received_at=time.time(),
        media=[{"url": m.url, "content_type": m.content_type} for m in payload.media],
        location=payload.location.as_dict() if payload.location else None,
        opt_out=payload.opt_out,
    ))
    # Twilio will not send it again after our 200: on a replica too before we answer (a
    # failover losing it would lose the message; a Redis error here answers 5xx, Twilio retries).
    replication.acknowledge(rt.redis)
    log.info("inbound %s from %s %s", payload.sid, contact_id, "queued" if fresh else "repeated")
    return _twiml()


def sender_contact(rt, payload: twilio_payload.InboundPayload) -> str:
    """The one place a sender becomes a contact id: their phone number and/or their WhatsApp
    user id, through the contact store's identities (both given: both lead to one person)."""
    return rt.contacts.touch_inbound(Sender(payload.channel, number=payload.number,
                                            user_id=payload.scoped_id))


@bp.post("/status")
@twilio_signed
def status():
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    state = form.get("MessageStatus") or form.get("SmsStatus")
    if not sid or not state:
        abort(400, "MessageSid and MessageStatus are required")
    rt = runtime()
    error = form.get("ErrorCode") or None
    if error:
        metrics.twilio_error(error, "delivery")
    if error and not (error.isascii() and error.isdigit()):
        log.warning("status %s for %s with a malformed ErrorCode: code ignored", state, sid)
        error = None
    # Our own id for the send, from the callback URL we gave Twilio (delivery.callback_url).
    send_id = request.args.get("send") or None
    update = callbacks.on_status(rt, sid, state.lower(), error, send_id)
    if update is None and not bc_report.record_delivery(rt, sid, state.lower(), error, send_id):
        # Not known yet (its record learns the SID a moment later) or not ours: kept a while
        # and applied if a record learns this SID. Answering 4xx would only make Twilio retry.
        callbacks.buffer(rt, sid, state.lower(), error)
        log.info("status %s for unknown message %s: kept", state, sid)
    return Response(status=204)
