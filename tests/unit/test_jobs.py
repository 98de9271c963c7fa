"""Jobs against real Redis and a real RQ worker: a job whose last retry failed becomes a dead
letter (and RQ keeps it days, not a year); a supervisor's retry puts it back; the sweep starts
scheduled broadcasts and reminders whose jobs were lost, returns idle claims, and tells a person
whose answer is late, once."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from rq import Retry, SimpleWorker
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from hotline import jobs
from hotline.handoff import queue as escalations
from hotline.messaging import deadletters, inbound, outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.outreach import store as bc_store
from hotline.registration import notify
from hotline.runtime import FAILED_JOB_TTL, OUTBOUND_QUEUE, Runtime
from support import SMS_NUMBER, sandbox_records
from support.people import person


def soon() -> str:
    return (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()


@pytest.fixture
def worker_rt(rt, monkeypatch):
    """The test's runtime is also the worker process's (jobs call process_runtime())."""
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)
    return rt


def work(rt: Runtime, name: str = OUTBOUND_QUEUE) -> None:
    SimpleWorker([rt.queue(name)], connection=rt.rq_redis,
                 serializer=JSONSerializer).work(burst=True)


def test_a_job_that_fails_its_last_retry_becomes_a_dead_letter(worker_rt):
    rt = worker_rt
    job = rt.queue(OUTBOUND_QUEUE).enqueue("math.sqrt", -1, retry=Retry(max=1))
    work(rt)
    # One failure, one retry left: nothing set aside yet; the retry runs in the same burst.
    [entry] = deadletters.listing(rt.redis)
    assert (entry["kind"], entry["func"], entry["args"], entry["queue"], entry["attempts"]) == (
        "job", "math.sqrt", [-1], OUTBOUND_QUEUE, 2)
    assert entry["error"].startswith("ValueError")
    # RQ's own copy of the failure (its arguments may name a contact) lasts days, not a year.
    registry = FailedJobRegistry(OUTBOUND_QUEUE, connection=rt.rq_redis)
    expires = rt.rq_redis.zscore(registry.key, job.id)
    assert expires is not None and expires <= time.time() + FAILED_JOB_TTL + 5
    assert FAILED_JOB_TTL <= 7 * 24 * 3600


def test_a_line_job_is_no_letter_its_items_are(worker_rt):
    rt = worker_rt
    rt.queue(OUTBOUND_QUEUE).enqueue("hotline.jobs.drain_outbox", 12345)  # fails: not a str id
    work(rt)
    assert deadletters.listing(rt.redis) == []


def test_a_retried_job_runs_again_and_a_retried_message_rejoins_its_line(worker_rt):
    rt = worker_rt
    job_entry = deadletters.add(rt.redis, deadletters.JOB, "ValueError", 6, func="math.sqrt",
                                args=[4], queue=OUTBOUND_QUEUE)
    assert jobs.retry_dead_letter(job_entry) == "retried"
    [queued] = rt.queue(OUTBOUND_QUEUE).get_jobs()
    assert (queued.func_name, queued.args) == ("math.sqrt", [4])

    line_entry = deadletters.add(rt.redis, deadletters.LINE, "KeyError", 5, contact_id="c9",
                                 line="inbox", item="SM" + "9" * 32)
    assert jobs.retry_dead_letter(line_entry) == "retried"
    assert inbound.inbox(rt).pending("c9") == ["SM" + "9" * 32]
    assert jobs.retry_dead_letter("no-such-entry") == "gone"


def test_the_sweep_starts_a_scheduled_broadcast_whose_start_was_lost(worker_rt, monkeypatch):
    rt = worker_rt
    contact_id = rt.contacts.touch_inbound(parse_address("+5215512340010"))
    rt.contacts.set_language(contact_id, "es", chosen=False)
    bc = bc_spec.build(rt, {"text": {"en": "hi", "es": "hola"},
                            "send_at": soon()}, "t")
    bc = bc_runner.submit(rt, bc)
    assert bc_store.state(rt.redis, bc.id) == "scheduled"
    # Not due yet: left alone.
    assert bc_runner.resume_due(rt) == 0
    # Its time passed long ago and nothing started it (the job was lost with a worker).
    far_future = bc.send_at + bc_runner.DUE_GRACE_SECONDS + 1
    assert bc_runner.resume_due(rt, now=far_future) == 1
    assert bc_store.state(rt.redis, bc.id) == "sending"
    assert bc_runner.resume_due(rt, now=far_future) == 0


def test_a_scheduled_start_carries_retries(worker_rt):
    rt = worker_rt
    rt.contacts.touch_inbound(parse_address("+5215512340011"))
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": {"en": "hi", "es": "hola"},
                                                 "send_at": soon()}, "t"))
    [job_id] = rt.queue("broadcast").scheduled_job_registry.get_job_ids()
    job = rt.queue("broadcast").fetch_job(job_id)
    assert job.args == [bc.id] and job.retries_left == bc_runner.START_RETRY.max


def test_the_sweep_runs_again_a_reminder_not_sent_on_time(worker_rt):
    rt = worker_rt
    reg = rt.registrations.create({
        "name": "Ana Ruiz", "birth_date": "1988-03-15", "citizenship": "HN",
        "a_number": "012345670", "case_situation": "pending", "enrolled": "2019-03",
        "phone": "+528991234567", "family": 0}, "c-rem", "sms", "es")
    result = notify.status_changed(rt, reg.reference, notify.APPOINTMENT,
                                   {"place": "Tijuana", "date": "2999-01-02", "time": "08:30"},
                                   "org")
    scheduled = rt.queue(OUTBOUND_QUEUE).scheduled_job_registry.get_job_ids()
    reminder = rt.queue(OUTBOUND_QUEUE).fetch_job(scheduled[0])
    assert reminder.func_name == "hotline.jobs.send_reminder"
    assert reminder.retries_left == notify.REMINDER_RETRY.max
    assert notify.resume_due(rt) == 0  # not due
    due = time.mktime(time.strptime(result["reminder_at"][:19], "%Y-%m-%dT%H:%M:%S"))
    late = due + 86400 + notify.DUE_GRACE_SECONDS
    before = len(rt.queue(OUTBOUND_QUEUE).get_jobs())
    assert notify.resume_due(rt, now=late) == 1
    assert len(rt.queue(OUTBOUND_QUEUE).get_jobs()) == before + 1
    # Looked at again only after another grace period.
    assert notify.resume_due(rt, now=late + 1) == 0
    # Erasing the registration drops the pending reminder.
    assert notify.forget_reminders(rt.redis, [reg.reference]) == 1


def test_the_sweep_tells_a_person_waiting_on_a_restart_once(worker_rt):
    rt = Runtime(replace(worker_rt.settings, delay_notice_seconds=0))
    import hotline.runtime

    hotline.runtime._process_runtime = rt
    number = "+5215512340020"
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_language(contact_id, "en", chosen=True)
    for i in range(2):
        inbound.accept(rt, Inbound(sid=f"SM{i}" + "w" * 31, contact_id=contact_id,
                                   channel="sms", sender=number, to=SMS_NUMBER, body="hello",
                                   num_media=0, received_at=time.time() - 60))
    counts = jobs.sweep()
    assert counts["told_waiting"] == 1
    notice = rt.messages.load_outbound("SM0" + "w" * 31 + "-wait")
    assert notice.body == rt.catalogs.text("delay.on_its_way", "en") and notice.kind == "notice"
    # Once for this wait, however many sweeps come by.
    assert jobs.sweep()["told_waiting"] == 0
    # The line answered (emptied), a later wait is told again.
    while inbound.inbox(rt).pending(contact_id):
        rt.redis.lpop(f"hl:inbox:{contact_id}")
    jobs.sweep()
    inbound.accept(rt, Inbound(sid="SM2" + "w" * 31, contact_id=contact_id, channel="sms",
                               sender=number, to=SMS_NUMBER, body="hello", num_media=0,
                               received_at=time.time() - 60))
    assert jobs.sweep()["told_waiting"] == 1


def test_the_sweep_does_not_tell_a_person_whose_message_is_fresh(worker_rt):
    rt = worker_rt
    number = "+5215512340021"
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    inbound.accept(rt, Inbound(sid="SM" + "f" * 32, contact_id=contact_id, channel="sms",
                               sender=number, to=SMS_NUMBER, body="hello", num_media=0,
                               received_at=time.time()))
    assert jobs.sweep()["told_waiting"] == 0


def test_the_sweep_returns_idle_claims(worker_rt):
    rt = Runtime(replace(worker_rt.settings, claim_idle_minutes=1))
    import hotline.runtime

    hotline.runtime._process_runtime = rt
    contact_id = person(rt)
    assert escalations.claim(rt.redis, contact_id, "ana")
    assert jobs.sweep()["claims_returned"] == 0
    rt.redis.hset(f"hl:escalation:{contact_id}", "claimed_at", time.time() - 61)
    assert jobs.sweep()["claims_returned"] == 1
    assert escalations.get(rt.redis, contact_id)["state"] == "waiting"


def test_the_sweep_queues_scheduled_jobs_no_scheduler_moved(worker_rt):
    # A retry's wait, a delayed turn, a reminder: RQ's scheduler (forked by a worker) moves them
    # when due. With it dead (killed with its worker, or Redis restarted) they waited minutes.
    rt = worker_rt
    queue = rt.queue(OUTBOUND_QUEUE)
    now = datetime.now(timezone.utc)
    overdue = queue.enqueue_at(now - timedelta(seconds=90), "math.sqrt", 4)
    recent = queue.enqueue_at(now - timedelta(seconds=3), "math.sqrt", 9)
    assert queue.get_jobs() == []
    assert jobs.enqueue_overdue(rt) == 1
    assert [j.id for j in queue.get_jobs()] == [overdue.id]
    assert queue.scheduled_job_registry.get_job_ids() == [recent.id]
    assert jobs.enqueue_overdue(rt) == 0
    assert jobs.sweep()["overdue_jobs"] == 0


def test_a_busy_outbox_lets_the_next_sweep_try_again(worker_rt):
    rt = worker_rt
    line = outbound.outbox(rt)
    line.push("c-busy", "o1")
    token = line.acquire("c-busy")  # a worker (maybe a killed one) holds the line
    rt.redis.set("hl:swept:outbox:c-busy", 1, ex=jobs.SWEEP_HOLD_SECONDS)
    assert jobs.drain_outbox("c-busy") == 0
    assert rt.redis.get("hl:swept:outbox:c-busy") is None
    line.release("c-busy", token)


def test_a_line_that_moved_lets_the_next_sweep_catch_a_later_stall(worker_rt, monkeypatch):
    # The sweep found the person's first message pending for a moment and held off for 5 min;
    # their messages were answered since; then a worker died holding their next one. Without
    # lifting the hold, they waited out the 5 minutes (seen in the chaos benchmark).
    rt = worker_rt
    rt.redis.set("hl:swept:inbox:c-moved", 1, ex=jobs.SWEEP_HOLD_SECONDS)
    monkeypatch.setattr(inbound, "drain", lambda rt, contact_id: 1)
    assert jobs.drain_inbox("c-moved") == 1
    assert rt.redis.get("hl:swept:inbox:c-moved") is None
    line = inbound.inbox(rt)
    line.push("c-moved", "SMnext")  # the next message, its worker gone, the lock run out
    assert jobs.sweep()["inbox"] == 1


def test_a_line_that_cannot_move_keeps_the_hold_against_a_job_storm(worker_rt, monkeypatch):
    # Rasa down for an hour: each sweep must not add a job (with its own retries) per person.
    rt = worker_rt
    rt.redis.set("hl:swept:inbox:c-stuck", 1, ex=jobs.SWEEP_HOLD_SECONDS)
    monkeypatch.setattr(inbound, "drain", lambda rt, contact_id: 0)
    assert jobs.drain_inbox("c-stuck") == 0
    assert rt.redis.get("hl:swept:inbox:c-stuck") == "1"
    inbound.inbox(rt).push("c-stuck", "SMwaiting")
    assert jobs.sweep()["inbox"] == 0



def test_a_scheduled_job_nobody_can_read_does_not_hold_back_the_due_ones(worker_rt):
    # RQ can leave a job's hash holding one stray field and no job (a heartbeat written after
    # the job was deleted: rq/rq#1575). Job.fetch_many raises on it for the whole batch, so
    # the sweep stopped there every time, and RQ's own scheduler died on it at every start:
    # no delayed turn or retry moved for anyone (a scale-out run lost five messages).
    from rq.scheduler import RQScheduler

    rt = worker_rt
    queue = rt.queue(inbound.INBOUND_QUEUE)
    due = queue.enqueue_at(datetime.now(timezone.utc) - timedelta(seconds=90), "math.sqrt", 4)
    rt.rq_redis.hset("rq:job:stray", "last_heartbeat", "2026-12-01T13:00:00Z")
    rt.rq_redis.zadd(queue.scheduled_job_registry.key, {"stray": time.time() - 60})
    assert jobs.enqueue_overdue(rt) == 1
    assert [j.id for j in queue.get_jobs()] == [due.id]
    assert queue.scheduled_job_registry.get_job_ids() == []
    # RQ's scheduler, started again, finds nothing it would die on.
    rt.rq_redis.zadd(queue.scheduled_job_registry.key, {"stray": time.time() - 60})
    jobs.enqueue_overdue(rt)
    scheduler = RQScheduler([queue], connection=rt.rq_redis, serializer=JSONSerializer)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()


def test_a_failing_part_of_the_sweep_leaves_the_rescue_and_the_notices_running(worker_rt,
                                                                              monkeypatch):
    rt = Runtime(replace(worker_rt.settings, delay_notice_seconds=0))
    import hotline.runtime

    hotline.runtime._process_runtime = rt

    def broken(*args, **kwargs):
        raise ValueError("a record this part cannot read")

    monkeypatch.setattr(bc_runner, "resume_stalled", broken)
    monkeypatch.setattr(jobs.erasure, "retention", broken)
    monkeypatch.setattr(jobs, "enqueue_overdue", broken)
    number = "+5215512340022"
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    inbound.accept(rt, Inbound(sid="SM" + "p" * 32, contact_id=contact_id, channel="sms",
                               sender=number, to=SMS_NUMBER, body="hola", num_media=0,
                               received_at=time.time() - 60))
    counts = jobs.sweep()
    assert counts["inbox"] == 1 and counts["told_waiting"] == 1
    assert counts["failed"] == ["overdue_jobs", "broadcasts", "retention_erased"]


def test_the_sweeper_outlives_a_sweep_that_fails(monkeypatch, caplog):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from hotline import sweeper

    for error in (ValueError("unreadable"), RedisConnectionError("Redis is away")):
        def failing(error=error):
            raise error

        monkeypatch.setattr(sweeper, "sweep", failing)
        assert sweeper.sweep_once() is None
    monkeypatch.setattr(sweeper, "sweep", lambda: {"inbox": 1})
    assert sweeper.sweep_once() == {"inbox": 1}


class _Assistant:
    def send(self, contact_id, text, metadata):
        return [{"text": f"respuesta a {text}"}]


def _write(rt, number: str, sid: str) -> str:
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_language(contact_id, "es", chosen=True)
    inbound.accept(rt, Inbound(sid=sid, contact_id=contact_id, channel="sms", sender=number,
                               to=SMS_NUMBER, body="hola", num_media=0, received_at=time.time()))
    return contact_id


def test_an_answer_goes_out_with_its_turn_not_after_another_job(sandbox_rt, monkeypatch):
    # Under load every worker is in someone's Rasa turn and the outbound job waited for one:
    # at 10 people writing at once that doubled the reply time.
    rt = sandbox_rt
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)
    rt.__dict__["assistant"] = _Assistant()
    contact_id = _write(rt, "+5215544400001", "SM" + "a1" * 16)
    assert jobs.drain_inbox(contact_id) == 1
    assert [r["body"] for r in sandbox_records(rt.redis)] == ["respuesta a hola"]
    assert not outbound.outbox(rt).pending(contact_id)
    # Sent, so no outbound job was queued to race it (each cost an RQ job's Redis commands and
    # a worker's time under load), and nothing goes twice.
    assert rt.queue(OUTBOUND_QUEUE).count == 0
    work(rt)
    assert len(sandbox_records(rt.redis)) == 1


def test_answers_decided_before_the_job_failed_go_out_at_once(sandbox_rt, monkeypatch):
    """The job fails after a turn queued its answer (a later message's bug, a Redis blip on the
    line's bookkeeping): the answer goes now, not after the job's retry or the sweep."""
    rt = sandbox_rt
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)
    rt.__dict__["assistant"] = _Assistant()
    contact_id = _write(rt, "+5215544400004", "SM" + "d4" * 16)
    real_drain = inbound.drain

    def fails_after(rt, contact_id):
        real_drain(rt, contact_id)
        raise RuntimeError("a bug after the first turn")

    monkeypatch.setattr(inbound, "drain", fails_after)
    with pytest.raises(RuntimeError):
        jobs.drain_inbox(contact_id)
    assert [r["body"] for r in sandbox_records(rt.redis)] == ["respuesta a hola"]
    assert rt.queue(OUTBOUND_QUEUE).count == 0


def test_an_answer_a_killed_worker_did_not_send_is_sent_once_after_the_sweep(sandbox_rt,
                                                                            monkeypatch):
    """The worker decided the answer and died before sending it: no outbound job exists, the
    line stays active with the answer in it, and the sweeper's round queues its job."""
    rt = sandbox_rt
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)
    rt.__dict__["assistant"] = _Assistant()
    contact_id = _write(rt, "+5215544400005", "SM" + "f6" * 16)
    with outbound.sent_by_caller():
        assert inbound.drain(rt, contact_id) == 1  # killed here, before the send
    assert rt.queue(OUTBOUND_QUEUE).count == 0 and sandbox_records(rt.redis) == []
    assert jobs.sweep()["outbox"] == 1
    work(rt)
    assert [r["body"] for r in sandbox_records(rt.redis)] == ["respuesta a hola"]
    assert jobs.sweep()["outbox"] == 0
    work(rt)
    assert len(sandbox_records(rt.redis)) == 1


