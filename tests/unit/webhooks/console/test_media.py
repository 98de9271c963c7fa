"""Pictures a person sent, shown to the operator holding the conversation: fetched by the
gateway from Twilio (here the sandbox, over HTTP, with the account's credentials), never by the
browser from Twilio's URL; only for operators who may read that conversation; only allowed
kinds, only so big; gone with the person's messages."""

from __future__ import annotations

import dataclasses

import pytest
import requests

from hotline import erasure
from hotline.handoff import queue as escalations
from hotline.messaging.twilio_client import sign
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER
from support.console import sign_in
from webhooks import create_app
from webhooks.console import media as console_media

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35"
       b"\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
URL = "http://localhost/twilio/messages"
PERSON = "+5215512349876"


@pytest.fixture
def gateway(settings, redis, sandbox):
    app = create_app(dataclasses.replace(settings, twilio_api_base_url=sandbox.url))
    app.config.update(TESTING=True)
    return app


def upload(sandbox, data: bytes, kind: str) -> str:
    response = requests.post(f"{sandbox.url}/_sandbox/media", data=data,
                             headers={"Content-Type": kind}, auth=(ACCOUNT_SID, AUTH_TOKEN),
                             timeout=5)
    assert response.status_code == 201
    return response.json()["url"]


def picture_message(gateway, sid: str, *media: tuple[str, str], body: str | None = None) -> str:
    """Post an MMS as Twilio would; returns the contact id."""
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": PERSON, "To": SMS_NUMBER,
              "NumMedia": str(len(media))}
    if body is not None:
        params["Body"] = body
    for i, (url, kind) in enumerate(media):
        params[f"MediaUrl{i}"], params[f"MediaContentType{i}"] = url, kind
    response = gateway.test_client().post(
        URL, data=params, headers={"X-Twilio-Signature": sign(AUTH_TOKEN, URL, params)})
    assert response.status_code == 200
    return gateway.extensions["hotline"].messages.load_inbound(sid).contact_id


def test_the_operator_holding_the_conversation_sees_the_picture(gateway, sandbox):
    url = upload(sandbox, PNG, "image/png")
    contact_id = picture_message(gateway, "SM" + "1" * 32, (url, "image/png"))
    rt = gateway.extensions["hotline"]
    escalations.escalate(rt.redis, contact_id, "asked", False, "es")
    ana = sign_in(gateway, "ana")
    assert escalations.claim(rt.redis, contact_id, "ana")

    page = ana.get(f"/console/c/{contact_id}").get_data(as_text=True)
    proxied = f"/console/media/{'SM' + '1' * 32}/0"
    assert proxied in page and sandbox.url not in page and "/Media/" not in page
    live = ana.get(f"/console/api/c/{contact_id}").get_json()["transcript"]
    assert live[0]["media"] == [{"url": proxied, "type": "image/png"}]
    assert sandbox.url not in str(live)

    response = ana.get(proxied)
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert ana.get(f"/console/media/{'SM' + '1' * 32}/1").status_code == 404


def test_only_operators_who_may_read_the_conversation(gateway, sandbox):
    url = upload(sandbox, PNG, "image/png")
    contact_id = picture_message(gateway, "SM" + "2" * 32, (url, "image/png"))
    rt = gateway.extensions["hotline"]
    path = f"/console/media/{'SM' + '2' * 32}/0"
    # Not signed in: to the sign-in page, no bytes.
    anonymous = gateway.test_client().get(path)
    assert anonymous.status_code in (302, 401) and PNG not in anonymous.data
    # Signed in, but the conversation is not in the queue / is someone else's.
    beto = sign_in(gateway, "beto")
    assert beto.get(path).status_code == 404
    escalations.escalate(rt.redis, contact_id, "asked", False, "es")
    escalations.claim(rt.redis, contact_id, "ana")
    assert beto.get(path).status_code == 403
    # A supervisor sees everything.
    assert sign_in(gateway, "sara", role="supervisor").get(path).data == PNG


@pytest.mark.parametrize("declared,served,expected", [
    ("image/svg+xml", "image/svg+xml", 415),  # could run script in the console's origin
    ("text/html", "text/html", 415),
    ("image/jpeg", "text/html", 415),  # the declared type is not enough: what came back counts
    ("image/jpeg", "image/jpeg", 200),
    ("application/pdf", "application/pdf", 200),
])
def test_only_allowed_kinds_are_passed_on(gateway, sandbox, declared, served, expected):
    url = upload(sandbox, b"<svg onload=alert(1)>" if "svg" in served else b"data", served)
    sid = "SM" + "3" * 32
    contact_id = picture_message(gateway, sid, (url, declared), body="mire")
    rt = gateway.extensions["hotline"]
    escalations.escalate(rt.redis, contact_id, "asked", False, "es")
    sara = sign_in(gateway, "sara", role="supervisor")
    response = sara.get(f"/console/media/{sid}/0")
    assert response.status_code == expected
    if expected == 200 and served == "application/pdf":
        assert response.headers["Content-Disposition"].startswith("attachment")


def test_too_big_is_not_passed_on(gateway, sandbox, monkeypatch):
    monkeypatch.setattr(console_media, "MAX_BYTES", 100)
    url = upload(sandbox, b"x" * 101, "image/jpeg")
    contact_id = picture_message(gateway, "SM" + "4" * 32, (url, "image/jpeg"))
    escalations.escalate(gateway.extensions["hotline"].redis, contact_id, "asked", False, "es")
    sara = sign_in(gateway, "sara", role="supervisor")
    assert sara.get(f"/console/media/{'SM' + '4' * 32}/0").status_code == 413


def test_a_link_outside_this_twilio_account_is_never_fetched(gateway, sandbox):
    """The credentials go only to this account's media on Twilio's API."""
    stranger = upload(sandbox, PNG, "image/png").replace(ACCOUNT_SID, "AC" + "9" * 32)
    elsewhere = "https://attacker.example/2010-04-01/Accounts/x/Messages/y/Media/z"
    contact_id = picture_message(gateway, "SM" + "5" * 32, (stranger, "image/png"),
                                 (elsewhere, "image/png"))
    escalations.escalate(gateway.extensions["hotline"].redis, contact_id, "asked", False, "es")
    sara = sign_in(gateway, "sara", role="supervisor")
    assert sara.get(f"/console/media/{'SM' + '5' * 32}/0").status_code == 404
    assert sara.get(f"/console/media/{'SM' + '5' * 32}/1").status_code == 404


def test_erased_with_the_persons_messages(gateway, sandbox):
    url = upload(sandbox, PNG, "image/png")
    sid = "SM" + "6" * 32
    contact_id = picture_message(gateway, sid, (url, "image/png"))
    rt = gateway.extensions["hotline"]
    rt.messages.set_inbound_state(sid, "done")  # answered: nothing in flight
    escalations.escalate(rt.redis, contact_id, "asked", False, "es")
    sara = sign_in(gateway, "sara", role="supervisor")
    assert sara.get(f"/console/media/{sid}/0").status_code == 200
    erasure.erase(rt, contact_id)
    assert rt.messages.load_inbound(sid) is None
    assert sara.get(f"/console/media/{sid}/0").status_code == 404


def test_sandbox_media_need_the_account(sandbox):
    url = upload(sandbox, PNG, "image/png")
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).content == PNG
