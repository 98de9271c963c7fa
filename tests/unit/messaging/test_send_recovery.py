"""A send retried after its answer was lost finds exactly the message Twilio accepted, queued
ones included, and nothing else (the review's M2): against the sandbox, which now behaves like
Twilio here (DateSent empty until sent, DateSent filters, templates rendered, the callback URL
kept as given)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import requests

from hotline.messaging import delivery, outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Outbound
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER, sandbox_records


def hold(sandbox, count=1):
    requests.post(sandbox.url + "/_sandbox/hold", json={"count": count},
                  auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).raise_for_status()


def record(rt, out_id, number, body, to=None, sender=SMS_NUMBER, content_sid=None) -> str:
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.messages.create_outbound(Outbound(id=out_id, contact_id=contact_id, to=to or number,
                                         sender=sender, body=body, kind=outbound.REPLY,
                                         content_sid=content_sid))
    return contact_id


def lost_answer(rt, out_id):
    """An attempt that reached Twilio and died before recording Twilio's answer."""
    msg = rt.messages.load_outbound(out_id)
    rt.messages.mark_outbound(out_id, "sending")
    return delivery.create(rt, msg.contact_id, msg.to, msg.sender, msg.body, msg.content_sid,
                           callback=False)


def test_a_message_still_queued_at_twilio_is_found_on_retry(sandbox_rt, sandbox, redis):
    record(sandbox_rt, "SMa-0", "+5215511110001", "su cita es el lunes")
    hold(sandbox)
    accepted = lost_answer(sandbox_rt, "SMa-0")
    assert sandbox_records(redis)[0]["date_sent"] is None  # queued: no DateSent yet
    assert outbound.send_one(sandbox_rt, "SMa-0") == "queued"
    msg = sandbox_rt.messages.load_outbound("SMa-0")
    assert msg.twilio_sid == accepted.sid
    assert len(sandbox_records(redis)) == 1  # not sent twice


def test_identical_replies_a_moment_apart_are_both_sent(sandbox_rt, redis):
    number = "+5215511110002"
    record(sandbox_rt, "SMb-0", number, "No entendí. Escriba MENU.")
    assert outbound.send_one(sandbox_rt, "SMb-0") == "queued"
    # The second, same words, died before Twilio got it: the first one is not taken for it.
    record(sandbox_rt, "SMc-0", number, "No entendí. Escriba MENU.")
    sandbox_rt.messages.mark_outbound("SMc-0", "sending")
    assert outbound.send_one(sandbox_rt, "SMc-0") == "queued"
    first, second = (sandbox_rt.messages.load_outbound(i) for i in ("SMb-0", "SMc-0"))
    assert first.twilio_sid != second.twilio_sid
    assert [r["body"] for r in sandbox_records(redis)] == ["No entendí. Escriba MENU."] * 2


def test_a_template_sent_before_the_crash_is_found_by_its_rendered_words(sandbox_rt, redis):
    number = "+5215511110003"
    record(sandbox_rt, "SMd-0", number, "Su registro está listy", to=f"whatsapp:{number}",
           sender=WHATSAPP_NUMBER, content_sid="HX" + "1" * 32)
    accepted = lost_answer(sandbox_rt, "SMd-0")
    assert sandbox_records(redis)[0]["body"] != "Su registro está listy"  # rendered
    outbound.send_one(sandbox_rt, "SMd-0")
    assert sandbox_rt.messages.load_outbound("SMd-0").twilio_sid == accepted.sid
    assert len(sandbox_records(redis)) == 1


def test_a_send_whose_attempt_never_reached_twilio_is_sent(sandbox_rt, redis):
    record(sandbox_rt, "SMe-0", "+5215511110004", "hola")
    sandbox_rt.messages.mark_outbound("SMe-0", "sending")
    outbound.send_one(sandbox_rt, "SMe-0")
    assert len(sandbox_records(redis)) == 1


def test_every_send_carries_its_own_id_in_the_callback_url(sandbox_rt, redis):
    record(sandbox_rt, "SMf-0", "+5215511110005", "hola")
    outbound.send_one(sandbox_rt, "SMf-0")
    callback = sandbox_records(redis)[0]["_status_callback"]
    assert callback == sandbox_rt.settings.status_callback_url + "?send=SMf-0"


def test_the_sandbox_filters_by_date_sent_as_twilio_does(sandbox_rt, sandbox):
    client = sandbox_rt.twilio
    sent = client.messages.create(to="+5215511110006", from_=SMS_NUMBER, body="uno")
    hold(sandbox)
    queued = client.messages.create(to="+5215511110006", from_=SMS_NUMBER, body="dos")
    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    after = {m.sid for m in client.messages.list(to="+5215511110006", date_sent_after=since)}
    assert sent.sid in after and queued.sid not in after
    assert {m.sid for m in client.messages.list(
        to="+5215511110006", date_sent_before=since)} == set()
    everything = {m.sid for m in client.messages.list(to="+5215511110006")}
    assert everything == {sent.sid, queued.sid}


def test_a_bad_date_sent_filter_is_twilios_400(sandbox):
    response = requests.get(
        f"{sandbox.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        params={"DateSent>": "yesterday"}, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
    assert response.status_code == 400 and response.json()["code"] == 20001
