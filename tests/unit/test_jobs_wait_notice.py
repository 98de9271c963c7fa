"""A person whose answer is written but stuck in their outbox line (the line held by a killed
worker) is told once that it is on its way, around the held line; never twice for one batch
(whether told while it waited in the inbox or at an earlier sweep), never after the answer
left, never to someone who opted out on that channel. Real Redis, RQ and the Twilio sandbox."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from hotline import jobs
from hotline.messaging import delivery, inbound, outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound, Outbound
from hotline.runtime import OUTBOUND_QUEUE, Runtime
from support import SMS_NUMBER, sandbox_records


@pytest.fixture
def waiting_rt(sandbox_rt, monkeypatch) -> Runtime:
    """The test's runtime, telling at once, is also the worker's and the sweeper's."""
    rt = Runtime(replace(sandbox_rt.settings, delay_notice_seconds=0))
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)
    return rt


def work(rt: Runtime) -> None:
    SimpleWorker([rt.queue(OUTBOUND_QUEUE)], connection=rt.rq_redis,
                 serializer=JSONSerializer).work(burst=True)


def stuck_reply(rt: Runtime, number: str, sid: str, lang: str = "es") -> tuple[str, str]:
    """A reply to `sid` written, queued, and its line held by a worker that was killed."""
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_language(contact_id, lang, chosen=True)
    out_id = outbound.queue_message(rt, contact_id, to=number, sender=SMS_NUMBER,
                                    body="Su cita es el lunes.", kind=outbound.REPLY,
                                    out_id=f"{sid}-0")
    rt.queue(OUTBOUND_QUEUE).empty()  # the drain job died with its worker
    assert outbound.outbox(rt).acquire(contact_id) is not None
    return contact_id, out_id


def test_a_reply_stuck_behind_a_killed_worker_is_announced_once(waiting_rt, redis):
    rt = waiting_rt
    number = "+5215512349001"
    contact_id, out_id = stuck_reply(rt, number, "SM" + "a" * 32)
    assert jobs.sweep()["told_waiting"] == 1
    work(rt)
    sent = sandbox_records(redis)
    assert [(r["to"], r["body"]) for r in sent] == [
        (number, delivery.wire_body(number, rt.catalogs.text("delay.on_its_way", "es")))]
    assert outbound.outbox(rt).pending(contact_id) == [out_id]  # the answer still waits
    notice = rt.messages.load_outbound("SM" + "a" * 32 + "-wait")
    assert notice.kind == outbound.NOTICE and notice.twilio_sid == sent[0]["sid"]
    # Never twice for this batch, however many sweeps come by while the line is held.
    for _ in range(3):
        assert jobs.sweep()["told_waiting"] == 0
    work(rt)
    assert len(sandbox_records(redis)) == 1


def test_a_batch_told_while_in_the_inbox_is_not_told_again_in_the_outbox(waiting_rt, redis):
    rt = waiting_rt
    number = "+5215512349002"
    sid = "SM" + "b" * 32
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    inbound.accept(rt, Inbound(sid=sid, contact_id=contact_id, channel="sms", sender=number,
                               to=SMS_NUMBER, body="hola", num_media=0,
                               received_at=time.time() - 60))
    assert jobs.sweep()["told_waiting"] == 1  # told while the message waited in the inbox
    rt.redis.lpop(f"hl:inbox:{contact_id}")  # answered: its reply is written...
    stuck_reply(rt, number, sid)  # ...and stuck in the outbox
    assert jobs.sweep()["told_waiting"] == 0


def test_nobody_who_opted_out_on_that_channel_is_told(waiting_rt, redis):
    rt = waiting_rt
    contact_id, _ = stuck_reply(rt, "+5215512349003", "SM" + "c" * 32)
    rt.contacts.set_opted_out(contact_id, True, channel="sms")
    assert jobs.sweep()["told_waiting"] == 0
    work(rt)
    assert sandbox_records(redis) == []
    assert rt.messages.load_outbound("SM" + "c" * 32 + "-wait") is None


def test_a_stop_between_the_sweep_and_the_send_wins(waiting_rt, redis):
    rt = waiting_rt
    contact_id, _ = stuck_reply(rt, "+5215512349004", "SM" + "d" * 32)
    assert jobs.sweep()["told_waiting"] == 1
    rt.contacts.set_opted_out(contact_id, True, channel="sms")
    work(rt)
    assert sandbox_records(redis) == []
    assert rt.messages.load_outbound("SM" + "d" * 32 + "-wait").status == "refused"


def test_no_notice_once_the_answer_has_left(waiting_rt, redis):
    rt = waiting_rt
    _, out_id = stuck_reply(rt, "+5215512349005", "SM" + "e" * 32)
    assert jobs.sweep()["told_waiting"] == 1
    # The killed worker's lock ran out and the answer left before the notice's job ran.
    rt.messages.mark_outbound(out_id, "queued", twilio_sid="SM" + "9" * 32)
    work(rt)
    assert sandbox_records(redis) == []
    assert rt.messages.load_outbound("SM" + "e" * 32 + "-wait").status == "canceled"


def test_a_fresh_reply_is_not_announced(sandbox_rt, monkeypatch):
    monkeypatch.setattr("hotline.runtime._process_runtime", sandbox_rt)
    assert sandbox_rt.settings.delay_notice_seconds > 5
    stuck_reply(sandbox_rt, "+5215512349006", "SM" + "f" * 32)  # a moment ago: not late yet
    assert jobs.sweep()["told_waiting"] == 0


def test_a_resent_copy_and_a_notice_are_not_announced(waiting_rt):
    rt = waiting_rt
    for out_id, kind in (("SM" + "g" * 32 + "-0~r1", outbound.REPLY),
                         ("SM" + "h" * 32 + "-hold", outbound.NOTICE)):
        number = "+52155123490" + ("07" if kind == outbound.REPLY else "08")
        contact_id = rt.contacts.touch_inbound(parse_address(number))
        rt.messages.create_outbound(Outbound(id=out_id, contact_id=contact_id, to=number,
                                             sender=SMS_NUMBER, body="x", kind=kind))
        outbound.outbox(rt).push(contact_id, out_id)
        outbound.outbox(rt).acquire(contact_id)
    assert jobs.sweep()["told_waiting"] == 0
