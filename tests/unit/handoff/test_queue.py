"""The operators' queue (`hotline.handoff.queue`): forgetting a person."""

from hotline.crypto import Vault
from hotline.handoff import figures, queue

VAULT = Vault("handoff-test-secret-" + "x" * 16)


def test_forget_drops_the_escalation_and_notes_but_not_the_day_s_timings(redis):
    for contact_id in ("c1", "c2"):
        queue.escalate(redis, contact_id, "asked", urgent=False, language="es")
        queue.add_note(redis, contact_id, "ana", f"nota de {contact_id}", VAULT)
    queue.claim(redis, "c1", "ana")
    queue.escalate(redis, "c3", "emergency", urgent=True, language="es")
    queue.release(redis, "c3", "closed")
    assert queue.forget(redis, "c1") == 2
    assert queue.get(redis, "c1") == {} and queue.notes(redis, "c1", VAULT) == []
    assert queue.active(redis) == [] and [e["contact_id"] for e in queue.waiting(redis)] == ["c2"]
    assert queue.notes(redis, "c2", VAULT)[0]["text"] == "nota de c2"
    assert figures.figures(redis)["taken_today"] == 1  # c1's wait: a number naming nobody
    assert not [k for k in redis.keys("*") if k.endswith(":c1")]
    assert "c1" not in redis.smembers(queue.ACTIVE) | set(redis.zrange(queue.QUEUE, 0, -1))
    assert queue.forget(redis, "c1") == 0


def test_forget_takes_a_waiting_person_out_of_the_queue(redis):
    queue.escalate(redis, "c1", "asked", urgent=True, language="en")
    queue.forget(redis, "c1")
    assert queue.waiting(redis) == [] and not redis.zrange(queue.QUEUE, 0, -1)
