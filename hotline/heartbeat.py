"""A thread that renews something while a block of work runs: the per-person line's lock, a
broadcast chunk's claim.

Renewing once per item or per batch lets slow work (a long Rasa turn, a rate limiter's waits)
look dead and be taken over while it still runs. A thread renewing every fraction of the
lease cannot fall behind while the process lives, and a killed process stops renewing at once.
`lost` is set when `renew` says the thing is no longer ours; the work checks it before its next
irreversible step.

Core: imports nothing of the hotline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Heartbeat:
    """`with Heartbeat(renew, every, name) as beat:` calls `renew()` every `every` seconds
    until the block ends; a False answer sets `beat.lost` and stops; an exception (a Redis blip)
    is logged and the next beat tries again."""

    def __init__(self, renew: Callable[[], bool], every: float, name: str):
        self.renew, self.every, self.name = renew, every, name
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> bool:
        """One renewal now; False (and `lost` set) once the thing is no longer ours."""
        if not self.renew():
            self.lost.set()
        return not self.lost.is_set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not self.beat():
                    log.warning("%s: lost to another owner", self.name)
                    return
            except Exception as exc:  # noqa: BLE001 - any failure to renew is retried
                log.warning("%s: could not renew: %s", self.name, exc)
