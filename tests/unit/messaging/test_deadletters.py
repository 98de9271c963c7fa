"""Dead letters against real Redis: a message that keeps failing is set aside after N attempts
and the person's line moves on; a message whose worker dies in it counts too; an outage's errors
are not counted as the item's fault until they have lasted too long; erasure removes entries."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from hotline import erasure
from hotline.errors import AssistantUnavailable
from hotline.messaging import deadletters, inbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.messaging.serial import SerialQueue
from hotline.runtime import Runtime
from support import SMS_NUMBER


class Died(BaseException):
    """Stands for a worker killed mid-handle: nothing after it runs, nothing is caught."""


def guarded(redis, handle, attempts=3, transient_seconds=3600.0):
    return deadletters.guard(redis, "inbox", "c1", handle, attempts=attempts,
                             transient_seconds=transient_seconds, dead="dead")


def test_a_poison_item_is_set_aside_after_n_attempts_and_the_line_moves_on(redis):
    line = SerialQueue(redis, "inbox")
    for item in ("SMpoison", "SMnext"):
        line.push("c1", item)
    handled = []

    def handle(item):
        if item == "SMpoison":
            raise ValueError("cannot read this record")
        handled.append(item)

    attempts = 0
    for _ in range(10):
        try:
            line.drain("c1", guarded(redis, handle))
        except ValueError:
            attempts += 1
            continue
        break
    # Two attempts raised for RQ's retries; the third set it aside and the line went on.
    assert attempts == 2
    assert handled == ["SMnext"] and line.pending("c1") == []
    [entry] = deadletters.listing(redis)
    assert (entry["kind"], entry["line"], entry["item"], entry["contact_id"], entry["attempts"]) \
        == ("line", "inbox", "SMpoison", "c1", 3)
    assert entry["error"] == "ValueError: cannot read this record"
    assert not redis.keys("hl:dead:tries:*")


def test_without_the_guard_the_poison_item_blocks_the_line(redis):
    # What the dead letters fix: the same line drained with the bare handler never moves on.
    line = SerialQueue(redis, "inbox")
    for item in ("SMpoison", "SMnext"):
        line.push("c1", item)

    def handle(item):
        raise ValueError("cannot read this record")

    for _ in range(10):
        with pytest.raises(ValueError):
            line.drain("c1", handle)
    assert line.pending("c1") == ["SMpoison", "SMnext"]


def test_an_item_that_kills_its_worker_is_set_aside_without_running_again(redis):
    runs = []

    def handle(item):
        runs.append(item)
        raise Died()

    guard = guarded(redis, handle, attempts=2)
    for _ in range(2):
        with pytest.raises(Died):
            guard("SMkiller")
    assert guard("SMkiller") == "dead"
    assert runs == ["SMkiller", "SMkiller"]
    [entry] = deadletters.listing(redis)
    assert "stopped" in entry["error"] and entry["attempts"] == 2


def test_an_outage_is_not_the_items_fault_until_it_lasts_too_long(redis):
    calls = []

    def down(item):
        calls.append(item)
        raise AssistantUnavailable("rasa is down")

    guard = guarded(redis, down, attempts=2, transient_seconds=0.3)
    for _ in range(6):  # many more than `attempts`: still retried, never set aside
        with pytest.raises(AssistantUnavailable):
            guard("SMwaiting")
    assert deadletters.listing(redis) == []
    time.sleep(0.35)
    assert guard("SMwaiting") == "dead"
    [entry] = deadletters.listing(redis)
    assert entry["error"].startswith("AssistantUnavailable")


def test_a_success_forgets_the_failures_before_it(redis):
    outcomes = iter([ValueError("once"), ValueError("twice"), None, ValueError("again")])

    def flaky(item):
        outcome = next(outcomes)
        if outcome:
            raise outcome
        return "ok"

    guard = guarded(redis, flaky, attempts=3)
    for _ in range(2):
        with pytest.raises(ValueError):
            guard("SMflaky")
    assert guard("SMflaky") == "ok"
    with pytest.raises(ValueError):  # a fresh count: one failure is not three
        guard("SMflaky")
    assert deadletters.listing(redis) == []


def test_retry_is_taken_once_and_entries_go_with_the_person(redis):
    first = deadletters.add(redis, deadletters.LINE, "ValueError", 5, contact_id="c-erased",
                            line="inbox", item="SM1")
    job = deadletters.add(redis, deadletters.JOB, "KeyError", 6, func="hotline.jobs.send_reminder",
                          args=["R-0001", 2], queue="outbound", names=["R-0001"])
    other = deadletters.add(redis, deadletters.LINE, "ValueError", 5, contact_id="c-stays",
                            line="outbox", item="o1")
    assert deadletters.take_for_retry(redis, other, "jefa")["retried_by"] == "jefa"
    assert deadletters.take_for_retry(redis, other, "otra") is None
    assert deadletters.waiting(redis) == 2
    assert deadletters.forget(redis, ["c-erased", "R-0001"]) == 2
    assert deadletters.get(redis, first) is None and deadletters.get(redis, job) is None
    assert deadletters.get(redis, other) is not None


def test_erasure_removes_the_dead_letters_naming_the_person(rt):
    contact_id = rt.contacts.touch_inbound(parse_address("+5215512340001"))
    deadletters.add(rt.redis, deadletters.LINE, "ValueError", 5, contact_id=contact_id,
                    line="inbox", item="SM1")
    counts = erasure.erase(rt, contact_id)
    assert counts["dead_letters"] == 1
    assert deadletters.listing(rt.redis, state=None) == []


def test_a_poison_inbound_message_goes_to_the_dead_letters_and_the_next_is_answered(
        rt, monkeypatch):
    rt = Runtime(replace(rt.settings, dead_letter_attempts=2))
    contact_id = rt.contacts.touch_inbound(parse_address("+5215512340002"))
    sids = ["SM" + "p" * 32, "SM" + "n" * 32]
    for sid, body in zip(sids, ("ayuda", "ayuda")):
        inbound.accept(rt, Inbound(sid=sid, contact_id=contact_id, channel="sms",
                                   sender="+5215512340002", to=SMS_NUMBER, body=body,
                                   num_media=0, received_at=time.time()))
    answered = []
    real_handle = inbound.handle

    def handle(rt_, sid):
        if sid == sids[0]:
            raise KeyError("a record this code cannot read")
        answered.append(sid)
        return real_handle(rt_, sid)

    monkeypatch.setattr(inbound, "handle", handle)
    with pytest.raises(KeyError):
        inbound.drain(rt, contact_id)
    for _ in range(4):
        inbound.drain(rt, contact_id)
    assert answered == [sids[1]]
    assert inbound.inbox(rt).pending(contact_id) == []
    [entry] = deadletters.listing(rt.redis)
    assert (entry["item"], entry["contact_id"]) == (sids[0], contact_id)
