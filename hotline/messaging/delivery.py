"""Handing one message to Twilio: the one path every message the hotline sends goes through.

Owns the `create()` call (with the status callback), the waits between attempts made in the
same process, the lookup of a copy Twilio accepted from an attempt whose answer was lost, which
Twilio errors are worth another try, and what a permanent refusal says about the contact. Used
by the per-contact outbox (`messaging.outbound`) and by broadcasts (`outreach.sender`); they
differ only in what they record and in how they retry (RQ's declared retries for the outbox,
`waits` in the broadcast's threads).

May import: core (errors), messaging rules (sms, channels), and the runtime for type hints only.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterable
from datetime import timezone
from typing import TYPE_CHECKING

import requests
from twilio.base.exceptions import TwilioRestException

from hotline.errors import HotlineError, TransientSendError
from hotline.messaging import sms
from hotline.messaging.channels import channel_of, sms_forms

if TYPE_CHECKING:
    from hotline.runtime import Runtime

# Twilio errors that will not change on a retry; the contact is marked accordingly.
UNSUBSCRIBED = 21610
UNDELIVERABLE = {21211, 21612, 21614, 30006, 21635, 21408}

# An earlier attempt's copy is looked for from a minute before the message was recorded: our
# clock and Twilio's need not agree.
CLOCK_MARGIN_SECONDS = 60


class SendRefused(HotlineError):
    """Twilio refused this message for good (unsubscribed, invalid number...); `code` says why."""

    def __init__(self, code: int | str | None):
        super().__init__(f"Twilio refused the message: {code}")
        self.code = code


def is_transient(exc: TwilioRestException) -> bool:
    """Twilio errors worth another try later: rate limits and Twilio's own failures."""
    return exc.status == 429 or exc.status >= 500


def mark_permanent_failure(rt: Runtime, contact_id: str, code, channel: str | None = None) -> None:
    """What a permanent Twilio error says about the contact: unsubscribed (on `channel`, the
    one the message went by; None: every channel), or unreachable."""
    if code == UNSUBSCRIBED:
        rt.contacts.set_opted_out(contact_id, True, channel=channel)
    elif code in UNDELIVERABLE:
        rt.contacts.mark_undeliverable(contact_id, code)


def wire_body(to: str, body: str) -> str:
    """The words as Twilio gets them: by SMS folded to GSM-7 when that costs fewer segments,
    by WhatsApp as written. Records and transcripts keep the text as written.

    >>> wire_body("+5215512345678", "¿Qué día?") == sms.for_sms("¿Qué día?")
    True
    >>> wire_body("whatsapp:+5215512345678", "¿Qué día?")
    '¿Qué día?'
    """
    return body if to.lower().startswith("whatsapp:") else sms.for_sms(body)


def message_content(body: str, content_sid: str | None) -> dict:
    """Twilio's create() arguments for the words: free text, or an approved WhatsApp template
    carrying the text as its one variable.

    >>> message_content("hola", None)
    {'body': 'hola'}
    >>> message_content("hola", "HX1")
    {'content_sid': 'HX1', 'content_variables': '{"1": "hola"}'}
    """
    if content_sid:
        return {"content_sid": content_sid,
                "content_variables": json.dumps({"1": body}, ensure_ascii=False)}
    return {"body": body}


def callback_url(base: str, send_id: str | None) -> str:
    """The status callback URL, tagged with our own id for this send: Twilio calls it for
    exactly the message it accepted, so the callback itself says which record it belongs to
    (even before our record of Twilio's SID is written).

    >>> callback_url("https://h.example/twilio/status", "SMx-0")
    'https://h.example/twilio/status?send=SMx-0'
    """
    if not send_id:
        return base
    return base + ("&" if "?" in base else "?") + urllib.parse.urlencode({"send": send_id})


def create(rt: Runtime, contact_id: str, to: str, sender: str, body: str,
           content_sid: str | None = None, *, callback: bool = True, waits: Iterable[float] = (),
           pace: Callable[[], object] | None = None, send_id: str | None = None):
    """Hand one message to Twilio; returns Twilio's message (with `.sid` and `.status`).

    A transient refusal (rate limit, Twilio's 5xx, no answer) is tried again after each of
    `waits` seconds, then raises TransientSendError; `pace` is called before every attempt (a
    rate limiter). A permanent refusal marks the contact and raises SendRefused. `send_id`
    tags the status callback URL (`callback_url`).
    """
    params = {"to": to, "from_": sender, **message_content(wire_body(to, body), content_sid)}
    if callback and rt.settings.status_callback_url:
        params["status_callback"] = callback_url(rt.settings.status_callback_url, send_id)
    waits = iter(waits)
    while True:
        if pace is not None:
            pace()
        try:
            return _create_once(rt, contact_id, params)
        except TransientSendError:
            wait = next(waits, None)
            if wait is None:
                raise
            time.sleep(wait)


def _create_once(rt: Runtime, contact_id: str, params: dict):
    try:
        return rt.twilio.messages.create(**params)
    except TwilioRestException as exc:
        if is_transient(exc):
            raise TransientSendError(f"Twilio {exc.status}", code=exc.code,
                                     status=exc.status) from exc
        code = exc.code or exc.status
        mark_permanent_failure(rt, contact_id, code, channel=channel_of(params["to"]))
        raise SendRefused(code) from exc
    except requests.RequestException as exc:
        raise TransientSendError(f"Twilio unreachable: {exc.__class__.__name__}") from exc


def accepted_earlier(rt: Runtime, to: Iterable[str], bodies: Collection[str], created_at: float,
                     sender: str | None = None, taken: Callable[[str], bool] | None = None,
                     template: bool = False):
    """The message Twilio accepted from an attempt whose answer was lost, or None.

    Looks through the latest messages to each of `to` in turn (and from `sender`, when given)
    created since the record was made at `created_at`, whether sent or still queued (Twilio
    leaves DateSent empty until a message leaves its queue, so no DateSent filter), for one
    whose words are one of `bodies` (with `template`, the rendered template contains them) and
    that `taken` does not say belongs to another of our records (two identical replies a
    minute apart are two messages). The oldest such is the earliest attempt. A failed lookup raises
    TransientSendError: whether to send cannot be decided yet.
    """
    since = created_at - CLOCK_MARGIN_SECONDS
    sender_filter = {"from_": sender} if sender else {}
    # An SMS may have gone to either form of a Mexican mobile (hotline-started SMS go to the
    # canonical one since they are routed so; a reply goes to the form the person wrote from).
    for address in dict.fromkeys(form for given in to for form in sms_forms(given)):
        try:
            recent = rt.twilio.messages.list(to=address, limit=50, **sender_filter)
        except (TwilioRestException, requests.RequestException) as exc:
            raise TransientSendError(
                f"cannot check earlier attempt: {exc.__class__.__name__}") from exc
        sent_as = {form for body in bodies for form in (body, wire_body(address, body))}
        found = [m for m in recent
                 if _created(m) >= since and _same_words(m.body or "", sent_as, template)
                 and not (taken and taken(m.sid))]
        if found:
            return min(found, key=_created)
    return None


def _created(message) -> float:
    when = message.date_created
    if when is None:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _same_words(body: str, sent_as: set[str], template: bool) -> bool:
    # A template comes back rendered: our words are its variable, inside its text.
    return body in sent_as or (template and any(words and words in body for words in sent_as))
