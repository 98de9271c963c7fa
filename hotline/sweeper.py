"""Every little while, reschedule work that nobody is doing (crashed worker, used-up retries)."""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

from hotline import liveness, logs
from hotline.config import ServeSettings, Settings
from hotline.jobs import sweep

log = logging.getLogger("hotline.sweeper")


def main() -> None:
    logs.configure("sweeper")  # once per process: a no-op under hotline.ops.serve
    interval = Settings.from_env().sweep_seconds
    beat_file = ServeSettings.from_env().beat_file
    while True:
        # The loop turns even while Redis is away: restarting the sweeper would not bring it back.
        liveness.beat(beat_file)
        time.sleep(interval)
        sweep_once()


def sweep_once() -> dict | None:
    """One sweep; None when it could not run. Nothing it meets ends the sweeper: it is the one
    process that finds stranded lines and moves delayed jobs when no RQ scheduler runs, and
    restarted (where something restarts it) it would only end again on the same record."""
    try:
        counts = sweep()
    except RedisError as exc:
        log.warning("sweep skipped: %s", exc)
        return None
    except Exception:  # noqa: BLE001 - logged with its cause; the next sweep tries again
        log.exception("sweep failed")
        return None
    if any(counts.values()):
        log.info("rescheduled %s", counts)
    return counts


if __name__ == "__main__":
    main()
