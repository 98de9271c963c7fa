"""Which number, channel and form a message the hotline starts (not a reply) goes out by.

WhatsApp lets a business write freely only within 24 hours of the person's last message; after
that only a pre-approved template (a Content SID) may be sent. Outside the window we use the
configured template, or SMS where the person has used or chosen SMS, or we do not send, and
the choice is recorded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from hotline.contacts import Contact
from hotline.messaging import phones
from hotline.messaging.channels import parse_address

WHATSAPP_WINDOW_SECONDS = 24 * 3600
VIA_SESSION = "session"  # free text: SMS, or WhatsApp inside the window
VIA_TEMPLATE = "template"
VIA_SMS_FALLBACK = "sms_fallback"


@dataclass(frozen=True)
class Route:
    to: str
    sender: str
    via: str
    content_sid: str | None = None


class NoRoute(Exception):
    """The message cannot be sent to this person now; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def hotline_number(numbers: tuple[str, ...], channel: str) -> str | None:
    """Our number for a channel ('+1500…' for sms, 'whatsapp:+1415…' for whatsapp)."""
    for number in numbers:
        if parse_address(number).channel == channel:
            return number
    return None


def choose(contact: Contact, numbers: tuple[str, ...], content_sid: str | None,
           channel: str | None = None, number: str | None = None,
           now: float | None = None) -> Route:
    """The route for a message to this contact (optionally to a chosen channel/number).

    Opting out is per channel: a STOP by SMS leaves WhatsApp open, and the SMS fallback is
    never taken to someone who stopped SMS.
    """
    channel = channel or contact.last_channel or "sms"
    if contact.opted_out_on(channel):
        raise NoRoute("opted_out")
    if contact.undeliverable:
        raise NoRoute("undeliverable")
    number = number or contact.number
    if not number:
        raise NoRoute("no_number")
    sms_from = hotline_number(numbers, "sms")
    if channel == "whatsapp":
        wa_from = hotline_number(numbers, "whatsapp")
        last = contact.last_inbound_at or 0
        inside = (now or time.time()) - last < WHATSAPP_WINDOW_SECONDS
        if wa_from and inside:
            return Route(f"whatsapp:{number}", wa_from, VIA_SESSION)
        if wa_from and content_sid:
            return Route(f"whatsapp:{number}", wa_from, VIA_TEMPLATE, content_sid)
        if sms_from and contact.sms_ok and not contact.opted_out_on("sms"):
            return Route(phones.canonical(number), sms_from, VIA_SMS_FALLBACK)
        raise NoRoute("whatsapp_window")
    if not sms_from:
        raise NoRoute("no_sms_number")
    # SMS goes to the number's one form: a contact first seen on WhatsApp is stored as
    # WhatsApp wrote them (+52 1…), a form Mexican carriers no longer route. WhatsApp keeps
    # the address the person used.
    return Route(phones.canonical(number), sms_from, VIA_SESSION)
