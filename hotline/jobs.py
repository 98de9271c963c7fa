"""RQ job entry points: plain functions of plain arguments; failures raise for RQ's retries."""

from __future__ import annotations

from hotline.messaging import inbound, outbound
from hotline.outreach import runner as bc_runner
from hotline.registration import notify
from hotline.runtime import process_runtime

SWEEP_HOLD_SECONDS = 300


def drain_inbox(contact_id: str) -> int:
    """Answer every waiting message of one contact, oldest first."""
    return inbound.drain(process_runtime(), contact_id)


def drain_outbox(contact_id: str) -> int:
    """Send every queued message of one contact, oldest first."""
    return outbound.drain(process_runtime(), contact_id)


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
    """Reschedule inboxes and outboxes left with work (a crashed worker, exhausted retries)."""
    rt = process_runtime()
    counts = {"inbox": 0, "outbox": 0, "broadcasts": bc_runner.resume_stalled(rt)}
    for name, serial, reschedule in (
        ("inbox", inbound.inbox(rt), lambda cid: inbound.schedule(rt, cid)),
        ("outbox", outbound.outbox(rt), lambda cid: outbound.schedule(rt, cid)),
    ):
        for contact_id in serial.active_keys():
            # At most one sweep job per contact every few minutes, however long an outage.
            if serial.pending(contact_id) and rt.redis.set(
                f"hl:swept:{name}:{contact_id}", 1, nx=True, ex=SWEEP_HOLD_SECONDS
            ):
                reschedule(contact_id)
                counts[name] += 1
    return counts
