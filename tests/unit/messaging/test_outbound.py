"""Our sender against the Twilio sandbox: once per message, in order, opt-outs kept, Twilio's
errors read."""


import dataclasses

import pytest
import requests

from hotline.errors import TransientSendError
from hotline.messaging import outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.twilio_client import make_client
from hotline.runtime import Runtime
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER


@pytest.fixture
def twilio(settings, sandbox):
    return make_client(dataclasses.replace(settings, twilio_api_base_url=sandbox.url))


# Our sender ---------------------------------------------------------------------------------
@pytest.fixture
def sender_rt(settings, sandbox, redis):
    return Runtime(dataclasses.replace(settings, twilio_api_base_url=sandbox.url))


def queue_and_send(rt, to, body, kind=outbound.REPLY, out_id=None):
    contact_id = rt.contacts.touch_inbound(parse_address(to))
    out_id = outbound.queue_message(rt, contact_id, to, SMS_NUMBER, body, kind, out_id)
    outbound.drain(rt, contact_id)
    return contact_id, rt.messages.load_outbound(out_id)


def test_send_records_twilio_sid_and_transcript(sender_rt, twilio):
    contact_id, msg = queue_and_send(sender_rt, "+5215544444444", "respuesta")
    assert msg.status == "queued" and msg.twilio_sid.startswith("SM")
    assert twilio.messages(msg.twilio_sid).fetch().body == "respuesta"
    assert sender_rt.messages.transcript(contact_id)[-1]["text"] == "respuesta"


def test_same_message_id_is_sent_once(sender_rt, twilio):
    for _ in range(3):
        queue_and_send(sender_rt, "+5215544444445", "una vez", out_id="fixed-id")
    assert len(twilio.messages.list(to="+5215544444445")) == 1


def test_opted_out_contact_is_never_sent_to_except_the_confirmation(sender_rt, twilio):
    contact_id = sender_rt.contacts.touch_inbound(parse_address("+5215555555555"))
    sender_rt.contacts.set_opted_out(contact_id, True)
    _, refused = queue_and_send(sender_rt, "+5215555555555", "broadcast")
    _, confirmation = queue_and_send(sender_rt, "+5215555555555", "stopped", outbound.COMPLIANCE)
    assert refused.status == "refused"
    assert confirmation.status == "queued"
    assert [m.body for m in twilio.messages.list(to="+5215555555555")] == ["stopped"]


def test_unsubscribed_at_twilio_marks_the_contact(sender_rt):
    contact_id, msg = queue_and_send(sender_rt, "+15005550004", "x")
    assert (msg.status, msg.error_code) == ("failed", 21610)
    assert sender_rt.contacts.is_opted_out(contact_id)


@pytest.mark.parametrize("fault", [429, 500, 503])
def test_transient_twilio_errors_raise_and_keep_the_message(sender_rt, sandbox, twilio, fault):
    requests.post(sandbox.url + "/_sandbox/faults", json={"status": fault, "count": 1},
                  auth=(ACCOUNT_SID, AUTH_TOKEN)).raise_for_status()
    contact_id = sender_rt.contacts.touch_inbound(parse_address("+5215566666666"))
    out_id = outbound.queue_message(sender_rt, contact_id, "+5215566666666", SMS_NUMBER,
                                    "retry me", outbound.REPLY)
    with pytest.raises(TransientSendError):
        outbound.drain(sender_rt, contact_id)
    assert outbound.outbox(sender_rt).pending(contact_id) == [out_id]
    assert outbound.drain(sender_rt, contact_id) == 1  # the retry sends it, once
    assert [m.body for m in twilio.messages.list(to="+5215566666666")] == ["retry me"]


def test_outbox_keeps_order(sender_rt, twilio):
    contact_id = sender_rt.contacts.touch_inbound(parse_address("+5215577777777"))
    for i in range(10):
        outbound.queue_message(sender_rt, contact_id, "+5215577777777", SMS_NUMBER, f"m{i}",
                               outbound.REPLY)
    outbound.drain(sender_rt, contact_id)
    bodies = [m.body for m in reversed(twilio.messages.list(to="+5215577777777"))]
    assert bodies == [f"m{i}" for i in range(10)]


def test_an_interrupted_attempt_is_not_sent_twice(sender_rt, twilio):
    contact_id = sender_rt.contacts.touch_inbound(parse_address("+5215588888888"))
    out_id = outbound.queue_message(sender_rt, contact_id, "+5215588888888", SMS_NUMBER,
                                    "solo una vez", outbound.REPLY)
    # The worker died right after Twilio accepted the message, before recording it.
    accepted = twilio.messages.create(to="+5215588888888", from_=SMS_NUMBER, body="solo una vez")
    sender_rt.messages.mark_outbound(out_id, "sending")
    outbound.drain(sender_rt, contact_id)
    assert sender_rt.messages.load_outbound(out_id).twilio_sid == accepted.sid
    assert len(twilio.messages.list(to="+5215588888888")) == 1
