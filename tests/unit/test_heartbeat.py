"""The lease-renewing thread shared by the line's lock and a broadcast chunk's claim."""

from __future__ import annotations

import time

from hotline.heartbeat import Heartbeat


def wait_for(condition, seconds=2.0):
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.01)
    return condition()


def test_it_renews_while_the_block_runs_and_stops_after():
    calls = []
    with Heartbeat(lambda: calls.append(1) or True, 0.02, "test") as beat:
        assert wait_for(lambda: len(calls) >= 3)
    after = len(calls)
    time.sleep(0.1)
    assert len(calls) == after and not beat.lost.is_set()


def test_a_refused_renewal_marks_it_lost_and_stops_renewing():
    answers = iter([True, False, True, True])
    calls = []
    with Heartbeat(lambda: calls.append(1) or next(answers), 0.02, "test") as beat:
        assert wait_for(beat.lost.is_set)
        time.sleep(0.1)
    assert len(calls) == 2


def test_a_failing_renewal_is_tried_again():
    outcomes = iter([ConnectionError("blip"), ConnectionError("blip"), True, True, True, True])
    calls = []

    def renew():
        calls.append(1)
        outcome = next(outcomes, True)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with Heartbeat(renew, 0.02, "test") as beat:
        assert wait_for(lambda: len(calls) >= 4)
    assert not beat.lost.is_set()
