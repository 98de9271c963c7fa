"""Handing one message to Twilio (the sandbox): errors read as transient or permanent, the
contact marked on a permanent one, and an attempt whose answer was lost found again."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from hotline.errors import TransientSendError
from hotline.messaging import delivery
from hotline.messaging.channels import parse_address
from hotline.runtime import Runtime
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER, sandbox_records


def fault(sandbox, status: int, count: int) -> None:
    requests.post(sandbox.url + "/_sandbox/faults", json={"status": status, "count": count},
                  auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).raise_for_status()


def contact(rt, number: str) -> str:
    return rt.contacts.touch_inbound(parse_address(number))


@pytest.mark.parametrize("status,transient", [
    (429, True), (500, True), (503, True), (400, False), (404, False)])
def test_rate_limits_and_twilio_failures_are_transient(status, transient):
    exc = TwilioRestException(status, "/Messages.json", "refused", code=20000 + status)
    assert delivery.is_transient(exc) is transient


def test_an_accepted_message_comes_back_with_its_sid(sandbox_rt, redis):
    cid = contact(sandbox_rt, "+5215511111111")
    message = delivery.create(sandbox_rt, cid, "+5215511111111", SMS_NUMBER, "hola",
                              callback=False)
    assert message.sid.startswith("SM")
    assert [r["body"] for r in sandbox_records(redis)] == ["hola"]


@pytest.mark.parametrize("number,code,mark", [
    ("+15005550004", 21610, "opted_out"), ("+15005550001", 21211, "undeliverable")])
def test_a_permanent_refusal_marks_the_contact_and_is_not_retried(sandbox_rt, number, code, mark):
    cid = contact(sandbox_rt, number)
    calls = []
    with pytest.raises(delivery.SendRefused) as refused:
        delivery.create(sandbox_rt, cid, number, SMS_NUMBER, "x", waits=(0, 0),
                        callback=False, pace=lambda: calls.append(1))
    assert refused.value.code == code and len(calls) == 1
    assert getattr(sandbox_rt.contacts.get(cid), mark)


def test_transient_errors_wait_and_try_again_then_give_up(sandbox_rt, sandbox, redis):
    cid = contact(sandbox_rt, "+5215522222222")
    fault(sandbox, 429, 2)
    calls = []
    delivery.create(sandbox_rt, cid, "+5215522222222", SMS_NUMBER, "third time",
                    waits=(0, 0), callback=False, pace=lambda: calls.append(1))
    assert len(calls) == 3 and len(sandbox_records(redis)) == 1
    fault(sandbox, 503, 2)
    with pytest.raises(TransientSendError) as failed:
        delivery.create(sandbox_rt, cid, "+5215522222222", SMS_NUMBER, "once", waits=(0,),
                        callback=False)
    assert (failed.value.status, failed.value.code) == (503, 20500)
    assert len(sandbox_records(redis)) == 1
    assert not sandbox_rt.contacts.get(cid).opted_out


def test_an_unreachable_twilio_is_transient(sandbox_rt):
    offline = Runtime(replace(sandbox_rt.settings, twilio_api_base_url="http://127.0.0.1:9"))
    with pytest.raises(TransientSendError, match="unreachable"):
        delivery.create(offline, "c", "+5215533333333", SMS_NUMBER, "x", callback=False)
    with pytest.raises(TransientSendError, match="earlier attempt"):
        delivery.accepted_earlier(offline, ["+5215533333333"], {"x"}, time.time())


def test_an_attempt_whose_answer_was_lost_is_found_again(sandbox_rt):
    recorded_at = time.time()
    cid = contact(sandbox_rt, "+5215544444444")
    accepted = delivery.create(sandbox_rt, cid, "whatsapp:+5215544444444", WHATSAPP_NUMBER,
                               "noticias", callback=False)
    both = ["+5215544444444", "whatsapp:+5215544444444"]
    found = delivery.accepted_earlier(sandbox_rt, both, {"news", "noticias"}, recorded_at)
    assert found is not None and found.sid == accepted.sid
    # Other words, another recipient or another sender: not that attempt.
    assert delivery.accepted_earlier(sandbox_rt, both, {"otra cosa"}, recorded_at) is None
    assert delivery.accepted_earlier(sandbox_rt, ["+5215544444444"], {"noticias"},
                                     recorded_at) is None
    assert delivery.accepted_earlier(sandbox_rt, both, {"noticias"}, recorded_at,
                                     sender=SMS_NUMBER) is None
