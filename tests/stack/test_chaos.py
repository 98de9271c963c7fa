"""A short chaos run on the real stack (bench/chaos.py is the long one): a few people talking,
one of them registering and one saying STOP, while an RQ worker is killed with -9 mid-job.
Nothing is lost, nothing is answered twice or out of order, no Rasa turn runs twice, the
registration completes, and the killed worker delays nobody for long."""

from __future__ import annotations

import sys
import time

import pytest

from hotline.config import PROJECT_ROOT
from hotline.content import program_status

sys.path.insert(0, str(PROJECT_ROOT))

from bench.chaos import busy_within  # noqa: E402
from bench.harness import (  # noqa: E402
    Listener,
    Supervisor,
    account,
    kill,
    open_intake,
    people,
    runtime_of,
    wait_for_quiet,
)

pytestmark = pytest.mark.stack


def test_a_worker_killed_mid_load_loses_nothing_and_doubles_nothing(stack):
    rt = runtime_of(stack)
    open_intake(rt)
    try:
        with Supervisor(stack) as supervisor, Listener(rt.redis) as listener:
            crowd = people(stack, listener, 6, registrations=1, stops=1, faq_turns=4)
            for person in crowd:
                person.thread.start()
            time.sleep(5)
            # Mid-job is the worst moment: the person's line is held by the dead worker.
            assert busy_within(stack, rt, "worker-1", seconds=30)
            kill(stack, "worker-1")
            for person in crowd:
                person.thread.join(timeout=600)
            wait_for_quiet(rt, listener, quiet=5, limit=300)
            result = account(stack, rt, listener, crowd)
        assert any(name == "worker-1" for _, name in supervisor.restarted)
    finally:
        program_status.clear_override(rt.redis)
    report = "\n".join(result.lines())
    assert result.accepted == sum(len(p.script) for p in crowd), report
    assert not result.lost and not result.twice and not result.out_of_order, report
    assert result.rasa_twice == 0 and result.trackers_read[0] > 0, report
    assert result.registrations == (1, 1), report
    # A killed worker's hold on a person's line lasts one lease (30 s) at most, and the sweeper
    # then hands it on: the target is that nobody waits more than 60 s for it.
    assert result.longest[0] < 60, report
