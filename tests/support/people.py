"""People the unit tests put in Redis directly: a conversation waiting for an operator, and a
registration's answers."""

from __future__ import annotations

from hotline.handoff import queue as escalations
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from support import SMS_NUMBER


def person(rt, number: str = "+5215512340000", text: str = "necesito ayuda") -> str:
    """A contact who wrote `text` and is waiting for an operator; returns their id."""
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_language(contact_id, "es", chosen=False)
    msg = Inbound(sid="SM" + number[-8:] + "0" * 24, contact_id=contact_id, channel="sms",
                  sender=number, to=SMS_NUMBER, body=text, num_media=0, received_at=0)
    rt.messages.save_inbound(msg, 60)
    escalations.escalate(rt.redis, contact_id, "asked", urgent=False, language="es")
    return contact_id


def values(**overrides) -> dict:
    """A complete registration's answers, as the form hands them to the store."""
    base = {"name": "Ana Lucia Perez", "birth_date": "1990-01-02", "citizenship": "HN",
            "a_number": "012345678", "case_situation": "pending", "enrolled": "2019-05",
            "location_country": "MX", "location_city": "Tijuana", "phone": "+5215512345678",
            "family": 1, "vulnerabilities": []}
    return base | overrides


def make(store, n=0, **overrides):
    """Registration number `n` (its own A-number and contact), stored."""
    return store.create(values(a_number=f"0{n:08d}", **overrides), f"c{n}", "sms", "es")
