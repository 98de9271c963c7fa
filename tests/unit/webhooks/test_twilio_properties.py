"""Property tests of the Twilio webhook edge: whatever is posted (any fields, any text, any
script, NUL bytes, numbers that are not numbers), the gateway answers 2xx, 4xx or 403, never
5xx; a signature only ever matches the exact URL and parameters it was made for; and a signed
message with a usable sender is stored whatever its text."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hotline.messaging.twilio_client import sign
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER

URL = "http://localhost/twilio/messages"
STATUS_URL = "http://localhost/twilio/status"
FIELDS = ["MessageSid", "SmsSid", "AccountSid", "From", "To", "Body", "NumMedia",
          "MediaUrl0", "MediaContentType0", "NumSegments", "ProfileName", "WaId", "Latitude",
          "Longitude", "MessageStatus", "SmsStatus", "ErrorCode", "ButtonPayload", "OptOutType"]
ANY_TEXT = st.text(max_size=80)
ODD = st.sampled_from(["", "0", "-1", "²", "٣", "１", "9" * 5000, "NaN", "1e9", " ", "\x00",
                       "whatsapp:", "whatsapp:+", "+", "+5215512345678", SMS_NUMBER,
                       WHATSAPP_NUMBER, "SM" + "a" * 32, "delivered", "failed", "30003",
                       "http://", "🙂" * 40])
VALUE = st.one_of(ANY_TEXT, ODD)
# A header cannot carry a line break on the wire (HTTP would split it), so the forged
# signatures are any text but that.
HEADER_TEXT = st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=80)
FORMS = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=12)),
                        VALUE, max_size=12)
EVERY_SETTING = settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def post(client, url, form, signature):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return client.post(url.replace("http://localhost", ""), data=form, headers=headers)


@EVERY_SETTING
@given(form=FORMS, signature=st.one_of(st.none(), HEADER_TEXT, ODD))
def test_unsigned_or_forged_posts_are_403_never_500(client, form, signature):
    for url in (URL, STATUS_URL):
        assert post(client, url, form, signature).status_code == 403


@EVERY_SETTING
@given(form=FORMS, other=FORMS, token=st.sampled_from([AUTH_TOKEN, "another-token"]))
def test_a_signature_matches_only_what_it_signed(client, form, other, token):
    assume(other != form)
    # Signed for other parameters, for the other route, or with another account's token.
    assert post(client, URL, form, sign(AUTH_TOKEN, URL, other)).status_code == 403
    assert post(client, URL, form, sign(AUTH_TOKEN, STATUS_URL, form)).status_code == 403
    if token != AUTH_TOKEN:
        assert post(client, URL, form, sign(token, URL, form)).status_code == 403


@EVERY_SETTING
@given(form=FORMS)
def test_signed_posts_of_anything_are_never_a_server_error(client, form):
    for url in (URL, STATUS_URL):
        response = post(client, url, form, sign(AUTH_TOKEN, url, form))
        assert response.status_code < 500, (url, form, response.data)
        assert response.status_code != 403


@EVERY_SETTING
@given(body=st.text(max_size=1600), sender=st.sampled_from(
    ["+5215512345678", "+50499999999", "whatsapp:+5215512345678", "+15005550009"]))
def test_a_signed_message_with_a_usable_sender_is_accepted_whatever_it_says(
        client, rt, body, sender):
    sid = uuid.uuid4().hex  # a new message each time: a repeated sid is (rightly) a repeat
    to = WHATSAPP_NUMBER if sender.startswith("whatsapp:") else SMS_NUMBER
    form = {"MessageSid": "SM" + sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": to,
            "Body": body, "NumMedia": "0"}
    response = post(client, URL, form, sign(AUTH_TOKEN, URL, form))
    assert response.status_code == 200, response.data
    stored = rt.messages.load_inbound("SM" + sid)
    # Stored as received (its text as the payload reader keeps it: control characters out).
    assert stored is not None and stored.state == "received" and isinstance(stored.body, str)
