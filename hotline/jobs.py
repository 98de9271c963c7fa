"""RQ job entry points: plain functions of plain arguments; failures raise for RQ's retries.

A job whose last retry failed is set aside in the dead letters (`job_failed`, which every job
names as its failure callback: `runtime.JobQueue`) for a supervisor to retry
(`retry_dead_letter`). The sweep also owns `hl:swept:*` (one sweep job per line at a time) and
`hl:waitnotice:*` (a person told once that a delayed answer is coming).
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from hotline import erasure
from hotline.handoff import queue as escalations
from hotline.messaging import callbacks, deadletters, inbound, outbound
from hotline.messaging.channels import channel_of, parse_address
from hotline.messaging.messages import Delivery, Outbound
from hotline.outreach import runner as bc_runner
from hotline.registration import notify
from hotline.runtime import BROADCAST_QUEUE, INBOUND_QUEUE, OUTBOUND_QUEUE, process_runtime

log = logging.getLogger(__name__)

SWEEP_HOLD_SECONDS = 300
SWEPT_KEY = "hl:swept:{}:{}"  # line name, contact id: one sweep job per line at a time
WAIT_NOTICE = "hl:waitnotice:{}"
# The work on a person's line: its items are counted and set aside one by one
# (`deadletters.guard`), and the sweeper picks the line up again; the job itself is no letter.
LINE_JOBS = ("hotline.jobs.drain_inbox", "hotline.jobs.drain_outbox")
# How a job set aside is tried again when a supervisor asks: with its own retries.
RETRIES = {"hotline.jobs.send_reminder": notify.REMINDER_RETRY,
           "hotline.jobs.start_broadcast": bc_runner.START_RETRY}


def drain_inbox(contact_id: str) -> int:
    """Answer every waiting message of one contact, oldest first, and send the answers."""
    rt = process_runtime()
    lines: set[str] = set()
    try:
        with outbound.sent_by_caller() as lines:
            handled = inbound.drain(rt, contact_id)
        if handled:
            _lift_sweep_hold(rt, "inbox", contact_id)
    finally:
        # Also when a later message of the batch failed: the answers already decided go now.
        for line in sorted(lines):
            _send_now(rt, line)
    return handled


def _send_now(rt, contact_id: str) -> None:
    """The answers just decided go out from this worker at once. An outbound job would wait
    for a free worker, and under load every worker is in someone's Rasa turn: at 10 people
    writing at once that wait doubled the reply time (bench/inbound_latency.py). What this
    cannot send (a failed send, the line held by another worker) gets the outbound job, whose
    retries and drain go through the same outbox line: nothing goes twice or out of order. It
    is the outbound job's own drain, so a sweep's hold on the line is lifted here too."""
    try:
        drain_outbox(contact_id)
    except Exception:  # noqa: BLE001 - the job below retries; the inbound turn is done
        log.warning("answer to %s not sent at once; its outbound job will", contact_id,
                    exc_info=True)
    try:
        if outbound.outbox(rt).pending(contact_id):
            outbound.schedule(rt, contact_id)
    except Exception:  # noqa: BLE001 - Redis away: the line stays active for the sweeper
        log.warning("outbound job for %s not queued; the sweeper will", contact_id,
                    exc_info=True)


def _lift_sweep_hold(rt, name: str, contact_id: str) -> None:
    """The line moved: a later stall (a worker killed on the person's next message) is the
    sweep's to catch at its next round. The hold exists against a job storm while nothing can
    move (Rasa down for an hour); held over from a sweep that found the line busy for a moment,
    it kept a killed worker's person waiting five minutes in the chaos benchmark."""
    rt.redis.delete(SWEPT_KEY.format(name, contact_id))


def drain_outbox(contact_id: str) -> int:
    """Send every queued message of one contact, oldest first."""
    rt = process_runtime()
    sent = outbound.drain(rt, contact_id)
    if sent or outbound.outbox(rt).pending(contact_id):
        # Sent, or another worker holds the line, maybe a killed one whose lock is running out:
        # the next sweep may try again, not only after SWEEP_HOLD_SECONDS (a reply waited 5
        # minutes so in the chaos benchmark).
        _lift_sweep_hold(rt, "outbox", contact_id)
    return sent


def send_wait_notice(notice_id: str, waiting_id: str) -> str:
    """A person's reply is stuck in their outbox line: tell them it is coming, around the line."""
    return outbound.send_around_line(process_runtime(), notice_id, waiting_id)


def release_outbound(contact_id: str, out_id: str) -> bool:
    """A reply sent again after a passing failure: its wait is over, into the outbox."""
    return outbound.release(process_runtime(), contact_id, out_id)


def act_on_delivery(out_id: str, status: str, previous: str, error_code: str | None) -> None:
    """A final failure learned late (a callback that came before its record knew it)."""
    callbacks.act(process_runtime(), Delivery(out_id=out_id, status=status, previous=previous,
                                              outcome="changed", error_code=error_code))


def start_broadcast(bc_id: str) -> str:
    """A scheduled broadcast's time has come."""
    return bc_runner.start(process_runtime(), bc_id).state


def run_broadcast(bc_id: str) -> int:
    """Send the next chunk of a broadcast (the job queues itself again until none is left)."""
    return bc_runner.run(process_runtime(), bc_id)


def send_reminder(reference: str, change: int) -> str | None:
    """The day-before reminder of an appointment, if it still stands."""
    return notify.remind(process_runtime(), reference, change)


def sweep() -> dict:
    """Reschedule inboxes and outboxes left with work (a crashed worker, exhausted retries).

    Each part runs on its own: one that fails (a record it cannot read, a bug) is logged and
    named under "failed", and the others still run, above all the rescue of people's lines and
    the notices to those waiting: a part failing on every sweep must not turn the sweeper off
    for everyone. Redis away stops the whole sweep (every part would fail alike)."""
    rt = process_runtime()
    counts = {"inbox": 0, "outbox": 0, "told_waiting": 0}
    parts = (
        ("overdue_jobs", lambda: enqueue_overdue(rt)),
        ("broadcasts", lambda: bc_runner.resume_stalled(rt)),
        ("scheduled_broadcasts", lambda: bc_runner.resume_due(rt)),
        ("reminders", lambda: notify.resume_due(rt)),
        ("claims_returned", lambda: len(escalations.return_idle(
            rt.redis, rt.settings.claim_idle_minutes))),
        ("told_waiting", lambda: _tell_waiting(rt, counts)),
        # People silent past the retention period are erased (organizations warned first).
        ("retention_erased", lambda: erasure.retention(rt)["erased"]),
        ("lines", lambda: _reschedule_lines(rt, counts)),
    )
    failed = []
    for name, part in parts:
        try:
            result = part()
        except (RedisConnectionError, RedisTimeoutError):
            raise  # Redis is away: every part would fail alike (the sweeper says so once)
        except Exception:  # noqa: BLE001 - the other parts still run (logged with its cause)
            log.exception("sweep: %s failed", name)
            failed.append(name)
            continue
        if isinstance(result, int):
            counts[name] = result
    if failed:
        counts["failed"] = failed
    return counts


def sweep_hold_left(rt, name: str, contact_id: str) -> int:
    """Seconds before the sweep may reschedule this line again (0: at its next round)."""
    return max(rt.redis.ttl(SWEPT_KEY.format(name, contact_id)), 0)


def _reschedule_lines(rt, counts: dict) -> None:
    for name, serial, reschedule in (
        ("inbox", inbound.inbox(rt), lambda cid: inbound.schedule(rt, cid, force=True)),
        ("outbox", outbound.outbox(rt), lambda cid: outbound.schedule(rt, cid)),
    ):
        for contact_id in serial.active_keys():
            # At most one sweep job per contact every few minutes, however long an outage.
            if serial.pending(contact_id) and rt.redis.set(
                SWEPT_KEY.format(name, contact_id), 1, nx=True, ex=SWEEP_HOLD_SECONDS
            ):
                reschedule(contact_id)
                counts[name] += 1


def job_failed(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this after every failed attempt of a hotline job (an abandoned one included: its
    worker was killed); the last attempt's failure goes to the dead letters."""
    if job.func_name in LINE_JOBS:
        return  # the line's items are counted one by one
    # RQ does not count failed attempts; the job's own meta does, across its retries.
    attempts = int(job.meta.get("failures", 0)) + 1
    if job.retries_left:
        job.meta["failures"] = attempts
        job.save_meta()
        return  # RQ tries it again
    args = list(job.args or [])
    names = [a for a in args if isinstance(a, str)]
    deadletters.add(process_runtime().redis, deadletters.JOB, deadletters.describe(exc_value),
                    attempts, func=job.func_name, args=args, queue=job.origin, names=names)


def retry_dead_letter(entry_id: str) -> str:
    """A supervisor asked: put the work set aside back where it came from."""
    rt = process_runtime()
    entry = deadletters.get(rt.redis, entry_id)
    if entry is None:
        return "gone"
    if entry["kind"] == deadletters.LINE:
        line = {"inbox": (inbound.inbox(rt), lambda c: inbound.schedule(rt, c, force=True)),
                "outbox": (outbound.outbox(rt), lambda c: outbound.schedule(rt, c))}
        serial, schedule = line[entry["line"]]
        # At the back of the line: what came after it was answered meanwhile.
        serial.push(entry["contact_id"], entry["item"])
        schedule(entry["contact_id"])
    else:
        queue = rt.queue(entry["queue"] or OUTBOUND_QUEUE)
        queue.enqueue(entry["func"], *entry["args"], retry=RETRIES.get(entry["func"]))
    log.info("dead letter %s retried", entry_id)
    return "retried"


# RQ's scheduler (a process each worker forks) moves a due job within a second or so. One this
# overdue means no scheduler runs: it died with Redis or a killed worker (whose scheduler lock
# then blocks the others for another minute), and RQ tries to start another only at its next
# maintenance, minutes later. Ten seconds keeps a paced person's next turn from waiting that out.
SCHEDULER_GRACE_SECONDS = 10


def enqueue_overdue(rt, now: float | None = None) -> int:
    """Queue the scheduled jobs (retries after a wait, delayed turns, reminders, scheduled
    broadcasts) that no scheduler moved on time; returns how many. Our jobs are idempotent, so
    one also moved by a scheduler coming back at that moment does no harm.

    A registry entry whose job cannot be read is taken out: RQ can leave a job's hash with a
    stray field and no job in it (a heartbeat written after the job was deleted, rq/rq#1575;
    a write that outlived its job across a failover). `Job.fetch_many` raises on one such
    entry for the whole batch, and RQ's own scheduler dies on it at every start: left there,
    it stopped every delayed turn and retry for everyone."""
    from rq.exceptions import DeserializationError, NoSuchJobError
    from rq.job import Job

    cutoff = int((now or time.time()) - SCHEDULER_GRACE_SECONDS)
    moved = 0
    for name in (INBOUND_QUEUE, OUTBOUND_QUEUE, BROADCAST_QUEUE):
        queue = rt.queue(name)
        registry = queue.scheduled_job_registry
        for job_id in registry.get_jobs_to_schedule(cutoff):
            try:
                job = Job.fetch(job_id, connection=rt.rq_redis, serializer=queue.serializer)
                queue.enqueue_job(job)
                moved += 1
            except (NoSuchJobError, DeserializationError, ValueError, TypeError) as exc:
                # Gone (finished, expired: only its entry is left) or unreadable: nothing can
                # run it. A person's line it was for is the line rescue's (`_reschedule_lines`).
                if rt.rq_redis.exists(Job.key_for(job_id)):
                    log.error("scheduled job %s cannot be read (%s); taken out of %s",
                              job_id, exc.__class__.__name__, name)
            registry.remove(job_id)
    if moved:
        log.warning("no RQ scheduler moved %s due job(s); queued them", moved)
    return moved


def _tell_waiting(rt, counts: dict) -> None:
    """Tell a person whose message has waited past `delay_notice_seconds` (a worker restarting,
    a backlog) that the answer is coming: once while their line stays unanswered.

    The wait may be in either line: their message not yet answered (inbox), or the answer
    written but not yet sent (outbox: its line held by a killed worker until its lock runs
    out). One notice per waiting batch, whichever line it waits in: the notice's record id is
    the batch's (`<first message's sid>-wait`), and a record is written once."""
    now = time.time()
    line, out_line = inbound.inbox(rt), outbound.outbox(rt)
    for contact_id in line.active_keys() | out_line.active_keys():
        pending = line.pending(contact_id)
        if not pending:
            rt.redis.delete(WAIT_NOTICE.format(contact_id))  # that batch was answered
            waiting = out_line.pending(contact_id)
            if waiting and _tell_reply_waiting(rt, contact_id, waiting[0], now):
                counts["told_waiting"] += 1
            continue
        head = rt.messages.load_inbound(pending[0])
        if head is None or head.state not in ("received",) or \
                now - head.received_at < rt.settings.delay_notice_seconds:
            continue
        if rt.messages.load_outbound(f"{head.sid}-hold") is not None:
            continue  # already told, by the assistant's own holding notice
        if not rt.redis.set(WAIT_NOTICE.format(contact_id), head.sid, nx=True, ex=3600):
            continue
        contact = rt.contacts.get(contact_id)
        lang = (contact.language if contact and contact.language
                else rt.settings.default_language)
        outbound.queue_message(rt, contact_id, to=parse_address(head.sender).twilio,
                               sender=head.to, body=rt.catalogs.text("delay.on_its_way", lang),
                               kind=outbound.NOTICE, out_id=f"{head.sid}-wait")
        counts["told_waiting"] += 1


def _tell_reply_waiting(rt, contact_id: str, head_id: str, now: float) -> bool:
    """The answer to a person's message waits at the head of their outbox: tell them it is
    coming (`_tell_waiting`), sent around the held line. True when a notice was queued."""
    msg = rt.messages.load_outbound(head_id)
    # Only a first answer waiting: a copy sent again after a failure ("~") was sent once
    # already, and a notice at the head is no answer.
    if msg is None or msg.kind != outbound.REPLY or "~" in head_id or msg.twilio_sid or \
            msg.status not in ("pending", "sending") or \
            now - msg.created_at < rt.settings.delay_notice_seconds:
        return False
    # Replies are recorded as "<inbound sid>-<n>": the batch is its first message's.
    batch = head_id.rsplit("-", 1)[0]
    if rt.messages.load_outbound(f"{batch}-wait") is not None:
        return False  # told already, while it waited in the inbox or at an earlier sweep
    hold = rt.messages.load_outbound(f"{batch}-hold")
    if hold is not None and hold.twilio_sid:
        return False  # told by the assistant's own holding notice, which left
    if rt.contacts.is_opted_out(contact_id, channel_of(msg.to)):
        return False  # on the channel the answer goes by (`send_one` checks again at send)
    contact = rt.contacts.get(contact_id)
    lang = (contact.language if contact and contact.language
            else rt.settings.default_language)
    notice_id = f"{batch}-wait"
    # Recorded once, whatever sweeps race: only the sweep that wrote it sends it.
    if not rt.messages.create_outbound(Outbound(
            id=notice_id, contact_id=contact_id, to=msg.to, sender=msg.sender,
            body=rt.catalogs.text("delay.on_its_way", lang), kind=outbound.NOTICE,
            content_sid=msg.content_sid)):
        return False
    rt.queue(OUTBOUND_QUEUE).enqueue("hotline.jobs.send_wait_notice", notice_id, head_id,
                                     retry=outbound.SEND_RETRY)
    return True
