"""Every little while, reschedule work that nobody is doing (crashed worker, used-up retries)."""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

from hotline import logs
from hotline.config import Settings
from hotline.jobs import sweep

log = logging.getLogger("hotline.sweeper")


def main() -> None:
    logs.configure("sweeper")  # once per process: a no-op under hotline.ops.serve
    interval = Settings.from_env().sweep_seconds
    while True:
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
