"""A live broadcast runner is never taken over mid-batch (its heartbeat beats from a thread), a
runner that lost its chunk stops before its next send, and a STOP that arrives while a send
waits for the rate is honoured at send time. Real Redis and the Twilio sandbox."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from hotline.outreach import receipts
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.outreach import store as bc_store
from hotline.outreach.ratelimit import RateLimiter
from hotline.outreach.sender import Sender
from hotline.runtime import Runtime
from support import sandbox_records

from .test_broadcasts import people, run_all


def slow_runtime(rt: Runtime, stale: int = 1) -> Runtime:
    return Runtime(replace(rt.settings, broadcast_stale_seconds=stale))


def test_a_batch_longer_than_the_stale_time_is_not_taken_over(sandbox_rt, redis):
    # 8 recipients at 1.5 a second on one thread: one batch (4 recipients) takes over two
    # seconds, longer than the stale time. A second runner keeps trying meanwhile; with one beat
    # per batch it took the chunk over and sent again what the first was still sending. (Two
    # seconds, not one: a fresh-clone run on two busy cores once held the beating thread back
    # for a second.)
    rt = slow_runtime(sandbox_rt, stale=2)
    people(rt, 8)
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": {"en": "hi", "es": "hola"},
                                                 "rate": 1.5}, "t"))
    first = threading.Thread(target=run_all, args=(rt, bc.id, 1))
    first.start()
    takeovers = 0
    while first.is_alive():
        takeovers += bc_runner.run(rt, bc.id, threads=1)
        time.sleep(0.1)
    first.join()
    records = sandbox_records(redis)
    assert takeovers == 0
    assert len(records) == 8 and len({r["to"] for r in records}) == 8
    assert bc_store.state(rt.redis, bc.id) == "done"


def test_the_heartbeat_thread_beats_while_the_runner_is_busy_and_notices_a_takeover(rt):
    bc_store.own_chunk(rt.redis, "bc1", 0, "mine")
    before = float(bc_store.heartbeats(rt.redis, "bc1")["0"])
    with bc_runner.heartbeat(rt, "bc1", 0, "mine", every=0.05) as heart:
        time.sleep(0.3)  # the runner is busy in a send: no beat from it
        assert float(bc_store.heartbeats(rt.redis, "bc1")["0"]) > before
        beat = bc_store.heartbeats(rt.redis, "bc1")["0"]
        assert bc_store.take_over(rt.redis, "bc1", 0, beat, time.time(), "theirs")
        deadline = time.time() + 2
        while not heart.lost.is_set() and time.time() < deadline:
            time.sleep(0.02)
        assert heart.lost.is_set()
        assert not heart.beat()
    assert bc_store.owner(rt.redis, "bc1", 0) == "theirs"


def test_a_runner_that_lost_its_chunk_sends_nothing_more_and_the_new_owner_sends_it_once(
        sandbox_rt, redis):
    rt = sandbox_rt
    [contact_id] = people(rt, 1)
    bc = bc_spec.build(rt, {"text": {"en": "hi", "es": "hola"}}, "t")
    bc_store.save(rt.redis, bc)
    old = Sender(rt, bc, still_ours=lambda: False)
    [item] = old.claim([contact_id])
    assert old.send(item) == "stopped"
    assert sandbox_records(redis) == []
    assert receipts.states_of(rt.redis, bc.id, [contact_id])[0].startswith("sending:")
    # The runner that took the chunk over finds the claim in doubt, not at Twilio: sends once.
    new = Sender(rt, bc, taken_over=True)
    assert [new.send(i) for i in new.claim([contact_id])] == ["sent"]
    assert [new.send(i) for i in new.claim([contact_id])] == []
    assert len(sandbox_records(redis)) == 1


def test_a_stop_received_while_waiting_for_the_rate_is_honoured(sandbox_rt, redis, monkeypatch):
    rt = sandbox_rt
    ids = sorted(people(rt, 3))  # the order recipients are sent in (ContactStore.id_pages)
    waited = []
    real_wait = RateLimiter.wait

    def wait_and_stop(limiter):
        # The second recipient texts STOP while their send waits for its slot.
        waited.append(1)
        if len(waited) == 2:
            rt.contacts.set_opted_out(ids[1], True)
        return real_wait(limiter)

    monkeypatch.setattr(RateLimiter, "wait", wait_and_stop)
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": {"en": "hi", "es": "hola"}}, "t"))
    run_all(rt, bc.id, threads=1)
    sent_to = {r["to"] for r in sandbox_records(redis)}
    assert rt.contacts.get(ids[1]).number not in sent_to
    assert len(sent_to) == 2
    states = receipts.states_of(rt.redis, bc.id, ids)
    assert states[1] == f"{receipts.SKIP}:opted_out"
    assert states[0].startswith(receipts.SENT) and states[2].startswith(receipts.SENT)
