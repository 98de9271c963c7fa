"""Status callbacks as Twilio sends them: twice, out of order, before our record knows the
message, and with the error codes Twilio documents for a final failure (the review's M15/L4;
the payload review's 21610 and 63018 in a callback)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from hotline.messaging import deadletters, messages, outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.twilio_client import sign
from hotline.runtime import Runtime
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER

BASE = "http://localhost/twilio/status"


def post_status(client, sid, status, error=None, send=None):
    url = BASE + (f"?send={send}" if send else "")
    params = {"AccountSid": ACCOUNT_SID, "MessageSid": sid, "SmsSid": sid,
              "MessageStatus": status, "SmsStatus": status, "From": SMS_NUMBER,
              "To": "+5215512345678"}
    if error:
        params["ErrorCode"] = str(error)
    response = client.post(url, data=params, headers={"X-Twilio-Signature": sign(AUTH_TOKEN,
                                                                                 url, params)})
    assert response.status_code == 204
    return response


def reply(rt, number="+5215512345678", body="respuesta", out_id="SMin-0", sid=None,
          to=None, sender=SMS_NUMBER) -> str:
    """A reply recorded and (with `sid`) accepted by Twilio as `sid`."""
    contact_id = rt.contacts.touch_inbound(parse_address(to or number))
    rt.messages.create_outbound(messages.Outbound(
        id=out_id, contact_id=contact_id, to=to or number, sender=sender, body=body,
        kind=outbound.REPLY))
    if sid:
        rt.messages.mark_outbound(out_id, "queued", twilio_sid=sid)
    return contact_id


def status(rt, out_id="SMin-0"):
    return rt.messages.load_outbound(out_id).status


@pytest.mark.parametrize("order,final", [
    (["sent", "delivered"], "delivered"),
    (["delivered", "sent"], "delivered"),  # the late "sent" does not undo "delivered"
    (["sent", "read", "delivered", "sent"], "read"),
    (["delivered", "delivered"], "delivered"),
    (["sent", "undelivered"], "undelivered"),
])
def test_a_state_never_moves_backwards(client, rt, order, final):
    reply(rt, sid="SM" + "1" * 32)
    for state in order:
        post_status(client, "SM" + "1" * 32, state)
    assert status(rt) == final
    history = [json.loads(h)["status"] for h in rt.messages.redis.lrange(
        messages.HISTORY_KEY.format("SMin-0"), 0, -1)]
    assert len(history) == len(order)


def test_the_send_answering_late_does_not_undo_a_callback(rt):
    """Twilio's callback can beat our own record of its answer: "sent" stays "sent"."""
    reply(rt)
    rt.messages.mark_outbound("SMin-0", "sending")
    rt.messages.record_delivery("SM" + "2" * 32, "sent", None, send_id="SMin-0")
    rt.messages.mark_outbound("SMin-0", "queued", twilio_sid="SM" + "2" * 32)
    assert status(rt) == "sent"


def test_a_tagged_callback_names_its_record_before_the_record_knows_twilios_sid(client, rt):
    reply(rt)
    rt.messages.mark_outbound("SMin-0", "sending")  # our worker died before Twilio's answer
    post_status(client, "SM" + "3" * 32, "sent", send="SMin-0")
    msg = rt.messages.load_outbound("SMin-0")
    assert msg.status == "sent" and msg.twilio_sid == "SM" + "3" * 32
    assert rt.messages.owner_of("SM" + "3" * 32) == "SMin-0"
    # The retried send finds it there and sends nothing.
    assert outbound.send_one(rt, "SMin-0") == "sent"


def test_an_untagged_callback_before_its_record_is_kept_and_applied_later(client, rt, sandbox):
    srt = Runtime(dataclasses.replace(rt.settings, twilio_api_base_url=sandbox.url))
    contact_id = reply(srt)
    # A callback for a message we have not recorded yet (a broadcast's or a reply's).
    post_status(client, "SMearly", "delivered")
    assert rt.messages.take_early("SMearly") == [{"status": "delivered", "error_code": None}]
    post_status(client, "SMearly", "delivered")
    srt.messages.mark_outbound("SMin-0", "queued", twilio_sid="SMearly")
    outbound.callbacks_early(srt, "SMearly")
    assert status(srt) == "delivered"
    assert contact_id


def test_21610_in_a_callback_opts_the_person_out(client, rt):
    contact_id = reply(rt, sid="SM" + "4" * 32)
    post_status(client, "SM" + "4" * 32, "failed", error=21610)
    # On the channel the reply went by (an SMS here); WhatsApp is the person's to decide.
    assert rt.contacts.is_opted_out(contact_id, "sms")
    assert not rt.contacts.is_opted_out(contact_id, "whatsapp")


def test_21614_in_a_callback_marks_the_number_undeliverable(client, rt):
    contact_id = reply(rt, sid="SM" + "5" * 32)
    post_status(client, "SM" + "5" * 32, "undelivered", error=21614)
    assert rt.contacts.get(contact_id).undeliverable


