"""Figures of the hand-off queue: the wait estimate and urgent conversations first."""

from __future__ import annotations

from hotline.handoff import figures
from hotline.handoff import queue as escalations
from support.people import person


def test_wait_estimate_grows_with_the_queue(rt):
    first, second = person(rt, "+5215500000001"), person(rt, "+5215500000002")
    assert figures.wait_minutes(rt.redis, first) < figures.wait_minutes(rt.redis, second)
    urgent = person(rt, "+5215500000003")
    escalations.escalate(rt.redis, urgent, "emergency", urgent=True, language="es")
    assert [e["contact_id"] for e in escalations.waiting(rt.redis)][0] == urgent
