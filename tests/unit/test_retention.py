"""Retention (`hotline.erasure.retention`): people silent longer than HOTLINE_RETENTION_DAYS
are erased automatically, their registrations shown to organizations with the day first
(HOTLINE_RETENTION_NOTICE_DAYS ahead), unmarked when they write again; run at most hourly."""

from __future__ import annotations

import dataclasses
import time

from hotline import erasure
from hotline.messaging.channels import parse_address
from hotline.runtime import Runtime
from support.people import values

DAY = 86400


def person(rt, number: str, silent_days: float, n: int) -> tuple[str, str]:
    cid = rt.contacts.touch_inbound(parse_address(number))
    rt.redis.hset(f"hl:contact:{cid}", "last_inbound_at", time.time() - silent_days * DAY)
    reg = rt.registrations.create(values(a_number=f"0{n:08d}", phone=number), cid, "sms", "es")
    return cid, reg.reference


def test_silent_people_are_erased_and_organizations_warned_first(rt):
    now = time.time()
    gone = person(rt, "+5215510000001", 400, 1)
    warned = person(rt, "+5215510000002", 350, 2)
    active = person(rt, "+5215510000003", 10, 3)
    counts = erasure.retention(rt, now=now, force=True)
    assert counts == {"erased": 1, "marked": 1, "unmarked": 0}
    assert rt.registrations.get(gone[1], actor=None) is None and rt.contacts.get(gone[0]) is None
    day = time.strftime("%Y-%m-%d", time.gmtime(now - 350 * DAY + 365 * DAY))
    rows = {r["reference"]: r for r in rt.registrations.summaries()}
    assert rows[warned[1]]["erase_on"] == day  # in the organizations' list
    assert rows[active[1]]["erase_on"] == ""
    # The warned person writes again: unmarked at the next pass, and kept.
    rt.contacts.touch_inbound(parse_address("+5215510000002"))
    assert erasure.retention(rt, force=True)["unmarked"] == 1
    assert rt.registrations.get(warned[1], actor=None).erase_on == ""


def test_zero_days_keeps_everyone(rt, settings):
    keep = Runtime(dataclasses.replace(settings, retention_days=0))
    cid, ref = person(keep, "+5215510000009", 5000, 9)
    assert erasure.retention(keep, force=True) == {"erased": 0, "marked": 0, "unmarked": 0}
    assert keep.registrations.get(ref, actor=None) is not None


def test_it_runs_at_most_once_an_hour(rt):
    person(rt, "+5215510000004", 400, 4)
    assert erasure.retention(rt)["erased"] == 1
    person(rt, "+5215510000005", 400, 5)
    assert erasure.retention(rt)["erased"] == 0  # the hour is not over


def test_contacts_that_never_wrote_are_not_aged(rt):
    cid = rt.contacts.touch_inbound(parse_address("+5215510000006"))
    rt.redis.hdel(f"hl:contact:{cid}", "last_inbound_at")
    assert erasure.retention(rt, force=True)["erased"] == 0
    assert rt.contacts.get(cid) is not None
