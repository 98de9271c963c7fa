"""Claims that nobody acts on go back to the queue, in the place they had: after the idle time,
or when the operator signs out. Real Redis."""

from __future__ import annotations

import time

from hotline.handoff import queue as escalations


def queued(redis) -> list[str]:
    return [e["contact_id"] for e in escalations.waiting(redis)]


def test_an_idle_claim_returns_to_its_place_and_an_active_one_stays(redis):
    escalations.escalate(redis, "urgent", "danger", urgent=True, language="es")
    escalations.escalate(redis, "first", "asked", urgent=False, language="es")
    escalations.escalate(redis, "second", "asked", urgent=False, language="es")
    for contact_id in ("urgent", "first"):
        assert escalations.claim(redis, contact_id, "ana")
    assert queued(redis) == ["second"]
    now = time.time()
    # Ana acted in "first" a minute ago; "urgent" she claimed and left.
    redis.hset("hl:escalation:urgent", "claimed_at", now - 30 * 60)
    redis.hset("hl:escalation:first", "claimed_at", now - 30 * 60)
    escalations.touch(redis, "first", "ana")
    assert escalations.return_idle(redis, 20, now=now) == ["urgent"]
    # Back first in the queue, as urgent as before, and the assistant answers again.
    assert queued(redis) == ["urgent", "second"]
    record = escalations.get(redis, "urgent")
    assert (record["state"], record["returned_why"], record["returned_from"]) == (
        "waiting", "idle", "ana")
    assert "claimed_by" not in record
    assert not escalations.with_operator(redis, "urgent")
    assert escalations.with_operator(redis, "first")
    # It can be claimed again, by anyone.
    assert escalations.claim(redis, "urgent", "beto")


def test_a_supervisor_looking_in_does_not_keep_a_claim_alive(redis):
    escalations.escalate(redis, "c1", "asked", urgent=False, language="es")
    escalations.claim(redis, "c1", "ana")
    redis.hset("hl:escalation:c1", "claimed_at", time.time() - 3600)
    escalations.touch(redis, "c1", "jefa")
    assert escalations.return_idle(redis, 20) == ["c1"]


def test_no_idle_time_means_claims_never_expire(redis):
    escalations.escalate(redis, "c1", "asked", urgent=False, language="es")
    escalations.claim(redis, "c1", "ana")
    redis.hset("hl:escalation:c1", "claimed_at", 0)
    assert escalations.return_idle(redis, 0) == []
    assert escalations.with_operator(redis, "c1")


def test_signing_out_returns_only_that_operators_claims(redis):
    for contact_id in ("a1", "a2", "b1"):
        escalations.escalate(redis, contact_id, "asked", urgent=False, language="es")
    escalations.claim(redis, "a1", "ana")
    escalations.claim(redis, "a2", "ana")
    escalations.claim(redis, "b1", "beto")
    assert sorted(escalations.return_operator(redis, "ana")) == ["a1", "a2"]
    assert queued(redis) == ["a1", "a2"]
    assert escalations.with_operator(redis, "b1")
    # A conversation already closed or handed back is not reopened.
    escalations.release(redis, "b1", "closed")
    assert escalations.return_operator(redis, "beto") == []
    assert not escalations.unclaim(redis, "b1", "idle")
    assert escalations.get(redis, "b1")["state"] == "closed"
