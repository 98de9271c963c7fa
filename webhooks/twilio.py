"""Twilio's webhooks: inbound messages (SMS and WhatsApp alike) and delivery status callbacks.

The views only validate, store, schedule and answer: Twilio gives a webhook 15 seconds, and an
assistant turn must never sit inside that.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, abort, request

from hotline import metrics
from hotline.messaging import inbound
from hotline.messaging.channels import InvalidAddress, parse_address
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
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid or not form.get("From") or not form.get("To") or "Body" not in form:
        abort(400, "MessageSid, From, To and Body are required")
    try:
        sender = parse_address(form["From"])
        parse_address(form["To"])
        num_media = int(form.get("NumMedia") or 0)
    except (InvalidAddress, ValueError):
        abort(400, "From/To must be phone addresses and NumMedia a number")

    rt = runtime()
    contact_id = rt.contacts.touch_inbound(sender)
    fresh = inbound.accept(rt, Inbound(
        sid=sid, contact_id=contact_id, channel=sender.channel, sender=form["From"],
        to=form["To"], body=form["Body"], num_media=num_media, received_at=time.time(),
    ))
    log.info("inbound %s from %s %s", sid, contact_id, "queued" if fresh else "repeated")
    return _twiml()


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
    out_id = rt.messages.record_delivery(sid, state.lower(), error)
    if out_id is None and not bc_report.record_delivery(rt, sid, state.lower(), error):
        # Not ours (or expired): answering 4xx would only make Twilio retry.
        log.info("status %s for unknown message %s", state, sid)
    return Response(status=204)
