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
        try:
            counts = sweep()
        except RedisError as exc:
            log.warning("sweep skipped: %s", exc)
            continue
        if any(counts.values()):
            log.info("rescheduled %s", counts)


if __name__ == "__main__":
    main()