def delayed_jobs(rt):
    registry = rt.queue("outbound").scheduled_job_registry
    return [rt.queue("outbound").fetch_job(job_id) for job_id in registry.get_job_ids()]


def app_with(settings, **overrides):
    """The gateway and a runtime sharing settings other than the defaults."""
    from webhooks import create_app

    changed = dataclasses.replace(settings, **overrides)
    app = create_app(changed)
    app.config.update(TESTING=True)
    return app.test_client(), Runtime(changed)


def test_a_passing_failure_is_sent_again_later_a_bounded_number_of_times(settings, redis):
    client, rt = app_with(settings, send_failure_retries=2, send_failure_backoff_seconds=30)
    contact_id = reply(rt, sid="SM" + "6" * 32, body="su respuesta")
    post_status(client, "SM" + "6" * 32, "failed", error=63018)
    post_status(client, "SM" + "6" * 32, "failed", error=63018)  # Twilio repeats: one retry
    jobs = delayed_jobs(rt)
    assert [j.args for j in jobs] == [[contact_id, "SMin-0~r1"]]
    retry = rt.messages.load_outbound("SMin-0~r1")
    assert (retry.body, retry.to, retry.status) == ("su respuesta", "+5215512345678", "pending")
    # Not in the outbox until its wait is over; then once.
    assert outbound.outbox(rt).pending(contact_id) == []
    assert outbound.release(rt, contact_id, "SMin-0~r1") is True
    assert outbound.release(rt, contact_id, "SMin-0~r1") is False
    assert outbound.outbox(rt).pending(contact_id) == ["SMin-0~r1"]
    # It fails again (30001): the second retry waits twice as long; a third failure gives up.
    rt.messages.mark_outbound("SMin-0~r1", "queued", twilio_sid="SM" + "7" * 32)
    post_status(client, "SM" + "7" * 32, "failed", error=30001)
    rt.messages.mark_outbound("SMin-0~r2", "queued", twilio_sid="SM" + "8" * 32)
    post_status(client, "SM" + "8" * 32, "failed", error=30001)
    assert rt.messages.load_outbound("SMin-0~r3") is None
    assert rt.redis.hget(messages.OUT_KEY.format("SMin-0~r2"), "gave_up") == "30001"
    # Not dropped: a copy waits in the supervisors' dead letters; their retry sends it.
    [entry] = deadletters.listing(rt.redis)
    assert (entry["line"], entry["item"], entry["contact_id"]) == ("outbox", "SMin-0~d",
                                                                   contact_id)
    assert rt.messages.load_outbound("SMin-0~d").status == "pending"
    assert "SMin-0~d" not in outbound.outbox(rt).pending(contact_id)


def test_outside_whatsapps_window_goes_again_as_the_template(settings, redis):
    client, rt = app_with(settings, whatsapp_content_sid="HX" + "0" * 32)
    number = "+5215512345679"
    contact_id = reply(rt, number=number, to=f"whatsapp:{number}", sender=WHATSAPP_NUMBER,
                       sid="SM" + "9" * 32, body="Gracias por esperar")
    post_status(client, "SM" + "9" * 32, "failed", error=63016)
    again = rt.messages.load_outbound("SMin-0~w")
    assert again.content_sid == "HX" + "0" * 32 and again.body == "Gracias por esperar"
    assert again.to == f"whatsapp:{number}"
    assert outbound.outbox(rt).pending(contact_id) == ["SMin-0~w"]


def test_outside_whatsapps_window_falls_back_to_sms_where_allowed(client, rt):
    number = "+5215512345680"
    contact_id = reply(rt, number=number, to=f"whatsapp:{number}", sender=WHATSAPP_NUMBER,
                       sid="SM" + "a" * 32)
    rt.contacts.allow_sms(contact_id)
    post_status(client, "SM" + "a" * 32, "undelivered", error=63016)
    again = rt.messages.load_outbound("SMin-0~w")
    # By SMS to the number's canonical form (+52, not WhatsApp's +52 1).
    assert (again.to, again.sender, again.content_sid) == ("+525512345680", SMS_NUMBER, None)


def test_outside_the_window_with_no_other_way_is_noted_not_dropped(client, rt):
    number = "+5215512345681"
    reply(rt, number=number, to=f"whatsapp:{number}", sender=WHATSAPP_NUMBER,
          sid="SM" + "b" * 32)
    post_status(client, "SM" + "b" * 32, "failed", error=63016)
    assert rt.messages.load_outbound("SMin-0~w") is None
    assert rt.redis.hget(messages.OUT_KEY.format("SMin-0"), "gave_up").startswith("63016")


def test_a_malformed_error_code_is_recorded_and_nothing_else(client, rt):
    contact_id = reply(rt, sid="SM" + "c" * 32)
    post_status(client, "SM" + "c" * 32, "failed", error="not-a-code")
    assert status(rt) == "failed" and not rt.contacts.is_opted_out(contact_id)
    assert rt.messages.load_outbound("SMin-0").error_code is None
