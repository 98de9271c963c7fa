"""The development supervisor on real processes: a killed service's leftover children (an RQ
worker's forked scheduler) die with it, it is restarted after a short delay without holding up
the others, and a service that ran healthy for a while starts again from the shortest delay."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from hotline.ops.stack import HEALTHY_SECONDS, Service, Stack, restart_delay


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def supervised(tmp_path):
    # A "worker" that forks a child and stays the group's leader, as `rq worker
    # --with-scheduler` does; and a quiet neighbour that must not be disturbed.
    running = Stack(var_dir=tmp_path)
    running.services = [
        Service("worker", ["sh", "-c", "sleep 300 & exec sleep 301"], dict(os.environ)),
        Service("neighbour", ["sleep", "300"], dict(os.environ)),
    ]
    for service in running.services:
        running._spawn(service)
    yield running
    running.stop()


def test_a_killed_service_takes_its_children_with_it_and_comes_back(supervised):
    stack = supervised
    worker, neighbour = stack.services
    pgid = worker.process.pid
    assert wait_until(lambda: len(group_members(pgid)) == 2)
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    assert len(group_members(pgid)) == 1  # the forked child outlived its parent
    now = time.monotonic()
    assert stack.supervise(now) == []  # noticed: leftovers killed, restart in 1 s
    assert wait_until(lambda: group_members(pgid) == [])
    assert worker.restarts == 1 and worker.restart_at == pytest.approx(now + 1.0)
    assert stack.supervise(now + 0.5) == []
    assert stack.supervise(now + 1.01) == ["worker"]
    assert worker.process.poll() is None and worker.process.pid != pgid
    assert neighbour.process.poll() is None and neighbour.restarts == 0


def test_the_delay_doubles_while_it_keeps_crashing_and_resets_once_healthy(supervised):
    stack = supervised
    worker = stack.services[0]
    delays = []
    for _ in range(4):
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
        now = time.monotonic()
        stack.supervise(now)
        delays.append(round(worker.restart_at - now, 3))
        stack.supervise(worker.restart_at)
    assert delays == [1.0, 2.0, 4.0, 8.0]
    # It has now run healthy for a while: the next crash waits 1 s again, not 16.
    stack.supervise(worker.started_at + HEALTHY_SECONDS)
    assert worker.restarts == 0
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    now = time.monotonic()
    stack.supervise(now)
    assert worker.restart_at - now == pytest.approx(1.0)


def test_the_delay_is_capped():
    assert restart_delay(1) == 1.0 and restart_delay(30) == 60.0
