"""Figures about the operators' queue: today's figures for supervisors and the wait a person
is told to expect.

Owns no Redis keys: it reads the queue and its timings through `handoff.queue`.
"""

from __future__ import annotations

import statistics

from redis import Redis

from hotline.handoff import queue

# Without history yet, how long one conversation takes a person (minutes).
DEFAULT_HANDLE_MINUTES = 5


def figures(redis: Redis) -> dict:
    """Today's figures for supervisors (minutes)."""
    waits = queue.timings(redis, "wait")
    handles = queue.timings(redis, "handle")
    return {
        "waiting": len(queue.waiting(redis)), "in_progress": len(queue.active(redis)),
        "median_wait_minutes": round(statistics.median(waits) / 60, 1) if waits else None,
        "median_handling_minutes": round(statistics.median(handles) / 60, 1) if handles else None,
        "taken_today": len(waits), "finished_today": len(handles),
    }


def wait_minutes(redis: Redis, contact_id: str) -> int:
    """Roughly how long until a person answers: the people ahead of them times the usual
    handling time today."""
    waiting = [e["contact_id"] for e in queue.waiting(redis)]
    ahead = waiting.index(contact_id) if contact_id in waiting else len(waiting)
    handles = queue.timings(redis, "handle")
    per = statistics.median(handles) / 60 if handles else DEFAULT_HANDLE_MINUTES
    # At least 2: the catalogs say "{minutes} minutes", and "about 1 minutes" reads wrong.
    return max(2, int(round((ahead + 1) * per)))
