"""The Twilio sandbox through the official twilio client, and our sender against it."""

import threading

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Request, Response

from hotline.messaging import outbound
from hotline.messaging.channels import parse_address
from hotline.config import Settings
from hotline.errors import TransientSendError
from hotline.runtime import Runtime
from hotline.messaging.twilio_client import make_client

from .conftest import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER, ServedApp


@pytest.fixture
def twilio(settings, sandbox):
    return make_client(Settings(**{**settings.as_dict(), "twilio_api_base_url": sandbox.url}))


@pytest.fixture
def callbacks():
    """A receiver for status callbacks that checks their signature as our gateway does."""
    received, valid, arrived = [], [], threading.Event()

    @Request.application
    def receive(request):
        received.append(dict(request.form))
        valid.append(RequestValidator(AUTH_TOKEN).validate(
            request.url, request.form, request.headers.get("X-Twilio-Signature", "")))
        if len(received) >= 2:
            arrived.set()
        return Response(status=204)

    served = ServedApp(receive)
    yield served.url + "/twilio/status", received, valid, arrived
    served.close()


def test_create_fetch_and_list_like_twilio(twilio):
    sms = twilio.messages.create(to="+5215511111111", from_=SMS_NUMBER, body="¡Hola! ¿Qué tal?")
    assert sms.sid.startswith("SM") and len(sms.sid) == 34
    assert sms.status == "queued" and sms.body == "¡Hola! ¿Qué tal?"
    assert sms.direction == "outbound-api" and sms.num_segments == "1"
    assert sms.date_created is not None  # RFC 2822, parsed by the client
    wa = twilio.messages.create(to="whatsapp:+5215511111111", from_=WHATSAPP_NUMBER, body="hi")
    assert wa.to == "whatsapp:+5215511111111"
    assert twilio.messages(sms.sid).fetch().body == "¡Hola! ¿Qué tal?"
    listed = twilio.messages.list(to="+5215511111111")
    assert [m.sid for m in listed] == [sms.sid]
    assert {m.sid for m in twilio.messages.list(from_=WHATSAPP_NUMBER)} == {wa.sid}


def test_list_pages_through_many_messages(twilio):
    for i in range(7):
        twilio.messages.create(to="+5215522222222", from_=SMS_NUMBER, body=f"n{i}")
    bodies = [m.body for m in twilio.messages.list(to="+5215522222222", page_size=3)]
    assert bodies == [f"n{i}" for i in reversed(range(7))]  # newest first, like Twilio


@pytest.mark.parametrize("kwargs,status,code", [
    ({"to": "+15005550001"}, 400, 21211),
    ({"to": "+15005550004"}, 400, 21610),
    ({"to": "not a number"}, 400, 21211),
    ({"body": "x" * 1601}, 400, 21617),
    ({"from_": "+15550000000"}, 400, 21606),
    ({"to": "whatsapp:+5215511111111"}, 400, 21910),
])
def test_errors_have_twilio_codes(twilio, kwargs, status, code):
    params = {"to": "+5215511111111", "from_": SMS_NUMBER, "body": "hola", **kwargs}
    with pytest.raises(TwilioRestException) as caught:
        twilio.messages.create(**params)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_wrong_credentials_are_refused(settings, sandbox):
    bad = make_client(Settings(**{**settings.as_dict(), "twilio_api_base_url": sandbox.url,
                                  "twilio_auth_token": "wrong"}))
    with pytest.raises(TwilioRestException) as caught:
        bad.messages.create(to="+5215511111111", from_=SMS_NUMBER, body="x")
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert requests.get(sandbox.url + "/_sandbox/stats").status_code == 401


def test_status_callbacks_are_signed_like_twilio(twilio, callbacks):
    url, received, valid, arrived = callbacks
    sent = twilio.messages.create(to="+5215533333333", from_=SMS_NUMBER, body="x",
                                  status_callback=url)
    assert arrived.wait(5)
    assert [r["MessageStatus"] for r in received] == ["sent", "delivered"]
    assert all(r["MessageSid"] == sent.sid for r in received)
    assert all(valid)
    assert twilio.messages(sent.sid).fetch().status == "delivered"


# Our sender ---------------------------------------------------------------------------------
@pytest.fixture
def sender_rt(settings, sandbox, redis):
    return Runtime(Settings(**{**settings.as_dict(), "twilio_api_base_url": sandbox.url}))


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
