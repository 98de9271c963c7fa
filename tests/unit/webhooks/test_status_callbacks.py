"""Delivery status callbacks from Twilio, served by the gateway."""

import pytest

from hotline.messaging.messages import Outbound
from hotline.messaging.twilio_client import sign
from support import ACCOUNT_SID, AUTH_TOKEN

STATUS_URL = "http://localhost/twilio/status"


def callback(client, sid, status, error=None, token=AUTH_TOKEN):
    params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    if error:
        params["ErrorCode"] = error
    return client.post(STATUS_URL, data=params,
                       headers={"X-Twilio-Signature": sign(token, STATUS_URL, params)})


@pytest.fixture
def sent(rt):
    rt.messages.create_outbound(Outbound(id="out1", contact_id="c1", to="+5215500000000",
                                         sender="+15005550006", body="x", kind="reply"))
    rt.messages.mark_outbound("out1", "queued", twilio_sid="SMsent")
    return "out1"


@pytest.mark.parametrize("states,final", [
    (["sent", "delivered"], "delivered"),
    (["delivered", "sent"], "delivered"),  # out of order: never moves backwards
    (["sent", "sent", "delivered", "delivered"], "delivered"),
    (["sent", "delivered", "read"], "read"),
    (["sent", "undelivered"], "undelivered"),
    (["failed"], "failed"),
])
def test_status_callbacks_record_the_furthest_state(client, rt, sent, states, final):
    for state in states:
        assert callback(client, "SMsent", state).status_code == 204
    assert rt.messages.load_outbound(sent).status == final


def test_error_code_is_recorded(client, rt, sent):
    callback(client, "SMsent", "undelivered", error="30003")
    msg = rt.messages.load_outbound(sent)
    assert (msg.status, msg.error_code) == ("undelivered", 30003)


def test_unsigned_callback_changes_nothing(client, rt, sent):
    assert callback(client, "SMsent", "failed", token="forged").status_code == 403
    assert rt.messages.load_outbound(sent).status == "queued"


def test_unknown_message_is_acknowledged(client):
    assert callback(client, "SMnotours", "delivered").status_code == 204


def test_callback_without_status_is_a_bad_request(client):
    params = {"MessageSid": "SMsent"}
    response = client.post(STATUS_URL, data=params,
                           headers={"X-Twilio-Signature": sign(AUTH_TOKEN, STATUS_URL, params)})
    assert response.status_code == 400
