"""A shared location shows in the console transcript as a small marker; where it is (stored
encrypted on the message record) is in the page only for the operator holding the
conversation, who may need it to help. Supervisors reading along, and the live JSON for them,
see the marker only; nothing of the pin is in the transcript store in clear."""

from __future__ import annotations

import pytest

from hotline.handoff import queue as escalations
from hotline.messaging.twilio_client import sign
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER
from support.console import sign_in

URL = "http://localhost/twilio/messages"
PERSON = "whatsapp:+5215512348765"
LAT, LON = "32.5149", "-117.0382"


def share_pin(app, sid: str, **extra: str) -> str:
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": PERSON,
              "To": WHATSAPP_NUMBER, "NumMedia": "0", "Latitude": LAT, "Longitude": LON, **extra}
    response = app.test_client().post(
        URL, data=params, headers={"X-Twilio-Signature": sign(AUTH_TOKEN, URL, params)})
    assert response.status_code == 200
    return app.extensions["hotline"].messages.load_inbound(sid).contact_id


@pytest.fixture
def held(app):
    contact_id = share_pin(app, "SM" + "7" * 32, Label="Casa del Migrante",
                           Address="Tijuana, B.C.")
    rt = app.extensions["hotline"]
    escalations.escalate(rt.redis, contact_id, "asked", False, "es")
    ana = sign_in(app, "ana")
    assert escalations.claim(rt.redis, contact_id, "ana")
    return contact_id, ana


def test_the_operator_holding_it_sees_the_marker_and_where(app, held):
    contact_id, ana = held
    page = ana.get(f"/console/c/{contact_id}").get_data(as_text=True)
    assert "Ubicación compartida" in page and LAT in page and LON in page
    assert "Casa del Migrante" in page
    live = ana.get(f"/console/api/c/{contact_id}").get_json()["transcript"]
    assert live[0]["location"] == {"shared": True, "latitude": float(LAT),
                                   "longitude": float(LON),
                                   "place": "Casa del Migrante, Tijuana, B.C."}


def test_a_supervisor_not_holding_it_sees_only_the_marker(app, held):
    contact_id, _ = held
    jefa = sign_in(app, "jefa", role="supervisor", lang="en")
    page = jefa.get(f"/console/c/{contact_id}").get_data(as_text=True)
    assert "Location shared" in page
    assert LAT not in page and LON not in page and "Casa del Migrante" not in page
    live = jefa.get(f"/console/api/c/{contact_id}").get_json()["transcript"]
    assert live[0]["location"] == {"shared": True}
    assert LAT not in str(live)


def test_no_marker_without_a_pin_and_the_pin_is_not_in_the_transcript_store(app, held):
    contact_id, ana = held
    rt = app.extensions["hotline"]
    params = {"MessageSid": "SM" + "8" * 32, "AccountSid": ACCOUNT_SID, "From": "+525512348766",
              "To": SMS_NUMBER, "Body": "hola", "NumMedia": "0"}
    app.test_client().post(URL, data=params,
                           headers={"X-Twilio-Signature": sign(AUTH_TOKEN, URL, params)})
    other = rt.messages.load_inbound("SM" + "8" * 32).contact_id
    escalations.escalate(rt.redis, other, "asked", False, "es")
    assert escalations.claim(rt.redis, other, "ana")
    live = ana.get(f"/console/api/c/{other}").get_json()["transcript"]
    assert live[0]["location"] is None
    stored = [v for k in rt.redis.keys("hl:*") if rt.redis.type(k) in ("list", "zset")
              for v in (rt.redis.lrange(k, 0, -1) if rt.redis.type(k) == "list"
                        else rt.redis.zrange(k, 0, -1))]
    assert not [v for v in stored if LAT in v or "Casa del Migrante" in v]