def test_an_answer_sent_with_its_turn_lifts_the_sweeps_hold_on_the_outbox(sandbox_rt,
                                                                        monkeypatch):
    # As the outbound job does: a hold left from a sweep that saw the line busy for a moment
    # would make a later stall on it wait out SWEEP_HOLD_SECONDS.
    rt = sandbox_rt
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)
    rt.__dict__["assistant"] = _Assistant()
    contact_id = _write(rt, "+5215544400003", "SM" + "c3" * 16)
    rt.redis.set(jobs.SWEPT_KEY.format("outbox", contact_id), 1, ex=jobs.SWEEP_HOLD_SECONDS)
    assert jobs.drain_inbox(contact_id) == 1
    assert rt.redis.get(jobs.SWEPT_KEY.format("outbox", contact_id)) is None


def test_an_answer_not_sent_at_once_is_sent_by_its_outbound_job(sandbox_rt, monkeypatch):
    rt = sandbox_rt
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)
    rt.__dict__["assistant"] = _Assistant()
    real_send, failures = outbound.send_one, []

    def flaky(rt, out_id):
        if not failures:
            failures.append(out_id)
            raise ConnectionError("Twilio unreachable for a moment")
        return real_send(rt, out_id)

    monkeypatch.setattr(outbound, "send_one", flaky)
    contact_id = _write(rt, "+5215544400002", "SM" + "b2" * 16)
    assert jobs.drain_inbox(contact_id) == 1  # the turn is done; the send is the job's
    assert failures and outbound.outbox(rt).pending(contact_id)
    assert sandbox_records(rt.redis) == []
    work(rt)
    assert [r["body"] for r in sandbox_records(rt.redis)] == ["respuesta a hola"]
