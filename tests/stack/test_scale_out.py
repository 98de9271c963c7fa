"""The hotline scaled out over hosts (network namespaces on one bridge, bench/scale_out.py):
Redis with Sentinel (a primary, a replica, three sentinels), two gateways behind a balancer, two
Rasa hosts each with its action server, two worker hosts, a sweeper and the sandbox, every
client on Sentinel-aware connections. Under steady conversations the Redis primary, one Rasa
host and one worker host are killed with -9; every message is answered exactly once, in order
per person, and the primary moved to the replica. Needs root for `ip netns` (CI runs as root).
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from hotline.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))

from bench import scale_out  # noqa: E402

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]


def test_three_hosts_killed_under_load_lose_nothing_and_double_nothing(tmp_path):
    if shutil.which("ip") is None:
        pytest.fail("iproute2 (ip) is not installed")
    outcome = scale_out.run(tmp_path, senders=8, turns=7, kill_every=10.0, warmup=10.0)
    report = "\n".join(outcome.lines())
    print(report)
    result = outcome.result
    assert outcome.failover_seconds is not None, report
    assert result.accepted == sum(len(p.script) for p in outcome.crowd), report
    assert not result.lost and not result.twice and not result.out_of_order, report
    assert result.rasa_twice == 0 and result.trackers_read[0] > 0, report
    assert result.registrations == (1, 1), report
