"""Accepting a message: seen, stored and queued in one step, and a repeat of one still waiting
queued again instead of thrown away (the review's M1)."""

from __future__ import annotations

import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from hotline.messaging import flow, inbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import ACCEPTED, REPEATED, REQUEUED, Inbound
from support import SMS_NUMBER

NUMBER = "+5215512345670"


def message(rt, sid="SM" + "1" * 32, body="hola", number=NUMBER) -> Inbound:
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    return Inbound(sid=sid, contact_id=contact_id, channel="sms", sender=number, to=SMS_NUMBER,
                   body=body, num_media=0, received_at=time.time())


def jobs(rt) -> int:
    return rt.queue("inbound").count


def test_a_new_message_is_seen_stored_in_the_transcript_and_queued_together(rt):
    msg = message(rt)
    assert inbound.accept(rt, msg) is True
    assert rt.messages.load_inbound(msg.sid).state == "received"
    assert inbound.inbox(rt).pending(msg.contact_id) == [msg.sid]
    assert msg.contact_id in inbound.inbox(rt).active_keys()
    assert [e["text"] for e in rt.messages.transcript(msg.contact_id)] == ["hola"]
    assert jobs(rt) == 1


def test_a_crash_before_the_job_was_queued_is_mended_by_twilios_retry(rt, monkeypatch):
    """The old order (seen, then record, then queue) lost the message here for good: the retry
    was discarded as a repeat. Now the record and its place in the line are one step, and the
    retry schedules the job that was never queued."""
    msg = message(rt)
    real_queue = rt.queue

    def broken(name):
        raise RedisConnectionError("worker queue unreachable")

    monkeypatch.setattr(rt, "queue", broken)
    with pytest.raises(RedisConnectionError):
        inbound.accept(rt, msg)  # the webhook answers 500: Twilio tries again
    monkeypatch.setattr(rt, "queue", real_queue)
    assert jobs(rt) == 0
    rt.redis.delete(flow.JOB_KEY.format(msg.contact_id))  # the marker outlived the lost job
    assert inbound.accept(rt, msg) is False  # not a new message...
    assert inbound.inbox(rt).pending(msg.contact_id) == [msg.sid]  # ...still queued once
    assert jobs(rt) == 1  # ...and now scheduled
    assert len(rt.messages.transcript(msg.contact_id)) == 1


def test_a_waiting_message_that_fell_out_of_its_line_is_queued_again(rt):
    msg = message(rt)
    rt.messages.save_inbound(msg, 3600)  # stored, never queued (an older gateway's crash)
    assert rt.messages.accept_inbound(msg, 3600, queue=inbound.inbox(rt).keys(
        msg.contact_id)) == REQUEUED
    assert inbound.inbox(rt).pending(msg.contact_id) == [msg.sid]
    # A second repeat does not queue it twice.
    assert rt.messages.accept_inbound(msg, 3600, queue=inbound.inbox(rt).keys(
        msg.contact_id)) == REQUEUED
    assert inbound.inbox(rt).pending(msg.contact_id) == [msg.sid]


@pytest.mark.parametrize("state", ["answered", "done", "batched"])
def test_a_repeat_of_a_message_being_answered_or_answered_is_dropped(rt, state):
    msg = message(rt)
    keys = inbound.inbox(rt).keys(msg.contact_id)
    assert rt.messages.accept_inbound(msg, 3600, queue=keys) == ACCEPTED
    rt.messages.set_inbound_state(msg.sid, state)
    rt.redis.delete(keys[0])
    assert rt.messages.accept_inbound(msg, 3600, queue=keys) == REPEATED
    assert inbound.inbox(rt).pending(msg.contact_id) == []


def test_concurrent_deliveries_of_one_sid_store_and_queue_it_once(rt):
    import threading

    msg = message(rt)
    results = []
    threads = [threading.Thread(target=lambda: results.append(inbound.accept(rt, msg)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert inbound.inbox(rt).pending(msg.contact_id) == [msg.sid]
    assert len(rt.messages.transcript(msg.contact_id)) == 1
