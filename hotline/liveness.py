"""A process's proof that its work loop still turns, for an exec probe (`hotline.ops.probe`).

A worker or the sweeper can be alive and answer on a port while its loop is stuck (a call that
never returns, a lock never released): nothing would restart it, and people's messages would
wait. So each time round its loop it touches its beat file (HOTLINE_BEAT_FILE, on the pod's own
/tmp); the probe reads how old the file is. Core: no Redis, no capability.
"""

from __future__ import annotations

import logging
import os
import time

log = logging.getLogger(__name__)


def beat(path: str | None) -> None:
    """Say the loop turned. A file that cannot be written is logged, never fatal: the work
    matters more than its proof."""
    if not path:
        return
    try:
        with open(path, "a"):
            pass
        os.utime(path, None)
    except OSError as exc:
        log.warning("beat file %s not written: %s", path, exc)


def age(path: str, now: float | None = None) -> float | None:
    """Seconds since the last beat; None when there never was one."""
    try:
        return max((now or time.time()) - os.stat(path).st_mtime, 0.0)
    except OSError:
        return None
