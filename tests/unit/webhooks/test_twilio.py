"""The Twilio webhooks as Twilio calls them: signed, form-encoded, sometimes twice."""

import dataclasses

import pytest
from rq import Queue

from hotline.messaging.inbound import inbox
from hotline.messaging.twilio_client import sign
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER
from webhooks import create_app

URL = "http://localhost/twilio/messages"


def inbound(sid="SM" + "a" * 32, sender="+5215512345678", to=SMS_NUMBER, body="hola", **extra):
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": to,
              "Body": body, "NumMedia": "0", **extra}
    return {k: v for k, v in params.items() if v is not None}


def post_signed(client, params, url=URL, token=AUTH_TOKEN, **kwargs):
    return client.post(url, data=params, headers={"X-Twilio-Signature": sign(token, url, params)},
                       **kwargs)


def queued_jobs(rt, name="inbound"):
    return Queue(name, connection=rt.rq_redis).count


def test_signed_message_is_stored_queued_and_acknowledged_with_empty_twiml(client, rt, redis):
    response = post_signed(client, inbound(body="¡Hola! ¿Cómo estás?"))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.get_data(as_text=True).endswith("<Response />")
    msg = rt.messages.load_inbound("SM" + "a" * 32)
    assert msg.body == "¡Hola! ¿Cómo estás?"  # unchanged: no "¡" -> "@" as Rasa's channel does
    assert msg.channel == "sms" and msg.to == SMS_NUMBER
    assert queued_jobs(rt) == 1
    # The phone number and the text are not stored in the clear.
    raw = "".join(str(v) for k in redis.keys("hl:*") if redis.type(k) == "hash"
                  for v in redis.hgetall(k).values())
    assert "5512345678" not in raw and "Hola" not in raw
    assert not any("5512345678" in k for k in redis.keys("*"))


def test_whatsapp_sender_is_the_same_contact_on_another_channel(client, rt):
    post_signed(client, inbound(sid="SM1", sender="whatsapp:+5215512345678", to=WHATSAPP_NUMBER))
    post_signed(client, inbound(sid="SM2", sender="+5215512345678"))
    first, second = rt.messages.load_inbound("SM1"), rt.messages.load_inbound("SM2")
    assert first.channel == "whatsapp" and second.channel == "sms"
    assert first.contact_id == second.contact_id


def test_repeated_message_sid_is_stored_and_queued_once(client, rt):
    for _ in range(3):
        assert post_signed(client, inbound(sid="SMdup")).status_code == 200
    contact_id = rt.messages.load_inbound("SMdup").contact_id
    assert inbox(rt).pending(contact_id) == ["SMdup"]
    assert queued_jobs(rt) == 1


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}])
def test_unsigned_or_missigned_is_refused_and_nothing_stored(client, redis, headers):
    response = client.post(URL, data=inbound(), headers=headers)
    assert response.status_code == 403
    assert redis.keys("*") == []


def test_signature_with_another_token_is_refused(client, redis):
    assert post_signed(client, inbound(), token="someone-elses-token").status_code == 403
    assert redis.keys("*") == []


def test_tampered_body_is_refused(client, redis):
    params = inbound(body="hola")
    signature = sign(AUTH_TOKEN, URL, params)
    params["Body"] = "hola <script>"
    response = client.post(URL, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


# No Body is a picture without a caption, not a bad request: test_twilio_payloads.py.
@pytest.mark.parametrize("missing", ["From", "MessageSid", "To"])
def test_missing_fields_are_a_bad_request(client, redis, missing):
    params = inbound()
    params.pop(missing)
    response = post_signed(client, params)
    assert response.status_code == 400
    assert response.is_json and "required" in response.get_json()["error"]
    assert not redis.keys("hl:in:*")


@pytest.mark.parametrize("field,value", [("From", "not-a-number"), ("To", "<b>"),
                                         ("NumMedia", "many")])
def test_malformed_fields_are_a_bad_request(client, redis, field, value):
    response = post_signed(client, inbound(**{field: value}))
    assert response.status_code == 400
    assert not redis.keys("hl:in:*")


def test_empty_body_is_accepted_so_the_person_gets_an_answer(client, rt):
    assert post_signed(client, inbound(sid="SMempty", body="", NumMedia="1")).status_code == 200
    assert rt.messages.load_inbound("SMempty").num_media == 1


def test_behind_tls_proxy_with_public_url(settings, redis):
    app = create_app(dataclasses.replace(settings, public_url="https://hotline.example.org"))
    client = app.test_client()
    public = "https://hotline.example.org/twilio/messages"
    # Flask sees http://localhost/..., Twilio signed the public https URL.
    params = inbound()
    response = client.post(URL, data=params,
                           headers={"X-Twilio-Signature": sign(AUTH_TOKEN, public, params)})
    assert response.status_code == 200
    # A signature over the internal URL is not what Twilio would send: refused.
    assert post_signed(client, inbound(sid="SMx"), url=URL).status_code == 403


def test_behind_tls_proxy_with_forwarded_headers(settings, redis):
    proxied = create_app(dataclasses.replace(settings, trusted_proxy_hops=1))
    direct = create_app(settings)
    public = "https://hotline.example.org/twilio/messages"
    params = inbound()
    headers = {"X-Twilio-Signature": sign(AUTH_TOKEN, public, params),
               "X-Forwarded-Proto": "https", "X-Forwarded-Host": "hotline.example.org",
               "X-Forwarded-For": "203.0.113.9"}
    assert proxied.test_client().post(URL, data=params, headers=headers).status_code == 200
    # Without trusting the proxy, forged X-Forwarded-* headers cannot make a signature match.
    params = inbound(sid="SMother")
    headers["X-Twilio-Signature"] = sign(AUTH_TOKEN, public, params)
    assert direct.test_client().post(URL, data=params, headers=headers).status_code == 403


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    # Rasa and actions are not running in this test: degraded, still taking messages.
    assert response.status_code == 200
    assert response.get_json()["degraded"] == ["rasa", "action_server"]
    assert response.get_json()["checks"] == {"redis": True, "rasa": False, "action_server": False}


def test_app_refuses_to_start_without_secrets(settings):
    from hotline.config import ConfigError

    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app(dataclasses.replace(settings, twilio_auth_token=None))
