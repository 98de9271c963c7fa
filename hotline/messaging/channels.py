"""SMS and WhatsApp are data, not code paths: an address is a number plus a channel.

Twilio writes WhatsApp addresses as ``whatsapp:+E164`` and SMS ones as plain ``+E164``.

>>> parse_address("whatsapp:+5215512345678")
Address(channel='whatsapp', number='+5215512345678')
>>> parse_address(" +1 (555) 010-2030 ").twilio
'+15550102030'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.messaging import phones

SMS = "sms"
WHATSAPP = "whatsapp"
_PREFIX = "whatsapp:"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class InvalidAddress(ValueError):
    """Not a phone address Twilio could have sent."""


@dataclass(frozen=True)
class Address:
    channel: str
    number: str

    @property
    def twilio(self) -> str:
        """The form Twilio expects in To/From."""
        return f"{_PREFIX}{self.number}" if self.channel == WHATSAPP else self.number

    def on_channel(self, channel: str) -> Address:
        return Address(channel, self.number)


def channel_of(twilio_address: str) -> str:
    """The channel of a Twilio To/From value, whatever follows the prefix.

    >>> channel_of("whatsapp:US.1234"), channel_of("WhatsApp:+5215512345678"), channel_of("+1555")
    ('whatsapp', 'whatsapp', 'sms')
    """
    return WHATSAPP if (twilio_address or "").strip().lower().startswith(_PREFIX) else SMS


def parse_address(raw: str) -> Address:
    """Parse a Twilio From/To value into channel and E.164 number."""
    value = (raw or "").strip()
    channel = SMS
    if value.lower().startswith(_PREFIX):
        channel = WHATSAPP
        value = value[len(_PREFIX) :]
    number = re.sub(r"[\s().-]", "", value)
    if not _E164.match(number):
        raise InvalidAddress(f"not an E.164 address: {raw!r}")
    return Address(channel, number)


def sms_forms(twilio_address: str) -> tuple[str, ...]:
    """Every address a message to this one may have gone to: an SMS number in each form it has
    been written in (`phones.forms`, the canonical first), a WhatsApp address as it is.

    >>> sms_forms("+5215512345678"), sms_forms("whatsapp:+5215512345678")
    (('+525512345678', '+5215512345678'), ('whatsapp:+5215512345678',))
    """
    if channel_of(twilio_address) == SMS and _E164.match(twilio_address or ""):
        return phones.forms(twilio_address)
    return (twilio_address,)
