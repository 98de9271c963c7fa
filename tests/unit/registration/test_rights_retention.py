"""MIS DATOS / MY DATA tells the person the retention rule (silent this many days, everything is
erased; writing anything keeps it): the hotline never texts a silent person before erasing them
(README, "Keys and personal data"), so this is where they learn it."""

from __future__ import annotations

import dataclasses
import time

from hotline.messaging import inbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.registration import rights
from hotline.runtime import Runtime
from support import SMS_NUMBER
from support.people import values

NUMBER = "+5215512345678"


def my_data(rt, body: str = "MIS DATOS") -> str:
    cid = rt.contacts.touch_inbound(parse_address(NUMBER))
    rt.registrations.create(values(name="Ana Ruiz"), cid, "sms", "es")
    sid = "SM" + "7" * 32
    rt.messages.save_inbound(Inbound(sid, cid, "sms", NUMBER, SMS_NUMBER, body, 0, time.time()),
                             3600)
    inbound.handle(rt, sid)
    [reply] = rt.messages.load_inbound(sid).replies
    return reply["text"]


def test_the_answer_says_how_long_silence_keeps_the_data(rt, settings):
    rule = rt.catalogs.text("mydata.retention", "es", days=settings.retention_days).strip()
    text = my_data(rt)
    assert rule in text and str(settings.retention_days) in text
    assert len(text) <= 3 * 153  # still a few SMS segments


def test_in_english_and_with_the_configured_days(settings, redis):
    rt = Runtime(dataclasses.replace(settings, retention_days=200))
    text = my_data(rt, "MY DATA")
    assert "200 days" in text and "Writing anything keeps it" in text


def test_no_rule_when_retention_is_off(rt):
    with_rule = rights.summary(rt.catalogs, "es", NUMBER, "es", None, 90, retention_days=365)
    without = rights.summary(rt.catalogs, "es", NUMBER, "es", None, 90, retention_days=0)
    assert "365" in with_rule and "365" not in without
