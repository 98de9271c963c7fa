"""SMS goes to a number's canonical form: a contact first seen on WhatsApp as +52 1… (WhatsApp's
form of a Mexican mobile) gets SMS at +52…, which carriers route; WhatsApp keeps the address the
person used, and a reply goes back to exactly where the message came from."""

import time

from hotline.contacts import Contact
from hotline.messaging import delivery, outbound, routing
from hotline.messaging.channels import parse_address
from support import SMS_NUMBER, WHATSAPP_NUMBER, sandbox_records

NUMBERS = (SMS_NUMBER, WHATSAPP_NUMBER)
WA_FORM, SMS_FORM = "+5215512345633", "+525512345633"


def seen_on_whatsapp(**fields) -> Contact:
    return Contact("c1", number=WA_FORM, last_channel="whatsapp", sms_ok=True, **fields)


def test_an_sms_fallback_goes_to_the_canonical_number():
    route = routing.choose(seen_on_whatsapp(last_inbound_at=0), NUMBERS, None)
    assert (route.via, route.to, route.sender) == (routing.VIA_SMS_FALLBACK, SMS_FORM, SMS_NUMBER)


def test_an_sms_chosen_by_channel_goes_to_the_canonical_number():
    route = routing.choose(seen_on_whatsapp(last_inbound_at=time.time()), NUMBERS, None,
                           channel="sms")
    assert route.to == SMS_FORM


def test_whatsapp_keeps_the_form_the_person_wrote_from():
    inside = routing.choose(seen_on_whatsapp(last_inbound_at=time.time()), NUMBERS, None)
    assert inside.to == f"whatsapp:{WA_FORM}"
    template = routing.choose(seen_on_whatsapp(last_inbound_at=0), NUMBERS, "HX1")
    assert template.to == f"whatsapp:{WA_FORM}"


def test_numbers_that_are_not_mexican_mobiles_are_unchanged():
    for number in ("+19155550101", "+50499123456", "+525512345633"):
        contact = Contact("c2", number=number, last_channel="sms", sms_ok=True)
        assert routing.choose(contact, NUMBERS, None).to == number


def test_twilio_gets_the_canonical_number_for_a_whatsapp_contacts_sms(sandbox_rt):
    rt = sandbox_rt
    cid = rt.contacts.touch_inbound(parse_address(f"whatsapp:{WA_FORM}"))
    rt.contacts.allow_sms(cid)
    out_id = outbound.queue_to_contact(rt, rt.contacts.get(cid), "hola", outbound.NOTICE,
                                       channel="sms")
    outbound.drain(rt, cid)
    assert rt.messages.load_outbound(out_id).to == SMS_FORM
    assert [(r["to"], r["from"]) for r in sandbox_records(rt.redis)] == [(SMS_FORM, SMS_NUMBER)]


def test_a_message_sent_before_a_crash_is_found_under_either_form(sandbox_rt):
    # A record queued to the WhatsApp form by SMS (before this rule) is still recognised when
    # Twilio holds it under that form, and one sent to the canonical form as well.
    rt = sandbox_rt
    cid = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    out_id = outbound.queue_message(rt, cid, SMS_FORM, SMS_NUMBER, "una vez", outbound.REPLY)
    outbound.drain(rt, cid)
    sent = rt.messages.load_outbound(out_id)
    found = delivery.accepted_earlier(rt, [WA_FORM], {"una vez"}, sent.created_at)
    assert found is not None and found.sid == sent.twilio_sid
