"""Notifications only to numbers that confirmed (H1): a registrant who names another phone gets
a code sent there; news goes to that phone only after it answers with the code from it; until
then, to the registrant. The other phone is its own contact: its STOP and a carrier's 21610 for
it stop messages to it, never to the registrant."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from hotline import erasure
from hotline.errors import AssistantUnavailable
from hotline.messaging import delivery, inbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.registration import destinations, notify
from support import SMS_NUMBER
from support.people import values

REGISTRANT, OTHER, STRANGER = "+5215512340001", "+5215598760002", "+5215544440003"
# News the hotline starts goes by SMS to the canonical form (+52, not WhatsApp's +52 1).
REGISTRANT_SMS, OTHER_SMS = "+525512340001", "+525598760002"


def write(rt, number: str, body: str, sid: str) -> list[str]:
    cid = rt.contacts.touch_inbound(parse_address(number))
    rt.messages.save_inbound(Inbound(sid, cid, "sms", number, SMS_NUMBER, body, 0, time.time()),
                             3600)
    inbound.handle(rt, sid)
    return [r["text"] for r in rt.messages.load_inbound(sid).replies or []]


def queued_to(rt, out_id: str):
    msg = rt.messages.load_outbound(out_id)
    return (msg.to, msg.contact_id) if msg else None


@pytest.fixture
def registered(rt, monkeypatch):
    cid = rt.contacts.touch_inbound(parse_address(REGISTRANT))
    reg = rt.registrations.create(values(phone=OTHER), cid, "sms", "es")
    codes = []
    real = destinations.Destinations.request

    def keep(self, reference, destination):
        codes.append(real(self, reference, destination))
        return codes[-1]

    monkeypatch.setattr(destinations.Destinations, "request", keep)
    out_id = notify.request_confirmation(rt, reg)
    return reg, cid, codes, out_id


def status(rt, reg, n: int) -> str | None:
    return notify.status_changed(rt, reg.reference, "information_needed",
                                 {"what": f"papel {n}"}, actor="org:test")["message_id"]


def test_a_code_goes_to_the_other_phone_as_its_own_contact(rt, registered):
    reg, cid, codes, out_id = registered
    other_cid = rt.contacts.id_for(parse_address(OTHER))
    assert queued_to(rt, out_id) == (OTHER, other_cid)
    assert codes[0] in rt.messages.load_outbound(out_id).body
    assert codes[0] not in rt.redis.get(f"hl:dest:pending:{other_cid}")  # only its keyed hash


def test_news_goes_to_the_registrant_until_the_other_phone_confirms(rt, registered):
    reg, cid, codes, _ = registered
    assert queued_to(rt, status(rt, reg, 1)) == (REGISTRANT_SMS, cid)
    # Not with a wrong code (a stranger cannot at all: see the next test).
    wrong = f"{(int(codes[0]) + 1) % 10**6:06d}"
    assert write(rt, OTHER, wrong, "SM" + "2" * 32) == [rt.catalogs.text("dest_confirm.wrong",
                                                                         "es")]
    assert queued_to(rt, status(rt, reg, 2)) == (REGISTRANT_SMS, cid)
    assert write(rt, OTHER, f"Código: {codes[0][:3]} {codes[0][3:]}", "SM" + "3" * 32) == [
        rt.catalogs.text("dest_confirm.ok", "es")]
    other_cid = rt.contacts.id_for(parse_address(OTHER))
    assert queued_to(rt, status(rt, reg, 3)) == (OTHER_SMS, other_cid)
    assert "other_phone_confirmed" in [e["action"]
                                       for e in rt.registrations.audit_trail(reg.reference)]


def test_the_code_only_works_from_the_phone_it_was_sent_to(rt, registered):
    from hotline.messaging.assistant import Assistant

    reg, cid, codes, _ = registered
    rt.assistant = Assistant("http://127.0.0.1:9", "http://127.0.0.1:9", timeout=0.1)
    with pytest.raises(AssistantUnavailable):  # no code waits for them: on to the assistant
        write(rt, STRANGER, codes[0], "SM" + "4" * 32)
    assert destinations.Destinations(rt.redis, rt.vault).confirmed(reg.reference) is None


def test_too_many_wrong_codes_drop_it(rt, registered):
    reg, _, codes, _ = registered
    wrong = f"{(int(codes[0]) + 1) % 10**6:06d}"
    for n in range(destinations.TRIES):
        write(rt, OTHER, wrong, f"SM{n:032d}")
    places = destinations.Destinations(rt.redis, rt.vault)
    assert places.pending(rt.contacts.id_for(parse_address(OTHER))) is None
    assert places.confirm(rt.contacts.id_for(parse_address(OTHER)), codes[0]) is None


def test_the_other_phones_stop_is_its_own(rt, registered):
    reg, cid, codes, _ = registered
    write(rt, OTHER, codes[0], "SM" + "5" * 32)
    write(rt, OTHER, "STOP", "SM" + "6" * 32)
    other_cid = rt.contacts.id_for(parse_address(OTHER))
    assert rt.contacts.is_opted_out(other_cid) and not rt.contacts.is_opted_out(cid)
    assert status(rt, reg, 4) is None  # not sent to a phone that said STOP
    assert "not_notified" in [e["action"] for e in rt.registrations.audit_trail(reg.reference)]


def test_a_carrier_block_for_the_other_phone_never_opts_out_the_registrant(rt, registered):
    reg, cid, codes, _ = registered
    write(rt, OTHER, codes[0], "SM" + "7" * 32)
    out_id = status(rt, reg, 5)
    msg = rt.messages.load_outbound(out_id)
    other_cid = rt.contacts.id_for(parse_address(OTHER))
    assert msg.contact_id == other_cid  # failures of this message are the other phone's
    # What the send path does with a 21610 for this message (messaging.delivery).
    delivery.mark_permanent_failure(rt, msg.contact_id, 21610)
    assert rt.contacts.is_opted_out(other_cid) and not rt.contacts.is_opted_out(cid)


def test_erasure_forgets_the_confirmation_and_a_waiting_code(rt, registered):
    reg, cid, codes, _ = registered
    other_cid = rt.contacts.id_for(parse_address(OTHER))
    write(rt, OTHER, codes[0], "SM" + "8" * 32)
    assert rt.redis.keys("hl:dest:ok:*")
    erasure.erase(rt, cid)  # the registrant: their registration's confirmation goes
    assert not rt.redis.keys("hl:dest:ok:*")
    notify.request_confirmation(rt, rt.registrations.create(values(phone=OTHER), cid, "sms",
                                                            "es"))
    assert rt.redis.keys("hl:dest:pending:*")
    erasure.erase(rt, other_cid)  # the other phone: the code waiting for it goes
    assert not rt.redis.keys("hl:dest:*")


@pytest.mark.parametrize("text", [
    "", " ", "12345", "1234567", "123 4567", "١٢٣٤٥٦", "１２３４５６", "123456" + "x" * 50,
    "mi código es 123456 y mi A-number 012345678", "\x00123456", "12345６",
])
def test_malformed_codes_are_not_codes(text):
    assert destinations.read_code(text) is None


def test_a_status_without_another_phone_is_unchanged(rt):
    cid = rt.contacts.touch_inbound(parse_address(REGISTRANT))
    reg = rt.registrations.create(values(phone=REGISTRANT), cid, "sms", "es")
    assert notify.request_confirmation(rt, reg) is None
    assert queued_to(rt, status(rt, reg, 6)) == (REGISTRANT_SMS, cid)


def test_an_appointment_waits_for_the_confirmation_too(rt, registered):
    reg, cid, codes, _ = registered
    result = notify.status_changed(rt, reg.reference, notify.APPOINTMENT, {
        "place": "Oficina", "date": (date.today() + timedelta(days=3)).isoformat(),
        "time": "10:00"}, actor="org:test")
    assert queued_to(rt, result["message_id"]) == (REGISTRANT_SMS, cid)
