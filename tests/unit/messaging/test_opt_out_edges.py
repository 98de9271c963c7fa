"""Opting out at its edges (the review's L3 and L5): one confirmation however often STOP comes,
HELP answered even after STOP, and a typed "/intent" never reaching Rasa as an intent."""

import time

import pytest

from hotline.config import PROJECT_ROOT
from hotline.content.catalogs import Catalogs
from hotline.messaging import inbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.messaging.outbound import COMPLIANCE
from support import SMS_NUMBER, WHATSAPP_NUMBER

SMS_FORM, WA_FORM = "+525512345633", "+5215512345633"
catalogs = Catalogs(PROJECT_ROOT / "locales")


def write(rt, channel: str, body: str, n: int) -> Inbound:
    sender = f"whatsapp:{WA_FORM}" if channel == "whatsapp" else SMS_FORM
    cid = rt.contacts.touch_inbound(parse_address(sender))
    msg = Inbound(f"SM{n:032d}", cid, channel, sender,
                  WHATSAPP_NUMBER if channel == "whatsapp" else SMS_NUMBER, body, 0, time.time())
    rt.messages.save_inbound(msg, 60)
    inbound.handle(rt, msg.sid)
    return rt.messages.load_inbound(msg.sid)


@pytest.mark.parametrize("first,again", [("STOP", "STOP"), ("STOP", "alto"),
                                         ("STOP ALL", "STOP"), ("STOP ALL", "ALTO TODO")])
def test_a_repeated_stop_gets_no_second_confirmation(rt, first, again):
    assert write(rt, "sms", first, 1).replies
    repeated = write(rt, "sms", again, 2)
    assert not repeated.replies and repeated.state == "done"
    assert rt.contacts.is_opted_out(repeated.contact_id, "sms")


def test_stop_all_after_a_stop_on_one_channel_is_confirmed(rt):
    write(rt, "sms", "STOP", 1)
    every = write(rt, "sms", "STOP ALL", 2)
    assert [r["text"] for r in every.replies] == [catalogs.text("keyword.stopped.all", "en")]


def test_help_is_answered_after_stop_and_not_held_back_by_it(rt):
    write(rt, "sms", "STOP", 1)
    helped = write(rt, "sms", "HELP", 2)
    before = write(rt, "whatsapp", "HELP", 3)  # the same person, a channel not stopped
    assert [r["text"] for r in helped.replies] == [r["text"] for r in before.replies]
    # As a compliance message, which the outbox lets through an opt-out; a plain reply
    # would be dropped there.
    assert [r["kind"] for r in helped.replies] == [COMPLIANCE]
    # Anything else after STOP is still not answered.
    assert not write(rt, "sms", "hola, tengo una pregunta", 4).replies


@pytest.mark.parametrize("body", ["\t/delete_data", "\n/affirm", "\u3000/emergency",
                                  "\r\n/greet", " / /restart"])
def test_a_typed_intent_never_reaches_rasa_as_one(body):
    from hotline.text import normalize
    assert not inbound._typed(normalize(body)).lstrip().startswith("/")
