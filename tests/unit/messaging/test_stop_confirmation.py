"""The confirmation a person gets after STOP names the channel that stopped, how to stop
every channel (STOP ALL / ALTO TODO) and how to come back: a STOP by SMS leaves WhatsApp open,
and someone who does not know that would think the hotline ignored them. Short enough for one
or two SMS; Twilio's own STOP reply is never doubled."""

import time

import pytest

from hotline.config import PROJECT_ROOT
from hotline.content.catalogs import Catalogs
from hotline.messaging import inbound, sms
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from support import SMS_NUMBER, WHATSAPP_NUMBER

SMS_FORM, WA_FORM = "+525512345622", "+5215512345622"
catalogs = Catalogs(PROJECT_ROOT / "locales")


def write(rt, channel: str, body: str, n: int, opt_out: str | None = None) -> Inbound:
    sender = f"whatsapp:{WA_FORM}" if channel == "whatsapp" else SMS_FORM
    cid = rt.contacts.touch_inbound(parse_address(sender))
    msg = Inbound(f"SM{n:032d}", cid, channel, sender,
                  WHATSAPP_NUMBER if channel == "whatsapp" else SMS_NUMBER, body, 0, time.time(),
                  opt_out=opt_out)
    rt.messages.save_inbound(msg, 60)
    inbound.handle(rt, msg.sid)
    return rt.messages.load_inbound(msg.sid)


def said(msg: Inbound) -> str:
    assert msg.replies and len(msg.replies) == 1, msg.replies
    return msg.replies[0]["text"]


@pytest.mark.parametrize("channel,body,lang,key", [
    ("sms", "STOP", "en", "keyword.stopped.sms"),
    ("sms", "BAJA", "es", "keyword.stopped.sms"),
    ("whatsapp", "PARAR", "es", "keyword.stopped.whatsapp"),
    ("whatsapp", "stop", "en", "keyword.stopped.whatsapp"),
    ("whatsapp", "ya no me manden mensajes", "es", "keyword.stopped.whatsapp"),
    ("sms", "STOP ALL", "en", "keyword.stopped.all"),
    ("whatsapp", "alto todo", "es", "keyword.stopped.all"),
])
def test_the_confirmation_names_what_stopped(rt, channel, body, lang, key):
    text = said(write(rt, channel, body, 1))
    assert text == catalogs.text(key, lang)


@pytest.mark.parametrize("lang,stop_all,start,start_all", [
    ("en", "STOP ALL", "START", "START ALL"), ("es", "ALTO TODO", "ALTA", "ALTA TODO")])
def test_each_confirmation_says_the_channel_how_to_stop_all_and_how_to_come_back(
        lang, stop_all, start, start_all):
    by_sms, by_wa = (catalogs.text(f"keyword.stopped.{c}", lang) for c in ("sms", "whatsapp"))
    every = catalogs.text("keyword.stopped.all", lang)
    assert "SMS" in by_sms and "WhatsApp" in by_sms.split(".")[1]  # the other one, next
    assert "WhatsApp" in by_wa.split(".")[0] and "SMS" in by_wa.split(".")[1]
    for text in (by_sms, by_wa):
        assert stop_all in text and f" {start}." in text
    assert "SMS" in every and "WhatsApp" in every and start_all in every
    assert stop_all not in every


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("channel", ["sms", "whatsapp", "all"])
def test_the_sms_forms_fit_one_or_two_segments_in_gsm7(lang, channel):
    text = sms.for_sms(catalogs.text(f"keyword.stopped.{channel}", lang))
    assert sms.segments(text) <= 2, text
    assert sms.for_sms(text) == text and text.isascii()  # GSM-7 after folding, no UCS-2


def test_what_the_confirmation_says_is_true(rt):
    wa = write(rt, "whatsapp", "STOP", 2)
    cid = wa.contact_id
    assert rt.contacts.is_opted_out(cid, "whatsapp") and not rt.contacts.is_opted_out(cid, "sms")
    write(rt, "sms", "STOP ALL", 3)
    assert rt.contacts.is_opted_out(cid, "sms") and rt.contacts.is_opted_out(cid, "whatsapp")
    started = write(rt, "sms", "START ALL", 4)
    assert not rt.contacts.is_opted_out(cid) and said(started) == catalogs.text(
        "keyword.started", "en")


def test_twilio_answered_stop_itself_so_no_second_confirmation(rt):
    msg = write(rt, "sms", "STOP", 5, opt_out="STOP")
    assert not msg.replies and msg.state == "done"
    assert rt.contacts.is_opted_out(msg.contact_id, "sms")
    assert not rt.contacts.is_opted_out(msg.contact_id, "whatsapp")


def test_the_old_channel_blind_confirmation_is_gone():
    # It said "no more messages" after an SMS STOP that left WhatsApp open.
    assert not catalogs.has("keyword.stopped")
