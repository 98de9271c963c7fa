"""RQ job entry points: plain functions of plain arguments; failures raise for RQ's retries."""

from __future__ import annotations

from . import inbound, outbound
from .runtime import process_runtime

SWEEP_HOLD_SECONDS = 300


def drain_inbox(contact_id: str) -> int:
    """Answer every waiting message of one contact, oldest first."""
    return inbound.drain(process_runtime(), contact_id)


def drain_outbox(contact_id: str) -> int:
    """Send every queued message of one contact, oldest first."""
    return outbound.drain(process_runtime(), contact_id)


def sweep() -> dict:
    """Reschedule inboxes and outboxes left with work (a crashed worker, exhausted retries)."""
    rt = process_runtime()
    counts = {"inbox": 0, "outbox": 0}
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
