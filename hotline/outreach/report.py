"""What became of a broadcast: Twilio's delivery callbacks recorded, and the report built from them.

Owns `record_delivery` (a status callback for a broadcast's message), `report` (the counts the
API, the console and the CLI show) and `recent` (the newest broadcasts).

May import: core, outreach (spec, store, receipts, costs), runtime.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from hotline.outreach import costs, receipts, store
from hotline.runtime import Runtime


def record_delivery(rt: Runtime, twilio_sid: str, status: str, error_code: str | None,
                    send_id: str | None = None) -> bool:
    """A status callback for a broadcast message; False if it is not a broadcast's.

    `send_id` is the receipt's tag from the callback URL (`receipts.send_id`): it names the
    recipient even before the runner has recorded Twilio's SID, and teaches the receipt that
    SID (`receipts.learn_sid`). An untagged callback is matched by the SID index.
    """
    owner = receipts.tagged(send_id)
    if owner is not None:
        bc_id, contact_id = owner
        if receipts.learn_sid(rt.redis, bc_id, contact_id, twilio_sid,
                              rt.settings.message_ttl_seconds):
            apply_early(rt, twilio_sid)
        # A tag naming nobody (erased meanwhile) is still ours: nothing to keep for later.
        receipts.record_delivery(rt.redis, bc_id, contact_id, status, error_code)
        return True
    owner = receipts.owner_of(rt.redis, twilio_sid)
    if owner is None:
        return False
    bc_id, contact_id = owner
    receipts.record_delivery(rt.redis, bc_id, contact_id, status, error_code)
    return True


def apply_early(rt: Runtime, twilio_sid: str) -> int:
    """Callbacks that came before the receipt knew `twilio_sid` (kept by the webhook as for
    replies: `MessageStore.buffer_early`), applied now that it does, oldest first; the rank
    rule keeps a late one from moving the state back. Returns how many were applied."""
    owner = receipts.owner_of(rt.redis, twilio_sid)
    if owner is None:
        return 0
    bc_id, contact_id = owner
    early = rt.messages.take_early(twilio_sid)
    for callback in early:
        receipts.record_delivery(rt.redis, bc_id, contact_id, callback["status"],
                                 callback.get("error_code"))
    return len(early)


def report(rt: Runtime, bc_id: str) -> dict | None:
    """Counts so far: sent, delivered, read, failed (by code), opted out, skipped (by reason)."""
    bc = store.load(rt.redis, bc_id)
    if bc is None:
        return None
    states = receipts.states(rt.redis, bc_id)
    deliveries = receipts.deliveries(rt.redis, bc_id)
    counts = Counter()
    failed_by_code, skipped_by_reason, via = Counter(), Counter(), Counter()
    for state in states:
        kind, _, rest = state.partition(":")
        if kind == receipts.SENT:
            counts["sent"] += 1
            via[rest.rsplit(":", 1)[-1]] += 1
        elif kind == receipts.SKIP:
            if rest == "opted_out":
                counts["opted_out"] += 1
            else:
                counts["skipped"] += 1
                skipped_by_reason[rest] += 1
        elif kind == receipts.FAIL:
            counts["failed"] += 1
            failed_by_code[rest] += 1
        else:
            counts["in_progress"] += 1
    delivered = Counter(d.split(":", 1)[0] for d in deliveries)
    for d in deliveries:
        status, _, code = d.partition(":")
        if status in ("failed", "undelivered"):
            failed_by_code[code or status] += 1
    started_at, finished_at = store.times(rt.redis, bc_id)
    return {
        "id": bc.id, "state": store.state(rt.redis, bc_id), "template": bc.template,
        "audience": bc.audience, "rate": bc.rate,
        "send_at": (datetime.fromtimestamp(bc.send_at, tz=timezone.utc).isoformat()
                    if bc.send_at else None),
        "total": bc.total, "queued": max(bc.total - len(states), 0) + counts["in_progress"],
        "sent": counts["sent"], "delivered": delivered["delivered"] + delivered["read"],
        "read": delivered["read"], "undelivered": delivered["undelivered"],
        "failed": counts["failed"] + delivered["failed"] + delivered["undelivered"],
        "failed_by_code": dict(failed_by_code), "opted_out": counts["opted_out"],
        "skipped": counts["skipped"], "skipped_by_reason": dict(skipped_by_reason),
        "via": dict(via),
        "cost": costs.spent(rt, bc_id),  # what the accepted messages are billed, if priced
        "started_at": started_at, "finished_at": finished_at,
    }


def recent(rt: Runtime, count: int = 20) -> list[str]:
    """The ids of the newest broadcasts, newest first."""
    return store.recent_ids(rt.redis, count)
