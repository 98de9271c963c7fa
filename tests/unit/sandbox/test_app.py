"""The Twilio sandbox through the official twilio client."""

import dataclasses
import threading

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Request, Response

from hotline.messaging.twilio_client import make_client
from support import AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER, ServedApp


@pytest.fixture
def twilio(settings, sandbox):
    return make_client(dataclasses.replace(settings, twilio_api_base_url=sandbox.url))


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
    bad = make_client(dataclasses.replace(settings, twilio_api_base_url=sandbox.url,
                                          twilio_auth_token="wrong"))
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
