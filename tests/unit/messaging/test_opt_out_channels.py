"""Opting out is per channel: STOP by SMS silences SMS, not WhatsApp, unless the person asks
("STOP ALL"); every sending path checks the channel it sends by."""

import contextlib
import time
from dataclasses import replace

import pytest

from hotline.contacts import Contact
from hotline.errors import AssistantUnavailable
from hotline.messaging import inbound, outbound, routing
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from support import SMS_NUMBER, WHATSAPP_NUMBER, sandbox_records

SMS_FORM, WA_FORM = "+525512345611", "+5215512345611"  # one handset, as each channel writes it


def write(rt, channel: str, body: str, n: int) -> tuple[str, Inbound]:
    sender = f"whatsapp:{WA_FORM}" if channel == "whatsapp" else SMS_FORM
    cid = rt.contacts.touch_inbound(parse_address(sender))
    msg = Inbound(f"SM{n:032d}", cid, channel, sender,
                  WHATSAPP_NUMBER if channel == "whatsapp" else SMS_NUMBER, body, 0, time.time())
    rt.messages.save_inbound(msg, 60)
    # Not a keyword: it goes to the assistant, which the unit tests do not run.
    with contextlib.suppress(AssistantUnavailable):
        inbound.handle(rt, msg.sid)
    return cid, rt.messages.load_inbound(msg.sid)


def test_stop_by_sms_does_not_silence_whatsapp(rt):
    cid, stop = write(rt, "sms", "STOP", 1)
    assert stop.replies and rt.contacts.is_opted_out(cid, "sms")
    # The same handset on WhatsApp is the same contact, and is still answered there.
    same, help_wa = write(rt, "whatsapp", "AYUDA", 2)
    assert same == cid and help_wa.replies
    # Silent on the channel they stopped (HELP alone is still answered there, as carriers
    # expect): a question is kept, not answered, not sent to the assistant.
    _, asked_sms = write(rt, "sms", "una pregunta", 3)
    assert not asked_sms.replies and asked_sms.state == "done"


def test_stop_all_silences_every_channel_and_start_all_opens_them(rt):
    cid, _ = write(rt, "whatsapp", "STOP ALL", 4)
    assert rt.contacts.is_opted_out(cid, "sms") and rt.contacts.is_opted_out(cid, "whatsapp")
    _, asked_sms = write(rt, "sms", "a question", 5)
    assert not asked_sms.replies and asked_sms.state == "done"
    write(rt, "sms", "alto todo", 6)
    assert rt.contacts.is_opted_out(cid, "whatsapp")
    write(rt, "sms", "START TODO", 7)
    assert not rt.contacts.is_opted_out(cid)


def test_start_on_one_channel_leaves_the_other_stopped(rt):
    cid, _ = write(rt, "sms", "STOP", 8)
    write(rt, "whatsapp", "STOP", 9)
    write(rt, "whatsapp", "START", 10)
    assert rt.contacts.is_opted_out(cid, "sms") and not rt.contacts.is_opted_out(cid, "whatsapp")


@pytest.mark.parametrize("body", ["stop all please", "Ya, ALTO TODO por favor.", "STOP ALL!"])
def test_stop_all_with_courtesy_around_it_still_covers_every_channel(rt, body):
    cid, stop = write(rt, "sms", body, 12)
    assert rt.contacts.is_opted_out(cid, "sms") and rt.contacts.is_opted_out(cid, "whatsapp")
    assert stop.replies[0]["text"] == rt.catalogs.text("keyword.stopped.all", stop.language)


@pytest.mark.parametrize("body", ["STOP ALL OF IT", "stop todo bien", "todo STOP"])
def test_only_the_two_word_form_covers_every_channel(rt, body):
    cid, _ = write(rt, "sms", body, 11)
    assert not rt.contacts.is_opted_out(cid, "whatsapp")


def test_the_outbox_refuses_only_on_the_stopped_channel(sandbox_rt):
    rt = sandbox_rt
    cid = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    rt.contacts.set_opted_out(cid, True, channel="sms")
    by_sms = outbound.queue_message(rt, cid, SMS_FORM, SMS_NUMBER, "hola", outbound.REPLY)
    by_wa = outbound.queue_message(rt, cid, f"whatsapp:{WA_FORM}", WHATSAPP_NUMBER, "hola",
                                   outbound.REPLY)
    outbound.drain(rt, cid)
    assert rt.messages.load_outbound(by_sms).status == "refused"
    assert rt.messages.load_outbound(by_wa).status not in ("refused", "pending")
    assert [r["to"] for r in sandbox_records(rt.redis)] == [f"whatsapp:{WA_FORM}"]


def test_routing_takes_no_sms_fallback_to_someone_who_stopped_sms():
    numbers = (SMS_NUMBER, WHATSAPP_NUMBER)
    wa = Contact("c1", number=SMS_FORM, last_channel="whatsapp", last_inbound_at=time.time(),
                 sms_ok=True, opted_out=True, opted_out_channels=frozenset({"sms"}))
    assert routing.choose(wa, numbers, None).via == routing.VIA_SESSION  # WhatsApp is open
    closed = replace(wa, last_inbound_at=0)
    with pytest.raises(routing.NoRoute) as no_route:
        routing.choose(closed, numbers, None)
    assert no_route.value.reason == "whatsapp_window"
    with pytest.raises(routing.NoRoute) as stopped:
        routing.choose(wa, numbers, None, channel="sms")
    assert stopped.value.reason == "opted_out"
    # A WhatsApp STOP leaves the SMS fallback.
    wa_stop = replace(closed, opted_out_channels=frozenset({"whatsapp"}))
    assert routing.choose(wa_stop, numbers, None, channel="sms").via == routing.VIA_SESSION
